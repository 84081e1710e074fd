"""One item type for every post, and the item loaders that clean what spiders pick from pages.

:class:`PostItem` has exactly the fields of the posts index (``yuqing.store.schema.POSTS_V1``).
Spiders only pick raw strings with selectors or JSON paths and hand them to a loader; all
cleaning — whitespace, labels such as ``来源：``, dates, counts — happens in the processors here.
"""

from __future__ import annotations

import logging
import math
import re
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone
from typing import Any, Callable

from itemloaders.processors import Compose, Identity, Join, MapCompose, TakeFirst
from scrapy.loader import ItemLoader

from analysis.surrogates import scrub_text
from crawlers.extraction.dates import parse_date

LOGGER = logging.getLogger(__name__)

CST = timezone(timedelta(hours=8))
EARLIEST = datetime(1990, 1, 1, tzinfo=CST)
WHITESPACE = re.compile(r"[\s\u3000\xa0]+")
LABEL = re.compile(
    r"^\s*(?:作者|记者|来源|答复单位|回复单位|回复时间|答复时间|发布时间|时间|满意度|留言人)\s*[:：]\s*"
)
NUMBER = re.compile(r"(\d+(?:\.\d+)?)\s*(万|亿)?")
MAX_COUNT = 2**31 - 1  # engagement counts are `integer` in the posts index


# The tag of an article some of whose pages could not be fetched: stored as far as it goes, and not
# final in the crawl state, so the next crawl fetches it again (crawlers.state.state_doc).
INCOMPLETE = "正文不全"

@dataclass
class PostItem:
    """A post (news article, board message or social status), named as the posts index names it."""

    url: str | None = None
    source: str | None = None
    source_name: str | None = None
    source_kind: str | None = None
    platform: str | None = None
    media_level: str | None = None
    title: str | None = None
    content: str | None = None
    author: str | None = None
    published_at: datetime | None = None
    crawled_at: datetime | None = None
    updated_at: datetime | None = None
    region: dict | None = None
    board: dict | None = None
    engagement: dict | None = None
    # Set by enrichment (analysis.enrich) before indexing.
    id: str | None = None
    title_seg: str | None = None
    content_seg: str | None = None
    categories: list[str] | None = None
    matched_keywords: list[str] | None = None
    keywords: list[str] | None = None
    sentiment: dict | None = None
    cluster_id: str | None = None
    simhash: str | None = None
    simhash_bands: list[str] | None = None
    event_id: str | None = None
    tags: list[str] | None = None
    scenario: str | None = None


BOARD_FIELDS = (
    "post_id",
    "channel",
    "addressee",
    "type",
    "domain",
    "area",
    "poster",
    "status",
    "reply",
    "reply_unit",
    "reply_at",
    "satisfaction",
    "due_at",
    "status_history",
)
ENGAGEMENT_FIELDS = ("likes", "comments", "shares", "views", "dislikes")


# ------------------------------------------------------------------ processors (pure functions)


def clean_text(value: Any) -> str | None:
    """Collapse whitespace (full-width spaces too); None for empty strings."""
    if value is None:
        return None
    text = WHITESPACE.sub(" ", scrub_text(str(value))).strip()
    return text or None


def not_json_structure(value: Any, loader_context: dict) -> Any:
    """A text value as it is; None (reported as ``bad_json``) for a JSON object or boolean, whose
    Python repr ("{'t': 'x'}", "True") is no text. Arrays are taken apart by the loader already."""
    if not isinstance(value, (dict, bool)):
        return value
    report = loader_context.get("report")
    if report is not None:
        kind = "布尔值" if isinstance(value, bool) else "对象"
        report("bad_json", f"{loader_context.get('url', '')}: 文本字段的值是 JSON {kind} {str(value)[:60]!r}，已丢弃")
    return None


def drop_label(value: str | None) -> str | None:
    """'答复单位：市市场监管委' -> '市市场监管委'."""
    if value is None:
        return None
    return LABEL.sub("", value).strip() or None


def clean_paragraph(value: Any) -> str | None:
    return clean_text(value)


class CountRejected(ValueError):
    """A count that cannot be right: negative, NaN or infinite, beyond the index's integers, not a number."""


def to_count(value: Any) -> int | None:
    """'1.2万' -> 12000, '356' -> 356, 42 -> 42; None when no number; CountRejected for a count that
    cannot be right (a JSON API's -5, NaN, 1e30, true or {...})."""
    if value is None:
        return None
    if isinstance(value, (bool, dict, list, tuple)):
        kind = "布尔值" if isinstance(value, bool) else "对象" if isinstance(value, dict) else "数组"
        raise CountRejected(f"计数应为数字，实际是{kind}: {str(value)[:40]}")
    if isinstance(value, (int, float)):
        if isinstance(value, float) and not math.isfinite(value):
            raise CountRejected(f"计数不是有限的数: {value}")
        number = value
    else:
        match = NUMBER.search(str(value).replace(",", ""))
        if not match:
            return None
        number = float(match.group(1)) * {"万": 10_000, "亿": 100_000_000}.get(match.group(2) or "", 1)
    if number < 0:
        raise CountRejected(f"计数为负数: {value}")
    if number > MAX_COUNT:
        raise CountRejected(f"计数过大: {str(value)[:40]}")
    return int(number)


