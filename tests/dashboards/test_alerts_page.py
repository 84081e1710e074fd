"""预警 page: the list, unit scoping and the role-checked actions (through yuqing.alerts.workflow)."""

from __future__ import annotations

import json
from datetime import UTC, datetime

import pytest

pytest.importorskip("yuqing.alerts.workflow", reason="the alerts workflow (yuqing.alerts.workflow) is not there yet")
pytestmark = pytest.mark.usefixtures("dash_app")


def ack_body(alert_id: str) -> dict:
    pattern = {"index": alert_id, "type": "alerts-ack"}
    key = json.dumps(pattern, separators=(",", ":"), sort_keys=True)
    return {"output": "..alerts-message.children...alerts-changed.data..",
            "outputs": [{"id": "alerts-message", "property": "children"}, {"id": "alerts-changed", "property": "data"}],
            "inputs": [[{"id": pattern, "property": "n_clicks", "value": 1}],
                       {"id": "alerts-assign", "property": "n_clicks", "value": None},
                       {"id": "alerts-close", "property": "n_clicks", "value": None}],
            "state": [{"id": "alerts-selected", "property": "data", "value": None},
                      {"id": "alerts-owner-unit", "property": "value", "value": None},
                      {"id": "alerts-handling-type", "property": "value", "value": None},
                      {"id": "alerts-note", "property": "value", "value": None},
                      {"id": "alerts-changed", "property": "data", "value": 0}],
            "changedPropIds": [f"{key}.n_clicks"]}


def close_body(alert_id: str, note: str = "越权办结") -> dict:
    """The 办结 click as the renderer posts it (no 确认 buttons on the page)."""
    return {"output": "..alerts-message.children...alerts-changed.data..",
            "outputs": [{"id": "alerts-message", "property": "children"}, {"id": "alerts-changed", "property": "data"}],
            "inputs": [[], {"id": "alerts-assign", "property": "n_clicks", "value": None},
                       {"id": "alerts-close", "property": "n_clicks", "value": 1}],
            "state": [{"id": "alerts-selected", "property": "data", "value": alert_id},
                      {"id": "alerts-owner-unit", "property": "value", "value": None},
                      {"id": "alerts-handling-type", "property": "value", "value": None},
                      {"id": "alerts-note", "property": "value", "value": note},
                      {"id": "alerts-changed", "property": "data", "value": 0}],
            "changedPropIds": ["alerts-close.n_clicks"]}


def _ids(component) -> set[str]:
    """Every string id in a rendered component tree."""
    found = set()
    if isinstance(component, (list, tuple)):
        for child in component:
            found |= _ids(child)
        return found
    if getattr(component, "id", None) and isinstance(component.id, str):
        found.add(component.id)
    children = getattr(component, "children", None)
    if children is not None and not isinstance(children, str):
        found |= _ids(children)
    return found


@pytest.mark.parametrize(("role", "expected", "absent"), [
    ("press", {"alerts-assign", "alerts-close", "alerts-respond", "alerts-handover"}, {"alerts-readonly"}),
    ("admin", {"alerts-assign", "alerts-close", "alerts-respond"}, {"alerts-readonly"}),
    ("unit", {"alerts-respond", "alerts-handover", "alerts-reference"}, {"alerts-assign", "alerts-close"}),
    ("leader", {"alerts-readonly"}, {"alerts-assign", "alerts-close", "alerts-respond", "alerts-handover"}),
    ("analyst", {"alerts-readonly"}, {"alerts-assign", "alerts-close", "alerts-respond", "alerts-handover"}),
])
def test_action_controls_only_for_roles_that_may_use_them(role, expected, absent):
    from dashboards.pages import alerts
    from yuqing.accounts import User

    ids = _ids(alerts.action_controls(User(f"{role}1", role, unit="食品安全监管处" if role == "unit" else None)))
    assert expected <= ids and not (absent & ids)


