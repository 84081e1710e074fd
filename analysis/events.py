"""Events: enriched posts grouped incrementally, and what an event looks like (summary, heat).

Grouping (``EventGrouper.assign``) works on one batch of new posts at a time:

1. Near-duplicate clusters first: every post of a cluster joins the same event, and a cluster
   already seen (``cluster_events``: cluster id → event id, from the store) keeps its event.
2. A new cluster is linked to the best open event (``EventSignature``) when, within
   ``window`` of the event's first/last post, (a) their categories intersect (or either has none),
   (b) their districts agree (or either has none) and (c) they share at least ``min_shared_local``
   keywords of the event's signature when both name the same district, ``min_shared`` otherwise
   (TF-IDF keywords from enrichment, which carry the entities: places, schools, shops; the event's
   ``top_bonus`` leading keywords count twice, so one shared name in the same district links; the
   names of the posts' own region — 南开区, 南开, 天津 — never score, since the district is already
   required to agree and naming it says nothing about the story);
   ties go to the larger keyword overlap, then the more recent event.
3. Otherwise the cluster starts a new event whose id derives from its first post (deterministic,
   so re-running a batch after a crash gives the same ids).

Summary (``EventStats``) is the same structure whether it is built from posts (``stats_from_posts``,
pure, for tests and replays) or from Elasticsearch aggregations (``yuqing.store.alerts``).

Heat index (documented formula, 0–100-ish, higher is hotter)::

    V = Σ media weight of each post (中央 5, 省级 3, 市级 2, 行业 1.5, 商业 1, 自媒体 1, other 1)
    E = Σ (likes + 2·comments + 3·shares) over the event's posts
    g = (posts in the last 24 h + 1) / (posts in the 24 h before + 1), capped at 16
    heat = 12·ln(1 + V) + 4·ln(1 + E/10) + 5·log2(g)   (clipped at 0, rounded to 0.1)

Volume counts, media level and engagement give the size; the growth term lifts events that are
accelerating and lowers those that are fading.
"""

from __future__ import annotations

import hashlib
import math
from collections import Counter
from dataclasses import dataclass, field
from datetime import datetime, timedelta, timezone
from typing import Callable, Iterable, Mapping

from analysis.workdays import SHANGHAI

MEDIA_WEIGHTS = {"中央": 5.0, "省级": 3.0, "市级": 2.0, "行业": 1.5, "商业": 1.0, "自媒体": 1.0}
MEDIA_ORDER = ("中央", "省级", "市级", "行业", "商业", "自媒体")
NEGATIVE = "neg"
SIGNATURE_SIZE = 30
TITLE_CHARS = 40


def parse_time(value: str | datetime | None) -> datetime | None:
    """An aware datetime from ISO text or a datetime (naive means Shanghai time)."""
    if value is None or value == "":
        return None
    moment = value if isinstance(value, datetime) else datetime.fromisoformat(str(value).replace("Z", "+00:00"))
    return moment if moment.tzinfo else moment.replace(tzinfo=SHANGHAI)


def hour_key(moment: datetime) -> str:
    """The UTC hour bucket of ``moment`` as 'YYYY-MM-DDTHH' (keys of ``EventStats.volume``)."""
    return moment.astimezone(timezone.utc).strftime("%Y-%m-%dT%H")


def hour_start(key: str) -> datetime:
    return datetime.strptime(key, "%Y-%m-%dT%H").replace(tzinfo=timezone.utc)


def _district(region: Mapping | None) -> str | None:
    if not isinstance(region, Mapping):
        return None
    return region.get("district") or None


PLACE_SUFFIXES = ("自治区", "自治州", "自治县", "新区", "省", "市", "区", "县", "州", "盟", "旗")


def place_words(*names: str | None) -> set[str]:
    """Region names and their short forms (南开区 → 南开): the same district is already required to
    link, so naming it is not a shared entity and must not score."""
    words = set()
    for name in names:
        if not name:
            continue
        words.add(name)
        for suffix in PLACE_SUFFIXES:
            if name.endswith(suffix) and len(name) - len(suffix) >= 2:
                words.add(name[: -len(suffix)])
                break
    return words


def _region_words(region: Mapping | None) -> set[str]:
    if not isinstance(region, Mapping):
        return set()
    return place_words(region.get("province"), region.get("city"), region.get("district"))


def _engagement(post: Mapping) -> float:
    eng = post.get("engagement") or {}
    return float(eng.get("likes") or 0) + 2 * float(eng.get("comments") or 0) + 3 * float(eng.get("shares") or 0)


