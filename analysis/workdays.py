"""Official working days (工作日) for deadlines counted in working days, Asia/Shanghai.

Rules (domain.md; 民法典 Art. 201/203; 政府信息公开条例 Art. 33):
- The receipt day is not counted: ``add_workdays(d, n)`` is the n-th working day *after* ``d``.
- Only official working days count: 调休 make-up days (补班, e.g. Saturday 2026-02-14) count,
  statutory holidays and their rest days do not.
- A deadline falls due at the end of its last day. The default is 23:59:59 local time
  (民法典 Art. 203: the last day ends at 24:00); an office that wants "close of business"
  configures ``due_time`` (e.g. 17:30), which Art. 203 also allows ("有业务时间的，停止业务
  活动的时间为截止时间").

The official calendar comes from ``chinese_calendar.is_workday``, asked one day at a time in an
explicit loop (its ``find_workday`` is off by one when the start is a non-working day, and is not
used). The package knows a fixed span of years (2004–2026 in 1.11) and raises for others. An admin
override table forces single dates to workday or holiday and wins over the package (whose holiday
lengths can be stale). Years the package does not know are counted Monday–Friday plus overrides;
such dates are *estimated* (``is_known`` is False) unless the admin declares the year complete
(``complete_years``: every holiday and make-up day of that year is in the override table).
``status(today)`` says which of this year and next year are missing, with a warning text.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta, timezone, tzinfo
from functools import lru_cache
from typing import Iterable, Mapping

import chinese_calendar

from yuqing.errors import YuqingError

LOGGER = logging.getLogger(__name__)

try:
    from zoneinfo import ZoneInfo

    SHANGHAI: tzinfo = ZoneInfo("Asia/Shanghai")
except Exception:  # no tz database on this machine: China has used UTC+8 without DST since 1991
    SHANGHAI = timezone(timedelta(hours=8), "Asia/Shanghai")

END_OF_DAY = time(23, 59, 59)
# Years probed when finding what the package covers; wide enough for any release of it.
_PROBE_YEARS = range(1990, 2100)


class CalendarMissingError(YuqingError):
    """A date's year is not in the official calendar and the calendar is strict."""


def local_date(value: date | datetime, tz: tzinfo = SHANGHAI) -> date:
    """The calendar date of ``value`` in ``tz``; a datetime must be timezone-aware."""
    if isinstance(value, datetime):
        if value.tzinfo is None or value.utcoffset() is None:
            raise ValueError(f"时间必须带时区: {value.isoformat()}")
        return value.astimezone(tz).date()
    if isinstance(value, date):
        return value
    raise TypeError(f"应为日期或带时区的时间，实际是 {value!r}")


@lru_cache(maxsize=1)
def package_years() -> tuple[int, ...]:
    """Years for which ``chinese_calendar`` has official data (probed once)."""
    years = []
    for year in _PROBE_YEARS:
        try:
            chinese_calendar.is_workday(date(year, 6, 1))
        except NotImplementedError:
            continue
        years.append(year)
    return tuple(years)


@dataclass(frozen=True)
class CalendarOverride:
    """One admin decision: ``day`` is a working day (``workday=True``) or a day off."""

    day: date
    workday: bool
    note: str = ""


@dataclass(frozen=True)
class CalendarStatus:
    """Whether the official calendar covers this year and next year."""

    today: date
    covered_years: tuple[int, ...]
    missing_years: tuple[int, ...]
    level: str  # "ok" | "warning" (next year missing) | "error" (this year missing)
    message: str

    @property
    def ok(self) -> bool:
        return self.level == "ok"


def _span_text(years: Iterable[int]) -> str:
    """2004–2026 style text for a set of years, runs joined with 、."""
    runs: list[list[int]] = []
    for year in sorted(years):
        if runs and year == runs[-1][1] + 1:
            runs[-1][1] = year
        else:
            runs.append([year, year])
    return "、".join(str(a) if a == b else f"{a}–{b}" for a, b in runs) or "无"


