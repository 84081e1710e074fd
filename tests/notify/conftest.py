"""Local SMTP receivers for the notification tests (aiosmtpd), on 127.0.0.1. The HTTP receiver that
records requests and answers as scripted is the `receiver` fixture of tests/conftest.py."""

from __future__ import annotations

import shutil
import ssl
import subprocess
from dataclasses import dataclass
from pathlib import Path

import pytest


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
