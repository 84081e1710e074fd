"""config/sources.sandbox.yaml stays accurate to the sandbox pages: its selectors and JSON paths
extract the manifest's title, date and body from live pages."""

from __future__ import annotations

import json
from datetime import datetime, timedelta
from pathlib import Path

import pytest
import yaml
from parsel import Selector

from yuqing.sandbox import DEFAULT_EPOCH
from yuqing.sandbox.clock import CST

from .conftest import fetch, fetch_json

SOURCES_FILE = Path(__file__).resolve().parents[2] / "config" / "sources.sandbox.yaml"
SOURCES = {s["name"]: s for s in yaml.safe_load(SOURCES_FILE.read_text(encoding="utf-8"))["sources"]}
LATER = DEFAULT_EPOCH + timedelta(days=8)
HTML_SOURCES = ["sandbox_news", "sandbox_central", "sandbox_industry", "sandbox_portal", "sandbox_board"]


@pytest.fixture
def late(sandbox):
    sandbox.clock.set(LATER)
    return sandbox


def _url(sandbox, template: str) -> str:
    return template.replace("{sandbox}", sandbox.url)


def _page(sandbox, url: str) -> Selector:
    _status, headers, body = fetch(url)
    charset = headers.get_content_charset() or "utf-8"
    try:
        text = body.decode(charset)
    except UnicodeDecodeError:
        text = body.decode("gbk")
    return Selector(text=text)


def _path(data, dotted: str):
    for key in dotted.split("."):
        data = data[int(key)] if isinstance(data, list) else data[key]
    return data


def test_names_are_the_export_sources():
    from yuqing.sandbox.sites import SITES
    assert {s.source for s in SITES.values()} <= set(SOURCES)
    for site in SITES.values():
        assert SOURCES[site.source]["kind"] == site.source_kind
        assert SOURCES[site.source]["media_level"] == site.media_level


@pytest.mark.parametrize("name", HTML_SOURCES)
def test_article_selectors_extract_title_date_and_body(late, name):
    spec = SOURCES[name]["article"]
    items = [i for i in json.loads(fetch(late.url + "/__sandbox/manifest")[2])["items"] if i["source"] == name]
    assert items
    for item in items[:: max(1, len(items) // 6)]:
        page = _page(late, item["url"])
        assert page.css(spec["title"]).get().strip() == item["title"]
        date_text = page.css(spec["date"]).get().split("|")[0].strip()
        parsed = datetime.strptime(date_text, spec["date_format"]).replace(tzinfo=CST)
        assert parsed.isoformat() == item["published_at"]
        body = "".join(page.css(spec["body"]).getall())
        assert item["content"].split("\n")[0][:30] in body


def test_board_selectors_extract_board_fields(late):
    spec = SOURCES["sandbox_board"]["article"]
    items = [i for i in json.loads(fetch(late.url + "/__sandbox/manifest?site=board_html")[2])["items"]
             if i["board"]["status"] == "已办理"]
    item = items[0]
    page = _page(late, item["url"])
    board = item["board"]
    for field in ("post_id", "addressee", "type", "domain", "area", "status", "satisfaction"):
        assert page.css(spec[field]).get().strip() == board[field], field
    assert page.css(spec["reply_unit"]).get().endswith(board["reply_unit"])
    reply_at = datetime.strptime(page.css(spec["reply_at"]).get(), spec["reply_at_format"]).replace(tzinfo=CST)
    assert reply_at.isoformat() == board["reply_at"]


@pytest.mark.parametrize("name", ["sandbox_news", "sandbox_industry", "sandbox_board"])
def test_list_selectors_find_links_and_next_page(late, name):
    spec = SOURCES[name]
    page = _page(late, _url(late, spec["start_urls"][0]))
    links = page.css(spec["list"]["links"]).getall()
    assert links and all(link.startswith("/") for link in links)
    assert page.css(spec["list"]["next"]).get()


def test_board_api_paths_resolve(late):
    spec = SOURCES["sandbox_board_api"]
    request = spec["list_request"]
    status, data = fetch_json(_url(late, request["url"]), request["json"])
    rows = _path(data, request["items"])
    assert status == 200 and rows
    answered = next(r for r in rows if r["stateInfo"] == "已办理")
    detail = fetch_json(_url(late, spec["detail_request"]["url"]).format(tid=answered["tid"]))[1]["resultData"]
    for field, dotted in spec["fields"].items():
        source = answered if dotted.split(".")[0] in answered else detail
        assert _path(source, dotted) not in (None, ""), field


def test_social_paths_resolve(late):
    spec = SOURCES["sandbox_social"]
    data = fetch_json(_url(late, spec["request"]["url"]).format(page=1))[1]
    statuses = _path(data, spec["request"]["items"])
    repost = next(s for s in statuses if "retweeted_status" in s)
    for field, dotted in spec["fields"].items():
        if field != "url":
            assert _path(repost, dotted) is not None, field
    assert _path(data, spec["request"]["next_page"]) == 2
