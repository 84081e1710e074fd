"""Response clocks: who must do what by when, their countdowns, and which reminders are due.

Rules (domain.md):
- Ⅰ/Ⅱ 突发事件 舆情: authoritative information within 5 h, press conference within 24 h
  (国办发〔2016〕80号/61号); every other 政务舆情 that needs a response: 48 h (61号).
  Calendar hours: holidays do not pause them.
- The clock starts at the earlier of the event time and the first detection (``clock_start``:
  earliest | event_time | detection; an unknown event time falls back to detection).
- Internal reporting deadlines are local practice (labelled so) and start when the alert reached a
  level they apply to (its first alert, or the rise that brought them in).
- Board posts and 依申请公开 count working days (``analysis.workdays``).

Everything lives in ``config/clocks.yaml`` (``load_policy``), validated with ``yuqing.config``.
All datetimes are timezone-aware; results are in the policy's timezone (Asia/Shanghai).

Reminders are idempotent: each reminder point has a stable key, ``due_reminders`` returns only
points not in ``already_sent``, and when several points of one deadline are pending (e.g. after a
restart) only the latest is sent while ``Reminder.covers`` lists every key to record as sent.
"""

from __future__ import annotations

import logging
import re
from dataclasses import dataclass, field, replace
from datetime import date, datetime, time, timedelta, timezone, tzinfo
from pathlib import Path
from typing import Any, Collection, Iterable, Mapping

from analysis.workdays import SHANGHAI, CalendarOverride, WorkCalendar
from yuqing.config import Field, LocatedDict, Where, read_yaml, validate
from yuqing.errors import YuqingError

LOGGER = logging.getLogger(__name__)

PROJECT_ROOT = Path(__file__).resolve().parents[1]
DEFAULT_PATH = PROJECT_ROOT / "config" / "clocks.yaml"

CLOCK_STARTS = ("earliest", "event_time", "detection")
HOUR_CLOCKS = ("authoritative_info", "press_conference", "response")
INCIDENT_CLOCKS = ("authoritative_info", "press_conference")
PRACTICE_NOTE = "本地实践"

_DURATION = re.compile(r"^(?:(\d+)d)?(?:(\d+)h)?(?:(\d+)m(?:in)?)?$")
_CLOCK_TIME = re.compile(r"^([01]?\d|2[0-3]):([0-5]\d)(?::([0-5]\d))?$")
_HEX = re.compile(r"^#[0-9a-fA-F]{6}$")
_KIND = re.compile(r"^[a-z][a-z0-9_]*$")


class ClockInputError(YuqingError, ValueError):
    """A caller asked for an unknown level or channel, or gave a naive datetime."""


MAX_DURATION_MINUTES = 3660 * 24 * 60  # ten years: a longer deadline or reminder is a typo (and overflows dates)


# --- small parsers used both by the schema checks and by the loader ---------------------------------
def parse_duration(text: str) -> timedelta:
    """'1h', '30m', '90min', '1h30m', '2d' -> timedelta; ValueError otherwise."""
    match = _DURATION.match(text.strip()) if isinstance(text, str) else None
    if not match or not any(match.groups()):
        raise ValueError(f"时长格式无效: {text!r}（示例: 1h、30m、1h30m、2d）")
    days, hours, minutes = (int(g or 0) for g in match.groups())
    if (days * 24 + hours) * 60 + minutes > MAX_DURATION_MINUTES:
        raise ValueError(f"时长过长: {text[:40]!r}（最长 3660 天）")
    return timedelta(days=days, hours=hours, minutes=minutes)


def parse_clock_time(text: str) -> time:
    """'09:00' or '23:59:59' -> time; ValueError otherwise."""
    match = _CLOCK_TIME.match(text.strip()) if isinstance(text, str) else None
    if not match:
        raise ValueError(f"时刻格式无效: {text!r}（示例: 09:00、17:30、23:59:59）")
    return time(int(match.group(1)), int(match.group(2)), int(match.group(3) or 0))


def _checker(parser) -> Any:
    def check(value: Any) -> str | None:
        try:
            parser(value)
        except ValueError as exc:
            return str(exc)
        return None

    return check


def _check_durations(values: list) -> str | None:
    for value in values:
        problem = _checker(parse_duration)(value)
        if problem:
            return problem
    return None


def _check_positive(value: float) -> str | None:
    return None if value > 0 else f"应为正数，实际是 {value!r}"


