"""Turning posts into documents: deterministic ids and the segmented search fields."""

from __future__ import annotations

from datetime import datetime

from analysis.identity import canonical_url, post_id
from analysis.segment import index_text

__all__ = ["canonical_url", "post_id", "to_document"]


def _iso(value):
    return value.isoformat() if isinstance(value, datetime) else value


def to_document(post: dict) -> dict:
    """The document to index: id, canonical url, segmented fields, ISO dates."""
    doc = {k: _iso(v) for k, v in post.items() if v is not None}
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
