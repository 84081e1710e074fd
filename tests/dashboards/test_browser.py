"""Real headless Chromium: log in, open each page, see its main element; screenshots; roles; injection."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from selenium.webdriver.common.by import By
from selenium.webdriver.common.keys import Keys
from selenium.webdriver.support import expected_conditions as EC
from selenium.webdriver.support.ui import WebDriverWait

SCREENSHOTS = Path(__file__).resolve().parents[2] / "docs" / "screenshots"
PASSWORD = "correct-horse-42"


def browser_login(browser, url: str, username: str) -> None:
    browser.delete_all_cookies()
    browser.get(f"{url}/login")
    browser.find_element(By.ID, "login-username").send_keys(username)
    browser.find_element(By.ID, "login-password").send_keys(PASSWORD, Keys.ENTER)
    WebDriverWait(browser, 20).until(EC.presence_of_element_located((By.ID, "app-nav")))


def open_page(browser, url: str, path: str, element_id: str, wait: float = 20):
    browser.get(f"{url}{path}")
    return WebDriverWait(browser, wait).until(EC.presence_of_element_located((By.ID, element_id)))


def shoot(browser, name: str) -> None:
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    browser.save_screenshot(str(SCREENSHOTS / f"{name}.png"))


def wait_text(browser, element_id: str, text: str, wait: float = 20) -> None:
    WebDriverWait(browser, wait).until(EC.text_to_be_present_in_element((By.ID, element_id), text))


def test_login_page_is_chinese_and_rejects_bad_password(browser, live_url):
    browser.delete_all_cookies()
    browser.get(f"{live_url}/explore")
    assert "/login" in browser.current_url
    browser.find_element(By.ID, "login-username").send_keys("analyst1")
    browser.find_element(By.ID, "login-password").send_keys("nope-nope-nope", Keys.ENTER)
    error = WebDriverWait(browser, 10).until(EC.presence_of_element_located((By.ID, "login-error")))
    assert error.text == "用户名或密码错误"
    shoot(browser, "login")


def test_explore_page_searches_and_highlights(browser, live_url):
    browser_login(browser, live_url, "analyst1")
    open_page(browser, live_url, "/explore?since=all", "explore-page")
    box = browser.find_element(By.ID, "explore-text")
    box.send_keys("预付卡", Keys.ENTER)
    WebDriverWait(browser, 20).until(lambda b: b.find_elements(By.CSS_SELECTOR, "#explore-results mark"))
    marks = {m.text for m in browser.find_elements(By.CSS_SELECTOR, "#explore-results mark")}
    assert marks & {"预付卡", "预付", "卡"}
    wait_text(browser, "explore-summary", "共")
    WebDriverWait(browser, 20).until(lambda b: b.find_elements(By.CSS_SELECTOR, "#explore-trend .bars, "
                                                                                   "#explore-trend .trace"))
    # the download links follow the form: the search text and the 含正文 box
    from urllib.parse import quote

    link = browser.find_element(By.ID, "explore-csv")
    WebDriverWait(browser, 20).until(lambda b: "q=" + quote("预付卡") in (link.get_attribute("href") or ""))
    browser.find_element(By.CSS_SELECTOR, "#explore-export-body input").click()
    WebDriverWait(browser, 20).until(lambda b: "body=1" in (link.get_attribute("href") or ""))
    assert "/export/posts.xlsx?" in browser.find_element(By.ID, "explore-xlsx").get_attribute("href")
    shoot(browser, "explore")


def test_crawled_script_and_onerror_show_as_text_and_never_run(browser, live_url):
    browser_login(browser, live_url, "analyst1")
    open_page(browser, live_url, "/explore?since=all", "explore-page")
    browser.find_element(By.ID, "explore-text").send_keys("注入测试", Keys.ENTER)
    wait_text(browser, "explore-results", "<script>window.__pwned=1</script>")
    results = browser.find_element(By.ID, "explore-results")
    assert '<img src=x onerror="window.__pwned=2">' in results.text
    assert "<script>window.__pwned=3</script>" in results.text or "正文里也有" in results.text
    assert not results.find_elements(By.TAG_NAME, "img")
    assert not results.find_elements(By.TAG_NAME, "script")
    assert browser.execute_script("return window.__pwned === undefined")
    # the javascript: URL of the post is not rendered as a link
    assert not [a for a in results.find_elements(By.TAG_NAME, "a")
                if (a.get_attribute("href") or "").startswith("javascript")]
    shoot(browser, "explore-injection")


def test_boards_page(browser, live_url):
    browser_login(browser, live_url, "press1")
    open_page(browser, live_url, "/boards", "boards-page")
    wait_text(browser, "boards-pending", "测试留言1")
    assert browser.find_element(By.ID, "boards-overdue").text != "0"
    shoot(browser, "boards")


def test_sources_page(browser, live_url):
    browser_login(browser, live_url, "analyst1")
    open_page(browser, live_url, "/sources", "sources-page")
    wait_text(browser, "sources-table", "津门日报")
    table = browser.find_element(By.ID, "sources-table").text
    assert "失败" in table and "HTTP 500×4，超时×2" in table
    shoot(browser, "sources")


def test_settings_page_for_admin(browser, live_url):
    browser_login(browser, live_url, "admin1")
    open_page(browser, live_url, "/settings", "settings-page")
    wait_text(browser, "settings-users", "leader1")
    shoot(browser, "settings")


def test_leader_sees_no_settings_link_and_is_refused_the_page(browser, live_url):
    browser_login(browser, live_url, "leader1")
    open_page(browser, live_url, "/boards", "boards-page")
    nav = browser.find_element(By.ID, "app-nav")
    WebDriverWait(browser, 10).until(lambda b: "留言板" in nav.text)
    assert "设置" not in nav.text
    open_page(browser, live_url, "/settings", "denied")
    assert not browser.find_elements(By.ID, "settings-page")
    assert "无权访问" in browser.find_element(By.ID, "denied").text


def test_alerts_page(browser, live_url):
    browser_login(browser, live_url, "press1")
    assert browser.current_url.endswith("/alerts")  # press officers land on 预警
    open_page(browser, live_url, "/alerts", "alerts-page")
    from dashboards.pages import alerts

    if alerts.workflow is None:
        assert browser.find_element(By.ID, "alerts-placeholder").text.startswith("预警模块尚未安装")
        shoot(browser, "alerts")
        return
    item = WebDriverWait(browser, 20).until(EC.presence_of_element_located((By.ID, "alerts-item-a-red")))
    assert "level-red" in item.get_attribute("class") and "overdue" in item.get_attribute("class")
    assert "已超时" in item.text
    wait_text(browser, "alerts-boards", "测试留言1")  # board reply clocks beside the alerts
    assert re.search(r"已超期 [1-9]\d* 条", browser.find_element(By.ID, "alerts-boards-summary").text)
    shoot(browser, "alerts")
    assert browser.find_element(By.ID, "alerts-close").text == "办结"  # press officers handle alerts
    status = '[id=\'{"index":"a-red","type":"alerts-status"}\']'
    assert browser.find_element(By.CSS_SELECTOR, status).text == "新预警"
    browser.find_element(By.CSS_SELECTOR, '[id=\'{"index":"a-red","type":"alerts-ack"}\']').click()
    WebDriverWait(browser, 20).until(lambda b: b.find_element(By.CSS_SELECTOR, status).text == "已确认")
    wait_text(browser, "alerts-message", "已确认")


CLOSE_BY_FETCH = """
const [alertId, done] = [arguments[0], arguments[arguments.length - 1]];
const token = (document.cookie.match(/(?:^|; )_csrf_token=([^;]*)/) || [])[1] || "";
const body = {output: "..alerts-message.children...alerts-changed.data..",
  outputs: [{id: "alerts-message", property: "children"}, {id: "alerts-changed", property: "data"}],
  inputs: [[], {id: "alerts-assign", property: "n_clicks", value: null},
           {id: "alerts-close", property: "n_clicks", value: 1}],
  state: [{id: "alerts-selected", property: "data", value: alertId},
          {id: "alerts-owner-unit", property: "value", value: null},
          {id: "alerts-handling-type", property: "value", value: null},
          {id: "alerts-note", property: "value", value: "越权办结"},
          {id: "alerts-changed", property: "data", value: 0}],
  changedPropIds: ["alerts-close.n_clicks"]};