def _check_non_negative(value: int) -> str | None:
    return None if value >= 0 else f"不能为负: {value!r}"


def _check_non_negative_ints(values: list) -> str | None:
    bad = [v for v in values if v < 0]
    return f"工作日数不能为负: {bad[0]}" if bad else None


def _check_kind(value: str) -> str | None:
    return None if _KIND.match(value) else f"类型标识应为小写英文加下划线，实际是 {value!r}"


def _check_date(value: Any) -> str | None:
    if isinstance(value, datetime):
        return f"应为日期（YYYY-MM-DD），不要带时刻: {value!r}"
    if isinstance(value, date):
        return None
    try:
        date.fromisoformat(str(value))
    except ValueError:
        return f"日期格式无效: {value!r}（示例: 2027-01-01）"
    return None


def _defaults(schema: Mapping[str, Field]) -> dict:
    """A section's defaults, for when the whole section is left out."""
    return validate({}, schema, Where("", 0))


# --- schema ----------------------------------------------------------------------------------------
LEVEL_SCHEMA = {
    "key": Field(str, required=True, help="级别标识，如 I"),
    "name": Field(str, required=True, help="级别名称，如 特别重大"),
    "colour": Field(str, required=True, help="显示颜色，如 红"),
    "hex": Field(str, default="#999999", check=lambda v: None if _HEX.match(v) else f"颜色应为 #RRGGBB: {v!r}"),
    "aliases": Field(list, default=[], item=(str, int), help="其他写法，如 Ⅰ、一级"),
    "incident_clocks": Field(bool, default=False, help="突发事件舆情适用 5 小时/24 小时时限"),
}
HOUR_CLOCK_SCHEMA = {
    "label": Field(str, required=True),
    "hours": Field(float, required=True, check=_check_positive),
    "basis": Field(str, default=""),
}
INTERNAL_SCHEMA = {
    "kind": Field(str, required=True, check=_check_kind),
    "label": Field(str, required=True),
    "hours": Field(float, check=_check_positive),
    "working_days": Field(int, check=_check_positive),
    "levels": Field(list, required=True, item=(str, int)),
    "basis": Field(str, default=f"{PRACTICE_NOTE}，可配置"),
}
REMINDER_SCHEMA = {
    "before": Field(list, default=["1h"], item=str, check=_check_durations),
    "before_working_days": Field(list, default=[1], item=int, check=_check_non_negative_ints),
    "reminder_time": Field(str, default="09:00", check=_checker(parse_clock_time)),
    "at_overdue": Field(bool, default=True),
    "overdue_every": Field(str, check=_checker(parse_duration)),
}
LIMIT_SCHEMA = {
    "kind": Field(str, required=True, check=_check_kind),
    "label": Field(str, required=True),
    "working_days": Field(int, required=True, check=_check_positive),
    "basis": Field(str, default=f"{PRACTICE_NOTE}，可配置"),
    "practice": Field(bool, default=True, help="true: 本地实践；false: 法定时限"),
}
BOARD_SCHEMA = {
    "channel": Field(str, required=True, help="渠道标识；纯数字请加引号"),
    "name": Field(str, required=True),
    "limits": Field(list, required=True, item=LIMIT_SCHEMA),
}
DISCLOSURE_SCHEMA = {
    "label": Field(str, default="答复政府信息公开申请"),
    "working_days": Field(int, default=20, check=_check_positive),
    "extension_working_days": Field(int, default=20, check=_check_non_negative),
    "basis": Field(str, default="政府信息公开条例 第三十三条"),
}
OVERRIDE_SCHEMA = {
    "date": Field((date, str), required=True, check=_check_date),
    "workday": Field(bool, required=True, help="true 为工作日，false 为休息日"),
    "note": Field(str, default=""),
}
CALENDAR_SCHEMA = {
    "due_time": Field(str, default="23:59:59", check=_checker(parse_clock_time)),
    "strict": Field(bool, default=False),
    "overrides": Field(list, default=[], item=OVERRIDE_SCHEMA),
    "complete_years": Field(list, default=[], item=int),
}
SCHEMA = {
    "clock_start": Field(str, default="earliest", choices=CLOCK_STARTS),
    "level_basis": Field(str, default="本地实践，非法定（舆情分级无国家标准）"),
    "levels": Field(list, required=True, item=LEVEL_SCHEMA),
    "clocks": Field(dict, required=True, schema={k: Field(dict, required=True, schema=HOUR_CLOCK_SCHEMA)
                                                 for k in HOUR_CLOCKS}),
    "internal_reporting": Field(list, default=[], item=INTERNAL_SCHEMA),
    "reminders": Field(dict, default=lambda: _defaults(REMINDER_SCHEMA), schema=REMINDER_SCHEMA),
    "boards": Field(list, default=[], item=BOARD_SCHEMA),
    "disclosure": Field(dict, default=lambda: _defaults(DISCLOSURE_SCHEMA), schema=DISCLOSURE_SCHEMA),
    "calendar": Field(dict, default=lambda: _defaults(CALENDAR_SCHEMA), schema=CALENDAR_SCHEMA),
}


