"""Store functions for the alerts engine: new posts, event aggregations, partial updates.

Aggregations run in Elasticsearch: per-event counts, hourly volume, filter hits (schemes, lexicon,
media coverage) and one representative post per cluster come from one search over the touched
events, never from pulling every post into Python.
"""

from __future__ import annotations

import logging
import random
import time
from datetime import datetime
from typing import Iterable, Mapping

from elasticsearch import ConflictError, helpers

from analysis.events import NEGATIVE, EventStats, hour_key, parse_time
from yuqing.errors import StoreError
from yuqing.store import Store
from yuqing.store.client import translate_errors

LOGGER = logging.getLogger(__name__)

UNGROUPED = {"bool": {"must_not": [{"exists": {"field": "event_id"}}]}}
POST_FIELDS = ["id", "title", "content", "published_at", "crawled_at", "cluster_id", "keywords", "categories",
               "region", "media_level", "platform", "source", "sentiment"]


def _ungrouped_body(size: int) -> dict:
    return {"query": UNGROUPED, "size": size, "_source": POST_FIELDS, "track_total_hits": False,
            "sort": [{"published_at": {"order": "asc", "missing": "_last"}}, {"id": "asc"}]}


def _ungrouped_hits(result: Mapping) -> list[dict]:
    return [{**hit["_source"], "id": hit["_id"]} for hit in result["hits"]["hits"]]


def ungrouped_posts(store: Store, size: int = 2000) -> list[dict]:
    """Posts not yet grouped into an event (the engine's checkpoint is the missing ``event_id``)."""
    body = _ungrouped_body(size)
    result = store.search("posts", body["query"], size=size, source=body["_source"], track_total_hits=False,
                          sort=body["sort"])
    return _ungrouped_hits(result)


def ungrouped_and_open(store: Store, size: int, since: datetime,
                       open_size: int = 5000) -> tuple[list[dict], list[dict]]:
    """``ungrouped_posts`` and ``open_events`` in one round trip (multi-search)."""
    requests = [{"index": store.alias("posts")}, _ungrouped_body(size),
                {"index": store.alias("events")}, _open_body(since, open_size)]
    with translate_errors(store.url):
        result = store.client.msearch(searches=requests)
    posts_result, events_result = result["responses"]
    for part in (posts_result, events_result):
        if "error" in part:
            raise StoreError(f"查询新帖子或近期事件失败: {part['error'].get('reason', part['error'])}")
    return _ungrouped_hits(posts_result), _open_hits(events_result, since, open_size)


def count_ungrouped(store: Store) -> int:
    return store.count("posts", UNGROUPED)


def cluster_events(store: Store, cluster_ids: list[str]) -> dict[str, str]:
    """cluster id → event id of the already grouped posts of those clusters."""
    if not cluster_ids:
        return {}
    out: dict[str, str] = {}
    for start in range(0, len(cluster_ids), 1000):
        chunk = cluster_ids[start:start + 1000]
        result = store.search("posts", {"bool": {"filter": [{"terms": {"cluster_id": chunk}},
                                                            {"exists": {"field": "event_id"}}]}},
                              size=0, track_total_hits=False,
                              aggs={"c": {"terms": {"field": "cluster_id", "size": len(chunk)},
                                          "aggs": {"e": {"terms": {"field": "event_id", "size": 1}}}}})
        for bucket in result["aggregations"]["c"]["buckets"]:
            if bucket["e"]["buckets"]:
                out[bucket["key"]] = bucket["e"]["buckets"][0]["key"]
    return out


def _open_body(since: datetime, size: int) -> dict:
    return {"query": {"range": {"last_seen": {"gte": since.isoformat()}}}, "size": size,
            "_source": ["id", "keywords", "categories", "region", "first_seen", "last_seen", "post_count",
                        "detected_at"],
            "sort": [{"last_seen": "desc"}, {"id": "asc"}], "track_total_hits": size + 1}


