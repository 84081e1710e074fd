"""Mappings of the dashboard's accounts (owned by the dashboard)."""

from __future__ import annotations

from yuqing.store.schema_base import IndexDef

ACCOUNT_INDICES: list[IndexDef] = []