def test_a_raised_alert_shows_confirm_rise_to_press_officers():
    from dashboards.pages import alerts

    raised = {"id": "a-up", "title": "升级", "level": "Ⅱ", "color": "橙", "status": "assigned",
              "deadlines": [{"kind": "report_area_leaders", "label": "报告区领导", "met_at": None,
                             "due_at": datetime.now(UTC).isoformat()}]}
    buttons = alerts.render_alert(raised, datetime.now(UTC), can_ack=True).children[0].children[1].children
    assert [b.children for b in buttons if isinstance(b.id, dict) and b.id["type"] == "alerts-ack"] == ["确认升级"]
    reported = {**raised, "deadlines": [{**raised["deadlines"][0], "met_at": datetime.now(UTC).isoformat()}]}
    buttons = alerts.render_alert(reported, datetime.now(UTC), can_ack=True).children[0].children[1].children
    assert not [b for b in buttons if isinstance(b.id, dict) and b.id["type"] == "alerts-ack"]
    buttons = alerts.render_alert(raised, datetime.now(UTC), can_ack=False).children[0].children[1].children
    assert not [b for b in buttons if isinstance(b.id, dict) and b.id["type"] == "alerts-ack"]


def test_list_is_ordered_by_urgency_and_units_see_their_own(dash_store):
    from dashboards.pages import alerts
    from yuqing.accounts import User

    everyone = alerts.visible_alerts(dash_store, User("press1", "press"))
    assert everyone[0]["id"] == "a-red"
    assert {a["id"] for a in everyone} >= {"a-red", "a-orange", "a-blue"}
    unit = alerts.visible_alerts(dash_store, User("unit1", "unit", unit="食品安全监管处"))
    assert [a["id"] for a in unit] == ["a-orange"]


def test_rendered_alert_is_red_and_overdue(dash_store):
    from dashboards.pages import alerts

    red = next(a for a in alerts.visible_alerts(dash_store, None) if a["id"] == "a-red")
    article = alerts.render_alert(red, datetime.now(UTC), can_ack=True)
    assert "level-red" in article.className and "overdue" in article.className
    assert any(r["state"] == "overdue" for r in alerts.deadline_rows(red, datetime.now(UTC)))


def test_unit_cannot_act_on_another_units_alert(dash_store):
    from dashboards.pages import alerts
    from yuqing.accounts import User
    from yuqing.alerts import workflow

    with pytest.raises(workflow.WorkflowError, match="未交办给本单位"):
        alerts.acting_on(dash_store, "a-red", User("unit1", "unit", unit="食品安全监管处"))
    assert alerts.acting_on(dash_store, "a-orange", User("unit1", "unit", unit="食品安全监管处"))["id"] == "a-orange"


def test_leader_cannot_acknowledge_by_posting_the_callback(login_as, live_url, dash_store):
    from yuqing.alerts import workflow

    leader = login_as("leader1")
    response = leader.post(f"{live_url}/_dash-update-component", json=ack_body("a-blue2"),
                           headers={"X-CSRFToken": leader.cookies.get("_csrf_token")}, timeout=20)
    assert response.status_code == 403
    assert workflow.get_alert(dash_store, "a-blue2")["status"] == "new"
    assert workflow.audit_trail(dash_store, "a-blue2") == []


def test_press_officer_acknowledges_through_the_callback(login_as, live_url, dash_store):
    from yuqing.alerts import workflow

    press = login_as("press1")
    response = press.post(f"{live_url}/_dash-update-component", json=ack_body("a-blue2"),
                          headers={"X-CSRFToken": press.cookies.get("_csrf_token")}, timeout=20)
    assert response.status_code == 200, response.text
    assert "已确认" in response.json()["response"]["alerts-message"]["children"]
    assert workflow.get_alert(dash_store, "a-blue2")["status"] == "acknowledged"
    trail = workflow.audit_trail(dash_store, "a-blue2")
    assert [(r["action"], r["actor"]) for r in trail] == [("acknowledge", "press1")]


def test_leader_cannot_close_by_posting_the_callback(login_as, live_url, dash_store):
    from yuqing.alerts import workflow

    before = workflow.get_alert(dash_store, "a-orange")
    leader = login_as("leader1")
    response = leader.post(f"{live_url}/_dash-update-component", json=close_body("a-orange"),
                           headers={"X-CSRFToken": leader.cookies.get("_csrf_token")}, timeout=20)
    assert response.status_code == 403
    assert workflow.get_alert(dash_store, "a-orange") == before
    assert workflow.audit_trail(dash_store, "a-orange") == []


