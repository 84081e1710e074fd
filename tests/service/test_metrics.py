"""What the service exports after an analysis cycle (/metrics), and the working-day calendar in /healthz."""

from __future__ import annotations

import copy
import json
import logging
import re
import time
import urllib.error
import urllib.request
from datetime import datetime, timedelta

from prometheus_client import generate_latest

from analysis.workdays import SHANGHAI
from yuqing import clock
from yuqing.service.app import Service, ServiceConfig
from yuqing.service.metrics import REGISTRY
from yuqing.spool import Spool

T0 = datetime(2024, 3, 12, 13, 0, tzinfo=SHANGHAI)
NOW = T0 + timedelta(hours=1)
BASE = "河西区梧桐路小学今天中午多名学生午餐后出现呕吐、腹痛，数十名学生被送医，家长怀疑食物中毒，供餐公司是谁？"
COMMENTS = ["转发", "太吓人了", "希望尽快查清", "心疼孩子", "等官方通报"]


def _reposts(n: int = 30) -> list[dict]:
    """Reposts of one food-poisoning story, one a minute from T0, each crawled two minutes later."""
    return [{"id": f"rp{i:02d}", "source": "sandbox_social", "source_kind": "social", "platform": "社交媒体",
             "media_level": "自媒体", "url": f"http://127.0.0.1/s/{i}", "title": "",
             "content": f"{COMMENTS[i % 5]}//@河西宝妈圈：{BASE}",
             "published_at": (T0 + timedelta(minutes=i)).isoformat(),
             "crawled_at": (T0 + timedelta(minutes=i + 2)).isoformat(),
             "region": {"province": "天津市", "city": "天津市", "district": "河西区", "path": "天津市/河西区"}}
            for i in range(n)]


def _sample(text: str, name: str, labels: str = "") -> float:
    match = re.search(rf"^{re.escape(name + labels)} (\S+)$", text, re.MULTILINE)
    assert match, f"{name}{labels} missing from /metrics"
    return float(match.group(1))


def _get(url: str) -> tuple[int, bytes]:
    try:
        with urllib.request.urlopen(url, timeout=10) as response:
            return response.status, response.read()
    except urllib.error.HTTPError as exc:  # /healthz answers 503 with the same document when not ok
        return exc.code, exc.read()


def _frozen(monkeypatch, at: datetime) -> None:
    monkeypatch.setenv(clock.ENV, clock.SimulatedClock(at, anchor=time.time(), speed=0).to_env())


def test_a_cycle_sets_alert_latency_lag_open_alerts_and_spool(store, monkeypatch, tmp_path):
    from analysis.enrich import Enricher

    _frozen(monkeypatch, NOW)
    monkeypatch.setenv("YUQING_DATA_DIR", str(tmp_path / "data"))
    Spool().append("posts", [{"id": "waiting-1"}, {"id": "waiting-2"}])
    Spool().append("posts-rejected", [{"id": "refused-1"}])  # never drains: counted apart
    posts = Enricher().enrich(copy.deepcopy(_reposts()))
    assert not store.index_posts(posts, refresh=True).failed
    service = Service(store, ServiceConfig(health_port=0, digests=False))
    server = service.bind().start()
    try:
        before = _sample(_get(server.url + "/metrics")[1].decode(), "yuqing_alert_latency_seconds_count")
        summary = service.analyse(None)
        assert "新预警 1" in summary, summary
        text = _get(server.url + "/metrics")[1].decode()
    finally:
        server.stop()
    # The oldest post waiting at the start of the cycle was crawled at T0+2 min: 58 minutes before NOW.
    assert _sample(text, "yuqing_analysis_lag_seconds") == 58 * 60
    # One new alert, timed from the crawl of its event's newest post (T0+31 min) to the cycle at NOW.
    assert _sample(text, "yuqing_alert_latency_seconds_count") == before + 1
    assert _sample(text, "yuqing_alert_latency_seconds_sum") >= 29 * 60
    store.refresh("alerts")
    level = store.search("alerts", size=1)["hits"]["hits"][0]["_source"]["level"]
    assert _sample(text, "yuqing_alerts_open", f'{{level="{level}"}}') == 1
    assert sum(_sample(text, "yuqing_alerts_open", f'{{level="{lv}"}}') for lv in "ⅠⅡⅢⅣ") == 1
    assert _sample(text, "yuqing_spool_pending") == 2
    assert _sample(text, "yuqing_spool_rejected") == 1

    # Nothing waits any more: the lag goes back to 0 on the next cycle; no alert is new, none timed again.
    service.analyse(None)
    text = generate_latest(REGISTRY).decode()
    assert _sample(text, "yuqing_analysis_lag_seconds") == 0
    assert _sample(text, "yuqing_alert_latency_seconds_count") == before + 1


def test_healthz_shows_the_calendar_and_start_up_warns_once_a_day(monkeypatch, caplog):
    _frozen(monkeypatch, datetime(2099, 3, 1, 10, 0, tzinfo=SHANGHAI))  # no official calendar for 2099
    service = Service(None, ServiceConfig(health_port=0, digests=False))
    service.scheduler.jobs = []  # no crawl, no analysis: only the start-up itself
    with caplog.at_level(logging.WARNING, logger="analysis.workdays"):
        service.start()
        try:
            _status, body = _get(service.health_server.url + "/healthz")
            service.check_calendar()  # the same day: no second warning
            warned_today = len(caplog.records)
            _frozen(monkeypatch, datetime(2099, 3, 2, 10, 0, tzinfo=SHANGHAI))
            service.check_calendar()  # the next day: warned again
        finally:
            service.stop(timeout=5)
    calendar = json.loads(body)["calendar"]
    assert calendar["missing_years"] == [2099, 2100] and calendar["level"] == "error"
    assert calendar["covered_years"] and max(calendar["covered_years"]) < 2099
    assert "2099、2100年官方节假日安排尚未收录" in calendar["message"]
    assert warned_today == 1 and len(caplog.records) == 2
    assert "2099" in caplog.records[0].getMessage()


def test_healthz_calendar_is_ok_for_a_covered_year(monkeypatch):
    service = Service(None, ServiceConfig(health_port=0, digests=False))
    covered = service.calendar().covered_years()
    year = max(y for y in covered if y + 1 in covered)
    _frozen(monkeypatch, datetime(year, 6, 1, 10, 0, tzinfo=SHANGHAI))
    calendar = service.health()["calendar"]
    assert calendar["level"] == "ok" and calendar["missing_years"] == [] and year in calendar["covered_years"]
