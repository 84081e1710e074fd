"""Response clocks: due times, clock start, board limits, countdown status, reminders, config errors."""

from __future__ import annotations

from datetime import date, datetime, timedelta, timezone

import pytest

from analysis.clocks import (
    DEFAULT_PATH,
    ClockInputError,
    board_deadlines,
    board_reply_deadline,
    clock_start,
    clock_status,
    disclosure_deadline,
    due_reminders,
    format_duration,
    load_policy,
    parse_duration,
    response_clocks,
)
from analysis.workdays import SHANGHAI, WorkCalendar
from yuqing.errors import ConfigError


def at(*args: int) -> datetime:
    return datetime(*args, tzinfo=SHANGHAI)


@pytest.fixture(scope="module")
def policy():
    return load_policy()


def by_kind(deadlines):
    return {d.kind: d for d in deadlines}


# --- the shipped configuration ---------------------------------------------------------------------
def test_default_config_levels(policy):
    colours = [(lv.key, lv.colour) for lv in policy.levels]
    assert colours == [("I", "红"), ("II", "橙"), ("III", "黄"), ("IV", "蓝")]
    assert "非法定" in policy.level_basis
    assert policy.clock_start == "earliest"
    hours = [policy.clocks[k].hours for k in ("authoritative_info", "press_conference", "response")]
    assert hours == [5, 24, 48]
    assert policy.source == str(DEFAULT_PATH)


@pytest.mark.parametrize("spelling", ["I", "Ⅰ", "1", 1, "一级", "特别重大", "红"])
def test_level_aliases(policy, spelling):
    assert policy.level(spelling).key == "I"


def test_unknown_level_is_a_clear_error(policy):
    with pytest.raises(ClockInputError, match="未知的舆情级别 'V'"):
        policy.level("V")


# --- hour clocks and the clock start ---------------------------------------------------------------
EVENT = at(2026, 5, 10, 8, 0)
DETECTED = at(2026, 5, 10, 10, 30)


def test_incident_clocks_5h_24h_from_earliest(policy):
    clocks = by_kind(response_clocks("I", EVENT, DETECTED, policy, include_internal=False))
    assert set(clocks) == {"authoritative_info", "press_conference"}
    assert clocks["authoritative_info"].due_at == at(2026, 5, 10, 13, 0)
    assert clocks["press_conference"].due_at == at(2026, 5, 11, 8, 0)
    assert clocks["authoritative_info"].label == "发布权威信息"
    assert clocks["authoritative_info"].hours == 5 and not clocks["authoritative_info"].practice


def test_detection_before_event_time_starts_the_clock(policy):
    # A wrongly future-dated event time never delays the clock under "earliest".
    clocks = by_kind(response_clocks("II", at(2026, 5, 10, 12, 0), DETECTED, policy, include_internal=False))
    assert clocks["authoritative_info"].starts_at == DETECTED
    assert clocks["authoritative_info"].due_at == at(2026, 5, 10, 15, 30)


@pytest.mark.parametrize(
    ("rule", "event", "expected"),
    [
        ("earliest", EVENT, EVENT),
        ("event_time", EVENT, EVENT),
        ("detection", EVENT, DETECTED),
        ("event_time", None, DETECTED),  # unknown event time falls back to detection
        ("earliest", None, DETECTED),
    ],
)
def test_clock_start_rules(rule, event, expected):
    assert clock_start(event, DETECTED, rule) == expected


def test_clock_start_rule_from_config():
    text = DEFAULT_PATH.read_text(encoding="utf-8").replace("clock_start: earliest", "clock_start: detection")
    policy = load_policy("clocks.yaml", text=text)
    clocks = by_kind(response_clocks("I", EVENT, DETECTED, policy, include_internal=False))
    assert clocks["authoritative_info"].due_at == at(2026, 5, 10, 15, 30)


def test_general_response_48h(policy):
    clocks = response_clocks("III", EVENT, DETECTED, policy, include_internal=False)
    assert [(d.kind, d.due_at, d.label) for d in clocks] == [("response", at(2026, 5, 12, 8, 0), "回应关切")]


