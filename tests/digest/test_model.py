"""The digest content built from the real node matches what Elasticsearch counts."""

from __future__ import annotations

from datetime import datetime

import pytest

from analysis.workdays import SHANGHAI
from yuqing.digest.model import build_digest, build_event_report, deadline_items, scorecard
from yuqing.store import queries

pytestmark = pytest.mark.es

NOW = datetime(2024, 3, 20, 9, 0, tzinfo=SHANGHAI)
DAY = datetime(2024, 3, 12).date()


@pytest.fixture(scope="module")
def daily(digest_store):
    return build_digest(digest_store, "daily", DAY, now=NOW)


def _window_count(store, start, end, **filters) -> int:
    return store.count(
        "posts", queries.post_query(filters=queries.PostFilter(since=start, until=end, **filters))
    )


def test_daily_volume_matches_elasticsearch_counts(daily, digest_store):
    assert daily.mentions == _window_count(digest_store, daily.start, daily.end) > 0
    for count in daily.platforms:
        expected = digest_store.count(
            "posts",
            queries.post_query(
                filters=queries.PostFilter(since=daily.start, until=daily.end),
                extra=[{"term": {"platform": count.key}}],
            ),
        )
        assert count.mentions == expected
    assert sum(c.mentions for c in daily.platforms) == daily.mentions
    assert sum(c.mentions for c in daily.media_levels) == daily.mentions
    assert sum(c.mentions for c in daily.sentiment) == daily.mentions
    assert sum(p.mentions for p in daily.volume) == daily.mentions
    assert (
        daily.central_news
        == digest_store.count(
            "posts",
            queries.post_query(
                filters=queries.PostFilter(since=daily.start, until=daily.end, media_levels=["中央"]),
                extra=[{"term": {"platform": "新闻"}}],
            ),
        )
        > 0
    )
    assert len(daily.volume) == 24


def test_stories_count_near_duplicate_clusters_once(daily, scenario_data):
    records = scenario_data[0]
    in_day = [r for r in records if daily.start <= datetime.fromisoformat(r["published_at"]) < daily.end]
    assert daily.stories == len({r["cluster_id"] for r in in_day})
    assert daily.stories < daily.mentions  # reposts collapse


def test_food_poisoning_is_the_top_event(daily):
    top = daily.top_events[0]
    assert top.id == "evt-food_poisoning"
    assert top.level == "Ⅱ" and top.color == "橙" and top.owner_unit == "河西区市场监管局"
    assert top.mentions == 102


def test_due_and_overdue_items_are_judged_at_the_end_of_the_day(daily, scenario_data):
    alerts = scenario_data[2]
    food = next(a for a in alerts if a["event_id"] == "evt-food_poisoning")
    press = next(d for d in food["deadlines"] if d["kind"] == "press_conference")
    due = {(d.alert_id, d.kind): d for d in daily.due_items}
    item = due[("alert-food_poisoning", "press_conference")]
    assert item.due_at == datetime.fromisoformat(press["due_at"])
    assert item.due_at == datetime(2024, 3, 13, 12, 50, tzinfo=SHANGHAI)
    assert "剩余12小时50分" in item.status_text
    # met late during the day: not in the open lists, counted as met
    assert ("alert-food_poisoning", "authoritative_info") not in due
    late = [d for d in daily.met_items if d.kind == "authoritative_info"]
    assert [d.state for d in late] == ["met_late"]
    # alerts raised after the day are not in it
    assert all(d.alert_id == "alert-food_poisoning" for d in daily.due_items + daily.overdue_items)


def test_board_replies_due_and_overdue(daily):
    boards = daily.board_due + daily.board_overdue
    assert boards, "the sandbox has unanswered board posts on 2024-03-12"
    for item in boards:
        assert item.posted_at < daily.as_of and (item.reply_at is None)
        assert (item.due_at < daily.as_of) == (item in daily.board_overdue)
    food = [b for b in daily.board_due if "梧桐路小学" in b.title]
    assert food and food[0].due_at.date().isoformat() == "2024-03-19"  # 5 working days, received 3-12


def test_weekly_has_week_on_week_change_and_scorecard(digest_store):
    weekly = build_digest(digest_store, "weekly", DAY, now=NOW)
    assert weekly.start.date().isoformat() == "2024-03-11" and weekly.end.date().isoformat() == "2024-03-18"
    changes = {c.label: c for c in weekly.changes}
    previous = _window_count(digest_store, datetime(2024, 3, 4, tzinfo=SHANGHAI), weekly.start)
    assert changes["信息总量"].current == weekly.mentions
    assert changes["信息总量"].previous == previous
    assert changes["新增预警"].current == 3 and changes["新增预警"].previous == 0
    rows = {(r.unit, r.clock): r for r in weekly.scorecard}
    auth = rows[("河西区市场监管局", "发布权威信息")]
    assert (auth.due, auth.on_time, auth.late) == (1, 0, 1)
    resp = rows[("特种设备安全监察处", "回应关切")]
    assert (resp.due, resp.on_time, resp.rate) == (1, 1, 1.0)
    flags = {u.unit: u for u in weekly.accountability}
    assert flags["河西区市场监管局"].ineffective == 1  # authoritative information published late
    assert flags["特种设备安全监察处"].ineffective == 0 and flags["特种设备安全监察处"].late_report == 0
    assert [a.id for a in weekly.new_alerts] == [
        "alert-food_poisoning",
        "alert-gym_prepaid",
        "alert-elevator",
    ]


