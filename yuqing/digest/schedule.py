"""Scheduled delivery of the morning digests by email, with retries, recorded in the audit index.

``due(now, last_sent, …)`` is a pure decision over the schedule in ``config/digest.yaml``;
``deliver(store, dispatcher, day)`` renders one digest and sends it through
``yuqing.notify.Dispatcher.send_now`` with the rendered files attached; ``run_pending(store,
dispatcher, now)`` (called by the long-running service) reads what was already sent from the audit
index, delivers what is due and records every attempt there (action ``digest``). A failed digest is
tried again after ``retry.interval`` and, when it finally fails or is too old to send, recorded as
such — never silently skipped.

A digest counts as sent only when every channel it is routed to has taken it (the shipped ``log``
channel succeeding does not mask a failed email). A retry goes only to the channels that have not
taken it yet, so nobody gets the same digest twice.

Several service processes (``yuqing run --worker i/N``, on several hosts) may all run
``run_pending``: before each attempt a process claims it with a create-only audit document
(action ``digest-claim``, id ``digest-claim-<kind>-<period>-<attempt>``); the process that loses
the claim skips the slot, so one email goes out. A claimed attempt that never records an outcome
(its process died) counts as failed once ``retry.interval`` has passed, and the next attempt is
claimed under the next number.

"Now" is the shared clock (:func:`yuqing.clock.now`, simulated when ``YUQING_CLOCK`` is set).
"""

from __future__ import annotations

import logging
import os
import socket
import traceback
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta, tzinfo
from pathlib import Path

from analysis.clocks import parse_clock_time, parse_duration
from analysis.workdays import SHANGHAI
from yuqing import clock
from yuqing.config import Field, Where, read_yaml, validate
from yuqing.digest import FORMATS, MIME_TYPES

LOGGER = logging.getLogger(__name__)

PROJECT_ROOT = Path(__file__).resolve().parents[2]
DEFAULT_PATH = PROJECT_ROOT / "config" / "digest.yaml"
KINDS = ("daily", "weekly")
KIND_LABELS = {"daily": "舆情日报", "weekly": "舆情周报"}
AUDIT_ACTION = "digest"
CLAIM_ACTION = "digest-claim"
ACTOR = "digest-scheduler"


def _check(parser):
    def check(value):
        try:
            parser(value)
        except ValueError as exc:
            return str(exc)
        return None

    return check


def _check_formats(values: list) -> str | None:
    bad = [v for v in values if v not in FORMATS]
    if bad:
        return f"未知的格式 {bad[0]!r}（可选: {'、'.join(FORMATS)}）"
    return None if values else "至少需要一种格式"


def _check_zone(name: str) -> str | None:
    try:
        _zone(name)
    except Exception:  # noqa: BLE001 - any failure means the name is unusable
        return f"未知的时区 {name!r}（示例: Asia/Shanghai）"
    return None


def _zone(name: str) -> tzinfo:
    if name == "Asia/Shanghai":
        return SHANGHAI
    from zoneinfo import ZoneInfo

    return ZoneInfo(name)


KIND_SCHEMA = {
    "enabled": Field(bool, default=True),
    "time": Field(str, default="08:30", check=_check(parse_clock_time), help="发送时刻，如 08:30"),
    "formats": Field(list, default=["docx", "pdf"], item=str, check=_check_formats),
}
WEEKLY_SCHEMA = {
    **KIND_SCHEMA,
    "weekday": Field(
        int,
        default=1,
        check=lambda v: None if 1 <= v <= 7 else f"weekday 应为 1（周一）到 7（周日），实际是 {v}",
    ),
}
RETRY_SCHEMA = {
    "attempts": Field(int, default=4, check=lambda v: None if v >= 1 else f"attempts 至少为 1，实际是 {v}"),
    "interval": Field(str, default="15m", check=_check(parse_duration)),
}
SCHEMA = {
    "timezone": Field(str, default="Asia/Shanghai", check=_check_zone),
    "daily": Field(dict, default=lambda: validate({}, KIND_SCHEMA, Where("", 0)), schema=KIND_SCHEMA),
    "weekly": Field(dict, default=lambda: validate({}, WEEKLY_SCHEMA, Where("", 0)), schema=WEEKLY_SCHEMA),
    "recipients": Field(str, default="局领导", help="config/notify.yaml 中 units 下的收件单位名"),
    "retry": Field(dict, default=lambda: validate({}, RETRY_SCHEMA, Where("", 0)), schema=RETRY_SCHEMA),
    "catch_up_days": Field(int, default=3, check=lambda v: None if v >= 0 else f"不能为负: {v}"),
}


