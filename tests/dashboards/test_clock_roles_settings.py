"""The shared clock, each role's landing page and navbar, and schemes/rules edited in 设置 (validated, .bak)."""

from __future__ import annotations

import re
import time
from pathlib import Path
from types import SimpleNamespace

import flask
import pytest

pytestmark = pytest.mark.usefixtures("dash_app")
DASHBOARDS = Path(__file__).resolve().parents[2] / "dashboards"
SIMULATED = "start=2024-03-12T09:00:00+08:00;anchor={anchor};speed=1"


# --------------------------------------------------------------------------- one clock
def test_no_wall_clock_reads_in_dashboards():
    offenders = [f"{path.relative_to(DASHBOARDS)}:{n}" for path in DASHBOARDS.rglob("*.py")
                 for n, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1)
                 if re.search(r"datetime\.now\(|datetime\.utcnow\(|date\.today\(|time\.time\(", line)]
    assert offenders == []


def test_countdowns_follow_the_simulated_clock(dash_app, monkeypatch):
    """With YUQING_CLOCK set (as in the demo), the 预警 list is computed at the simulated time."""
    from dashboards.pages import alerts
    from yuqing.accounts import User

    monkeypatch.setenv("YUQING_CLOCK", SIMULATED.format(anchor=time.time()))
    with dash_app.server.test_request_context("/_dash-update-component", method="POST"):
        flask.g.yuqing_session = SimpleNamespace(user=User("press1", "press"))
        items, updated = alerts.refresh(None, 0, 0, [])
    assert "更新于 2024-03-12 09:0" in updated
    # the red alert was first raised six (real) hours ago: seen from March 2024 its clocks are far from due
    red = next(i for i in items if getattr(i, "id", "") == "alerts-item-a-red")
    assert "overdue" not in red.className


def test_explore_and_digest_open_on_the_simulated_day(dash_app, monkeypatch):
    from dashboards.pages import digest, explore
    from yuqing.accounts import User

    monkeypatch.setenv("YUQING_CLOCK", SIMULATED.format(anchor=time.time()))
    with dash_app.server.test_request_context("/explore"):
        flask.g.yuqing_session = SimpleNamespace(user=User("analyst1", "analyst"))
        page = explore.layout()
        picker = _find(page, "explore-dates")
        assert (picker.start_date, picker.end_date) == ("2024-02-12", "2024-03-12")
        assert _find(digest.layout(), "digest-day").date == "2024-03-11"  # 09:00: yesterday's digest


def _find(component, component_id):
    if getattr(component, "id", None) == component_id:
        return component
    children = getattr(component, "children", None)
    for child in children if isinstance(children, list) else [children] if children is not None else []:
        found = _find(child, component_id)
        if found is not None:
            return found
    return None


# --------------------------------------------------------------------------- landing and navbar
@pytest.mark.parametrize(("username", "home"), [("leader1", "/digest"), ("press1", "/alerts"),
                                                ("analyst1", "/explore"), ("unit1", "/alerts"),
                                                ("admin1", "/alerts")])
def test_each_role_lands_on_its_page(login_as, live_url, username, home):
    response = login_as(username).get(f"{live_url}/", allow_redirects=False, timeout=10)
    assert response.status_code == 302 and response.headers["Location"] == home


def test_navbar_order_suits_each_role():
    from dashboards import auth
    from yuqing.accounts import User

    def names(role):
        return [auth.page_key(p) for p in auth.nav_pages(User("x", role, unit="u" if role == "unit" else None))]

    assert names("leader")[:2] == ["digest", "scorecard"] and "settings" not in names("leader")
    assert names("press")[0] == "alerts" and names("analyst")[0] == "explore"
    assert names("unit") == ["alerts", "boards"]
    assert names("admin")[-1] == "settings"
    assert all("event" not in names(role) for role in ("leader", "press", "analyst", "unit", "admin"))


def test_notice_links_are_served(login_as, live_url):
    from dashboards.pages import alerts

    press = login_as("press1")
    for path in ("/alerts/a-orange", "/alerts?id=a-orange", "/event/ev-food", "/event?id=ev-food"):
        assert press.get(f"{live_url}{path}", allow_redirects=False, timeout=10).status_code == 200, path
    assert alerts.selection_title(None, "a-none") == "预警不存在：a-none"
    assert alerts.selection_title({"title": "标题", "status": "new"}, "x") == "当前：标题（新预警）"


def test_alerts_layout_preselects_the_alert(dash_app):
    from dashboards.pages import alerts
    from yuqing.accounts import User

    with dash_app.server.test_request_context("/alerts/a-orange"):
        flask.g.yuqing_session = SimpleNamespace(user=User("press1", "press"))
        page = alerts.layout(alert_id="a-orange")
        assert _find(page, "alerts-selected").data == "a-orange"
        assert "连锁奶茶店" in _find(page, "alerts-selected-title").children
        missing = alerts.layout(id="a-none")
        assert _find(missing, "alerts-selected").data is None


