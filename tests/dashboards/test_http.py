"""Login, sessions, CSRF and role checks over real HTTP against the running app."""

from __future__ import annotations

import pytest
import requests

pytestmark = pytest.mark.usefixtures("dash_app")


def callback_body(output: str, inputs: list[dict], outputs: list[dict] | dict, changed: list[str],
                  state: list[dict] | None = None) -> dict:
    return {"output": output, "outputs": outputs, "inputs": inputs, "changedPropIds": changed, "state": state or []}


def settings_save(username: str) -> dict:
    """The body Dash's renderer posts when an admin clicks 保存账号 on the settings page."""
    return callback_body(
        "..settings-users.children...settings-message.children..",
        [{"id": "settings-save", "property": "n_clicks", "value": 1},
         {"id": "settings-disable", "property": "n_clicks", "value": None},
         {"id": "settings-enable", "property": "n_clicks", "value": None}],
        [{"id": "settings-users", "property": "children"}, {"id": "settings-message", "property": "children"}],
        ["settings-save.n_clicks"],
        [{"id": "settings-username", "property": "value", "value": username},
         {"id": "settings-password", "property": "value", "value": "another-pass-1"},
         {"id": "settings-role", "property": "value", "value": "admin"},
         {"id": "settings-unit", "property": "value", "value": None},
         {"id": "settings-name", "property": "value", "value": "越权"}])


def post_callback(session: requests.Session, url: str, body: dict, csrf: bool = True) -> requests.Response:
    headers = {"X-CSRFToken": session.cookies.get("_csrf_token", "")} if csrf else {}
    return session.post(f"{url}/_dash-update-component", json=body, headers=headers, timeout=20)


def test_pages_redirect_to_login_without_a_session(live_url):
    response = requests.get(f"{live_url}/explore", allow_redirects=False, timeout=10)
    assert response.status_code == 302
    assert response.headers["Location"].startswith("/login?next=/explore")


def test_callbacks_refuse_requests_without_a_session(live_url):
    response = requests.post(f"{live_url}/_dash-update-component", json=settings_save("x1"), timeout=10)
    assert response.status_code == 401


def test_wrong_password_is_refused_and_sets_no_session(login_as):
    session = login_as("analyst1", "wrong-password")
    assert session.login_status == 401
    assert "yuqing_session" not in session.cookies


def test_login_sets_httponly_session_and_readable_csrf_cookie(live_url):
    import re

    session = requests.Session()
    token = re.search(r'name="csrf" value="([^"]+)"', session.get(f"{live_url}/login").text).group(1)
    response = session.post(f"{live_url}/login", data={"csrf": token, "username": "analyst1",
                                                        "password": "correct-horse-42"}, allow_redirects=False)
    assert response.status_code == 302
    cookies = response.headers.get("Set-Cookie", "")
    assert "yuqing_session=" in cookies and "HttpOnly" in cookies.split("yuqing_session=")[1].split(",")[0] + cookies
    assert session.cookies.get("_csrf_token")


def test_login_form_without_its_token_is_refused(live_url):
    response = requests.post(f"{live_url}/login", data={"username": "admin1", "password": "correct-horse-42"},
                             allow_redirects=False, timeout=10)
    assert response.status_code == 401
    assert "yuqing_session" not in response.headers.get("Set-Cookie", "")


def test_login_never_redirects_to_another_host(live_url):
    import re

    session = requests.Session()
    token = re.search(r'name="csrf" value="([^"]+)"', session.get(f"{live_url}/login").text).group(1)
    response = session.post(f"{live_url}/login", data={"csrf": token, "username": "analyst1", "password":
                                                        "correct-horse-42", "next": "//evil.example/x"},
                            allow_redirects=False)
    assert response.headers["Location"] == "/"


def test_leader_cannot_run_the_admin_callback_by_posting_directly(login_as, live_url, dash_store):
    from yuqing import accounts

    leader = login_as("leader1")
    response = post_callback(leader, live_url, settings_save("sneaky1"))
    assert response.status_code == 403
    assert accounts.get_user(dash_store, "sneaky1") is None


def test_admin_runs_the_same_callback(login_as, live_url, dash_store):
    from yuqing import accounts

    admin = login_as("admin1")
    response = post_callback(admin, live_url, settings_save("viaadmin1"))
    assert response.status_code == 200, response.text
    assert accounts.get_user(dash_store, "viaadmin1").role == "admin"