@dataclass(frozen=True)
class KindSchedule:
    kind: str
    enabled: bool
    at: time
    formats: tuple[str, ...]
    weekday: int = 1  # weekly only: 1 = Monday


@dataclass(frozen=True)
class DigestSchedule:
    """config/digest.yaml, typed."""

    kinds: Mapping[str, KindSchedule]
    recipients: str = "局领导"
    attempts: int = 4
    interval: timedelta = timedelta(minutes=15)
    catch_up_days: int = 3
    tz: tzinfo = SHANGHAI
    source: str = ""


def load_config(path: str | Path = DEFAULT_PATH, text: str | None = None) -> DigestSchedule:
    """Read and validate config/digest.yaml; raises ConfigError naming file:line."""
    raw = read_yaml(path, text)
    cfg = validate(raw if raw is not None else {}, SCHEMA, Where(str(path), getattr(raw, "line", 1) or 1))
    kinds = {
        "daily": KindSchedule(
            "daily",
            cfg["daily"]["enabled"],
            parse_clock_time(cfg["daily"]["time"]),
            tuple(cfg["daily"]["formats"]),
        ),
        "weekly": KindSchedule(
            "weekly",
            cfg["weekly"]["enabled"],
            parse_clock_time(cfg["weekly"]["time"]),
            tuple(cfg["weekly"]["formats"]),
            cfg["weekly"]["weekday"],
        ),
    }
    return DigestSchedule(
        kinds,
        cfg["recipients"],
        cfg["retry"]["attempts"],
        parse_duration(cfg["retry"]["interval"]),
        cfg["catch_up_days"],
        _zone(cfg["timezone"]),
        str(path),
    )


DEFAULT_SCHEDULE = DigestSchedule(
    {
        "daily": KindSchedule("daily", True, time(8, 30), ("docx", "pdf")),
        "weekly": KindSchedule("weekly", True, time(8, 30), ("docx", "pdf"), 1),
    }
)


# --------------------------------------------------------------------------- decisions (pure)
@dataclass(frozen=True)
class Slot:
    """One scheduled digest: the period it covers and when it is to be sent."""

    kind: str
    period: date  # the day (daily) or the Monday of the week (weekly) the digest covers
    scheduled_at: datetime

    @property
    def key(self) -> str:
        return f"{self.kind}:{self.period.isoformat()}"


@dataclass(frozen=True)
class Attempts:
    """Failed attempts of one slot so far."""

    count: int
    last_at: datetime


def _slots_until(kind: KindSchedule, now: datetime, tz: tzinfo, back_days: int) -> list[Slot]:
    """The slots of ``kind`` scheduled in (now - back_days - 1 day, now], oldest first."""
    local = now.astimezone(tz)
    out = []
    for offset in range(back_days + 8, -1, -1):
        send_day = local.date() - timedelta(days=offset)
        scheduled = datetime.combine(send_day, kind.at, tzinfo=tz)
        if scheduled > local:
            continue
        if kind.kind == "daily":
            out.append(Slot("daily", send_day - timedelta(days=1), scheduled))
        elif send_day.isoweekday() == kind.weekday:
            last_week = send_day - timedelta(days=7)
            out.append(Slot("weekly", last_week - timedelta(days=last_week.weekday()), scheduled))
    return out


