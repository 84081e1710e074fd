"""The sandbox web over real HTTP on loopback: listings, encodings, feeds, boards, faults, controls."""

from __future__ import annotations

import http.client
import json
import re
import socket
import threading
import time
import urllib.robotparser
import xml.etree.ElementTree as ET
from datetime import timedelta
from email.utils import parsedate_to_datetime

import pytest

from yuqing.sandbox import DEFAULT_EPOCH, SandboxClock, SandboxServer
from yuqing.sandbox.server import HUGE_BYTES

from .conftest import fetch, fetch_json

LATER = DEFAULT_EPOCH + timedelta(days=3)


def manifest(sandbox, site=None) -> dict:
    suffix = f"?site={site}" if site else ""
    return fetch_json(sandbox.url + "/__sandbox/manifest" + suffix)[1]


def set_clock(sandbox, when) -> None:
    status, state = fetch_json(sandbox.url + "/__sandbox/clock", {"now": when.isoformat()})
    assert status == 200 and state["now"] == when.isoformat()


def links(html: str, pattern: str) -> list[str]:
    return re.findall(pattern, html)


def test_binds_loopback_only(sandbox):
    assert sandbox.url.startswith("http://127.0.0.1:")
    assert sandbox._httpd.server_address[0] == "127.0.0.1"


def test_news_listing_paginates_over_everything_published(sandbox):
    set_clock(sandbox, LATER)
    expected = {item["url"].removeprefix(sandbox.url) for item in manifest(sandbox, "news")["items"]}
    seen: list[str] = []
    url, pages = "/news/list/1.html", 0
    while url:
        status, _h, body = fetch(sandbox.url + url)
        assert status == 200
        html = body.decode("utf-8")
        listing = html.split('<ul class="news-list">', 1)[1].split("</ul>", 1)[0]
        seen += links(listing, r'href="(/news/system/[^"]+)"')
        nxt = re.search(r'<a class="next" href="([^"]+)"', html)
        url, pages = (nxt[1] if nxt else None), pages + 1
    assert pages >= 2
    assert len(seen) == len(set(seen)) and set(seen) == expected


def test_page_beyond_the_last_is_404(sandbox):
    assert fetch(sandbox.url + "/news/list/999.html")[0] == 404
    assert fetch(sandbox.url + "/board/list?page=0")[0] == 404


def test_items_appear_only_when_their_time_comes(sandbox, world):
    post = next(p for p in world.posts if p.site == "news" and p.published_at > DEFAULT_EPOCH)
    set_clock(sandbox, post.published_at - timedelta(minutes=1))
    assert fetch(sandbox.url + post.path)[0] == 404
    assert post.path not in fetch(sandbox.url + "/news/list/1.html")[2].decode()
    set_clock(sandbox, post.published_at)
    status, _h, body = fetch(sandbox.url + post.path)
    assert status == 200 and post.title in body.decode("utf-8")
    assert f"发布时间：{post.published_at:%Y-%m-%d %H:%M}" in body.decode("utf-8")


@pytest.mark.parametrize("encoding,header_charset,meta", [
    ("gbk", "gb2312", "charset=gb2312"), ("gbk-undeclared", None, None), ("gbk-mislabelled", "utf-8", 'charset="utf-8"'),
])
def test_portal_pages_are_gbk_bytes(sandbox, world, encoding, header_charset, meta):
    set_clock(sandbox, DEFAULT_EPOCH + timedelta(days=8))
    post = next(p for p in world.posts if p.site == "portal" and p.encoding == encoding)
    status, headers, body = fetch(sandbox.url + post.path)
    assert status == 200
    assert headers.get_content_charset() == header_charset
    with pytest.raises(UnicodeDecodeError):
        body.decode("utf-8")
    text = body.decode("gbk")
    assert post.title in text
    assert (meta in text) if meta else ("charset" not in text)


def test_central_article_uses_chinese_date_form(sandbox, world):
    set_clock(sandbox, LATER)
    post = next(p for p in world.published(LATER, "central"))
    html = fetch(sandbox.url + post.path)[2].decode("utf-8")
    assert f"{post.published_at:%Y年%m月%d日 %H:%M}" in html


