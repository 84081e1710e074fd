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

from dataclasses import dataclass, field

DATE = {"type": "date", "format": "strict_date_optional_time||epoch_millis"}
KEYWORD = {"type": "keyword"}
SEG_TEXT = {"type": "text", "analyzer": "whitespace", "index_options": "offsets"}
RAW_TEXT = {"type": "text", "analyzer": "standard", "index_options": "offsets"}
TITLE_TEXT = {**RAW_TEXT, "fields": {"keyword": {"type": "keyword", "ignore_above": 512}}}

REGION = {
    "properties": {
        "province": KEYWORD,
        "city": KEYWORD,
        "district": KEYWORD,
        "path": KEYWORD,
    }
}

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

EVENTS_V1 = {
    "dynamic": False,
    "properties": {
        "id": KEYWORD,
        "title": TITLE_TEXT,
        "title_seg": SEG_TEXT,
        "first_seen": DATE,
        "last_seen": DATE,
        "event_time": DATE,
        "post_count": {"type": "integer"},
        "cluster_count": {"type": "integer"},
        "negative_share": {"type": "float"},
        "heat": {"type": "float"},
        "categories": KEYWORD,
        "keywords": KEYWORD,
        "region": REGION,
        "media_levels": KEYWORD,
        "sources": KEYWORD,
        "platforms": KEYWORD,
        "representative_post_ids": KEYWORD,
        "cluster_ids": KEYWORD,
        "volume": {"type": "object", "enabled": False},
        "updated_at": DATE,
    },
}

ALERTS_V1 = {
    "dynamic": False,
    "properties": {
        "id": KEYWORD,
        "event_id": KEYWORD,
        "title": TITLE_TEXT,
        "level": KEYWORD,  # Ⅰ | Ⅱ | Ⅲ | Ⅳ
        "level_rank": {"type": "byte"},
        "color": KEYWORD,
        "rules": KEYWORD,
        "schemes": KEYWORD,
        "status": KEYWORD,  # new | acknowledged | assigned | responded | closed
        "owner_unit": KEYWORD,
        "handling_type": KEYWORD,
        "clock_start": DATE,
        "deadlines": {
            "properties": {"kind": KEYWORD, "label": KEYWORD, "due_at": DATE, "met_at": DATE}
        },
        "first_alerted_at": DATE,
        "updated_at": DATE,
        "closed_at": DATE,
        "silenced": {"type": "boolean"},
        "post_count": {"type": "integer"},
        "responses": {"type": "object", "enabled": False},
        "handover": {"type": "object", "enabled": False},
        "notifications": {"type": "object", "enabled": False},
    },
}

AUDIT_V1 = {
    "dynamic": False,
    "properties": {
        "id": KEYWORD,
        "alert_id": KEYWORD,
        "event_id": KEYWORD,
        "action": KEYWORD,
        "actor": KEYWORD,
        "at": DATE,
        "details": {"type": "object", "enabled": False},
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
        "status": KEYWORD,
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
    },
}


@dataclass(frozen=True)
class IndexDef:
    """One logical index: its name, current mapping version and mapping."""

    name: str
    version: int
    mappings: dict
    settings: dict = field(default_factory=dict)


INDICES: dict[str, IndexDef] = {
    d.name: d
    for d in [
        IndexDef("posts", 1, POSTS_V1, {"refresh_interval": "1s"}),
        IndexDef("events", 1, EVENTS_V1),
        IndexDef("alerts", 1, ALERTS_V1),
        IndexDef("audit", 1, AUDIT_V1),
        IndexDef("crawl-runs", 1, CRAWL_RUNS_V1),
        IndexDef("crawl-state", 1, CRAWL_STATE_V1),
    ]
}

TIME_FIELDS = {"posts": "published_at", "events": "last_seen", "alerts": "first_alerted_at",
               "audit": "at", "crawl-runs": "started_at", "crawl-state": "fetched_at"}
