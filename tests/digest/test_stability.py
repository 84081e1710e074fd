"""The 日报 of a closed day stays the same whatever the engine does to events afterwards.

The sandbox posts go through the real alerts engine hour by hour, as in the demo, up to the next morning.
Then the later change the demo makes: the crawler fetches the day's social and board posts again (new
engagement, new board status) and writes them whole, so until the next analysis cycle they carry no
event id; the next cycle groups them again and rewrites the events (heat recomputed at that moment).
The digest of the closed day is rendered before, in between and after, and must not change.
"""

from __future__ import annotations

import copy
import uuid
from datetime import datetime, timedelta

import pytest

from analysis.workdays import SHANGHAI
from yuqing.alerts.engine import AlertEngine
from yuqing.digest.model import build_digest
from yuqing.digest.prose import daily_prose

pytestmark = pytest.mark.es

DAY = datetime(2024, 3, 12).date()
DAY_START = datetime(2024, 3, 12, 0, 0, tzinfo=SHANGHAI)
DAY_END = DAY_START + timedelta(days=1)
NIGHT = datetime(2024, 3, 13, 1, 48, tzinfo=SHANGHAI)  # the reviewer's first render
MORNING = datetime(2024, 3, 13, 10, 40, tzinfo=SHANGHAI)
STEP = timedelta(hours=1)
RECRAWLED_PLATFORMS = ("社交媒体", "留言板")


def _published(record: dict) -> datetime:
    return datetime.fromisoformat(record["published_at"]).astimezone(SHANGHAI)


def _fresh(record: dict) -> dict:
    """A post as the crawler writes it: enriched, with no event id (the engine sets that)."""
    post = copy.deepcopy(record)
    post.pop("event_id", None)
    post.pop("scenario", None)
    return post


def _advance(store, engine, records: list[dict], start: datetime, end: datetime) -> None:
    """Index the posts published in [start, end) an hour at a time, one engine cycle after each hour."""
    at = start
    while at < end:
        batch = [_fresh(r) for r in records if at <= _published(r) < min(at + STEP, end)]
        at = min(at + STEP, end)
        if batch:
            assert not store.index_posts(batch).failed
        engine.cycle(at)
    for name in ("posts", "events", "alerts"):
        store.refresh(name)


@pytest.fixture(scope="module")
def engine_store(es_url, scenario_data):
    """The sandbox posts up to shortly after the day's end, grouped by the real engine cycle by cycle."""
    from yuqing.store import connect

    records = [r for r in scenario_data[0] if _published(r) < MORNING]
    store = connect(es_url, prefix=f"tds{uuid.uuid4().hex[:8]}")
    store.init()
    engine = AlertEngine(store)
    try:
        first = DAY_START - timedelta(days=1)
        assert not store.index_posts([_fresh(r) for r in records if _published(r) < first]).failed
        engine.cycle(first)
        _advance(store, engine, records, first, NIGHT)
        yield store, engine, records
    finally:
        store.delete_prefix()


def _snapshot(store, now: datetime) -> tuple:
    digest = build_digest(store, "daily", DAY, now=now)
    hot = [(e.id, e.title, round(e.heat, 1), e.mentions, e.stories, e.level) for e in digest.top_events]
    return hot, daily_prose(digest), digest


@pytest.fixture(scope="module")
def renders(engine_store):
    """The closed day's digest opened the next morning, after the re-crawl, and after the next cycle."""
    store, engine, records = engine_store
    out = {"night": _snapshot(store, NIGHT)}
    _advance(store, engine, records, NIGHT, MORNING)  # the next day's posts join the story
    out["before"] = _snapshot(store, MORNING)
    again = [_fresh(r) for r in records if DAY_START <= _published(r) < DAY_END
             and r["platform"] in RECRAWLED_PLATFORMS]
    assert len(again) > 50
    assert not store.index_posts(again, refresh=True).failed
    out["recrawled"] = _snapshot(store, MORNING + timedelta(minutes=8))
    # The re-crawl kept each post's event (a partial update); a whole-document write used to drop it.
    ids = [hit["_id"] for hit in store.search("posts", {"terms": {"url": [p["url"] for p in again if p.get("url")]}},
                                              size=len(again), source=["id"])["hits"]["hits"]]
    assert len(ids) > 50 and store.count("posts", {"bool": {"filter": [{"ids": {"values": ids}}],
                                                           "must_not": [{"exists": {"field": "event_id"}}]}}) == 0
    # Regrouping still happens (merges, re-analysis): the engine groups those posts again from scratch.
    assert not store.update_docs("posts", [(doc_id, {"event_id": None}) for doc_id in ids], refresh=True).failed
    report = engine.cycle(MORNING + timedelta(minutes=10))
    assert report.posts == len(ids)  # all of them were grouped again
    store.refresh("posts")
    store.refresh("events")
    store.refresh("alerts")
    out["regrouped"] = _snapshot(store, MORNING + timedelta(minutes=20))
    out["days_later"] = _snapshot(store, DAY_END + timedelta(days=3))
    return out


def test_the_day_is_closed_and_led_by_the_food_poisoning_story(renders):
    digest = renders["night"][2]
    assert digest.as_of == DAY_END
    assert digest.top_events[0].mentions > 90
    assert "校园餐" in digest.top_events[0].title or "梧桐路" in digest.top_events[0].title


def test_the_next_days_posts_and_cycles_do_not_change_the_digest(renders):
    assert renders["before"][0] == renders["night"][0]
    assert renders["before"][1] == renders["night"][1]


def test_posts_written_again_by_a_recrawl_do_not_change_the_digest(renders):
    assert renders["recrawled"][0] == renders["night"][0]
    assert renders["recrawled"][1] == renders["night"][1]


def test_a_later_cycle_regrouping_and_rescoring_events_does_not_change_the_digest(renders):
    assert renders["regrouped"][0] == renders["night"][0]
    assert renders["regrouped"][1] == renders["night"][1]
    assert renders["days_later"][0] == renders["night"][0]


def test_no_hot_item_without_posts_on_the_day(renders):
    for name, (hot, _text, digest) in renders.items():
        assert digest.top_events, name
        assert all(e.mentions > 0 for e in digest.top_events), (name, hot)


def test_the_level_of_a_hot_item_is_the_one_reached_by_the_cut_off():
    from yuqing.digest.model import _level_at

    alert = {"level": "Ⅰ", "color": "红", "level_reached_at": {
        "Ⅲ": "2024-03-12T14:00:00+08:00", "Ⅱ": "2024-03-12T18:00:00+08:00", "Ⅰ": "2024-03-13T09:00:00+08:00"}}
    assert _level_at(alert, DAY_END) == ("Ⅱ", "橙")
    assert _level_at(alert, DAY_END + timedelta(days=1)) == ("Ⅰ", "红")
    assert _level_at({"level": "Ⅲ", "color": "黄"}, DAY_END) == ("Ⅲ", "黄")  # stored before levels were timed