def test_press_officer_closes_through_the_same_callback(login_as, live_url, dash_store):
    """The body above is what the renderer sends: a role that may close does close with it."""
    from yuqing.alerts import workflow
    from yuqing.store import alerts as sa

    sa.put_doc(dash_store, "alerts", {"id": "a-closeme", "event_id": "ev-a-closeme", "title": "仅供参考",
                                      "level": "Ⅳ", "level_rank": 4, "color": "蓝", "status": "new",
                                      "needs_response": False, "deadlines": [], "silenced": False})
    press = login_as("press1")
    response = press.post(f"{live_url}/_dash-update-component", json=close_body("a-closeme", note="无需回应"),
                          headers={"X-CSRFToken": press.cookies.get("_csrf_token")}, timeout=20)
    assert response.status_code == 200, response.text
    assert workflow.get_alert(dash_store, "a-closeme")["status"] == "closed"
    assert [r["action"] for r in workflow.audit_trail(dash_store, "a-closeme")] == ["close"]


def test_deadlines_are_listed_by_due_time_and_a_closed_alerts_unmet_duty_reads_unmet():
    from datetime import timedelta

    from dashboards.pages import alerts

    now = datetime(2024, 3, 12, 12, tzinfo=UTC)
    at = lambda hours: (now + timedelta(hours=hours)).isoformat()  # noqa: E731
    alert = {"id": "a-x", "title": "测试", "status": "responded", "deadlines": [
        {"kind": "investigation_report", "label": "报送核实调查报告", "due_at": at(60), "met_at": None},
        {"kind": "report_area_leaders", "label": "报告区领导", "due_at": at(-5), "met_at": at(-6)},
        {"kind": "press_conference", "label": "召开新闻发布会", "due_at": at(17), "met_at": None},
        {"kind": "authoritative_info", "label": "发布权威信息", "due_at": at(-2), "met_at": at(-1)}]}
    assert [r["label"] for r in alerts.deadline_rows(alert, now)] == [
        "报告区领导", "发布权威信息", "召开新闻发布会", "报送核实调查报告"]
    closed = {**alert, "status": "closed"}
    rows = {r["label"]: r for r in alerts.deadline_rows(closed, now)}
    assert rows["报送核实调查报告"]["state"] == "unmet" and rows["报送核实调查报告"]["text"].startswith("报送核实调查报告未完成")
    assert "剩余" not in rows["报送核实调查报告"]["text"] and rows["发布权威信息"]["state"] == "met_late"


def _picks(article) -> list:
    buttons = article.children[0].children[1].children
    return [b for b in buttons if isinstance(b.id, dict) and b.id["type"] == "alerts-pick"]


def test_closed_alerts_have_no_handle_button_unless_a_report_is_still_due():
    from dashboards.pages import alerts

    now = datetime.now(UTC)
    done = {"id": "a-done", "title": "已办结", "status": "closed", "deadlines": [
        {"kind": "response", "label": "回应关切", "due_at": now.isoformat(), "met_at": now.isoformat()}]}
    assert _picks(alerts.render_alert(done, now, can_ack=True)) == []
    owing = {**done, "deadlines": [{"kind": "investigation_report", "label": "报送核实调查报告",
                                    "due_at": now.isoformat(), "met_at": None}]}
    assert len(_picks(alerts.render_alert(owing, now, can_ack=True))) == 1
    assert len(_picks(alerts.render_alert({**done, "status": "assigned"}, now, can_ack=True))) == 1


def title_body(alert_id: str, changed: int) -> dict:
    """The 处置 panel title refresh as the renderer posts it after an action bumped alerts-changed."""
    return {"output": "alerts-selected-title.children",
            "outputs": {"id": "alerts-selected-title", "property": "children"},
            "inputs": [{"id": "alerts-selected", "property": "data", "value": alert_id},
                       {"id": "alerts-changed", "property": "data", "value": changed},
                       {"id": "alerts-changed-report", "property": "data", "value": 0},
                       {"id": "alerts-tick", "property": "n_intervals", "value": None}],
            "state": [], "changedPropIds": ["alerts-changed.data"]}