def test_level_one_non_incident_gets_48h(policy):
    clocks = response_clocks("I", EVENT, DETECTED, policy, incident=False, include_internal=False)
    assert [d.kind for d in clocks] == ["response"]


def test_calendar_hours_run_through_the_national_holiday(policy):
    start = at(2026, 9, 30, 20, 0)
    clocks = by_kind(response_clocks("IV", start, start, policy, include_internal=False))
    assert clocks["response"].due_at == at(2026, 10, 2, 20, 0)  # 10-01/02 are holidays: not paused
    urgent = by_kind(response_clocks("I", start, start, policy, include_internal=False))
    assert urgent["authoritative_info"].due_at == at(2026, 10, 1, 1, 0)


def test_inputs_in_other_timezones_give_shanghai_due_times(policy):
    utc = datetime(2026, 5, 10, 0, 0, tzinfo=timezone.utc)  # 08:00 Shanghai
    clocks = by_kind(response_clocks("I", utc, utc, policy, include_internal=False))
    due = clocks["authoritative_info"].due_at
    assert due == at(2026, 5, 10, 13, 0) and due.utcoffset() == timedelta(hours=8)


def test_naive_datetime_is_refused(policy):
    with pytest.raises(ClockInputError, match="时区"):
        response_clocks("I", None, datetime(2026, 5, 10, 10, 0), policy)


def test_internal_reporting_is_labelled_practice_and_counts_from_detection(policy):
    clocks = by_kind(response_clocks("IV", EVENT, DETECTED, policy))
    leaders = clocks["report_leaders"]
    assert leaders.practice and "本地实践" in leaders.basis
    assert leaders.due_at == DETECTED + timedelta(hours=2)
    severe = by_kind(response_clocks("I", EVENT, DETECTED, policy))
    assert severe["investigation_report"].working_days == 2
    assert severe["investigation_report"].due_at == at(2026, 5, 12, 23, 59, 59)  # Sun 05-10 received
    assert "report_leaders" not in severe


def test_internal_reporting_counts_from_when_the_alert_reached_the_level(policy):
    alerted, risen = at(2026, 5, 10, 14, 0), at(2026, 5, 10, 18, 0)
    yellow = by_kind(response_clocks("III", EVENT, DETECTED, policy, level_times={"Ⅲ": alerted}))
    assert yellow["report_leaders"].starts_at == alerted
    assert yellow["report_leaders"].due_at == alerted + timedelta(hours=2)
    assert yellow["response"].starts_at == EVENT  # the public clock keeps clock_start (earliest)
    orange = by_kind(response_clocks("II", EVENT, DETECTED, policy, level_times={"III": alerted, "II": risen}))
    assert orange["report_area_leaders"].starts_at == risen  # the rise brought this report in
    assert orange["report_area_leaders"].due_at == risen + timedelta(hours=2)
    assert orange["investigation_report"].starts_at == risen
    assert orange["authoritative_info"].starts_at == EVENT
    # a later rise within the levels a deadline covers does not move it: Ⅱ → Ⅰ keeps the Ⅱ start
    red = by_kind(response_clocks("I", EVENT, DETECTED, policy,
                                  level_times={"III": alerted, "II": risen, "I": risen + timedelta(hours=5)}))
    assert red["report_area_leaders"].starts_at == risen


def test_deadlines_sorted_by_due(policy):
    dues = [d.due_at for d in response_clocks("I", EVENT, DETECTED, policy)]
    assert dues == sorted(dues)


# --- boards and 依申请公开 --------------------------------------------------------------------------
def test_board_reply_in_working_days(policy):
    deadline = board_reply_deadline(at(2026, 9, 28, 16, 0), "people_board", policy, subject="post-1")
    assert deadline.kind == "board_reply" and deadline.working_days == 5
    assert deadline.due_at == at(2026, 10, 10, 23, 59, 59)  # 09-29, 09-30, 10-08, 10-09, 10-10 (补班)
    assert deadline.practice and not deadline.estimated