# --- grouping ---------------------------------------------------------------------------------------
@dataclass
class EventSignature:
    """What linking compares: keywords, categories, district and time span of an open event."""

    id: str
    keywords: list[str]
    categories: set[str] = field(default_factory=set)
    district: str | None = None
    first_seen: datetime | None = None
    last_seen: datetime | None = None
    post_count: int = 0

    @classmethod
    def from_event(cls, doc: Mapping) -> "EventSignature":
        return cls(doc["id"], list(doc.get("keywords") or []), set(doc.get("categories") or []),
                   _district(doc.get("region")), parse_time(doc.get("first_seen")), parse_time(doc.get("last_seen")),
                   int(doc.get("post_count") or 0))


@dataclass
class _Cluster:
    cluster_id: str
    posts: list[dict]
    keywords: Counter
    categories: set[str]
    district: str | None
    first: datetime
    last: datetime
    places: set[str] = field(default_factory=set)  # region names of its posts (never scored)


def _score(ranked: list[str], words: set[str], top_bonus: int) -> int:
    """Shared keywords, the first ``top_bonus`` of ``ranked`` counting twice."""
    return sum(2 if i < top_bonus else 1 for i, w in enumerate(ranked) if w in words)


def event_id_for(post_id: str) -> str:
    """Deterministic event id from the first post of its first cluster."""
    return "ev-" + hashlib.sha1(post_id.encode("utf-8")).hexdigest()[:16]


