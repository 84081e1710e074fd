"""yuqing.alerts.scorecard and yuqing.alerts.effect over the store (the rules are in analysis.accountability)."""

from __future__ import annotations

from datetime import datetime, timedelta

import pytest

from analysis.workdays import SHANGHAI
from yuqing.alerts import effect, scorecard
from yuqing.alerts.workflow import WorkflowError
from yuqing.store import alerts as sa

T = datetime(2024, 3, 12, 12, 0, tzinfo=SHANGHAI)  # the response


def _posts(store, event_id: str, spec: list[tuple[float, bool]]) -> None:
    docs = [{"id": f"{event_id}-p{i}", "event_id": event_id, "title": "t", "content": "c",
             "published_at": (T + timedelta(hours=h)).isoformat(),
             "sentiment": {"label": "neg" if neg else "neu", "score": 0.5}} for i, (h, neg) in enumerate(spec)]
    assert not store.index_docs("posts", docs, refresh=True).failed


def _alert(store, alert_id: str, unit: str | None, *, first: datetime, acked: datetime | None = None,
           deadlines=(), responses=(), **extra) -> None:
    sa.put_doc(store, "alerts", {
        "id": alert_id, "event_id": "ev-" + alert_id, "title": alert_id, "level": "Ⅲ", "level_rank": 3,
        "color": "黄", "status": "responded" if responses else "assigned", "owner_unit": unit,
        "first_alerted_at": first.isoformat(), "acknowledged_at": acked.isoformat() if acked else None,
        "deadlines": [{"kind": k, "label": k, "due_at": due.isoformat(), "met_at": met.isoformat() if met else None}
                      for k, due, met in deadlines],
        "responses": [{"channel": "发布权威信息", "reference": "x", "at": at.isoformat(), "actor": "a"}
                      for at in responses], **extra})


def test_effect_counts_equal_windows_around_the_first_response(store):
    # before: 3 posts (2 negative) in [T-24h, T); after: 1 (0 negative) in [T, T+24h); outside: ignored
    _posts(store, "ev-al-1", [(-30, True), (-3, True), (-2, True), (-1, False), (1, False), (30, True)])
    _alert(store, "al-1", "食品处", first=T - timedelta(hours=5), responses=[T, T + timedelta(hours=2)])
    result = effect(store, "al-1")
    assert (result.before_posts, result.after_posts) == (3, 1)
    assert round(result.before_negative_share, 3) == 0.667 and result.after_negative_share == 0.0
    assert result.volume_change == pytest.approx(-2 / 3)
    # as of two hours after the response, only those two hours of the after window count
    assert effect(store, "al-1", as_of=T + timedelta(minutes=30)).after_posts == 0


def test_effect_without_response_is_none_and_unknown_alert_is_an_error(store):
    _alert(store, "al-1", "食品处", first=T)
    assert effect(store, "al-1") is None
    with pytest.raises(WorkflowError, match="预警不存在"):
        effect(store, "al-none")


def test_scorecard_per_unit_from_the_alerts_index(store):
    _posts(store, "ev-al-b", [(-2, False), (1, True), (2, True), (3, True)])  # volume and negativity rose
    _alert(store, "al-a", "食品处", first=T - timedelta(hours=6), acked=T - timedelta(hours=5),
           deadlines=[("report_leaders", T - timedelta(hours=4), T - timedelta(hours=5)),
                      ("response", T + timedelta(hours=42), T)], responses=[T])
    _alert(store, "al-b", "食品处", first=T - timedelta(hours=4), acked=T - timedelta(hours=1),
           deadlines=[("report_leaders", T - timedelta(hours=2), T - timedelta(hours=1)),
                      ("response", T + timedelta(hours=44), T)], responses=[T])
    _alert(store, "al-c", "特设处", first=T - timedelta(hours=3),
           deadlines=[("response", T + timedelta(hours=1), None)])
    _alert(store, "al-d", None, first=T - timedelta(hours=3))  # not assigned, nothing due: no row
    _alert(store, "al-e", "特设处", first=T - timedelta(days=30))  # before the period
    _alert(store, "al-f", "食品处", first=T - timedelta(hours=1), merged_into="al-a")  # merged
    store.refresh("alerts")
    # Three hours after the responses their after-windows are open: no verdict on their effect yet.
    early = {s.unit: s for s in scorecard(store, T - timedelta(days=1), T + timedelta(hours=3))}
    assert (early["食品处"].ineffective, early["食品处"].inappropriate) == (0, 0)
    scores = scorecard(store, T - timedelta(days=1), T + timedelta(hours=25))
    assert [s.unit for s in scores] == sorted(["食品处", "特设处"])
    food, special = (next(s for s in scores if s.unit == unit) for unit in ("食品处", "特设处"))
    assert food.alerts == 2
    assert food.median_report_hours == 2.0  # 1 h and 3 h from first alert to acknowledgement
    assert food.on_time_rate("report_leaders") == 0.5 and food.late_report == 1
    assert food.on_time_rate("response") == 1.0
    assert (food.ineffective, food.inappropriate) == (1, 1)  # al-b: more posts and more negative after
    assert special.alerts == 1
    assert special.on_time_rate("response") == 0.0 and special.ineffective == 1


def test_scorecard_knows_only_what_had_happened_by_the_end_of_the_period(store):
    _alert(store, "al-a", "食品处", first=T - timedelta(hours=6), acked=T + timedelta(hours=10),
           deadlines=[("report_leaders", T - timedelta(hours=4), T + timedelta(hours=10))])
    store.refresh("alerts")
    (food,) = scorecard(store, T - timedelta(days=1), T)
    assert food.report_hours == [] and food.late_report == 1
    with pytest.raises(WorkflowError, match="统计区间无效"):
        scorecard(store, T, T)
