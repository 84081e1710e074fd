"""Dashboard fixtures: one store with sandbox posts, accounts for every role, one app served on a free
port, and one headless Chromium for the whole session."""

from __future__ import annotations

import shutil
import socket
import tempfile
import threading
import uuid
from datetime import UTC, datetime, timedelta

import pytest

from yuqing import accounts

PASSWORD = "correct-horse-42"
USERS = {  # username → (role, unit)
    "press1": ("press", None),
    "analyst1": ("analyst", None),
    "leader1": ("leader", None),
    "unit1": ("unit", "食品安全监管处"),
    "admin1": ("admin", None),
}
INJECTION_TITLE = '注入测试<script>window.__pwned=1</script><img src=x onerror="window.__pwned=2">预付卡'
INJECTION_CONTENT = ('正文里也有<script>window.__pwned=3</script>和<img src=x onerror="window.__pwned=4">，'
                     '商家卷走预付卡余额。')


def board_post(n: int, *, channel: str, status: str, days_ago: float, addressee: str, now: datetime,
               reply_after_h: float | None = None) -> dict:
    posted = now - timedelta(days=days_ago)
    board = {"post_id": f"jb{n}", "channel": channel, "addressee": addressee, "status": status, "type": "投诉"}
    if reply_after_h is not None:
        board.update(reply_at=(posted + timedelta(hours=reply_after_h)).isoformat(), reply_unit=addressee,
                     reply="已处理。")
    return {"id": f"jboard{n}", "url": f"http://127.0.0.1:8765/board/j{n}.html", "source": "test_board",
            "source_name": "测试留言板", "source_kind": "board_html", "platform": "留言板", "media_level": "市级",
            "title": f"测试留言{n}：小区电梯长期故障无人修", "content": "电梯坏了一个月，物业不管，请市场监管部门督促维修。",
            "published_at": posted.isoformat(), "categories": ["特种设备"], "board": board,
            "sentiment": {"score": 0.1, "label": "neg", "model": "test"}}


def crawl_runs(now: datetime) -> list[dict]:
    runs = []
    for n in range(3):
        at = now - timedelta(hours=1 + 2 * n)
        runs.append({"id": f"run-news-{n}", "source": "sandbox_news", "source_name": "津门日报", "source_kind": "news",
                     "started_at": at.isoformat(), "finished_at": (at + timedelta(seconds=30)).isoformat(),
                     "pages": 5, "items": 12 - n, "errors": n or 4,  # run 0 as stored before stop 19: advisories counted
                     "errors_by_kind": {"date_missing": n} if n else {"offsite_link": 3, "not_a_page": 1},
                     "status": "ok", "duration_s": 30.0})
    old = now - timedelta(days=3)
    runs.append({"id": "run-portal-0", "source": "sandbox_portal", "source_name": "市场监管门户", "source_kind": "sitemap",
                 "started_at": old.isoformat(), "finished_at": old.isoformat(), "pages": 2, "items": 4, "errors": 0,
                 "status": "ok", "duration_s": 3.0})
    runs.append({"id": "run-portal-1", "source": "sandbox_portal", "source_name": "市场监管门户", "source_kind": "sitemap",
                 "started_at": (now - timedelta(hours=2)).isoformat(), "pages": 0, "items": 0, "errors": 7,
                 "errors_by_kind": {"timeout": 2, "http_500": 4, "date_missing": 1, "NewKindError": 0},
                 "status": "failed", "duration_s": 1.0})
    return runs


def test_alerts(now: datetime) -> list[dict]:
    """Alerts as the engine writes them: a red one overdue, an orange one assigned to a unit, a blue one."""
    def alert(alert_id, title, level, rank, color, status, hours_ago, deadlines, **extra):
        first = now - timedelta(hours=hours_ago)
        return {"id": alert_id, "event_id": f"ev-{alert_id}", "title": title, "level": level, "level_rank": rank,
                "color": color, "rules": ["spike"], "schemes": ["食品安全"], "status": status,
                "clock_start": first.isoformat(), "first_alerted_at": first.isoformat(),
                "updated_at": first.isoformat(), "silenced": False, "post_count": 12,
                "deadlines": [{"kind": k, "label": label, "due_at": (first + timedelta(hours=h)).isoformat(),
                               "met_at": None} for k, label, h in deadlines], **extra}
    return [
        alert("a-red", "某幼儿园食物中毒 多名儿童送医", "Ⅰ", 1, "红", "new", 6,
              [("authoritative", "发布权威信息", 5), ("press_conference", "新闻发布会", 24)]),
        alert("a-orange", "连锁奶茶店使用过期原料", "Ⅱ", 2, "橙", "assigned", 2,
              [("respond", "回应", 48)], owner_unit="食品安全监管处", handling_type="重大问题"),
        alert("a-blue", "预付卡健身房闭店 会员维权", "Ⅳ", 4, "蓝", "new", 1, [("respond", "回应", 48)]),
        alert("a-blue2", "超市价签与结算价不一致", "Ⅳ", 4, "蓝", "new", 1, [("respond", "回应", 48)]),
    ]


