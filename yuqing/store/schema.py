"""The index schema, defined once: one mapping per logical index, versioned.

Each logical index (posts, events, …) lives in a versioned concrete index ``{prefix}-{name}-v{N}``
behind the alias ``{prefix}-{name}`` that the application always uses. A mapping change bumps N;
``yuqing migrate`` copies the data over (client-side scan + bulk: the node has no reindex module)
and flips the alias.

Chinese text: the node has no Chinese analyzer, so ``*_seg`` fields hold jieba tokens joined by
spaces, analyzed with ``whitespace``; the original text is also indexed with ``standard`` (one token
per CJK character, so a phrase query is an exact substring match) and is what highlighting returns.
Every field a dashboard aggregates on is a ``keyword`` (or number/date).
"""

from __future__ import annotations

from yuqing.store.schema_accounts import ACCOUNT_INDICES
from yuqing.store.schema_alerts import ALERT_INDICES
from yuqing.store.schema_base import DATE, KEYWORD, RAW_TEXT, REGION, SEG_TEXT, TITLE_TEXT, IndexDef

__all__ = ["INDICES", "IndexDef", "TIME_FIELDS", "POSTS_V1"]

SENTIMENT = {"properties": {"score": {"type": "float"}, "label": KEYWORD, "model": KEYWORD}}

POSTS_V1 = {
    "dynamic": False,
    "properties": {
        "id": KEYWORD,
        "url": KEYWORD,
        "source": KEYWORD,
        "source_name": KEYWORD,
        "source_kind": KEYWORD,  # news | rss | sitemap | board_html | board_api | social
        "platform": KEYWORD,  # 新闻 | 留言板 | 社交媒体 …
        "media_level": KEYWORD,  # 中央 | 省级 | 市级 | 行业 | 商业 | 自媒体
        "title": TITLE_TEXT,
        "title_seg": SEG_TEXT,
        "content": RAW_TEXT,
        "content_seg": SEG_TEXT,
        "author": KEYWORD,
        "published_at": DATE,
        "crawled_at": DATE,
        "updated_at": DATE,
        "region": REGION,
        "categories": KEYWORD,
        "matched_keywords": KEYWORD,
        "keywords": KEYWORD,
        "sentiment": SENTIMENT,
        "board": {
            "properties": {
                "post_id": KEYWORD,
                "channel": KEYWORD,
                "addressee": KEYWORD,
                "type": KEYWORD,  # 投诉 | 建言 | 咨询 | 求助
                "domain": KEYWORD,
                "area": KEYWORD,
                "poster": KEYWORD,
                "status": KEYWORD,  # 未回复 | 办理中 | 已办理
                "reply": RAW_TEXT,
                "reply_unit": KEYWORD,
                "reply_at": DATE,
                "satisfaction": KEYWORD,
                "due_at": DATE,
                "status_history": {"properties": {"status": KEYWORD, "at": DATE}},
            }
        },
        "engagement": {
            "properties": {
                name: {"type": "integer"} for name in ("likes", "comments", "shares", "views", "dislikes")
            }
        },
        "cluster_id": KEYWORD,
        "simhash": KEYWORD,
        "simhash_bands": KEYWORD,
        "event_id": KEYWORD,
        "tags": KEYWORD,
        "scenario": KEYWORD,
    },
}

CRAWL_RUNS_V1 = {
    "dynamic": False,
    "properties": {
        "id": KEYWORD,
        "source": KEYWORD,
        "started_at": DATE,
        "finished_at": DATE,
        "pages": {"type": "integer"},
        "items": {"type": "integer"},
        "errors": {"type": "integer"},
        "errors_by_kind": {"type": "object", "enabled": False},
        "status": KEYWORD,  # ok | partial | failed
        "source_name": KEYWORD,
        "source_kind": KEYWORD,
        "dropped": {"type": "integer"},  # items rejected by validation or deduplication
        "skipped": {"type": "integer"},  # articles not fetched again (already stored)
        "spooled": {"type": "integer"},  # documents written to the local spool (store down)
        "duration_s": {"type": "float"},
    },
}

CRAWL_STATE_V1 = {
    "dynamic": False,
    "properties": {
        "id": KEYWORD,
        "url": KEYWORD,
        "source": KEYWORD,
        "fetched_at": DATE,
        "board_status": KEYWORD,
        "final": {"type": "boolean"},
        "key": KEYWORD,  # url:<canonical url> or post:<board post id>
        "status_history": {"type": "object", "enabled": False},
    },
}


INDICES: dict[str, IndexDef] = {
    d.name: d
    for d in [
        IndexDef("posts", 1, POSTS_V1, {"refresh_interval": "1s"}),
        IndexDef("crawl-runs", 1, CRAWL_RUNS_V1),
        IndexDef("crawl-state", 1, CRAWL_STATE_V1),
        *ALERT_INDICES,
        *ACCOUNT_INDICES,
    ]
}

TIME_FIELDS = {"posts": "published_at", "events": "last_seen", "alerts": "first_alerted_at",
               "audit": "at", "crawl-runs": "started_at", "crawl-state": "fetched_at"}
