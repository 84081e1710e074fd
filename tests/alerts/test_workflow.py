"""The response workflow on a stored alert: transitions, audit records, rejections."""

from __future__ import annotations

import pytest

from yuqing.alerts import workflow as wf
from yuqing.store import alerts as sa


def _alert(store, needs_response=True, **extra) -> dict:
    doc = {"id": "al-1", "event_id": "ev-1", "title": "测试事件", "level": "Ⅲ", "level_rank": 3, "color": "黄",
           "status": "new", "needs_response": needs_response, "rules": ["r"], "schemes": [], "silenced": False,
           "first_alerted_at": "2024-03-12T10:00:00+08:00", "post_count": 3,
           "deadlines": [{"kind": "response", "label": "回应关切", "due_at": "2024-03-14T10:00:00+08:00",
                          "met_at": None, "key": "k1"},
                         {"kind": "report_leaders", "label": "报告局领导", "due_at": "2024-03-12T12:00:00+08:00",
                          "met_at": None, "key": "k2"}], **extra}
    sa.put_doc(store, "alerts", doc)
    return doc


def test_full_workflow_with_audit(store):
    _alert(store)
    a = wf.acknowledge(store, "al-1", "张三", at="2024-03-12T10:30:00+08:00")
    assert a["status"] == "acknowledged"
    assert {d["kind"]: d["met_at"] for d in a["deadlines"]}["report_leaders"]
    a = wf.assign(store, "al-1", "张三", "食品安全监督管理处", "重大问题")
    assert (a["status"], a["owner_unit"]) == ("assigned", "食品安全监督管理处")
    a = wf.respond(store, "al-1", "李四", "发布权威信息", "http://gov.example/notice/1", at="2024-03-12T15:00:00+08:00")
    assert a["status"] == "responded" and a["responses"][0]["channel"] == "发布权威信息"
    assert {d["kind"]: d["met_at"] for d in a["deadlines"]}["response"].startswith("2024-03-12T15:00")
    a = wf.close(store, "al-1", "王五", "已办结")
    assert a["status"] == "closed" and wf.get_alert(store, "al-1")["status"] == "closed"
    trail = wf.audit_trail(store, "al-1")
    assert [r["action"] for r in trail] == ["acknowledge", "assign", "respond", "close"]
    assert trail[2]["actor"] == "李四" and trail[2]["details"]["reference"] == "http://gov.example/notice/1"


def test_invalid_transitions_are_rejected(store):
    _alert(store)
    with pytest.raises(wf.WorkflowError, match="不能交办"):
        wf.assign(store, "al-1", "张三", "办公室", "重大问题")
    with pytest.raises(wf.WorkflowError, match="不能办结"):
        wf.close(store, "al-1", "张三")
    wf.acknowledge(store, "al-1", "张三")
    with pytest.raises(wf.WorkflowError, match="不能确认"):
        wf.acknowledge(store, "al-1", "张三")
    with pytest.raises(wf.WorkflowError, match="处置类型无效"):
        wf.assign(store, "al-1", "张三", "办公室", "随便")
    with pytest.raises(wf.WorkflowError, match="预警不存在"):
        wf.acknowledge(store, "al-none", "张三")
    wf.assign(store, "al-1", "张三", "办公室", "重大问题")
    with pytest.raises(wf.WorkflowError, match="回应渠道无效"):
        wf.respond(store, "al-1", "张三", "微博", "x")
    assert [r["action"] for r in wf.audit_trail(store, "al-1")] == ["acknowledge", "assign"]


def test_false_information_needs_handover_before_close(store):
    _alert(store)
    wf.acknowledge(store, "al-1", "张三")
    wf.assign(store, "al-1", "张三", "办公室", "虚假和不实信息")
    wf.respond(store, "al-1", "张三", "接受媒体采访", "报道链接")
    with pytest.raises(wf.WorkflowError, match="移交"):
        wf.close(store, "al-1", "张三")
    a = wf.record_handover(store, "al-1", "张三", "市公安局网安支队", "移交函〔2024〕3号")
    assert a["handover"]["receiver"] == "市公安局网安支队"
    assert wf.close(store, "al-1", "张三")["status"] == "closed"


def test_handover_only_for_false_information(store):
    _alert(store)
    wf.acknowledge(store, "al-1", "张三")
    wf.assign(store, "al-1", "张三", "办公室", "实际困难")
    with pytest.raises(wf.WorkflowError, match="只有处置类型"):
        wf.record_handover(store, "al-1", "张三", "公安", "x")


def test_list_most_urgent_first_and_silence(store):
    _alert(store)
    sa.put_doc(store, "alerts", {**_alert(store), "id": "al-2", "event_id": "ev-2", "level": "Ⅱ", "level_rank": 2,
                                 "color": "橙"})
    store.refresh("alerts")
    assert [a["id"] for a in wf.list_alerts(store)] == ["al-2", "al-1"]
    wf.silence(store, "al-2", "张三")
    store.refresh("alerts")
    assert [a["id"] for a in wf.list_alerts(store)] == ["al-1"]
    assert [a["id"] for a in wf.list_alerts(store, include_silenced=True)] == ["al-2", "al-1"]
    assert [a["id"] for a in wf.list_alerts(store, levels=["Ⅱ"], include_silenced=True)] == ["al-2"]


