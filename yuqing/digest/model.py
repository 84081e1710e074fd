"""The content of a digest as data, built from the store for a date, a week or one event.

Every figure comes from an Elasticsearch query or aggregation; nothing here writes prose. Counts are
given twice where the issue asks for it: ``mentions`` (posts) and ``stories`` (near-duplicate
clusters, so 50 reposts of one story are one story with 50 mentions).

Times: all windows are Shanghai calendar days; ``as_of`` is the moment deadlines are judged at (the end
of the window, or now when the window has not ended yet).
"""

from __future__ import annotations

import logging
import re
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from typing import Any

from analysis.clocks import ClockPolicy, clock_status, format_duration, load_policy, post_reply_deadlines
from analysis.workdays import SHANGHAI
from yuqing import clock
from yuqing.store import queries

LOGGER = logging.getLogger(__name__)

SENTIMENT_LABELS = {"neg": "负面", "pos": "正面", "neu": "中性"}
STATUS_LABELS = {
    "new": "新预警",
    "acknowledged": "已确认",
    "assigned": "已交办",
    "responded": "已回应",
    "closed": "已办结",
}
MEDIA_PLATFORM = "新闻"
OFFICIAL_PATTERN = re.compile(
    r"市场监[督管]|监督管理|人民政府|政府|公安|教育局|卫[生健]|应急管理|网信|发布$|官方|通报"
)
MAX_ALERTS = 500
MAX_EVENT_POSTS = 5000


# --------------------------------------------------------------------------- records
@dataclass
class Count:
    """One bucket: a platform, media level or sentiment label with its mentions and stories."""

    key: str
    mentions: int
    stories: int

    @property
    def label(self) -> str:
        return SENTIMENT_LABELS.get(self.key, self.key)


@dataclass
class Point:
    """One step of a volume curve."""

    at: datetime
    mentions: int


@dataclass
class EventItem:
    """An event active in the window, with its heat and the most severe alert on it."""

    id: str
    title: str
    heat: float
    mentions: int  # posts in the window
    stories: int  # clusters in the window
    total_posts: int
    negative_share: float | None
    first_seen: datetime | None
    last_seen: datetime | None
    platforms: list[str] = field(default_factory=list)
    level: str | None = None
    color: str | None = None
    alert_status: str | None = None
    owner_unit: str | None = None


@dataclass
class NegativeItem:
    """A negative story: the earliest post of a cluster and how often it was repeated in the window."""

    cluster_id: str
    title: str
    url: str
    source_name: str
    published_at: datetime | None
    mentions: int
    event_id: str | None = None


@dataclass
class DueItem:
    """One deadline of an alert and where it stands at ``as_of``."""

    alert_id: str
    event_id: str | None
    title: str
    level: str | None
    color: str | None
    owner_unit: str | None
    status: str | None
    kind: str
    label: str
    due_at: datetime
    met_at: datetime | None
    state: str  # remaining | overdue | met | met_late
    status_text: str


@dataclass
class BoardItem:
    """A message-board post and its reply deadline (working days) at ``as_of``."""

    post_id: str
    title: str
    channel: str
    addressee: str
    unit: str
    posted_at: datetime
    due_at: datetime
    reply_at: datetime | None
    state: str  # remaining | overdue | met | met_late
    status_text: str
    url: str = ""


@dataclass
class Change:
    """One metric this period against the previous one."""

    label: str
    current: float
    previous: float
    unit: str = ""
    percent: bool = False  # values are shares in 0..1

    @property
    def delta(self) -> float:
        return self.current - self.previous

    @property
    def ratio(self) -> float | None:
        return None if not self.previous else self.delta / self.previous


@dataclass
class ScoreRow:
    """Per unit and clock: deadlines due in the period and how they were met."""

    unit: str
    clock: str
    due: int = 0
    on_time: int = 0
    late: int = 0
    overdue: int = 0  # due, not met by as_of

    @property
    def rate(self) -> float | None:
        return self.on_time / self.due if self.due else None


@dataclass
class AlertItem:
    """An alert raised in the window; ``collected`` alerts (below the push level) are reported only here."""

    id: str
    event_id: str | None
    title: str
    level: str | None
    color: str | None
    rules: list[str]
    first_alerted_at: datetime | None
    owner_unit: str | None
    status: str | None
    post_count: int
    collected: bool


@dataclass
class UnitFlags:
    """Accountability per unit (analysis.accountability): report time and the three failure-flag proxies."""

    unit: str
    alerts: int
    median_report_hours: float | None
    late_report: int
    ineffective: int
    inappropriate: int


@dataclass
class WindowSummary:
    """The figures of one time window (used for both periods of a week-on-week comparison)."""

    mentions: int
    stories: int
    negative_mentions: int
    events: int
    alerts: int
    overdue: int

    @property
    def negative_share(self) -> float:
        return self.negative_mentions / self.mentions if self.mentions else 0.0


@dataclass
class Digest:
    """舆情日报 or 周报."""

    kind: str  # daily | weekly
    start: datetime
    end: datetime
    as_of: datetime
    generated_at: datetime
    mentions: int
    stories: int
    platforms: list[Count]
    media_levels: list[Count]
    sentiment: list[Count]
    volume: list[Point]
    top_events: list[EventItem]
    negative_items: list[NegativeItem]
    due_items: list[DueItem]  # unmet, not yet overdue, earliest first
    overdue_items: list[DueItem]
    met_items: list[DueItem]  # met within the window
    board_due: list[BoardItem]
    board_overdue: list[BoardItem]
    board_replied: int
    new_alerts: list[AlertItem] = field(default_factory=list)
    central_news: int = 0  # news reports by central media
    changes: list[Change] = field(default_factory=list)
    scorecard: list[ScoreRow] = field(default_factory=list)
    accountability: list[UnitFlags] = field(default_factory=list)

    @property
    def title(self) -> str:
        if self.kind == "weekly":
            last = (self.end - timedelta(seconds=1)).date()
            return f"舆情周报（{_cn_date(self.start.date())}—{_cn_date(last)}）"
        return f"舆情日报（{_cn_date(self.start.date())}）"

    @property
    def negative_mentions(self) -> int:
        return sum(c.mentions for c in self.sentiment if c.key == "neg")

    @property
    def negative_share(self) -> float:
        return self.negative_mentions / self.mentions if self.mentions else 0.0


