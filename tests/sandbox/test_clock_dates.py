from datetime import datetime, timedelta

import pytest

from yuqing.sandbox import dates
from yuqing.sandbox.clock import CST, SandboxClock, parse_instant, parse_offset

START = datetime(2024, 3, 12, 8, 0, tzinfo=CST)


class FakeMonotonic:
    def __init__(self) -> None:
        self.value = 100.0

    def __call__(self) -> float:
        return self.value


def test_speed_factor_scales_real_time():
    real = FakeMonotonic()
    clock = SandboxClock(START, speed=60, monotonic=real)
    real.value += 30  # 30 real seconds at 60× = 30 simulated minutes
    assert clock.now() == START + timedelta(minutes=30)


def test_manual_clock_moves_only_by_hand():
    real = FakeMonotonic()
    clock = SandboxClock(START, speed=0, monotonic=real)
    real.value += 3600
    assert clock.now() == START
    clock.advance("2h30m")
    assert clock.now() == START + timedelta(hours=2, minutes=30)
    clock.set(START - timedelta(days=1))
    assert clock.now() == START - timedelta(days=1)


def test_changing_speed_keeps_the_current_instant():
    real = FakeMonotonic()
    clock = SandboxClock(START, speed=1, monotonic=real)
    real.value += 10
    clock.set_speed(100)
    assert clock.now() == START + timedelta(seconds=10)
    real.value += 1
    assert clock.now() == START + timedelta(seconds=110)


def test_negative_speed_is_refused():
    with pytest.raises(ValueError):
        SandboxClock(START, speed=-1)


@pytest.mark.parametrize("text,expected", [
    ("1d2h30m", timedelta(days=1, hours=2, minutes=30)), ("-6h", timedelta(hours=-6)),
    ("45m", timedelta(minutes=45)), (90, timedelta(seconds=90)), ("+0m", timedelta(0)),
])
def test_parse_offset(text, expected):
    assert parse_offset(text) == expected


@pytest.mark.parametrize("text", ["", "tomorrow", "5x", "h"])
def test_parse_offset_rejects_garbage(text):
    with pytest.raises(ValueError):
        parse_offset(text)


def test_naive_instant_is_beijing_time():
    assert parse_instant("2024-03-12T08:00") == START
    assert parse_instant("2024-03-12T00:00:00+00:00") == START


def test_chinese_date_forms():
    d = datetime(2017, 5, 31, 16, 21, tzinfo=CST)
    assert dates.cn_full(d) == "2017年05月31日 16:21"
    assert dates.release(datetime(2024, 3, 5, 9, 12, tzinfo=CST)) == "发布时间：2024-03-05 09:12"
    assert dates.slash(datetime(2024, 3, 5, 9, 12, tzinfo=CST), with_time=False) == "2024/3/5"
    assert dates.rfc822(datetime(2024, 3, 12, 14, 20, tzinfo=CST)) == "Tue, 12 Mar 2024 14:20:00 +0800"


@pytest.mark.parametrize("age,expected", [
    (timedelta(seconds=20), "刚刚"), (timedelta(minutes=3), "3分钟前"), (timedelta(hours=2, minutes=5), "2小时前"),
    (timedelta(hours=20), "昨天 12:30"), (timedelta(days=5), "03-07 08:30"), (timedelta(days=120), "2023-11-13"),
])
def test_relative_dates(age, expected):
    now = datetime(2024, 3, 12, 8, 30, tzinfo=CST)
    assert dates.relative(now - age, now) == expected
