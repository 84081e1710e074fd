"""The post item and its cleaning: fields as the posts index, dates, counts, status history."""

from __future__ import annotations

from dataclasses import fields
from datetime import datetime, timedelta, timezone

import pytest

from crawlers.items import (
    BoardLoader,
    DateRejected,
    PostItem,
    PostLoader,
    clean_text,
    drop_label,
    parse_post_date,
    to_count,
)
from crawlers.state import merge_history, state_doc
from yuqing.store.schema import POSTS_V1

CST = timezone(timedelta(hours=8))
NOW = datetime(2024, 3, 20, 8, 0, tzinfo=CST)


def test_item_fields_are_exactly_the_posts_index_fields():
    assert {f.name for f in fields(PostItem)} == set(POSTS_V1["properties"])


@pytest.mark.parametrize(
    "text, expected",
    [
        ("2017年05月31日 16:21", datetime(2017, 5, 31, 16, 21, tzinfo=CST)),
        ("发布日期：2017-09-05", datetime(2017, 9, 5, tzinfo=CST)),
        ("2017/9/5", datetime(2017, 9, 5, tzinfo=CST)),
        ("刚刚", NOW),
        ("3分钟前", NOW - timedelta(minutes=3)),
        ("5小时前", NOW - timedelta(hours=5)),
        ("昨天 12:30", datetime(2024, 3, 19, 12, 30, tzinfo=CST)),
        (1710225600, datetime(2024, 3, 12, 14, 40, tzinfo=CST)),
        ("2024-03-12T14:20:00+08:00", datetime(2024, 3, 12, 14, 20, tzinfo=CST)),
    ],
)
def test_dates_in_every_common_form(text, expected):
    assert parse_post_date(text, NOW) == expected


def test_source_format_is_tried_first_on_the_text_before_the_bar():
    value = parse_post_date("2024年03月12日 21:40 | 来源：民生日报", NOW, "%Y年%m月%d日 %H:%M")
    assert value == datetime(2024, 3, 12, 21, 40, tzinfo=CST)


@pytest.mark.parametrize("text", ["2024-03-21 09:00", "1989-12-31", 4102444800, "2999年1月1日"])
def test_future_and_pre_1990_dates_are_rejected(text):
    with pytest.raises(DateRejected):
        parse_post_date(text, NOW)


def test_no_date_is_none_not_an_error():
    assert parse_post_date("", NOW) is None and parse_post_date("暂无", NOW) is None


def test_loader_drops_rejected_dates_and_reports_them():
    reported = []
    loader = PostLoader(item=PostItem(), now=NOW, report=lambda kind, message: reported.append(kind))
    loader.add_value("title", "  标题\u3000 ")
    loader.add_value("content", ["第一段 ", "", "  第二段"])
    loader.add_value("published_at", "2030-01-01 08:00")
    item = loader.load_item()
    assert (item.title, item.content, item.published_at) == ("标题", "第一段\n第二段", None)
    assert reported == ["date_rejected"]


def test_board_loader_strips_labels():
    loader = BoardLoader(now=NOW, date_format="回复时间：%Y-%m-%d %H:%M")
    loader.add_value("reply_unit", "答复单位：河西区市场监管局")
    loader.add_value("reply_at", "回复时间：2024-03-14 09:30")
    loader.add_value("post_id", 202403120001)
    board = loader.load_item()
    assert board == {
        "reply_unit": "河西区市场监管局",
        "reply_at": datetime(2024, 3, 14, 9, 30, tzinfo=CST),
        "post_id": "202403120001",
    }


def test_cleaning_helpers():
    assert clean_text(" a \n\t b\xa0") == "a b" and clean_text("  ") is None
    assert clean_text("坏\ud800字") == "坏\ufffd字"  # a JSON feed's lone surrogate escape
    assert drop_label("作者：记者 王蕾") == "记者 王蕾" and drop_label("编辑：刘畅") == "编辑：刘畅"
    assert (to_count("1.2万"), to_count("356"), to_count(7), to_count("无")) == (12000, 356, 7, None)


POSTED = datetime(2024, 3, 12, 13, 50, tzinfo=CST)


def test_history_first_sight_in_progress():
    assert merge_history([], "办理中", NOW, published_at=POSTED) == [
        {"status": "未回复", "at": POSTED.isoformat()},
        {"status": "办理中", "at": NOW.isoformat()},
    ]


def test_history_answered_takes_the_reply_time():
    replied = datetime(2024, 3, 14, 9, 30, tzinfo=CST)
    before = merge_history([], "办理中", NOW - timedelta(days=3), published_at=POSTED)
    after = merge_history(before, "已办理", NOW, published_at=POSTED, reply_at=replied)
    assert [h["status"] for h in after] == ["未回复", "办理中", "已办理"]
    assert after[-1]["at"] == replied.isoformat() and after[:2] == before


def test_history_unchanged_status_adds_nothing():
    once = merge_history([], "办理中", NOW, published_at=POSTED)
    assert merge_history(once, "办理中", NOW + timedelta(hours=5), published_at=POSTED) == once


def test_state_doc_is_final_for_articles_and_answered_posts_only():
    article = state_doc({"source": "s", "url": "http://a.cn/1.html", "crawled_at": NOW})
    pending = state_doc(
        {"source": "b", "url": "http://b.cn/2.html", "board": {"post_id": "2", "status": "办理中"}}
    )
    done = state_doc(
        {"source": "b", "url": "http://b.cn/2.html", "board": {"post_id": "2", "status": "已办理"}}
    )
    assert (article["final"], pending["final"], done["final"]) == (True, False, True)
    assert pending["id"] == done["id"] != article["id"]
