"""BoardApiSpider on saved JSON of the sandbox 领导留言板 API, through the source's field mapping."""

from __future__ import annotations

import json
from datetime import datetime

import pytest

from crawlers.spiders.board_api import BoardApiSpider, set_path

from .conftest import make_spider, saved, with_meta


def test_list_yields_a_detail_call_per_row_and_the_next_page_by_cursor():
    response, meta = saved("board_api", "list.json")
    spider = make_spider(BoardApiSpider, datetime.fromisoformat(meta["now"]))
    payload = {"param": {"lastItem": "", "rows": 20}}
    requests = list(
        spider.parse_list(with_meta(response, source="sandbox_board_api", page=1, payload=payload))
    )
    details = [r for r in requests if r.callback == spider.parse_detail]
    following = [r for r in requests if r.callback == spider.parse_list]
    rows = json.loads(response.text)["resultData"]["data"]
    assert [r.url for r in details] == [
        f"http://127.0.0.1:8765/lyb/threads/content?tid={row['tid']}" for row in rows
    ]
    assert following[0].method == "POST"
    assert json.loads(following[0].body)["param"]["lastItem"] == str(rows[-1]["tid"])


def test_a_last_row_without_a_cursor_ends_the_paging_and_is_counted():
    """The list's last row lacks its tid: asking again with lastItem="None" read page one over and over
    until max_pages; the rows are still followed, the paging stops, the fault is counted."""
    response, meta = saved("board_api", "list.json")
    data = json.loads(response.text)
    del data["resultData"]["data"][-1]["tid"]
    spider = make_spider(BoardApiSpider, datetime.fromisoformat(meta["now"]))
    payload = {"param": {"lastItem": "", "rows": 20}}
    cut = response.replace(body=json.dumps(data).encode())
    requests = list(spider.parse_list(with_meta(cut, source="sandbox_board_api", page=1, payload=payload)))
    assert [r for r in requests if r.callback == spider.parse_list] == []
    assert len([r for r in requests if r.callback == spider.parse_detail]) == len(data["resultData"]["data"]) - 1
    assert spider.crawler.stats.get_value("yuqing/sandbox_board_api/errors/bad_json") >= 1


@pytest.fixture
def detail():
    response, meta = saved("board_api", "detail.json")
    spider = make_spider(BoardApiSpider, datetime.fromisoformat(meta["now"]))
    row = dict(
        json.loads(response.text)["resultData"]["thread"], content="（列表只有前 60 个字）"
    )  # the list row
    item = next(iter(spider.parse_detail(with_meta(response, source="sandbox_board_api", row=row))))
    return item, meta["expected"]


def test_detail_full_content_from_the_detail_call(detail):
    item, expected = detail
    assert item.content == expected["content"]


def test_detail_date_from_unix_seconds(detail):
    item, expected = detail
    assert item.published_at.isoformat() == expected["published_at"]


@pytest.mark.parametrize(
    "field",
    [
        "post_id",
        "addressee",
        "type",
        "domain",
        "area",
        "status",
        "reply",
        "reply_unit",
        "satisfaction",
        "poster",
    ],
)
def test_detail_board_field(detail, field):
    item, expected = detail
    assert item.board[field] == expected["board"][field].strip()


def test_detail_reply_time(detail):
    item, expected = detail
    assert item.board["reply_at"].isoformat() == expected["board"]["reply_at"]


def test_set_path_builds_nested_keys():
    data = {"param": {"rows": 20}}
    set_path(data, "param.lastItem", "42")
    assert data == {"param": {"rows": 20, "lastItem": "42"}}


def test_detail_channel_is_the_configured_clocks_channel(detail):
    from analysis.clocks import load_policy

    item, _expected = detail
    assert item.board["channel"] == "people_board"  # board_channel in config/sources.sandbox.yaml
    assert load_policy().find_board(item.board["channel"]).name == "人民网《领导留言板》"