EVENT_SCENARIOS = {"food_poisoning": "ev-food", "gym_prepaid": "ev-gym"}  # sandbox scenario → event id


def event_alerts() -> list[dict]:
    """Handled (closed) alerts on the sandbox events, at the sandbox's own times (March 2024).

    a-food (食品安全监管处): reported to leaders on time, authoritative information one hour late, one response
    at 20:00 on 12 March. a-gym (消费者权益保护处): reported late, never responded.
    """
    def at(text: str) -> str:
        return f"2024-03-{text}:00+08:00"

    food = {"id": "a-food", "event_id": "ev-food", "title": "幼儿园食物中毒事件", "level": "Ⅱ", "level_rank": 2,
            "color": "橙", "rules": ["重大事件词表"], "schemes": ["食品安全"], "status": "closed", "incident": True,
            "needs_response": True, "owner_unit": "食品安全监管处", "handling_type": "重大问题",
            "clock_start": at("12T14:00"), "first_alerted_at": at("12T14:00"), "acknowledged_at": at("12T14:30"),
            "assigned_at": at("12T15:00"), "responded_at": at("12T20:00"), "closed_at": at("14T10:00"),
            "updated_at": at("14T10:00"), "silenced": False, "post_count": 114,
            "responses": [{"channel": "发布权威信息", "reference": "https://scjg.example.gov.cn/notice/1", "at": at("12T20:00"),
                           "actor": "press1"}],
            "deadlines": [{"kind": "report_leaders", "label": "报告局领导", "due_at": at("12T16:00"), "met_at": at("12T14:30")},
                          {"kind": "authoritative_info", "label": "发布权威信息", "due_at": at("12T19:00"),
                           "met_at": at("12T20:00")},
                          {"kind": "press_conference", "label": "召开新闻发布会", "due_at": at("13T14:00"),
                           "met_at": at("13T10:00")}]}
    gym = {"id": "a-gym", "event_id": "ev-gym", "title": "健身房闭店预付卡退费难", "level": "Ⅲ", "level_rank": 3,
           "color": "黄", "rules": ["负面激增"], "schemes": ["预付卡"], "status": "closed", "needs_response": True,
           "owner_unit": "消费者权益保护处", "handling_type": "实际困难", "clock_start": at("13T10:00"),
           "first_alerted_at": at("13T10:00"), "acknowledged_at": at("13T15:00"), "closed_at": at("16T10:00"),
           "updated_at": at("16T10:00"), "silenced": False, "post_count": 50,
           "deadlines": [{"kind": "report_leaders", "label": "报告局领导", "due_at": at("13T12:00"), "met_at": at("13T15:00")},
                         {"kind": "response", "label": "回应关切", "due_at": at("15T10:00"), "met_at": None}]}
    return [food, gym]


def event_audit() -> list[dict]:
    def entry(n, action, actor, at, **details):
        return {"id": f"audit-food-{n}", "alert_id": "a-food", "event_id": "ev-food", "action": action,
                "actor": actor, "at": f"2024-03-{at}:00+08:00", "details": details}
    return [entry(1, "acknowledge", "press1", "12T14:30"),
            entry(2, "assign", "press1", "12T15:00", owner_unit="食品安全监管处", handling_type="重大问题"),
            entry(3, "respond", "press1", "12T20:00", channel="发布权威信息"),
            entry(4, "close", "press1", "14T10:00", note="调查处置情况已发布")]