def test_rss_feed_parses_and_matches_articles(sandbox, world):
    set_clock(sandbox, LATER)
    status, headers, body = fetch(sandbox.url + "/news/rss.xml")
    assert status == 200
    items = ET.fromstring(body).findall("./channel/item")
    published = {sandbox.url + p.path: p for p in world.published(LATER, "news")}
    assert items
    for item in items:
        post = published[item.findtext("link")]
        assert item.findtext("title") == post.title
        assert parsedate_to_datetime(item.findtext("pubDate")) == post.published_at


def test_atom_feed_parses(sandbox, world):
    set_clock(sandbox, LATER)
    root = ET.fromstring(fetch(sandbox.url + "/central/atom.xml")[2])
    ns = {"a": "http://www.w3.org/2005/Atom"}
    entries = root.findall("a:entry", ns)
    assert len(entries) == len(world.published(LATER, "central"))
    first = entries[0]
    assert first.find("a:link", ns).get("href").startswith(sandbox.url + "/central/n1/")
    assert first.findtext("a:published", namespaces=ns).endswith("+08:00")


def test_sitemaps_list_every_published_article(sandbox):
    set_clock(sandbox, LATER)
    ns = {"s": "http://www.sitemaps.org/schemas/sitemap/0.9"}
    index = ET.fromstring(fetch(sandbox.url + "/sitemap.xml")[2])
    locs = [e.text for e in index.findall("s:sitemap/s:loc", ns)]
    assert len(locs) == 4
    found = set()
    for loc in locs:
        found |= {e.text for e in ET.fromstring(fetch(loc)[2]).findall("s:url/s:loc", ns)}
    expected = {i["url"] for i in manifest(sandbox)["items"] if i["site"] in ("news", "central", "industry", "portal")}
    assert found == expected


def test_board_status_changes_when_the_clock_advances(sandbox, world):
    post = next(p for p in world.posts if p.site == "board_html" and p.board.replied_at
                and p.board.accepted_at < p.board.replied_at and p.published_at > DEFAULT_EPOCH)
    board = post.board
    set_clock(sandbox, post.published_at)
    first = fetch(sandbox.url + post.path)[2].decode()
    assert '<dd class="status">未回复</dd>' in first and "reply-content" not in first
    set_clock(sandbox, board.accepted_at)
    assert '<dd class="status">办理中</dd>' in fetch(sandbox.url + post.path)[2].decode()
    set_clock(sandbox, board.replied_at)
    done = fetch(sandbox.url + post.path)[2].decode()
    assert '<dd class="status">已办理</dd>' in done
    assert f"答复单位：{board.reply_unit}" in done
    assert f"回复时间：{board.replied_at:%Y-%m-%d %H:%M}" in done
    assert f"<span>{board.satisfaction}</span>" in done


def test_board_listing_filters_by_status(sandbox):
    set_clock(sandbox, LATER)
    html = fetch(sandbox.url + "/board/list?status=办理中".replace("办理中", "%E5%8A%9E%E7%90%86%E4%B8%AD"))[2].decode()
    statuses = re.findall(r'<td class="msg-status">(.*?)</td>', html)
    assert statuses and set(statuses) == {"办理中"}


def test_board_api_pages_with_lastitem_and_changes_status(sandbox, world):
    set_clock(sandbox, LATER)
    url = sandbox.url + "/lyb/v1/threads/list/df"
    seen, last = [], ""
    while True:
        param = {"fid": "", "showUnAnswer": 1, "typeId": 0, "lastItem": last, "position": "0", "rows": 7,
                 "orderType": 2}
        status, data = fetch_json(url, {"appCode": "PC42ce3bfa4980a9", "param": json.dumps(param),
                                        "signature": "x", "token": ""})
        assert status == 200 and data["result"] == "success"
        rows = data["resultData"]["data"]
        seen += rows
        if len(rows) < 7:
            break
        last = rows[-1]["tid"]
    assert len(seen) == len(world.published(LATER, "board_api"))
    assert [r["tid"] for r in seen] == sorted((r["tid"] for r in seen), reverse=True)
    row = seen[0]
    assert {"tid", "subject", "nickName", "dateline", "stateInfo", "typeName", "domainName", "forumName",
            "areaName"} <= set(row)
    # the same thread before and after its reply
    post = next(p for p in world.published(LATER, "board_api") if p.board.replied_at
                and p.board.replied_at > LATER)
    _s, before = fetch_json(sandbox.url + f"/lyb/threads/content?tid={post.board.post_id}")
    assert before["resultData"]["replyList"] == []
    set_clock(sandbox, post.board.replied_at)
    _s, after = fetch_json(sandbox.url + "/lyb/v1/threads/content", {"param": {"tid": post.board.post_id}})
    assert after["resultData"]["thread"]["stateInfo"] == "已办理"
    assert after["resultData"]["replyList"][0]["organization"] == post.board.reply_unit


