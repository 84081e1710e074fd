"""Digests from the real alerts engine: the sandbox stream replayed, then the 日报 and 专报 built from it."""

from __future__ import annotations

import io
import json
import uuid
from collections import Counter
from datetime import datetime, timedelta

import docx
import pytest

from analysis.workdays import SHANGHAI
from yuqing.digest.layout import digest_document, event_document
from yuqing.digest.model import build_digest, build_event_report, parse_time
from yuqing.digest.prose import cn_time, event_summary
from yuqing.digest.render import render
from yuqing.store import queries

pytestmark = pytest.mark.es

NOW = datetime(2024, 3, 20, 9, 0, tzinfo=SHANGHAI)
DAY = datetime(2024, 3, 12).date()


@pytest.fixture(scope="module")
def replayed(es_url):
    from yuqing.alerts.replay import replay
    from yuqing.sandbox import build_world
    from yuqing.sandbox.export import export_records
    from yuqing.store import connect

    store = connect(es_url, prefix=f"tde{uuid.uuid4().hex[:8]}")
    store.init()
    lines = [json.dumps(r, ensure_ascii=False) for r in export_records(build_world())]
    try:
        replay(store, lines, step=timedelta(minutes=30))
        posts = list(store.scan("posts"))
        events = Counter(
            p["event_id"] for p in posts if p.get("scenario") == "food_poisoning" and p.get("event_id")
        )
        yield store, events.most_common(1)[0][0]
    finally:
        store.delete_prefix()


def test_engine_food_poisoning_event_tops_the_daily_with_its_due_times(replayed):
    store, food_event = replayed
    digest = build_digest(store, "daily", DAY, now=NOW)
    top = digest.top_events[0]
    assert top.id == food_event
    expected = store.count(
        "posts",
        queries.post_query(
            filters=queries.PostFilter(since=digest.start, until=digest.end, event_id=food_event)
        ),
    )
    assert top.mentions == expected > 50
    assert digest.mentions == store.count(
        "posts", queries.post_query(filters=queries.PostFilter(since=digest.start, until=digest.end))
    )
    alert = store.search("alerts", {"term": {"event_id": food_event}}, size=1)["hits"]["hits"][0]["_source"]
    assert top.level == alert["level"]
    press = next(d for d in alert["deadlines"] if d["kind"] == "press_conference")
    due_text = cn_time(parse_time(press["due_at"]))
    document = docx.Document(io.BytesIO(render(digest_document(digest), "docx")[0]))
    cells = "\n".join(c.text for t in document.tables for r in t.rows for c in r.cells)
    assert press.get("met_at") is None  # nobody responded during the replay
    assert due_text in cells
    assert any(
        d.alert_id == alert["id"] and d.kind == "press_conference"
        for d in digest.due_items + digest.overdue_items
    )


def test_engine_event_report(replayed):
    store, food_event = replayed
    report = build_event_report(
        store, food_event, as_of=datetime(2024, 3, 13, 9, 0, tzinfo=SHANGHAI), now=NOW
    )
    summary = event_summary(report)
    assert len(summary) <= 200 and summary.splitlines()[-1].startswith("风险研判：")
    assert report.alert is not None and {d.kind for d in report.deadlines} >= {
        "authoritative_info",
        "press_conference",
    }
    text = event_document(report).text()
    assert "六、处置建议" in text and "新闻发布会" in text
