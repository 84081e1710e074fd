"""Argument types for times and days: a wrong value is refused by the parser with the option's name
and an example (``yuqing alerts respond: 错误: 参数 --at: 时间格式无效: '昨天'（示例: …）``),
before anything runs, instead of a ValueError traceback from deep inside a command."""

from __future__ import annotations

import argparse
from datetime import date, datetime


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
    return value


def day(text: str) -> date:
    try:
        return date.fromisoformat(text.strip())
    except ValueError:
        raise argparse.ArgumentTypeError(f"日期格式无效: {text!r}（示例: 2024-03-12）") from None


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
