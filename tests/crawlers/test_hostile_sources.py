"""Spiders against hostile sources over real HTTP, into the real node: each source serves good items next
to broken ones (wrong JSON types, impossible numbers, links and redirects that lead elsewhere, ...).
Every fault is survived and counted, everything good is stored, and what is stored is valid."""

from __future__ import annotations

import json
import threading
import urllib.parse
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
import yaml

from .conftest import run_crawl

NOW = "2026-11-25T12:00:00+08:00"  # the crawl clock (served at /__sandbox/clock)
STAMP = 1763604000  # 2025-11-20 10:00 +08:00


class HostileSite:
    """A local site answering ``routes[path?query] = (status, headers, body)``; 404 otherwise.
    Listens on 127.0.0.1 and on 127.0.0.2 (another host, same port); records every request."""

    def __init__(self) -> None:
        self.routes: dict[str, tuple[int, dict, bytes]] = {}
        self.requests: list[tuple[str, str]] = []
        self.agents: set[bytes] = set()  # User-Agent headers as sent (raw bytes)
        site = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self):  # noqa: N802 (http.server naming)
                host = self.server.server_address[0]
                site.requests.append((host, self.path))
                if self.path != "/__sandbox/clock":  # the crawl clock is read with urllib, not by the spiders
                    site.agents.add(self.headers.get("User-Agent", "").encode("latin-1", "replace"))
                length = int(self.headers.get("Content-Length") or 0)
                if length:
                    self.rfile.read(length)
                if self.path == "/__sandbox/clock":
                    status, headers, body = 200, {}, json.dumps({"now": NOW, "speed": 0}).encode()
                else:
                    key = urllib.parse.unquote(self.path) if host == "127.0.0.1" else f"//{host}{self.path}"
                    status, headers, body = site.routes.get(key, (404, {}, b"<html><body>404</body></html>"))
                self.send_response(status)
                for name, value in {"Content-Type": "text/html; charset=utf-8", **headers}.items():
                    self.send_header(name, value)
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            do_POST = do_GET

            def log_message(self, *_args):
                pass

        self.servers = [ThreadingHTTPServer(("127.0.0.1", 0), Handler)]
        port = self.servers[0].server_address[1]
        self.servers.append(ThreadingHTTPServer(("127.0.0.2", port), Handler))
        for server in self.servers:
            server.daemon_threads = True
            threading.Thread(target=server.serve_forever, args=(0.05,), daemon=True).start()
        self.url = f"http://127.0.0.1:{port}"
        self.other = f"http://127.0.0.2:{port}"

    def serve(self, path: str, body, status: int = 200, content_type: str | None = None, **headers) -> None:
        if not isinstance(body, bytes):
            body = json.dumps(body).encode("ascii")  # \uXXXX escapes: a lone surrogate is one of them
            content_type = content_type or "application/json"
        if content_type:
            headers["Content-Type"] = content_type
        self.routes[path] = (status, {k.replace("_", "-"): v for k, v in headers.items()}, body)

    def close(self) -> None:
        for server in self.servers:
            server.shutdown()
            server.server_close()


@pytest.fixture(scope="module")
def site():
    instance = HostileSite()
    try:
        yield instance
    finally:
        instance.close()


def crawl(site, module_store, es_url, tmp_path, sources: list[dict]) -> tuple[dict, list[dict]]:
    """Crawl ``sources`` (a sources-file entry each) from the site: (runs by source, stored posts)."""
    path = tmp_path / "sources.yaml"
    data = {"defaults": {"download_timeout": "5s"}, "sources": sources}
    path.write_text(yaml.safe_dump(data, allow_unicode=True, sort_keys=False), encoding="utf-8")
    runs = run_crawl(
        site.url,
        [s["name"] for s in sources],
        es_url=es_url,
        prefix=module_store.prefix,
        spool=tmp_path / "spool",
        sources_file=path,
    )
    module_store.refresh("posts")
    names = {s["name"] for s in sources}
    posts = [p for p in module_store.scan("posts") if p["source"] in names]
    assert "Traceback" not in run_crawl.last_log
    return {r["source"]: r for r in runs}, posts


def status(number: int, text: str, **fields) -> dict:
    return {"id": number, "text": text, "created_at": STAMP, "likes": 1, "comments": 2, **fields}


# ---------------------------------------------------------------- JSON numbers that cannot be right