def _open_hits(result: Mapping, since: datetime, size: int) -> list[dict]:
    if result["hits"]["total"]["value"] > size:
        LOGGER.warning("more than %d events seen since %s; linking considers the %d seen last", size,
                       since.isoformat(), size)
    return [hit["_source"] for hit in result["hits"]["hits"]]


def open_events(store: Store, since: datetime, size: int = 5000) -> list[dict]:
    """Events seen since ``since`` (candidates for linking), the most recently seen ``size`` of them."""
    body = _open_body(since, size)
    result = store.search("events", body["query"], size=size, source=body["_source"], sort=body["sort"],
                          track_total_hits=body["track_total_hits"])
    return _open_hits(result, since, size)


def update_docs(store: Store, name: str, updates: Iterable[tuple[str, dict]], refresh: bool = False) -> int:
    """Partial updates (id, fields); returns the number of failures (logged)."""
    report = store.update_docs(name, updates, chunk_size=1000, refresh=refresh)
    for doc_id, reason in report.failed:
        LOGGER.warning("update failed in %s: %s: %s", name, doc_id, reason)
    return len(report.failed)


class VersionConflict(StoreError):
    """A conditional write found the document changed since it was read."""


def update_doc(store: Store, name: str, doc_id: str, doc: dict, refresh: bool = True,
               if_seq_no: int | None = None, if_primary_term: int | None = None) -> None:
    """Partial update (``doc`` fields replace the stored ones). With ``if_seq_no``/``if_primary_term``
    the write happens only if nobody changed the document since that read; else VersionConflict."""
    with translate_errors(store.url):
        options = {}
        if if_seq_no is not None:
            options = {"if_seq_no": if_seq_no, "if_primary_term": if_primary_term}
        try:
            store.client.update(index=store.alias(name), id=doc_id, doc=doc, refresh=refresh, **options)
        except ConflictError:
            raise VersionConflict(f"{store.alias(name)} 的文档 {doc_id} 已被其他操作修改") from None


def refresh_all(store: Store, *names: str) -> None:
    with translate_errors(store.url):
        store.client.indices.refresh(index=",".join(store.alias(n) for n in names))


def get_many(store: Store, name: str, ids: list[str]) -> dict[str, dict]:
    """Documents by id (real-time get, no refresh needed); missing ids are left out."""
    if not ids:
        return {}
    with translate_errors(store.url):
        result = store.client.mget(index=store.alias(name), ids=ids)
    return {d["_id"]: d["_source"] for d in result["docs"] if d.get("found")}


def get_docs(store: Store, wanted: Iterable[tuple[str, str]]) -> dict[tuple[str, str], tuple[dict, int, int]]:
    """(index name, id) → (source, seq_no, primary_term) from several indices in one real-time multi-get."""
    wanted = list(wanted)
    if not wanted:
        return {}
    with translate_errors(store.url):
        result = store.client.mget(docs=[{"_index": store.alias(name), "_id": i} for name, i in wanted])
    return {key: (d["_source"], int(d["_seq_no"]), int(d["_primary_term"]))
            for key, d in zip(wanted, result["docs"]) if d.get("found")}  # answers come in request order


def get_many_versioned(store: Store, name: str, ids: list[str]) -> dict[str, tuple[dict, int, int]]:
    """id → (source, seq_no, primary_term) by real-time multi-get; missing ids are left out."""
    if not ids:
        return {}
    with translate_errors(store.url):
        result = store.client.mget(index=store.alias(name), ids=ids)
    return {d["_id"]: (d["_source"], int(d["_seq_no"]), int(d["_primary_term"]))
            for d in result["docs"] if d.get("found")}


def put_doc(store: Store, name: str, doc: dict, refresh: bool = True) -> None:
    with translate_errors(store.url):
        store.client.index(index=store.alias(name), id=doc["id"], document=doc, refresh=refresh)