@pytest.fixture(scope="session")
def dash_store(es_url):
    """A session store: sandbox posts (enriched), test board posts, an injection post, crawl runs, users."""
    from analysis.enrich import Enricher
    from yuqing.sandbox import build_world
    from yuqing.sandbox.export import export_records
    from yuqing.store import connect

    store = connect(es_url, prefix=f"tdash{uuid.uuid4().hex[:8]}")
    store.init()
    now = datetime.now(UTC)
    posts = list(export_records(build_world()))
    posts.append({"id": "inject1", "url": "javascript:window.__pwned=5", "source": "test_social",
                  "source_name": "测试微博", "source_kind": "social", "platform": "社交媒体", "media_level": "自媒体",
                  "title": INJECTION_TITLE, "content": INJECTION_CONTENT,
                  "published_at": "2024-03-10T10:00:00+08:00", "categories": ["消费维权/12315"]})
    Enricher().enrich(posts)
    for post in posts:
        if post.get("scenario") in EVENT_SCENARIOS:
            post["event_id"] = EVENT_SCENARIOS[post["scenario"]]
    posts += [board_post(1, channel="测试留言板", status="未回复", days_ago=20, addressee="食品安全监管处", now=now),
              board_post(2, channel="测试留言板", status="办理中", days_ago=1, addressee="特种设备安全监察处", now=now),
              board_post(3, channel="测试留言板", status="已办理", days_ago=10, addressee="食品安全监管处", now=now,
                         reply_after_h=48)]
    report = store.index_posts(posts, refresh=True)
    assert not report.failed, report.failed
    store.index_docs("crawl-runs", crawl_runs(now), refresh=True)
    store.index_docs("alerts", test_alerts(now) + event_alerts(), refresh=True)
    store.index_docs("audit", event_audit(), refresh=True)
    store.index_docs("events", [{"id": "ev-food", "title": "某幼儿园多名儿童食物中毒送医",
                                 "first_seen": "2024-03-12T12:50:00+08:00", "last_seen": "2024-03-14T17:50:00+08:00",
                                 "post_count": 114}], refresh=True)
    for username, (role, unit) in USERS.items():
        accounts.add_user(store, username, PASSWORD, role, unit=unit, display_name=f"测试{username}")
    try:
        yield store
    finally:
        store.delete_prefix()


@pytest.fixture(scope="session")
def dash_app(dash_store):
    from dashboards.app import create_app

    return create_app(dash_store)


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.fixture(scope="session")
def live_url(dash_app):
    """The app on a real HTTP server (threaded werkzeug) on a free loopback port."""
    from werkzeug.serving import make_server

    server = make_server("127.0.0.1", _free_port(), dash_app.server, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_port}"
    finally:
        server.shutdown()


def login(base_url: str, username: str, password: str = PASSWORD):
    """A requests.Session logged in through the real login form (cookies set by the server)."""
    import re

    import requests

    session = requests.Session()
    page = session.get(f"{base_url}/login", timeout=10)
    token = re.search(r'name="csrf" value="([^"]+)"', page.text).group(1)
    response = session.post(f"{base_url}/login", data={"csrf": token, "username": username, "password": password,
                                                        "next": "/"}, allow_redirects=False, timeout=10)
    session.login_status = response.status_code
    return session


@pytest.fixture(scope="session")
def browser(tools):
    """One headless Chromium for the session (Debian chromium + chromedriver)."""
    tools("chromium", "chromedriver")
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service

    profile = tempfile.mkdtemp(prefix="yuqing-chromium-")
    options = webdriver.ChromeOptions()
    options.binary_location = shutil.which("chromium")
    for flag in ("--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                 "--disable-background-networking", "--disable-component-update", "--disable-sync",
                 "--disable-dev-shm-usage", f"--user-data-dir={profile}", "--window-size=1360,1000", "--lang=zh-CN"):
        options.add_argument(flag)
    driver = webdriver.Chrome(service=Service(shutil.which("chromedriver")), options=options)
    driver.set_page_load_timeout(30)
    try:
        yield driver
    finally:
        driver.quit()
        shutil.rmtree(profile, ignore_errors=True)


@pytest.fixture(scope="session")
def login_as(live_url):
    """login_as('leader1') → a requests.Session with that user's session and CSRF cookies."""
    return lambda username, password=PASSWORD: login(live_url, username, password)


@pytest.fixture
def config_root(tmp_path, monkeypatch):
    """A copy of the project's schemes and rules under tmp_path; the settings page saves there."""
    from dashboards.pages import settings

    (tmp_path / "config").mkdir()
    for path in settings.config_paths().values():
        shutil.copy(path, tmp_path / "config" / path.name)
    monkeypatch.setattr(settings, "CONFIG_ROOT", tmp_path)
    return tmp_path
