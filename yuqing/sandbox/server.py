"""The sandbox web server: all sandbox sites on one loopback port, plus /__sandbox/ controls.

    with SandboxServer(clock=SandboxClock.manual(DEFAULT_EPOCH)) as sandbox:
        urllib.request.urlopen(sandbox.url + "/news/list/1.html")

Only 127.0.0.1 is ever bound. Routing and page building live in ``SandboxApp`` (no sockets), the
HTTP plumbing in ``SandboxServer``.
"""

from __future__ import annotations

import json
import logging
import re
import threading
from collections import Counter
from dataclasses import dataclass, field
from datetime import datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Iterable
from urllib.parse import parse_qsl, urlsplit

from yuqing.sandbox import api, feeds, pages
from yuqing.sandbox.clock import SandboxClock, parse_instant, parse_offset
from yuqing.sandbox.export import post_record
from yuqing.sandbox.sites import DISALLOWED, FAULTS, SITES
from yuqing.sandbox.world import DEFAULT_EPOCH, DEFAULT_SEED, Post, World, build_world

LOGGER = logging.getLogger(__name__)
HOST = "127.0.0.1"
HUGE_BYTES = 10 * 1024 * 1024
# A minimal one-page PDF (an attachment or a scan as a site serves it; the crawler must not store it as text).
PDF = (b"%PDF-1.4\n1 0 obj <</Type /Catalog /Pages 2 0 R>> endobj\n"
       b"2 0 obj <</Type /Pages /Kids [3 0 R] /Count 1>> endobj\n"
       b"3 0 obj <</Type /Page /Parent 2 0 R /MediaBox [0 0 595 842]>> endobj\n"
       b"trailer <</Root 1 0 R>>\n%%EOF\n")
FLAKY_FAILURES = 2
MAX_BODY = 1024 * 1024
HTML = "text/html; charset=utf-8"
JSON = "application/json; charset=utf-8"
XML = "application/xml; charset=utf-8"
PORTAL_CONTENT_TYPES = {"gbk": "text/html; charset=gb2312", "gbk-undeclared": "text/html",
                        "gbk-mislabelled": "text/html; charset=utf-8"}


@dataclass
class Response:
    status: int
    content_type: str = HTML
    body: bytes | Iterable[bytes] = b""
    headers: dict = field(default_factory=dict)
    length: int | None = None      # declared Content-Length; default len(body)
    send_bytes: int | None = None  # stop after this many body bytes and close (a cut-off transfer)


def _html(text: str, status: int = 200) -> Response:
    return Response(status, HTML, text.encode("utf-8"))


def _json(data, status: int = 200) -> Response:
    return Response(status, JSON, json.dumps(data, ensure_ascii=False).encode("utf-8"))


def _xml(text: str) -> Response:
    return Response(200, XML, text.encode("utf-8"))


def _not_found(what: str = "页面不存在") -> Response:
    return _html(pages.error_page(404, what), 404)


@dataclass
class Stats:
    """What crawlers asked for; the control endpoints themselves are not counted."""

    lock: threading.Lock = field(default_factory=threading.Lock)
    paths: Counter = field(default_factory=Counter)
    disallowed: list = field(default_factory=list)
    flaky: Counter = field(default_factory=Counter)

    def record(self, path: str, user_agent: str) -> None:
        with self.lock:
            self.paths[path] += 1
            if path.startswith(DISALLOWED):
                self.disallowed.append({"path": path, "user_agent": user_agent})

    def snapshot(self) -> dict:
        with self.lock:
            return {"requests": sum(self.paths.values()), "paths": dict(self.paths),
                    "disallowed": list(self.disallowed)}

    def reset(self) -> None:
        with self.lock:
            self.paths.clear()
            self.disallowed.clear()
            self.flaky.clear()


def _page(query: dict, name: str = "page") -> int | None:
    try:
        page = int(query.get(name, "1"))
    except ValueError:
        return None
    return page if page >= 1 else None