def test_board_api_filters_and_rejects_bad_json(sandbox):
    set_clock(sandbox, LATER)
    status, data = fetch_json(sandbox.url + "/lyb/v1/threads/list/df", {"param": {"typeId": 2, "rows": 50}})
    assert status == 200 and {r["typeName"] for r in data["resultData"]["data"]} == {"投诉"}
    status, _h, body = fetch(sandbox.url + "/lyb/v1/threads/list/df", b"{not json",
                             headers={"Content-Type": "application/json"})
    assert status == 400 and "JSON" in json.loads(body)["resultMsg"]


def test_social_feed_engagement_grows(sandbox, world):
    post = world.by_id("fp05")
    set_clock(sandbox, post.published_at + timedelta(minutes=3))
    status, data = fetch_json(sandbox.url + post.path)
    assert status == 200 and data["data"]["created_at"] == "3分钟前"
    early = data["data"]["attitudes_count"]
    set_clock(sandbox, post.published_at + timedelta(hours=5))
    later = fetch_json(sandbox.url + post.path)[1]["data"]
    assert later["attitudes_count"] > early and later["reposts_count"] > 10


def test_social_timeline_pages(sandbox, world):
    set_clock(sandbox, LATER)
    ids, page = [], 1
    while page:
        data = fetch_json(sandbox.url + f"/social/api/timeline?page={page}&count=50")[1]["data"]
        ids += [s["id"] for s in data["statuses"]]
        page = data["next_page"]
    assert len(ids) == len(set(ids)) == len(world.published(LATER, "social"))


def test_food_poisoning_volume_grows_in_the_manifest(sandbox, world):
    start = world.scenarios["food_poisoning"].start
    counts = []
    for hours in (1, 2, 4, 8):
        set_clock(sandbox, start + timedelta(hours=hours))
        counts.append(sum(i["scenario"] == "food_poisoning" for i in manifest(sandbox)["items"]))
    assert counts == sorted(counts) and counts[0] < counts[-1] / 4


def test_clock_control_endpoint(sandbox):
    status, state = fetch_json(sandbox.url + "/__sandbox/clock")
    assert status == 200 and state["now"] == DEFAULT_EPOCH.isoformat() and state["speed"] == 0
    status, state = fetch_json(sandbox.url + "/__sandbox/clock", {"advance": "2h"})
    assert state["now"] == (DEFAULT_EPOCH + timedelta(hours=2)).isoformat()
    assert sandbox.clock.now() == DEFAULT_EPOCH + timedelta(hours=2)
    status, state = fetch_json(sandbox.url + "/__sandbox/clock", {"now": "yesterday"})
    assert status == 400 and "ISO" in state["error"]
    assert sandbox.clock.now() == DEFAULT_EPOCH + timedelta(hours=2)


def test_robots_txt_disallows_preview_pages_linked_from_the_listing(sandbox):
    status, _h, body = fetch(sandbox.url + "/robots.txt")
    text = body.decode()
    assert status == 200 and "Disallow: /news/preview/" in text and "Sitemap:" in text
    parser = urllib.robotparser.RobotFileParser()
    parser.parse(text.splitlines())
    listing = fetch(sandbox.url + "/news/list/1.html")[2].decode()
    previews = links(listing, r'href="(/news/preview/\d+\.html)"')
    assert previews
    assert not parser.can_fetch("yuqing", sandbox.url + previews[0])
    assert parser.can_fetch("yuqing", sandbox.url + "/news/list/1.html")
    fetch_json(sandbox.url + "/__sandbox/stats", {})  # reset
    assert fetch(sandbox.url + previews[0])[0] == 200  # an impolite fetch works, and is recorded
    stats = fetch_json(sandbox.url + "/__sandbox/stats")[1]
    assert [hit["path"] for hit in stats["disallowed"]] == [previews[0]]