def due(
    now: datetime,
    last_sent: Mapping[str, date | None] | date | None,
    schedule: DigestSchedule = DEFAULT_SCHEDULE,
    attempts: Mapping[str, Attempts] | None = None,
) -> list[Slot]:
    """Digests to send at ``now``, oldest first.

    ``last_sent``: per kind, the latest period already sent (a bare date means the daily one).
    A slot is due once its time has come, when nothing at or after its period was sent, within
    ``catch_up_days`` (with nothing sent yet, only a slot scheduled today), and — after a failed attempt —
    once ``interval`` has passed, while fewer than ``attempts`` attempts were made.
    """
    if now.tzinfo is None:
        raise ValueError("now must be timezone-aware")
    sent = last_sent if isinstance(last_sent, Mapping) else {"daily": last_sent}
    attempts = attempts or {}
    out: list[Slot] = []
    for kind in schedule.kinds.values():
        if not kind.enabled:
            continue
        slots = _slots_until(kind, now, schedule.tz, schedule.catch_up_days)
        previous = sent.get(kind.kind)
        if previous is None:  # nothing sent yet: only today's slot, never yesterday's on a fresh install
            today = now.astimezone(schedule.tz).date()
            slots = [s for s in slots[-1:] if s.scheduled_at.date() == today]
        else:
            oldest = now - timedelta(days=schedule.catch_up_days + 1)
            slots = [s for s in slots if s.period > previous and s.scheduled_at > oldest]
        for slot in slots:
            tried = attempts.get(slot.key)
            if tried is not None and (
                tried.count >= schedule.attempts or now < tried.last_at + schedule.interval
            ):
                continue
            out.append(slot)
    return sorted(out, key=lambda s: (s.scheduled_at, s.kind))


def missed(
    now: datetime, last_sent: Mapping[str, date | None], schedule: DigestSchedule = DEFAULT_SCHEDULE
) -> list[Slot]:
    """Slots after the last sent one that are too old to catch up (to be recorded as missed)."""
    out = []
    for kind in schedule.kinds.values():
        previous = last_sent.get(kind.kind)
        if not kind.enabled or previous is None:
            continue
        oldest = now - timedelta(days=schedule.catch_up_days + 1)
        horizon = max(0, (now.astimezone(schedule.tz).date() - previous).days)
        out += [
            s
            for s in _slots_until(kind, now, schedule.tz, horizon)
            if s.period > previous and s.scheduled_at <= oldest
        ]
    return out


# --------------------------------------------------------------------------- delivery
@dataclass
class DeliveryReport:
    """What one delivery attempt did."""

    kind: str
    period: date
    ok: bool
    stage: str  # render | send | done
    error: str | None = None
    files: list[str] = field(default_factory=list)
    results: list[dict] = field(default_factory=list)
    at: datetime | None = None
    delivered: list[str] = field(default_factory=list)  # channels that have it (this or an earlier try)

    @property
    def key(self) -> str:
        return f"{self.kind}:{self.period.isoformat()}"


def build_notice(kind: str, digest, doc, attachments, unit: str):
    """The email: the digest's paragraph and main figures as text, the rendered files attached."""
    from yuqing.digest import prose
    from yuqing.notify import Notice

    lines = [
        prose.daily_prose(digest),
        "",
        f"- 信息总量：**{digest.mentions} 条**（{digest.stories} 个话题），"
        f"负面占 {prose.pct(digest.negative_share)}",
        f"- 待回应时限：{len(digest.due_items)} 项；超时未办：{len(digest.overdue_items)} 项",
        f"- 待答复留言：{len(digest.board_due) + len(digest.board_overdue)} 件"
        f"（超期 {len(digest.board_overdue)} 件）",
        "",
        "附件：" + "、".join(name for name, _, _ in attachments),
    ]
    return Notice(
        title=doc.title, text="\n".join(lines), kind="digest", unit=unit, attachments=list(attachments)
    )


