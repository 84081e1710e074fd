"""Stable identity of a post: the canonical URL and the deterministic document id."""

from __future__ import annotations

import hashlib
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

# Query parameters that never change what a page shows.
TRACKING_PARAMS = {"utm_source", "utm_medium", "utm_campaign", "utm_term", "utm_content", "spm", "from",
                   "share_token", "wfr", "isappinstalled"}


def canonical_url(url: str) -> str:
    """Lower-case scheme/host, no fragment, no default port, tracking parameters dropped, params sorted."""
    parts = urlsplit(url.strip())
    host = (parts.hostname or "").lower()
    if parts.port and not (parts.scheme == "http" and parts.port == 80
                           or parts.scheme == "https" and parts.port == 443):
        host = f"{host}:{parts.port}"
    query = urlencode(sorted((k, v) for k, v in parse_qsl(parts.query, keep_blank_values=True)
                             if k.lower() not in TRACKING_PARAMS))
    return urlunsplit((parts.scheme.lower(), host, parts.path or "/", query, ""))


def post_id(post: dict) -> str:
    """Deterministic id: from the board's own post id when there is one, else the canonical URL."""
    board = post.get("board") or {}
    if board.get("post_id"):
        key = f"board:{post.get('source', '')}:{board['post_id']}"
    elif post.get("url"):
        key = f"url:{canonical_url(post['url'])}"
    else:
        raise ValueError("既没有 url 也没有 board.post_id，无法确定帖子的唯一编号")
    return hashlib.sha1(key.encode("utf-8")).hexdigest()[:24]