def delete_docs(store: Store, name: str, ids: Iterable[str], refresh: bool = False) -> int:
    """Delete documents by id (bulk); returns the number of failures (logged). Missing ids are not failures."""
    alias = store.alias(name)
    actions = ({"_op_type": "delete", "_index": alias, "_id": doc_id} for doc_id in ids)
    failed = 0
    with translate_errors(store.url):
        for ok, item in helpers.streaming_bulk(store.client, actions, chunk_size=1000, raise_on_error=False,
                                               raise_on_exception=False, max_retries=3):
            if not ok and item.get("delete", {}).get("status") != 404:
                failed += 1
                LOGGER.warning("delete failed in %s: %s", name, item)
        if refresh:
            store.client.indices.refresh(index=alias)
    return failed


def delete_doc(store: Store, name: str, doc_id: str) -> None:
    with translate_errors(store.url):
        store.client.options(ignore_status=404).delete(index=store.alias(name), id=doc_id, refresh=True)


def get_versioned(store: Store, name: str, doc_id: str) -> tuple[dict, int, int] | None:
    """(source, seq_no, primary_term) of a document (real-time get), or None when it does not exist."""
    with translate_errors(store.url):
        result = store.client.options(ignore_status=404).get(index=store.alias(name), id=doc_id)
    if not result.get("found"):
        return None
    return dict(result["_source"]), int(result["_seq_no"]), int(result["_primary_term"])


def conflict_pause(attempt: int) -> None:
    """Jittered exponential pause before retry ``attempt`` of an optimistic write (at most ~0.3 s)."""
    time.sleep(random.uniform(0, min(0.3, 0.01 * 2 ** attempt)))


def append_item(store: Store, name: str, doc_id: str, field: str, item: dict, attempts: int = 10) -> int:
    """Append ``item`` to the list ``field``; returns the new length. Safe from another thread.

    Read-modify-write with optimistic concurrency (the node has no scripting): the document is read
    with its sequence number and written back only if nobody changed it meanwhile; on a conflict the
    read is repeated. A missing document or ``attempts`` conflicts in a row raise StoreError.
    """
    for attempt in range(attempts):
        if attempt:
            conflict_pause(attempt)
        got = get_versioned(store, name, doc_id)
        if got is None:
            raise StoreError(f"{store.alias(name)} 中没有文档 {doc_id}，无法追加 {field}")
        doc, seq_no, primary_term = got
        items = list(doc.get(field) or []) + [item]
        try:
            update_doc(store, name, doc_id, {field: items}, refresh=False, if_seq_no=seq_no,
                       if_primary_term=primary_term)
        except VersionConflict:
            continue
        return len(items)
    raise StoreError(f"{store.alias(name)} 的文档 {doc_id} 连续 {attempts} 次写入冲突，未能追加 {field}")


def reassign_event(store: Store, old: str, new: str) -> int:
    """Move every post of event ``old`` to ``new`` (scan + bulk: the node has no update-by-query)."""
    store.refresh("posts")
    ids = [hit["id"] for hit in store.scan("posts", {"term": {"event_id": old}}) if hit.get("id")]
    update_docs(store, "posts", ((i, {"event_id": new}) for i in ids))
    return len(ids)


