from datetime import datetime, timedelta

from analysis.accountability import PRE_ASSIGNMENT, Effect, response_effect, unit_scorecard
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


def test_a_deadline_that_fell_due_before_the_assignment_is_the_press_offices_not_the_units():
    # The demo's 河西区市场监管局 was charged with 报告局领导 and 发布权威信息 missed before it was
    # assigned the alert at 19:32 (due 18:00 and 18:58).
    def at(hours):
        return (T + timedelta(hours=hours)).isoformat()

    alert = {"id": "a", "owner_unit": "河西区局", "assigned_at": at(7.5), "first_alerted_at": at(0),
             "deadlines": [{"kind": "report_leaders", "starts_at": at(0), "due_at": at(2), "met_at": at(3.3)},
                           {"kind": "authoritative_info", "due_at": at(5), "met_at": at(8)},
                           {"kind": "press_conference", "due_at": at(24), "met_at": at(20)}],
             "responses": [{"at": at(8)}]}
    never = {"id": "b", "first_alerted_at": at(0),
             "deadlines": [{"kind": "response", "due_at": at(10), "met_at": None}]}
    scores = unit_scorecard([alert, never], T + timedelta(hours=30))
    office, unit = scores[PRE_ASSIGNMENT], scores["河西区局"]
    assert office.late_report == 1 and office.report_hours == [3.3]
    assert office.on_time_rate("authoritative_info") == 0.0 and office.on_time_rate("response") == 0.0
    assert office.ineffective == 2 and office.alerts == 2  # a's late 发布权威信息, b's unanswered response
    assert unit.alerts == 1 and unit.late_report == 0 and unit.report_hours == []
    assert unit.on_time_rate("press_conference") == 1.0 and "authoritative_info" not in unit.due
    assert unit.ineffective == 0
    assert office.alerts + unit.alerts == 3 and office.alert_ids | unit.alert_ids == {"a", "b"}  # the headline counts 2


def test_effect_flags_wait_for_the_after_window_to_close():
    alert = {"id": "a", "owner_unit": "食品处", "responses": [{"at": T.isoformat()}], "deadlines": []}
    worse = {"a": Effect(before_posts=2, after_posts=3, before_negative_share=0.0, after_negative_share=1.0)}
    soon = unit_scorecard([alert], T + timedelta(minutes=20), worse)["食品处"]
    assert (soon.ineffective, soon.inappropriate) == (0, 0)
    later = unit_scorecard([alert], T + timedelta(hours=24), worse)["食品处"]
    assert (later.ineffective, later.inappropriate) == (1, 1)
