"""Effect of a response and per-unit accountability, as pure functions over alert records and counts.

Effect: volume and negative share in equal windows before and after the first response
(``response_effect``; the counts come from a store query or from posts).
Per unit (``unit_scorecard``), over the alerts assigned to it. A deadline is the unit's when the
alert was assigned to it by the deadline's due time; one that fell due before the assignment (or on
an alert never assigned) is the press office's, shown as the row ``PRE_ASSIGNMENT`` (谁主管谁负责:
until an item is handed to a unit, the office watching the alerts holds it):
- detection→report time: from the start of each report deadline (the alert reaching the level that
  requires the report: its first alert, or a rise) to the report (acknowledgement), median hours;
- on-time rate per clock kind: deadlines met at or before due / deadlines due so far;
- documented proxies for the three failure flags of the 2018 要点:
  * 报告不及时: acknowledgement later than the internal reporting deadline (report_*), or none yet
    while that deadline has passed;
  * 处置不得力: a response clock missed (met late or overdue unmet), or the event's volume did not fall
    after the response (after ≥ before);
  * 回应不妥当: the negative share rose after the response by more than ``worse_by`` (default 0.1).
  The two effect flags are judged once the after-window (``window``, 24 h) has closed: minutes after a
  response, one negative post would read as a 100% share.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta
from statistics import median
from typing import Iterable, Mapping

from analysis.events import parse_time

RESPONSE_KINDS = ("authoritative_info", "press_conference", "response")
PRE_ASSIGNMENT = "交办前（新闻发言人/宣传）"
EFFECT_WINDOW = timedelta(hours=24)


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
    alert_ids: set[str] = field(default_factory=set)  # one alert can count for two rows (before/after assignment)
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


def holder(alert: Mapping, moment: datetime | None) -> str:
    """Who held the alert at ``moment``: its owner unit once assigned, the press office before."""
    unit = alert.get("owner_unit")
    if not unit:
        return PRE_ASSIGNMENT
    assigned = parse_time(alert.get("assigned_at"))
    return unit if assigned is None or moment is None or assigned <= moment else PRE_ASSIGNMENT


def first_response_at(alert: Mapping | None, as_of: datetime | None = None) -> datetime | None:
    """When the alert was first responded to (at or before ``as_of`` when given): where its effect
    windows meet."""
    times = [t for r in (alert or {}).get("responses") or [] if (t := parse_time(r.get("at")))
             and (as_of is None or t <= as_of)]
    return min(times) if times else None


def unit_scorecard(alerts: Iterable[Mapping], now: datetime, effects: Mapping[str, Effect] | None = None,
                   worse_by: float = 0.1, window: timedelta = EFFECT_WINDOW) -> dict[str, UnitScore]:
    """Per holder (owner unit, or ``PRE_ASSIGNMENT``): report time, on-time rate per clock and the
    three failure-flag proxies."""
    effects = effects or {}
    scores: dict[str, UnitScore] = {}

    def score_of(unit: str, alert_id: str, counted: set) -> UnitScore:
        score = scores.setdefault(unit, UnitScore(unit))
        if (unit, alert_id) not in counted:
            counted.add((unit, alert_id))
            score.alerts += 1
            score.alert_ids.add(alert_id)
        return score

    counted: set = set()
    for alert in alerts:
        alert_id = str(alert.get("id") or id(alert))
        if alert.get("owner_unit"):
            score_of(alert["owner_unit"], alert_id, counted)
        reports = [d for d in alert.get("deadlines") or [] if str(d.get("kind") or "").startswith("report_")]
        if any(d.get("starts_at") for d in reports):
            for d in reports:
                start, met = parse_time(d.get("starts_at")), parse_time(d.get("met_at"))
                if start and met:
                    unit = holder(alert, parse_time(d.get("due_at")) or met)
                    score_of(unit, alert_id, counted).report_hours.append((met - start).total_seconds() / 3600)
        else:
            hours = report_hours(alert)
            if hours:
                dues = [due for d in reports if (due := parse_time(d.get("due_at")))]
                unit = holder(alert, min(dues) if dues else parse_time(alert.get("acknowledged_at")))
                score_of(unit, alert_id, counted).report_hours.extend(hours)
        missed_by: set[str] = set()
        for d in alert.get("deadlines") or []:
            due, met = parse_time(d.get("due_at")), parse_time(d.get("met_at"))
            if due is None or (due > now and met is None):
                continue
            score = score_of(holder(alert, due), alert_id, counted)
            score.due[d["kind"]] = score.due.get(d["kind"], 0) + 1
            ok = met is not None and met <= due
            score.on_time[d["kind"]] = score.on_time.get(d["kind"], 0) + ok
            if d["kind"].startswith("report_") and not ok:
                score.late_report += 1
            if d["kind"] in RESPONSE_KINDS and not ok:
                missed_by.add(score.unit)
        effect = effects.get(alert.get("id"))
        responded = first_response_at(alert, now)
        if effect is not None and (responded is None or now < responded + window):
            effect = None  # the after-window is still open: no verdict yet
        owner = alert.get("owner_unit")
        if effect is not None and owner and effect.after_posts >= effect.before_posts > 0:
            missed_by.add(owner)
        for unit in missed_by:
            scores[unit].ineffective += 1
        if effect is not None and owner and effect.negative_change > worse_by:
            score_of(owner, alert_id, counted).inappropriate += 1
    return scores


__all__ = ["EFFECT_WINDOW", "Effect", "PRE_ASSIGNMENT", "UnitScore", "effect_windows", "first_response_at", "holder",
           "report_hours", "response_effect", "unit_scorecard"]