# --- policy ----------------------------------------------------------------------------------------
@dataclass(frozen=True)
class Level:
    """One 舆情 level (practice, not law) and how it is shown."""

    key: str
    name: str
    colour: str
    hex: str
    rank: int  # 1 = most severe
    aliases: tuple[str, ...] = ()
    incident_clocks: bool = False

    @property
    def label(self) -> str:
        return f"{self.name}（{self.colour}）"


@dataclass(frozen=True)
class HourRule:
    """A limit in calendar hours."""

    kind: str
    label: str
    hours: float
    basis: str


@dataclass(frozen=True)
class InternalRule:
    """An internal reporting deadline (local practice), in hours or working days from when the alert
    reached a level it applies to (see ``internal_start``)."""

    kind: str
    label: str
    hours: float | None
    working_days: int | None
    levels: frozenset[str]
    basis: str


@dataclass(frozen=True)
class WorkdayRule:
    """A limit in working days."""

    kind: str
    label: str
    working_days: int
    basis: str
    practice: bool = True


@dataclass(frozen=True)
class BoardChannel:
    """A message board or hotline and its reply limits."""

    channel: str
    name: str
    limits: tuple[WorkdayRule, ...]


@dataclass(frozen=True)
class ReminderRule:
    """When reminders fire relative to a due time."""

    before: tuple[timedelta, ...] = (timedelta(hours=1),)
    before_working_days: tuple[int, ...] = (1,)
    reminder_time: time = time(9, 0)
    at_overdue: bool = True
    overdue_every: timedelta | None = None


@dataclass(frozen=True)
class DisclosureRule:
    """依申请公开: answer within ``working_days``, extension at most ``extension_working_days`` more."""

    label: str
    working_days: int
    extension_working_days: int
    basis: str


@dataclass(frozen=True)
class ClockPolicy:
    """Everything in config/clocks.yaml, typed."""

    levels: tuple[Level, ...]
    clocks: Mapping[str, HourRule]
    clock_start: str = "earliest"
    level_basis: str = "本地实践，非法定（舆情分级无国家标准）"
    internal: tuple[InternalRule, ...] = ()
    reminders: ReminderRule = field(default_factory=ReminderRule)
    boards: Mapping[str, BoardChannel] = field(default_factory=dict)
    disclosure: DisclosureRule = DisclosureRule("答复政府信息公开申请", 20, 20, "政府信息公开条例 第三十三条")
    calendar: WorkCalendar = field(default_factory=WorkCalendar)
    tz: tzinfo = SHANGHAI
    source: str = ""

    def level(self, key: str | int | Level) -> Level:
        """Resolve a level by key, name or alias (I, Ⅰ, 1, 一级, 特别重大, 红)."""
        if isinstance(key, Level):
            return key
        wanted = str(key).strip()
        for level in self.levels:
            if wanted == level.key or wanted == level.name or wanted in level.aliases:
                return level
        known = "、".join(f"{lv.key}({lv.name})" for lv in self.levels)
        raise ClockInputError(f"未知的舆情级别 {key!r}（可用: {known}）")

    def find_board(self, channel: str | int) -> BoardChannel | None:
        """The board channel whose key or display name is ``channel``, if configured."""
        wanted = str(channel)
        found = self.boards.get(wanted)
        if found is not None:
            return found
        return next((board for board in self.boards.values() if board.name == wanted), None)

    def channel_name(self, channel: str | int | None) -> str:
        """What users call a channel: the configured display name of a channel key, else the value as is."""
        if channel is None or channel == "":
            return ""
        found = self.find_board(channel)
        return found.name if found is not None else str(channel)

    def board(self, channel: str | int) -> BoardChannel:
        """The board channel configured under ``channel``."""
        found = self.boards.get(str(channel))
        if found is None:
            raise ClockInputError(f"未配置的留言渠道 {channel!r}（可用: {'、'.join(self.boards) or '无'}）")
        return found