def test_impossible_counts_and_timestamps_in_json_are_counted_and_the_posts_kept(
    site, module_store, es_url, tmp_path
):
    statuses = [
        status(1, "好的第一条"),
        status(2, "点赞 NaN", likes=float("nan")),
        status(3, "点赞无穷大", likes=float("inf")),
        status(4, "评论为负", comments=-5),
        status(5, "点赞 1e30", likes=10**30),
        status(6, "点赞是对象", likes={"n": 5}),
        status(7, "点赞是数组", likes=[1, 2]),
        status(8, "点赞是布尔值", likes=True),
        status(9, "时间戳 1e30", created_at=10**30),
        status(10, "时间戳 NaN", created_at=float("nan")),
        status(11, "时间戳 1e20", created_at=1e20),
        status(12, "好的最后一条", likes="1.2万"),
    ]
    site.serve("/counts/timeline?page=1", {"data": {"statuses": statuses}})
    site.serve("/counts/list", {"resultData": {"data": [
        {"tid": 501, "subject": "好的留言", "dateline": STAMP, "likes": 3},
        {"tid": 502, "subject": "点赞无穷大的留言", "dateline": STAMP, "likes": float("inf")},
        {"tid": 503, "subject": "时间戳溢出的留言", "dateline": 10**30, "likes": 4},
    ]}})
    for tid in (501, 502, 503):
        site.serve(f"/counts/detail?tid={tid}", {"resultData": {"thread": {"content": f"留言正文 {tid}"}}})
    runs, posts = crawl(site, module_store, es_url, tmp_path, [
        {"name": "counts_social", "kind": "social", "media_level": "自媒体",
         "request": {"url": "{sandbox}/counts/timeline?page={page}", "items": "data.statuses"},
         "fields": {"id": "id", "content": "text", "published_at": "created_at", "likes": "likes",
                    "comments": "comments", "url": "{sandbox}/counts/status?id={id}"}},
        {"name": "counts_board", "kind": "board_api", "media_level": "市级",
         "list_request": {"method": "POST", "url": "{sandbox}/counts/list", "items": "resultData.data"},
         "detail_request": {"url": "{sandbox}/counts/detail?tid={tid}"},
         "fields": {"post_id": "tid", "title": "subject", "content": "thread.content",
                    "published_at": "dateline", "likes": "likes"}},
    ])
    by_text = {p.get("content"): p for p in posts if p["source"] == "counts_social"}
    assert set(by_text) == {s["text"] for s in statuses}  # every status stored, none lost with its page
    for post in posts:
        for name, count in (post.get("engagement") or {}).items():
            assert isinstance(count, int) and 0 <= count < 2**31, (post["content"], name, count)
    assert by_text["好的第一条"]["engagement"] == {"likes": 1, "comments": 2}
    assert by_text["好的最后一条"]["engagement"] == {"likes": 12000, "comments": 2}
    assert by_text["评论为负"]["engagement"] == {"likes": 1}
    assert by_text["点赞 NaN"]["engagement"] == {"comments": 2}
    assert by_text["时间戳 1e30"].get("published_at") is None
    social = runs["counts_social"]
    assert social["errors_by_kind"] == {"count_rejected": 7, "date_rejected": 3}
    assert social["items"] == len(statuses)

    board = {p["title"]: p for p in posts if p["source"] == "counts_board"}
    assert set(board) == {"好的留言", "点赞无穷大的留言", "时间戳溢出的留言"}
    assert board["好的留言"]["engagement"] == {"likes": 3}
    assert "engagement" not in board["点赞无穷大的留言"]
    assert board["时间戳溢出的留言"].get("published_at") is None
    errors = runs["counts_board"]["errors_by_kind"]
    assert errors.get("count_rejected") == 1 and errors.get("date_rejected") == 1
    assert "parse_error" not in errors and "index_rejected" not in errors
    assert "计数不是有限的数" in run_crawl.last_log and "时间戳超出范围" in run_crawl.last_log


# ---------------------------------------------------------------- links and redirects that lead elsewhere


def article(title: str) -> bytes:
    return (
        f'<html><body><h1 class="t">{title}</h1><span class="d">2025-11-20 10:00</span>'
        f'<div class="c"><p>{title}的正文。</p></div></body></html>'
    ).encode("utf-8")


ARTICLE = {"title": "h1.t::text", "date": "span.d::text", "date_format": "%Y-%m-%d %H:%M", "body": "div.c p::text"}


def listing_source(name: str, start: str, **listing) -> dict:
    """A news source whose listing at ``start`` links articles as <ul class="l"><li><a>, read with ARTICLE."""
    return {"name": name, "kind": "news", "media_level": "市级", "start_urls": [start],
            "list": {"links": "ul.l li a::attr(href)", **listing}, "article": ARTICLE}


# What hostile pages link to: a scheme no crawler should fetch, another host, an absurd address.
ELSEWHERE = [
    "javascript:void(0)",
    "mailto:someone@example.com",
    "data:text/html,<h1 class=t>DATA-LINK</h1>",
    "file:///etc/os-release",
    "http://[::1",
    "/links/a/" + "x" * 3000 + ".html",
]