@dataclass
class KeyMoment:
    at: datetime
    text: str


@dataclass
class Spreader:
    """Who spread an event: a source or account, its mentions and reach."""

    name: str
    platform: str
    media_level: str
    mentions: int
    shares: int = 0


@dataclass
class ViewGroup:
    """Views of one kind of speaker (官方, 媒体, 意见领袖, 普通网民)."""

    kind: str
    mentions: int
    negative: int
    quotes: list[tuple[str, str]] = field(default_factory=list)  # (speaker, excerpt)
    critical: list[tuple[str, str]] = field(default_factory=list)

    @property
    def negative_share(self) -> float:
        return self.negative / self.mentions if self.mentions else 0.0


@dataclass
class EventReport:
    """舆情专报 for one event."""

    event: dict
    alert: dict | None
    as_of: datetime
    generated_at: datetime
    mentions: int
    stories: int
    negative_share: float
    volume: list[Point]
    platforms: list[Count]
    media_levels: list[Count]
    moments: list[KeyMoment]
    spreaders: list[Spreader]
    views: list[ViewGroup]
    deadlines: list[DueItem]
    recent_trend: tuple[int, int]  # mentions in the last 6 h and the 6 h before, ending at the last post
    central_media: int
    board_pending: list[BoardItem]

    @property
    def title(self) -> str:
        return f"舆情专报：{self.event.get('title') or self.event.get('id')}"


# --------------------------------------------------------------------------- helpers
def _cn_date(day: date) -> str:
    return f"{day.year}年{day.month}月{day.day}日"


def parse_time(value: Any) -> datetime | None:
    """An ES date (ISO string or epoch millis) as an aware Shanghai datetime; None when absent or bad."""
    if value in (None, ""):
        return None
    try:
        if isinstance(value, (int, float)):
            return datetime.fromtimestamp(value / 1000, SHANGHAI)
        parsed = datetime.fromisoformat(str(value).replace("Z", "+00:00"))
    except (ValueError, OverflowError, OSError):
        LOGGER.warning("unreadable date %r", value)
        return None
    if parsed.tzinfo is None:
        parsed = parsed.replace(tzinfo=SHANGHAI)
    return parsed.astimezone(SHANGHAI)


MORNING_UNTIL = 12  # before noon the leaders read yesterday's digest; after it, today's so far


def default_day(now: datetime) -> date:
    """The digest a leader opens (on the 日报 page, or `yuqing digest daily` without --date):
    yesterday's in the morning, today's (so far) from noon."""
    return now.date() - timedelta(days=1) if now.hour < MORNING_UNTIL else now.date()


def day_window(day: date) -> tuple[datetime, datetime]:
    start = datetime.combine(day, time(0), tzinfo=SHANGHAI)
    return start, start + timedelta(days=1)


def week_window(day: date) -> tuple[datetime, datetime]:
    """The Monday–Sunday week containing ``day``."""
    monday = day - timedelta(days=day.weekday())
    start = datetime.combine(monday, time(0), tzinfo=SHANGHAI)
    return start, start + timedelta(days=7)


def post_headline(src: dict, limit: int = 40) -> str:
    """A post's title, or the start of its text for untitled (social) posts."""
    title = (src.get("title") or "").strip()
    if title:
        return title
    text = re.sub(r"\s+", " ", src.get("content") or "").strip()
    return text[:limit] + ("…" if len(text) > limit else "")


def _stories_agg() -> dict:
    return {
        "stories": {"cardinality": {"field": "cluster_id", "precision_threshold": 40000}},
        "unclustered": {"missing": {"field": "cluster_id"}},
    }


def _stories(bucket: dict) -> int:
    return int(bucket["stories"]["value"]) + int(bucket["unclustered"]["doc_count"])


def _counts(agg: dict) -> list[Count]:
    return [Count(str(b["key"]), int(b["doc_count"]), _stories(b)) for b in agg.get("buckets", [])]


def _histogram(agg: dict) -> list[Point]:
    return [
        Point(parse_time(b.get("key_as_string")) or parse_time(b["key"]), int(b["doc_count"]))
        for b in agg.get("buckets", [])
    ]


def _window_filter(start: datetime, end: datetime, fld: str = "published_at") -> dict:
    return {"range": {fld: {"gte": start.isoformat(), "lt": end.isoformat()}}}


# --------------------------------------------------------------------------- posts
def post_figures(store, start: datetime, end: datetime, interval: str) -> dict:
    """Mentions, stories, platform/media-level/sentiment splits and the volume curve of a window."""
    query = queries.post_query(filters=queries.PostFilter(since=start, until=end))
    sub = _stories_agg()
    aggs = {
        **sub,
        "platform": {**queries.terms_agg("platform", 20), "aggs": sub},
        "media_level": {**queries.terms_agg("media_level", 20), "aggs": sub},
        "sentiment": {**queries.terms_agg("sentiment.label", 5), "aggs": sub},
        "volume": queries.histogram_agg("published_at", interval),
        "central_news": {
            "filter": {
                "bool": {
                    "filter": [{"term": {"platform": MEDIA_PLATFORM}}, {"term": {"media_level": "中央"}}]
                }
            }
        },
    }
    result = store.search("posts", query, size=0, aggs=aggs)
    agg = result["aggregations"]
    volume = _histogram(agg["volume"])
    if volume or interval:
        volume = _fill(volume, start, end, interval)
    return {
        "mentions": int(result["hits"]["total"]["value"]),
        "stories": _stories(agg),
        "platforms": _counts(agg["platform"]),
        "media_levels": _counts(agg["media_level"]),
        "sentiment": _counts(agg["sentiment"]),
        "volume": volume,
        "central_news": int(agg["central_news"]["doc_count"]),
    }


