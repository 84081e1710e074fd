"""The analysis cycle: new posts → events → rules → one alert per event → clocks → reminders.

All state is in Elasticsearch, so a new engine object (a restart) continues where the last one
stopped and sends nothing twice:
- the checkpoint is the post's ``event_id``: a cycle reads the posts that have none yet;
- an alert's id derives from its event id; ``notified_rank`` is the level last pushed, so an alert is
  pushed again only when its level rises; ``reminders_sent`` holds the reminder keys already sent;
- the level never falls: later posts update counts and may raise the level, never lower it;
- the title is set when the alert is first raised (the event's title then) and never changes after.
The push intent (``notified_rank``) is written before the notice is submitted, and every delivery
result is recorded on the alert with the rank it was for. A new engine object re-submits the pushes
whose intent has no recorded result: a notice that was in flight when the process died is sent once
after the restart instead of being lost (it can only be sent twice if the process dies in the
milliseconds between a platform accepting it and its result being recorded).
"""

from __future__ import annotations

import logging
import threading
import time
import uuid
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any, Callable

from analysis import clocks
from analysis.events import EventGrouper, EventSignature, event_document, parse_time
from analysis.rules import LEVEL_COLOURS, LEVEL_RANK, LEVELS, RuleSet, Verdict, load_rules, reopen_reason
from analysis.workdays import SHANGHAI
from yuqing import clock
from yuqing.alerts.boards import BoardReminder, BoardReminders, notice_text
from yuqing.alerts.boards import state_id as board_state_id
from yuqing.alerts.workflow import is_silenced
from yuqing.notify.render import stories
from yuqing.store import Store
from yuqing.store import alerts as sa

LOGGER = logging.getLogger(__name__)

ENGINE_STATE_ID = "engine"
LEVEL_KEYS = {"Ⅰ": "I", "Ⅱ": "II", "Ⅲ": "III", "Ⅳ": "IV"}
BATCH = 2000
HEARTBEAT_SECONDS = 60  # the engine's last_cycle_at in alert-state is written at most this often
PENDING_EVENTS = 50  # above this many touched events, refresh posts instead of naming new posts by id


def alert_id_for(event_id: str) -> str:
    return "al-" + event_id.removeprefix("ev-")


@dataclass
class Pending:
    """Posts grouped into an event in this cycle, and events merged into it, not yet searchable as such."""

    posts: set[str] = field(default_factory=set)
    events: set[str] = field(default_factory=set)


@dataclass
class CycleReport:
    """What one cycle did."""

    posts: int = 0
    events: int = 0
    merged: int = 0
    alerts_new: int = 0
    alerts_raised: int = 0
    pushed: int = 0
    reminders: int = 0
    board_reminders: int = 0
    errors: list[str] = field(default_factory=list)
    alerted_events: list[str] = field(default_factory=list)  # events whose alert was new or raised this cycle


def _make_notice(**fields: Any) -> Any:
    """A ``yuqing.notify.Notice`` when that package is present, else a plain record with the same fields."""
    try:
        from yuqing.notify import Notice  # noqa: PLC0415 - optional until the notifications piece lands
    except ImportError:
        return _Notice(**fields)
    return Notice(**fields)


@dataclass
class _Notice:
    title: str
    text: str
    level: str | None = None
    color: str | None = None
    url: str | None = None
    unit: str | None = None
    kind: str = "alert"
    attachments: list = field(default_factory=list)


def default_notifier() -> Any | None:
    """The configured Dispatcher, or None when notifications are not set up (alerts are still stored)."""
    try:
        from yuqing.notify import Dispatcher  # noqa: PLC0415
    except ImportError:
        return None
    try:
        return Dispatcher.from_config()
    except Exception as exc:  # noqa: BLE001 - a missing notify.yaml must not stop analysis
        LOGGER.warning("notifications disabled: %s", exc)
        return None