def test_links_and_redirects_off_the_source_are_counted_never_fetched(site, module_store, es_url, tmp_path):
    other = site.other
    offsite = [f"{other}/links/offsite.html", f"//127.0.0.2:{other.rsplit(':', 1)[1]}/links/protocol-relative.html"]
    links = [*ELSEWHERE, *offsite, "/links/a/redirect-away.html", "/links/a/redirect-file.html", "/links/a/1.html"]
    items = "".join(f'<li><a href="{link}">x</a></li>' for link in links)
    site.serve("/links/list/1.html", f'<html><body><ul class="l">{items}</ul>'
               '<a class="next" href="/links/list/2.html">下一页</a></body></html>'.encode())
    site.serve("/links/list/2.html", b'<html><body><ul class="l"><li><a href="/links/a/2.html">x</a></li></ul>'
               b'<a class="next" href="file:///etc/os-release">next</a></body></html>')
    site.serve("/links/a/1.html", article("站内文章一"))
    site.serve("/links/a/2.html", article("站内文章二"))
    site.serve("/links/a/redirect-away.html", b"", 302, Location=f"{other}/links/moved.html")
    site.serve("/links/a/redirect-file.html", b"", 302, Location="file:///etc/os-release")
    site.serve("//127.0.0.2/links/offsite.html", article("别站文章"))
    site.serve("//127.0.0.2/links/moved.html", article("重定向到别站的文章"))
    entries = "".join(f"<item><title>条目</title><link>{link.replace('&', '&amp;').replace('<', '&lt;')}</link></item>"
                      for link in [*ELSEWHERE, offsite[0], "/links/a/3.html"])
    site.serve("/links/feed.xml", f'<?xml version="1.0"?><rss><channel>{entries}</channel></rss>'.encode(),
               content_type="application/rss+xml")
    site.serve("/links/a/3.html", article("站内文章三"))
    locs = "".join(f"<url><loc>{link.replace('&', '&amp;').replace('<', '&lt;')}</loc></url>"
                   for link in ["file:///etc/os-release", "javascript:x", offsite[0], f"{site.url}/links/a/4.html"])
    site.serve("/links/sitemap.xml", ('<?xml version="1.0"?><urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">'
                                      f"{locs}</urlset>").encode(), content_type="application/xml")
    site.serve("/links/a/4.html", article("站内文章四"))
    site.serve("/links/allowed.html", f'<html><body><ul class="l"><li><a href="{offsite[0]}">x</a></li></ul>'
               "</body></html>".encode())
    site.requests.clear()
    runs, posts = crawl(site, module_store, es_url, tmp_path, [
        listing_source("links_news", "{sandbox}/links/list/1.html", next="a.next::attr(href)"),
        {"name": "links_feed", "kind": "rss", "media_level": "市级", "start_urls": ["{sandbox}/links/feed.xml"],
         "article": ARTICLE},
        {"name": "links_sitemap", "kind": "sitemap", "media_level": "市级",
         "start_urls": ["{sandbox}/links/sitemap.xml"], "article": ARTICLE},
        {"name": "links_allowed", "kind": "news", "media_level": "市级", "allowed_hosts": ["127.0.0.2"],
         "start_urls": ["{sandbox}/links/allowed.html"], "list": {"links": "ul.l li a::attr(href)"},
         "article": ARTICLE},
    ])
    stored = {p["source"]: set() for p in posts}
    for post in posts:
        stored[post["source"]].add(post["title"])
        assert post["url"].startswith(("http://127.0.0.1:", "http://127.0.0.2:")), post["url"]
        assert "PRETTY_NAME" not in post.get("content", "") and "DATA-LINK" not in post["title"]
    assert stored == {"links_news": {"站内文章一", "站内文章二"}, "links_feed": {"站内文章三"},
                      "links_sitemap": {"站内文章四"}, "links_allowed": {"别站文章"}}
    fetched_elsewhere = [path for host, path in site.requests if host != "127.0.0.1"]
    assert fetched_elsewhere == ["/robots.txt", "/links/offsite.html"]  # links_allowed's only
    news = runs["links_news"]["errors_by_kind"]
    # the redirect to file: is not followed at all (Scrapy keeps the 302 for non-http targets)
    assert news == {"bad_link": len(ELSEWHERE) + 1, "offsite_link": 2, "offsite_redirect": 1, "http_302": 1}
    assert runs["links_feed"]["errors_by_kind"] == {"bad_link": len(ELSEWHERE), "offsite_link": 1}
    assert runs["links_sitemap"]["errors_by_kind"] == {"bad_link": 2, "offsite_link": 1}
    assert runs["links_allowed"]["errors"] == 0
    log = run_crawl.last_log
    assert "跳过链接 'javascript:void(0)'：不是 http(s) 地址（javascript）" in log
    assert "主机 127.0.0.2 不属于来源的网站（127.0.0.1；其他主机可写入 allowed_hosts）" in log
    assert "由 http://127.0.0.1:" in log and "/links/a/redirect-away.html 重定向而来" in log


# ---------------------------------------------------------------- JSON ids and page numbers


def test_json_ids_of_the_wrong_type_and_page_numbers_that_never_end_are_counted(
    site, module_store, es_url, tmp_path
):
    statuses = [
        status(1, "好的第一条"),
        status({"id": 2}, "编号是对象"),
        status([3], "编号是数组"),
        status(True, "编号是布尔值"),
        status(4.5, "编号是小数"),
        status("\ud800", "编号是孤立代理"),
        status("a b/../x?y=1#z", "编号带路径和空格"),
        status(5, "好的最后一条"),
    ]
    site.serve("/ids/timeline?page=1", {"data": {"statuses": statuses}})
    for page in range(-1, -40, -2):  # next_page 1 -> -1 -> -3 ...: a feed that counts backwards forever
        site.serve(f"/back/timeline?page={page + 2}", {"data": {"statuses": [status(100 - page, f"倒数第 {page} 页")],
                                                           "next_page": page}})
    for name, following in (("word", "two"), ("object", {"p": 2}), ("nan", float("nan"))):
        site.serve(f"/{name}/timeline?page=1", {"data": {"statuses": [status(200, f"页码是 {name}")],
                                                       "next_page": following}})
    site.serve("/ids/list", {"resultData": {"data": [
        {"tid": 601, "subject": "好的留言", "dateline": STAMP},
        {"tid": "\ud800", "subject": "编号是孤立代理的留言", "dateline": STAMP},
        {"tid": {"x": 1}, "subject": "编号是对象的留言", "dateline": STAMP},
        {"tid": "7 b/../x?y=1", "subject": "编号带路径的留言", "dateline": STAMP},
        {"tid": 602, "subject": "好的最后一条留言", "dateline": STAMP},
    ]}})
    for tid in ("601", "\ufffd", "7 b/../x?y=1", "602"):
        site.serve(f"/ids/detail?tid={tid}", {"resultData": {"thread": {"content": f"留言正文 {tid}"}}})

    def social(name: str, path: str) -> dict:
        return {"name": name, "kind": "social", "media_level": "自媒体",
                "request": {"url": "{sandbox}/" + path + "/timeline?page={page}", "items": "data.statuses",
                            "next_page": "data.next_page", "max_pages": 4},
                "fields": {"id": "id", "content": "text", "url": "{sandbox}/" + path + "/status?id={id}"}}

    runs, posts = crawl(site, module_store, es_url, tmp_path, [
        social("ids_social", "ids"), social("ids_back", "back"), social("ids_word", "word"),
        social("ids_object", "object"), social("ids_nan", "nan"),
        {"name": "ids_board", "kind": "board_api", "media_level": "市级",
         "list_request": {"method": "POST", "url": "{sandbox}/ids/list", "items": "resultData.data"},
         "detail_request": {"url": "{sandbox}/ids/detail?tid={tid}"},
         "fields": {"post_id": "tid", "title": "subject", "content": "thread.content", "published_at": "dateline"}},
    ])
    by_source: dict[str, set] = {}
    for post in posts:
        by_source.setdefault(post["source"], set()).add(post.get("title") or post["content"])
    assert by_source["ids_social"] == {"好的第一条", "编号是孤立代理", "编号带路径和空格", "好的最后一条"}
    assert runs["ids_social"]["errors_by_kind"] == {"bad_json": 4}
    assert {p["url"] for p in posts if p["source"] == "ids_social"} >= {
        f"{site.url}/ids/status?id=%EF%BF%BD", f"{site.url}/ids/status?id=a+b%2F..%2Fx%3Fy%3D1%23z"}
    assert runs["ids_back"]["pages"] == 1 and runs["ids_back"]["errors_by_kind"] == {"bad_json": 1}
    for name in ("word", "object", "nan"):
        assert by_source[f"ids_{name}"] == {f"页码是 {name}"}
        assert runs[f"ids_{name}"]["errors_by_kind"] == {"bad_json": 1}
    assert "data.next_page 应为正整数页码，实际是 'two'" in run_crawl.last_log
    assert by_source["ids_board"] == {"好的留言", "编号是孤立代理的留言", "编号带路径的留言", "好的最后一条留言"}
    assert runs["ids_board"]["errors_by_kind"] == {"bad_json": 1}
    assert "条目的 tid 应为字符串或整数，实际是 \"{'x': 1}\"" in run_crawl.last_log