def test_board_post_on_a_holiday(policy):
    deadline = board_reply_deadline(at(2026, 10, 3, 11, 0), "people_board", policy)
    assert deadline.due_at == at(2026, 10, 13, 23, 59, 59)  # 10-08, 09, 10 (补班), 12, 13


def test_12315_has_two_statutory_limits(policy):
    limits = by_kind(board_deadlines(at(2026, 9, 28, 9, 0), "12315", policy))
    assert limits["complaint_accept"].working_days == 7
    assert limits["complaint_accept"].due_at == at(2026, 10, 13, 23, 59, 59)
    assert limits["report_verify"].due_at == at(2026, 10, 23, 23, 59, 59)
    assert not limits["report_verify"].practice
    assert board_reply_deadline(at(2026, 9, 28, 9, 0), 12315, policy, kind="report_verify").working_days == 15


def test_unknown_channel_and_kind(policy):
    with pytest.raises(ClockInputError, match="未配置的留言渠道"):
        board_reply_deadline(at(2026, 9, 28, 9, 0), "weibo", policy)
    with pytest.raises(ClockInputError, match="没有时限类型"):
        board_reply_deadline(at(2026, 9, 28, 9, 0), "12315", policy, kind="board_reply")


def test_disclosure_vectors(policy):
    assert disclosure_deadline(at(2026, 9, 28, 10, 0), policy).due_at == at(2026, 10, 30, 23, 59, 59)
    extended = disclosure_deadline(at(2026, 9, 28, 10, 0), policy, extended=True)
    assert extended.due_at == at(2026, 11, 27, 23, 59, 59) and "延期" in extended.label
    assert disclosure_deadline(at(2026, 2, 13, 10, 0), policy).due_at.date() == date(2026, 3, 19)
    assert disclosure_deadline(at(2026, 9, 25, 10, 0), policy).due_at.date() == date(2026, 10, 29)
    paused = disclosure_deadline(at(2026, 9, 28, 10, 0), policy, paused_working_days=15)
    assert paused.working_days == 35


def test_deadline_into_missing_year_is_estimated(policy):
    deadline = disclosure_deadline(at(2026, 12, 20, 10, 0), policy)
    assert deadline.estimated and deadline.due_at.year == 2027
    assert "估算" in clock_status(deadline, at(2026, 12, 21, 9, 0)).text


def test_calendar_overrides_from_config_move_board_deadlines():
    text = DEFAULT_PATH.read_text(encoding="utf-8").replace(
        "  overrides: []", "  overrides:\n    - {date: 2026-10-09, workday: false, note: 临时停工}"
    ).replace("  due_time: \"23:59:59\"", "  due_time: \"17:30\"")
    policy = load_policy("clocks.yaml", text=text)
    deadline = board_reply_deadline(at(2026, 9, 28, 16, 0), "people_board", policy)
    assert deadline.due_at == at(2026, 10, 12, 17, 30)


def test_admin_completes_2027_in_config():
    text = DEFAULT_PATH.read_text(encoding="utf-8").replace(
        "  overrides: []", "  overrides:\n    - {date: 2027-01-01, workday: false, note: 元旦}"
    ).replace("  complete_years: []", "  complete_years: [2027]")
    policy = load_policy("clocks.yaml", text=text)
    deadline = board_reply_deadline(at(2026, 12, 30, 9, 0), "people_board", policy)
    assert not deadline.estimated
    assert deadline.due_at == at(2027, 1, 7, 23, 59, 59)  # 12-31, (01-01 off), 01-04, 05, 06, 07
    assert policy.calendar.status(date(2026, 12, 1)).ok
    assert load_policy().calendar.status(date(2026, 12, 1)).missing_years == (2027,)


def test_explicit_calendar_argument_wins(policy):
    calendar = WorkCalendar({date(2026, 10, 10): False})
    deadline = board_reply_deadline(at(2026, 9, 28, 16, 0), "people_board", policy, calendar)
    assert deadline.due_at == at(2026, 10, 12, 23, 59, 59)


