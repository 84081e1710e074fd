"""Turning posts into documents: deterministic ids and the segmented search fields."""

from __future__ import annotations

import math
from datetime import datetime

from analysis.identity import canonical_url, post_id
from analysis.segment import index_text
from analysis.surrogates import scrub
from yuqing.jsonlines import JSON_TYPES

__all__ = ["canonical_url", "post_id", "to_document"]


def _iso(value):
    return value.isoformat() if isinstance(value, datetime) else value


TEXT_FIELDS = ("url", "title", "content", "author", "source")


def _non_finite(value, path: str = "") -> str | None:
    """The dotted path of the first NaN or infinite number in ``value``, else None."""
    if isinstance(value, float) and not math.isfinite(value):
        return path or "?"
    if isinstance(value, dict):
        items = value.items()
    elif isinstance(value, (list, tuple)):
        items = enumerate(value)
    else:
        return None
    for key, item in items:
        found = _non_finite(item, f"{path}.{key}" if path else str(key))
        if found:
            return found
    return None


def to_document(post: dict) -> dict:
    """The document to index: id, canonical url, segmented fields, ISO dates. Lone surrogates
    (which no UTF-8 writer takes) become U+FFFD; a text field that is not text is a ValueError, and
    so is a NaN or infinite number (JSON has none: Elasticsearch refuses the whole bulk request)."""
    for name in TEXT_FIELDS:
        value = post.get(name)
        if value is not None and not isinstance(value, str):
            raise ValueError(f"字段 {name} 应为字符串，实际是{JSON_TYPES.get(type(value), type(value).__name__)}")
    where = _non_finite(post)
    if where:
        raise ValueError(f"字段 {where} 不是有限的数（NaN 或无穷大）")
    doc = {k: _iso(v) for k, v in scrub(post).items() if v is not None}
    doc["id"] = doc.get("id") or post_id(post)
    if doc.get("url"):
        doc["url"] = canonical_url(doc["url"])
    if "title_seg" not in doc:
        doc["title_seg"] = index_text(doc.get("title") or "")
    if "content_seg" not in doc:
        doc["content_seg"] = index_text(doc.get("content") or "")
    board = doc.get("board")
    if isinstance(board, dict):
        doc["board"] = {k: _iso(v) for k, v in board.items() if v is not None}
    return doc
