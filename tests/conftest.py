"""Test-session fixtures: one real Elasticsearch node per session, on a free port, in a throwaway dir.

No mocks of Elasticsearch anywhere. Tests that need the node ask for `store` (a fresh index prefix,
initialised, removed afterwards) or `es_url`. `receiver` is a local HTTP endpoint that records each
POST and answers as scripted (webhooks and robots in the notification and alert tests).
"""

from __future__ import annotations

import json
import atexit
import os
import shutil
import tempfile
import threading
import time
import urllib.parse
import uuid
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest

from yuqing import esnode

PROJECT_ROOT = Path(__file__).resolve().parent.parent

# The machine's own data directory (its spool above all) stays out of the tests, and the tests out of
# it: a crawl-run a developer's ES-less `yuqing crawl` had spooled there was replayed into a test's
# store by the crawl that test started. Tests that need their own directory still set one.
os.environ["YUQING_DATA_DIR"] = tempfile.mkdtemp(prefix="yuqing-test-data-")
atexit.register(shutil.rmtree, os.environ["YUQING_DATA_DIR"], True)
SHARED_DATA = PROJECT_ROOT.parent / "shared" / "data"


@pytest.fixture(scope="session")
def es_node():
    """A real single-node Elasticsearch for the whole session (or ES_TEST_URL when given)."""
    external = os.environ.get("ES_TEST_URL")
    if external:
        yield external
        return
    base = Path(tempfile.mkdtemp(prefix="yuqing-test-es-"))
    base.chmod(0o755)
    spec = esnode.NodeSpec(port=esnode.free_port(), home=base / "node", heap="512m")
    try:
        esnode.start(spec, progress=lambda _msg: None)
    except esnode.NodeError as exc:
        shutil.rmtree(base, ignore_errors=True)
        pytest.fail(f"could not start the test Elasticsearch node: {exc}")
    try:
        yield spec.url
    finally:
        esnode.stop(spec)
        shutil.rmtree(base, ignore_errors=True)


@pytest.fixture(scope="session")
def es_url(es_node) -> str:
    return es_node


@pytest.fixture
def store(es_url, monkeypatch):
    """An initialised Store under a unique index prefix, deleted after the test."""
    from yuqing.store import connect

    prefix = f"t{uuid.uuid4().hex[:10]}"
    monkeypatch.setenv("ES_URL", es_url)
    monkeypatch.setenv("YUQING_INDEX_PREFIX", prefix)
    instance = connect(es_url, prefix=prefix)
    instance.init()
    try:
        yield instance
    finally:
        instance.delete_prefix()


def require_tools(*commands: str) -> None:
    """Skip when a system tool is missing on a developer's machine; fail under CI (`.ci/run` sets CI),
    where `make setup` installs them, so a missing package can never turn the checks into skips."""
    missing = [command for command in commands if shutil.which(command) is None]
    if missing:
        message = f"system tools missing: {', '.join(missing)} (make setup installs them)"
        if os.environ.get("CI"):
            pytest.fail(message)
        pytest.skip(message)


@pytest.fixture(scope="session")
def tools():
    return require_tools


@pytest.fixture
def shared_data() -> Path:
    if not SHARED_DATA.is_dir():
        pytest.skip("../shared/data is absent (third-party evaluation data is not shipped)")
    return SHARED_DATA


# ------------------------------------------------------------ a local HTTP receiver (webhooks, robots)


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