def _fill(points: list[Point], start: datetime, end: datetime, interval: str) -> list[Point]:
    """The curve over the whole window: empty steps at either end are zeros (the agg fills only gaps)."""
    step = {"1h": timedelta(hours=1), "1d": timedelta(days=1)}.get(interval)
    if step is None:
        return points
    have = {p.at: p.mentions for p in points}
    out, at = [], start
    while at < end:
        out.append(Point(at, have.get(at, 0)))
        at += step
    return out


def negative_items(store, start: datetime, end: datetime, size: int = 10) -> list[NegativeItem]:
    """The negative stories of the window, most repeated first (one row per near-duplicate cluster)."""
    query = queries.post_query(filters=queries.PostFilter(since=start, until=end, sentiment_labels=["neg"]))
    aggs = {
        "clusters": {
            "terms": {"field": "cluster_id", "size": size, "order": [{"_count": "desc"}, {"first": "asc"}]},
            "aggs": {
                "first": {"min": {"field": "published_at"}},
                "post": {
                    "top_hits": {
                        "size": 1,
                        "sort": [{"published_at": "asc"}],
                        "_source": ["title", "content", "url", "source_name", "published_at", "event_id"],
                    }
                },
            },
        }
    }
    result = store.search("posts", query, size=0, aggs=aggs)
    items = []
    for bucket in result["aggregations"]["clusters"]["buckets"]:
        hit = bucket["post"]["hits"]["hits"][0]["_source"]
        items.append(
            NegativeItem(
                str(bucket["key"]),
                post_headline(hit),
                hit.get("url") or "",
                hit.get("source_name") or "",
                parse_time(hit.get("published_at")),
                int(bucket["doc_count"]),
                hit.get("event_id"),
            )
        )
    return items


# --------------------------------------------------------------------------- events and alerts
def _alerts_by_event(alerts: list[dict]) -> dict[str, dict]:
    """The most severe alert per event (lowest level_rank, then earliest)."""
    best: dict[str, dict] = {}
    for alert in alerts:
        event_id = alert.get("event_id")
        if not event_id:
            continue
        key = (alert.get("level_rank") or 9, alert.get("first_alerted_at") or "")
        current = best.get(event_id)
        if current is None or key < (current.get("level_rank") or 9, current.get("first_alerted_at") or ""):
            best[event_id] = alert
    return best


def fetch_alerts(store, as_of: datetime, since: datetime | None = None) -> list[dict]:
    """Alerts raised before ``as_of`` and not closed before ``since``."""
    flt: list[dict] = [
        {"range": {"first_alerted_at": {"lt": as_of.isoformat()}}},
        {"bool": {"must_not": {"exists": {"field": "merged_into"}}}},
    ]  # absorbed by another
    if since is not None:
        flt.append(
            {
                "bool": {
                    "should": [
                        {"bool": {"must_not": {"exists": {"field": "closed_at"}}}},
                        {"range": {"closed_at": {"gte": since.isoformat()}}},
                    ],
                    "minimum_should_match": 1,
                }
            }
        )
    result = store.search(
        "alerts",
        {"bool": {"filter": flt}},
        size=MAX_ALERTS,
        sort=[{"level_rank": {"order": "asc", "missing": "_last"}}, {"first_alerted_at": {"order": "asc"}}],
    )
    return [hit["_source"] for hit in result["hits"]["hits"]]


HOT_CANDIDATES = 200  # events with the most posts in the window whose heat at the cut-off is computed
WINDOW_CLUSTERS = 10000  # near-duplicate clusters read per window


def _cluster_events(store, start: datetime, end: datetime) -> tuple[dict[str, str], dict[str, int]]:
    """The events of the window's posts: (near-duplicate cluster → event, event → posts in the window).

    A post's ``event_id`` is not stable: a re-crawl writes the post whole (no event id until the next
    analysis cycle) and a later cycle may group it elsewhere. A cluster keeps its event: the event most of
    its grouped posts name (in the window, else at any time), else the event listing it in ``cluster_ids``.
    """
    query = queries.post_query(filters=queries.PostFilter(since=start, until=end))
    result = store.search(
        "posts",
        query,
        size=0,
        aggs={
            "clusters": {
                **queries.terms_agg("cluster_id", WINDOW_CLUSTERS),
                "aggs": {"event": queries.terms_agg("event_id", 1)},
            },
            "unclustered": {
                "missing": {"field": "cluster_id"},
                "aggs": {"event": queries.terms_agg("event_id", HOT_CANDIDATES)},
            },
        },
    )
    agg = result["aggregations"]
    _top_event = queries.terms_agg("event_id", 1)
    events: dict[str, str] = {}
    unknown: list[str] = []
    sizes = {str(b["key"]): int(b["doc_count"]) for b in agg["clusters"]["buckets"]}
    for bucket in agg["clusters"]["buckets"]:
        named = bucket["event"]["buckets"]
        if named:
            events[str(bucket["key"])] = str(named[0]["key"])
        else:
            unknown.append(str(bucket["key"]))
    if unknown:
        found = store.search(
            "posts",
            {"bool": {"filter": [{"terms": {"cluster_id": unknown}}, {"exists": {"field": "event_id"}}]}},
            size=0,
            aggs={"c": {**queries.terms_agg("cluster_id", len(unknown)), "aggs": {"e": _top_event}}},
        )
        for bucket in found["aggregations"]["c"]["buckets"]:
            if bucket["e"]["buckets"]:
                events[str(bucket["key"])] = str(bucket["e"]["buckets"][0]["key"])
        unknown = [c for c in unknown if c not in events]
    if unknown:
        for doc in store.scan("events", {"terms": {"cluster_ids": unknown}}):
            for cluster in doc.get("cluster_ids") or []:
                events.setdefault(str(cluster), doc["id"])
    counts = {str(b["key"]): int(b["doc_count"]) for b in agg["unclustered"]["event"]["buckets"]}
    for cluster, event_id in events.items():
        if cluster in sizes:
            counts[event_id] = counts.get(event_id, 0) + sizes[cluster]
    return {c: e for c, e in events.items() if c in sizes}, counts