@dataclass
class EventGrouper:
    """Assigns new posts to events; see the module docstring for the linking rule."""

    window: timedelta = timedelta(hours=48)
    min_shared: int = 4
    min_shared_local: int = 2
    top_bonus: int = 5  # the event's first keywords (its names and places) count twice
    merge_shared: int = 6
    merge_shared_regionless: int = 8  # when one of the two events names no district
    signature_size: int = SIGNATURE_SIZE

    def assign(self, posts: Iterable[dict], cluster_events: Mapping[str, str] | None = None,
               open_events: Iterable[EventSignature] = ()) -> tuple[dict[str, str], dict[str, EventSignature]]:
        """(post id → event id, event id → updated signature of every event touched).

        Call ``merges`` afterwards to find events that have grown into one another.
        """
        cluster_events = dict(cluster_events or {})
        signatures = {sig.id: sig for sig in open_events}
        touched: dict[str, EventSignature] = {}
        assignment: dict[str, str] = {}
        for cluster in self._clusters(posts):
            event_id = cluster_events.get(cluster.cluster_id)
            if event_id is None:
                best = self._best_event(cluster, signatures.values())
                event_id = best.id if best else event_id_for(cluster.posts[0]["id"])
            signature = signatures.get(event_id) or EventSignature(event_id, [])
            self._merge(signature, cluster)
            signatures[event_id] = touched[event_id] = signature
            cluster_events[cluster.cluster_id] = event_id
            for post in cluster.posts:
                assignment[post["id"]] = event_id
        return assignment, touched

    def merges(self, touched: Iterable[EventSignature], open_events: Iterable[EventSignature]) -> dict[str, str]:
        """Events to fold into another: absorbed id → surviving id (the bigger, then the older).

        Two events that started apart (the first posts of a story often share little with the
        reports that follow, and hearsay names no district) merge once their signatures meet the
        linking test with the ``merge_shared`` threshold — ``merge_shared_regionless`` when one of
        them names no district (keyword score, same rules as linking; ``_should_merge``).

        Only pairs that can pass are compared: at least half the smaller threshold in shared keywords
        (a shared keyword scores at most 2), found through an inverted index, in the same order as a
        scan of every event would visit them.
        """
        events = {e.id: e for e in open_events}
        events.update({e.id: e for e in touched})
        order = {event_id: i for i, event_id in enumerate(events)}
        postings: dict[str, set[str]] = {}  # keyword → event ids (a superset)
        for e in events.values():
            for word in e.keywords:
                postings.setdefault(word, set()).add(e.id)
        need = max(1, math.ceil(min(self.merge_shared, self.merge_shared_regionless) / 2))

        def candidates(event: EventSignature, after: int) -> list[str]:
            counts: Counter = Counter()
            for word in set(event.keywords):
                counts.update(postings.get(word, ()))
            return sorted((i for i, n in counts.items() if n >= need and order[i] > after and i != event.id),
                          key=order.__getitem__)

        merged: dict[str, str] = {}
        latest = datetime.max.replace(tzinfo=timezone.utc)
        for event in sorted(touched, key=lambda e: (-e.post_count, e.first_seen or latest)):
            if event.id in merged:
                continue
            queue, position = candidates(event, -1), 0
            while position < len(queue) and event.id not in merged:
                other = events[queue[position]]
                position += 1
                if other.id in merged or not self._compatible(event, other):
                    continue
                big, small = sorted((event, other), key=lambda e: (-e.post_count, e.first_seen or latest, e.id))
                if not self._should_merge(big, small):
                    continue
                merged[small.id] = big.id
                self._absorb(big, small)
                for word in big.keywords:
                    postings.setdefault(word, set()).add(big.id)
                if big is event:  # its keywords changed: the rest of the scan uses the new ones
                    queue, position = candidates(event, order[other.id]), 0
        return merged

    def _should_merge(self, big: EventSignature, small: EventSignature) -> bool:
        """The keyword test for folding ``small`` into ``big`` (their region's own names never score)."""
        shared = set(small.keywords) - place_words(small.district, big.district)
        local = bool(big.district and big.district == small.district)
        return _score(big.keywords, shared, self.top_bonus) >= (
            self.merge_shared if local else self.merge_shared_regionless)

    def _absorb(self, big: EventSignature, small: EventSignature) -> None:
        big.keywords = [w for w, _ in Counter(
            {**{w: len(small.keywords) - i for i, w in enumerate(small.keywords)},
             **{w: 2 * (len(big.keywords) - i) for i, w in enumerate(big.keywords)}}).most_common(self.signature_size)]
        big.categories |= small.categories
        big.district = big.district or small.district
        big.first_seen = min(filter(None, [big.first_seen, small.first_seen]))
        big.last_seen = max(filter(None, [big.last_seen, small.last_seen]))
        big.post_count += small.post_count

    def _compatible(self, a: EventSignature, b: EventSignature) -> bool:
        """Within the time window, categories intersecting (or either has none), districts agreeing
        (or either names none)."""
        if a.last_seen and b.first_seen and b.first_seen > a.last_seen + self.window:
            return False
        if b.last_seen and a.first_seen and a.first_seen > b.last_seen + self.window:
            return False
        if a.categories and b.categories and not a.categories & b.categories:
            return False
        return not (a.district and b.district and a.district != b.district)

    def _clusters(self, posts: Iterable[dict]) -> list[_Cluster]:
        groups: dict[str, list[dict]] = {}
        for post in posts:
            groups.setdefault(post.get("cluster_id") or post["id"], []).append(post)
        clusters = []
        for cluster_id, members in groups.items():
            times = [parse_time(p.get("published_at")) or datetime.now(SHANGHAI) for p in members]
            order = sorted(range(len(members)), key=lambda i: (times[i], members[i]["id"]))
            members = [members[i] for i in order]
            keywords: Counter = Counter()
            for post in members:
                keywords.update(dict.fromkeys(post.get("keywords") or [], 1))
            districts = Counter(d for p in members if (d := _district(p.get("region"))))
            clusters.append(_Cluster(
                cluster_id, members, keywords, {c for p in members for c in p.get("categories") or []},
                districts.most_common(1)[0][0] if districts else None, min(times), max(times),
                set().union(*(_region_words(p.get("region")) for p in members))))
        return sorted(clusters, key=lambda c: (c.first, c.cluster_id))

    def _best_event(self, cluster: _Cluster, events: Iterable[EventSignature]) -> EventSignature | None:
        best, best_key = None, None
        words = set(cluster.keywords) - cluster.places
        for event in events:
            if event.last_seen and cluster.first > event.last_seen + self.window:
                continue
            if event.first_seen and cluster.last < event.first_seen - self.window:
                continue
            if cluster.categories and event.categories and not cluster.categories & event.categories:
                continue
            if cluster.district and event.district and cluster.district != event.district:
                continue
            local = bool(cluster.district and cluster.district == event.district)
            shared = _score(event.keywords, words, self.top_bonus)
            if shared < (self.min_shared_local if local else self.min_shared):
                continue
            key = (shared, event.last_seen or datetime.min.replace(tzinfo=timezone.utc))
            if best_key is None or key > best_key:
                best, best_key = event, key
        return best

    def _merge(self, event: EventSignature, cluster: _Cluster) -> None:
        ranked = Counter({w: self.signature_size - i for i, w in enumerate(event.keywords)})
        ranked.update({w: n * 2 for w, n in cluster.keywords.items()})
        event.keywords = [w for w, _ in ranked.most_common(self.signature_size)]
        event.categories |= cluster.categories
        event.district = event.district or cluster.district
        event.first_seen = min(filter(None, [event.first_seen, cluster.first]))
        event.last_seen = max(filter(None, [event.last_seen, cluster.last]))
        event.post_count += len(cluster.posts)