def _recipients_problem(dispatcher, notice) -> str | None:
    """Why the notice would reach no email inbox, or None (only checked when the dispatcher can tell)."""
    config = getattr(dispatcher, "config", None)
    if config is None or not hasattr(config, "plan"):
        return None
    plan = config.plan(notice)
    if not any(recipients for _name, recipients in plan) and not any(
        getattr(config.channels[name], "takes_recipients", False)
        and getattr(config.channels[name], "recipients", None)
        for name, _ in plan
    ):
        return (
            f"简报没有收件人：config/notify.yaml 中没有接收简报（kinds: digest）的邮件通道，"
            f"或单位“{notice.unit}”没有配置 emails"
        )
    return None


def deliver(
    store,
    dispatcher,
    day: date,
    kind: str = "daily",
    *,
    schedule: DigestSchedule | None = None,
    now: datetime | None = None,
    formats: tuple[str, ...] | None = None,
    done_channels: set[str] | frozenset[str] = frozenset(),
) -> DeliveryReport:
    """Render the digest of ``day`` (or of its week) in the configured formats and email it.

    The report is ``ok`` only when every routed channel has the digest; ``done_channels`` (those that
    took it on an earlier try) are not sent to again. Never raises for a render or send failure: the
    report says what failed and where.
    """
    from yuqing.digest.layout import digest_document
    from yuqing.digest.model import build_digest, week_window
    from yuqing.digest.render import file_name, render

    schedule = schedule or load_config()
    now = now or clock.now().astimezone(schedule.tz)
    period = day if kind == "daily" else week_window(day)[0].date()
    report = DeliveryReport(kind, period, False, "render", at=now)
    formats = formats or schedule.kinds[kind].formats
    try:
        digest = build_digest(store, kind, period, now=now)
        doc = digest_document(digest)
        attachments = []
        for fmt in formats:
            content, assets = render(doc, fmt)
            name = file_name(doc, period.isoformat(), fmt)
            attachments.append((name, content, MIME_TYPES[fmt].split(";")[0]))
            attachments += [(f"{name}-{asset}", data, "image/png") for asset, data in assets]
        report.files = [name for name, _, _ in attachments]
    except Exception as exc:  # noqa: BLE001 - any failure is reported and retried, never lost
        LOGGER.error("digest %s %s failed to render: %s", kind, period, exc)
        report.error = f"生成失败: {exc}"
        LOGGER.debug("%s", traceback.format_exc())
        return report
    report.stage = "send"
    try:
        notice = build_notice(kind, digest, doc, attachments, schedule.recipients)
        problem = _recipients_problem(dispatcher, notice)
        if problem:
            report.error = problem
            return report
        results = dispatcher.send_now(notice, skip=done_channels)
    except Exception as exc:  # noqa: BLE001
        LOGGER.error("digest %s %s failed to send: %s", kind, period, exc)
        report.error = f"发送失败: {exc}"
        report.delivered = sorted(done_channels)
        return report
    report.results = [r.as_record() if hasattr(r, "as_record") else dict(r) for r in results]
    report.delivered = sorted(set(done_channels) | {r.channel for r in results if r.ok})
    failed = [r for r in results if not r.ok]
    if not results and not done_channels:
        report.error = "没有接收简报的通知渠道（config/notify.yaml 的 routes 中加入 kinds: [digest]）"
    elif failed:
        report.error = "发送失败: " + "；".join(f"{r.channel}: {r.error}" for r in failed)
        if report.delivered:
            report.error += f"（已送达: {'、'.join(report.delivered)}，重试时不再重复发送）"
    else:
        report.ok, report.stage = True, "done"
    return report