# ---------------------------------------------------------------- sitemaps: gzipped, nested without end, not sitemaps


def urlset(*urls: str) -> bytes:
    locs = "".join(f"<url><loc>{url}</loc></url>" for url in urls)
    return f'<?xml version="1.0"?><urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">{locs}</urlset>'.encode()


def sitemap_index(*urls: str) -> bytes:
    locs = "".join(f"<sitemap><loc>{url}</loc></sitemap>" for url in urls)
    return (f'<?xml version="1.0"?><sitemapindex xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">'
            f"{locs}</sitemapindex>").encode()


def test_gzipped_sitemaps_are_read_and_nested_or_broken_ones_counted(site, module_store, es_url, tmp_path):
    import gzip

    base = site.url + "/maps"
    site.serve("/maps/index.xml", sitemap_index(*(f"{base}/{name}" for name in (
        "plain.xml", "packed.xml.gz", "bomb.xml.gz", "broken.xml.gz", "chain/1.xml", "page.html", "empty.xml",
    ))), content_type="application/xml")
    site.serve("/maps/plain.xml", urlset(f"{base}/a/1.html"), content_type="application/xml")
    site.serve("/maps/packed.xml.gz", gzip.compress(urlset(f"{base}/a/2.html", f"{base}/a/3.html")),
               content_type="application/x-gzip")
    bomb = urlset(*(f"{base}/a/bomb-{n}.html" for n in range(40_000)))  # ~1.7 MB unpacked, max_page_bytes 1MB
    site.serve("/maps/bomb.xml.gz", gzip.compress(bomb), content_type="application/x-gzip")
    site.serve("/maps/broken.xml.gz", b"\x1f\x8b\x08\x00" + b"\x00" * 6 + b"not deflate data",
               content_type="application/x-gzip")
    for depth in range(1, 30):  # each index names one more, deeper index
        site.serve(f"/maps/chain/{depth}.xml", sitemap_index(f"{base}/chain/{depth + 1}.xml"),
                   content_type="application/xml")
    site.serve("/maps/page.html", b"<html><body><h1>Welcome</h1></body></html>")
    site.serve("/maps/empty.xml", b"", content_type="application/xml")
    for number in (1, 2, 3):
        site.serve(f"/maps/a/{number}.html", article(f"地图文章{number}"))
    site.requests.clear()
    runs, posts = crawl(site, module_store, es_url, tmp_path, [
        {"name": "maps", "kind": "sitemap", "media_level": "市级", "max_page_bytes": "1MB",
         "start_urls": ["{sandbox}/maps/index.xml"], "article": ARTICLE},
    ])
    assert {p["title"] for p in posts} == {"地图文章1", "地图文章2", "地图文章3"}
    chain = [path for _host, path in site.requests if path.startswith("/maps/chain/")]
    assert chain == ["/maps/chain/1.xml", "/maps/chain/2.xml", "/maps/chain/3.xml"]  # 3 below the start
    assert runs["maps"]["errors_by_kind"] == {"too_large": 1, "bad_sitemap": 4}
    log = run_crawl.last_log
    assert "/maps/bomb.xml.gz: 解压后超过 1048576 字节（max_page_bytes），不解析" in log
    assert "/maps/broken.xml.gz: gzip 解压失败" in log
    assert "/maps/chain/3.xml: 站点地图索引嵌套超过 3 层，不再跟进" in log
    assert "/maps/page.html: 不是站点地图（根元素是 <html>，应为 <urlset> 或 <sitemapindex>）" in log
    assert "/maps/empty.xml: 不是站点地图（" in log


def test_an_empty_feed_is_counted_beside_the_good_one(site, module_store, es_url, tmp_path):
    site.serve("/feeds/empty.xml", b"", content_type="application/rss+xml")
    site.serve("/feeds/good.xml", f'<?xml version="1.0"?><rss><channel><item><link>{site.url}/feeds/a/1.html</link>'
               "</item></channel></rss>".encode(), content_type="application/rss+xml")
    site.serve("/feeds/a/1.html", article("订阅文章"))
    runs, posts = crawl(site, module_store, es_url, tmp_path, [
        {"name": "feeds", "kind": "rss", "media_level": "市级", "article": ARTICLE,
         "start_urls": ["{sandbox}/feeds/empty.xml", "{sandbox}/feeds/good.xml"]},
    ])
    assert [p["title"] for p in posts] == ["订阅文章"]
    assert runs["feeds"]["errors_by_kind"] == {"bad_feed": 1}
    assert "/feeds/empty.xml: 不是 RSS/Atom 订阅源（Document is empty" in run_crawl.last_log