# --- summary -----------------------------------------------------------------------------------------
@dataclass
class EventStats:
    """Counts over all posts of one event (from posts or from Elasticsearch aggregations)."""

    event_id: str
    post_count: int = 0
    first_seen: datetime | None = None
    last_seen: datetime | None = None
    cluster_count: int = 0
    negative_count: int = 0
    media_levels: dict[str, int] = field(default_factory=dict)
    platforms: dict[str, int] = field(default_factory=dict)
    sources: dict[str, int] = field(default_factory=dict)
    categories: dict[str, int] = field(default_factory=dict)
    regions: dict[str, int] = field(default_factory=dict)  # region.path → posts
    keywords: list[str] = field(default_factory=list)
    engagement: float = 0.0
    volume: dict[str, int] = field(default_factory=dict)  # UTC hour key → posts
    negative_volume: dict[str, int] = field(default_factory=dict)  # UTC hour key → negative posts
    filter_hits: dict[str, int] = field(default_factory=dict)  # rule/scheme filter name → matching posts
    representatives: list[dict] = field(default_factory=list)  # one post per cluster, biggest first
    cluster_ids: list[str] = field(default_factory=list)

    @property
    def negative_share(self) -> float:
        return self.negative_count / self.post_count if self.post_count else 0.0

    def count_between(self, start: datetime, end: datetime, negative: bool = False) -> int:
        """Posts with published hour in [start, end) (hour buckets: a bucket counts by its start)."""
        series = self.negative_volume if negative else self.volume
        return sum(n for key, n in series.items() if start <= hour_start(key) < end)


def stats_from_posts(event_id: str, posts: Iterable[Mapping],
                     filters: Mapping[str, Callable[[Mapping], bool]] | None = None,
                     representatives: int = 10) -> EventStats:
    """The summary counts of ``posts`` (all posts of one event); ``filters`` name post predicates."""
    stats = EventStats(event_id)
    keywords: Counter = Counter()
    clusters: dict[str, list[Mapping]] = {}
    for post in posts:
        stats.post_count += 1
        moment = parse_time(post.get("published_at"))
        if moment is not None:
            stats.first_seen = min(filter(None, [stats.first_seen, moment]))
            stats.last_seen = max(filter(None, [stats.last_seen, moment]))
            key = hour_key(moment)
            stats.volume[key] = stats.volume.get(key, 0) + 1
        negative = (post.get("sentiment") or {}).get("label") == NEGATIVE
        if negative:
            stats.negative_count += 1
            if moment is not None:
                stats.negative_volume[key] = stats.negative_volume.get(key, 0) + 1
        for name, target in (("media_level", stats.media_levels), ("platform", stats.platforms),
                             ("source", stats.sources)):
            if post.get(name):
                target[post[name]] = target.get(post[name], 0) + 1
        for category in post.get("categories") or []:
            stats.categories[category] = stats.categories.get(category, 0) + 1
        path = (post.get("region") or {}).get("path") if isinstance(post.get("region"), Mapping) else None
        if path:
            stats.regions[path] = stats.regions.get(path, 0) + 1
        keywords.update(post.get("keywords") or [])
        stats.engagement += _engagement(post)
        for name, predicate in (filters or {}).items():
            if predicate(post):
                stats.filter_hits[name] = stats.filter_hits.get(name, 0) + 1
        clusters.setdefault(post.get("cluster_id") or post.get("id") or "", []).append(post)
    stats.cluster_count = len(clusters)
    stats.keywords = [w for w, _ in keywords.most_common(SIGNATURE_SIZE)]
    biggest = sorted(clusters.values(), key=lambda ps: (-len(ps), min(str(p.get("published_at")) for p in ps)))
    for members in biggest[:representatives]:
        first = min(members, key=lambda p: str(p.get("published_at")))
        stats.representatives.append(_representative(first, len(members)))
    return stats


def _representative(post: Mapping, size: int) -> dict:
    return {"id": post.get("id"), "title": post.get("title") or "", "content": (post.get("content") or "")[:200],
            "media_level": post.get("media_level"), "published_at": post.get("published_at"),
            "cluster_size": size}


def event_title(stats: EventStats) -> str:
    """The title of the highest-level titled representative, else the start of the biggest one's text."""
    titled = [r for r in stats.representatives if r.get("title")]
    if titled:
        rank = {level: i for i, level in enumerate(MEDIA_ORDER)}
        best = min(titled, key=lambda r: (rank.get(r.get("media_level"), len(rank)), -r.get("cluster_size", 1),
                                          str(r.get("published_at"))))
        return best["title"][:80]
    for rep in stats.representatives:
        text = " ".join((rep.get("content") or "").split())
        if text:
            return text[:TITLE_CHARS] + ("…" if len(text) > TITLE_CHARS else "")
    return "（无标题事件）"


