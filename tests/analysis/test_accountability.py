from datetime import datetime, timedelta

from analysis.accountability import response_effect, unit_scorecard
from analysis.workdays import SHANGHAI

T = datetime(2024, 3, 12, 12, 0, tzinfo=SHANGHAI)


def _post(hours: float, neg: bool) -> dict:
    return {"published_at": (T + timedelta(hours=hours)).isoformat(), "sentiment": {"label": "neg" if neg else "neu"}}


def test_effect_uses_equal_windows_around_the_response():
    posts = [_post(-3, True), _post(-2, True), _post(-1, False), _post(1, False), _post(30, True)]
    effect = response_effect(posts, T, timedelta(hours=24))
    assert (effect.before_posts, effect.after_posts) == (3, 1)
    assert round(effect.before_negative_share, 3) == 0.667 and effect.after_negative_share == 0.0


def test_scorecard_on_time_rate_and_flags():
    alerts = [
        {"id": "a", "owner_unit": "食品处", "first_alerted_at": T.isoformat(),
         "acknowledged_at": (T + timedelta(hours=3)).isoformat(),
         "deadlines": [{"kind": "report_leaders", "due_at": (T + timedelta(hours=2)).isoformat(),
                        "met_at": (T + timedelta(hours=3)).isoformat()},
                       {"kind": "response", "due_at": (T + timedelta(hours=48)).isoformat(),
                        "met_at": (T + timedelta(hours=10)).isoformat()}]},
        {"id": "b", "owner_unit": "食品处", "first_alerted_at": T.isoformat(),
         "deadlines": [{"kind": "response", "due_at": (T + timedelta(hours=48)).isoformat(), "met_at": None}]},
    ]
    scores = unit_scorecard(alerts, T + timedelta(hours=50))
    unit = scores["食品处"]
    assert unit.median_report_hours == 3.0
    assert unit.on_time_rate("response") == 0.5
    assert unit.late_report == 1 and unit.ineffective == 1
