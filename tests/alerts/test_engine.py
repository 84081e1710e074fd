"""The engine against the real node: reposts are one event, restarts lose and re-send nothing."""

from __future__ import annotations

import copy
from datetime import datetime, timedelta

import pytest

from analysis.workdays import SHANGHAI
from yuqing.alerts.engine import AlertEngine
from yuqing.sandbox import build_world
from yuqing.sandbox.export import export_records

T0 = datetime(2024, 3, 12, 13, 0, tzinfo=SHANGHAI)


@pytest.fixture(scope="module")
def reposts(enricher, repost_records) -> list[dict]:
    """The fifty reposts, enriched once for the module (tests index copies)."""
    return enricher.enrich(copy.deepcopy(repost_records))


def _index(store, posts):
    written = store.index_posts(copy.deepcopy(posts), refresh=True)
    assert not written.failed


def test_fifty_reposts_are_one_event_and_one_alert(store, reposts, recorder):
    _index(store, reposts)
    engine = AlertEngine(store, notifier=recorder)
    report = engine.cycle(T0 + timedelta(hours=1))
    assert report.posts == 50
    store.refresh("events")
    assert store.count("events") == 1
    store.refresh("alerts")
    assert store.count("alerts") == 1
    pushed = [n for n in recorder.notices if n.kind == "alert"]
    assert len(pushed) == 1
    # fifty mentions of one story: the alert and its notice say so, not only "50 posts"
    alert = store.search("alerts", size=1)["hits"]["hits"][0]["_source"]
    assert (alert["post_count"], alert["cluster_count"]) == (50, 1)
    assert "帖子数：50（1个话题）" in pushed[0].text


def test_restart_neither_loses_nor_resends(store, reposts, recorder):
    _index(store, reposts[:40])
    AlertEngine(store, notifier=recorder).cycle(T0 + timedelta(hours=1))
    store.refresh("alerts")
    before = {a["id"]: a for a in store.scan("alerts")}
    sent = len(recorder.notices)
    assert before and sent >= 1

    _index(store, reposts[40:])  # the same story goes on after the restart
    restarted = AlertEngine(store, notifier=recorder)
    report = restarted.cycle(T0 + timedelta(hours=1, minutes=30))
    assert report.posts == 10 and report.alerts_new == 0
    store.refresh("alerts")
    after = {a["id"]: a for a in store.scan("alerts")}
    assert after.keys() == before.keys()
    alert = next(iter(after.values()))
    assert alert["post_count"] == 50
    assert alert["first_alerted_at"] == next(iter(before.values()))["first_alerted_at"]
    assert len([n for n in recorder.notices if n.kind == "alert"]) == len([n for n in recorder.notices[:sent]
                                                                          if n.kind == "alert"])
    # a third engine with nothing new does nothing
    assert AlertEngine(store, notifier=recorder).cycle(T0 + timedelta(hours=1, minutes=40)).posts == 0


def test_reminders_reach_every_open_alert_not_just_the_first_thousand(store, reposts, recorder):
    _index(store, reposts)
    AlertEngine(store, notifier=recorder).cycle(T0 + timedelta(hours=1))
    store.refresh("alerts")
    alert = next(iter(store.scan("alerts")))
    clones = []
    for n in range(1100):
        clone = copy.deepcopy(alert)
        clone.update(id=f"{alert['id']}-c{n}", reminders_sent=[], notifications=[])
        clones.append(clone)
    assert not store.index_docs("alerts", clones, refresh=True).failed
    first_due = min(datetime.fromisoformat(d["due_at"]) for d in alert["deadlines"])
    engine = AlertEngine(store, notifier=recorder)
    assert engine.send_reminders(first_due - timedelta(minutes=30)) >= 1101


def test_reminders_before_due_and_at_overdue_are_sent_once(store, reposts, recorder):
    _index(store, reposts)
    AlertEngine(store, notifier=recorder).cycle(T0 + timedelta(hours=1))
    store.refresh("alerts")
    alert = next(iter(store.scan("alerts")))
    assert alert["needs_response"]
    first_due = min(datetime.fromisoformat(d["due_at"]) for d in alert["deadlines"])
    before = first_due - timedelta(minutes=30)
    engine = AlertEngine(store, notifier=recorder)
    assert engine.cycle(before).reminders >= 1
    store.refresh("alerts")
    assert AlertEngine(store, notifier=recorder).cycle(before + timedelta(minutes=5)).reminders == 0
    assert AlertEngine(store, notifier=recorder).cycle(first_due + timedelta(minutes=1)).reminders >= 1
    reminders = [n for n in recorder.notices if n.kind == "reminder"]
    assert any("超时" in n.text for n in reminders) and any("提醒" in n.text for n in reminders)