def _level_at(alert: dict, as_of: datetime) -> tuple[str | None, str | None]:
    """The alert's level and colour as they stood at ``as_of`` (a level reached later is not known yet)."""
    from analysis.rules import LEVEL_COLOURS, LEVEL_RANK

    reached = {
        level: at
        for level, value in (alert.get("level_reached_at") or {}).items()
        if (at := parse_time(value))
    }
    if not reached:
        return alert.get("level"), alert.get("color")
    known = [level for level, at in reached.items() if at <= as_of and level in LEVEL_RANK]
    if not known:
        return alert.get("level"), alert.get("color")
    level = min(known, key=LEVEL_RANK.__getitem__)
    return level, LEVEL_COLOURS.get(level)


def top_events(store, start: datetime, end: datetime, alerts: list[dict], size: int = 5) -> list[EventItem]:
    """The hottest events with posts in the window, as they stood at the window's end.

    Nothing is read from the mutable state of an event document: membership comes from the posts'
    near-duplicate clusters (``_cluster_events``), and heat, title, counts and spread are computed from the
    event's posts published before ``end`` (heat by the documented formula at ``end``, not at the last
    analysis cycle). An event without posts in the window is not listed; ties go to more posts.
    """
    from analysis.events import EventStats, event_title, heat_index, hour_key

    clusters, counts = _cluster_events(store, start, end)
    members: dict[str, set[str]] = {event_id: set() for event_id in counts}
    for cluster, event_id in clusters.items():
        members[event_id].add(cluster)
    if not members:
        return []
    sub = {
        "window": {
            "filter": _window_filter(start, end),
            "aggs": {**_stories_agg(), "neg": {"filter": {"term": {"sentiment.label": "neg"}}}},
        },
        "first": {"min": {"field": "published_at"}},
        "last": {"max": {"field": "published_at"}},
        "media": queries.terms_agg("media_level", 10),
        "platform": queries.terms_agg("platform", 10),
        "likes": {"sum": {"field": "engagement.likes"}},
        "comments": {"sum": {"field": "engagement.comments"}},
        "shares": {"sum": {"field": "engagement.shares"}},
        "recent": {
            "filter": _window_filter(end - timedelta(hours=48), end),
            "aggs": {"hours": {"date_histogram": {"field": "published_at", "fixed_interval": "1h"}}},
        },
        "reps": {
            "terms": {"field": "cluster_id", "size": 10},
            "aggs": {
                "top": {
                    "top_hits": {
                        "size": 1,
                        "sort": [{"published_at": "asc"}],
                        "_source": ["id", "title", "content", "media_level", "published_at"],
                    }
                }
            },
        },
    }

    def member_query(event_id: str) -> dict:
        """The event's posts: its clusters in the window, and by event id its earlier or unclustered ones."""
        earlier = {
            "bool": {
                "should": [
                    {"range": {"published_at": {"lt": start.isoformat()}}},
                    {"bool": {"must_not": {"exists": {"field": "cluster_id"}}}},
                ],
                "minimum_should_match": 1,
            }
        }
        should: list[dict] = [{"bool": {"filter": [{"term": {"event_id": event_id}}, earlier]}}]
        if members[event_id]:
            should.append({"terms": {"cluster_id": sorted(members[event_id])}})
        return {"bool": {"should": should, "minimum_should_match": 1}}

    # the events with the most posts in the window are the candidates (heat grows with volume)
    candidates = sorted(counts, key=lambda e: (-counts[e], e))[:HOT_CANDIDATES]
    result = store.search(
        "posts",
        {"range": {"published_at": {"lt": end.isoformat()}}},
        size=0,
        aggs={"ev": {"filters": {"filters": {e: member_query(e) for e in candidates}}, "aggs": sub}},
    )
    by_event = _alerts_by_event(alerts)
    items = []
    for event_id, bucket in result["aggregations"]["ev"]["buckets"].items():
        day = bucket["window"]
        if not day["doc_count"]:
            continue
        stats = EventStats(event_id, post_count=int(bucket["doc_count"]))
        stats.media_levels = {b["key"]: b["doc_count"] for b in bucket["media"]["buckets"]}
        stats.engagement = float(
            bucket["likes"]["value"] + 2 * bucket["comments"]["value"] + 3 * bucket["shares"]["value"]
        )
        for hour in bucket["recent"]["hours"]["buckets"]:
            key = hour_key(parse_time(hour["key_as_string"]) or parse_time(hour["key"]))
            stats.volume[key] = int(hour["doc_count"])
        for rep in bucket["reps"]["buckets"]:
            hit = rep["top"]["hits"]["hits"][0]
            src = hit["_source"]
            stats.representatives.append(
                {
                    "id": hit["_id"],
                    "title": src.get("title") or "",
                    "content": (src.get("content") or "")[:200],
                    "media_level": src.get("media_level"),
                    "published_at": src.get("published_at"),
                    "cluster_size": rep["doc_count"],
                }
            )
        alert = by_event.get(event_id) or {}
        level, color = _level_at(alert, end) if alert else (None, None)
        mentions = int(day["doc_count"])
        items.append(
            EventItem(
                id=event_id,
                title=event_title(stats),
                heat=heat_index(stats, end),
                mentions=mentions,
                stories=_stories(day),
                total_posts=stats.post_count,
                negative_share=int(day["neg"]["doc_count"]) / mentions,
                first_seen=parse_time(bucket["first"].get("value_as_string")),
                last_seen=parse_time(bucket["last"].get("value_as_string")),
                platforms=[b["key"] for b in bucket["platform"]["buckets"]],
                level=level,
                color=color,
                alert_status=alert.get("status"),
                owner_unit=alert.get("owner_unit"),
            )
        )
    items.sort(key=lambda e: (-e.heat, -e.mentions, e.id))
    return items[:size]


