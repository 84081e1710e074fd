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
    closed = wf.close(store, "al-1", "张三", note="仅供参考，无需回应")
    assert closed["status"] == "closed"
    assert closed["closed_post_count"] == 3  # the size the engine measures a resurgence against


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


def _investigated(store) -> dict:
    """A Ⅱ alert with an investigation-report duty, acknowledged, assigned and responded to."""
    doc = _alert(store, level="Ⅱ", level_rank=2, color="橙")
    doc["deadlines"] = doc["deadlines"] + [{"kind": "investigation_report", "label": "报送核实调查报告",
                                            "due_at": "2024-03-14T23:59:00+08:00", "met_at": None, "key": "k3"}]
    sa.put_doc(store, "alerts", doc)
    wf.acknowledge(store, "al-1", "张三", at="2024-03-12T10:30:00+08:00")
    wf.assign(store, "al-1", "张三", "办公室", "重大问题")
    wf.respond(store, "al-1", "李四", "发布权威信息", "http://gov.example/notice/1", at="2024-03-12T15:00:00+08:00")
    return doc


def test_closing_does_not_mark_the_investigation_report_done(store):
    _investigated(store)
    closed = wf.close(store, "al-1", "王五", "已办结", at="2024-03-12T16:00:00+08:00")
    report = {d["kind"]: d for d in closed["deadlines"]}["investigation_report"]
    assert closed["status"] == "closed" and report["met_at"] is None
    assert wf.get_alert(store, "al-1")["deadlines"][-1]["met_at"] is None
    assert wf.audit_trail(store, "al-1")[-1]["details"]["unmet"] == ["报送核实调查报告"]
    assert [d["label"] for d in wf.unmet_duties(closed)] == ["报送核实调查报告"]
    # the report can still be recorded afterwards, and then it is met (late or not) with its reference
    done = wf.report_investigation(store, "al-1", "王五", "津市监〔2024〕12号", at="2024-03-13T09:00:00+08:00")
    assert {d["kind"]: d["met_at"] for d in done["deadlines"]}["investigation_report"].startswith("2024-03-13T09:00")
    assert done["status"] == "closed"
    trail = wf.audit_trail(store, "al-1")
    assert trail[-1]["action"] == "investigation_report" and trail[-1]["details"]["reference"] == "津市监〔2024〕12号"
    with pytest.raises(wf.WorkflowError, match="已报送"):
        wf.report_investigation(store, "al-1", "王五", "津市监〔2024〕13号")


def test_investigation_report_only_where_required(store):
    _alert(store)
    wf.acknowledge(store, "al-1", "张三")
    with pytest.raises(wf.WorkflowError, match="没有报送核实调查报告的要求"):
        wf.report_investigation(store, "al-1", "张三", "津市监〔2024〕12号")


@pytest.mark.parametrize("unit, message", [
    ("单" * 51, "责任单位过长：最多 50 个字符"),
    ("<b>食品处</b>", "责任单位不能包含"),
    ("食品处\n办公室", "责任单位不能包含"),
    ("   ", "缺少责任单位"),
    ("javascript:alert(1)", "应是单位名称，不能是网址"),  # it was plain text, but read 建议javascript:… in the 日报
    ("https://gov.example/unit", "应是单位名称，不能是网址"),
    ("www.example.cn", "应是单位名称，不能是网址"),
])
def test_assign_rejects_bad_unit_names(store, unit, message):
    _alert(store, status="acknowledged")
    with pytest.raises(wf.WorkflowError, match=message):
        wf.assign(store, "al-1", "张三", unit, "重大问题")
    assert wf.audit_trail(store, "al-1") == []


def test_assign_without_a_type_asks_for_one_and_messages_name_the_title(store):
    _alert(store, status="acknowledged")
    with pytest.raises(wf.WorkflowError) as caught:
        wf.assign(store, "al-1", "张三", "办公室", None)
    assert str(caught.value).startswith("请选择处置类型") and "None" not in str(caught.value)
    with pytest.raises(wf.WorkflowError) as caught:
        wf.close(store, "al-1", "张三")
    assert "预警「测试事件」当前为「已确认」" in str(caught.value) and "al-1" not in str(caught.value)
    assert len(wf.assign(store, "al-1", "张三", "单" * 50, "重大问题")["owner_unit"]) == 50  # the limit itself


@pytest.mark.parametrize("reference", ["javascript:alert(document.cookie)", "JavaScript:alert(1)",
                                       "data:text/html,<script>x</script>", "http:no-host", "x" * 501,
                                       "https://gov.example/a\nb"])
def test_respond_accepts_only_http_links_or_document_numbers(store, reference):
    _alert(store, status="assigned")
    with pytest.raises(wf.WorkflowError, match="回应的链接或文号"):
        wf.respond(store, "al-1", "李四", "发布权威信息", reference)
    assert not wf.get_alert(store, "al-1").get("responses") and wf.audit_trail(store, "al-1") == []


def test_respond_keeps_links_and_document_numbers(store):
    _alert(store, status="assigned")
    a = wf.respond(store, "al-1", "李四", "发布权威信息", "HTTPS://scjg.example.gov.cn/notice/1")
    a = wf.respond(store, "al-1", "李四", "新闻发布会", "津市监〔2024〕12号")
    assert [r["reference"] for r in a["responses"]] == ["HTTPS://scjg.example.gov.cn/notice/1", "津市监〔2024〕12号"]
    with pytest.raises(wf.WorkflowError, match="请选择回应渠道"):
        wf.respond(store, "al-1", "李四", None, "津市监〔2024〕12号")


def test_close_note_is_limited(store):
    _alert(store, needs_response=False)
    with pytest.raises(wf.WorkflowError, match="办结说明过长：最多 2000 个字符"):
        wf.close(store, "al-1", "张三", note="说" * 2001)
    assert wf.close(store, "al-1", "张三", note="说" * 2000)["status"] == "closed"


def test_handover_receiver_and_reference_are_checked(store):
    _alert(store, status="assigned", handling_type=wf.FALSE_INFORMATION)
    with pytest.raises(wf.WorkflowError, match="接收单位.*过长"):
        wf.record_handover(store, "al-1", "李四", "局" * 51, "回执1")
    with pytest.raises(wf.WorkflowError, match="移交文号或回执无效"):
        wf.record_handover(store, "al-1", "李四", "市公安局网安支队", "javascript:alert(1)")
