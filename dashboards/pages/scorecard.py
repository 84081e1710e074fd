"""考核: per owner unit, over the alerts first raised in a period — report time, on-time rate per clock and the
three failure flags (报告不及时 / 处置不得力 / 回应不妥当), from ``yuqing.alerts.scorecard(store, since, until)``.
"""

from __future__ import annotations

from datetime import date, datetime, time, timedelta

import dash
import pandas as pd
from dash import Input, Output, dash_table, dcc, html

from analysis.accountability import PRE_ASSIGNMENT
from yuqing.alerts.audit import kind_labels
from dashboards.auth import guard_layout, guarded_callback
from dashboards.common import SHANGHAI, card, current_store, now_local, stat

ROLES = ("leader", "press", "analyst", "admin")
dash.register_page(__name__, path="/scorecard", name="考核", title="考核 · 政务舆情监测", order=7, roles=ROLES)

DEFAULT_DAYS = 30
FLAGS = {"late_report": "报告不及时", "ineffective": "处置不得力", "inappropriate": "回应不妥当"}
def period(since: str | None, until: str | None, today: date) -> tuple[datetime, datetime]:
    """Whole Shanghai days, ``until`` inclusive; the last 30 days by default."""
    end = _day(until) or today
    start = _day(since) or end - timedelta(days=DEFAULT_DAYS - 1)
    if start > end:
        start, end = end, start
    return (datetime.combine(start, time(), tzinfo=SHANGHAI),
            datetime.combine(end + timedelta(days=1), time(), tzinfo=SHANGHAI))


def _day(value) -> date | None:
    try:
        return date.fromisoformat(str(value)[:10]) if value else None
    except ValueError:
        return None


def unit_scores(store, since: datetime, until: datetime, now: datetime) -> list:
    """The store's scorecard as known now (never judged past the present: ``until`` is capped at ``now``)."""
    try:
        from yuqing.alerts import scorecard
    except ImportError:
        return _scores_from_alerts(store, since, min(until, now))
    return scorecard(store, since, max(since + timedelta(seconds=1), min(until, now)))


def _scores_from_alerts(store, since: datetime, until: datetime) -> list:
    from analysis.accountability import unit_scorecard

    query = {"range": {"first_alerted_at": {"gte": since.isoformat(), "lt": until.isoformat()}}}
    alerts = [hit["_source"] for hit in store.search("alerts", query, size=5000, track_total_hits=False)["hits"]["hits"]]
    scores = unit_scorecard(alerts, until)
    return [scores[unit] for unit in sorted(scores)]


def scorecard_frame(scores: list) -> tuple[pd.DataFrame, list[tuple[str, str]]]:
    """One row per unit: alerts, median report hours, on-time rate per clock kind ('85%（17/20）'), flags.

    Returns the frame and its (column id, Chinese name) pairs; kinds appear in a stable order.
    """
    labels = kind_labels()
    kinds = sorted({k for s in scores for k in s.due}, key=lambda k: (list(labels).index(k) if k in labels else 99, k))
    rows = []
    for s in scores:
        row = {"unit": s.unit, "alerts": s.alerts,
               "report_hours": "—" if s.median_report_hours is None else f"{s.median_report_hours:.1f}"}
        for kind in kinds:
            rate = s.on_time_rate(kind)
            row[f"rate_{kind}"] = "—" if rate is None else f"{rate:.0%}（{s.on_time.get(kind, 0)}/{s.due[kind]}）"
        for flag in FLAGS:
            row[flag] = getattr(s, flag)
        row["flagged"] = sum(row[f] for f in FLAGS) > 0
        rows.append(row)
    columns = [("unit", "责任单位"), ("alerts", "预警数"), ("report_hours", "报告用时中位数（小时）"),
               *[(f"rate_{k}", f"{labels.get(k, k)}按时率") for k in kinds], *FLAGS.items()]
    frame = pd.DataFrame(rows, columns=[c for c, _ in columns] + ["flagged"])
    return frame, columns


@guard_layout(ROLES)
def layout(since: str | None = None, until: str | None = None, **_query):
    """``/scorecard`` (last 30 days) or ``/scorecard?since=2024-03-01&until=2024-03-31``."""
    start, end = period(since, until, now_local().date())
    return html.Div(id="scorecard-page", className="page", children=[
        html.H2("处置考核"),
        html.Div(className="row", children=[
            dcc.DatePickerRange(id="scorecard-dates", display_format="YYYY-MM-DD", first_day_of_week=1,
                                start_date=start.date().isoformat(),
                                end_date=(end - timedelta(days=1)).date().isoformat()),
            html.Div(id="scorecard-note", className="muted")]),
        html.Div(id="scorecard-stats", className="stats"),
        card("各单位按时率与问责标记", html.Div(id="scorecard-table")),
        html.P("按时率：已到期的时限中按时完成的比例。标记依据《2018年政务公开工作要点》三类问责情形，"
               "按本系统记录推定（报告不及时：确认晚于内部报告时限；处置不得力：回应时限未按时完成或回应后声量未下降；"
               "回应不妥当：回应后负面占比上升超过10个百分点），供核实参考。回应效果在回应后24小时统计窗口结束后才判定。"
               f"时限归属到期时持有预警的一方：交办前到期的时限（及未交办预警的时限）计入“{PRE_ASSIGNMENT}”一行，"
               "不计入之后才接手的责任单位。", className="muted small"),
    ])


@guarded_callback(Output("scorecard-stats", "children"), Output("scorecard-table", "children"),
                  Output("scorecard-note", "children"), Input("scorecard-dates", "start_date"),
                  Input("scorecard-dates", "end_date"), roles=ROLES)
def refresh(since, until):
    now = now_local()
    start, end = period(since, until, now.date())
    scores = unit_scores(current_store(), start, end, now)
    note = f"统计区间：{start:%Y-%m-%d} 至 {(end - timedelta(days=1)):%Y-%m-%d}（按首次预警时间），数据截至 {now:%Y-%m-%d %H:%M}"
    if not scores:
        return [], html.P("该区间内没有可考核的预警（既未交办，也没有已到期的时限）。", className="muted",
                          id="scorecard-empty"), note
    frame, columns = scorecard_frame(scores)
    totals = {flag: int(frame[flag].sum()) for flag in FLAGS}
    alerts = len(set().union(*(s.alert_ids for s in scores)))  # an alert late before and after assignment is one
    stats = [stat("责任单位", int((frame["unit"] != PRE_ASSIGNMENT).sum())), stat("预警数", alerts),
             *[stat(label, totals[flag], tone="bad" if totals[flag] else "") for flag, label in FLAGS.items()]]
    table = dash_table.DataTable(
        id="scorecard-units", data=frame.to_dict("records"), columns=[{"name": n, "id": i} for i, n in columns],
        sort_action="native", style_cell={"textAlign": "left", "fontSize": 13, "padding": "6px", "whiteSpace": "normal"},
        style_header={"fontWeight": "600", "backgroundColor": "#f3f6f9"},
        style_data_conditional=[
            *[{"if": {"filter_query": f"{{{flag}}} > 0", "column_id": flag}, "color": "#c0392b", "fontWeight": "600"}
              for flag in FLAGS],
            {"if": {"filter_query": "{flagged} eq true", "column_id": "unit"}, "color": "#a93226"}])
    return stats, table, note
