"""The service's notion of "now": real time, or a simulated clock shared by every process of a demo.

The demo replays the sandbox scenarios in accelerated time. Crawlers (date plausibility), the alert
engine (clock starts, due times) and the dashboard (countdowns) must all agree on what time it is, in
every process they run in, so the simulated clock is described by one environment variable that child
processes inherit: ``YUQING_CLOCK="start=2024-03-12T08:00:00+08:00;anchor=1763900000.0;speed=60"``
means: at real UNIX time ``anchor`` the simulated time was ``start``, and it runs ``speed`` times faster.
"""

from __future__ import annotations

import os
import time
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone
from zoneinfo import ZoneInfo

from yuqing.errors import ConfigError

SHANGHAI = ZoneInfo("Asia/Shanghai")
ENV = "YUQING_CLOCK"


@dataclass(frozen=True)
class SimulatedClock:
    start: datetime
    anchor: float
    speed: float = 1.0

    def now(self) -> datetime:
        return self.start + timedelta(seconds=(time.time() - self.anchor) * self.speed)

    def to_env(self) -> str:
        return f"start={self.start.isoformat()};anchor={self.anchor:.3f};speed={self.speed:g}"

    @classmethod
    def parse(cls, text: str) -> "SimulatedClock":
        try:
            parts = dict(item.split("=", 1) for item in text.split(";") if item.strip())
            start = datetime.fromisoformat(parts["start"])
            if start.tzinfo is None:
                start = start.replace(tzinfo=SHANGHAI)
            return cls(start, float(parts["anchor"]), float(parts.get("speed", 1)))
        except (KeyError, ValueError) as exc:
            raise ConfigError(f"环境变量 {ENV} 格式错误（应为 start=ISO时间;anchor=UNIX秒;speed=倍数）: {text!r}") from exc


def current() -> SimulatedClock | None:
    text = os.environ.get(ENV)
    return SimulatedClock.parse(text) if text else None


def now() -> datetime:
    """Timezone-aware now (UTC), simulated when YUQING_CLOCK is set."""
    clock = current()
    return clock.now().astimezone(timezone.utc) if clock else datetime.now(timezone.utc)


def now_local() -> datetime:
    """Now in Asia/Shanghai, for display."""
    return now().astimezone(SHANGHAI)
