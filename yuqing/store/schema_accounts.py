"""Mappings of the dashboard's accounts and login sessions (owned by the dashboard)."""

from __future__ import annotations

from yuqing.store.schema_base import DATE, KEYWORD, IndexDef

USERS_V1 = {
    "dynamic": False,
    "properties": {
        "id": KEYWORD,  # the user name
        "username": KEYWORD,
        "display_name": KEYWORD,
        "role": KEYWORD,  # press | analyst | leader | unit | admin
        "unit": KEYWORD,  # for role "unit": the unit's name
        "password_hash": {"type": "keyword", "index": False, "doc_values": False},
        "disabled": {"type": "boolean"},
        "created_at": DATE,
        "updated_at": DATE,
        "password_changed_at": DATE,
        "last_login_at": DATE,
    },
}

SESSIONS_V1 = {
    "dynamic": False,
    "properties": {
        "id": KEYWORD,  # sha256 of the cookie token: the token itself is never stored
        "username": KEYWORD,
        "csrf": {"type": "keyword", "index": False, "doc_values": False},
        "created_at": DATE,
        "expires_at": DATE,
        "revoked": {"type": "boolean"},
    },
}

ACCOUNT_INDICES: list[IndexDef] = [
    IndexDef("users", 1, USERS_V1),
    IndexDef("sessions", 1, SESSIONS_V1),
]
