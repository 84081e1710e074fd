"""BoardHtmlSpider on saved pages of the sandbox board (津门民声·领导留言板)."""

from __future__ import annotations

from datetime import datetime, timedelta

import pytest

from crawlers.spiders.board_html import BoardHtmlSpider
from crawlers.state import Entry, state_key

from .conftest import SANDBOX_SOURCES, make_spider, saved, with_meta


def _parse(name: str, now: datetime | None = None, spider=None):
    response, meta = saved("board_html", name)
    spider = spider or make_spider(BoardHtmlSpider, now or datetime.fromisoformat(meta["now"]))
    return next(iter(spider.parse_post(with_meta(response, source="sandbox_board")))), meta, spider


@pytest.fixture
def answered():
    item, meta, _spider = _parse("answered.html")
    return item, meta["expected"]


@pytest.mark.parametrize(
    "field",
    [
        "post_id",
        "addressee",
        "type",
        "domain",
        "area",
        "status",
        "poster",
        "reply_unit",
        "satisfaction",
    ],
)
def test_answered_board_field(answered, field):
    item, expected = answered
    assert item.board[field] == expected["board"][field]


def test_the_channel_is_the_configured_clocks_channel(answered, tmp_path):
    from analysis.clocks import load_policy

    item, _expected = answered
    assert item.board["channel"] == "zhengmin"  # board_channel in config/sources.sandbox.yaml
    assert load_policy().find_board(item.board["channel"]).name == "政民零距离"

    # without board_channel the channel is the source's display name, as before
    text = SANDBOX_SOURCES.read_text(encoding="utf-8")
    line = next(x for x in text.splitlines(keepends=True) if x.lstrip().startswith("board_channel: zhengmin"))
    unset = tmp_path / "sources.yaml"
    unset.write_text(text.replace(line, ""), encoding="utf-8")
    response, meta = saved("board_html", "answered.html")
    spider = make_spider(BoardHtmlSpider, datetime.fromisoformat(meta["now"]), sources_file=unset)
    item = next(iter(spider.parse_post(with_meta(response, source="sandbox_board"))))
    assert item.board["channel"] == "津门民声·领导留言板"


def test_answered_reply_text_and_time(answered):
    item, expected = answered
    assert item.board["reply"] == expected["board"]["reply"].strip()
    assert item.board["reply_at"].isoformat() == expected["board"]["reply_at"]


def test_answered_post_fields(answered):
    item, expected = answered
    assert (item.title, item.content, item.author) == (
        expected["title"],
        expected["content"],
        expected["author"],
    )
    assert item.published_at.isoformat() == expected["published_at"]


def test_first_sight_history_starts_unanswered_at_posting_and_answered_at_reply(answered):
    item, expected = answered
    assert item.board["status_history"] == [
        {"status": "未回复", "at": expected["published_at"]},
        {"status": "已办理", "at": expected["board"]["reply_at"]},
    ]


def test_pending_post_has_no_reply_and_is_seen_in_progress_now():
    item, meta, spider = _parse("pending.html")
    now = datetime.fromisoformat(meta["now"])
    assert item.board["status"] == "办理中"
    assert not {"reply", "reply_unit", "reply_at", "satisfaction"} & set(item.board)
    assert item.board["status_history"][-1] == {"status": "办理中", "at": now.isoformat()}


def test_later_crawl_keeps_the_recorded_history():
    item, meta, spider = _parse("pending.html")
    earlier = [
        {"status": "未回复", "at": meta["expected"]["published_at"]},
        {"status": "办理中", "at": "2024-03-19T10:00:00+08:00"},
    ]
    key = ("sandbox_board", state_key(None, meta["expected"]["board"]["post_id"]))
    spider.context.state.entries[key] = Entry(item.url, "办理中", False, earlier)
    again, _meta, _spider = _parse("pending.html", spider=spider)
    assert again.board["status_history"] == earlier


def test_listing_revisits_unfinished_posts_and_skips_finished_ones():
    response, meta = saved("board_html", "listing.html")
    spider = make_spider(BoardHtmlSpider, datetime.fromisoformat(meta["now"]) + timedelta(hours=1))
    first = list(spider.parse_listing(with_meta(response, source="sandbox_board", page=1)))
    posts = [r for r in first if r.callback == spider.parse_post]
    assert len(posts) == 10
    done, unfinished = posts[0], posts[1]
    post_of = {r.url: r.url.rsplit("/", 1)[-1].split(".")[0] for r in posts}
    spider.context.state.entries[("sandbox_board", state_key(None, post_of[done.url]))] = Entry(
        done.url, "已办理", True, []
    )
    spider.context.state.entries[("sandbox_board", state_key(None, post_of[unfinished.url]))] = Entry(
        unfinished.url, "办理中", False, []
    )
    spider.requested.clear()  # the next run's spider has requested nothing yet
    again = {r.url for r in spider.parse_listing(with_meta(response, source="sandbox_board", page=1))}
    assert done.url not in again and unfinished.url in again
