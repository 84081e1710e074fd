"""Dates as Chinese sites print them; each site uses its own forms (see pages.py)."""

from __future__ import annotations

from datetime import datetime, timedelta
from email.utils import format_datetime

WEEKDAYS = "一二三四五六日"


def cn_full(d: datetime) -> str:
    """2017年05月31日 16:21"""
    return f"{d:%Y}年{d:%m}月{d:%d}日 {d:%H:%M}"


def cn_day(d: datetime) -> str:
    """2024年3月12日 星期二 (page headers: today's date, a trap for naive date extraction)."""
    return f"{d.year}年{d.month}月{d.day}日 星期{WEEKDAYS[d.weekday()]}"


def release(d: datetime) -> str:
    """发布时间：2024-03-05 09:12"""
    return f"发布时间：{d:%Y-%m-%d %H:%M}"


def slash(d: datetime, with_time: bool = True) -> str:
    """2024/3/5 09:12 or 2024/3/5"""
    day = f"{d.year}/{d.month}/{d.day}"
    return f"{day} {d:%H:%M}" if with_time else day


def iso(d: datetime) -> str:
    return d.isoformat()


def rfc822(d: datetime) -> str:
    """Tue, 12 Mar 2024 14:20:00 +0800 (RSS pubDate)."""
    return format_datetime(d)


def relative(d: datetime, now: datetime) -> str:
    """刚刚 / 3分钟前 / 2小时前 / 昨天 12:30 / 03-05 09:12 / 2023-12-01, as social feeds print them."""
    delta = now - d
    if delta < timedelta(minutes=1):
        return "刚刚"
    if delta < timedelta(hours=1):
        return f"{int(delta.total_seconds() // 60)}分钟前"
    if d.date() == now.date():
        return f"{int(delta.total_seconds() // 3600)}小时前"
    if d.date() == (now - timedelta(days=1)).date():
        return f"昨天 {d:%H:%M}"
    if d.year == now.year:
        return f"{d:%m-%d %H:%M}"
    return f"{d:%Y-%m-%d}"


def listing(d: datetime, now: datetime) -> str:
    """News listings: 3分钟前 for the last hour, 今天 14:20 / 昨天 12:30, else 2024-03-05."""
    delta = now - d
    if delta < timedelta(hours=1):
        return relative(d, now)
    if d.date() == now.date():
        return f"今天 {d:%H:%M}"
    if d.date() == (now - timedelta(days=1)).date():
        return f"昨天 {d:%H:%M}"
    return f"{d:%Y-%m-%d}"