# --------------------------------------------------------------------------- schemes and rules in 设置
def test_invalid_rules_are_rejected_with_file_and_line(config_root):
    from dashboards.pages import settings

    original = (config_root / "config" / "rules.yaml").read_text(encoding="utf-8")
    broken = original.replace("type: incident_lexicon", "type: no_such_rule", 1)
    line = broken.splitlines().index(next(s for s in broken.splitlines() if "no_such_rule" in s)) + 1
    ok, message = settings.save_config("rules", broken)
    assert not ok and message.startswith("校验未通过，未保存：config/rules.yaml:")
    assert f"config/rules.yaml:{line}:" in message and "未知的规则类型" in message
    assert (config_root / "config" / "rules.yaml").read_text(encoding="utf-8") == original
    assert not (config_root / "config" / "rules.yaml.bak").exists()


def test_yaml_syntax_errors_name_the_line(config_root):
    from dashboards.pages import settings
    from yuqing.errors import ConfigError

    with pytest.raises(ConfigError, match=r"^config/schemes\.yaml:2: YAML 语法错误"):
        settings.check_config("schemes", "schemes: [\n")
    with pytest.raises(ConfigError, match="内容为空"):
        settings.check_config("rules", "  \n")


def test_removing_a_scheme_that_rules_use_is_rejected(config_root):
    from dashboards.pages import settings
    from yuqing.errors import ConfigError

    rules = (config_root / "config" / "rules.yaml").read_text(encoding="utf-8")
    if "scheme" not in rules.split("rules:", 1)[1]:
        pytest.skip("no rule of config/rules.yaml names a scheme")
    with pytest.raises(ConfigError, match=r"config/rules\.yaml:\d+"):
        settings.check_config("schemes", "version: 1\nschemes: []\n")


def test_valid_rules_are_saved_and_the_old_file_kept(config_root):
    from analysis import rules as rule_config
    from dashboards.pages import settings

    path = config_root / "config" / "rules.yaml"
    original = path.read_text(encoding="utf-8")
    changed = original.replace("escalate_after: 5", "escalate_after: 4", 1)
    assert changed != original
    ok, message = settings.save_config("rules", changed)
    assert ok and "已保存 config/rules.yaml" in message
    assert path.read_text(encoding="utf-8") == changed
    assert (config_root / "config" / "rules.yaml.bak").read_text(encoding="utf-8") == original
    schemes = rule_config.load_schemes(config_root / "config" / "schemes.yaml")
    assert rule_config.load_rules(path, schemes=schemes).levels.escalate_after == 4


def config_body(kind: str, text: str) -> dict:
    return {"output": "..settings-config-message.children...settings-config-message.className..",
            "outputs": [{"id": "settings-config-message", "property": "children"},
                        {"id": "settings-config-message", "property": "className"}],
            "inputs": [{"id": "settings-config-check", "property": "n_clicks", "value": None},
                       {"id": "settings-config-save", "property": "n_clicks", "value": 1}],
            "state": [{"id": "settings-config-kind", "property": "value", "value": kind},
                      {"id": "settings-config-text", "property": "value", "value": text}],
            "changedPropIds": ["settings-config-save.n_clicks"]}


@pytest.mark.parametrize("username", ["analyst1", "leader1", "press1"])
def test_only_admins_can_save_rules(login_as, live_url, config_root, username):
    path = config_root / "config" / "rules.yaml"
    original = path.read_text(encoding="utf-8")
    session = login_as(username)
    response = session.post(f"{live_url}/_dash-update-component",
                            json=config_body("rules", original.replace("escalate_after: 5", "escalate_after: 1")),
                            headers={"X-CSRFToken": session.cookies.get("_csrf_token")}, timeout=20)
    assert response.status_code == 403
    assert path.read_text(encoding="utf-8") == original


def test_admin_saving_invalid_rules_gets_the_error_and_nothing_changes(login_as, live_url, config_root):
    path = config_root / "config" / "rules.yaml"
    original = path.read_text(encoding="utf-8")
    admin = login_as("admin1")
    response = admin.post(f"{live_url}/_dash-update-component",
                          json=config_body("rules", original.replace("level: Ⅱ", "level: Ⅴ", 1)),
                          headers={"X-CSRFToken": admin.cookies.get("_csrf_token")}, timeout=20)
    assert response.status_code == 200, response.text
    shown = response.json()["response"]["settings-config-message"]
    assert re.match(r"校验未通过，未保存：config/rules\.yaml:\d+: ", shown["children"])
    assert "error" in shown["className"]
    assert path.read_text(encoding="utf-8") == original