def deadline_items(alerts: list[dict], as_of: datetime) -> list[DueItem]:
    """Every deadline of the alerts, judged at ``as_of`` (a met_at after as_of is not counted yet)."""
    from analysis.clocks import Deadline

    items = []
    for alert in alerts:
        if alert.get("first_alerted_at") and (parse_time(alert["first_alerted_at"]) or as_of) > as_of:
            continue
        for entry in alert.get("deadlines") or []:
            due = parse_time(entry.get("due_at"))
            if due is None:
                continue
            met = parse_time(entry.get("met_at"))
            start = parse_time(alert.get("clock_start")) or due
            deadline = Deadline(
                entry.get("kind") or "", entry.get("label") or entry.get("kind") or "", start, due
            )
            status = clock_status(deadline, as_of, met)
            items.append(
                DueItem(
                    alert_id=alert.get("id") or "",
                    event_id=alert.get("event_id"),
                    title=alert.get("title") or "",
                    level=alert.get("level"),
                    color=alert.get("color"),
                    owner_unit=alert.get("owner_unit"),
                    status=alert.get("status"),
                    kind=deadline.kind,
                    label=deadline.label,
                    due_at=due,
                    met_at=met if status.done else None,
                    state=status.state,
                    status_text=status.text,
                )
            )
    return sorted(items, key=lambda d: (d.due_at, d.alert_id, d.kind))  # a stable order for equal due times


def new_alerts(alerts: list[dict], start: datetime, end: datetime) -> list[AlertItem]:
    """Alerts first raised in [start, end), most severe first."""
    items = []
    for alert in alerts:
        first = parse_time(alert.get("first_alerted_at"))
        if first is None or not start <= first < end:
            continue
        items.append(
            AlertItem(
                alert.get("id") or "",
                alert.get("event_id"),
                alert.get("title") or "",
                alert.get("level"),
                alert.get("color"),
                list(alert.get("rules") or []),
                first,
                alert.get("owner_unit"),
                alert.get("status"),
                int(alert.get("post_count") or 0),
                bool(alert.get("digest")),
            )
        )
    return sorted(items, key=lambda a: (a.collected, a.level or "Ⅴ", a.first_alerted_at))


def _as_known_at(alert: dict, as_of: datetime) -> dict:
    """The alert as it stood at ``as_of``: later met_at/acknowledged_at/responses are not known yet."""
    copy = dict(alert)
    copy["deadlines"] = [
        {**d, "met_at": d.get("met_at") if (m := parse_time(d.get("met_at"))) and m <= as_of else None}
        for d in alert.get("deadlines") or []
    ]
    acked = parse_time(alert.get("acknowledged_at"))
    if acked and acked > as_of:
        copy["acknowledged_at"] = None
    return copy


def accountability(store, alerts: list[dict], as_of: datetime) -> list[UnitFlags]:
    """Per owner unit, over the alerts given: analysis.accountability.unit_scorecard with response effects."""
    from analysis.accountability import Effect, effect_windows, first_response_at, unit_scorecard

    known = [_as_known_at(a, as_of) for a in alerts]
    effects: dict[str, Effect] = {}
    for alert in known:
        responded = first_response_at(alert, as_of)
        if responded is None or not alert.get("event_id"):
            continue
        (b0, b1), (a0, a1) = effect_windows(responded)
        sides = []
        for lo, hi in ((b0, b1), (a0, min(a1, as_of))):
            flt = queries.PostFilter(since=lo, until=hi, event_id=alert["event_id"])
            total = store.count("posts", queries.post_query(filters=flt))
            flt.sentiment_labels = ["neg"]
            neg = store.count("posts", queries.post_query(filters=flt))
            sides.append((total, neg / total if total else 0.0))
        effects[alert["id"]] = Effect(sides[0][0], sides[1][0], sides[0][1], sides[1][1])
    scores = unit_scorecard(known, as_of, effects)
    return [
        UnitFlags(s.unit, s.alerts, s.median_report_hours, s.late_report, s.ineffective, s.inappropriate)
        for s in sorted(scores.values(), key=lambda s: s.unit)
    ]