def _paginate(items: list[Post], page: int | None, size: int) -> tuple[list[Post], int] | None:
    pages_total = max(1, -(-len(items) // size))
    if page is None or page > pages_total:
        return None
    return items[(page - 1) * size: page * size], pages_total


class SandboxApp:
    """Maps (method, path, body) to a Response at the clock's current time."""

    def __init__(self, world: World, clock: SandboxClock, *, slow_seconds: float = 20.0,
                 stopping: threading.Event | None = None) -> None:
        self.world = world
        self.clock = clock
        self.slow_seconds = slow_seconds
        self.stopping = stopping or threading.Event()
        self.stats = Stats()
        self.base_url = "http://127.0.0.1"
        self._routes = [
            (re.compile(r"^/$"), self._home),
            (re.compile(r"^/robots\.txt$"), lambda m, q, b, n: Response(
                200, "text/plain; charset=utf-8", feeds.robots(self.base_url).encode())),
            (re.compile(r"^/sitemap\.xml$"), lambda m, q, b, n: _xml(feeds.sitemap_index(self.base_url, n))),
            (re.compile(r"^/(news|central|industry|portal)/sitemap\.xml$"), self._sitemap),
            (re.compile(r"^/news/(?:index\.html)?$"), lambda m, q, b, n: self._news_list(1, n)),
            (re.compile(r"^/news/list/(\d+)\.html$"), lambda m, q, b, n: self._news_list(int(m[1]), n)),
            (re.compile(r"^/news/rss\.xml$"), lambda m, q, b, n: _xml(
                feeds.rss(self.world.published(n, "news"), self.base_url, n))),
            (re.compile(r"^/news/system/\d{4}/\d{2}/\d{2}/\d+\.shtml$"), self._article),
            (re.compile(r"^/news/preview/(\d+)\.html$"), self._preview),
            (re.compile(r"^/news/special/(?:index\.html)?$"), lambda m, q, b, n: _html(
                pages.special_listing(n, self._hot(n)))),
            (re.compile(r"^/news/a/([\w-]+)\.html$"), self._fault),
            (re.compile(r"^/news/a/attachment\.pdf$"), lambda m, q, b, n: Response(200, "application/pdf", PDF)),
            (re.compile(r"^/(central|industry)/(?:index\.html|list\.html)?$"), self._central_list),
            (re.compile(r"^/central/atom\.xml$"), lambda m, q, b, n: Response(
                200, "application/atom+xml; charset=utf-8",
                feeds.atom(self.world.published(n, "central"), self.base_url, n).encode())),
            (re.compile(r"^/(?:central|industry)/n1/\d{4}/\d{4}/c\d+\.html$"), self._article),
            (re.compile(r"^/portal/(?:index\.html)?$"), lambda m, q, b, n: self._portal_list(1, n)),
            (re.compile(r"^/portal/list_(\d+)\.html$"), lambda m, q, b, n: self._portal_list(int(m[1]), n)),
            (re.compile(r"^/portal/news/\d+\.html$"), self._article),
            (re.compile(r"^/portal/css/style\.css$"), lambda m, q, b, n: Response(
                200, "text/css", b"body{font-size:12px}")),
            (re.compile(r"^/board/(?:list)?$"), self._board_list),
            (re.compile(r"^/board/thread/\d+\.html$"), self._article),
            (re.compile(r"^/board/admin/.*$"), lambda m, q, b, n: _html(pages.board_admin())),
            (re.compile(r"^/lyb/v1/threads/list/df$"), self._lyb_list),
            (re.compile(r"^/lyb/(?:v1/)?threads/content$"), self._lyb_content),
            (re.compile(r"^/lyb/v1/forums$"), lambda m, q, b, n: _json(api.success(
                [{"fid": fid, "forumName": name} for name, fid in api.forums(self.world).items()]))),
            (re.compile(r"^/social/api/timeline$"), self._social_timeline),
            (re.compile(r"^/social/api/status$"), self._social_status),
        ]

    # ------------------------------------------------------------------ dispatch

    def handle(self, method: str, target: str, body: bytes = b"", user_agent: str = "") -> Response:
        parts = urlsplit(target)
        path, query = parts.path, dict(parse_qsl(parts.query))
        if path.startswith("/__sandbox/"):
            return self._control(method, path, query, body)
        self.stats.record(path, user_agent)
        now = self.clock.now()
        if method not in ("GET", "POST"):
            return Response(405, HTML, pages.error_page(405, "不支持的请求方法").encode("utf-8"))
        for pattern, handler in self._routes:
            match = pattern.match(path)
            if match:
                if method == "POST" and not path.startswith("/lyb/"):
                    return Response(405, HTML, pages.error_page(405, "不支持的请求方法").encode("utf-8"))
                query["__path__"] = target
                return handler(match, query, body, now)
        return _not_found()

    def _home(self, match, query, body, now) -> Response:
        return _html(pages.home(now))

    def _hot(self, now: datetime) -> list[Post]:
        return self.world.published(now, "news")[:6]

    def _sitemap(self, match, query, body, now) -> Response:
        return _xml(feeds.sitemap(self.world.published(now, match[1]), self.base_url))

    # ------------------------------------------------------------------ listings

    def _news_list(self, page: int, now: datetime) -> Response:
        paged = _paginate(self.world.published(now, "news"), page, pages.PAGE_SIZE["news"])
        if paged is None:
            return _not_found("页码超出范围")
        previews = self.world.upcoming(now, "news")[:3] if page == 1 else []
        return _html(pages.news_listing(paged[0], page, paged[1], now, self._hot(now), previews))

    def _central_list(self, match, query, body, now) -> Response:
        site = match[1]
        paged = _paginate(self.world.published(now, site), _page(query), pages.PAGE_SIZE["central"])
        if paged is None:
            return _not_found("页码超出范围")
        return _html(pages.central_listing(paged[0], _page(query), paged[1], now, site))

    def _portal_list(self, page: int, now: datetime) -> Response:
        paged = _paginate(self.world.published(now, "portal"), page, pages.PAGE_SIZE["portal"])
        if paged is None:
            return _not_found("页码超出范围")
        text = pages.portal_listing(paged[0], page, paged[1], now)
        return Response(200, PORTAL_CONTENT_TYPES["gbk"], text.encode("gbk", errors="xmlcharrefreplace"))

    def _board_list(self, match, query, body, now) -> Response:
        items = self.world.published(now, "board_html")
        status = query.get("status")
        if status:
            items = [p for p in items if p.board.status(now) == status]
        paged = _paginate(items, _page(query), pages.PAGE_SIZE["board_html"])
        if paged is None:
            return _not_found("页码超出范围")
        return _html(pages.board_listing(paged[0], _page(query), paged[1], now))

    # ------------------------------------------------------------------ articles

    def _article(self, match, query, body, now) -> Response:
        post = self.world.by_path(match[0])
        if post is None or post.published_at > now:
            return _not_found("文章不存在或已删除")
        return self.render(post, now)

    def render(self, post: Post, now: datetime) -> Response:
        if post.site == "news":
            return _html(pages.news_article(post, now, self._hot(now)))
        if post.site in ("central", "industry"):
            return _html(pages.central_article(post, now))
        if post.site == "portal":
            text = pages.portal_article(post, now)
            return Response(200, PORTAL_CONTENT_TYPES[post.encoding],
                            text.encode("gbk", errors="xmlcharrefreplace"))
        if post.site == "board_html":
            return _html(pages.board_thread(post, now))
        raise ValueError(f"no HTML page for site {post.site}")

    def _preview(self, match, query, body, now) -> Response:
        number = int(match[1])
        for post in self.world.upcoming(now, "news"):
            if post.number == number:
                return _html(pages.news_article(post, now, self._hot(now)))
        return _not_found("预览稿不存在")

    # ------------------------------------------------------------------ faults

    def _fault(self, match, query, body, now) -> Response:
        name = match[1]
        path = f"/news/a/{name}.html"
        hot = self._hot(now)
        if name == "error":
            return _html(pages.error_page(500, "服务器内部错误"), 500)
        if name == "flaky":
            with self.stats.lock:
                self.stats.flaky[path] += 1
                attempt = self.stats.flaky[path]
            if attempt <= FLAKY_FAILURES:
                return _html(pages.error_page(503, "服务暂时不可用，请稍后重试"), 503)
            return _html(pages.fault_article(now, hot, title="我市启动“3·15”系列宣传活动"))
        if name == "slow":
            if self.stopping.wait(self.slow_seconds):
                return Response(503, HTML, b"")
            return _html(pages.fault_article(now, hot, title="一季度全市消费投诉情况分析"))
        if name == "truncated":
            full = pages.fault_article(now, hot, title="食品安全“你点我检”活动开始报名").encode("utf-8")
            cut = full.index("<p>".encode()) + 120
            while (full[cut] & 0xC0) == 0x80:  # end on a character boundary: the HTML is cut, not the UTF-8
                cut -= 1
            return Response(200, HTML, full[:cut])
        if name == "cut-off":
            full = pages.fault_article(now, hot, title="特种设备安全知识进社区").encode("utf-8")
            return Response(200, HTML, full, send_bytes=len(full) // 2)
        if name in ("moved", "moved-1"):
            target = "/news/a/moved-1.html" if name == "moved" else "/news/a/moved.html"
            return Response(302, HTML, b"", headers={"Location": target})
        if name == "scan":  # a scanned report: PDF bytes, though the address and the header say a page
            return Response(200, HTML, PDF)
        if name == "nodate":
            return _html(pages.fault_article(now, hot, with_date=False))
        if name == "huge":
            head, paragraph, tail = pages.huge_article_parts(now, HUGE_BYTES)
            repeats = -(-(HUGE_BYTES - len(head) - len(tail)) // len(paragraph))
            length = len(head) + repeats * len(paragraph) + len(tail)
            chunk = paragraph * 256

            def stream() -> Iterable[bytes]:
                yield head
                left = repeats
                while left > 0:
                    n = min(left, 256)
                    yield chunk if n == 256 else paragraph * n
                    left -= n
                yield tail
            return Response(200, HTML, stream(), length=length)
        return _not_found()

    # ------------------------------------------------------------------ JSON APIs

    def _lyb_list(self, match, query, body, now) -> Response:
        query.pop("__path__", None)
        try:
            return _json(api.board_list(self.world, now, api.parse_param(body, query)))
        except api.ApiError as exc:
            return _json(api.failure(str(exc)), 400)

    def _lyb_content(self, match, query, body, now) -> Response:
        query.pop("__path__", None)
        try:
            param = api.parse_param(body, query)
            tid = str(param.get("tid", "")).strip()
            if not tid.isdigit():
                raise api.ApiError("参数格式错误：缺少 tid")
            return _json(api.board_content(self.world, now, tid))
        except api.ApiError as exc:
            status = 404 if "不存在" in str(exc) else 400
            return _json(api.failure(str(exc)), status)

    def _social_timeline(self, match, query, body, now) -> Response:
        try:
            page, count = int(query.get("page", "1")), int(query.get("count", "20"))
            return _json(api.timeline(self.world, now, page, count))
        except (ValueError, api.ApiError) as exc:
            return _json({"ok": 0, "msg": f"参数错误：{exc}"}, 400)

    def _social_status(self, match, query, body, now) -> Response:
        post = self.world.by_path(f"/social/api/status?id={query.get('id', '')}")
        if post is None or post.published_at > now:
            return _json({"ok": 0, "msg": "微言不存在或已被删除"}, 404)
        return _json({"ok": 1, "data": api.status(self.world, post, now)})

    # ------------------------------------------------------------------ controls

    def _control(self, method: str, path: str, query: dict, body: bytes) -> Response:
        if path == "/__sandbox/clock":
            if method == "POST":
                try:
                    self.apply_clock(json.loads(body.decode("utf-8") or "{}"))
                except (ValueError, TypeError, AttributeError) as exc:
                    return _json({"error": f"时钟设置无效：{exc}"}, 400)
            return _json({**self.clock.state(), "epoch": self.world.epoch.isoformat()})
        if path == "/__sandbox/manifest":
            return _json(self.manifest(query.get("site")))
        if path == "/__sandbox/stats":
            if method == "POST":
                self.stats.reset()
            return _json(self.stats.snapshot())
        return _json({"error": "未知的控制接口", "available": ["/__sandbox/clock", "/__sandbox/manifest",
                                                          "/__sandbox/stats"]}, 404)

    def apply_clock(self, change: dict) -> None:
        """{"now": ISO} | {"advance": "2h" or seconds} | {"speed": N}; several keys apply in that order."""
        if not isinstance(change, dict) or not change.keys() & {"now", "advance", "speed"}:
            raise ValueError('应为 {"now": ISO 时间} 或 {"advance": "2h"} 或 {"speed": 倍速}')
        if "now" in change:
            self.clock.set(parse_instant(str(change["now"])))
        if "advance" in change:
            self.clock.advance(parse_offset(change["advance"]))
        if "speed" in change:
            self.clock.set_speed(float(change["speed"]))

    def manifest(self, site: str | None = None) -> dict:
        now = self.clock.now()
        items = []
        for post in self.world.published(now, site):
            record = post_record(self.world, post, now, self.base_url)
            record["site"] = post.site
            if post.site == "portal":
                record["encoding"] = post.encoding
            items.append(record)
        return {
            "now": now.isoformat(), "epoch": self.world.epoch.isoformat(), "count": len(items),
            "items": items,
            "sites": {key: {"name": s.name, "prefix": s.prefix, "media_level": s.media_level,
                            "source": s.source, "source_kind": s.source_kind} for key, s in SITES.items()},
            "feeds": {"rss": "/news/rss.xml", "atom": "/central/atom.xml", "sitemap": "/sitemap.xml"},
            "faults": FAULTS, "disallowed": list(DISALLOWED),
            "scenarios": {name: {"label": s.label, "start": s.start.isoformat()}
                          for name, s in self.world.scenarios.items()},
        }


class _Handler(BaseHTTPRequestHandler):
    server_version = "nginx"
    sys_version = ""

    def do_GET(self) -> None:
        self._serve("GET")

    def do_POST(self) -> None:
        self._serve("POST")

    def _serve(self, method: str) -> None:
        app: SandboxApp = self.server.app  # type: ignore[attr-defined]
        body = b""
        if method == "POST":
            try:
                size = int(self.headers.get("Content-Length") or 0)
            except ValueError:
                size = -1
            if size < 0 or size > MAX_BODY:
                self._write(Response(413 if size > 0 else 400, JSON,
                                     json.dumps({"error": "请求体长度无效"}, ensure_ascii=False).encode()))
                return
            body = self.rfile.read(size)
        try:
            response = app.handle(method, self.path, body, self.headers.get("User-Agent", ""))
        except Exception:  # a bug in the sandbox must show as a 500, not a hung client
            LOGGER.exception("sandbox handler failed for %s", self.path)
            response = _html(pages.error_page(500, "沙盒内部错误"), 500)
        self._write(response)

    def _write(self, response: Response) -> None:
        body = response.body
        chunks = [body] if isinstance(body, bytes) else body
        length = response.length if response.length is not None else (len(body) if isinstance(body, bytes) else None)
        try:
            self.send_response(response.status)
            self.send_header("Content-Type", response.content_type)
            for key, value in response.headers.items():
                self.send_header(key, value)
            if length is not None:
                self.send_header("Content-Length", str(length))
            self.send_header("Connection", "close")
            self.end_headers()
            budget = response.send_bytes
            for chunk in chunks:
                if budget is not None:
                    chunk = chunk[:budget]
                    budget -= len(chunk)
                self.wfile.write(chunk)
                if budget is not None and budget <= 0:
                    break
            self.wfile.flush()
        except (BrokenPipeError, ConnectionResetError):
            LOGGER.debug("client went away during %s", self.path)
        if response.send_bytes is not None:
            self.close_connection = True

    def log_message(self, format: str, *args) -> None:  # noqa: A002 (the stdlib's name)
        LOGGER.debug("%s " + format, self.address_string(), *args)


class _Server(ThreadingHTTPServer):
    daemon_threads = True
    allow_reuse_address = True
    app: SandboxApp


class SandboxServer:
    """The sandbox web on 127.0.0.1:<port> (0 = a free port), startable from tests."""

    def __init__(self, port: int = 0, *, clock: SandboxClock | None = None, epoch: datetime = DEFAULT_EPOCH,
                 world: World | None = None, slow_seconds: float = 20.0, seed: int = DEFAULT_SEED) -> None:
        self.world = world or build_world(epoch, seed)
        self.clock = clock or SandboxClock(self.world.epoch, speed=1.0)
        self._stopping = threading.Event()
        self.app = SandboxApp(self.world, self.clock, slow_seconds=slow_seconds, stopping=self._stopping)
        self._port = port
        self._httpd: _Server | None = None
        self._thread: threading.Thread | None = None

    @property
    def port(self) -> int:
        if self._httpd is None:
            raise RuntimeError("sandbox server not started")
        return self._httpd.server_address[1]

    @property
    def url(self) -> str:
        return f"http://{HOST}:{self.port}"

    def start(self) -> "SandboxServer":
        if self._httpd is not None:
            return self
        self._stopping.clear()
        self._httpd = _Server((HOST, self._port), _Handler)
        self._httpd.app = self.app
        self.app.base_url = self.url
        httpd = self._httpd
        self._thread = threading.Thread(target=lambda: httpd.serve_forever(poll_interval=0.05), name="sandbox-web",
                                        daemon=True)
        self._thread.start()
        LOGGER.info("sandbox web at %s", self.url)
        return self

    def serve_forever(self) -> None:
        """Run in the calling thread until interrupted (the CLI)."""
        self.start()
        assert self._thread is not None
        try:
            while self._thread.is_alive():
                self._thread.join(0.5)
        finally:
            self.stop()

    def stop(self) -> None:
        if self._httpd is None:
            return
        self._stopping.set()  # wakes the slow handler
        self._httpd.shutdown()
        self._httpd.server_close()
        if self._thread is not None:
            self._thread.join(5)
        self._httpd = None
        self._thread = None

    def __enter__(self) -> "SandboxServer":
        return self.start()

    def __exit__(self, *exc) -> None:
        self.stop()
