"""Posts as records named like the posts index, for the manifest and `yuqing sandbox export`."""

from __future__ import annotations

import json
from datetime import datetime
from typing import IO, Iterable

from yuqing.sandbox.sites import SITES
from yuqing.sandbox.world import Post, World

DEFAULT_BASE_URL = "http://127.0.0.1:8765"
PLATFORMS = {"news": "新闻", "rss": "新闻", "sitemap": "新闻", "board_html": "留言板", "board_api": "留言板",
             "social": "社交媒体"}


def region_object(region: str) -> dict:
    """'天津市河西区' as the posts index stores a region: province, city, district, path."""
    district = region.removeprefix("天津市") or None
    return {"province": "天津市", "city": "天津市", "district": district,
            "path": "天津市" + (f"/{district}" if district else "")}


def _board(post: Post, now: datetime) -> dict | None:
    if post.board is None:
        return None
    return {**post.board.view(now), "poster": post.board.poster, "channel": SITES[post.site].name}


def post_record(world: World, post: Post, now: datetime, base_url: str = DEFAULT_BASE_URL) -> dict:
    """One post as it stands at ``now`` (board status and engagement depend on the time)."""
    return {
        "id": post.id,
        "source": post.source,
        "source_name": SITES[post.site].name,
        "source_kind": post.source_kind,
        "platform": PLATFORMS[post.source_kind],
        "media_level": post.media_level,
        "url": base_url + post.path,
        "title": post.title,
        "content": post.content,
        "author": post.author,
        "published_at": post.published_at.isoformat(),
        "region": region_object(post.region),
        "categories": [post.category],
        "board": _board(post, now),
        "engagement": world.engagement(post, now),
        "scenario": post.scenario,
        "repost_of": post.repost_of,
    }


def export_records(world: World, until: datetime | None = None,
                   base_url: str = DEFAULT_BASE_URL) -> Iterable[dict]:
    """Records of every post published up to ``until`` (default: the whole timeline), oldest first."""
    end = until or max(p.published_at for p in world.posts)
    if until is None:
        # the state at the end: every board has reached its last status
        ends = [p.board.replied_at or p.board.accepted_at for p in world.posts if p.board]
        end_state = max([end] + [t for t in ends if t])
    else:
        end_state = until
    for post in world.posts:
        if post.published_at <= end:
            yield post_record(world, post, end_state, base_url)


def write_jsonl(records: Iterable[dict], handle: IO[str]) -> int:
    count = 0
    for record in records:
        handle.write(json.dumps(record, ensure_ascii=False) + "\n")
        count += 1
    return count
