"""Board reply reminders: before a board post's working-day deadline and when it falls overdue.

Each unreplied board post (留言板, 市长信箱, 12345, 12315 …) has the limits its channel sets in
config/clocks.yaml (``analysis.clocks.post_reply_deadlines``). When one of its reminder points fires
(``reminders.before_working_days`` at ``reminder_time``, and at overdue), one reminder goes to the
unit that owes the reply: the post's ``board.reply_unit``, else its addressee. What was sent is kept
in the ``alert-state`` index (one document per post), written before the notice is submitted, so a
restart neither loses nor repeats a reminder. A reply (status 已办理 or a reply time) stops them.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Collection, Iterable, Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta

from analysis import clocks
from analysis.events import parse_time
from yuqing.store import Store
from yuqing.store import alerts as sa

LOGGER = logging.getLogger(__name__)

STATE_KIND = "board_reminder"
LOOKBACK = timedelta(days=120)  # posts older than this are past every configured limit and reminder
DEFAULT_EVERY = timedelta(minutes=5)  # reminder points fall on minutes (09:00, 23:59:59): no need to look more often


def state_id(post_id: str) -> str:
    return f"board-reminder:{post_id}"


@dataclass(frozen=True)
class BoardReminder:
    """One reminder to send for one board post."""

    post_id: str
    title: str
    channel: str
    unit: str
    url: str
    reminder: clocks.Reminder


def post_deadlines(post: Mapping, policy: clocks.ClockPolicy) -> list[clocks.Deadline]:
    """The limits of a crawled board post (empty when it has no usable time)."""
    board = post.get("board") or {}
    posted = parse_time(post.get("published_at"))
    if posted is None:
        return []
    channel = str(board.get("channel") or post.get("source_name") or "")
    return clocks.post_reply_deadlines(posted, channel, policy, due_at=parse_time(board.get("due_at")),
                                       subject=str(post.get("id") or ""))


def fired(deadlines: Iterable[clocks.Deadline], now: datetime) -> bool:
    """Whether any reminder point of these deadlines has fired by ``now`` (only then is state read)."""
    return any(point.fire_at <= now for d in deadlines for point in d.reminder_points)


def due_board_reminders(posts: Iterable[Mapping], policy: clocks.ClockPolicy, now: datetime,
                        sent: Mapping[str, Collection[str]]) -> list[BoardReminder]:
    """Reminders to send at ``now`` for unreplied ``posts``; ``sent`` maps post id to keys already sent.

    Pure: the same posts, time and ``sent`` give the same answer, and passing back every key of
    ``reminder.covers`` makes a second call return nothing for that post.
    """
    result = []
    for post in posts:
        post_id = str(post.get("id") or "")
        deadlines = post_deadlines(post, policy)
        if not post_id or not fired(deadlines, now):
            continue
        board = post.get("board") or {}
        unit = str(board.get("reply_unit") or board.get("addressee") or "")
        title = str(post.get("title") or (post.get("content") or "")[:40] or "（无标题留言）")
        for reminder in clocks.due_reminders(deadlines, now, set(sent.get(post_id) or ())):
            result.append(BoardReminder(post_id, title, policy.channel_name(board.get("channel")), unit,
                                        str(post.get("url") or ""), reminder))
    return result


def notice_text(item: BoardReminder) -> str:
    """The body of a board reminder (plain text; the notice renderers escape it)."""
    lines = [item.reminder.text, f"渠道：{item.channel or '未知'}", f"责任单位：{item.unit or '未指定'}"]
    if item.url:
        lines.append(f"原帖：{item.url}")
    return "\n".join(lines)


class BoardReminders:
    """Runs the board reminders from the alert engine's cycle, at most once per ``every`` (clock time)."""

    def __init__(self, store: Store, policy: clocks.ClockPolicy, push: Callable[[BoardReminder], None],
                 every: timedelta = DEFAULT_EVERY) -> None:
        self.store = store
        self.policy = policy
        self.push = push
        self.every = every
        self._last: datetime | None = None

    def run(self, now: datetime) -> int:
        """Send what is due at ``now``; returns the number of reminders sent."""
        if self._last is not None and timedelta(0) <= now - self._last < self.every:
            return 0
        self._last = now
        candidates = [p for p in sa.unreplied_board_posts(self.store, now - LOOKBACK)
                      if p.get("id") and fired(post_deadlines(p, self.policy), now)]
        if not candidates:
            return 0
        states = sa.get_many(self.store, "alert-state", [state_id(p["id"]) for p in candidates])
        sent = {p["id"]: (states.get(state_id(p["id"])) or {}).get("details", {}).get("sent", [])
                for p in candidates}
        due = due_board_reminders(candidates, self.policy, now, sent)
        by_post: dict[str, set[str]] = {}
        for item in due:
            by_post.setdefault(item.post_id, set(sent[item.post_id])).update(item.reminder.covers)
        for post_id, keys in by_post.items():  # record first: a crash after this cannot send twice
            previous = states.get(state_id(post_id)) or {}
            sa.put_doc(self.store, "alert-state", {**previous, "id": state_id(post_id), "kind": STATE_KIND,
                                                   "at": now.isoformat(),
                                                   "details": {"post_id": post_id, "sent": sorted(keys)}},
                       refresh=False)
        for item in due:
            self.push(item)
        if due:
            LOGGER.info("board reminders sent: %d (posts %d)", len(due), len(by_post))
        return len(due)


__all__ = ["BoardReminder", "BoardReminders", "due_board_reminders", "notice_text", "post_deadlines", "state_id"]