def event_stats(store: Store, event_ids: list[str], filters: Mapping[str, dict], representatives: int = 10,
                pending: Mapping[str, tuple[list[str], list[str]]] | None = None) -> dict[str, EventStats]:
    """Per-event statistics computed by Elasticsearch aggregations over the posts index.

    ``pending`` (event id → (post ids, other event ids)) names posts that belong to an event although
    the searchable version of the index does not say so yet (grouped or merged since the last refresh):
    they are counted in that event, which spares a refresh.
    """
    out: dict[str, EventStats] = {}
    pending = pending or {}
    for start in range(0, len(event_ids), 200):
        chunk = event_ids[start:start + 200]
        sub = {
            "first": {"min": {"field": "published_at"}},
            "last": {"max": {"field": "published_at"}},
            "clusters": {"cardinality": {"field": "cluster_id"}},
            "neg": {"filter": {"term": {"sentiment.label": NEGATIVE}}},
            "media": {"terms": {"field": "media_level", "size": 10}},
            "platform": {"terms": {"field": "platform", "size": 10}},
            "source": {"terms": {"field": "source", "size": 20}},
            "category": {"terms": {"field": "categories", "size": 15}},
            "region": {"terms": {"field": "region.path", "size": 5}},
            "keywords": {"terms": {"field": "keywords", "size": 30}},
            "likes": {"sum": {"field": "engagement.likes"}},
            "comments": {"sum": {"field": "engagement.comments"}},
            "shares": {"sum": {"field": "engagement.shares"}},
            "hours": {"date_histogram": {"field": "published_at", "fixed_interval": "1h", "min_doc_count": 1},
                      "aggs": {"neg": {"filter": {"term": {"sentiment.label": NEGATIVE}}}}},
            "hits": {"filters": {"filters": dict(filters) or {"_none": {"match_none": {}}}}},
            "cluster_ids": {"terms": {"field": "cluster_id", "size": 200}},
            "reps": {"terms": {"field": "cluster_id", "size": representatives},
                     "aggs": {"top": {"top_hits": {"size": 1, "sort": [{"published_at": "asc"}],
                                                   "_source": ["id", "title", "content", "media_level",
                                                               "published_at"]}}}},
        }
        if not any(event_id in pending for event_id in chunk):  # everything searchable: one terms agg
            result = store.search("posts", {"terms": {"event_id": chunk}}, size=0, track_total_hits=False,
                                  aggs={"ev": {"terms": {"field": "event_id", "size": len(chunk)}, "aggs": sub}})
            for bucket in result["aggregations"]["ev"]["buckets"]:
                out[bucket["key"]] = _stats_from_bucket(bucket)
            continue
        members = {event_id: _members(event_id, *pending.get(event_id, ((), ()))) for event_id in chunk}
        result = store.search("posts", {"bool": {"should": list(members.values()), "minimum_should_match": 1}},
                              size=0, track_total_hits=False,
                              aggs={"ev": {"filters": {"filters": members}, "aggs": sub}})
        for event_id, bucket in result["aggregations"]["ev"]["buckets"].items():
            if bucket["doc_count"]:
                out[event_id] = _stats_from_bucket({**bucket, "key": event_id})
    return out


def _members(event_id: str, post_ids: Iterable[str], other_events: Iterable[str]) -> dict:
    """The query for the posts of one event, including those not yet searchable under its id."""
    should: list[dict] = [{"terms": {"event_id": [event_id, *other_events]}}]
    post_ids = list(post_ids)
    if post_ids:
        should.append({"ids": {"values": post_ids}})
    return {"bool": {"should": should, "minimum_should_match": 1}}


def _counts(agg: dict) -> dict[str, int]:
    return {b["key"]: b["doc_count"] for b in agg["buckets"]}


def _stats_from_bucket(bucket: dict) -> EventStats:
    stats = EventStats(bucket["key"], post_count=bucket["doc_count"])
    if bucket["first"].get("value_as_string"):
        stats.first_seen = parse_time(bucket["first"]["value_as_string"])
        stats.last_seen = parse_time(bucket["last"]["value_as_string"])
    stats.cluster_count = int(bucket["clusters"]["value"])
    stats.negative_count = bucket["neg"]["doc_count"]
    stats.media_levels = _counts(bucket["media"])
    stats.platforms = _counts(bucket["platform"])
    stats.sources = _counts(bucket["source"])
    stats.categories = _counts(bucket["category"])
    stats.regions = _counts(bucket["region"])
    stats.keywords = [b["key"] for b in bucket["keywords"]["buckets"]]
    stats.engagement = float(bucket["likes"]["value"] + 2 * bucket["comments"]["value"]
                             + 3 * bucket["shares"]["value"])
    for hour in bucket["hours"]["buckets"]:
        key = hour_key(parse_time(hour["key_as_string"]))
        stats.volume[key] = hour["doc_count"]
        if hour["neg"]["doc_count"]:
            stats.negative_volume[key] = hour["neg"]["doc_count"]
    stats.filter_hits = {name: b["doc_count"] for name, b in bucket["hits"]["buckets"].items()
                         if name != "_none" and b["doc_count"]}
    stats.cluster_ids = [b["key"] for b in bucket["cluster_ids"]["buckets"]]
    for rep in bucket["reps"]["buckets"]:
        hit = rep["top"]["hits"]["hits"][0]
        src = hit["_source"]
        stats.representatives.append({"id": hit["_id"], "title": src.get("title") or "",
                                      "content": (src.get("content") or "")[:200],
                                      "media_level": src.get("media_level"),
                                      "published_at": src.get("published_at"), "cluster_size": rep["doc_count"]})
    return stats