def test_fault_500(sandbox):
    assert fetch(sandbox.url + "/news/a/error.html")[0] == 500


def test_fault_flaky_recovers_on_the_third_try(sandbox):
    codes = [fetch(sandbox.url + "/news/a/flaky.html")[0] for _ in range(3)]
    assert codes == [503, 503, 200]


def test_fault_timeout_then_the_handler_finishes_by_itself(sandbox):
    started = time.monotonic()
    with pytest.raises((socket.timeout, TimeoutError, urllib_error_type())):
        fetch(sandbox.url + "/news/a/slow.html", timeout=0.3)
    assert time.monotonic() - started < 0.9
    started = time.monotonic()
    status, _h, body = fetch(sandbox.url + "/news/a/slow.html", timeout=5)
    elapsed = time.monotonic() - started
    assert status == 200 and 0.9 <= elapsed < 3


def urllib_error_type():
    import urllib.error
    return urllib.error.URLError


def test_stop_does_not_wait_for_a_sleeping_handler(world):
    server = SandboxServer(world=world, clock=SandboxClock.manual(DEFAULT_EPOCH), slow_seconds=60).start()
    thread = threading.Thread(target=lambda: fetch(server.url + "/news/a/slow.html", timeout=70), daemon=True)
    thread.start()
    time.sleep(0.2)
    started = time.monotonic()
    server.stop()
    thread.join(5)
    assert time.monotonic() - started < 5 and not thread.is_alive()


def test_fault_truncated_html(sandbox):
    status, headers, body = fetch(sandbox.url + "/news/a/truncated.html")
    text = body.decode("utf-8")
    assert status == 200 and int(headers["Content-Length"]) == len(body)
    assert "</html>" not in text and "<p>" in text


def test_fault_cut_off_transfer(sandbox):
    import urllib.request
    with urllib.request.urlopen(sandbox.url + "/news/a/cut-off.html", timeout=5) as response:
        with pytest.raises(http.client.IncompleteRead):
            response.read()


def test_fault_redirect_loop(sandbox):
    status, headers, _b = fetch(sandbox.url + "/news/a/moved.html")
    assert status == 302  # urllib gives up on the loop
    conn = http.client.HTTPConnection("127.0.0.1", sandbox.port, timeout=5)
    conn.request("GET", "/news/a/moved.html")
    first = conn.getresponse()
    assert first.status == 302 and first.getheader("Location") == "/news/a/moved-1.html"
    conn = http.client.HTTPConnection("127.0.0.1", sandbox.port, timeout=5)
    conn.request("GET", "/news/a/moved-1.html")
    assert conn.getresponse().getheader("Location") == "/news/a/moved.html"


def test_fault_article_without_a_date(sandbox):
    html = fetch(sandbox.url + "/news/a/nodate.html")[2].decode()
    article = html.split('<div class="article">', 1)[1].split('<div class="sidebar">', 1)[0]
    assert "发布时间" not in article
    assert not re.search(r"\d{4}[-/年]\d{1,2}", article)
    assert "12315" in article


def test_fault_huge_page(sandbox):
    status, headers, body = fetch(sandbox.url + "/news/a/huge.html", timeout=30)
    assert status == 200 and len(body) == int(headers["Content-Length"]) >= HUGE_BYTES
    assert body.rstrip().endswith(b"</html>")


def test_special_page_links_every_fault(sandbox):
    html = fetch(sandbox.url + "/news/special/")[2].decode()
    faults = manifest(sandbox)["faults"]
    assert set(links(html, r'href="(/news/a/[\w-]+\.(?:html|pdf))"')) == set(faults)
    status, headers, body = fetch(sandbox.url + "/news/a/attachment.pdf")[:3]
    assert status == 200 and body.startswith(b"%PDF-")
    assert fetch(sandbox.url + "/news/a/scan.html")[2].startswith(b"%PDF-")


def test_unknown_path_and_method(sandbox):
    assert fetch(sandbox.url + "/nothing/here")[0] == 404
    assert fetch(sandbox.url + "/news/list/1.html", data=b"x")[0] == 405
