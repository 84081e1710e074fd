"""Notices from alert documents: the first alert (or a level rise) and deadline reminders.

Pure functions over the alert dict of the ``alerts`` index (fields in the agreed interface):
times may be ISO 8601 strings or datetimes and are shown in Asia/Shanghai.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import UTC, datetime
from typing import Any
from urllib.parse import quote
from zoneinfo import ZoneInfo

from yuqing.notify.notice import LEVEL_NAMES, Notice, normalise_level

TZ = ZoneInfo("Asia/Shanghai")

# Mirrors yuqing.alerts.workflow.STATUS_LABELS (the agreed interface), kept here so rendering
# stays importable without the alerts engine.
STATUS_LABELS = {
    "new": "新预警",
    "acknowledged": "已确认",
    "assigned": "已交办",
    "responded": "已回应",
    "closed": "已办结",
}
REMINDER_STATES = {"upcoming": "即将到期", "overdue": "已超时"}
REMINDER_ALIASES = {
    "due_soon": "upcoming",
    "before": "upcoming",
    "soon": "upcoming",
    "upcoming": "upcoming",
    "overdue": "overdue",
    "late": "overdue",
}


def parse_time(value: Any) -> datetime | None:
    """An aware datetime from a datetime, an ISO 8601 string (Z allowed) or epoch milliseconds."""
    if value is None or value == "":
        return None
    if isinstance(value, datetime):
        moment = value
    elif isinstance(value, (int, float)) and not isinstance(value, bool):
        return datetime.fromtimestamp(value / 1000, UTC)
    else:
        try:
            moment = datetime.fromisoformat(str(value).strip().replace("Z", "+00:00"))
        except ValueError:
            return None
    return moment if moment.tzinfo else moment.replace(tzinfo=TZ)


def show_time(value: Any) -> str:
    """'2026-05-09 14:30' in Asia/Shanghai; '未知' when missing or unreadable."""
    moment = parse_time(value)
    return moment.astimezone(TZ).strftime("%Y-%m-%d %H:%M") if moment else "未知"


def show_duration(seconds: float) -> str:
    """'2 天 3 小时', '4 小时 30 分', '12 分' (rounded down to minutes, at least 1 分)."""
    minutes = max(1, int(abs(seconds) // 60))
    days, rest = divmod(minutes, 24 * 60)
    hours, mins = divmod(rest, 60)
    if days:
        return f"{days} 天" + (f" {hours} 小时" if hours else "")
    if hours:
        return f"{hours} 小时" + (f" {mins} 分" if mins else "")
    return f"{mins} 分"


def deadline_state(deadline: Mapping[str, Any], now: datetime, markdown: bool = True) -> str:
    """'剩余 4 小时 30 分', '**已超时 2 小时**' ('已超时 2 小时' for a terminal, ``markdown=False``),
    '已于 … 完成' or '' when the due time is unknown."""
    due = parse_time(deadline.get("due_at"))
    met = parse_time(deadline.get("met_at"))
    if met is not None:
        on_time = due is None or met <= due
        return f"已于 {show_time(met)} 完成{'' if on_time else '，超时'}"
    if due is None:
        return ""
    left = (due - now).total_seconds()
    if left > 0:
        return f"剩余 {show_duration(left)}"
    overdue = f"已超时 {show_duration(left)}"
    return f"**{overdue}**" if markdown else overdue


def deadline_line(deadline: Mapping[str, Any], now: datetime) -> str:
    """'- 发布权威信息：2026-05-09 19:30 前（剩余 4 小时 30 分）'."""
    label = deadline.get("label") or deadline.get("kind") or "回应"
    state = deadline_state(deadline, now)
    return f"- {label}：{show_time(deadline.get('due_at'))} 前" + (f"（{state}）" if state else "")


def stories(alert: Mapping[str, Any]) -> str:
    """'（3个话题）': how many stories an alert's posts are once reposts and edited copies are merged
    (the event's near-duplicate clusters); empty for alerts written before the count was kept."""
    count = alert.get("cluster_count")
    return f"（{count}个话题）" if isinstance(count, int) and not isinstance(count, bool) and count > 0 else ""


def alert_url(alert: Mapping[str, Any], base_url: str | None) -> str | None:
    if not base_url or not alert.get("id"):
        return None
    return f"{base_url.rstrip('/')}/alerts?id={quote(str(alert['id']), safe='')}"


def _level(alert: Mapping[str, Any]) -> str | None:
    return normalise_level(alert.get("level")) or normalise_level(alert.get("level_rank"))


def _names(values: Any) -> str:
    if not values:
        return ""
    return "、".join(str(v) for v in (values if isinstance(values, (list, tuple)) else [values]))


def alert_notice(
    alert: Mapping[str, Any],
    base_url: str | None,
    *,
    previous_level: str | None = None,
    now: datetime | None = None,
) -> Notice:
    """The notice for a new alert, or for a level rise when ``previous_level`` is given."""
    now = now or datetime.now(UTC)
    level = _level(alert)
    lines = []
    previous = normalise_level(previous_level)
    if previous and level:
        lines.append(f"**预警级别由 {previous}级 升至 {level}级（{LEVEL_NAMES[level]}）**")
    rules = _names(alert.get("rules"))
    if rules:
        lines.append(f"- 触发规则：{rules}")
    schemes = _names(alert.get("schemes"))
    if schemes:
        lines.append(f"- 监测方案：{schemes}")
    if alert.get("post_count") is not None:
        lines.append(f"- 相关信息：{alert['post_count']} 条{stories(alert)}")
    if alert.get("first_alerted_at"):
        lines.append(f"- 首次预警：{show_time(alert['first_alerted_at'])}")
    if alert.get("clock_start"):
        lines.append(f"- 计时起点：{show_time(alert['clock_start'])}")
    status = alert.get("status")
    if status:
        lines.append(f"- 状态：{STATUS_LABELS.get(status, status)}")
    if alert.get("owner_unit"):
        lines.append(f"- 责任单位：{alert['owner_unit']}")
    if alert.get("handling_type"):
        lines.append(f"- 处置类型：{alert['handling_type']}")
    deadlines = [d for d in alert.get("deadlines") or [] if isinstance(d, Mapping)]
    if deadlines:
        lines.append("")
        lines.append("**回应时限**")
        lines.extend(deadline_line(d, now) for d in deadlines)
    title = alert.get("title") or "（无标题事件）"
    if previous and level:
        title = f"预警升级：{title}"
    return Notice(
        title=title,
        text="\n".join(lines),
        level=level,
        color=alert.get("color") or None,
        url=alert_url(alert, base_url),
        unit=alert.get("owner_unit") or None,
        kind="alert",
    )


def reminder_notice(
    alert: Mapping[str, Any],
    deadline: Mapping[str, Any] | str,
    state: str,
    *,
    base_url: str | None = None,
    now: datetime | None = None,
) -> Notice:
    """A reminder before a due time (``state`` 'upcoming') or at/after it ('overdue') to the owner unit.

    ``deadline`` is one of the alert's ``deadlines`` entries, or its ``kind``.
    """
    now = now or datetime.now(UTC)
    normal_state = REMINDER_ALIASES.get(state)
    if normal_state is None:
        raise ValueError(f"unknown reminder state {state!r} (expected one of {sorted(REMINDER_ALIASES)})")
    if isinstance(deadline, str):
        found = [d for d in alert.get("deadlines") or [] if d.get("kind") == deadline]
        if not found:
            raise ValueError(f"alert {alert.get('id')!r} has no deadline {deadline!r}")
        deadline = found[0]
    label = deadline.get("label") or deadline.get("kind") or "回应"
    level = _level(alert)
    title = f"{label}{REMINDER_STATES[normal_state]}：{alert.get('title') or '（无标题事件）'}"
    lines = [f"- 截止时间：{show_time(deadline.get('due_at'))}"]
    state_text = deadline_state(deadline, now)
    if state_text:
        lines.append(f"- 当前：{state_text}")
    status = alert.get("status")
    if status:
        lines.append(f"- 状态：{STATUS_LABELS.get(status, status)}")
    lines.append(f"- 责任单位：{alert.get('owner_unit') or '尚未交办'}")
    if alert.get("clock_start"):
        lines.append(f"- 计时起点：{show_time(alert['clock_start'])}")
    if normal_state == "overdue":
        lines.append("")
        lines.append("请尽快回应并在系统中登记回应渠道、链接与时间。")
    return Notice(
        title=title,
        text="\n".join(lines),
        level=level,
        color=alert.get("color") or None,
        url=alert_url(alert, base_url),
        unit=alert.get("owner_unit") or None,
        kind="reminder",
    )
