"""Replay a recorded stream of posts through enrichment, indexing, events, rules and clocks.

The simulated clock advances in steps of ``step``; at the end of each step that has posts the posts
are enriched and indexed and one analysis cycle runs with ``now`` = the end of the step. With
``speed`` the replay sleeps (simulated seconds / speed) between steps; without it, as fast as possible.
"""

from __future__ import annotations

import json
import logging
import time
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import IO, Any, Iterable

from analysis.events import parse_time
from analysis.identity import post_id
from yuqing.alerts.engine import AlertEngine
from yuqing.jsonlines import parse_json_object
from yuqing.store import Store
from yuqing.store import alerts as sa

LOGGER = logging.getLogger(__name__)


@dataclass
class ReplayReport:
    lines: int = 0
    posts: int = 0
    bad: list[tuple[int, str]] = field(default_factory=list)  # (line number, reason)
    cycles: int = 0
    alerts: list[dict] = field(default_factory=list)


EARLIEST, LATEST = 1990, 2100  # as the crawlers' date check: outside is a wrong date, not a post to replay


def _published_at(post: dict) -> datetime:
    value = post.get("published_at")
    if value is None or value == "":
        raise ValueError("缺少 published_at")
    try:
        moment = parse_time(value) if isinstance(value, str) else None
    except ValueError:
        moment = None
    if moment is None:
        raise ValueError(f"published_at 不是有效的时间: {str(value)[:40]!r}（应为 ISO 8601，如 2026-01-05T08:00:00+08:00）")
    if not EARLIEST <= moment.year < LATEST:
        raise ValueError(f"published_at 超出范围: {value}（应在 {EARLIEST} 年到 {LATEST} 年之间）")
    return moment


def read_posts(lines: Iterable[str | bytes], report: ReplayReport) -> list[dict]:
    """Posts from JSON lines (text, or bytes read as UTF-8); a bad line is recorded with its
    number and skipped."""
    posts = []
    for number, line in enumerate(lines, 1):
        report.lines += 1
        if not line.strip():
            continue
        post, reason = parse_json_object(line)
        try:
            if reason is not None:
                raise ValueError(reason)
            moment = _published_at(post)
            post["published_at"] = moment.isoformat()
            post.pop("categories", None)  # recomputed by enrichment
            post["id"] = post.get("id") or post_id(post)
        except (ValueError, TypeError) as exc:
            report.bad.append((number, str(exc)))
            continue
        post["_at"] = moment
        posts.append(post)
    return sorted(posts, key=lambda p: p["_at"])


def alert_line(alert: dict) -> dict:
    """One output record: what a person checking the replay's judgement needs."""
    return {
        "alert_id": alert["id"], "event_id": alert["event_id"], "title": alert["title"], "level": alert["level"],
        "color": alert["color"], "rules": alert["rules"], "schemes": alert.get("schemes") or [],
        "needs_response": alert.get("needs_response"), "incident": alert.get("incident"),
        "digest": alert.get("digest"), "clock_start": alert.get("clock_start"),
        "deadlines": [{"kind": d["kind"], "label": d["label"], "due_at": d["due_at"]}
                      for d in alert.get("deadlines") or []],
        "first_alerted_at": alert["first_alerted_at"], "post_count": alert["post_count"],
        "notifications": len(alert.get("notifications") or []),
    }


def replay(store: Store, lines: Iterable[str], *, step: timedelta = timedelta(minutes=10),
           speed: float | None = None, notifier: Any | None = None, enricher: Any | None = None,
           engine: AlertEngine | None = None) -> ReplayReport:
    from analysis.enrich import Enricher  # noqa: PLC0415 - heavy models load only when replaying

    report = ReplayReport()
    posts = read_posts(lines, report)
    enricher = enricher or Enricher()
    engine = engine or AlertEngine(store, notifier=notifier)
    if posts:
        start = posts[0]["_at"]
        index = 0
        previous: datetime | None = None
        while index < len(posts):
            bucket_end = start + step * ((posts[index]["_at"] - start) // step + 1)
            batch = []
            while index < len(posts) and posts[index]["_at"] < bucket_end:
                batch.append(posts[index])
                index += 1
            if speed and previous is not None:
                time.sleep(max((bucket_end - previous).total_seconds() / speed, 0))
            previous = bucket_end
            for post in batch:
                post.pop("_at", None)
                post["crawled_at"] = bucket_end.isoformat()
            enricher.enrich(batch, lookup=store.cluster_candidates)
            written = store.index_posts(batch)  # the cycle refreshes before it reads
            report.posts += written.ok
            report.bad += [(0, f"{doc}: {reason}") for doc, reason in written.failed]
            engine.cycle(bucket_end)
            report.cycles += 1
    sa.refresh_all(store, "posts", "events", "alerts")  # the last cycle's writes, for whoever reads next
    report.alerts = stored_alerts(store)
    return report


def stored_alerts(store: Store) -> list[dict]:
    """The output records of every alert in the store (merged ones left out), first raised first."""
    store.refresh("alerts")
    result = store.search("alerts", {"bool": {"must_not": [{"exists": {"field": "merged_into"}}]}}, size=1000,
                          sort=[{"first_alerted_at": "asc"}, {"id": "asc"}], track_total_hits=False)
    return [alert_line(hit["_source"]) for hit in result["hits"]["hits"]]


def write_alerts(alerts: list[dict], handle: IO[str]) -> None:
    for alert in alerts:
        handle.write(json.dumps(alert, ensure_ascii=False) + "\n")