def test_alert_without_response_closes_with_a_note(store):
    _alert(store, needs_response=False)
    with pytest.raises(wf.WorkflowError, match="办结说明"):
        wf.close(store, "al-1", "张三")
    assert wf.close(store, "al-1", "张三", note="仅供参考，无需回应")["status"] == "closed"


def test_concurrent_steps_lose_nothing(store):
    """Responses and delivery records written at the same time from several threads are all kept."""
    from concurrent.futures import ThreadPoolExecutor

    _alert(store)
    wf.acknowledge(store, "al-1", "张三")
    wf.assign(store, "al-1", "张三", "办公室", "重大问题")

    def respond(i: int) -> None:
        wf.respond(store, "al-1", f"人{i}", "接受媒体采访", f"报道{i}")

    def deliver(i: int) -> None:
        sa.append_item(store, "alerts", "al-1", "notifications", {"channel": f"c{i}", "ok": True})

    with ThreadPoolExecutor(max_workers=6) as pool:
        list(pool.map(lambda f: f[0](f[1]), [(respond, i) for i in range(3)] + [(deliver, i) for i in range(3)]))
    alert = wf.get_alert(store, "al-1")
    assert sorted(r["reference"] for r in alert["responses"]) == ["报道0", "报道1", "报道2"]
    assert sorted(n["channel"] for n in alert["notifications"]) == ["c0", "c1", "c2"]
    assert [r["action"] for r in wf.audit_trail(store, "al-1")].count("respond") == 3


def test_a_rise_after_acknowledgement_is_reported_by_acknowledging_again(store, enricher, repost_records):
    """Yellow → orange after the press officer confirmed: the new report deadline can be met."""
    import copy
    from datetime import datetime, timedelta

    from analysis.workdays import SHANGHAI
    from yuqing.alerts import scorecard
    from yuqing.alerts.engine import AlertEngine

    t0 = datetime(2024, 3, 12, 13, 0, tzinfo=SHANGHAI)
    posts = enricher.enrich(copy.deepcopy(repost_records))
    assert not store.index_posts(posts[:15], refresh=True).failed
    engine = AlertEngine(store)
    engine.cycle(t0 + timedelta(minutes=30))
    store.refresh("alerts")
    (alert,) = store.scan("alerts")
    assert alert["level"] == "Ⅲ"
    wf.acknowledge(store, alert["id"], "张三", at=t0 + timedelta(minutes=40))
    wf.assign(store, alert["id"], "张三", "食品安全监督管理处", "重大问题", at=t0 + timedelta(minutes=50))
    with pytest.raises(wf.WorkflowError, match="不能确认"):  # nothing left to report at this level
        wf.acknowledge(store, alert["id"], "张三")

    assert not store.index_posts(posts[15:45], refresh=True).failed
    rise = t0 + timedelta(hours=1)
    engine.cycle(rise)
    raised = wf.get_alert(store, alert["id"])
    assert (raised["level"], raised["status"]) == ("Ⅱ", "assigned")
    assert [d["kind"] for d in wf.unreported(raised)] == ["report_area_leaders"]

    reported = rise + timedelta(minutes=30)
    after = wf.acknowledge(store, alert["id"], "李四", at=reported)
    assert after["status"] == "assigned"  # confirming the new level does not move the workflow back
    assert after["acknowledged_at"] == raised["acknowledged_at"]
    met = {d["kind"]: d["met_at"] for d in after["deadlines"]}
    assert met["report_area_leaders"] == reported.isoformat()
    assert wf.unreported(wf.get_alert(store, alert["id"])) == []
    trail = wf.audit_trail(store, alert["id"])
    assert [r["action"] for r in trail] == ["acknowledge", "assign", "acknowledge"]
    assert trail[-1]["actor"] == "李四"
    assert trail[-1]["details"]["reported"] == ["report_area_leaders"] and trail[-1]["details"]["level"] == "Ⅱ"

    store.refresh("alerts")
    (food,) = scorecard(store, t0 - timedelta(days=1), rise + timedelta(days=1))
    assert food.late_report == 0
    assert food.on_time_rate("report_area_leaders") == 1.0 and food.on_time_rate("report_leaders") == 1.0
    assert sorted(food.report_hours) == [pytest.approx(10 / 60), pytest.approx(0.5)]  # from the alert, the rise


def test_acknowledging_a_closed_alert_is_refused_even_with_a_report_pending(store):
    _alert(store, needs_response=False, status="closed")
    with pytest.raises(wf.WorkflowError, match="不能确认"):
        wf.acknowledge(store, "al-1", "张三")
