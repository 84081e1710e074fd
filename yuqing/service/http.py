"""The service's own HTTP endpoints: /healthz (JSON) and /metrics (Prometheus), on loopback by default."""

from __future__ import annotations

import errno
import json
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Callable

from prometheus_client import CONTENT_TYPE_LATEST, generate_latest

from yuqing.errors import YuqingError
from yuqing.service.metrics import REGISTRY


class HealthServer:
    """Serves ``health()`` at /healthz (200 when ``ok`` is true, else 503) and metrics at /metrics."""

    def __init__(self, health: Callable[[], dict], host: str = "127.0.0.1", port: int = 0) -> None:
        self.health = health
        outer = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self) -> None:  # noqa: N802 - http.server API
                if self.path.split("?")[0] == "/healthz":
                    try:
                        doc = outer.health()
                    except Exception as exc:  # noqa: BLE001 - health must answer even when broken
                        doc = {"ok": False, "error": str(exc)}
                    body = json.dumps(doc, ensure_ascii=False, default=str).encode("utf-8")
                    self._send(200 if doc.get("ok") else 503, "application/json; charset=utf-8", body)
                elif self.path.split("?")[0] == "/metrics":
                    self._send(200, CONTENT_TYPE_LATEST, generate_latest(REGISTRY))
                else:
                    self._send(404, "text/plain; charset=utf-8", "未找到\n".encode())

            def _send(self, status: int, kind: str, body: bytes) -> None:
                self.send_response(status)
                self.send_header("Content-Type", kind)
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def log_message(self, *_args) -> None:
                pass

        try:
            self.server = ThreadingHTTPServer((host, port), Handler)
        except OSError as exc:
            raise port_error(exc, host, port, "健康检查端口") from None
        self.server.daemon_threads = True
        self.thread = threading.Thread(target=self.server.serve_forever, name="health", daemon=True)

    @property
    def url(self) -> str:
        host, port = self.server.server_address[:2]
        return f"http://{host}:{port}"

    def start(self) -> "HealthServer":
        self.thread.start()
        return self

    def stop(self) -> None:
        if self.thread.is_alive():  # shutdown() waits for serve_forever(), never run by an unstarted server
            self.server.shutdown()
        self.server.server_close()


def port_error(exc: OSError, host: str, port: int, what: str) -> YuqingError:
    """A clear error for a port that cannot be bound (busy, or not allowed)."""
    if exc.errno == errno.EADDRINUSE:
        return YuqingError(f"{what} {host}:{port} 已被其他程序占用（请换一个端口，或先停止占用它的程序）")
    return YuqingError(f"{what} {host}:{port} 无法监听: {exc.strerror or exc}")