def test_a_page_cut_off_inside_a_character_is_stored_as_the_utf8_it_is(site, module_store, es_url, tmp_path):
    page = article("被截断的文章").decode("utf-8").replace("</p></div></body></html>", "")
    body = (page + "市场监管局提醒消费者注意食品安全。检").encode("utf-8")[:-1]  # cut inside 检
    site.serve("/cut/a/1.html", body)
    site.serve("/cut/list.html", b'<html><body><ul class="l"><li><a href="/cut/a/1.html">x</a></li></ul></body></html>')
    runs, posts = crawl(site, module_store, es_url, tmp_path, [
        listing_source("cut", "{sandbox}/cut/list.html"),
    ])
    assert [p["title"] for p in posts] == ["被截断的文章"]
    assert posts[0]["content"].startswith("被截断的文章的正文。市场监管局提醒消费者注意食品安全。")
    assert runs["cut"]["errors_by_kind"] == {"truncated_html": 1}


def test_json_objects_and_booleans_in_text_fields_are_counted_not_stored_as_python_text(
    site, module_store, es_url, tmp_path
):
    statuses = [status(1, "好的文本"), status(2, {"t": "对象"}), status(3, True), status(4, "作者是对象", user={"a": 1})]
    site.serve("/texts/timeline?page=1", {"data": {"statuses": statuses}})
    site.serve("/texts/list", {"resultData": {"data": [
        {"tid": 701, "subject": {"obj": "标题"}, "content": "正文一", "state": {"a": 1}, "dateline": STAMP},
        {"tid": 702, "subject": "好的留言", "content": "正文二", "state": "已办理", "dateline": STAMP},
    ]}})
    for tid in (701, 702):
        site.serve(f"/texts/detail?tid={tid}", {"resultData": {"reply": {"text": "对象答复"}}})
    runs, posts = crawl(site, module_store, es_url, tmp_path, [
        {"name": "texts_social", "kind": "social", "media_level": "自媒体",
         "request": {"url": "{sandbox}/texts/timeline?page={page}", "items": "data.statuses"},
         "fields": {"id": "id", "content": "text", "author": "user.screen_name", "published_at": "created_at",
                    "url": "{sandbox}/texts/status?id={id}"}},
        {"name": "texts_board", "kind": "board_api", "media_level": "市级",
         "list_request": {"method": "POST", "url": "{sandbox}/texts/list", "items": "resultData.data"},
         "detail_request": {"url": "{sandbox}/texts/detail?tid={tid}"},
         "fields": {"post_id": "tid", "title": "subject", "content": "content", "status": "state",
                    "reply": "reply", "published_at": "dateline"}},
    ])
    for post in posts:
        texts = [post.get(k) for k in ("title", "content", "author")] + list((post.get("board") or {}).values())
        assert not any(isinstance(t, str) and ("{'" in t or t == "True") for t in texts), post
    assert sorted(p.get("content", "") for p in posts if p["source"] == "texts_social") == ["作者是对象", "好的文本"]
    assert runs["texts_social"]["errors_by_kind"] == {"bad_json": 2, "invalid_item": 2}  # user.screen_name: absent
    board = {p["board"]["post_id"]: p for p in posts if p["source"] == "texts_board"}
    assert set(board) == {"701", "702"} and "title" not in board["701"] and "status" not in board["701"]["board"]
    assert board["702"]["title"] == "好的留言" and "reply" not in board["702"]["board"]
    assert runs["texts_board"]["errors_by_kind"] == {"bad_json": 4}
    assert "文本字段的值是 JSON 对象 \"{'obj': '标题'}\"，已丢弃" in run_crawl.last_log


# ---------------------------------------------------------------- the same article linked again and again


def test_an_article_linked_from_several_listing_pages_is_fetched_once(site, module_store, es_url, tmp_path):
    """Listing pages that link one article twice each, and a second page that links it again: one
    download, one post (article requests used to bypass Scrapy's duplicate filter)."""
    site.serve("/dup/list/1.html", b'<html><body><ul><li><a href="/dup/a/1.html">x</a></li><li><a href="/dup/a/1.html">'
               b'x</a></li><li><a href="/dup/a/2.html">y</a></li></ul><a class="next" href="/dup/list/2.html">'
               b'next</a></body></html>')
    site.serve("/dup/list/2.html", b'<html><body><ul><li><a href="/dup/a/1.html">x</a></li></ul></body></html>')
    site.serve("/dup/a/1.html", article("重复链接的文章"))
    site.serve("/dup/a/2.html", article("只链接一次的文章"))
    before = len(site.requests)
    runs, posts = crawl(site, module_store, es_url, tmp_path, [
        {"name": "dup_news", "kind": "news", "media_level": "市级", "start_urls": ["{sandbox}/dup/list/1.html"],
         "list": {"links": "li a::attr(href)", "next": "a.next::attr(href)"}, "article": ARTICLE},
    ])
    fetched = [path for _host, path in site.requests[before:] if path.startswith("/dup/a/")]
    assert sorted(fetched) == ["/dup/a/1.html", "/dup/a/2.html"]
    assert sorted(p["title"] for p in posts) == ["只链接一次的文章", "重复链接的文章"]
    assert runs["dup_news"]["status"] == "ok"


# ---------------------------------------------------------------- attachments and binary bodies