def test_callback_without_csrf_header_is_refused(login_as, live_url, dash_store):
    from yuqing import accounts

    admin = login_as("admin1")
    response = post_callback(admin, live_url, settings_save("nocsrf1"), csrf=False)
    assert response.status_code == 403
    assert accounts.get_user(dash_store, "nocsrf1") is None


def test_callback_with_another_sessions_csrf_token_is_refused(login_as, live_url):
    admin, other = login_as("admin1"), login_as("admin1")
    response = admin.post(f"{live_url}/_dash-update-component", json=settings_save("crossed1"),
                          headers={"X-CSRFToken": other.cookies.get("_csrf_token")}, timeout=10)
    assert response.status_code == 403


def test_unregistered_callback_output_is_refused(login_as, live_url):
    admin = login_as("admin1")
    body = callback_body("made-up.children", [], {"id": "made-up", "property": "children"}, [])
    assert post_callback(admin, live_url, body).status_code == 403


def test_unit_member_cannot_search(login_as, live_url):
    body = callback_body(
        "..explore-summary.children...explore-results.children...explore-trend.figure..."
        "explore-keywords.figure...explore-top-sources.figure...explore-shown.data...explore-more.hidden..",
        [{"id": i, "property": p, "value": None} for i, p in [
            ("explore-go", "n_clicks"), ("explore-text", "value"), ("explore-dates", "start_date"),
            ("explore-dates", "end_date"), ("explore-sources", "value"), ("explore-levels", "value"),
            ("explore-categories", "value"), ("explore-regions", "value"), ("explore-sentiments", "value"),
            ("explore-statuses", "value")]],
        [{"id": i, "property": p} for i, p in [("explore-summary", "children"), ("explore-results", "children"),
                                               ("explore-trend", "figure"), ("explore-keywords", "figure"),
                                               ("explore-top-sources", "figure"), ("explore-shown", "data"),
                                               ("explore-more", "hidden")]],
        ["explore-go.n_clicks"])
    assert post_callback(login_as("unit1"), live_url, body).status_code == 403
    analyst = post_callback(login_as("analyst1"), live_url, body)
    assert analyst.status_code == 200 and "explore-results" in analyst.text


def test_logout_revokes_the_session(login_as, live_url):
    session = login_as("analyst1")
    assert session.get(f"{live_url}/_dash-layout", timeout=10).status_code == 200
    token = session.cookies.get("yuqing_session")
    session.get(f"{live_url}/logout", timeout=10)
    replay = requests.get(f"{live_url}/_dash-layout", cookies={"yuqing_session": token}, timeout=10)
    assert replay.status_code == 401


def test_password_change_ends_existing_sessions(login_as, live_url, dash_store):
    from yuqing import accounts

    accounts.add_user(dash_store, "rotate1", "first-password-1", "analyst")
    session = login_as("rotate1", "first-password-1")
    assert session.get(f"{live_url}/_dash-layout", timeout=10).status_code == 200
    accounts.set_password(dash_store, "rotate1", "second-password-2")
    assert session.get(f"{live_url}/_dash-layout", timeout=10).status_code == 401


def test_responses_carry_a_content_security_policy(login_as, live_url):
    page = login_as("analyst1").get(f"{live_url}/explore", timeout=10)
    policy = page.headers["Content-Security-Policy"]
    assert "script-src 'self' 'sha256-" in policy and "unsafe-inline" not in policy.split("style-src")[0]


def test_export_download_streams_the_search_result_for_allowed_roles(live_url, login_as, dash_store):
    import io

    from openpyxl import load_workbook

    from dashboards.pages import explore

    session = login_as("analyst1")
    response = session.get(f"{live_url}/export/posts.csv?q=预付卡&body=1", timeout=30)
    assert response.status_code == 200 and response.headers["Content-Type"].startswith("text/csv")
    assert response.headers["Content-Disposition"].startswith("attachment;") and "UTF-8''" in response.headers[
        "Content-Disposition"]
    assert response.content == explore.to_csv(explore.export_frame(dash_store, "预付卡", explore.build_filter(),
                                                                    body=True))
    sheet = load_workbook(io.BytesIO(session.get(f"{live_url}/export/posts.xlsx?q=预付卡", timeout=30).content)).active
    assert sheet["B1"].value == "标题" and sheet.max_row > 1
    assert session.get(f"{live_url}/export/posts.pdf", timeout=10).status_code == 404
    assert login_as("unit1").get(f"{live_url}/export/posts.csv", timeout=10).status_code == 403
    anonymous = requests.get(f"{live_url}/export/posts.csv", allow_redirects=False, timeout=10)
    assert anonymous.status_code == 302 and anonymous.headers["Location"].startswith("/login")