def parse_counts(values, loader_context):
    """Counts of a loader's values; a rejected one is reported (``count_rejected``) and left out."""
    counts = []
    for value in values:
        try:
            count = to_count(value)
        except CountRejected as exc:
            report = loader_context.get("report")
            if report is not None:
                report("count_rejected", f"{loader_context.get('url', '')}: {exc}")
            continue
        if count is not None:
            counts.append(count)
    return counts


class DateRejected(ValueError):
    """A date that cannot be right: in the future or before 1990."""


def plausible(value: datetime, now: datetime) -> datetime:
    if value.tzinfo is None:
        value = value.replace(tzinfo=CST)
    if value > now + timedelta(minutes=5):
        raise DateRejected(f"日期在未来: {value.isoformat()}")
    if value < EARLIEST:
        raise DateRejected(f"日期早于 1990 年: {value.isoformat()}")
    return value


def parse_post_date(value: Any, now: datetime, date_format: str | None = None) -> datetime | None:
    """A post's date from page text, a Unix time or ISO text; raises DateRejected for impossible dates.

    ``date_format`` (strptime) is tried first on the text before a '|' (``2024年03月12日 21:40 | 来源：…``),
    then the general Chinese date parser (relative forms resolved against ``now``)."""
    if value is None or value == "":
        return None
    if isinstance(value, datetime):
        return plausible(value, now)
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        if isinstance(value, float) and not math.isfinite(value):
            raise DateRejected(f"时间戳不是有限的数: {value}")
        seconds = value / 1000 if value > 10**11 else value
        try:
            stamp = datetime.fromtimestamp(seconds, CST)
        except (OverflowError, OSError, ValueError):
            raise DateRejected(f"时间戳超出范围: {str(value)[:40]}") from None
        return plausible(stamp, now)
    text = str(value).split("|")[0].strip()
    if date_format:
        try:
            return plausible(datetime.strptime(text, date_format).replace(tzinfo=CST), now)
        except ValueError as exc:
            if isinstance(exc, DateRejected):
                raise
    if text.isdigit() and len(text) in (10, 13):
        return parse_post_date(int(text), now)
    try:
        parsed = datetime.fromisoformat(text)
    except ValueError:
        parsed = None
    if parsed is not None:
        return plausible(parsed, now)
    parsed = parse_date(text, now)
    if parsed is None:
        raw = re.search(r"(\d{4})\s*[-/年.]\s*(\d{1,2})\s*[-/月.]\s*(\d{1,2})", text)
        if raw:  # a full date the parser refused: implausible, say so
            year, month, day = (int(g) for g in raw.groups())
            try:
                plausible(datetime(year, month, day, tzinfo=CST), now)
            except ValueError as exc:
                raise DateRejected(str(exc)) from None
        return None
    return plausible(parsed, now)


def _date_processor(loader_context: dict) -> Callable[[Any], datetime | None]:
    def process(value):
        now = loader_context.get("now") or datetime.now(CST)
        try:
            return parse_post_date(value, now, loader_context.get("date_format"))
        except DateRejected as exc:
            report = loader_context.get("report")
            if report is not None:
                report("date_rejected", f"{loader_context.get('url', '')}: {exc}")
            return None

    return process


def parse_dates(values, loader_context):
    process = _date_processor(loader_context)
    return [d for d in (process(v) for v in values) if d is not None]


# ------------------------------------------------------------------ loaders


class PostLoader(ItemLoader):
    """Cleans a post. Context: ``now`` (the crawl clock), ``date_format``, ``report(kind, message)``."""

    default_item_class = PostItem
    default_input_processor = MapCompose(not_json_structure, clean_text)
    default_output_processor = TakeFirst()

    author_in = MapCompose(not_json_structure, clean_text, drop_label)
    content_in = MapCompose(not_json_structure, clean_paragraph)
    content_out = Join("\n")
    published_at_in = parse_dates
    crawled_at_in = Identity()
    region_in = Identity()
    board_in = Identity()
    engagement_in = Identity()
    tags_in = Identity()
    tags_out = Compose(lambda values: values or None)


class BoardLoader(ItemLoader):
    """Cleans the ``board`` object of a message-board post."""

    default_item_class = dict
    default_input_processor = MapCompose(not_json_structure, clean_text, drop_label)
    default_output_processor = TakeFirst()

    reply_in = MapCompose(not_json_structure, clean_paragraph)
    reply_out = Join("\n")
    reply_at_in = parse_dates
    post_id_in = MapCompose(lambda v: scrub_text(str(v)).strip() if v is not None else None)
    status_history_in = Identity()
    status_history_out = Identity()


class EngagementLoader(ItemLoader):
    """Cleans engagement counts. Context: ``report(kind, message)`` and ``url`` for rejected counts."""

    default_item_class = dict
    default_input_processor = parse_counts
    default_output_processor = TakeFirst()


__all__ = [
    "PostItem",
    "PostLoader",
    "BoardLoader",
    "EngagementLoader",
    "parse_post_date",
    "DateRejected",
    "clean_text",
    "drop_label",
    "to_count",
    "CountRejected",
    "BOARD_FIELDS",
    "ENGAGEMENT_FIELDS",
    "CST",
]