# --------------------------------------------------------------------------- boards
def board_items(
    store, as_of: datetime, policy: ClockPolicy, since: datetime | None = None, lookback_days: int = 60
) -> list[BoardItem]:
    """Board posts posted before ``as_of`` that were unanswered at ``as_of`` or answered since ``since``.

    Posts still unanswered at ``as_of`` are always included, however old (the longer they wait, the more
    they belong under 超期); ``lookback_days`` only bounds the answered ones (posted within that many days).
    """
    floor = as_of - timedelta(days=lookback_days)
    answered_after = (since or as_of).isoformat()
    query = {
        "bool": {
            "filter": [
                {"exists": {"field": "board.status"}},
                {"range": {"published_at": {"lt": as_of.isoformat()}}},
                {
                    "bool": {
                        "should": [
                            # unanswered at as_of: no reply yet, or the reply came later
                            {"bool": {"must_not": {"exists": {"field": "board.reply_at"}}}},
                            {"range": {"board.reply_at": {"gte": as_of.isoformat()}}},
                            # answered since `since`, posted within the lookback
                            {
                                "bool": {
                                    "filter": [
                                        {"range": {"board.reply_at": {"gte": answered_after}}},
                                        {"range": {"published_at": {"gte": floor.isoformat()}}},
                                    ]
                                }
                            },
                        ],
                        "minimum_should_match": 1,
                    }
                },
            ]
        }
    }
    items = []
    for src in store.scan("posts", query):
        board = src.get("board") or {}
        posted = parse_time(src.get("published_at"))
        if posted is None:
            continue
        channel = board.get("channel") or src.get("source_name") or ""
        deadline = post_reply_deadlines(posted, channel, policy, due_at=parse_time(board.get("due_at")))[0]
        due = deadline.due_at
        reply_at = parse_time(board.get("reply_at"))
        status = clock_status(deadline, as_of, reply_at)
        items.append(
            BoardItem(
                post_id=str(board.get("post_id") or src.get("id")),
                title=post_headline(src),
                channel=policy.channel_name(channel),
                addressee=board.get("addressee") or "",
                unit=board.get("reply_unit") or board.get("addressee") or "",
                posted_at=posted,
                due_at=due,
                reply_at=reply_at if status.done else None,
                state=status.state,
                status_text=status.text,
                url=src.get("url") or "",
            )
        )
    return sorted(items, key=lambda b: (b.due_at, b.posted_at, b.post_id))  # a stable order for equal deadlines


# --------------------------------------------------------------------------- scorecard
def scorecard(due: list[DueItem], boards: list[BoardItem], start: datetime, end: datetime) -> list[ScoreRow]:
    """Per unit and clock: deadlines falling due in [start, end) and how many were met on time."""
    rows: dict[tuple[str, str], ScoreRow] = {}

    def add(unit: str, clock: str, state: str) -> None:
        row = rows.setdefault((unit or "未指定单位", clock), ScoreRow(unit or "未指定单位", clock))
        row.due += 1
        if state == "met":
            row.on_time += 1
        elif state == "met_late":
            row.late += 1
        elif state == "overdue":
            row.overdue += 1

    for item in due:
        if start <= item.due_at < end and item.state != "remaining":
            add(item.owner_unit or "", item.label, item.state)
    for item in boards:
        if start <= item.due_at < end and item.state != "remaining":
            add(item.unit, "答复留言", item.state)
    return sorted(rows.values(), key=lambda r: (r.unit, r.clock))


# --------------------------------------------------------------------------- digests
def window_summary(store, start: datetime, end: datetime, as_of: datetime) -> WindowSummary:
    figures = post_figures(store, start, end, "1d")
    neg = sum(c.mentions for c in figures["sentiment"] if c.key == "neg")
    events = store.count(
        "events",
        {
            "bool": {
                "filter": [
                    {"range": {"last_seen": {"gte": start.isoformat()}}},
                    {"range": {"first_seen": {"lt": end.isoformat()}}},
                ]
            }
        },
    )
    alerts_new = store.count("alerts", _window_filter(start, end, "first_alerted_at"))
    overdue = sum(1 for d in deadline_items(fetch_alerts(store, as_of, start), as_of) if d.state == "overdue")
    return WindowSummary(figures["mentions"], figures["stories"], neg, events, alerts_new, overdue)


def build_digest(
    store,
    kind: str,
    day: date,
    *,
    now: datetime | None = None,
    policy: ClockPolicy | None = None,
    top: int = 5,
) -> Digest:
    """The 日报 for ``day`` or the 周报 for the Monday–Sunday week containing ``day``."""
    if kind not in ("daily", "weekly"):
        raise ValueError(f"unknown digest kind {kind!r}")
    policy = policy or load_policy()
    now = (now or clock.now()).astimezone(SHANGHAI)
    start, end = day_window(day) if kind == "daily" else week_window(day)
    as_of = min(end, now)
    figures = post_figures(store, start, end, "1h" if kind == "daily" else "1d")
    alerts = fetch_alerts(store, as_of, start)
    deadlines = deadline_items(alerts, as_of)
    boards = board_items(store, as_of, policy, since=start)
    digest = Digest(
        kind=kind,
        start=start,
        end=end,
        as_of=as_of,
        generated_at=now,
        mentions=figures["mentions"],
        stories=figures["stories"],
        platforms=figures["platforms"],
        media_levels=figures["media_levels"],
        sentiment=figures["sentiment"],
        volume=figures["volume"],
        top_events=top_events(store, start, end, alerts, top),
        negative_items=negative_items(store, start, end, 10),
        due_items=[d for d in deadlines if d.state == "remaining"],
        overdue_items=[d for d in deadlines if d.state == "overdue"],
        met_items=[d for d in deadlines if d.met_at and start <= d.met_at < end],
        board_due=[b for b in boards if b.state == "remaining"],
        board_overdue=[b for b in boards if b.state == "overdue"],
        board_replied=sum(1 for b in boards if b.reply_at and start <= b.reply_at < end),
        new_alerts=new_alerts(alerts, start, end),
        central_news=figures["central_news"],
    )
    if kind == "weekly":
        current = WindowSummary(
            digest.mentions,
            digest.stories,
            digest.negative_mentions,
            store.count(
                "events",
                {
                    "bool": {
                        "filter": [
                            {"range": {"last_seen": {"gte": start.isoformat()}}},
                            {"range": {"first_seen": {"lt": end.isoformat()}}},
                        ]
                    }
                },
            ),
            store.count("alerts", _window_filter(start, end, "first_alerted_at")),
            len(digest.overdue_items),
        )
        previous = window_summary(store, start - timedelta(days=7), start, start)
        digest.changes = [
            Change("信息总量", current.mentions, previous.mentions, "条"),
            Change("话题数（相似信息合并）", current.stories, previous.stories, "个"),
            Change("负面占比", current.negative_share, previous.negative_share, percent=True),
            Change("活跃事件", current.events, previous.events, "个"),
            Change("新增预警", current.alerts, previous.alerts, "条"),
            Change("超时未办时限", current.overdue, previous.overdue, "项"),
        ]
        digest.scorecard = scorecard(deadlines, boards, start, end)
        in_week = {d.alert_id for d in deadlines if start <= d.due_at < end}
        digest.accountability = accountability(store, [a for a in alerts if a.get("id") in in_week], as_of)
    return digest