def test_background_posts_alone_raise_nothing(store, enricher, recorder):
    records = [r for r in export_records(build_world()) if r["scenario"] == "background"]
    for r in records:
        r.pop("categories", None)
    _index(store, enricher.enrich(records))
    AlertEngine(store, notifier=recorder).cycle(datetime(2024, 3, 20, tzinfo=SHANGHAI))
    store.refresh("alerts")
    assert store.count("alerts") == 0
    # no alert is pushed; what goes out are the reply reminders of overdue background board posts
    assert all(n.kind == "reminder" and n.title.startswith("【留言答复提醒】") for n in recorder.notices)


def test_a_silenced_scheme_stores_the_alert_but_does_not_push_it(store, reposts, recorder):
    from yuqing.alerts import workflow as wf

    wf.silence_scheme(store, "校园食品安全", "张三", until=T0 + timedelta(days=1))
    _index(store, reposts)
    report = AlertEngine(store, notifier=recorder).cycle(T0 + timedelta(hours=1))
    assert report.alerts_new == 1 and report.pushed == 0
    store.refresh("alerts")
    (alert,) = store.scan("alerts")
    assert alert["schemes"] == ["校园食品安全"] and alert["notified_rank"] is None
    assert recorder.notices == []


def test_an_expired_scheme_silence_no_longer_holds_pushes_back(store, reposts, recorder):
    from yuqing.alerts import workflow as wf

    wf.silence_scheme(store, "校园食品安全", "张三", until=T0)
    _index(store, reposts)
    assert AlertEngine(store, notifier=recorder).cycle(T0 + timedelta(hours=1)).pushed == 1
    assert [n.kind for n in recorder.notices] == ["alert"]


def test_a_delivery_that_cannot_be_recorded_is_counted_and_reported(store):
    from types import SimpleNamespace

    from yuqing.errors import StoreError

    engine = AlertEngine(store)
    record = engine._recorder("al-missing")
    with pytest.raises(StoreError, match="al-missing"):
        record(SimpleNamespace(channel="email", ok=False, at=T0, error="timeout"))
    report = engine.cycle(T0)
    assert len(report.errors) == 1 and "al-missing" in report.errors[0] and "email" in report.errors[0]
    assert engine.cycle(T0).errors == []  # reported once


@pytest.mark.parametrize("batch, pending_limit", [(20, 50), (2000, 0)])
def test_batches_and_the_refresh_path_give_the_same_event(store, reposts, recorder, monkeypatch, batch,
                                                          pending_limit):
    """Several reads of new posts in one cycle, or a refresh instead of naming new posts by id."""
    from yuqing.alerts import engine as engine_module

    monkeypatch.setattr(engine_module, "BATCH", batch)
    monkeypatch.setattr(engine_module, "PENDING_EVENTS", pending_limit)
    _index(store, reposts)
    report = AlertEngine(store, notifier=recorder).cycle(T0 + timedelta(hours=1))
    assert (report.posts, report.alerts_new, report.errors) == (50, 1, [])
    store.refresh("alerts")
    (alert,) = store.scan("alerts")
    assert alert["post_count"] == 50


class _DiesBeforeDelivery:
    """A notifier whose process dies with the notice still queued: nothing is delivered or recorded."""

    def __init__(self) -> None:
        self.notices = []

    def submit(self, notice, on_result=None) -> None:
        self.notices.append(notice)


def test_a_push_lost_in_flight_is_sent_once_after_a_restart(store, reposts, recorder):
    _index(store, reposts[:40])
    dying = _DiesBeforeDelivery()
    AlertEngine(store, notifier=dying).cycle(T0 + timedelta(hours=1))
    assert [n.kind for n in dying.notices] == ["alert"]

    restarted = AlertEngine(store, notifier=recorder)
    restarted.cycle(T0 + timedelta(hours=1, minutes=5))
    assert [n.kind for n in recorder.notices] == ["alert"]
    assert recorder.notices[0].title == dying.notices[0].title
    store.refresh("alerts")
    alert = next(iter(store.scan("alerts")))
    assert [(i["kind"], i["rank"]) for i in alert["notifications"]] == [("alert", alert["notified_rank"])]

    AlertEngine(store, notifier=recorder).cycle(T0 + timedelta(hours=1, minutes=10))
    assert [n.kind for n in recorder.notices] == ["alert"]  # recorded now: never sent again


