"""Store side of the backfills: read stored posts' text, write back only what was recomputed.

``yuqing rescore`` (sentiment after a model update) and ``yuqing reanalyze`` (segmentation,
categories, keywords and region after the dictionary or the category rules change) use it.

``scan_posts`` reads posts with a scroll (a consistent snapshot, so updating the posts while reading
them neither skips nor repeats any), only the fields scoring needs. ``update_sentiment`` writes
partial updates of the ``sentiment`` object (``score``, ``label``, ``model`` as the enrichment
pipeline stores them) in bulk; every other field of the post is left as it is. Per-item failures are
reported in a :class:`~yuqing.store.BulkReport`, as for the other bulk writes.
"""

from __future__ import annotations

from typing import Callable, Iterable, Iterator

from elasticsearch import helpers

from yuqing.store import BulkReport, Store
from yuqing.store.client import translate_errors

TEXT_FIELDS = ("title", "content")
MODEL_FIELD = "sentiment.model"


def stale_query(model: str | None) -> dict:
    """Posts not scored by ``model`` (a full ``name@version``); every post when ``model`` is None."""
    if model is None:
        return {"match_all": {}}
    return {"bool": {"must_not": [{"term": {MODEL_FIELD: model}}]}}


def count_posts(store: Store, not_model: str | None = None) -> int:
    """How many posts ``scan_posts(store, not_model)`` will yield (at the time of the call)."""
    return store.count("posts", stale_query(not_model))


def scan_sources(store: Store, query: dict, fields: Iterable[str], size: int = 1000) -> Iterator[tuple[str, str, dict]]:
    """``(id, concrete index, _source with only fields)`` of every post matching ``query``, from a
    scroll (a consistent snapshot: updating the posts while reading neither skips nor repeats any)."""
    body = {"query": query, "_source": list(fields)}
    with translate_errors(store.url):
        for hit in helpers.scan(store.client, index=store.alias("posts"), size=size, query=body,
                                preserve_order=False):
            yield hit["_id"], hit["_index"], hit.get("_source") or {}


def since_query(since: str | None) -> dict:
    """Posts published on or after ``since`` (an ISO date or time, Asia/Shanghai when no offset);
    every post when None."""
    if since is None:
        return {"match_all": {}}
    return {"range": {"published_at": {"gte": since, "time_zone": "+08:00"}}}


def scan_posts(store: Store, not_model: str | None = None, size: int = 1000) -> Iterator[dict]:
    """``{"id", "index", "title", "content", "model"}`` for every post (or only those whose
    ``sentiment.model`` is not ``not_model``). ``model`` is the post's current sentiment model or None;
    ``title``/``content`` are what is stored (None when missing); ``index`` is its concrete index."""
    for doc_id, index, source in scan_sources(store, stale_query(not_model), [*TEXT_FIELDS, MODEL_FIELD], size):
        sentiment = source.get("sentiment")
        yield {
            "id": doc_id,
            "index": index,
            "title": source.get("title"),
            "content": source.get("content"),
            "model": sentiment.get("model") if isinstance(sentiment, dict) else None,
        }


def update_sentiment(store: Store, updates: Iterable[tuple[str, dict] | tuple[str, dict, str]],
                     chunk_size: int = 500, refresh: bool = True,
                     on_item: Callable[[bool], None] | None = None) -> BulkReport:
    """Set ``sentiment`` on each post: ``updates`` yields ``(id, sentiment)`` or ``(id, sentiment,
    concrete index)``. Partial updates: nothing else on the post changes. A post that no longer exists
    is a failure, not a new document. ``on_item(ok)`` is called once per post as results arrive."""
    fields = ((update[0], {"sentiment": update[1]}, *update[2:]) for update in updates)
    return store.update_docs("posts", fields, chunk_size=chunk_size, refresh=refresh, on_item=on_item)
