"""Field types shared by every mapping, and the IndexDef record."""

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


@dataclass(frozen=True)
class IndexDef:
    """One logical index: its name, current mapping version and mapping."""

    name: str
    version: int
    mappings: dict
    settings: dict = field(default_factory=dict)
