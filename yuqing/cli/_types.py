"""Argument types for times and days: a wrong value is refused by the parser with the option's name
and an example (``yuqing alerts respond: 错误: 参数 --at: 时间格式无效: '昨天'（示例: …）``),
before anything runs, instead of a ValueError traceback from deep inside a command."""

from __future__ import annotations

import argparse
import math
from datetime import date, datetime
from urllib.parse import urlsplit

# Wider than any date a post can carry, narrow enough that a day or a week either side still exists
# (year 1 or 9999 made the digest and the sandbox fail with an OverflowError traceback).
YEARS = (1900, 2999)


def _in_range(value: date, text: str, kind: str) -> None:
    if not YEARS[0] <= value.year <= YEARS[1]:
        raise argparse.ArgumentTypeError(f"{kind}超出范围: {text!r}（年份应在 {YEARS[0]}–{YEARS[1]} 之间）")


def instant(text: str) -> datetime:
    """An aware datetime: ISO 8601, a space instead of the T, or a day alone (its midnight);
    without a zone it is Beijing time."""
    from analysis.events import parse_time

    try:
        value = parse_time(text.strip())
    except ValueError:
        value = None
    if value is None:
        raise argparse.ArgumentTypeError(
            f"时间格式无效: {text!r}（示例: 2024-03-12 15:00、2024-03-12T15:00:00+08:00 或 2024-03-12）"
        )
    _in_range(value, text, "时间")
    return value


def day(text: str) -> date:
    try:
        value = date.fromisoformat(text.strip())
    except ValueError:
        raise argparse.ArgumentTypeError(f"日期格式无效: {text!r}（示例: 2024-03-12）") from None
    _in_range(value, text, "日期")
    return value


def port(text: str) -> int:
    """A TCP port, 0–65535 (0: any free one, where the command allows it)."""
    try:
        value = int(text.strip())
    except ValueError:
        value = -1
    if not 0 <= value <= 65535:
        raise argparse.ArgumentTypeError(f"端口无效: {text!r}（应为 0–65535 的整数）")
    return value


def seconds(text: str) -> float:
    """A positive, finite number of seconds (or minutes, or a speed factor)."""
    try:
        value = float(text.strip())
    except ValueError:
        value = math.nan
    if not (math.isfinite(value) and value > 0):
        raise argparse.ArgumentTypeError(f"应为正数: {text!r}")
    return value


def http_url(text: str) -> str:
    """An http(s) address with a host, such as http://127.0.0.1:8765."""
    try:
        parts = urlsplit(text.strip())
        parts.port  # noqa: B018 - raises ValueError for a port that is not a number or out of range
    except ValueError:
        parts = None
    if parts is None or parts.scheme not in ("http", "https") or not parts.hostname:
        raise argparse.ArgumentTypeError(f"网址无效: {text!r}（示例: http://127.0.0.1:8765）")
    return text.strip().rstrip("/")


def alert_status(text: str) -> str:
    """A workflow status by key (new …) or by its Chinese name (新预警 …)."""
    from yuqing.alerts.workflow import STATUS_LABELS

    by_label = {label: key for key, label in STATUS_LABELS.items()}
    value = text.strip()
    if value in STATUS_LABELS:
        return value
    if value in by_label:
        return by_label[value]
    names = "、".join(f"{key}（{label}）" for key, label in STATUS_LABELS.items())
    raise argparse.ArgumentTypeError(f"没有这个状态: {text!r}（可用: {names}）")


def alert_level(text: str) -> str:
    """Ⅰ–Ⅳ, also written II, 2, 二级 or 橙."""
    from yuqing.notify.notice import normalise_level

    level = normalise_level(text)
    if level is None:
        raise argparse.ArgumentTypeError(f"没有这个级别: {text!r}（可用: Ⅰ Ⅱ Ⅲ Ⅳ，也可写 1–4、I–IV、二级、橙）")
    return level