# --- countdown status ---------------------------------------------------------------------------------
@pytest.fixture
def five_hours(policy):
    return by_kind(response_clocks("I", EVENT, DETECTED, policy, include_internal=False))["authoritative_info"]


def test_status_remaining(five_hours):
    status = clock_status(five_hours, at(2026, 5, 10, 12, 1))
    assert status.state == "remaining" and status.remaining == timedelta(minutes=59)
    assert status.text == "发布权威信息剩余59分钟（5月10日 13:00截止）"


def test_status_overdue(five_hours):
    status = clock_status(five_hours, at(2026, 5, 11, 15, 30))
    assert status.state == "overdue" and status.remaining < timedelta(0)
    assert status.text == "发布权威信息已超时1天2小时（5月10日 13:00截止）"


def test_status_met_and_met_late(five_hours):
    met = clock_status(five_hours, at(2026, 5, 12, 0, 0), responded_at=at(2026, 5, 10, 11, 0))
    assert met.state == "met" and met.done and met.text == "发布权威信息已按时完成（提前2小时）"
    late = clock_status(five_hours, at(2026, 5, 12, 0, 0), responded_at=at(2026, 5, 10, 13, 30))
    assert late.state == "met_late" and late.done and "超时30分钟" in late.text


def test_response_after_now_is_not_counted_yet(five_hours):
    status = clock_status(five_hours, at(2026, 5, 10, 12, 0), responded_at=at(2026, 5, 10, 12, 30))
    assert status.state == "remaining"


def test_due_instant_is_still_remaining(five_hours):
    assert clock_status(five_hours, five_hours.due_at).state == "remaining"
    assert clock_status(five_hours, five_hours.due_at + timedelta(seconds=1)).state == "overdue"


@pytest.mark.parametrize(
    ("delta", "text"),
    [
        (timedelta(seconds=30), "不足1分钟"),
        (timedelta(minutes=45), "45分钟"),
        (timedelta(hours=3), "3小时"),
        (timedelta(hours=3, minutes=12, seconds=59), "3小时12分"),
        (timedelta(days=2), "2天"),
        (timedelta(days=1, hours=2, minutes=5), "1天2小时"),
        (-timedelta(hours=1, minutes=1), "1小时1分"),
    ],
)
def test_format_duration(delta, text):
    assert format_duration(delta) == text


# --- reminders ----------------------------------------------------------------------------------------
def record(sent: set[str], reminders) -> set[str]:
    for reminder in reminders:
        sent |= set(reminder.covers)
    return sent


def test_reminder_one_hour_before_then_overdue(five_hours):
    sent: set[str] = set()
    assert due_reminders([five_hours], at(2026, 5, 10, 11, 59), sent) == []
    first = due_reminders([five_hours], at(2026, 5, 10, 12, 0), sent)
    assert [r.point.name for r in first] == ["before:1h"]
    assert first[0].text.startswith("【提醒】发布权威信息剩余1小时")
    record(sent, first)
    assert due_reminders([five_hours], at(2026, 5, 10, 12, 30), sent) == []
    overdue = due_reminders([five_hours], at(2026, 5, 10, 13, 5), sent)
    assert [r.point.name for r in overdue] == ["overdue"] and overdue[0].text.startswith("【超时】")
    record(sent, overdue)
    assert due_reminders([five_hours], at(2026, 5, 11, 13, 5), sent) == []


def test_restart_never_resends(five_hours, policy):
    deadlines = response_clocks("I", EVENT, DETECTED, policy)
    now = at(2026, 5, 10, 12, 40)
    sent = record(set(), due_reminders(deadlines, now, set()))
    assert sent
    # A restart re-reads the persisted keys: the same call sends nothing, now or a little later.
    assert due_reminders(deadlines, now, frozenset(sent)) == []
    assert due_reminders(deadlines, now + timedelta(minutes=5), list(sent)) == []


def test_catch_up_sends_only_latest_point(five_hours):
    # Service was down from before the 1 h mark until after the due time.
    reminders = due_reminders([five_hours], at(2026, 5, 10, 14, 0), set())
    assert len(reminders) == 1 and reminders[0].point.name == "overdue"
    assert len(reminders[0].covers) == 2  # the missed 1 h reminder is recorded, never sent late
    assert due_reminders([five_hours], at(2026, 5, 10, 14, 0), set(reminders[0].covers)) == []


