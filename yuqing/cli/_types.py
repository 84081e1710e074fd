"""Argument types for times and days: a wrong value is refused by the parser with the option's name
and an example (``yuqing alerts respond: error: argument --at: 时间格式无效: '昨天'（示例 …）``),
before anything runs, instead of a ValueError traceback from deep inside a command."""

from __future__ import annotations

import argparse
from datetime import date, datetime
from zoneinfo import ZoneInfo

SHANGHAI = ZoneInfo("Asia/Shanghai")


def instant(text: str) -> datetime:
    """An aware datetime: ISO 8601, a space instead of the T, or a day alone (its midnight);
    without a zone it is Beijing time."""
    try:
        value = datetime.fromisoformat(text.strip().replace("Z", "+00:00"))
    except ValueError:
        raise argparse.ArgumentTypeError(
            f"时间格式无效: {text!r}（示例: 2024-03-12 15:00、2024-03-12T15:00:00+08:00 或 2024-03-12）"
        ) from None
    return value if value.tzinfo else value.replace(tzinfo=SHANGHAI)


def day(text: str) -> date:
    try:
        return date.fromisoformat(text.strip())
    except ValueError:
        raise argparse.ArgumentTypeError(f"日期格式无效: {text!r}（示例: 2024-03-12）") from None