# --------------------------------------------------------------------------- 专报
def speaker_kind(src: dict, influential: set[str]) -> str:
    """官方 | 媒体 | 意见领袖 | 普通网民 for one post."""
    who = " ".join(str(src.get(k) or "") for k in ("author", "source_name"))
    if src.get("platform") != "留言板" and OFFICIAL_PATTERN.search(src.get("author") or ""):
        return "官方"
    if src.get("platform") == MEDIA_PLATFORM:
        return "媒体"
    if (src.get("author") or who) in influential:
        return "意见领袖"
    return "普通网民"


def _engagement(src: dict) -> int:
    eng = src.get("engagement") or {}
    return int(eng.get("shares") or 0) * 3 + int(eng.get("comments") or 0) * 2 + int(eng.get("likes") or 0)


def _excerpt(text: str, limit: int = 60) -> str:
    text = re.sub(r"\s+", " ", text or "").strip()
    return text[:limit] + ("…" if len(text) > limit else "")


OPINION_LEADER_MIN = 500  # weighted engagement (3×shares + 2×comments + likes) of a social post


def build_event_report(
    store,
    event_id: str,
    *,
    as_of: datetime | None = None,
    now: datetime | None = None,
    policy: ClockPolicy | None = None,
) -> EventReport:
    """The 专报 of one event: every figure from the event's posts, alerts and board posts."""
    from yuqing.errors import YuqingError

    policy = policy or load_policy()
    now = (now or clock.now()).astimezone(SHANGHAI)
    as_of = (as_of or now).astimezone(SHANGHAI)
    event = store.get("events", event_id)
    if event is None:
        raise YuqingError(f"事件 {event_id} 不存在", hint="用 `yuqing events` 或仪表盘查看事件编号")
    flt = queries.PostFilter(event_id=event_id, until=as_of)
    sub = _stories_agg()
    aggs = {
        **sub,
        "platform": {**queries.terms_agg("platform", 20), "aggs": sub},
        "media_level": {**queries.terms_agg("media_level", 20), "aggs": sub},
        "sentiment": queries.terms_agg("sentiment.label", 5),
        "volume": queries.histogram_agg("published_at", "1h"),
        "first": {"min": {"field": "published_at"}},
        "last": {"max": {"field": "published_at"}},
    }
    result = store.search("posts", queries.post_query(filters=flt), size=0, aggs=aggs)
    agg = result["aggregations"]
    mentions = int(result["hits"]["total"]["value"])
    neg = sum(b["doc_count"] for b in agg["sentiment"]["buckets"] if b["key"] == "neg")
    posts = sorted(
        store.scan("posts", queries.post_query(filters=flt)), key=lambda s: s.get("published_at") or ""
    )[:MAX_EVENT_POSTS]
    alerts = store.search(
        "alerts",
        {"term": {"event_id": event_id}},
        size=50,
        sort=[{"level_rank": {"order": "asc", "missing": "_last"}}],
    )["hits"]["hits"]
    alert = alerts[0]["_source"] if alerts else None
    last = parse_time(agg["last"].get("value_as_string")) or as_of
    recent = sum(
        1 for p in posts if (t := parse_time(p.get("published_at"))) and last - timedelta(hours=6) < t <= last
    )
    before = sum(
        1
        for p in posts
        if (t := parse_time(p.get("published_at")))
        and last - timedelta(hours=12) < t <= last - timedelta(hours=6)
    )
    influential = {
        p.get("author") or ""
        for p in posts
        if p.get("platform") == "社交媒体" and _engagement(p) >= OPINION_LEADER_MIN
    }
    board_pending = [
        b
        for b in board_items(store, as_of, policy, since=parse_time(event.get("first_seen")))
        if b.post_id in {str((p.get("board") or {}).get("post_id") or p.get("id")) for p in posts}
    ]
    return EventReport(
        event=event,
        alert=alert,
        as_of=as_of,
        generated_at=now,
        mentions=mentions,
        stories=_stories(agg),
        negative_share=neg / mentions if mentions else 0.0,
        volume=_histogram(agg["volume"]),
        platforms=_counts(agg["platform"]),
        media_levels=_counts(agg["media_level"]),
        moments=key_moments(posts, alert, as_of),
        spreaders=spreaders(posts),
        views=speaker_views(posts, influential, as_of),
        deadlines=deadline_items([alert] if alert else [], as_of),
        recent_trend=(recent, before),
        central_media=sum(1 for p in posts if _central_news(p)),
        board_pending=board_pending,
    )


