"""Notices rendered from alert documents (pure functions)."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from yuqing.notify.notice import Notice, normalise_level, plain_text
from yuqing.notify.render import alert_notice, reminder_notice, show_duration

NOW = datetime(2026, 5, 9, 8, 0, tzinfo=UTC)  # 16:00 in Shanghai

ALERT = {
    "id": "evt 1/a",
    "event_id": "evt1",
    "title": "某校食堂疑似食物中毒",
    "level": "Ⅱ",
    "level_rank": 2,
    "color": "橙",
    "rules": ["major_incident", "volume_spike"],
    "schemes": ["食品安全"],
    "status": "new",
    "owner_unit": None,
    "clock_start": "2026-05-09T06:30:00Z",
    "first_alerted_at": "2026-05-09T06:45:00+00:00",
    "post_count": 37,
    "deadlines": [
        {
            "kind": "authoritative_info",
            "label": "发布权威信息",
            "due_at": "2026-05-09T11:30:00Z",
            "met_at": None,
        },
        {
            "kind": "press_conference",
            "label": "召开新闻发布会",
            "due_at": "2026-05-10T06:30:00Z",
            "met_at": None,
        },
    ],
}


def test_alert_notice_has_level_colour_clocks_and_link():
    notice = alert_notice(ALERT, "http://dash.example:8050/", now=NOW)
    assert notice.kind == "alert" and notice.level == "Ⅱ" and notice.color == "橙"
    assert notice.subject() == "【橙色预警·Ⅱ级】某校食堂疑似食物中毒"
    assert notice.url == "http://dash.example:8050/alerts?id=evt%201%2Fa"
    assert "- 触发规则：major_incident、volume_spike" in notice.text
    assert "- 相关信息：37 条" in notice.text
    assert "- 计时起点：2026-05-09 14:30" in notice.text  # Asia/Shanghai
    assert "- 发布权威信息：2026-05-09 19:30 前（剩余 3 小时 30 分）" in notice.text
    assert "- 召开新闻发布会：2026-05-10 14:30 前（剩余 22 小时 30 分）" in notice.text
    assert notice.unit is None


def test_alert_notice_counts_stories_beside_posts():
    notice = alert_notice(dict(ALERT, cluster_count=3), None, now=NOW)
    assert "- 相关信息：37 条（3个话题）" in notice.text


def test_level_rise_and_met_deadline():
    alert = dict(
        ALERT,
        level="Ⅰ",
        color="红",
        owner_unit="食品安全协调处",
        handling_type="重大问题",
        deadlines=[dict(ALERT["deadlines"][0], met_at="2026-05-09T10:00:00Z")],
    )
    notice = alert_notice(alert, None, previous_level="Ⅱ", now=NOW)
    assert notice.title == "预警升级：某校食堂疑似食物中毒" and notice.url is None
    assert "预警级别由 Ⅱ级 升至 Ⅰ级（特别重大）" in notice.text
    assert "（已于 2026-05-09 18:00 完成）" in notice.text
    assert notice.unit == "食品安全协调处" and "- 处置类型：重大问题" in notice.text


def test_overdue_reminder_goes_to_the_owner_unit():
    alert = dict(ALERT, owner_unit="食品安全协调处", status="assigned")
    late = datetime(2026, 5, 9, 13, 45, tzinfo=UTC)
    notice = reminder_notice(alert, "authoritative_info", "overdue", now=late)
    assert notice.kind == "reminder" and notice.unit == "食品安全协调处"
    assert notice.title == "发布权威信息已超时：某校食堂疑似食物中毒"
    assert "- 截止时间：2026-05-09 19:30" in notice.text and "已超时 2 小时 15 分" in notice.text
    assert "- 状态：已交办" in notice.text


def test_upcoming_reminder_and_bad_state():
    notice = reminder_notice(ALERT, ALERT["deadlines"][1], "upcoming", base_url="http://d", now=NOW)
    assert notice.title.startswith("召开新闻发布会即将到期") and "剩余 22 小时 30 分" in notice.text
    assert "责任单位：尚未交办" in notice.text and notice.url == "http://d/alerts?id=evt%201%2Fa"
    with pytest.raises(ValueError):
        reminder_notice(ALERT, "press_conference", "whenever")
    with pytest.raises(ValueError):
        reminder_notice(ALERT, "no_such_clock", "overdue")


def test_durations():
    assert [show_duration(s) for s in (30, 600, 3600, 5400, 86400 * 2 + 7200, -7260)] == [
        "1 分",
        "10 分",
        "1 小时",
        "1 小时 30 分",
        "2 天 2 小时",
        "2 小时 1 分",
    ]


def test_levels_and_plain_text():
    assert [normalise_level(v) for v in ("Ⅱ", "II", "ii", 2, "二级", "橙", "五级", None, True)] == [
        "Ⅱ",
        "Ⅱ",
        "Ⅱ",
        "Ⅱ",
        "Ⅱ",
        "Ⅱ",
        None,
        None,
        None,
    ]
    assert Notice(title="t", text="", level="3").color == "黄"
    assert Notice(title="t", text="", level="Ⅰ").badge() == "🟥 红色预警 · Ⅰ级（特别重大）"
    with pytest.raises(ValueError):
        Notice(title="t", text="", kind="sms")
    assert (
        plain_text("**重要** 见[详情](http://x) 与 [http://y](http://y)")
        == "重要 见详情（http://x） 与 http://y"
    )