def test_no_reminders_once_responded(five_hours):
    responded = {five_hours.key: at(2026, 5, 10, 11, 0)}
    assert due_reminders([five_hours], at(2026, 5, 10, 14, 0), set(), responded) == []


def test_deadline_keys_differ_by_subject_and_kind(policy):
    a = response_clocks("I", EVENT, DETECTED, policy, subject="event-a")
    b = response_clocks("I", EVENT, DETECTED, policy, subject="event-b")
    keys = {d.key for d in a} | {d.key for d in b}
    assert len(keys) == len(a) + len(b)


def test_overdue_repeat_when_configured():
    text = DEFAULT_PATH.read_text(encoding="utf-8").replace("overdue_every: null", "overdue_every: 24h")
    policy = load_policy("clocks.yaml", text=text)
    deadline = by_kind(response_clocks("III", EVENT, DETECTED, policy, include_internal=False))["response"]
    sent = record(set(), due_reminders([deadline], deadline.due_at + timedelta(minutes=1), set()))
    assert due_reminders([deadline], deadline.due_at + timedelta(hours=23), sent) == []
    again = due_reminders([deadline], deadline.due_at + timedelta(hours=24, minutes=1), sent)
    assert [r.point.name for r in again] == ["overdue#1"]


def test_reminder_points_before_the_start_are_dropped(policy):
    # A 1-working-day limit received on Friday afternoon: "1 working day before" would be Friday 09:00.
    text = DEFAULT_PATH.read_text(encoding="utf-8").replace("working_days: 5,", "working_days: 1,")
    short = load_policy("clocks.yaml", text=text)
    deadline = board_reply_deadline(at(2026, 10, 16, 15, 0), "people_board", short)
    assert deadline.due_at == at(2026, 10, 19, 23, 59, 59)
    assert [p.name for p in deadline.reminder_points] == ["overdue"]
    assert due_reminders([deadline], at(2026, 10, 16, 15, 1), set()) == []


def test_working_day_reminder_fires_on_previous_working_day_morning(policy):
    deadline = board_reply_deadline(at(2026, 9, 28, 16, 0), "people_board", policy)  # due 10-10
    assert due_reminders([deadline], at(2026, 10, 9, 8, 59), set()) == []
    (reminder,) = due_reminders([deadline], at(2026, 10, 9, 9, 0), set())
    assert reminder.point.name == "before:1wd" and "剩余1天14小时" in reminder.text


# --- configuration errors name file:line --------------------------------------------------------------
MINIMAL = """\
levels:
  - key: I
    name: 特别重大
    colour: 红
clocks:
  authoritative_info: {label: 发布权威信息, hours: 5}
  press_conference: {label: 召开新闻发布会, hours: 24}
  response: {label: 回应关切, hours: 48}
"""


def test_minimal_config_gets_defaults():
    policy = load_policy("mini.yaml", text=MINIMAL)
    assert policy.reminders.before == (timedelta(hours=1),)
    assert policy.disclosure.working_days == 20 and policy.boards == {}
    assert policy.calendar.due_time.hour == 23


LIMIT = "      - {kind: board_reply, label: 答复, working_days: 5}\n"


