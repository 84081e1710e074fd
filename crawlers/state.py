"""Incremental crawling: what is already stored (crawl-state), board status history, the crawl clock.

``CrawlState`` is loaded once per run from the ``crawl-state`` index: articles already stored are not
fetched again, board posts whose status is final are not revisited, and the status history of a
board post carries over from run to run. ``merge_history`` is the pure rule for the history.
"""

from __future__ import annotations

import hashlib
import json
import logging
import time
import urllib.request
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from crawlers.items import CST, INCOMPLETE
from yuqing.store.documents import canonical_url

LOGGER = logging.getLogger(__name__)


def state_id(source: str, key: str) -> str:
    """crawl-state id of a URL or a board post id within a source."""
    return hashlib.sha1(f"{source}:{key}".encode("utf-8")).hexdigest()[:24]


def state_key(url: str | None, post_id: str | None = None) -> str:
    return f"post:{post_id}" if post_id else f"url:{canonical_url(url or '')}"


@dataclass
class Entry:
    url: str | None
    board_status: str | None
    final: bool
    status_history: list[dict]
    fetched_at: str | None = None


@dataclass
class CrawlState:
    """What earlier runs stored, per source, keyed by canonical URL or board post id; and the article
    URLs other sources stored (an RSS feed and a listing of the same site, a sitemap beside them):
    an article is fetched once, by whichever source found it first, and keeps that source."""

    entries: dict[tuple[str, str], Entry] = field(default_factory=dict)
    elsewhere: dict[str, str] = field(default_factory=dict)  # url key -> the source that stored it
    loaded: bool = False

    @classmethod
    def load(cls, store, sources: list[str]) -> "CrawlState":
        state = cls()
        if store is None or not sources:
            return state
        query = {"terms": {"source": sources}}
        for doc in store.scan("crawl-state", query):
            state.entries[(doc["source"], doc["key"])] = Entry(
                url=doc.get("url"),
                board_status=doc.get("board_status"),
                final=bool(doc.get("final")),
                status_history=list(doc.get("status_history") or []),
                fetched_at=doc.get("fetched_at"),
            )
        others = {"bool": {"filter": [{"prefix": {"key": "url:"}}, {"term": {"final": True}}],
                           "must_not": [{"terms": {"source": sources}}]}}
        for doc in store.scan("crawl-state", others, fields=["key", "source"]):
            state.elsewhere.setdefault(doc["key"], doc["source"])
        state.loaded = True
        return state

    def stored_by_another(self, source: str, url: str | None) -> str | None:
        """The other source that already stored the article at ``url``, if any (board posts are
        per board: their ids are not compared across sources)."""
        if not url or self.get(source, url) is not None:
            return None
        return self.elsewhere.get(state_key(url))

    def get(self, source: str, url: str | None = None, post_id: str | None = None) -> Entry | None:
        if post_id:
            entry = self.entries.get((source, state_key(None, post_id)))
            if entry is not None:
                return entry
        if url:
            return self.entries.get((source, state_key(url)))
        return None

    def should_fetch(self, source: str, url: str | None = None, post_id: str | None = None) -> bool:
        """False when the article is stored and final (news: always final; boards: final status)."""
        entry = self.get(source, url, post_id)
        if entry is None:  # new to this source: an article another source stored is not fetched again
            return bool(post_id) or not url or state_key(url) not in self.elsewhere
        return not entry.final

    def remember(self, doc: dict) -> None:
        if doc["key"].startswith("url:") and doc.get("final"):
            self.elsewhere.setdefault(doc["key"], doc["source"])
        self.entries[(doc["source"], doc["key"])] = Entry(
            url=doc.get("url"),
            board_status=doc.get("board_status"),
            final=bool(doc.get("final")),
            status_history=list(doc.get("status_history") or []),
            fetched_at=doc.get("fetched_at"),
        )


def state_doc(post: dict, final_status: str = "已办理") -> dict:
    """The crawl-state document recording that ``post`` is stored."""
    board = post.get("board") or {}
    post_id = board.get("post_id")
    key = state_key(post.get("url"), post_id)
    status = board.get("status")
    return {
        "id": state_id(post["source"], key),
        "key": key,
        "url": post.get("url"),
        "source": post["source"],
        "fetched_at": _iso(post.get("crawled_at")),
        "board_status": status,
        "final": (status == final_status) if post_id else INCOMPLETE not in (post.get("tags") or []),
        "status_history": board.get("status_history") or [],
    }


def _iso(value):
    return value.isoformat() if isinstance(value, datetime) else value


def merge_history(
    previous: list[dict],
    status: str | None,
    seen_at: datetime,
    *,
    published_at: datetime | None = None,
    reply_at: datetime | None = None,
) -> list[dict]:
    """A board post's status history after seeing it with ``status`` at ``seen_at``.

    The first entry is 未回复 at the posting time. A status is appended with the time it was first
    observed; 已办理 takes the reply time when the page gives one (the reply clock needs the real
    time, not our crawl time). Entries are never removed; a repeated status adds nothing.
    """
    history = [dict(h) for h in previous or []]
    if not history and published_at is not None:
        history.append({"status": "未回复", "at": _iso(published_at)})
    if status is None:
        return history
    if history and history[-1]["status"] == status:
        return history
    at = reply_at if status == "已办理" and reply_at is not None else seen_at
    if status == "办理中" and reply_at is not None and reply_at < seen_at:
        at = min(seen_at, reply_at)
    history.append({"status": status, "at": _iso(at)})
    return history


class CrawlClock:
    """The crawl's notion of now: the sandbox's simulated clock when there is one, else real time."""

    def __init__(self, start: datetime | None = None, speed: float = 1.0) -> None:
        self._start = start or datetime.now(CST)
        self._speed = speed
        self._real = time.monotonic()

    @classmethod
    def from_sandbox(cls, sandbox_url: str | None, timeout: float = 5.0) -> "CrawlClock":
        if not sandbox_url:
            return cls()
        try:
            with urllib.request.urlopen(
                sandbox_url.rstrip("/") + "/__sandbox/clock", timeout=timeout
            ) as resp:
                state = json.loads(resp.read().decode("utf-8"))
            return cls(datetime.fromisoformat(state["now"]).astimezone(CST), float(state.get("speed", 1.0)))
        except (OSError, ValueError, KeyError) as exc:
            LOGGER.warning("沙盒时钟不可用（%s，%s）：按真实时间抓取", sandbox_url, exc)
            return cls()

    def now(self) -> datetime:
        return self._start + timedelta(seconds=(time.monotonic() - self._real) * self._speed)


__all__ = ["CrawlState", "CrawlClock", "merge_history", "state_doc", "state_id", "state_key"]
