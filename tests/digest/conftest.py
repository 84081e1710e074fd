"""Sandbox scenario data in a real Elasticsearch node for the digest tests.

Posts come from the sandbox export (the whole timeline), enriched once per session. Events and alerts
are written here in the documented shapes (yuqing/store/schema_alerts.py and the agreed API), one
event per scenario, deadlines from analysis.clocks — the alerts engine test uses the real engine.
"""

from __future__ import annotations

import uuid
from datetime import datetime, timedelta

import pytest

from analysis.clocks import load_policy, response_clocks
from analysis.workdays import SHANGHAI

EPOCH = datetime(2024, 3, 12, 8, 0, tzinfo=SHANGHAI)
DAY = datetime(2024, 3, 12).date()
AS_OF_DAY_END = datetime(2024, 3, 13, 0, 0, tzinfo=SHANGHAI)

# scenario -> level, heat, owner unit, handling type, detection delay, {deadline kind: met at}
ALERT_PLANS = {
    "food_poisoning": (
        "Ⅱ",
        95.0,
        "河西区市场监管局",
        "重大问题",
        timedelta(minutes=70),
        {
            "report_area_leaders": datetime(2024, 3, 12, 15, 20, tzinfo=SHANGHAI),
            "authoritative_info": datetime(2024, 3, 12, 18, 30, tzinfo=SHANGHAI),  # 40 min late
            "investigation_report": datetime(2024, 3, 14, 10, 0, tzinfo=SHANGHAI),
        },
    ),
    "gym_prepaid": (
        "Ⅲ",
        60.0,
        "西青区市场监管局",
        "实际困难",
        timedelta(hours=2),
        {
            "report_leaders": datetime(2024, 3, 13, 11, 0, tzinfo=SHANGHAI),
            "response": datetime(2024, 3, 15, 11, 0, tzinfo=SHANGHAI),  # late
        },
    ),
    "elevator": (
        "Ⅳ",
        40.0,
        "特种设备安全监察处",
        "不了解情况/模糊认识",
        timedelta(minutes=30),
        {
            "report_leaders": datetime(2024, 3, 14, 20, 30, tzinfo=SHANGHAI),
            "response": datetime(2024, 3, 15, 10, 0, tzinfo=SHANGHAI),
        },
    ),
}
LEVEL_KEYS = {"Ⅰ": ("I", 1, "红"), "Ⅱ": ("II", 2, "橙"), "Ⅲ": ("III", 3, "黄"), "Ⅳ": ("IV", 4, "蓝")}


def _t(value: str) -> datetime:
    return datetime.fromisoformat(value).astimezone(SHANGHAI)


def sandbox_records() -> tuple[list[dict], dict[str, str]]:
    """Enriched sandbox posts (event ids set for scenario posts) and scenario labels."""
    from analysis.enrich import Enricher
    from yuqing.sandbox import build_world
    from yuqing.sandbox.export import export_records

    world = build_world(EPOCH)
    records = list(export_records(world))
    for record in records:
        record.pop("repost_of", None)
        if record["scenario"] != "background":
            record["event_id"] = f"evt-{record['scenario']}"
    Enricher().enrich(records)
    return records, {name: s.label for name, s in world.scenarios.items()}


def build_events_and_alerts(records: list[dict], labels: dict[str, str]) -> tuple[list[dict], list[dict]]:
    policy = load_policy()
    events, alerts = [], []
    for scenario, (level, heat, unit, handling, delay, met) in ALERT_PLANS.items():
        posts = sorted((r for r in records if r["scenario"] == scenario), key=lambda r: r["published_at"])
        first, last = _t(posts[0]["published_at"]), _t(posts[-1]["published_at"])
        event_id = f"evt-{scenario}"
        negative = sum(1 for p in posts if p["sentiment"]["label"] == "neg")
        events.append(
            {
                "id": event_id,
                "title": labels[scenario],
                "first_seen": first.isoformat(),
                "last_seen": last.isoformat(),
                "event_time": first.isoformat(),
                "post_count": len(posts),
                "cluster_count": len({p["cluster_id"] for p in posts}),
                "negative_share": negative / len(posts),
                "heat": heat,
                "categories": sorted({c for p in posts for c in p["categories"]}),
                "keywords": [],
                "region": posts[0]["region"],
                "media_levels": sorted({p["media_level"] for p in posts}),
                "sources": sorted({p["source"] for p in posts}),
                "platforms": sorted({p["platform"] for p in posts}),
                "representative_post_ids": [posts[0]["id"]],
                "cluster_ids": sorted({p["cluster_id"] for p in posts}),
                "volume": {},
                "updated_at": last.isoformat(),
            }
        )
        key, rank, color = LEVEL_KEYS[level]
        alert_id = f"alert-{scenario}"
        detected = first + delay
        deadlines = response_clocks(key, first, detected, policy, subject=alert_id)
        alerts.append(
            {
                "id": alert_id,
                "event_id": event_id,
                "title": labels[scenario],
                "level": level,
                "level_rank": rank,
                "color": color,
                "rules": ["volume_spike"],
                "schemes": ["市场监管"],
                "status": "assigned",
                "owner_unit": unit,
                "handling_type": handling,
                "clock_start": first.isoformat(),
                "deadlines": [
                    {
                        "kind": d.kind,
                        "label": d.label,
                        "due_at": d.due_at.isoformat(),
                        "met_at": met[d.kind].isoformat() if d.kind in met else None,
                    }
                    for d in deadlines
                ],
                "first_alerted_at": detected.isoformat(),
                "updated_at": detected.isoformat(),
                "closed_at": None,
                "silenced": False,
                "post_count": len(posts),
                "responses": [
                    {
                        "channel": "发布权威信息",
                        "reference": "区政府官网通报",
                        "at": t.isoformat(),
                        "actor": "宣传科",
                    }
                    for k, t in met.items()
                    if k in ("authoritative_info", "response")
                ],
                "handover": None,
                "notifications": [],
            }
        )
    return events, alerts


@pytest.fixture(scope="session")
def scenario_data():
    records, labels = sandbox_records()
    events, alerts = build_events_and_alerts(records, labels)
    return records, events, alerts


@pytest.fixture(scope="session")
def digest_store(es_url, scenario_data):
    """A store holding the sandbox scenario posts, events and alerts (read-only for the tests)."""
    from yuqing.store import connect

    records, events, alerts = scenario_data
    store = connect(es_url, prefix=f"tdg{uuid.uuid4().hex[:8]}")
    store.init()
    try:
        for name, docs in (("posts", None), ("events", events), ("alerts", alerts)):
            report = (
                store.index_posts(records, refresh=True)
                if docs is None
                else store.index_docs(name, docs, refresh=True)
            )
            assert not report.failed, report.failed
        yield store
    finally:
        store.delete_prefix()