fetch("/_dash-update-component", {method: "POST", credentials: "same-origin",
  headers: {"Content-Type": "application/json", "X-CSRFToken": decodeURIComponent(token)},
  body: JSON.stringify(body)})
  .then(r => done({status: r.status, token: token.length > 0}))
  .catch(e => done({status: -1, error: String(e)}));
"""


def test_leader_sees_alerts_without_action_buttons(browser, live_url, dash_store):
    from dashboards.pages import alerts

    if alerts.workflow is None:
        pytest.skip("the alerts workflow (yuqing.alerts.workflow) is not there yet")
    browser_login(browser, live_url, "leader1")
    open_page(browser, live_url, "/alerts", "alerts-page")
    WebDriverWait(browser, 20).until(EC.presence_of_element_located((By.ID, "alerts-item-a-orange")))
    assert not browser.find_elements(By.CSS_SELECTOR, "[id*=alerts-ack]")
    # no 处置 controls at all: no 办结 (or 交办, 记录回应) button, a read-only note instead
    for control in ("alerts-close", "alerts-assign", "alerts-respond", "alerts-handover", "alerts-note"):
        assert not browser.find_elements(By.ID, control)
    assert not [b for b in browser.find_elements(By.TAG_NAME, "button") if b.text.strip() in ("办结", "交办")]
    assert "只能查看" in browser.find_element(By.ID, "alerts-readonly").text
    # the server still refuses the close callback when the leader posts it anyway, with the page's token
    before = alerts.workflow.get_alert(dash_store, "a-orange")
    browser.set_script_timeout(20)
    result = browser.execute_async_script(CLOSE_BY_FETCH, "a-orange")
    assert result == {"status": 403, "token": True}
    assert alerts.workflow.get_alert(dash_store, "a-orange") == before
    assert alerts.workflow.audit_trail(dash_store, "a-orange") == []


def test_event_page(browser, live_url):
    browser_login(browser, live_url, "press1")
    open_page(browser, live_url, "/event/ev-food", "event-page")
    wait_text(browser, "event-posts", "相似")
    wait_text(browser, "event-record", "发布权威信息")
    assert browser.find_element(By.ID, "event-title").text == "某幼儿园多名儿童食物中毒送医"
    assert "回应前24小时" in browser.find_element(By.ID, "event-effect").text
    WebDriverWait(browser, 20).until(lambda b: b.find_elements(By.CSS_SELECTOR, "#event-timeline .bars"))
    shoot(browser, "event")


def test_leader_lands_on_the_digest_and_opens_the_scorecard(browser, live_url):
    browser_login(browser, live_url, "leader1")
    assert browser.current_url.endswith("/digest")
    nav = browser.find_element(By.ID, "app-nav")
    WebDriverWait(browser, 10).until(lambda b: "日报" in nav.text)
    assert nav.text.split()[:2] == ["日报", "考核"] and "设置" not in nav.text
    open_page(browser, live_url, "/digest?day=2024-03-12", "digest-page")
    wait_text(browser, "digest-document", "总体态势", wait=60)
    assert "舆情日报" in browser.find_element(By.ID, "digest-heading").text
    assert browser.find_elements(By.CSS_SELECTOR, "#digest-document img.digest-img")
    shoot(browser, "digest")
    open_page(browser, live_url, "/scorecard?since=2024-03-12&until=2024-03-16", "scorecard-page")
    wait_text(browser, "scorecard-table", "食品安全监管处")
    assert "处置不得力" in browser.find_element(By.ID, "scorecard-table").text
    shoot(browser, "scorecard")


def test_admin_sees_invalid_rules_rejected_with_file_and_line(browser, live_url, config_root):
    browser_login(browser, live_url, "admin1")
    open_page(browser, live_url, "/settings", "settings-page")
    browser.find_element(By.CSS_SELECTOR, "#settings-config-kind input[value=rules]").click()
    WebDriverWait(browser, 20).until(
        lambda b: "rules:" in (b.find_element(By.ID, "settings-config-text").get_attribute("value") or ""))
    editor = browser.find_element(By.ID, "settings-config-text")
    editor.send_keys(Keys.CONTROL, Keys.END)
    editor.send_keys("\n  - {name: 坏规则, type: no_such_rule, level: Ⅱ}\n")
    browser.find_element(By.ID, "settings-config-save").click()
    wait_text(browser, "settings-config-message", "校验未通过，未保存：config/rules.yaml:")
    assert "未知的规则类型" in browser.find_element(By.ID, "settings-config-message").text
    assert "坏规则" not in (config_root / "config" / "rules.yaml").read_text(encoding="utf-8")
    browser.execute_script("document.getElementById('settings-config-message').scrollIntoView()")
    shoot(browser, "settings-rules")