# --------------------------------------------------------------------------- state in the audit index
@dataclass
class ScheduleState:
    last_sent: dict[str, date] = field(default_factory=dict)
    attempts: dict[str, Attempts] = field(default_factory=dict)
    recorded_missed: set[str] = field(default_factory=set)
    delivered: dict[str, set[str]] = field(default_factory=dict)  # unfinished slot -> channels that have it
    unfinished: dict[str, int] = field(default_factory=dict)  # slot -> last claimed attempt with no outcome


def load_state(store, limit: int = 1000) -> ScheduleState:
    """What was sent and tried, from the most recent ``limit`` audit records (actions ``digest`` and
    ``digest-claim``), newest first, so a long history never hides the latest sends."""
    from yuqing.digest.model import parse_time

    result = store.search(
        "audit",
        {"terms": {"action": [AUDIT_ACTION, CLAIM_ACTION]}},
        size=limit,
        sort=[{"at": "desc"}, {"id": "desc"}],
    )
    state = ScheduleState()
    tried: dict[str, tuple[int, datetime]] = {}  # key -> (highest attempt number, latest attempt time)
    outcomes: dict[str, set[int]] = {}
    claims: dict[str, int] = {}
    sent: set[str] = set()
    for hit in result["hits"]["hits"]:
        src = hit["_source"]
        details = src.get("details") or {}
        kind, period = details.get("kind"), details.get("period")
        at = parse_time(src.get("at"))
        if kind not in KINDS or not period or at is None:
            continue
        day = date.fromisoformat(period)
        key = f"{kind}:{period}"
        attempt = int(details.get("attempt") or 1)
        if src.get("action") == CLAIM_ACTION:
            claims[key] = max(claims.get(key, 0), attempt)
        elif details.get("status") == "missed":
            state.recorded_missed.add(key)
            continue
        elif details.get("ok"):
            sent.add(key)
            if day > state.last_sent.get(kind, date.min):
                state.last_sent[kind] = day
            continue
        else:
            outcomes.setdefault(key, set()).add(attempt)
            channels = details.get("delivered")
            if channels is None:  # records written before ``delivered`` existed
                channels = [r.get("channel") for r in details.get("results") or [] if r.get("ok")]
            state.delivered.setdefault(key, set()).update(c for c in channels if c)
        count, last = tried.get(key, (0, at))
        tried[key] = (max(count, attempt), max(last, at))
    for key, (count, last) in tried.items():
        if key in sent:
            continue
        state.attempts[key] = Attempts(count, last)
        if key in claims and claims[key] not in outcomes.get(key, set()):
            state.unfinished[key] = claims[key]
    for key in sent:
        state.delivered.pop(key, None)
    return state


def _claimer() -> str:
    return f"{ACTOR}@{socket.gethostname()}:{os.getpid()}"


def claim(store, slot: Slot, attempt: int, now: datetime) -> bool:
    """Claim attempt ``attempt`` of ``slot`` for this process (create-only audit document).

    True when this process won it and is to send; False when another process already claimed it."""
    return store.create_doc(
        "audit",
        {
            "id": f"digest-claim-{slot.kind}-{slot.period.isoformat()}-{attempt}",
            "alert_id": None,
            "event_id": None,
            "action": CLAIM_ACTION,
            "actor": _claimer(),
            "at": now.isoformat(),
            "details": {"kind": slot.kind, "period": slot.period.isoformat(), "attempt": attempt},
        },
    )


