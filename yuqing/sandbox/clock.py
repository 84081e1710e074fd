"""Simulated time for the sandbox web: a start instant plus a speed factor, or set by hand."""

from __future__ import annotations

import re
import threading
import time
from datetime import datetime, timedelta, timezone

CST = timezone(timedelta(hours=8), "CST")
OFFSET_RE = re.compile(r"^([+-])?\s*(?:(\d+)d)?\s*(?:(\d+)h)?\s*(?:(\d+)m)?\s*(?:(\d+)s)?$")


def parse_instant(text: str) -> datetime:
    """ISO 8601 to an aware datetime; a naive value is taken as Beijing time (+08:00)."""
    try:
        value = datetime.fromisoformat(text.strip())
    except ValueError:
        raise ValueError(f"不是 ISO 8601 时间: {text!r}（例: 2024-03-12T08:00:00+08:00）") from None
    return value.replace(tzinfo=CST) if value.tzinfo is None else value.astimezone(CST)


def parse_offset(text: str | int | float) -> timedelta:
    """'1d2h30m', '-6h', '+45m', '90s' or a number of seconds to a timedelta."""
    if isinstance(text, (int, float)) and not isinstance(text, bool):
        return timedelta(seconds=text)
    match = OFFSET_RE.match(str(text).strip())
    if not match or not any(match.group(i) for i in range(2, 6)):
        raise ValueError(f"不是时间偏移: {text!r}（例: 1d2h30m、-6h、45m）")
    sign, days, hours, minutes, seconds = match.groups()
    delta = timedelta(days=int(days or 0), hours=int(hours or 0), minutes=int(minutes or 0),
                      seconds=int(seconds or 0))
    return -delta if sign == "-" else delta


class SandboxClock:
    """Simulated now = start + speed × real time elapsed; speed 0 means the clock moves only by hand.

    Thread-safe: the HTTP control endpoint and tests may set or advance it while handlers read it.
    """

    def __init__(self, start: datetime, speed: float = 1.0, *, monotonic=time.monotonic) -> None:
        if speed < 0:
            raise ValueError("speed 不能为负数")
        self._monotonic = monotonic
        self._lock = threading.Lock()
        self._anchor_sim = start.astimezone(CST)
        self._anchor_real = monotonic()
        self._speed = float(speed)

    @classmethod
    def manual(cls, start: datetime) -> "SandboxClock":
        return cls(start, speed=0.0)

    def now(self) -> datetime:
        with self._lock:
            return self._now_locked()

    def _now_locked(self) -> datetime:
        elapsed = self._monotonic() - self._anchor_real
        return self._anchor_sim + timedelta(seconds=elapsed * self._speed)

    @property
    def speed(self) -> float:
        return self._speed

    def set(self, instant: datetime) -> datetime:
        """Jump to ``instant`` (time may go backwards: tests rewind to replay)."""
        with self._lock:
            self._anchor_sim = instant.astimezone(CST)
            self._anchor_real = self._monotonic()
            return self._anchor_sim

    def advance(self, delta: timedelta | str | float) -> datetime:
        step = delta if isinstance(delta, timedelta) else parse_offset(delta)
        with self._lock:
            self._anchor_sim = self._now_locked() + step
            self._anchor_real = self._monotonic()
            return self._anchor_sim

    def set_speed(self, speed: float) -> None:
        if speed < 0:
            raise ValueError("speed 不能为负数")
        with self._lock:
            self._anchor_sim = self._now_locked()
            self._anchor_real = self._monotonic()
            self._speed = float(speed)

    def state(self) -> dict:
        return {"now": self.now().isoformat(), "speed": self._speed}
