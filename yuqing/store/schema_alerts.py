"""Mappings of the events, alerts and audit indices (owned by the alerts engine)."""

from __future__ import annotations

from yuqing.store.schema_base import DATE, KEYWORD, REGION, SEG_TEXT, TITLE_TEXT, IndexDef

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
        "detected_at": DATE,  # when the engine first saw the event
        # summary details kept for the dashboards and for rules (not searchable)
        "negative_volume": {"type": "object", "enabled": False},
        "media_level_counts": {"type": "object", "enabled": False},
        "filter_hits": {"type": "object", "enabled": False},
        "representatives": {"type": "object", "enabled": False},
        "engagement": {"type": "float"},
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
        "cluster_count": {"type": "integer"},  # stories: the posts with reposts and edited copies merged
        "responses": {"type": "object", "enabled": False},
        "handover": {"type": "object", "enabled": False},
        "notifications": {"type": "object", "enabled": False},
        "needs_response": {"type": "boolean"},
        "incident": {"type": "boolean"},
        "digest": {"type": "boolean"},  # below the push level: collected for the daily digest
        "notified_rank": {"type": "byte"},  # the level last pushed (re-sent only when it rises)
        "reminders_sent": KEYWORD,  # reminder keys already sent (analysis.clocks.due_reminders)
        "event_time": DATE,
        "detected_at": DATE,
        "silenced_until": DATE,
        "merged_into": KEYWORD,
        "acknowledged_at": DATE,
        "assigned_at": DATE,
        "responded_at": DATE,
        "reasons": {"type": "object", "enabled": False},
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


# Engine state: the cycle checkpoint and scheme silences (kind: engine | scheme_silence).
ALERT_STATE_V1 = {
    "dynamic": False,
    "properties": {
        "id": KEYWORD,
        "kind": KEYWORD,
        "scheme": KEYWORD,
        "until": DATE,
        "actor": KEYWORD,
        "at": DATE,
        "last_cycle_at": DATE,
        "cycles": {"type": "long"},
        "details": {"type": "object", "enabled": False},
    },
}

ALERT_INDICES = [
    IndexDef("events", 1, EVENTS_V1),
    IndexDef("alerts", 1, ALERTS_V1),
    IndexDef("audit", 1, AUDIT_V1),
    IndexDef("alert-state", 1, ALERT_STATE_V1),
]