class AlertEngine:
    """One analysis cycle at a time; ``cycle(now)`` is safe to call again after any failure."""

    def __init__(self, store: Store, rules: RuleSet | None = None, policy: clocks.ClockPolicy | None = None,
                 notifier: Any | None = None, grouper: EventGrouper | None = None,
                 base_url: str | None = None) -> None:
        self.store = store
        self.rules = rules or load_rules()
        self.policy = policy or clocks.load_policy()
        self.notifier = notifier
        self.grouper = grouper or EventGrouper()
        self.base_url = base_url
        self.filters = {name: c.to_es() for name, c in self.rules.filters().items()}
        self.delivery_record_errors: list[str] = []  # filled by delivery callbacks, drained by cycle()
        self._lock = threading.Lock()
        self._resent_unrecorded = False  # a new engine re-sends pushes with no recorded delivery, once
        self._silenced_schemes: set[str] | None = None
        self._heartbeat_at = float("-inf")
        self.board_reminders = BoardReminders(store, self.policy, self._push_board)

    def set_rules(self, rules: RuleSet) -> None:
        """Use ``rules`` from the next cycle on (an edited rules file, already validated)."""
        self.rules = rules
        self.filters = {name: c.to_es() for name, c in rules.filters().items()}

    # ------------------------------------------------------------------ cycle
    def cycle(self, now: datetime | None = None) -> CycleReport:
        now = (now or clock.now()).astimezone(SHANGHAI)
        report = CycleReport()
        with self._lock:
            report.errors += self.delivery_record_errors
            self.delivery_record_errors = []
        self._silenced_schemes = None
        # One refresh makes everything written since the last cycle searchable: new posts, and the
        # events and alerts the last cycle wrote without refreshing (scheme silences are written with
        # a refresh, so alert-state needs none).
        sa.refresh_all(self.store, "posts", "events", "alerts")
        if not self._resent_unrecorded:
            self._resent_unrecorded = True
            report.pushed += self.resend_unrecorded(now)
        touched: set[str] = set()
        detected: dict[str, str] = {}
        # What the aggregations cannot see yet without another refresh of posts: per event, the posts
        # grouped into it in this cycle and the events merged into it (their posts still carry the old
        # id in the searchable version). Saves a refresh per cycle; dropped when a refresh happens.
        pending: dict[str, Pending] = {}
        absorbed: set[str] = set()  # events merged into another in this cycle
        while True:
            posts, open_docs = sa.ungrouped_and_open(self.store, BATCH, now - self.grouper.window - timedelta(days=1))
            if not posts:
                break
            report.posts += len(posts)
            touched |= self._group(posts, open_docs, now, report, detected, pending, absorbed)
            touched -= absorbed
            if len(posts) < BATCH:
                break
            self.store.refresh("posts")  # the next batch must not see these posts as ungrouped again
            pending = {}
        if len(pending) > PENDING_EVENTS:  # cheaper to refresh than to name so many posts by id
            self.store.refresh("posts")
            pending = {}
        if touched:
            self._summarise_and_alert(sorted(touched), now, report, detected, pending)
        report.reminders = self.send_reminders(now)
        report.board_reminders = self.board_reminders.run(now)
        if time.monotonic() - self._heartbeat_at >= HEARTBEAT_SECONDS:  # for operators; not read back
            sa.put_doc(self.store, "alert-state", {"id": ENGINE_STATE_ID, "kind": "engine",
                                                   "last_cycle_at": now.isoformat()}, refresh=False)
            self._heartbeat_at = time.monotonic()
        return report

    def _group(self, posts: list[dict], open_docs: list[dict], now: datetime, report: CycleReport,
               detected: dict[str, str], pending: dict[str, Pending], absorbed_ids: set[str]) -> set[str]:
        clusters = sorted({p.get("cluster_id") or p["id"] for p in posts})
        known = sa.cluster_events(self.store, clusters)
        existing = {d["id"] for d in open_docs}
        signatures = [EventSignature.from_event(d) for d in open_docs]
        assignment, touched = self.grouper.assign(posts, known, signatures)
        merges = self.grouper.merges(touched.values(), signatures + list(touched.values()))

        def final(event_id: str) -> str:
            while event_id in merges:
                event_id = merges[event_id]
            return event_id

        assignment = {post: final(event) for post, event in assignment.items()}
        failed = sa.update_docs(self.store, "posts", assignment_items(assignment))
        if failed:  # those posts stay ungrouped and are read again by the next cycle
            report.errors.append(f"{failed} 篇帖子未能写入事件编号，下一轮重试")
        for post, event in assignment.items():
            pending.setdefault(event, Pending()).posts.add(post)
        result = {final(e) for e in touched}
        for absorbed, survivor in merges.items():
            survivor = final(survivor)
            if absorbed in existing or absorbed not in touched:
                sa.reassign_event(self.store, absorbed, survivor)
                sa.delete_doc(self.store, "events", absorbed)
                entry = pending.setdefault(survivor, Pending())
                entry.events.add(absorbed)
                entry.events |= pending.pop(absorbed, Pending()).events
            self._merge_alerts(absorbed, survivor, now)
            absorbed_ids.add(absorbed)
            report.merged += 1
        for event_id in result:
            if event_id not in existing:
                detected.setdefault(event_id, now.isoformat())
        return result

    def _merge_alerts(self, absorbed: str, survivor: str, now: datetime) -> None:
        old = self.store.get("alerts", alert_id_for(absorbed))
        if old is None:
            return
        new_id = alert_id_for(survivor)
        if self.store.get("alerts", new_id) is None:
            moved = {**old, "id": new_id, "event_id": survivor, "updated_at": now.isoformat()}
            sa.put_doc(self.store, "alerts", moved)
        sa.update_doc(self.store, "alerts", old["id"], {"status": "closed", "closed_at": now.isoformat(),
                                                         "merged_into": new_id})

    # ------------------------------------------------------------------ events and alerts
    def _summarise_and_alert(self, event_ids: list[str], now: datetime, report: CycleReport,
                             detected: dict[str, str], pending: dict[str, Pending] | None = None) -> None:
        extra = {e: (sorted(p.posts), sorted(p.events)) for e, p in (pending or {}).items() if e in event_ids}
        stats = sa.event_stats(self.store, event_ids, self.filters, pending=extra)
        docs = []
        stored = sa.get_docs(self.store, [("events", e) for e in stats] + [("alerts", alert_id_for(e)) for e in stats])
        previous = {i: doc for (name, i), (doc, _, _) in stored.items() if name == "events"}
        alerts = {i: versioned for (name, i), versioned in stored.items() if name == "alerts"}
        for event_id, st in stats.items():
            doc = event_document(st, now)
            doc["detected_at"] = (previous.get(event_id) or {}).get("detected_at") or detected.get(event_id) \
                or now.isoformat()
            docs.append(doc)
        written = self.store.index_docs("events", docs)
        report.events += written.ok
        report.errors += [f"{i}: {r}" for i, r in written.failed]
        for doc in docs:
            verdict = self.rules.evaluate(stats[doc["id"]], now)
            alert_id = alert_id_for(doc["id"])
            stored = alerts.get(alert_id)
            if verdict.fired:
                self._write_alert(doc, verdict, now, report, stored)
            elif stored is not None:  # the title stays as raised (see _upsert_alert)
                sa.update_doc(self.store, "alerts", alert_id, {"post_count": doc["post_count"],
                                                               "cluster_count": doc.get("cluster_count")}, refresh=False)

    def _write_alert(self, event: dict, verdict: Verdict, now: datetime, report: CycleReport,
                     stored: tuple[dict, int, int] | None, attempts: int = 5) -> None:
        """Create or update the event's alert; a concurrent change (workflow, delivery record) is re-read."""
        alert_id = alert_id_for(event["id"])
        for _ in range(attempts):
            try:
                self._upsert_alert(event, verdict, now, report, stored[0] if stored else None,
                                   stored[1:] if stored else None)
                return
            except sa.VersionConflict:
                stored = sa.get_versioned(self.store, "alerts", alert_id)
        report.errors.append(f"{alert_id}: 预警连续 {attempts} 次写入冲突，本轮未更新")

    def deadlines(self, alert: dict) -> list[clocks.Deadline]:
        """The response clocks of an alert (recomputed: the same inputs give the same keys)."""
        if not alert.get("needs_response"):
            return []
        return clocks.response_clocks(
            LEVEL_KEYS[alert["level"]], parse_time(alert.get("event_time")), parse_time(alert["detected_at"]),
            self.policy, incident=bool(alert.get("incident")), subject=alert["id"],
            level_times=level_times(alert))

    def _upsert_alert(self, event: dict, verdict: Verdict, now: datetime, report: CycleReport,
                      old: dict | None, version: tuple[int, int] | None = None) -> None:
        alert_id = alert_id_for(event["id"])
        if old is not None and old.get("merged_into"):
            return
        rank = verdict.rank if old is None else min(verdict.rank, int(old["level_rank"]))
        level = LEVELS[rank - 1]
        # The title is the event's title when the alert was first raised and then stays: notices, reminders
        # and the list keep naming the incident the same way while newer posts change the event's title.
        title = (old or {}).get("title") or event["title"]
        fields = {
            "id": alert_id, "event_id": event["id"], "title": title, "level": level, "level_rank": rank,
            "color": LEVEL_COLOURS[level], "post_count": event["post_count"], "cluster_count": event.get("cluster_count"),
            "updated_at": now.isoformat(),
            "rules": sorted(set((old or {}).get("rules") or []) | set(verdict.rules)),
            "schemes": sorted(set((old or {}).get("schemes") or []) | set(verdict.schemes)),
            "needs_response": bool((old or {}).get("needs_response")) or verdict.needs_response
            or rank <= LEVEL_RANK[self.rules.levels.respond_from],
            "incident": bool((old or {}).get("incident")) or verdict.incident,
            "digest": rank > LEVEL_RANK[self.rules.levels.push_from],
            "reasons": {f.rule: f.reason for f in verdict.firings} | ((old or {}).get("reasons") or {}),
        }
        if old is None:
            fields.update({
                "status": "new", "owner_unit": None, "handling_type": None, "first_alerted_at": now.isoformat(),
                "event_time": event.get("event_time"), "detected_at": event.get("detected_at") or now.isoformat(),
                "silenced": False, "responses": [], "handover": None, "notifications": [], "reminders_sent": [],
                "notified_rank": None,
            })
        # When the alert reached each level: internal report deadlines count from it (the first alert
        # for the initial level, the rise for a level a rise brought in).
        reached = dict((old or {}).get("level_reached_at") or {})
        if old is not None and not reached:  # stored before levels were timed
            reached[old["level"]] = old.get("first_alerted_at") or now.isoformat()
        reached.setdefault(level, now.isoformat())
        fields["level_reached_at"] = reached
        alert = {**(old or {}), **fields}
        deadlines = self.deadlines(alert)
        met = {d["kind"]: d.get("met_at") for d in (old or {}).get("deadlines") or []}
        alert["deadlines"] = [{"kind": d.kind, "label": d.label, "starts_at": d.starts_at.isoformat(),
                               "due_at": d.due_at.isoformat(), "met_at": met.get(d.kind), "key": d.key}
                              for d in deadlines]
        # A report deadline of the level the alert rose from stays on record (met or not), so the
        # scorecard still sees whether that report was made in time.
        kinds = {d.kind for d in deadlines}
        alert["deadlines"] += [d for d in (old or {}).get("deadlines") or []
                               if d["kind"].startswith("report_") and d["kind"] not in kinds]
        alert["clock_start"] = deadlines[0].starts_at.isoformat() if deadlines else None
        if deadlines:
            starts = [d.starts_at for d in deadlines if d.kind in clocks.HOUR_CLOCKS]
            alert["clock_start"] = (starts[0] if starts else deadlines[0].starts_at).isoformat()
        reopened = None
        if old is not None and old.get("status") == "closed":
            reopened = reopen_reason(old.get("closed_post_count"), int(event["post_count"]),
                                     rank < int(old["level_rank"]), self.rules.levels)
            if reopened:  # 办结后舆情再起: handled again, and pushed again whatever level was pushed before
                alert.update({"status": "new", "reopened_at": now.isoformat(), "reopen_reason": reopened,
                              "reopen_count": int(old.get("reopen_count") or 0) + 1, "notified_rank": None})
        push = self._should_push(alert, now)
        if push:
            alert["notified_rank"] = rank
        if old is None:
            sa.put_doc(self.store, "alerts", alert, refresh=False)
            report.alerts_new += 1
            report.alerted_events.append(event["id"])
        else:
            changed = {k: v for k, v in alert.items() if old.get(k) != v and k != "updated_at"}
            if changed:  # only if nobody changed the alert since it was read (else VersionConflict)
                seq_no, primary_term = version if version else (None, None)
                sa.update_doc(self.store, "alerts", alert_id, {**changed, "updated_at": alert["updated_at"]},
                              refresh=False, if_seq_no=seq_no, if_primary_term=primary_term)
            if rank < int(old["level_rank"]) or reopened:
                report.alerts_raised += 1
                report.alerted_events.append(event["id"])
            if reopened:
                sa.put_doc(self.store, "audit", {
                    "id": uuid.uuid4().hex, "alert_id": alert_id, "event_id": event["id"], "action": "reopen",
                    "actor": "系统", "at": now.isoformat(),
                    "details": {"reason": reopened, "posts_at_close": old.get("closed_post_count"),
                                "posts_now": event["post_count"]}}, refresh=False)
        if push:
            self._push(alert)
            report.pushed += 1

    def _should_push(self, alert: dict, now: datetime) -> bool:
        if alert.get("digest") or alert.get("status") == "closed":
            return False
        notified = alert.get("notified_rank")
        if notified is not None and int(notified) <= int(alert["level_rank"]):
            return False
        if self._silenced(alert, now):
            return False
        return True

    def _silenced(self, alert: dict, now: datetime) -> bool:
        if is_silenced(alert, now):
            return True
        schemes = alert.get("schemes") or []
        if schemes:
            if self._silenced_schemes is None:  # read once per cycle
                self._silenced_schemes = scheme_silences(self.store, now)
            if all(s in self._silenced_schemes for s in schemes):
                return True
        return False

    # ------------------------------------------------------------------ notifications
    def _push(self, alert: dict, kind: str = "alert", text: str | None = None) -> None:
        if self.notifier is None:
            return
        lines = [f"级别：{alert['level']}级（{alert['color']}）", f"帖子数：{alert['post_count']}{stories(alert)}",
                 f"触发规则：{'、'.join(alert['rules'])}"]
        for d in sorted(alert.get("deadlines") or [], key=lambda d: parse_time(d["due_at"])):  # earliest due first
            lines.append(f"{d['label']}：{parse_time(d['due_at']).astimezone(SHANGHAI):%m月%d日 %H:%M} 前")
        if kind == "alert" and alert.get("status") == "new" and alert.get("reopen_reason"):
            lines.insert(0, f"重新打开：{alert['reopen_reason']}")
        again = "（办结后再起）" if kind == "alert" and alert.get("reopened_at") and alert.get("status") == "new" else ""
        notice = _make_notice(title=f"【{alert['level']}级舆情预警{again}】{alert['title']}" if kind == "alert"
                              else f"【时限提醒】{alert['title']}",
                              text=text or "\n".join(lines), level=alert["level"], color=alert["color"],
                              url=f"{self.base_url}/alerts/{alert['id']}" if self.base_url else None,
                              unit=alert.get("owner_unit"), kind=kind)
        rank = int(alert["notified_rank"]) if kind == "alert" and alert.get("notified_rank") else None
        self.notifier.submit(notice, self._recorder(alert["id"], kind, rank))

    def _push_board(self, item: BoardReminder) -> None:
        """A board post's reply reminder, to the unit that owes the reply; delivery recorded on its state."""
        if self.notifier is None:
            return
        notice = _make_notice(title=f"【留言答复提醒】{item.title}", text=notice_text(item),
                              url=f"{self.base_url}/boards" if self.base_url else (item.url or None),
                              unit=item.unit or None, kind="reminder")
        self.notifier.submit(notice, self._recorder(item.post_id, "board_reminder", index="alert-state",
                                                    doc_id=board_state_id(item.post_id), list_field="deliveries"))

    def resend_unrecorded(self, now: datetime) -> int:
        """Re-submit alert pushes whose intent was written but whose delivery was never recorded."""
        if self.notifier is None:
            return 0
        query = {"bool": {"filter": [{"exists": {"field": "notified_rank"}}],
                          "must_not": [{"term": {"status": "closed"}}, {"exists": {"field": "merged_into"}}]}}
        resent = 0
        for alert in self.store.scan("alerts", query):  # every one, however many are open
            rank = int(alert["notified_rank"])
            recorded = any(item.get("kind", "alert") == "alert" and item.get("rank") in (rank, None)
                           for item in alert.get("notifications") or [])
            if not recorded and not self._silenced(alert, now):
                LOGGER.warning("re-sending push of %s at rank %s: no delivery was recorded", alert["id"], rank)
                self._push(alert)
                resent += 1
        return resent

    def _recorder(self, alert_id: str, kind: str = "alert", rank: int | None = None, *, index: str = "alerts",
                  doc_id: str | None = None, list_field: str = "notifications") -> Callable[[Any], None]:
        """The delivery callback: appends the result to the alert's ``notifications``.

        A failure to record is logged, counted (``delivery_record_errors``, reported by the next cycle)
        and re-raised to the dispatcher, which logs it too; it never passes silently.
        """
        def record(result: Any) -> None:
            at = getattr(result, "at", None)
            item = {"channel": getattr(result, "channel", "?"), "ok": bool(getattr(result, "ok", False)),
                    "at": at.isoformat() if isinstance(at, datetime) else str(at),
                    "error": getattr(result, "error", None), "kind": kind, "rank": rank}
            try:
                sa.append_item(self.store, index, doc_id or alert_id, list_field, item)
            except Exception as exc:
                with self._lock:
                    self.delivery_record_errors.append(f"{alert_id}: 未能记录推送结果（{item['channel']}）: {exc}")
                LOGGER.error("could not record delivery for %s: %s", alert_id, exc)
                raise
        return record

    def send_reminders(self, now: datetime) -> int:
        """Reminders before due and at overdue for open alerts that need a response (idempotent)."""
        self._silenced_schemes = None
        query = {"bool": {"filter": [{"term": {"needs_response": True}}],
                          "must_not": [{"terms": {"status": ["closed"]}}, {"exists": {"field": "merged_into"}}]}}
        sent = 0
        for alert in self.store.scan("alerts", query):  # every one, however many are open
            deadlines = self.deadlines(alert)
            met = {d["key"]: parse_time(d["met_at"]) for d in alert.get("deadlines") or []
                   if d.get("met_at") and d.get("key")}
            due = clocks.due_reminders(deadlines, now, set(alert.get("reminders_sent") or []), met)
            if not due:
                continue
            keys = sorted(set(alert.get("reminders_sent") or []) | {k for r in due for k in r.covers})
            sa.update_doc(self.store, "alerts", alert["id"], {"reminders_sent": keys}, refresh=False)
            for reminder in due:
                if not self._silenced(alert, now):
                    self._push(alert, kind="reminder", text=reminder.text)
                sent += 1
        return sent


def level_times(alert: dict) -> dict[str, datetime]:
    """When the alert reached each level it has been at; alerts stored before this was recorded
    count their level from the first alert."""
    reached = {k: t for k, v in (alert.get("level_reached_at") or {}).items() if (t := parse_time(v))}
    if not reached and (first := parse_time(alert.get("first_alerted_at"))):
        reached[alert["level"]] = first
    return {LEVEL_KEYS.get(k, k): t for k, t in reached.items()}


def assignment_items(assignment: dict[str, str]):
    return ((post_id, {"event_id": event_id}) for post_id, event_id in assignment.items())


def scheme_silences(store: Store, now: datetime) -> set[str]:
    result = store.search("alert-state", {"term": {"kind": "scheme_silence"}}, size=500, track_total_hits=False)
    out = set()
    for hit in result["hits"]["hits"]:
        until = parse_time(hit["_source"].get("until"))
        if until is None or until > now:
            out.add(hit["_source"]["scheme"])
    return out


__all__ = ["AlertEngine", "CycleReport", "alert_id_for", "default_notifier", "level_times", "scheme_silences"]
