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