def _alert_pushes(recorder) -> list:
    return [n for n in recorder.notices if n.kind == "alert"]


def _deadlines(alert: dict) -> dict:
    return {d["kind"]: d for d in alert["deadlines"]}


def test_a_level_rise_pushes_again_and_an_equal_level_update_does_not(store, reposts, recorder):
    _index(store, reposts[:15])  # four rules (险情词表, the 校园食品安全 scheme, …): Ⅲ
    report = AlertEngine(store, notifier=recorder).cycle(T0 + timedelta(minutes=30))
    assert report.alerts_new == 1
    store.refresh("alerts")
    (alert,) = store.scan("alerts")
    assert alert["level"] == "Ⅲ"
    assert [n.level for n in _alert_pushes(recorder)] == ["Ⅲ"]

    _index(store, reposts[15:45])  # the story grows: 45 posts reach the 重大 threshold
    report = AlertEngine(store, notifier=recorder).cycle(T0 + timedelta(hours=1))
    assert report.alerts_raised == 1 and report.pushed == 1
    store.refresh("alerts")
    (alert,) = store.scan("alerts")
    assert alert["level"] == "Ⅱ"
    assert [n.level for n in _alert_pushes(recorder)] == ["Ⅲ", "Ⅱ"]
    assert _alert_pushes(recorder)[1].title.startswith("【Ⅱ级舆情预警】")

    _index(store, reposts[45:])  # more posts at the same level: counts update, nothing is pushed
    report = AlertEngine(store, notifier=recorder).cycle(T0 + timedelta(hours=1, minutes=10))
    assert report.posts == 5 and report.alerts_raised == 0
    store.refresh("alerts")
    (alert,) = store.scan("alerts")
    assert (alert["level"], alert["post_count"]) == ("Ⅱ", 50)
    assert [n.level for n in _alert_pushes(recorder)] == ["Ⅲ", "Ⅱ"]


def test_report_deadlines_start_at_the_alert_and_at_the_rise(store, reposts, recorder):
    _index(store, reposts[:4])  # seen, but too small for any rule: an event without an alert
    AlertEngine(store, notifier=recorder).cycle(T0 + timedelta(minutes=5))
    store.refresh("alerts")
    assert store.count("alerts") == 0

    _index(store, reposts[4:15])
    first_alert = T0 + timedelta(hours=3)  # the first rule fires long after the first post was seen
    AlertEngine(store, notifier=recorder).cycle(first_alert)
    store.refresh("alerts")
    (alert,) = store.scan("alerts")
    assert alert["level"] == "Ⅲ"
    assert datetime.fromisoformat(alert["detected_at"]) == T0 + timedelta(minutes=5)
    leaders = _deadlines(alert)["report_leaders"]
    assert datetime.fromisoformat(leaders["starts_at"]) == first_alert
    assert datetime.fromisoformat(leaders["due_at"]) == first_alert + timedelta(hours=2)  # not overdue on arrival
    # the public response clock keeps its start: the earlier of event time and first detection
    response = _deadlines(alert)["response"]
    assert datetime.fromisoformat(response["starts_at"]) <= T0 + timedelta(minutes=5)

    rise = first_alert + timedelta(hours=4)
    _index(store, reposts[15:45])
    AlertEngine(store, notifier=recorder).cycle(rise)
    store.refresh("alerts")
    (alert,) = store.scan("alerts")
    assert alert["level"] == "Ⅱ"
    deadlines = _deadlines(alert)
    assert datetime.fromisoformat(deadlines["report_area_leaders"]["starts_at"]) == rise
    assert datetime.fromisoformat(deadlines["report_area_leaders"]["due_at"]) == rise + timedelta(hours=2)
    assert datetime.fromisoformat(deadlines["investigation_report"]["starts_at"]) == rise
    assert "report_leaders" in deadlines  # the report due at the first level stays on record
    assert alert["level_reached_at"] == {"Ⅲ": first_alert.isoformat(), "Ⅱ": rise.isoformat()}


