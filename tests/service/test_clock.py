"""The shared clock: real by default, simulated from one environment variable in every process."""

from __future__ import annotations

import math
import subprocess
import sys
import time
from datetime import datetime, timedelta, timezone

import pytest

from yuqing import clock
from yuqing.errors import ConfigError


def test_real_time_by_default(monkeypatch):
    monkeypatch.delenv(clock.ENV, raising=False)
    assert abs(clock.now() - datetime.now(timezone.utc)) < timedelta(seconds=2)


def test_simulated_clock_runs_at_its_speed_from_its_anchor(monkeypatch):
    start = datetime(2024, 3, 12, 8, 0, tzinfo=clock.SHANGHAI)
    # the environment carries the anchor in milliseconds: round it the same way, down, so 10 s have passed
    sim = clock.SimulatedClock(start, anchor=math.floor((time.time() - 10) * 1000) / 1000, speed=60)
    monkeypatch.setenv(clock.ENV, sim.to_env())
    elapsed = clock.now() - start
    assert timedelta(minutes=10) <= elapsed < timedelta(minutes=10, seconds=30)
    assert clock.now_local().utcoffset() == timedelta(hours=8)


def test_child_processes_share_the_simulated_clock(monkeypatch):
    start = datetime(2024, 3, 12, 8, 0, tzinfo=clock.SHANGHAI)
    monkeypatch.setenv(clock.ENV, clock.SimulatedClock(start, anchor=time.time(), speed=1).to_env())
    out = subprocess.run([sys.executable, "-c", "from yuqing import clock; print(clock.now_local().date())"],
                         capture_output=True, text=True, check=True).stdout
    assert out.strip() == "2024-03-12"


def test_a_malformed_clock_is_a_clear_error(monkeypatch):
    monkeypatch.setenv(clock.ENV, "start=yesterday")
    with pytest.raises(ConfigError) as info:
        clock.now()
    assert clock.ENV in str(info.value)