@pytest.mark.parametrize(
    ("extra", "marker", "occurrence", "message"),
    [
        ("levles: []\n", "levles", 1, "未知的键 'levles'"),
        ("clock_start: soon\n", "clock_start", 1, "取值 'soon' 无效"),
        ("reminders:\n  before: [1小时]\n", "before:", 1, "时长格式无效"),
        ("reminders:\n  at_overdue: 是\n", "at_overdue", 1, "应为布尔值"),
        ("reminders:\n  overdue_every: 10m\n", "overdue_every", 1, "不得短于 1h"),
        ("calendar:\n  due_time: \"25:00\"\n", "due_time", 1, "时刻格式无效"),
        ("calendar:\n  overrides:\n    - {date: 2027-01-01 10:00:00, workday: false}\n", "2027-01-01", 1,
         "不要带时刻"),
        ("calendar:\n  overrides:\n    - {date: 2027-01-01, workday: false}\n    - {date: 2027-01-01, workday: true}\n",
         "2027-01-01", 2, "日期 2027-01-01 重复"),
        ("boards:\n  - channel: a\n    name: A\n    limits:\n      - {kind: board_reply, label: 答复, working_days: 五}\n",
         "working_days: 五", 1, "应为整数"),
        ("boards:\n  - channel: a\n    name: A\n    limits: []\n", "limits: []", 1, "至少需要一个时限"),
        ("boards:\n  - channel: a\n    name: A\n    limits:\n" + LIMIT + "  - channel: a\n    name: B\n    limits:\n"
         + LIMIT, "channel: a", 2, "渠道 'a' 重复"),
        ("internal_reporting:\n  - kind: report_leaders\n    label: 报告\n    hours: 2\n    levels: [I, IX]\n",
         "levels: [I, IX]", 1, "未知的级别 'IX'"),
        ("internal_reporting:\n  - kind: report_leaders\n    label: 报告\n    hours: 2\n    working_days: 1\n"
         "    levels: [I]\n", "- kind: report_leaders", 1, "只能给一个"),
        ("internal_reporting:\n  - kind: Report Leaders\n    label: 报告\n    hours: 2\n    levels: [I]\n",
         "Report Leaders", 1, "类型标识"),
    ],
)
def test_config_errors_name_file_and_line(extra, marker, occurrence, message):
    text = MINIMAL + extra
    expected_line = [i for i, line in enumerate(text.splitlines(), 1) if marker in line][occurrence - 1]
    with pytest.raises(ConfigError) as info:
        load_policy("config/clocks.yaml", text=text)
    assert str(info.value).startswith(f"config/clocks.yaml:{expected_line}:"), str(info.value)
    assert message in str(info.value)


def test_duplicate_level_spelling_names_the_level():
    text = MINIMAL.replace("    colour: 红\n", "    colour: 红\n  - key: II\n    name: 特别重大\n    colour: 橙\n")
    with pytest.raises(ConfigError, match=r"^x\.yaml:5: levels\[1\]: 级别写法 '特别重大' 与级别 I 重复"):
        load_policy("x.yaml", text=text)


def test_wrong_type_for_hours_names_line():
    text = MINIMAL.replace("hours: 5}", "hours: 五小时}")
    with pytest.raises(ConfigError, match=r"^x\.yaml:6: clocks\.authoritative_info\.hours: 应为数字"):
        load_policy("x.yaml", text=text)


def test_missing_clock_is_reported():
    text = MINIMAL.replace("  response: {label: 回应关切, hours: 48}\n", "")
    with pytest.raises(ConfigError, match="缺少必填键 'response'"):
        load_policy("x.yaml", text=text)


def test_duplicate_yaml_key_names_line():
    with pytest.raises(ConfigError, match=r"^x\.yaml:9: 重复的键"):
        load_policy("x.yaml", text=MINIMAL + "levels: []\n")


def test_parse_duration():
    assert parse_duration("1h30m") == timedelta(minutes=90)
    assert parse_duration("2d") == timedelta(days=2)
    assert parse_duration("90min") == timedelta(minutes=90)
    for bad in ("", "h", "1 小时", "-1h"):
        with pytest.raises(ValueError):
            parse_duration(bad)
    assert parse_duration("3660d") == timedelta(days=3660)
    for bad in ("3661d", "9" * 20 + "h"):  # the second overflowed timedelta with an English message
        with pytest.raises(ValueError, match="时长过长"):
            parse_duration(bad)


def test_channel_name_shows_a_key_by_its_display_name(policy):
    assert policy.channel_name("people_board") == "人民网《领导留言板》"
    assert policy.channel_name("人民网《领导留言板》") == "人民网《领导留言板》"
    assert policy.channel_name("某区政务留言") == "某区政务留言" and policy.channel_name(None) == ""
