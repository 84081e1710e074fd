"""The audit trail of an alert in words: what each recorded step did, for the event page and the CLI."""

from __future__ import annotations

import contextlib
import functools
import re
from datetime import timedelta

from analysis.events import parse_time
from yuqing.errors import ConfigError
from yuqing.notify.render import show_time

FALLBACK_KIND_LABELS = {"authoritative_info": "发布权威信息", "press_conference": "新闻发布会", "response": "回应关切",
                        "report_leaders": "报告局领导", "report_area_leaders": "报告区领导",
                        "investigation_report": "核实调查报告"}


@functools.lru_cache(maxsize=1)
def kind_labels() -> dict[str, str]:
    """Clock kind → its Chinese label from config/clocks.yaml (the built-in names when it cannot be read)."""
    from analysis.clocks import load_policy

    labels = dict(FALLBACK_KIND_LABELS)
    with contextlib.suppress(ConfigError):  # labels only; the yuqing CLI reports configuration errors
        policy = load_policy()
        labels.update({rule.kind: rule.label for rule in policy.clocks.values()})
        labels.update({rule.kind: rule.label for rule in policy.internal})
    return labels

ISO_TIME = re.compile(r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}")
DETAIL_CHARS = 200  # a longer detail (old records stored before input was limited) is cut in the table
EFFECTIVE_LAG = timedelta(minutes=5)  # a step recorded later than it happened shows when it happened


def clip(text: str, limit: int = DETAIL_CHARS) -> str:
    return text if len(text) <= limit else text[:limit] + "…"


def describe(entry: dict, labels: dict[str, str] | None = None) -> str:
    """One audit entry's details in Chinese: deadline kinds as their labels, times as 2024-03-12 19:15.

    ``labels`` maps deadline kinds to their labels (from the alert's deadlines).
    """
    details = entry.get("details") or {}
    if not isinstance(details, dict):
        return clip(str(details))
    labels = {**kind_labels(), **(labels or {})}
    action = entry.get("action")
    parts: list[str] = []
    if action == "acknowledge":
        if details.get("level"):
            parts.append(f"{details['level']}级" + ("（级别上升后确认）" if details.get("level_rise") else ""))
        reported = [labels.get(k, k) for k in details.get("reported") or []]
        if reported:
            parts.append(f"已报告：{'、'.join(reported)}")
    elif action == "assign":
        if details.get("owner_unit"):
            parts.append(f"责任单位：{details['owner_unit']}")
        if details.get("handling_type"):
            parts.append(f"处置类型：{details['handling_type']}")
        if details.get("previous_owner") and details.get("previous_owner") != details.get("owner_unit"):
            parts.append(f"原责任单位：{details['previous_owner']}")
    elif action == "close":
        if details.get("note"):
            parts.append(str(details["note"]))
        if details.get("unmet"):
            parts.append(f"办结时未完成：{'、'.join(str(u) for u in details['unmet'])}")
    elif action == "reopen":
        if details.get("reason"):
            parts.append(str(details["reason"]))
    elif action == "silence":
        parts.append(f"静默至 {show_time(details['until'])}" if details.get("until") else "一直静默")
    else:
        for key, value in details.items():
            if key == "effective_at" or value in (None, "", [], {}):
                continue
            if isinstance(value, (list, tuple)):
                value = "、".join(labels.get(str(v), str(v)) for v in value)
            elif isinstance(value, str) and ISO_TIME.match(value):
                value = show_time(value)
            parts.append(str(value))
    effective, recorded = parse_time(details.get("effective_at")), parse_time(entry.get("at"))
    if effective and recorded and recorded - effective > EFFECTIVE_LAG:
        parts.append(f"发生于 {show_time(effective)}")
    return clip("；".join(parts))

