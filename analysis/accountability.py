"""Effect of a response and per-unit accountability, as pure functions over alert records and counts.

Effect: volume and negative share in equal windows before and after the first response
(``response_effect``; the counts come from a store query or from posts).
Per unit (``unit_scorecard``), over the alerts assigned to it:
- detection→report time: from the start of each report deadline (the alert reaching the level that
  requires the report: its first alert, or a rise) to the report (acknowledgement), median hours;
- on-time rate per clock kind: deadlines met at or before due / deadlines due so far;
- documented proxies for the three failure flags of the 2018 要点:
  * 报告不及时: acknowledgement later than the internal reporting deadline (report_*), or none yet
    while that deadline has passed;
  * 处置不得力: a response clock missed (met late or overdue unmet), or the event's volume did not fall
    after the response (after ≥ before);
  * 回应不妥当: the negative share rose after the response by more than ``worse_by`` (default 0.1).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta
from statistics import median
from typing import Iterable, Mapping

from analysis.events import parse_time

RESPONSE_KINDS = ("authoritative_info", "press_conference", "response")


@dataclass(frozen=True)
class Effect:
    before_posts: int
    after_posts: int
    before_negative_share: float
    after_negative_share: float

    @property
    def volume_change(self) -> float:
        return (self.after_posts - self.before_posts) / self.before_posts if self.before_posts else 0.0

    @property
    def negative_change(self) -> float:
        return self.after_negative_share - self.before_negative_share


def effect_windows(responded_at: datetime, window: timedelta = timedelta(hours=24)) -> tuple[tuple, tuple]:
    """([before_start, responded_at), [responded_at, after_end)) of equal length."""
    return (responded_at - window, responded_at), (responded_at, responded_at + window)


def response_effect(posts: Iterable[Mapping], responded_at: datetime, window: timedelta = timedelta(hours=24)) -> Effect:
    """Volume and negative share of ``posts`` (one event) in equal windows around the response."""
    (b0, b1), (a0, a1) = effect_windows(responded_at, window)
    counts = {"b": [0, 0], "a": [0, 0]}
    for post in posts:
        moment = parse_time(post.get("published_at"))
        if moment is None:
            continue
        side = "b" if b0 <= moment < b1 else "a" if a0 <= moment < a1 else None
        if side:
            counts[side][0] += 1
            counts[side][1] += (post.get("sentiment") or {}).get("label") == "neg"
    share = {k: (v[1] / v[0] if v[0] else 0.0) for k, v in counts.items()}
    return Effect(counts["b"][0], counts["a"][0], share["b"], share["a"])


@dataclass
class UnitScore:
    unit: str
    alerts: int = 0
    report_hours: list[float] = field(default_factory=list)
    due: dict[str, int] = field(default_factory=dict)
    on_time: dict[str, int] = field(default_factory=dict)
    late_report: int = 0
    ineffective: int = 0
    inappropriate: int = 0

    @property
    def median_report_hours(self) -> float | None:
        return round(median(self.report_hours), 2) if self.report_hours else None

    def on_time_rate(self, kind: str) -> float | None:
        return self.on_time.get(kind, 0) / self.due[kind] if self.due.get(kind) else None


def report_hours(alert: Mapping) -> list[float]:
    """Hours from each report deadline's start to the report that met it.

    A report deadline starts when the alert reached the level that requires it (first alert, or a
    rise), the same start its due time counts from. Alerts whose deadlines do not record their start
    count from the first alert to the acknowledgement.
    """
    reports = [d for d in alert.get("deadlines") or [] if str(d.get("kind") or "").startswith("report_")]
    if any(d.get("starts_at") for d in reports):
        return [(met - start).total_seconds() / 3600 for d in reports
                if (start := parse_time(d.get("starts_at"))) and (met := parse_time(d.get("met_at")))]
    first = parse_time(alert.get("first_alerted_at"))
    acked = parse_time(alert.get("acknowledged_at"))
    return [(acked - first).total_seconds() / 3600] if first and acked else []


def unit_scorecard(alerts: Iterable[Mapping], now: datetime, effects: Mapping[str, Effect] | None = None,
                   worse_by: float = 0.1) -> dict[str, UnitScore]:
    """Per owner unit: report time, on-time rate per clock and the three failure-flag proxies."""
    effects = effects or {}
    scores: dict[str, UnitScore] = {}
    for alert in alerts:
        unit = alert.get("owner_unit")
        if not unit:
            continue
        score = scores.setdefault(unit, UnitScore(unit))
        score.alerts += 1
        score.report_hours += report_hours(alert)
        missed_response = False
        for d in alert.get("deadlines") or []:
            due, met = parse_time(d.get("due_at")), parse_time(d.get("met_at"))
            if due is None or (due > now and met is None):
                continue
            score.due[d["kind"]] = score.due.get(d["kind"], 0) + 1
            ok = met is not None and met <= due
            score.on_time[d["kind"]] = score.on_time.get(d["kind"], 0) + ok
            if d["kind"].startswith("report_") and not ok:
                score.late_report += 1
            if d["kind"] in RESPONSE_KINDS and not ok:
                missed_response = True
        effect = effects.get(alert.get("id"))
        if missed_response or (effect is not None and effect.after_posts >= effect.before_posts > 0):
            score.ineffective += 1
        if effect is not None and effect.negative_change > worse_by:
            score.inappropriate += 1
    return scores


__all__ = ["Effect", "UnitScore", "effect_windows", "report_hours", "response_effect", "unit_scorecard"]