def _central_news(src: dict) -> bool:
    """A central-level news report (a 中央-level message board is not a media report)."""
    return src.get("media_level") == "中央" and src.get("platform") == MEDIA_PLATFORM


def key_moments(posts: list[dict], alert: dict | None, as_of: datetime) -> list[KeyMoment]:
    """First report, complaint, media and central-media report, official statement, peak hour, responses."""
    moments: list[KeyMoment] = []

    def first(pred, text) -> None:
        for src in posts:
            if pred(src) and (at := parse_time(src.get("published_at"))):
                moments.append(KeyMoment(at, text(src)))
                return

    first(
        lambda s: True,
        lambda s: (
            f"首条信息出现在{s.get('source_name') or s.get('platform')}"
            f"（{s.get('author') or '匿名'}）：{_excerpt(post_headline(s, 60), 40)}"
        ),
    )
    first(
        lambda s: s.get("platform") == "留言板",
        lambda s: f"网民在{s.get('source_name')}留言：{post_headline(s)}",
    )
    first(
        lambda s: s.get("platform") == MEDIA_PLATFORM,
        lambda s: f"媒体首次报道：{s.get('source_name')}《{post_headline(s)}》",
    )
    first(_central_news, lambda s: f"中央媒体跟进：{s.get('source_name')}《{post_headline(s)}》")
    first(
        lambda s: "通报" in (s.get("title") or ""),
        lambda s: f"官方通报见报：{s.get('source_name')}《{post_headline(s)}》",
    )
    hours: dict[datetime, int] = {}
    for src in posts:
        if at := parse_time(src.get("published_at")):
            hour = at.replace(minute=0, second=0, microsecond=0)
            hours[hour] = hours.get(hour, 0) + 1
    if hours:
        peak = max(hours, key=lambda h: (hours[h], -h.timestamp()))
        moments.append(
            KeyMoment(
                peak, f"传播高峰：{peak:%H}时至{(peak + timedelta(hours=1)):%H}时新增信息{hours[peak]}条"
            )
        )
    for src in posts:
        board = src.get("board") or {}
        reply_at = parse_time(board.get("reply_at"))
        if reply_at and reply_at <= as_of:
            moments.append(
                KeyMoment(
                    reply_at, f"{board.get('reply_unit') or '相关单位'}答复留言《{post_headline(src)}》"
                )
            )
    if alert:
        if at := parse_time(alert.get("first_alerted_at")):
            moments.append(KeyMoment(at, f"系统发出{alert.get('level') or ''}级预警"))
        for response in alert.get("responses") or []:
            if (at := parse_time(response.get("at"))) and at <= as_of:
                moments.append(
                    KeyMoment(at, f"回应：{response.get('channel')}（{response.get('reference') or ''}）")
                )
    return sorted((m for m in moments if m.at <= as_of), key=lambda m: m.at)


def spreaders(posts: list[dict], size: int = 8) -> list[Spreader]:
    """Sources and accounts that carried the event, by mentions then reach."""
    table: dict[tuple[str, str], Spreader] = {}
    for src in posts:
        name = src.get("author") if src.get("platform") == "社交媒体" else src.get("source_name")
        name = name or src.get("source_name") or "未知"
        key = (name, src.get("platform") or "")
        row = table.setdefault(
            key, Spreader(name, src.get("platform") or "", src.get("media_level") or "", 0)
        )
        row.mentions += 1
        row.shares += int((src.get("engagement") or {}).get("shares") or 0)
    return sorted(table.values(), key=lambda s: (-s.mentions, -s.shares, s.name))[:size]


def speaker_views(posts: list[dict], influential: set[str], as_of: datetime) -> list[ViewGroup]:
    """Views by kind of speaker; board replies are the officials' statements."""
    order = ("官方", "媒体", "意见领袖", "普通网民")
    groups = {kind: ViewGroup(kind, 0, 0) for kind in order}
    ranked = sorted(posts, key=lambda s: -_engagement(s))
    seen: set[tuple[str, str]] = set()
    for src in ranked:
        kind = speaker_kind(src, influential)
        group = groups[kind]
        group.mentions += 1
        negative = (src.get("sentiment") or {}).get("label") == "neg"
        group.negative += negative
        text = (
            post_headline(src, 60) if kind == "媒体" else _excerpt(src.get("content") or post_headline(src))
        )
        speaker = (
            src.get("source_name") if kind == "媒体" else (src.get("author") or src.get("source_name") or "")
        )
        if (kind, text) in seen:
            continue
        seen.add((kind, text))
        if negative and kind == "普通网民" and len(group.critical) < 3:
            group.critical.append((speaker, text))
        elif len(group.quotes) < 2:
            group.quotes.append((speaker, text))
        board = src.get("board") or {}
        reply_at = parse_time(board.get("reply_at"))
        if board.get("reply") and reply_at and reply_at <= as_of:
            official = groups["官方"]
            official.mentions += 1
            if len(official.quotes) < 3:
                official.quotes.append((board.get("reply_unit") or "相关单位", _excerpt(board["reply"], 80)))
    return [groups[k] for k in order]


__all__ = [
    "Count",
    "Point",
    "EventItem",
    "NegativeItem",
    "DueItem",
    "BoardItem",
    "Change",
    "ScoreRow",
    "Digest",
    "EventReport",
    "AlertItem",
    "UnitFlags",
    "accountability",
    "new_alerts",
    "KeyMoment",
    "Spreader",
    "ViewGroup",
    "WindowSummary",
    "build_digest",
    "build_event_report",
    "post_figures",
    "negative_items",
    "top_events",
    "deadline_items",
    "board_items",
    "scorecard",
    "parse_time",
    "day_window",
    "week_window",
    "post_headline",
    "format_duration",
]