def test_panel_status_is_read_again_after_each_action(login_as, live_url, dash_store):
    from yuqing.alerts import workflow
    from yuqing.store import alerts as sa

    sa.put_doc(dash_store, "alerts", {"id": "a-panel", "event_id": "ev-panel", "title": "面板状态测试", "level": "Ⅲ",
                                      "level_rank": 3, "color": "黄", "status": "new", "needs_response": True,
                                      "rules": [], "schemes": [], "silenced": False, "deadlines": [],
                                      "first_alerted_at": datetime.now(UTC).isoformat()})
    press = login_as("press1")

    def panel(changed: int) -> str:
        response = press.post(f"{live_url}/_dash-update-component", json=title_body("a-panel", changed),
                              headers={"X-CSRFToken": press.cookies.get("_csrf_token")}, timeout=20)
        assert response.status_code == 200, response.text
        return response.json()["response"]["alerts-selected-title"]["children"]

    assert panel(0) == "当前：面板状态测试（新预警）"
    workflow.acknowledge(dash_store, "a-panel", "press1")
    assert panel(1) == "当前：面板状态测试（已确认）"
    workflow.assign(dash_store, "a-panel", "press1", "食品安全监管处", "重大问题")
    assert panel(2) == "当前：面板状态测试（已交办）"
    sa.delete_doc(dash_store, "alerts", "a-panel")  # the shared store also feeds docs/screenshots/alerts.png


def test_silence_mutes_pushes_but_keeps_the_alert_on_the_list_marked(login_as, live_url, dash_store):
    # Silencing existed only in the CLI, and a silenced alert vanished from the dashboard list for
    # good (even after its silence lapsed) although its clocks still ran.
    from dashboards.pages import alerts
    from yuqing.alerts import workflow
    from yuqing.store import alerts as sa

    sa.put_doc(dash_store, "alerts", {"id": "a-mute", "event_id": "ev-mute", "title": "静默测试", "level": "Ⅲ",
                                      "level_rank": 3, "color": "黄", "status": "acknowledged",
                                      "needs_response": True, "rules": [], "schemes": [], "silenced": False,
                                      "deadlines": [], "first_alerted_at": datetime.now(UTC).isoformat()},
               refresh=True)
    press = login_as("press1")
    headers = {"X-CSRFToken": press.cookies.get("_csrf_token")}
    dependencies = press.get(f"{live_url}/_dash-dependencies", timeout=20).json()
    (mute,) = [d for d in dependencies if any(i["id"] == "alerts-silence" for i in d["inputs"])]

    def click(button: str, hours=24) -> str:
        body = {"output": mute["output"], "outputs": _outputs(mute),
                "inputs": [{"id": "alerts-silence", "property": "n_clicks", "value": 1 if button == "silence" else None},
                           {"id": "alerts-unsilence", "property": "n_clicks", "value": 1 if button == "unsilence" else None}],
                "state": [{"id": "alerts-selected", "property": "data", "value": "a-mute"},
                          {"id": "alerts-silence-for", "property": "value", "value": hours},
                          {"id": "alerts-changed", "property": "data", "value": 0}],
                "changedPropIds": [f"alerts-{button}.n_clicks"]}
        response = press.post(f"{live_url}/_dash-update-component", json=body, headers=headers, timeout=20)
        assert response.status_code == 200, response.text
        return str(response.json()["response"])

    assert "已静默推送" in click("silence", 4)
    alert = workflow.get_alert(dash_store, "a-mute")
    assert alert["silenced"] and alert["silenced_until"]
    dash_store.refresh("alerts")
    listed = {a["id"]: a for a in alerts.visible_alerts(dash_store, None)}
    assert "a-mute" in listed
    card = alerts.render_alert(listed["a-mute"], datetime.now(UTC), can_ack=True)
    assert any(isinstance(i, dict) and i.get("type") == "alerts-silenced" for i in _all_ids(card))
    assert "已取消静默" in click("unsilence")
    assert workflow.get_alert(dash_store, "a-mute")["silenced"] is False
    assert "没有静默" in click("unsilence")
    assert [r["action"] for r in workflow.audit_trail(dash_store, "a-mute")] == ["silence", "unsilence"]
    sa.delete_doc(dash_store, "alerts", "a-mute")  # the shared store also feeds docs/screenshots/alerts.png


def _outputs(dependency: dict) -> list[dict]:
    """The outputs list the renderer posts for a multi-output callback (ids with their @hash suffix)."""
    parts = dependency["output"].strip(".").split("...")
    return [{"id": part.rsplit(".", 1)[0], "property": part.rsplit(".", 1)[1]} for part in parts]


def _all_ids(component) -> list:
    found = []
    if component is None or isinstance(component, (str, int, float)):
        return found
    if isinstance(component, (list, tuple)):
        for child in component:
            found += _all_ids(child)
        return found
    if getattr(component, "id", None) is not None:
        found.append(component.id)
    found += _all_ids(getattr(component, "children", None))
    return found
