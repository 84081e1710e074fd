"""Replay of the sandbox scenarios against the real node: the judgement the engine must make."""

from __future__ import annotations

from collections import Counter
from datetime import timedelta

from analysis.events import parse_time


def _scenario(alert, posts) -> str:
    members = [p for p in posts.values() if p.get("event_id") == alert["event_id"]]
    return Counter(p.get("scenario") for p in members).most_common(1)[0][0]


def _by_scenario(replayed) -> dict[str, list[dict]]:
    _store, report, _rec, posts = replayed
    out: dict[str, list[dict]] = {}
    for alert in report.alerts:
        out.setdefault(_scenario(alert, posts), []).append(alert)
    return out


def test_food_poisoning_raises_one_incident_alert_that_turns_red_once_central_media_report_it(replayed):
    alerts = _by_scenario(replayed)["food_poisoning"]
    assert len(alerts) == 1
    alert = alerts[0]
    assert alert["level"] == "Ⅰ" and "央媒关注的重大突发事件" in alert["rules"]
    kinds = {d["kind"]: d for d in alert["deadlines"]}
    start = parse_time(alert["clock_start"])
    assert parse_time(kinds["authoritative_info"]["due_at"]) - start == timedelta(hours=5)
    assert parse_time(kinds["press_conference"]["due_at"]) - start == timedelta(hours=24)
    assert "response" not in kinds
    # first alert within the first hours of the story, on the simulated clock
    assert parse_time(alert["first_alerted_at"]) - start < timedelta(hours=6)


def test_prepaid_card_closure_raises_one_48h_alert(replayed):
    alerts = _by_scenario(replayed)["gym_prepaid"]
    assert len(alerts) == 1
    kinds = {d["kind"]: d for d in alerts[0]["deadlines"]}
    assert parse_time(kinds["response"]["due_at"]) - parse_time(alerts[0]["clock_start"]) == timedelta(hours=48)
    assert "authoritative_info" not in kinds


def test_elevator_entrapment_is_one_level_three_alert_with_48h(replayed):
    """Documented: people trapped, nobody hurt, 20-odd posts → Ⅲ (黄), 48 h response, pushed."""
    alerts = _by_scenario(replayed)["elevator"]
    assert len(alerts) == 1
    assert alerts[0]["level"] == "Ⅲ"
    assert [d["kind"] for d in alerts[0]["deadlines"] if d["kind"] in ("response", "authoritative_info")] == ["response"]


def test_background_raises_no_alert(replayed):
    assert "background" not in _by_scenario(replayed)


def test_no_background_post_joins_an_alerted_event(replayed):
    """A post sharing only the district's name with an incident is not part of it (and cannot title it)."""
    _store, report, _rec, posts = replayed
    alerted = {a["event_id"] for a in report.alerts}
    intruders = [p["title"] or p["content"][:30] for p in posts.values()
                 if p.get("scenario") == "background" and p.get("event_id") in alerted]
    assert intruders == []


def test_alerts_are_pushed_once_per_level(replayed):
    _store, report, recorder, _posts = replayed
    alerts = [n for n in recorder.notices if n.kind == "alert"]
    titles = Counter(n.title for n in alerts)
    assert alerts and max(titles.values()) == 1
    pushed = {a["alert_id"] for a in report.alerts if not a["digest"]}
    assert len(alerts) <= len(pushed) * 2  # at most one re-send, when the level rose


def test_delivery_results_are_recorded_on_the_alert(replayed):
    store, report, _rec, _posts = replayed
    pushed = [a for a in report.alerts if a["notifications"]]
    assert pushed
    stored = store.get("alerts", pushed[0]["alert_id"])
    assert stored["notifications"][0]["channel"] == "recorder" and stored["notifications"][0]["ok"] is True


def test_every_replayed_post_is_grouped(replayed):
    _store, report, _rec, posts = replayed
    assert len(posts) == report.posts == 292
    assert all(p.get("event_id") for p in posts.values())



def test_read_posts_names_bad_dates_and_bytes_by_line_and_keeps_the_rest():
    from yuqing.alerts.replay import ReplayReport, read_posts

    good = '{"url": "http://r.example.cn/%d", "title": "电梯故障", "published_at": "2026-01-05T08:0%d:00+08:00"}'
    lines = [(good % (1, 1)).encode(), b'{"url": "http://r.example.cn/2", "published_at": "9999-12-31T00:00:00"}',
             b'{"url": "http://r.example.cn/3", "published_at": "0001-01-01"}',
             b'{"url": "http://r.example.cn/4", "published_at": "2026-13-45"}',
             b'{"url": "http://r.example.cn/5", "published_at": 20260105}', "坏".encode("gbk"),
             (good % (6, 2)).encode()]
    report = ReplayReport()
    posts = read_posts(lines, report)
    assert [p["url"] for p in posts] == ["http://r.example.cn/1", "http://r.example.cn/6"]
    reasons = dict(report.bad)
    assert "超出范围" in reasons[2] and "超出范围" in reasons[3]
    assert "不是有效的时间" in reasons[4] and "不是有效的时间" in reasons[5]
    assert "不是 UTF-8 编码" in reasons[6]
