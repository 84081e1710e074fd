"""Local receivers for the notification tests: an HTTP server that records requests and answers as
scripted, and an SMTP server (aiosmtpd) that records messages. Both listen on 127.0.0.1."""

from __future__ import annotations

import json
import shutil
import ssl
import subprocess
import threading
import time
import urllib.parse
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest


@dataclass
class Request:
    path: str
    query: dict[str, str]
    raw_query: str
    headers: dict[str, str]
    body: bytes
    at: float

    @property
    def json(self):
        return json.loads(self.body.decode("utf-8"))


@dataclass
class Answer:
    status: int = 200
    body: object = field(default_factory=lambda: {"errcode": 0, "errmsg": "ok"})
    delay: float = 0.0


class Receiver:
    """Records every POST; answers with the scripted answers in order, then with ``default``."""

    def __init__(self) -> None:
        self.requests: list[Request] = []
        self.script: list[Answer] = []
        self.default = Answer()
        self.lock = threading.Lock()
        self.arrived = threading.Condition(self.lock)
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self):  # noqa: N802 (http.server naming)
                length = int(self.headers.get("Content-Length") or 0)
                body = self.rfile.read(length)
                parts = urllib.parse.urlsplit(self.path)
                with receiver.lock:
                    receiver.requests.append(
                        Request(
                            parts.path,
                            dict(urllib.parse.parse_qsl(parts.query)),
                            parts.query,
                            {k.lower(): v for k, v in self.headers.items()},
                            body,
                            time.monotonic(),
                        )
                    )
                    answer = receiver.script.pop(0) if receiver.script else receiver.default
                    receiver.arrived.notify_all()
                if answer.delay:
                    time.sleep(answer.delay)
                payload = answer.body if isinstance(answer.body, bytes) else json.dumps(answer.body).encode()
                self.send_response(answer.status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(payload)))
                self.end_headers()
                self.wfile.write(payload)

            def log_message(self, *_args):
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        self.thread = threading.Thread(target=self.server.serve_forever, args=(0.05,), daemon=True)
        self.thread.start()

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.server.server_address[1]}"

    def answer(self, status: int = 200, body: object = None, delay: float = 0.0, times: int = 1) -> None:
        """Answer the next ``times`` requests so (body defaults to a DingTalk/WeCom success)."""
        with self.lock:
            self.script.extend(
                Answer(status, body if body is not None else Answer().body, delay) for _ in range(times)
            )

    def always(self, status: int = 200, body: object = None, delay: float = 0.0) -> None:
        """Answer every unscripted request so."""
        self.default = Answer(status, body if body is not None else Answer().body, delay)

    def wait_for(self, count: int, timeout: float = 5.0) -> list[Request]:
        with self.arrived:
            self.arrived.wait_for(lambda: len(self.requests) >= count, timeout)
            return list(self.requests)

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture
def receiver():
    instance = Receiver()
    try:
        yield instance
    finally:
        instance.close()


class RecordingHandler:
    """aiosmtpd handler keeping (mail_from, rcpt_tos, raw bytes) of each message."""

    def __init__(self) -> None:
        self.messages: list[tuple[str, list[str], bytes]] = []

    async def handle_DATA(self, server, session, envelope):  # noqa: N802 (aiosmtpd naming)
        self.messages.append(
            (envelope.mail_from, list(envelope.rcpt_tos), envelope.original_content or envelope.content)
        )
        return "250 OK"


@dataclass
class SMTPServer:
    handler: RecordingHandler
    port: int

    @property
    def messages(self):
        return self.handler.messages


def _free_port() -> int:
    import socket

    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.fixture
def smtp_factory():
    """Start SMTP servers: ``smtp_factory(**controller_kwargs) -> SMTPServer``; stopped afterwards."""
    from aiosmtpd.controller import Controller

    controllers = []

    def start(**kwargs) -> SMTPServer:
        handler = RecordingHandler()
        port = _free_port()
        controller = Controller(handler, hostname="127.0.0.1", port=port, **kwargs)
        controller.start()
        controllers.append(controller)
        return SMTPServer(handler, port)

    try:
        yield start
    finally:
        for controller in controllers:
            controller.stop()


@pytest.fixture
def smtp_server(smtp_factory) -> SMTPServer:
    return smtp_factory()


@pytest.fixture(scope="session")
def tls_context(tmp_path_factory) -> ssl.SSLContext:
    """A server TLS context with a throwaway self-signed certificate (openssl from the OS)."""
    if shutil.which("openssl") is None:
        pytest.skip("openssl is not installed (needed to make a test certificate)")
    folder = tmp_path_factory.mktemp("tls")
    cert, key = folder / "cert.pem", folder / "key.pem"
    subprocess.run(
        [
            "openssl",
            "req",
            "-x509",
            "-newkey",
            "rsa:2048",
            "-nodes",
            "-days",
            "1",
            "-subj",
            "/CN=127.0.0.1",
            "-keyout",
            str(key),
            "-out",
            str(cert),
        ],
        check=True,
        capture_output=True,
    )
    context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    context.load_cert_chain(cert, key)
    return context


@pytest.fixture
def write_config(tmp_path):
    """Write a notify.yaml into the test's folder and return its path."""

    def write(text: str, name: str = "notify.yaml") -> Path:
        path = tmp_path / name
        path.write_text(text, encoding="utf-8")
        return path

    return write