def _line_of(raw: Any, *path: str | int) -> int:
    """Line of a nested key/index in the raw located YAML; the deepest line found."""
    line = getattr(raw, "line", 1) or 1
    node = raw
    for part in path:
        if isinstance(node, LocatedDict) and part in node:
            line = node.line_of(part)
            node = node[part]
        elif isinstance(node, list) and isinstance(part, int) and part < len(node):
            line = node.line_of(part) if hasattr(node, "line_of") else line
            node = node[part]
        else:
            break
    return line


def load_policy(path: str | Path = DEFAULT_PATH, text: str | None = None) -> ClockPolicy:
    """Read and validate config/clocks.yaml; raises ConfigError naming file:line."""
    name = str(path)
    raw = read_yaml(path, text)
    if raw is None:
        raw = LocatedDict()
        raw.line, raw.key_lines = 1, {}
    cfg = validate(raw, SCHEMA, Where(name, getattr(raw, "line", 1) or 1))

    def error_at(message: str, *where: str | int) -> Exception:
        dotted = ""
        for part in where:
            dotted += f"[{part}]" if isinstance(part, int) else (f".{part}" if dotted else part)
        return Where(name, _line_of(raw, *where), dotted).error(message)

    # levels: unique keys and aliases
    if not cfg["levels"]:
        raise error_at("至少需要一个级别", "levels")
    levels: list[Level] = []
    seen: dict[str, str] = {}  # every way of writing a level -> its key
    for index, item in enumerate(cfg["levels"]):
        aliases = tuple(str(a) for a in item["aliases"])
        for spelling in {item["key"], item["name"], *aliases}:
            if spelling in seen:
                raise error_at(f"级别写法 '{spelling}' 与级别 {seen[spelling]} 重复", "levels", index)
            seen[spelling] = item["key"]
        levels.append(Level(item["key"], item["name"], item["colour"], item["hex"], index + 1, aliases,
                            item["incident_clocks"]))
    level_keys = {lv.key for lv in levels}

    clocks = {k: HourRule(k, v["label"], float(v["hours"]), v["basis"]) for k, v in cfg["clocks"].items()}

    internal: list[InternalRule] = []
    for index, item in enumerate(cfg["internal_reporting"]):
        if (item["hours"] is None) == (item["working_days"] is None):
            raise error_at("hours 与 working_days 须且只能给一个", "internal_reporting", index)
        resolved = set()
        for pos, lv in enumerate(item["levels"]):
            if str(lv) not in seen:
                raise error_at(f"未知的级别 '{lv}'（可用: {'、'.join(sorted(level_keys))}）",
                               "internal_reporting", index, "levels", pos)
            resolved.add(seen[str(lv)])
        internal.append(InternalRule(item["kind"], item["label"], item["hours"], item["working_days"],
                                     frozenset(resolved), item["basis"]))

    rem = cfg["reminders"]
    reminders = ReminderRule(
        before=tuple(sorted((parse_duration(v) for v in rem["before"]), reverse=True)),
        before_working_days=tuple(sorted(set(rem["before_working_days"]), reverse=True)),
        reminder_time=parse_clock_time(rem["reminder_time"]),
        at_overdue=rem["at_overdue"],
        overdue_every=parse_duration(rem["overdue_every"]) if rem["overdue_every"] else None,
    )
    if reminders.overdue_every is not None and reminders.overdue_every < timedelta(hours=1):
        raise error_at("overdue_every 不得短于 1h（避免提醒风暴）", "reminders", "overdue_every")

    boards: dict[str, BoardChannel] = {}
    for index, item in enumerate(cfg["boards"]):
        if item["channel"] in boards:
            raise error_at(f"渠道 '{item['channel']}' 重复", "boards", index, "channel")
        kinds = [lim["kind"] for lim in item["limits"]]
        if not kinds:
            raise error_at("至少需要一个时限", "boards", index, "limits")
        if len(set(kinds)) != len(kinds):
            raise error_at("同一渠道的时限类型重复", "boards", index, "limits")
        limits = tuple(WorkdayRule(lim["kind"], lim["label"], lim["working_days"], lim["basis"], lim["practice"])
                       for lim in item["limits"])
        boards[item["channel"]] = BoardChannel(item["channel"], item["name"], limits)

    disc = cfg["disclosure"]
    disclosure = DisclosureRule(disc["label"], disc["working_days"], disc["extension_working_days"],
                                disc["basis"])

    cal = cfg["calendar"]
    overrides: list[CalendarOverride] = []
    days: dict[date, int] = {}
    for index, item in enumerate(cal["overrides"]):
        day = item["date"] if isinstance(item["date"], date) else date.fromisoformat(str(item["date"]))
        if day in days:
            raise error_at(f"日期 {day} 重复（另见第 {days[day]} 项）", "calendar", "overrides", index)
        days[day] = index
        overrides.append(CalendarOverride(day, item["workday"], item["note"]))
    calendar = WorkCalendar(overrides, complete_years=cal["complete_years"], strict=cal["strict"],
                            due_time=parse_clock_time(cal["due_time"]), tz=SHANGHAI)

    return ClockPolicy(
        levels=tuple(levels), clocks=clocks, clock_start=cfg["clock_start"], level_basis=cfg["level_basis"],
        internal=tuple(internal), reminders=reminders, boards=boards, disclosure=disclosure,
        calendar=calendar, tz=SHANGHAI, source=name,
    )