def growth(stats: EventStats, now: datetime, span: timedelta = timedelta(hours=24)) -> float:
    recent = stats.count_between(now - span, now + timedelta(hours=1))
    before = stats.count_between(now - 2 * span, now - span)
    return min((recent + 1) / (before + 1), 16.0)


def heat_index(stats: EventStats, now: datetime) -> float:
    """The documented heat formula (module docstring)."""
    weighted = sum(MEDIA_WEIGHTS.get(level, 1.0) * n for level, n in stats.media_levels.items())
    weighted += max(stats.post_count - sum(stats.media_levels.values()), 0)  # posts without a media level
    value = 12 * math.log1p(weighted) + 4 * math.log1p(stats.engagement / 10) + 5 * math.log2(growth(stats, now))
    return round(max(value, 0.0), 1)


def _top(counts: Mapping[str, int], n: int = 10) -> list[str]:
    return [k for k, _ in sorted(counts.items(), key=lambda kv: (-kv[1], kv[0]))[:n]]


def event_document(stats: EventStats, now: datetime, cluster_ids: list[str] | None = None) -> dict:
    """The ``events`` index document for ``stats`` at ``now``."""
    district_paths = _top(stats.regions, 1)
    region = None
    if district_paths:
        parts = district_paths[0].split("/")
        region = {"province": parts[0], "city": parts[0] if len(parts) < 3 else parts[1],
                  "district": parts[-1] if len(parts) > 1 else None, "path": district_paths[0]}
    first = stats.first_seen.isoformat() if stats.first_seen else None
    return {
        "id": stats.event_id,
        "title": event_title(stats),
        "first_seen": first,
        "last_seen": stats.last_seen.isoformat() if stats.last_seen else None,
        "event_time": first,  # the earliest report is the best time of the event we have
        "post_count": stats.post_count,
        "cluster_count": stats.cluster_count,
        "negative_share": round(stats.negative_share, 4),
        "heat": heat_index(stats, now),
        "categories": _top(stats.categories),
        "keywords": stats.keywords,
        "region": region,
        "media_levels": [lv for lv in MEDIA_ORDER if stats.media_levels.get(lv)] +
                        [lv for lv in stats.media_levels if lv not in MEDIA_ORDER],
        "media_level_counts": dict(stats.media_levels),
        "sources": _top(stats.sources, 20),
        "platforms": _top(stats.platforms),
        "representative_post_ids": [r["id"] for r in stats.representatives if r.get("id")],
        "representatives": stats.representatives,
        "cluster_ids": list(cluster_ids or stats.cluster_ids)[:200],
        "volume": dict(sorted(stats.volume.items())),
        "negative_volume": dict(sorted(stats.negative_volume.items())),
        "filter_hits": dict(stats.filter_hits),
        "engagement": stats.engagement,
        "updated_at": now.isoformat(),
    }


def stats_from_event(doc: Mapping) -> EventStats:
    """Back from a stored event document to stats (for rules evaluated on stored events)."""
    stats = EventStats(doc["id"], post_count=int(doc.get("post_count") or 0),
                       first_seen=parse_time(doc.get("first_seen")), last_seen=parse_time(doc.get("last_seen")),
                       cluster_count=int(doc.get("cluster_count") or 0))
    stats.negative_count = round(float(doc.get("negative_share") or 0) * stats.post_count)
    stats.media_levels = dict(doc.get("media_level_counts") or {})
    stats.platforms = {p: 1 for p in doc.get("platforms") or []}
    stats.sources = {s: 1 for s in doc.get("sources") or []}
    stats.categories = {c: 1 for c in doc.get("categories") or []}
    region = doc.get("region") or {}
    if region.get("path"):
        stats.regions = {region["path"]: 1}
    stats.keywords = list(doc.get("keywords") or [])
    stats.engagement = float(doc.get("engagement") or 0)
    stats.volume = dict(doc.get("volume") or {})
    stats.negative_volume = dict(doc.get("negative_volume") or {})
    stats.filter_hits = dict(doc.get("filter_hits") or {})
    stats.representatives = list(doc.get("representatives") or [])
    return stats


__all__ = ["EventGrouper", "EventSignature", "EventStats", "MEDIA_WEIGHTS", "event_document", "event_id_for",
           "event_title", "growth", "heat_index", "hour_key", "hour_start", "parse_time", "stats_from_event",
           "stats_from_posts"]
