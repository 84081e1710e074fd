"""The engine against the real node: reposts are one event, restarts lose and re-send nothing."""

from __future__ import annotations

import copy
import json
from datetime import datetime, timedelta

import pytest

from analysis.workdays import SHANGHAI
from yuqing.alerts.engine import AlertEngine
from yuqing.sandbox import build_world
from yuqing.sandbox.export import export_records

T0 = datetime(2024, 3, 12, 13, 0, tzinfo=SHANGHAI)


def _reposts(n: int = 50) -> list[dict]:
    base = "河西区梧桐路小学今天中午多名学生午餐后出现呕吐、腹痛，数十名学生被送医，家长怀疑食物中毒，供餐公司是谁？"
    comments = ["转发", "太吓人了", "希望尽快查清", "心疼孩子", "等官方通报"]
    return [{"id": f"rp{i:02d}", "source": "sandbox_social", "source_kind": "social", "platform": "社交媒体",
             "media_level": "自媒体", "url": f"http://127.0.0.1/s/{i}", "title": "",
             "content": f"{comments[i % 5]}//@河西宝妈圈：{base}",
             "published_at": (T0 + timedelta(minutes=i)).isoformat(),
             "region": {"province": "天津市", "city": "天津市", "district": "河西区", "path": "天津市/河西区"}}
            for i in range(n)]


@pytest.fixture(scope="module")
def reposts(enricher) -> list[dict]:
    """The fifty reposts, enriched once for the module (tests index copies)."""
    return enricher.enrich(_reposts())


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
    assert len([n for n in recorder.notices if n.kind == "alert"]) == 1


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
    assert json.dumps(recorder.notices) == "[]"