class WorkCalendar:
    """Official working days with an admin override table; see the module docstring."""

    def __init__(
        self,
        overrides: Mapping[date, bool] | Iterable[CalendarOverride] = (),
        *,
        complete_years: Iterable[int] = (),
        strict: bool = False,
        due_time: time = END_OF_DAY,
        tz: tzinfo = SHANGHAI,
    ) -> None:
        if isinstance(overrides, Mapping):
            items = [CalendarOverride(day, bool(flag)) for day, flag in overrides.items()]
        else:
            items = list(overrides)
        self.overrides: dict[date, CalendarOverride] = {}
        for item in items:
            if isinstance(item.day, datetime) or not isinstance(item.day, date):
                raise ValueError(f"调整表中的日期无效: {item.day!r}")
            if item.day in self.overrides and self.overrides[item.day].workday != item.workday:
                raise ValueError(f"调整表中 {item.day} 同时被设为工作日和休息日")
            self.overrides[item.day] = item
        self.complete_years = frozenset(complete_years)
        self.strict = strict
        self.due_time = due_time
        self.tz = tz
        self._warned_years: set[int] = set()

    # --- single days -------------------------------------------------------------------
    def covered_years(self) -> tuple[int, ...]:
        """Years counted exactly: the package's years plus years the admin declared complete."""
        return tuple(sorted(set(package_years()) | self.complete_years))

    def is_known(self, day: date | datetime) -> bool:
        """True when ``day`` is counted from official data, not estimated Monday–Friday."""
        day = local_date(day, self.tz)
        return day in self.overrides or day.year in self.complete_years or day.year in package_years()

    def is_workday(self, day: date | datetime) -> bool:
        """Whether ``day`` is an official working day (override table first)."""
        day = local_date(day, self.tz)
        override = self.overrides.get(day)
        if override is not None:
            return override.workday
        if day.year in self.complete_years:  # the override table is authoritative for this year
            return day.weekday() < 5
        if day.year not in package_years():
            self._missing(day.year)
            return day.weekday() < 5
        return chinese_calendar.is_workday(day)

    def _missing(self, year: int) -> None:
        if self.strict:
            raise CalendarMissingError(
                f"{year}年官方节假日安排未收录，无法计算工作日",
                hint=f"升级 chinesecalendar，或在 config/clocks.yaml 的 calendar.overrides 录入 {year} 年"
                f"节假日与调休并把 {year} 加入 calendar.complete_years",
            )
        if year not in self._warned_years:
            self._warned_years.add(year)
            LOGGER.warning("%s年官方节假日安排未收录，该年工作日按周一至周五（加调整表）估算", year)

    # --- counting ----------------------------------------------------------------------
    def add_workdays(self, start: date | datetime, n: int) -> date:
        """The n-th working day after ``start`` (the receipt day itself is not counted)."""
        if n < 0:
            raise ValueError(f"工作日数不能为负: {n}")
        day = local_date(start, self.tz)
        while n > 0:
            day += timedelta(days=1)
            if self.is_workday(day):
                n -= 1
        return day

    def workdays_between(self, a: date | datetime, b: date | datetime) -> int:
        """Working days in (a, b]: ``workdays_between(d, add_workdays(d, n)) == n``; negative if b < a."""
        start, end = local_date(a, self.tz), local_date(b, self.tz)
        if end < start:
            return -self.workdays_between(end, start)
        count, day = 0, start
        while day < end:
            day += timedelta(days=1)
            count += self.is_workday(day)
        return count

    def span_is_known(self, a: date | datetime, b: date | datetime) -> bool:
        """True when every day in [a, b] is counted from official data."""
        start, end = sorted((local_date(a, self.tz), local_date(b, self.tz)))
        years = range(start.year, end.year + 1)
        if all(y in self.complete_years or y in package_years() for y in years):
            return True
        day = start
        while day <= end:
            if not self.is_known(day):
                return False
            day += timedelta(days=1)
        return True

    def end_of_day(self, day: date) -> datetime:
        """The moment a deadline on ``day`` falls due (``due_time`` local time)."""
        return datetime.combine(day, self.due_time, tzinfo=self.tz)

    def due_at(self, start: date | datetime, n: int) -> datetime:
        """When a deadline of n working days from ``start`` falls due."""
        return self.end_of_day(self.add_workdays(start, n))

    # --- status ------------------------------------------------------------------------
    def status(self, today: date | datetime) -> CalendarStatus:
        """Which of this year and next year the calendar lacks, with a warning text in Chinese."""
        today = local_date(today, self.tz)
        covered = self.covered_years()
        missing = tuple(y for y in (today.year, today.year + 1) if y not in covered)
        if not missing:
            return CalendarStatus(today, covered, (), "ok", f"官方节假日安排已收录: {_span_text(covered)} 年")
        level = "error" if today.year in missing else "warning"
        years = "、".join(str(y) for y in missing)
        message = (
            f"{years}年官方节假日安排尚未收录（已收录 {_span_text(covered)} 年），"
            f"涉及{years}年的工作日期限按周一至周五（加调整表）估算，可能偏早或偏晚。"
            f"请升级 chinesecalendar，或在 config/clocks.yaml 的 calendar.overrides 录入节假日与调休，"
            f"并把年份加入 calendar.complete_years。"
        )
        return CalendarStatus(today, covered, missing, level, message)

    def warn_if_missing(self, today: date | datetime) -> CalendarStatus:
        """Log the status warning (if any) and return the status; call at start-up and daily."""
        status = self.status(today)
        if not status.ok:
            LOGGER.warning("%s", status.message)
        return status


__all__ = [
    "SHANGHAI", "END_OF_DAY", "CalendarMissingError", "CalendarOverride", "CalendarStatus", "WorkCalendar",
    "local_date", "package_years",
]