def record(
    store, report: DeliveryReport, attempt: int, final: bool, status: str | None = None, *, once: bool = False
) -> dict:
    """Write one audit entry for a delivery attempt; returns it.

    ``once``: the entry's id is per slot and attempt and written create-only (several processes may
    record the same conclusion; the audit keeps one)."""
    at = report.at or clock.now().astimezone(SHANGHAI)
    status = status or ("sent" if report.ok else ("failed" if final else "retrying"))
    entry = {
        "id": f"digest-{report.kind}-{report.period.isoformat()}-{at.strftime('%Y%m%dT%H%M%S%f')}",
        "alert_id": None,
        "event_id": None,
        "action": AUDIT_ACTION,
        "actor": ACTOR,
        "at": at.isoformat(),
        "details": {
            "kind": report.kind,
            "period": report.period.isoformat(),
            "ok": report.ok,
            "status": status,
            "stage": report.stage,
            "error": report.error,
            "attempt": attempt,
            "files": report.files,
            "results": report.results,
            "delivered": report.delivered,
        },
    }
    if once:
        entry["id"] = f"digest-{report.kind}-{report.period.isoformat()}-{status}-{attempt}"
        store.create_doc("audit", entry)
        return entry
    written = store.index_docs("audit", [entry], refresh="wait_for")
    if written.failed:
        LOGGER.error("could not record digest delivery %s in the audit index: %s", report.key, written.failed)
    return entry


def run_pending(
    store, dispatcher, now: datetime | None = None, schedule: DigestSchedule | None = None
) -> list[DeliveryReport]:
    """Deliver every digest due at ``now``; record each attempt, each final failure and each missed slot.

    Each attempt is claimed first (:func:`claim`): of several processes running this at once, one
    sends; the others skip the slot. ``now`` defaults to the shared clock."""
    schedule = schedule or load_config()
    now = now or clock.now().astimezone(schedule.tz)
    state = load_state(store)
    reports = []
    for slot in missed(now, state.last_sent, schedule):
        if slot.key not in state.recorded_missed:
            LOGGER.error("digest %s was not sent in time and is too old to catch up", slot.key)
            record(
                store,
                DeliveryReport(
                    slot.kind,
                    slot.period,
                    False,
                    "schedule",
                    f"错过发送时间（{slot.scheduled_at:%Y-%m-%d %H:%M}），超出补发期限",
                    at=now,
                ),
                0,
                True,
                "missed",
                once=True,  # several processes may see it; the audit keeps one record
            )
    for key, attempt in state.unfinished.items():  # the last attempt's process died before recording it
        tried = state.attempts[key]
        if attempt >= schedule.attempts and now >= tried.last_at + schedule.interval:
            kind, period = key.split(":", 1)
            LOGGER.error("digest %s: attempt %d never finished and it was the last one", key, attempt)
            error = f"第 {attempt} 次发送未完成（发送进程中断）"
            interrupted = DeliveryReport(kind, date.fromisoformat(period), False, "send", error, at=now)
            interrupted.delivered = sorted(state.delivered.get(key, ()))
            record(store, interrupted, attempt, True, "failed", once=True)
    for slot in due(now, state.last_sent, schedule, state.attempts):
        attempt = (state.attempts[slot.key].count if slot.key in state.attempts else 0) + 1
        if not claim(store, slot, attempt, now):
            LOGGER.info("digest %s attempt %d is claimed by another process; skipped here", slot.key, attempt)
            continue
        report = deliver(
            store,
            dispatcher,
            slot.period,
            slot.kind,
            schedule=schedule,
            now=now,
            done_channels=state.delivered.get(slot.key, set()),
        )
        report.at = now
        final = not report.ok and attempt >= schedule.attempts
        if not report.ok:
            LOGGER.error(
                "digest %s attempt %d/%d failed: %s", slot.key, attempt, schedule.attempts, report.error
            )
        record(store, report, attempt, final)
        reports.append(report)
    return reports


__all__ = [
    "DigestSchedule",
    "KindSchedule",
    "Slot",
    "Attempts",
    "DeliveryReport",
    "ScheduleState",
    "load_config",
    "due",
    "missed",
    "deliver",
    "run_pending",
    "load_state",
    "claim",
    "record",
    "build_notice",
    "DEFAULT_PATH",
    "DEFAULT_SCHEDULE",
]
