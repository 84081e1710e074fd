"""Effect of a response and the per-unit scorecard, read from the store (rules in analysis.accountability).

``effect(store, alert_id)``: posts and negative share of the alert's event in equal windows before and
after its first response (one aggregation over ``posts``). ``scorecard(store, since, until)``: per owner
unit (and the press office, before assignment), over the alerts first raised in [since, until), as
known at ``until``: detection→report time, on-time rate per clock and the three failure-flag proxies
documented in ``analysis.accountability``.
The digest and the dashboard call these two functions.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import TYPE_CHECKING

from analysis.accountability import (EFFECT_WINDOW, Effect, UnitScore, effect_windows, first_response_at,
                                     unit_scorecard)
from analysis.events import parse_time

if TYPE_CHECKING:
    from yuqing.store import Store


def effect_of(store: Store, alert: dict, window: timedelta = EFFECT_WINDOW,
              as_of: datetime | None = None) -> Effect | None:
    """The effect of the alert's first response; None when it has none (by ``as_of``) or no event."""
    from yuqing.store import alerts as sa  # noqa: PLC0415 - keeps this module light to import

    responded = first_response_at(alert, as_of)
    if responded is None or not alert.get("event_id"):
        return None
    (b0, b1), (a0, a1) = effect_windows(responded, window)
    if as_of is not None:
        a1 = max(a0, min(a1, as_of))  # what has been seen of the after window so far
    (before, before_neg), (after, after_neg) = sa.window_counts(store, alert["event_id"], [(b0, b1), (a0, a1)])
    return Effect(before, after, before_neg / before if before else 0.0, after_neg / after if after else 0.0)


def effect(store: Store, alert_id: str, window: timedelta = EFFECT_WINDOW,
           as_of: datetime | None = None) -> Effect | None:
    """Volume and negative share in equal windows before and after the alert's first response.

    None when the alert has no response yet; an unknown alert raises WorkflowError.
    """
    from yuqing.alerts.workflow import WorkflowError, get_alert  # noqa: PLC0415

    alert = get_alert(store, alert_id)
    if alert is None:
        raise WorkflowError(f"预警不存在: {alert_id}")
    return effect_of(store, alert, window, as_of)


def known_at(alert: dict, as_of: datetime) -> dict:
    """The alert as it stood at ``as_of``: later acknowledgements and met deadlines are not yet known."""
    copy = dict(alert)
    copy["deadlines"] = [{**d, "met_at": d.get("met_at") if (m := parse_time(d.get("met_at"))) and m <= as_of
                          else None} for d in alert.get("deadlines") or []]
    acked = parse_time(alert.get("acknowledged_at"))
    if acked and acked > as_of:
        copy["acknowledged_at"] = None
    return copy


def scorecard(store: Store, since: datetime, until: datetime, window: timedelta = EFFECT_WINDOW,
              worse_by: float = 0.1) -> list[UnitScore]:
    """Per owner unit (sorted by name), over the alerts first raised in [since, until), as of ``until``.

    Deadlines that fell due before an alert was assigned (or on one never assigned) are the press
    office's row (``PRE_ASSIGNMENT``). Effects use the first response made by ``until``.
    """
    from yuqing.store import alerts as sa  # noqa: PLC0415

    if until <= since:
        from yuqing.alerts.workflow import WorkflowError  # noqa: PLC0415

        raise WorkflowError(f"统计区间无效：开始 {since.isoformat()} 不早于结束 {until.isoformat()}")
    alerts = [known_at(a, until) for a in sa.alerts_in_period(store, since, until)]
    effects = {a["id"]: e for a in alerts if a.get("owner_unit") and (e := effect_of(store, a, window, until)) is not None}
    scores = unit_scorecard(alerts, until, effects, worse_by=worse_by, window=window)
    return [scores[unit] for unit in sorted(scores)]


__all__ = ["EFFECT_WINDOW", "effect", "effect_of", "first_response_at", "known_at", "scorecard"]