PDF = b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n1 0 obj <</Type /Catalog>> endobj\n" + bytes(range(256)) * 8
JPEG = b"\xff\xd8\xff\xe0\x00\x10JFIF\x00" + bytes(range(256)) * 8


def test_links_to_attachments_and_binary_bodies_are_not_stored_as_posts(site, module_store, es_url, tmp_path):
    """A notice's PDF linked from a listing is not fetched; a PDF or image behind an address that does not
    say so is fetched once and not stored as garbage; a feed entry that links a PDF keeps its own title."""
    links = ["/att/files/P020251120.pdf", "/att/files/table.XLSX?v=2", "/att/download?id=7", "/att/show?id=8",
             "/att/a/1.html", "/att/a/wide.html", "/att/files/b.pdf;jsessionid=0A1B"]
    items = "".join(f'<li><a href="{link}">x</a></li>' for link in links)
    site.serve("/att/list.html", f'<html><body><ul class="l">{items}</ul></body></html>'.encode())
    site.serve("/att/files/P020251120.pdf", PDF, content_type="application/pdf")
    site.serve("/att/download?id=7", PDF, content_type="application/octet-stream")
    site.serve("/att/show?id=8", JPEG, content_type="text/html")  # wrongly declared: the bytes tell
    site.serve("/att/a/wide.html", "<html><body><h1 class='t'>宽字符页</h1><span class='d'>2025-11-20 10:00</span>"
               "<div class='c'><p>宽字符页的正文。</p></div></body></html>".encode("utf-16-le"),
               content_type="text/html; charset=utf-16le")  # NUL bytes everywhere, but declared wide text
    site.serve("/att/a/1.html", article("站内通知"))
    site.serve("/att/feed.xml", ('<?xml version="1.0"?><rss><channel><item><title>关于开展食品安全抽检的通告</title>'
                                 "<pubDate>Thu, 20 Nov 2025 10:00:00 +0800</pubDate>"
                                 f"<link>{site.url}/att/files/notice.pdf</link></item></channel></rss>").encode(),
               content_type="application/rss+xml")
    site.serve("/att/files/notice.pdf", PDF, content_type="application/pdf")
    site.requests.clear()
    runs, posts = crawl(site, module_store, es_url, tmp_path, [
        listing_source("att_news", "{sandbox}/att/list.html"),
        {"name": "att_feed", "kind": "rss", "media_level": "市级", "start_urls": ["{sandbox}/att/feed.xml"]},
    ])
    requested = {path for _host, path in site.requests}
    assert "/att/files/P020251120.pdf" not in requested and not any("XLSX" in p or "jsessionid" in p for p in requested)
    assert {"/att/download?id=7", "/att/show?id=8"} <= requested
    assert "/att/files/notice.pdf" not in requested  # the feed entry's own title and date are the post
    by_source = {p["source"]: p for p in posts}
    assert sorted(p["title"] for p in posts if p["source"] == "att_news") == ["宽字符页", "站内通知"]
    assert len([p for p in posts if p["source"] == "att_feed"]) == 1
    notice = by_source["att_feed"]
    assert notice["title"] == "关于开展食品安全抽检的通告" and not notice.get("content")
    assert notice["published_at"].startswith("2025-11-20T10:00:00")
    assert len(site.agents) == 1 and next(iter(site.agents)).startswith(b"yuqing-monitor/")
    assert next(iter(site.agents)).isascii()  # some servers and firewalls refuse other header bytes
    assert runs["att_news"]["errors_by_kind"] == {"not_a_page": 5} and runs["att_news"]["status"] == "ok"
    assert runs["att_news"]["errors"] == 0  # counted and shown, not faults
    assert runs["att_feed"]["errors_by_kind"] == {"not_a_page": 1}
    log = run_crawl.last_log
    assert "P020251120.pdf: 链接指向附件（pdf），不是网页，未抓取" in log
    assert "/att/download?id=7: 链接指向PDF 文档，不是网页，未保存" in log
    assert "/att/show?id=8: 链接指向图片，不是网页，未保存" in log
    assert "notice.pdf: 链接指向附件（pdf），未下载，保留订阅源给出的标题和日期" in log


# ---------------------------------------------------------------- listings numbered by JavaScript


def test_a_listing_whose_page_links_are_written_by_javascript_is_paged_by_its_numbered_addresses(
    site, module_store, es_url, tmp_path
):
    """TRS-style government listings: index.html, index_1.html, index_2.html …, the pager drawn by
    createPageHTML(); past the last page the site answers 404, which ends the listing quietly."""
    def listing(numbers, total):
        items = "".join(f'<li><a href="./t2025112{n}_{n}.html">通知{n}</a></li>' for n in numbers)
        return (f'<html><body><ul class="l">{items}</ul><script>createPageHTML({total}, 0, "index", "html");'
                "</script></body></html>").encode()

    site.serve("/trs/zwgk/", listing([1, 2], 3))  # the directory's index.html
    site.serve("/trs/zwgk/index_1.html", listing([3, 4], 3))
    site.serve("/trs/zwgk/index_2.html", listing([5], 3))
    for n in range(1, 6):
        site.serve(f"/trs/zwgk/t2025112{n}_{n}.html", article(f"第{n}号通知"))
    site.serve("/num/list-1.html", listing([6], 1).replace(b"./t2025112", b"/trs/zwgk/t2025112"))
    site.serve("/trs/zwgk/t20251126_6.html", article("第6号通知"))
    site.requests.clear()
    runs, posts = crawl(site, module_store, es_url, tmp_path, [
        listing_source("trs_news", "{sandbox}/trs/zwgk/", page_url="index_{page_index}.html", max_pages=10),
        listing_source("num_news", "{sandbox}/num/list-1.html", page_url="{sandbox}/num/list-{page}.html"),
    ])
    assert sorted(p["title"] for p in posts if p["source"] == "trs_news") == [f"第{n}号通知" for n in range(1, 6)]
    assert [p["title"] for p in posts if p["source"] == "num_news"] == ["第6号通知"]
    listings = [path for _host, path in site.requests if "index" in path or "list-" in path]
    assert sorted(listings) == ["/num/list-1.html", "/num/list-2.html", "/trs/zwgk/index_1.html",
                                "/trs/zwgk/index_2.html", "/trs/zwgk/index_3.html"]
    assert runs["trs_news"]["errors"] == 0 and runs["trs_news"]["status"] == "ok"
    assert runs["num_news"]["errors"] == 0
    assert "trs_news：列表在第 3 页结束" in run_crawl.last_log