def test_a_failing_channel_is_recorded_on_the_alert_as_not_delivered(store, reposts, tmp_path, receiver):
    from yuqing.notify import Dispatcher, load_config

    receiver.always(500, {"error": "down"})
    path = tmp_path / "notify.yaml"
    path.write_text(f"""\
retry:
  attempts: 2
  backoff_seconds: 0.05
  backoff_factor: 1
  timeout_seconds: 3
channels:
  hook:
    type: webhook
    url: {receiver.url}/hook
routes:
  - channels: [hook]
""", encoding="utf-8")
    dispatcher = Dispatcher(load_config(path))
    _index(store, reposts)
    report = AlertEngine(store, notifier=dispatcher).cycle(T0 + timedelta(hours=1))
    assert report.pushed == 1
    dispatcher.close(timeout=10)
    assert len(receiver.requests) == 2  # both attempts reached the receiver
    store.refresh("alerts")
    (alert,) = store.scan("alerts")
    (item,) = [n for n in alert["notifications"] if n["kind"] == "alert"]
    assert item["channel"] == "hook" and item["ok"] is False and "500" in item["error"]
    assert item["rank"] == alert["notified_rank"] == alert["level_rank"]


def test_an_alerts_title_stays_as_raised_while_newer_posts_retitle_the_event(store, reposts, recorder):
    _index(store, reposts[:15])
    AlertEngine(store, notifier=recorder).cycle(T0 + timedelta(minutes=30))
    store.refresh("alerts")
    (alert,) = store.scan("alerts")
    raised_title = alert["title"]
    later = copy.deepcopy(reposts[15:45])
    for post in later:  # titled central-media coverage: the event's title moves to it
        post.update(title="学校午餐安全谁来监管", media_level="中央", platform="新闻", source_kind="news",
                    cluster_id="cl-later",
                    content=f"评论{post['id']}：河西区梧桐路小学多名学生午餐后呕吐送医，疑似食物中毒，"
                            "学校食堂和供餐公司的食品安全谁来监管？")
    _index(store, later)
    AlertEngine(store, notifier=recorder).cycle(T0 + timedelta(hours=1))
    store.refresh("events")
    store.refresh("alerts")
    (event,) = store.scan("events")
    (alert,) = store.scan("alerts")
    assert event["title"] != raised_title  # the event follows its posts …
    assert alert["title"] == raised_title  # … the alert keeps the name it was raised with
    assert {n.title.split("】", 1)[1] for n in recorder.notices if n.kind == "alert"} == {raised_title}


def test_a_closed_alert_reopens_when_its_story_grows_again(store, reposts, recorder):
    # The demo's food-poisoning alert, closed at 102 posts, grew to 173 with central-media follow-ups
    # and nobody was told: a closed alert was never looked at again.
    from yuqing.alerts import workflow
    from yuqing.store import alerts as sa

    _index(store, reposts[:20])
    engine = AlertEngine(store, notifier=recorder)
    engine.cycle(T0 + timedelta(hours=1))
    store.refresh("alerts")
    (alert,) = store.scan("alerts")
    sa.update_doc(store, "alerts", alert["id"], {"status": "closed", "closed_post_count": 20,
                                                 "owner_unit": "食品安全监管处"}, refresh=True)
    pushed = len([n for n in recorder.notices if n.kind == "alert"])

    _index(store, reposts[20:30])  # ten more: below the 20 posts a reopening needs
    engine.cycle(T0 + timedelta(hours=2))
    assert workflow.get_alert(store, alert["id"])["status"] == "closed"

    _index(store, reposts[30:])  # thirty more since closing: 办结后舆情再起
    engine.cycle(T0 + timedelta(hours=3))
    again = workflow.get_alert(store, alert["id"])
    assert again["status"] == "new" and again["reopen_count"] == 1
    # At 50 posts the story also reaches the Ⅱ rule: a rise after closing reopens it as well.
    assert again["reopen_reason"] in ("办结后新增 30 条相关信息（办结时 20 条）", "办结后级别上升")
    notices = [n for n in recorder.notices if n.kind == "alert"]
    assert len(notices) == pushed + 1 and "办结后再起" in notices[-1].title
    assert f"重新打开：{again['reopen_reason']}" in notices[-1].text
    trail = workflow.audit_trail(store, alert["id"])
    assert [(r["action"], r["actor"]) for r in trail] == [("reopen", "系统")]
    # Confirming it hands it straight back to the unit that handled it.
    assert workflow.acknowledge(store, alert["id"], "press1")["status"] == "assigned"