# --- deadlines -------------------------------------------------------------------------------------
@dataclass(frozen=True)
class ReminderPoint:
    """One moment a deadline's reminder fires; ``name`` is stable ('before:1h', 'overdue')."""

    name: str
    fire_at: datetime


@dataclass(frozen=True)
class Deadline:
    """Something that must be done by ``due_at``; ``hours`` or ``working_days`` says how it was set."""

    kind: str
    label: str
    starts_at: datetime
    due_at: datetime
    hours: float | None = None
    working_days: int | None = None
    basis: str = ""
    practice: bool = False  # local practice, not law
    estimated: bool = False  # counted over a year the official calendar lacks
    subject: str = ""  # the item, event or post this deadline belongs to
    level: str | None = None
    reminder_points: tuple[ReminderPoint, ...] = ()
    overdue_every: timedelta | None = None

    @property
    def key(self) -> str:
        """Stable identity: subject, kind and due time (a moved due time is a new deadline)."""
        return f"{self.subject}|{self.kind}|{self.due_at.astimezone(timezone.utc):%Y%m%dT%H%M%SZ}"

    @property
    def limit_text(self) -> str:
        if self.working_days is not None:
            return f"{self.working_days}个工作日"
        hours = self.hours or 0
        return f"{int(hours) if float(hours).is_integer() else hours}小时"


def _aware(value: datetime, what: str, tz: tzinfo) -> datetime:
    if not isinstance(value, datetime):
        raise ClockInputError(f"{what} 应为带时区的时间，实际是 {value!r}")
    if value.tzinfo is None or value.utcoffset() is None:
        raise ClockInputError(f"{what} 必须带时区: {value.isoformat()}")
    return value.astimezone(tz)


def clock_start(event_time: datetime | None, detected_at: datetime, rule: str = "earliest",
                tz: tzinfo = SHANGHAI) -> datetime:
    """When the response clock starts under ``rule``; an unknown event time falls back to detection."""
    detected = _aware(detected_at, "detected_at", tz)
    event = _aware(event_time, "event_time", tz) if event_time is not None else None
    if rule not in CLOCK_STARTS:
        raise ClockInputError(f"未知的起算规则 {rule!r}（可选: {'、'.join(CLOCK_STARTS)}）")
    if event is None or rule == "detection":
        return detected
    if rule == "event_time":
        return event
    return min(event, detected)


def _hour_points(start: datetime, due: datetime, rules: ReminderRule) -> tuple[ReminderPoint, ...]:
    """'before:1h' points (dropped when they would fire before the clock starts) and 'overdue'."""
    points = [ReminderPoint(f"before:{_offset_name(offset)}", due - offset)
              for offset in rules.before if due - offset > start]
    if rules.at_overdue:
        points.append(ReminderPoint("overdue", due))
    return tuple(points)


def _workday_points(start: datetime, due: datetime, calendar: WorkCalendar, rules: ReminderRule,
                    tz: tzinfo) -> tuple[ReminderPoint, ...]:
    """'before:Nwd' points at reminder_time N working days before the due day, and 'overdue'."""
    points = []
    due_day = due.astimezone(tz).date()
    for n in rules.before_working_days:
        day, left = due_day, n
        while left > 0:
            day -= timedelta(days=1)
            if calendar.is_workday(day):
                left -= 1
        fire = datetime.combine(day, rules.reminder_time, tzinfo=tz)
        if start < fire < due:
            points.append(ReminderPoint(f"before:{n}wd", fire))
    if rules.at_overdue:
        points.append(ReminderPoint("overdue", due))
    return tuple(points)


