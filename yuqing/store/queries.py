"""Query builders (dicts in, dicts out) and the code that turns hits and buckets into frames.

Builders never talk to Elasticsearch; Store runs them. Keeping them apart lets the dashboards and
the digest share one query per figure.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import datetime

import pandas as pd

from analysis.hanzi import spellings
from analysis.segment import query_tokens

TIMEZONE = "Asia/Shanghai"
HIGHLIGHT_PRE, HIGHLIGHT_POST = "<em>", "</em>"
_ADJACENT = re.compile(re.escape(HIGHLIGHT_POST) + r"(\s*)" + re.escape(HIGHLIGHT_PRE))


@dataclass
class PostFilter:
    """Filters shared by search, trend and top-N queries. Lists mean "any of"."""

    since: datetime | str | None = None
    until: datetime | str | None = None
    sources: list[str] = field(default_factory=list)
    source_kinds: list[str] = field(default_factory=list)
    media_levels: list[str] = field(default_factory=list)
    categories: list[str] = field(default_factory=list)
    regions: list[str] = field(default_factory=list)  # region.path prefixes, e.g. 天津市/东丽区
    sentiment_labels: list[str] = field(default_factory=list)
    board_statuses: list[str] = field(default_factory=list)
    event_id: str | None = None
    time_field: str = "published_at"

    def clauses(self) -> list[dict]:
        out: list[dict] = []
        if self.since or self.until:
            rng = {}
            if self.since:
                rng["gte"] = _iso(self.since)
            if self.until:
                rng["lt"] = _iso(self.until)
            out.append({"range": {self.time_field: rng}})
        for fld, values in [("source", self.sources), ("source_kind", self.source_kinds),
                            ("media_level", self.media_levels), ("categories", self.categories),
                            ("sentiment.label", self.sentiment_labels), ("board.status", self.board_statuses)]:
            if values:
                out.append({"terms": {fld: list(values)}})
        if self.regions:
            out.append({"bool": {"should": [{"prefix": {"region.path": r}} for r in self.regions],
                                 "minimum_should_match": 1}})
        if self.event_id:
            out.append({"term": {"event_id": self.event_id}})
        return out


def _iso(value) -> str:
    return value.isoformat() if isinstance(value, datetime) else str(value)


def text_query(text: str) -> dict:
    """Chinese full-text query: word-level match on the segmented fields, or exact substring on the raw text.

    Words come from the same jieba dictionary as the index (both folded to simplified characters); the
    substring phrase on the standard-analyzed raw text (one token per CJK character) catches what
    segmentation splits differently, and is what highlighting marks: it is asked for in each spelling
    of the query (:func:`analysis.hanzi.spellings`), so a post written in traditional characters is
    marked too.
    """
    words = query_tokens(text)
    if not words:
        return {"match_all": {}}
    joined = " ".join(words)
    return {
        "bool": {
            "should": [
                {"multi_match": {"query": joined, "fields": ["title_seg^3", "content_seg"], "operator": "and",
                                 "type": "cross_fields"}},
                *({"multi_match": {"query": spelling, "fields": ["title^3", "content"], "type": "phrase"}}
                  for spelling in spellings(text.strip())),
            ],
            "minimum_should_match": 1,
        }
    }


def post_query(text: str | None = None, filters: PostFilter | None = None, extra: list[dict] | None = None) -> dict:
    must = [text_query(text)] if text and text.strip() else []
    flt = (filters.clauses() if filters else []) + list(extra or [])
    if not must and not flt:
        return {"match_all": {}}
    return {"bool": {"must": must, "filter": flt}}


HIGHLIGHT = {
    "pre_tags": [HIGHLIGHT_PRE],
    "post_tags": [HIGHLIGHT_POST],
    "fields": {"title": {"number_of_fragments": 0}, "content": {"fragment_size": 120, "number_of_fragments": 3}},
}


def merge_highlight(fragment: str) -> str:
    """Join per-character highlights: <em>食</em><em>品</em> → <em>食品</em>."""
    return _ADJACENT.sub(lambda m: m.group(1), fragment)


def terms_agg(fld: str, size: int = 10) -> dict:
    return {"terms": {"field": fld, "size": size}}


CALENDAR_INTERVALS = {"1d", "1w", "1M", "1q", "1y", "day", "week", "month", "quarter", "year"}


def histogram_agg(fld: str = "published_at", interval: str = "1h", extra: dict | None = None) -> dict:
    """Date histogram in Shanghai time; calendar units (1d, 1w, 1M) honour day and month boundaries."""
    kind = "calendar_interval" if interval in CALENDAR_INTERVALS else "fixed_interval"
    agg: dict = {"date_histogram": {"field": fld, kind: interval, "time_zone": TIMEZONE, "min_doc_count": 0}}
    if extra:
        agg["aggs"] = extra
    return agg


def hits_frame(hits: list[dict], columns: list[str] | None = None) -> pd.DataFrame:
    rows = []
    for hit in hits:
        row = dict(hit.get("_source", {}))
        row["_id"] = hit.get("_id")
        row["_score"] = hit.get("_score")
        if "highlight" in hit:
            row["_highlight"] = {k: [merge_highlight(f) for f in v] for k, v in hit["highlight"].items()}
        rows.append(row)
    frame = pd.json_normalize(rows) if rows else pd.DataFrame(columns=columns or [])
    return frame[columns] if columns else frame


def buckets_frame(agg: dict, key: str = "key", value: str = "count") -> pd.DataFrame:
    """Terms or histogram buckets → frame with `key` and `count` (+ any single-value sub-aggs)."""
    rows = []
    for bucket in agg.get("buckets", []):
        row = {key: bucket.get("key_as_string", bucket.get("key")), value: bucket.get("doc_count", 0)}
        for name, sub in bucket.items():
            if isinstance(sub, dict) and "value" in sub:
                row[name] = sub["value"]
        rows.append(row)
    return pd.DataFrame(rows, columns=None if rows else [key, value])