def alerts_in_period(store: Store, since: datetime, until: datetime) -> list[dict]:
    """Alerts first raised in [since, until), oldest first; alerts merged into another are left out."""
    query = {"bool": {"filter": [{"range": {"first_alerted_at": {"gte": since.isoformat(), "lt": until.isoformat()}}}],
                      "must_not": [{"exists": {"field": "merged_into"}}]}}
    alerts = list(store.scan("alerts", query))
    return sorted(alerts, key=lambda a: (a.get("first_alerted_at") or "", a.get("id") or ""))


def window_counts(store: Store, event_id: str, windows: list[tuple[datetime, datetime]]) -> list[tuple[int, int]]:
    """(posts, negative posts) of one event published in each [start, end) window: one aggregation."""
    if not windows:
        return []
    buckets = {str(i): {"range": {"published_at": {"gte": a.isoformat(), "lt": b.isoformat()}}}
               for i, (a, b) in enumerate(windows)}
    result = store.search("posts", {"term": {"event_id": event_id}}, size=0, track_total_hits=False,
                          aggs={"w": {"filters": {"filters": buckets},
                                      "aggs": {"neg": {"filter": {"term": {"sentiment.label": NEGATIVE}}}}}})
    out = result["aggregations"]["w"]["buckets"]
    return [(out[str(i)]["doc_count"], out[str(i)]["neg"]["doc_count"]) for i in range(len(windows))]


def cluster_ids_of(store: Store, event_id: str, size: int = 200) -> list[str]:
    result = store.search("posts", {"term": {"event_id": event_id}}, size=0, track_total_hits=False,
                          aggs={"c": {"terms": {"field": "cluster_id", "size": size}}})
    return [b["key"] for b in result["aggregations"]["c"]["buckets"]]


BOARD_REPLIED = "已办理"
BOARD_FIELDS = ["id", "title", "content", "url", "published_at", "source_name", "board"]


def unreplied_board_posts(store: Store, since: datetime) -> Iterable[dict]:
    """Board posts published since ``since`` with no reply yet (status not 已办理, no reply time)."""
    query = {"bool": {"filter": [{"exists": {"field": "board.channel"}},
                                 {"range": {"published_at": {"gte": since.isoformat()}}}],
                      "must_not": [{"term": {"board.status": BOARD_REPLIED}},
                                   {"exists": {"field": "board.reply_at"}}]}}
    with translate_errors(store.url):
        for hit in helpers.scan(store.client, index=store.alias("posts"), size=1000,
                                query={"query": query, "_source": BOARD_FIELDS}):
            yield hit["_source"]


__all__ = ["VersionConflict", "alerts_in_period", "append_item", "cluster_events", "cluster_ids_of",
           "count_ungrouped", "delete_doc", "delete_docs", "event_stats", "get_docs", "get_many",
           "get_many_versioned", "get_versioned", "open_events", "put_doc", "reassign_event", "refresh_all",
           "ungrouped_and_open", "ungrouped_posts", "unreplied_board_posts", "update_doc", "update_docs",
           "window_counts"]