def _offset_name(offset: timedelta) -> str:
    minutes = int(offset.total_seconds() // 60)
    days, rest = divmod(minutes, 24 * 60)
    hours, mins = divmod(rest, 60)
    return "".join(f"{v}{u}" for v, u in ((days, "d"), (hours, "h"), (mins, "m")) if v) or "0m"


def hour_deadline(rule: HourRule | InternalRule, start: datetime, policy: ClockPolicy, *, subject: str = "",
                  level: str | None = None, practice: bool = False) -> Deadline:
    """A deadline ``rule.hours`` calendar hours after ``start`` (nights and holidays included)."""
    start = _aware(start, "start", policy.tz)
    hours = float(rule.hours or 0)
    due = (start.astimezone(timezone.utc) + timedelta(hours=hours)).astimezone(policy.tz)
    return Deadline(rule.kind, rule.label, start, due, hours=hours, basis=rule.basis, practice=practice,
                    subject=subject, level=level, reminder_points=_hour_points(start, due, policy.reminders),
                    overdue_every=policy.reminders.overdue_every)


def workday_deadline(kind: str, label: str, start: datetime, working_days: int, policy: ClockPolicy,
                     calendar: WorkCalendar | None = None, *, basis: str = "", subject: str = "",
                     level: str | None = None, practice: bool = False) -> Deadline:
    """A deadline ``working_days`` official working days after ``start`` (the start day not counted)."""
    calendar = calendar or policy.calendar
    start = _aware(start, "start", policy.tz)
    due_day = calendar.add_workdays(start, working_days)
    due = calendar.end_of_day(due_day).astimezone(policy.tz)
    estimated = not calendar.span_is_known(start, due_day)
    return Deadline(kind, label, start, due, working_days=working_days, basis=basis, practice=practice,
                    estimated=estimated, subject=subject, level=level,
                    reminder_points=_workday_points(start, due, calendar, policy.reminders, policy.tz),
                    overdue_every=policy.reminders.overdue_every)


def internal_start(rule: InternalRule, level_times: Mapping[str | int, datetime], policy: ClockPolicy,
                   fallback: datetime) -> datetime:
    """When ``rule`` starts for an item that reached the levels in ``level_times`` at those times.

    The earliest time the item was at any level the rule applies to: the first alert for the level it
    was raised at, the rise for a rule that a rise brought in. ``fallback`` when none applies.
    """
    times = [_aware(moment, f"level_times[{key!r}]", policy.tz) for key, moment in level_times.items()
             if moment is not None and policy.level(key).key in rule.levels]
    return min(times) if times else _aware(fallback, "fallback", policy.tz)


def response_clocks(level: str | int | Level, event_time: datetime | None, detected_at: datetime,
                    policy: ClockPolicy, *, incident: bool = True, subject: str = "",
                    include_internal: bool = True, calendar: WorkCalendar | None = None,
                    level_times: Mapping[str | int, datetime] | None = None) -> list[Deadline]:
    """The deadlines for one 舆情 that needs a response, earliest due first.

    Levels with ``incident_clocks`` (Ⅰ/Ⅱ) get the 5 h authoritative-information and 24 h press-
    conference clocks when the item is a 突发事件 (``incident=True``); every other case gets the
    48 h response clock, all from ``clock_start`` (policy.clock_start). Internal reporting deadlines
    for the level are added (local practice) unless ``include_internal`` is False. They count from
    when the alert reached a level they apply to: ``level_times`` maps each level the alert has been
    at to when it got there (first alert, rises); without it they count from detection.
    """
    lv = policy.level(level)
    start = clock_start(event_time, detected_at, policy.clock_start, policy.tz)
    kinds = INCIDENT_CLOCKS if (lv.incident_clocks and incident) else ("response",)
    deadlines = [hour_deadline(policy.clocks[k], start, policy, subject=subject, level=lv.key) for k in kinds]
    if include_internal:
        detected_at = _aware(detected_at, "detected_at", policy.tz)
        for rule in policy.internal:
            if lv.key not in rule.levels:
                continue
            detected = internal_start(rule, level_times, policy, detected_at) if level_times else detected_at
            if rule.hours is not None:
                deadlines.append(hour_deadline(rule, detected, policy, subject=subject, level=lv.key,
                                               practice=True))
            else:
                deadlines.append(workday_deadline(
                    rule.kind, rule.label, detected, int(rule.working_days or 0), policy, calendar,
                    basis=rule.basis, subject=subject, level=lv.key, practice=True))
    return sorted(deadlines, key=lambda d: d.due_at)


def board_deadlines(posted_at: datetime, channel: str | int, policy: ClockPolicy,
                    calendar: WorkCalendar | None = None, *, subject: str = "") -> list[Deadline]:
    """Every configured limit of a board post (12315: accept within 7, 举报核查 within 15)."""
    board = policy.board(channel)
    return [workday_deadline(rule.kind, rule.label, posted_at, rule.working_days, policy, calendar,
                             basis=rule.basis, subject=subject, practice=rule.practice)
            for rule in board.limits]


def board_reply_deadline(posted_at: datetime, channel: str | int, policy: ClockPolicy,
                         calendar: WorkCalendar | None = None, *, kind: str | None = None,
                         subject: str = "") -> Deadline:
    """The reply deadline of a board post: the channel's first limit, or the limit named ``kind``."""
    deadlines = board_deadlines(posted_at, channel, policy, calendar, subject=subject)
    if kind is None:
        return deadlines[0]
    for deadline in deadlines:
        if deadline.kind == kind:
            return deadline
    raise ClockInputError(f"渠道 {channel!r} 没有时限类型 {kind!r}（可用: {'、'.join(d.kind for d in deadlines)}）")


DEFAULT_BOARD_WORKING_DAYS = 5  # local practice for a board channel clocks.yaml does not configure


def post_reply_deadlines(posted_at: datetime, channel: str | int, policy: ClockPolicy,
                         calendar: WorkCalendar | None = None, *, due_at: datetime | None = None,
                         subject: str = "") -> list[Deadline]:
    """The limits of one crawled board post, the reply limit first.

    ``channel`` may be a configured key or display name; an unconfigured channel gets the practice
    default of DEFAULT_BOARD_WORKING_DAYS. ``due_at``, when the channel itself published a due time
    for the post, replaces the computed reply due time (its reminders are recomputed for it).
    """
    board = policy.find_board(channel)
    if board is not None:
        deadlines = board_deadlines(posted_at, board.channel, policy, calendar, subject=subject)
    else:
        deadlines = [workday_deadline("board_reply", "答复留言", posted_at, DEFAULT_BOARD_WORKING_DAYS, policy,
                                      calendar, basis=f"未配置渠道，按默认 {DEFAULT_BOARD_WORKING_DAYS} 个工作日",
                                      subject=subject, practice=True)]
    if due_at is not None:
        first = deadlines[0]
        due = _aware(due_at, "due_at", policy.tz)
        points = _workday_points(first.starts_at, due, calendar or policy.calendar, policy.reminders, policy.tz)
        deadlines[0] = replace(first, due_at=due, basis="渠道记录的办理时限", reminder_points=points)
    return deadlines


def disclosure_deadline(received_at: datetime, policy: ClockPolicy, calendar: WorkCalendar | None = None, *,
                        extended: bool = False, paused_working_days: int = 0, subject: str = "") -> Deadline:
    """依申请公开 answer deadline: 20 working days (+20 if extended), plus excluded consultation days.

    A correction (补正) restarts the clock: pass the date the corrected application was received.
    ``paused_working_days`` adds working days excluded from the count (third-party consultation).
    """
    rule = policy.disclosure
    if paused_working_days < 0:
        raise ClockInputError(f"暂停的工作日数不能为负: {paused_working_days}")
    days = rule.working_days + (rule.extension_working_days if extended else 0) + paused_working_days
    label = rule.label + ("（已延期）" if extended else "")
    return workday_deadline("disclosure_reply", label, received_at, days, policy, calendar, basis=rule.basis,
                            subject=subject)


# --- status and reminders --------------------------------------------------------------------------
@dataclass(frozen=True)
class ClockStatus:
    """Where a deadline stands at ``now``: remaining | overdue | met | met_late."""

    state: str
    remaining: timedelta  # due_at - now (negative when overdue); for met*, due_at - responded_at
    text: str

    @property
    def done(self) -> bool:
        return self.state in ("met", "met_late")


def format_duration(delta: timedelta) -> str:
    """'2天3小时', '3小时12分', '45分钟', '不足1分钟' (absolute value, truncated to minutes)."""
    minutes = int(abs(delta).total_seconds() // 60)
    days, rest = divmod(minutes, 24 * 60)
    hours, mins = divmod(rest, 60)
    if days:
        return f"{days}天{hours}小时" if hours else f"{days}天"
    if hours:
        return f"{hours}小时{mins}分" if mins else f"{hours}小时"
    return f"{mins}分钟" if mins else "不足1分钟"


def _due_text(due: datetime) -> str:
    return f"{due.month}月{due.day}日 {due:%H:%M}"


def clock_status(deadline: Deadline, now: datetime, responded_at: datetime | None = None) -> ClockStatus:
    """The countdown of ``deadline`` at ``now``; a response after ``now`` is not counted yet."""
    tz = deadline.due_at.tzinfo or SHANGHAI
    now = _aware(now, "now", tz)
    due = deadline.due_at
    note = "（按估算日历）" if deadline.estimated else ""
    if responded_at is not None:
        responded = _aware(responded_at, "responded_at", tz)
        if responded <= now:
            margin = due - responded
            if margin >= timedelta(0):
                return ClockStatus("met", margin, f"{deadline.label}已按时完成（提前{format_duration(margin)}）")
            return ClockStatus("met_late", margin, f"{deadline.label}逾期完成（超时{format_duration(margin)}）")
    remaining = due - now
    if remaining >= timedelta(0):
        return ClockStatus("remaining", remaining,
                           f"{deadline.label}剩余{format_duration(remaining)}（{_due_text(due)}截止）{note}")
    return ClockStatus("overdue", remaining,
                       f"{deadline.label}已超时{format_duration(remaining)}（{_due_text(due)}截止）{note}")


@dataclass(frozen=True)
class Reminder:
    """A reminder to send now; record every key in ``covers`` as sent."""

    key: str
    deadline: Deadline
    point: ReminderPoint
    text: str
    covers: tuple[str, ...]


def _fired_points(deadline: Deadline, now: datetime) -> list[ReminderPoint]:
    points = [p for p in deadline.reminder_points if p.fire_at <= now]
    every = deadline.overdue_every
    if every and now > deadline.due_at and any(p.name == "overdue" for p in deadline.reminder_points):
        repeats = int((now - deadline.due_at) / every)
        points.extend(ReminderPoint(f"overdue#{i}", deadline.due_at + i * every)
                      for i in range(1, repeats + 1))
    return sorted(points, key=lambda p: p.fire_at)


def due_reminders(deadlines: Iterable[Deadline], now: datetime, already_sent: Collection[str],
                  responded: Mapping[str, datetime] | None = None) -> list[Reminder]:
    """Reminders to send at ``now``: per deadline the latest fired point not yet sent, if any.

    Pure and idempotent: pass back every key of ``Reminder.covers`` in ``already_sent`` and a
    second call (e.g. after a restart) returns nothing new. Earlier points that were never sent
    are covered by the latest one instead of being sent late. Deadlines whose key is in
    ``responded`` with a response at or before ``now`` get no reminders.
    """
    responded = responded or {}
    result = []
    for deadline in deadlines:
        answered = responded.get(deadline.key)
        if answered is not None and _aware(answered, "responded", deadline.due_at.tzinfo or SHANGHAI) <= now:
            continue
        fired = _fired_points(deadline, _aware(now, "now", deadline.due_at.tzinfo or SHANGHAI))
        if not fired:
            continue
        latest = fired[-1]
        latest_key = f"{deadline.key}|{latest.name}"
        if latest_key in already_sent:
            continue
        covers = tuple(k for k in (f"{deadline.key}|{p.name}" for p in fired) if k not in already_sent)
        status = clock_status(deadline, now)
        prefix = "【超时】" if status.state == "overdue" else "【提醒】"
        result.append(Reminder(latest_key, deadline, latest, prefix + status.text, covers))
    return sorted(result, key=lambda r: r.point.fire_at)


__all__ = [
    "DEFAULT_PATH", "ClockInputError", "ClockPolicy", "ClockStatus", "Deadline", "Level", "Reminder",
    "ReminderPoint", "ReminderRule", "HourRule", "InternalRule", "WorkdayRule", "BoardChannel",
    "DisclosureRule",
    "load_policy", "clock_start", "response_clocks", "internal_start", "board_deadlines", "board_reply_deadline",
    "post_reply_deadlines", "DEFAULT_BOARD_WORKING_DAYS",
    "disclosure_deadline", "hour_deadline", "workday_deadline", "clock_status", "due_reminders",
    "format_duration", "parse_duration", "parse_clock_time",
]
