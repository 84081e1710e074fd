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
                     "pages": 5, "items": 12 - n, "errors": n, "status": "ok", "duration_s": 30.0})
    old = now - timedelta(days=3)
    runs.append({"id": "run-portal-0", "source": "sandbox_portal", "source_name": "市场监管门户", "source_kind": "sitemap",
                 "started_at": old.isoformat(), "finished_at": old.isoformat(), "pages": 2, "items": 4, "errors": 0,
                 "status": "ok", "duration_s": 3.0})
    runs.append({"id": "run-portal-1", "source": "sandbox_portal", "source_name": "市场监管门户", "source_kind": "sitemap",
                 "started_at": (now - timedelta(hours=2)).isoformat(), "pages": 0, "items": 0, "errors": 7,
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
    posts += [board_post(1, channel="测试留言板", status="未回复", days_ago=20, addressee="食品安全监管处", now=now),
              board_post(2, channel="测试留言板", status="办理中", days_ago=1, addressee="特种设备安全监察处", now=now),
              board_post(3, channel="测试留言板", status="已办理", days_ago=10, addressee="食品安全监管处", now=now,
                         reply_after_h=48)]
    report = store.index_posts(posts, refresh=True)
    assert not report.failed, report.failed
    store.index_docs("crawl-runs", crawl_runs(now), refresh=True)
    store.index_docs("alerts", test_alerts(now), refresh=True)
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
def browser():
    """One headless Chromium for the session (Debian chromium + chromedriver)."""
    if not shutil.which("chromium") or not shutil.which("chromedriver"):
        pytest.skip("chromium/chromedriver are not installed (make setup installs them)")
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