def test_numbered_listing_pages_follow_redirects_and_end_where_the_site_runs_out(site, module_store, es_url, tmp_path):
    """Numbered from page one's address after its redirect (/gov/list -> /gov/list/); a site that answers
    every number with page one, or redirects past the end to a "no such page" page, ends the listing
    quietly; a javascript: 下一页 falls back to the numbered address."""
    def listing(numbers, pager=""):
        items = "".join(f'<li><a href="/pg/a/{n}.html">x</a></li>' for n in numbers)
        return f'<html><body><ul class="l">{items}</ul>{pager}</body></html>'.encode()

    for n in range(1, 10):
        site.serve(f"/pg/a/{n}.html", article(f"翻页文章{n}"))
    site.serve("/pg/gov/list", b"", 301, Location="/pg/gov/list/")
    site.serve("/pg/gov/list/", listing([1]))
    site.serve("/pg/gov/list/index_1.html", listing([2]))
    site.serve("/pg/gov/list/index_2.html", b"", 302, Location="/pg/nosuchpage.html")
    site.serve("/pg/nosuchpage.html", "<html><body><p>页面不存在</p></body></html>".encode())
    site.serve("/pg/same?page=1", listing([3, 4]))
    for n in range(2, 6):
        site.serve(f"/pg/same?page={n}", listing([3, 4]))  # every number answers with page one
    site.serve("/pg/js/index.html", listing([5], '<a class="next" href="javascript:void(0)">下一页</a>'))
    site.serve("/pg/js/index_1.html", listing([6], '<a class="next" href="javascript:void(0)">下一页</a>'))
    site.requests.clear()
    runs, posts = crawl(site, module_store, es_url, tmp_path, [
        listing_source("pg_moved", "{sandbox}/pg/gov/list", page_url="index_{page_index}.html", max_pages=9),
        listing_source("pg_same", "{sandbox}/pg/same?page=1", page_url="?page={page}", max_pages=5),
        listing_source("pg_js", "{sandbox}/pg/js/index.html", next="a.next::attr(href)",
                       page_url="index_{page_index}.html", max_pages=3),
    ])
    titles = {s: sorted(p["title"] for p in posts if p["source"] == s) for s in ("pg_moved", "pg_same", "pg_js")}
    assert titles == {"pg_moved": ["翻页文章1", "翻页文章2"], "pg_same": ["翻页文章3", "翻页文章4"],
                      "pg_js": ["翻页文章5", "翻页文章6"]}
    requested = [path for _host, path in site.requests]
    assert "/pg/gov/list/index_1.html" in requested and "/pg/gov/index_1.html" not in requested
    assert "/pg/gov/list/index_3.html" not in requested  # ended at the redirect past the last page
    assert "/pg/same?page=3" not in requested  # page 2 repeated page 1: ended there
    assert "/pg/js/index_1.html" in requested
    assert {s: runs[s]["errors"] for s in titles} == {"pg_moved": 0, "pg_same": 0, "pg_js": 0}
    assert {s: runs[s]["status"] for s in titles} == {"pg_moved": "ok", "pg_same": "ok", "pg_js": "ok"}
    log = run_crawl.last_log
    assert "pg_same：列表在第 1 页结束（第 2 页没有新链接）" in log
    assert "pg_moved：列表在第 2 页结束" in log


def test_a_trial_set_by_hand_on_a_real_crawl_stores_and_spools_nothing(site, module_store, es_url, tmp_path):
    site.serve("/trial/list.html", b'<html><body><ul class="l"><li><a href="/trial/a/1.html">x</a></li>'
               b'<li><a href="/trial/a/2.html">x</a></li></ul></body></html>')
    site.serve("/trial/a/1.html", article("试抓一"))
    site.serve("/trial/a/2.html", article("试抓二"))
    path = tmp_path / "sources.yaml"
    path.write_text(yaml.safe_dump({"sources": [
        listing_source("trial_news", "{sandbox}/trial/list.html")]}, allow_unicode=True), encoding="utf-8")
    runs = run_crawl(site.url, ["trial_news"], es_url=es_url, prefix=module_store.prefix, spool=tmp_path / "spool",
                     sources_file=path, settings=["YUQING_TRIAL=1"])
    assert runs[0]["items"] == 1
    module_store.refresh("posts")
    assert not [p for p in module_store.scan("posts") if p["source"] == "trial_news"]
    assert not list(tmp_path.rglob("*.jsonl"))


# ---------------------------------------------------------------- articles split over several pages