def test_merged_alerts_are_left_out_and_collected_alerts_listed(store):
    base = {
        "first_alerted_at": "2024-03-12T10:00:00+08:00",
        "clock_start": "2024-03-12T09:00:00+08:00",
        "status": "new",
        "level": "Ⅳ",
        "level_rank": 4,
        "color": "蓝",
        "owner_unit": "甲处",
        "deadlines": [{"kind": "response", "label": "回应关切", "due_at": "2024-03-14T09:00:00+08:00"}],
    }
    store.index_docs(
        "alerts",
        [
            {**base, "id": "kept", "title": "汇总预警", "digest": True},
            {**base, "id": "gone", "title": "被合并", "merged_into": "kept"},
        ],
        refresh=True,
    )
    digest = build_digest(store, "daily", DAY, now=NOW)
    assert [(a.id, a.collected) for a in digest.new_alerts] == [("kept", True)]
    assert [d.alert_id for d in digest.due_items] == ["kept"]


def test_scorecard_counts_overdue_unmet_deadlines():
    from yuqing.digest.model import DueItem

    at = datetime(2024, 3, 12, 12, tzinfo=SHANGHAI)
    items = [
        DueItem(
            "a", None, "t", "Ⅲ", "黄", "甲处", "assigned", "response", "回应关切", at, None, "overdue", ""
        ),
        DueItem("b", None, "t", "Ⅲ", "黄", "甲处", "assigned", "response", "回应关切", at, at, "met", ""),
        DueItem(
            "c", None, "t", "Ⅲ", "黄", "甲处", "assigned", "response", "回应关切", at, None, "remaining", ""
        ),
    ]
    rows = scorecard(
        items, [], datetime(2024, 3, 11, tzinfo=SHANGHAI), datetime(2024, 3, 18, tzinfo=SHANGHAI)
    )
    assert [(r.unit, r.due, r.on_time, r.overdue, r.rate) for r in rows] == [("甲处", 2, 1, 1, 0.5)]


def test_deadline_met_after_as_of_is_still_open():
    alert = {
        "id": "a1",
        "first_alerted_at": "2024-03-12T10:00:00+08:00",
        "clock_start": "2024-03-12T09:00:00+08:00",
        "deadlines": [
            {
                "kind": "response",
                "label": "回应关切",
                "due_at": "2024-03-14T09:00:00+08:00",
                "met_at": "2024-03-13T09:00:00+08:00",
            }
        ],
    }
    before = deadline_items([alert], datetime(2024, 3, 12, 23, tzinfo=SHANGHAI))
    after = deadline_items([alert], datetime(2024, 3, 13, 23, tzinfo=SHANGHAI))
    assert [d.state for d in before] == ["remaining"] and before[0].met_at is None
    assert [d.state for d in after] == ["met"]


def test_event_report_figures(digest_store, scenario_data):
    as_of = datetime(2024, 3, 13, 9, 0, tzinfo=SHANGHAI)
    report = build_event_report(digest_store, "evt-food_poisoning", as_of=as_of, now=NOW)
    records = scenario_data[0]
    mine = [
        r
        for r in records
        if r.get("event_id") == "evt-food_poisoning" and datetime.fromisoformat(r["published_at"]) < as_of
    ]
    assert report.mentions == len(mine)
    assert report.stories == len({r["cluster_id"] for r in mine})
    assert {c.key: c.mentions for c in report.platforms} == {
        k: sum(1 for r in mine if r["platform"] == k) for k in {r["platform"] for r in mine}
    }
    kinds = {v.kind: v for v in report.views}
    assert set(kinds) == {"官方", "媒体", "意见领袖", "普通网民"}
    assert kinds["媒体"].mentions == sum(1 for r in mine if r["platform"] == "新闻")
    assert kinds["普通网民"].critical  # critical ordinary users are quoted
    assert report.moments[0].text.startswith("首条信息") and report.moments == sorted(
        report.moments, key=lambda m: m.at
    )
    assert any("中央媒体" in m.text for m in report.moments)
    assert report.central_media == sum(
        1 for r in mine if r["media_level"] == "中央" and r["platform"] == "新闻"
    )
    assert report.central_media < sum(1 for r in mine if r["media_level"] == "中央")  # boards are not media
    assert {d.kind for d in report.deadlines} >= {"authoritative_info", "press_conference"}