def test_an_article_split_over_pages_is_stored_whole_and_a_missing_page_keeps_the_rest(
    site, module_store, es_url, tmp_path
):
    def part(title: str, text: str, following: str | None) -> bytes:
        pager = f'<div class="pager"><a class="nextpage" href="{following}">下一页</a></div>' if following else ""
        return (f'<html><body><h1 class="t">{title}</h1><span class="d">2025-11-20 10:00</span>'
                f'<div class="c"><p>{text}</p></div>{pager}</body></html>').encode()

    site.serve("/multi/a/1.html", part("长文", "第一页正文。", "/multi/a/1_2.html"))
    site.serve("/multi/a/1_2.html", part("长文", "第二页正文。", "1_3.html"))
    site.serve("/multi/a/1_3.html", part("长文", "第三页正文。", "/multi/a/1.html"))  # "下一页" leads back
    site.serve("/multi/a/2.html", part("缺页的长文", "只有第一页。", "/multi/a/2_2.html"))  # 2_2: 404
    site.serve("/multi/a/3.html", part("太长的文章", "第1页。", "/multi/a/3_2.html"))
    for n in range(2, 6):
        site.serve(f"/multi/a/3_{n}.html", part("太长的文章", f"第{n}页。", f"/multi/a/3_{n + 1}.html"))
    site.serve("/multi/a/4.html", part("后一页是PDF", "PDF前正文。", "/multi/a/4_2.html"))
    site.serve("/multi/a/4_2.html", PDF, content_type="application/pdf")
    site.serve("/multi/a/5.html", part("后一页是附件", "附件前正文。", "/multi/a/files/P0202403.pdf"))
    site.serve("/multi/a/6.html", part("跳回首页", "跳回前正文。", "/multi/a/6_2.html"))
    site.serve("/multi/a/6_2.html", b"", 302, Location="/multi/a/6.html")
    site.serve("/multi/list.html", ('<html><body><ul class="l">' + "".join(
        f'<li><a href="/multi/a/{n}.html">x</a></li>' for n in range(1, 7)) + "</ul></body></html>").encode())
    sources = [
        {**listing_source("multi", "{sandbox}/multi/list.html"),
         "article": {**ARTICLE, "next": "a.nextpage::attr(href)", "max_pages": 3}},
        {"name": "multi_default", "kind": "rss", "media_level": "市级", "start_urls": ["{sandbox}/multi/feed.xml"],
         "article": {**ARTICLE, "next": "a.nextpage::attr(href)"}},  # max_pages left out: 10
    ]
    site.serve("/multi/feed.xml", f'<?xml version="1.0"?><rss><channel><item><link>{site.url}/multi/a/7.html</link>'
               "</item></channel></rss>".encode(), content_type="application/rss+xml")
    site.serve("/multi/a/7.html", part("订阅源里的长文", "上篇。", "7_2.html"))
    site.serve("/multi/a/7_2.html", part("订阅源里的长文", "下篇。", None))
    site.requests.clear()
    runs, posts = crawl(site, module_store, es_url, tmp_path, sources)
    by_title = {p["title"]: p for p in posts if p["source"] == "multi"}
    assert by_title["长文"]["content"] == "第一页正文。\n第二页正文。\n第三页正文。"
    assert by_title["长文"]["url"].endswith("/multi/a/1.html")
    assert by_title["缺页的长文"]["content"] == "只有第一页。" and by_title["缺页的长文"]["tags"] == ["正文不全"]
    assert by_title["太长的文章"]["content"] == "第1页。\n第2页。\n第3页。"  # max_pages
    assert by_title["后一页是PDF"]["content"] == "PDF前正文。"
    assert by_title["后一页是附件"]["content"] == "附件前正文。"
    assert by_title["跳回首页"]["content"] == "跳回前正文。"
    assert runs["multi"]["errors_by_kind"] == {"http_404": 1, "article_incomplete": 1, "not_a_page": 2}
    requested = [path for _host, path in site.requests]
    assert requested.count("/multi/a/1.html") == 1 and "/multi/a/3_4.html" not in requested
    assert "/multi/a/files/P0202403.pdf" not in requested
    assert "/multi/a/2.html: 分页文章的第 2 页没有取到，保存前面各页的正文" in run_crawl.last_log
    # article.next without max_pages (None once crashed every page that had a next link)
    assert [(p["title"], p["content"]) for p in posts if p["source"] == "multi_default"] == [("订阅源里的长文", "上篇。\n下篇。")]
    assert runs["multi_default"]["errors"] == 0
    # the next crawl fetches the incomplete article again, and completes it once its page is there
    site.serve("/multi/a/2_2.html", part("缺页的长文", "补上的第二页。", None))
    site.requests.clear()
    runs, posts = crawl(site, module_store, es_url, tmp_path, sources)
    again = [path for _host, path in site.requests if path.startswith("/multi/a/")]
    assert sorted(again) == ["/multi/a/2.html", "/multi/a/2_2.html"]
    complete = next(p for p in posts if p["title"] == "缺页的长文")
    assert complete["content"] == "只有第一页。\n补上的第二页。" and not complete.get("tags")


def test_an_article_a_listing_and_a_feed_both_link_is_fetched_once_in_one_run(site, module_store, es_url, tmp_path):
    site.serve("/both/list.html", b'<html><body><ul class="l"><li><a href="/both/a/1.html">x</a></li></ul></body></html>')
    site.serve("/both/feed.xml", f'<?xml version="1.0"?><rss><channel><item><title>同一篇</title>'
               f"<link>{site.url}/both/a/1.html</link></item></channel></rss>".encode(), content_type="application/rss+xml")
    site.serve("/both/a/1.html", article("两处都链接的文章"))
    site.requests.clear()
    runs, posts = crawl(site, module_store, es_url, tmp_path, [
        listing_source("both_news", "{sandbox}/both/list.html"),
        {"name": "both_feed", "kind": "rss", "media_level": "市级", "start_urls": ["{sandbox}/both/feed.xml"],
         "article": ARTICLE},
    ])
    assert [path for _host, path in site.requests].count("/both/a/1.html") == 1
    assert len(posts) == 1 and posts[0]["source"] in ("both_news", "both_feed")
    assert runs["both_news"]["skipped"] + runs["both_feed"]["skipped"] == 1
