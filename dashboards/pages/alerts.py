"""预警: the live alert list (most urgent first) with level colours, countdowns and the handling forms.

Every action goes through ``yuqing.alerts.workflow`` — the same functions as the CLI — which writes the
audit record. The handling forms are rendered only for the roles that may use them (leaders and analysts
read); every callback still checks the role on the server. Until that module exists the page shows a
placeholder.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from urllib.parse import quote

import dash
from dash import ALL, Input, Output, State, dcc, html

from analysis import clocks
from dashboards.auth import current_user, guard_layout, guarded_callback
from dashboards.common import SHANGHAI, card, current_store, dropdown, fmt_time, parse_time
from dashboards.common import now as now_utc

try:
    from yuqing.alerts import workflow
except ImportError:  # the alerts engine has not landed yet
    workflow = None

ROLES = ("press", "analyst", "leader", "unit", "admin")
MANAGERS = ("press", "admin")  # acknowledge, assign, silence, close
SILENCE_CHOICES = (("4 小时", 4), ("24 小时", 24), ("7 天", 168), ("一直（直到取消）", 0))
RESPONDERS = ("press", "admin", "unit")  # record a response or a handover (units: their own alerts only)
dash.register_page(__name__, path="/alerts", path_template="/alerts/<alert_id>", name="预警",
                   title="预警 · 政务舆情监测", order=1, roles=ROLES)

COLOR_CLASSES = {"红": "level-red", "橙": "level-orange", "黄": "level-yellow", "蓝": "level-blue"}
FALLBACK_STATUS_LABELS = {"new": "新预警", "acknowledged": "已确认", "assigned": "已交办", "responded": "已回应",
                          "closed": "已办结"}
REFRESH_MS = 10_000


def status_labels() -> dict:
    return getattr(workflow, "STATUS_LABELS", FALLBACK_STATUS_LABELS)


def deadline_rows(alert: dict, now: datetime) -> list[dict]:
    """Each deadline of an alert, earliest due first, with its Chinese countdown and state
    (remaining | overdue | met | met_late | unmet: a closed alert's duty that was never done)."""
    rows = []
    closed = alert.get("status") == "closed"
    for item in alert.get("deadlines") or []:
        due = parse_time(item.get("due_at"))
        if due is None:
            continue
        due = due.astimezone(SHANGHAI)  # the countdown text names the due time in Shanghai time
        label = item.get("label") or "时限"
        met = parse_time(item.get("met_at"))
        if closed and (met is None or met > now):
            rows.append({"label": label, "due": fmt_time(due), "due_at": due, "state": "unmet",
                         "text": f"{label}未完成（已办结，{fmt_time(due)}截止）", "remaining_s": 0.0})
            continue
        deadline = clocks.Deadline(item.get("kind") or "", label, due, due)
        status = clocks.clock_status(deadline, now, responded_at=met)
        rows.append({"label": label, "due": fmt_time(due), "due_at": due, "state": status.state,
                     "text": status.text, "remaining_s": status.remaining.total_seconds()})
    return sorted(rows, key=lambda r: r["due_at"])


def may_handle(alert: dict) -> bool:
    """Whether the 处置 panel has anything to do with it: open alerts, and closed ones whose
    investigation report is still to be recorded."""
    if alert.get("status") != "closed":
        return True
    return any(d.get("kind") == "investigation_report" and not d.get("met_at") for d in alert.get("deadlines") or [])


def visible_alerts(store, user, *, include_closed: bool = False, size: int = 200) -> list[dict]:
    """Alerts this user may see, most urgent first: units see only the alerts assigned to them."""
    statuses = None if include_closed else [s for s in workflow.STATUSES if s != "closed"]
    # A silence mutes pushes only: the clocks still run, so a silenced alert stays on the list, marked.
    alerts = workflow.list_alerts(store, statuses=statuses, size=size, include_silenced=True)
    if user is not None and user.role == "unit":
        alerts = [a for a in alerts if a.get("owner_unit") == user.unit]
    return alerts


def event_href(event_id: str) -> str:
    return f"/event/{quote(str(event_id), safe='')}"


def selection_title(alert: dict | None, alert_id: str) -> str:
    if alert is None:
        return f"预警不存在：{alert_id}"
    return f"当前：{alert.get('title') or alert_id}（{status_labels().get(alert.get('status'), '')}）"


def render_alert(alert: dict, now: datetime, can_ack: bool, selected: str | None = None) -> html.Article:
    alert_id = alert["id"]
    rows = deadline_rows(alert, now)
    overdue = any(r["state"] == "overdue" for r in rows)
    status = alert.get("status") or "new"
    clocks_children = [html.Li(r["text"], className=f"clock clock-{r['state']}") for r in rows]
    facts = [html.Span(f"{alert.get('level', '')}级 · {alert.get('color', '')}", className="tag level-tag"),
             html.Span(status_labels().get(status, status), className=f"tag status-{status}",
                       id={"type": "alerts-status", "index": alert_id}),
             html.Span(f"首次预警 {fmt_time(alert.get('first_alerted_at'))}"),
             html.Span(f"相关帖子 {alert.get('post_count') or 0} 条")]
    if alert.get("owner_unit"):
        facts.append(html.Span(f"责任单位：{alert['owner_unit']}"))
    if alert.get("handling_type"):
        facts.append(html.Span(f"处置类型：{alert['handling_type']}"))
    if alert.get("reopen_reason") and status != "closed":
        facts.append(html.Span(f"重新打开：{alert['reopen_reason']}", className="tag reopened",
                               id={"type": "alerts-reopened", "index": alert_id}))
    if workflow is not None and workflow.is_silenced(alert, now):
        until = alert.get("silenced_until")
        facts.append(html.Span(f"推送已静默{f'（至 {fmt_time(until)}）' if until else ''}", className="tag muted",
                               id={"type": "alerts-silenced", "index": alert_id}))
    buttons = [html.Button("处理", id={"type": "alerts-pick", "index": alert_id}, className="btn btn-small")] \
        if may_handle(alert) else []
    if alert.get("event_id"):
        buttons.append(dcc.Link("事件详情", href=event_href(alert["event_id"]), className="btn btn-small",
                                id={"type": "alerts-event", "index": alert_id}))
    if can_ack and (status == "new" or (workflow is not None and workflow.unreported(alert))):
        # after a level rise the press officer confirms (reports) the new level: 确认升级
        buttons.insert(0, html.Button("确认" if status == "new" else "确认升级",
                                      id={"type": "alerts-ack", "index": alert_id},
                                      className="btn btn-small btn-primary"))
    classes = f"alert {COLOR_CLASSES.get(alert.get('color'), '')}{' overdue' if overdue else ''}"
    return html.Article(className=classes + (" selected" if alert_id == selected else ""),
                        id=f"alerts-item-{alert_id}", children=[
                            html.Div(className="alert-head", children=[
                                html.H4(alert.get("title") or "（无标题）"), html.Div(buttons, className="alert-actions")]),
                            html.Div(facts, className="alert-facts"),
                            html.Ul(clocks_children, className="clocks") if clocks_children else None])


def unit_options(store) -> list[str]:
    """The units offered for 交办: the units of unit accounts, then units already assigned (free text stays possible)."""
    from yuqing import accounts

    units: list[str] = []
    try:
        units = [u.unit for u in accounts.list_users(store) if u.role == "unit" and u.unit]
    except Exception:  # noqa: BLE001 - suggestions only; the form works without them
        units = []
    try:
        result = store.search("alerts", {"exists": {"field": "owner_unit"}}, size=0, track_total_hits=False,
                              aggs={"u": {"terms": {"field": "owner_unit", "size": 50}}})
        units += [b["key"] for b in result["aggregations"]["u"]["buckets"]]
    except Exception:  # noqa: BLE001
        pass
    return sorted({u for u in units if len(u) <= workflow.NAME_MAX})


def _field(id_: str, placeholder: str, limit: int, **props) -> dcc.Input:
    """A text field of the handling forms, cut at the length the workflow accepts."""
    return dcc.Input(id=id_, placeholder=placeholder, className="input", maxLength=limit, **props)


def action_controls(user, units: list[str] | None = None) -> list:
    """The handling forms this user's role may use (the callbacks check the role again on the server).

    Press officers and admins assign and close; units record responses and handovers; leaders and
    analysts only read.
    """
    role = user.role if user is not None else None
    controls: list = []
    if role in MANAGERS:
        controls += [
            html.H5("交办"),
            _field("alerts-owner-unit", "责任单位（可从列表选择）", workflow.NAME_MAX, list="alerts-unit-options"),
            html.Datalist(id="alerts-unit-options", children=[html.Option(value=u) for u in units or []]),
            dropdown(id="alerts-handling-type", placeholder="处置类型", className="filter",
                     options=list(workflow.HANDLING_TYPES)),
            html.Button("交办", id="alerts-assign", className="btn")]
    if role in RESPONDERS:
        controls += [
            html.H5("记录回应"),
            dropdown(id="alerts-channel", placeholder="回应渠道", className="filter",
                     options=list(workflow.RESPONSE_CHANNELS)),
            _field("alerts-reference", "链接（http/https）或文号", workflow.REFERENCE_MAX),
            html.Button("记录回应", id="alerts-respond", className="btn"),
            html.H5("移交（虚假和不实信息）"),
            _field("alerts-receiver", "接收单位，如 市公安局网安支队", workflow.NAME_MAX),
            _field("alerts-handover-ref", "移交文号或记录", workflow.REFERENCE_MAX),
            html.Button("记录移交", id="alerts-handover", className="btn"),
            html.H5("报送核实调查报告"),
            _field("alerts-investigation-ref", "报告文号或链接（http/https）", workflow.REFERENCE_MAX),
            html.Button("记录报送", id="alerts-investigation", className="btn")]
    if role in MANAGERS:
        controls += [
            html.H5("推送静默"),
            html.P("静默只停止推送，预警、倒计时和提醒照常显示。", className="muted"),
            dropdown(id="alerts-silence-for", placeholder="静默时长", className="filter", clearable=False,
                     options=[{"label": label, "value": hours} for label, hours in SILENCE_CHOICES], value=24),
            html.Div(className="row", children=[
                html.Button("静默推送", id="alerts-silence", className="btn"),
                html.Button("取消静默", id="alerts-unsilence", className="btn")]),
            html.H5("办结"),
            dcc.Textarea(id="alerts-note", placeholder=f"办结说明（可选，最多 {workflow.NOTE_MAX} 字）", className="input",
                         maxLength=workflow.NOTE_MAX),
            html.P("办结不会把未完成的时限记为完成：未报送的核实调查报告将记为未完成，可在办结后补报。",
                   className="muted"),
            html.Button("办结", id="alerts-close", className="btn btn-danger")]
    if not controls:
        controls = [html.P("当前角色只能查看预警；确认、交办、回应和办结由新闻发言人（宣传科）和责任单位操作。",
                           id="alerts-readonly", className="muted")]
    return controls


@guard_layout(ROLES)
def layout(alert_id: str | None = None, id: str | None = None, **_query):
    """``/alerts``; ``/alerts/<alert_id>`` and ``/alerts?id=…`` (links in notices) open with that alert picked."""
    if workflow is None:
        return html.Div(id="alerts-page", className="page", children=[
            html.H2("预警"),
            html.Div(id="alerts-placeholder", className="notice", children=[
                html.H3("预警模块尚未安装"),
                html.P("预警引擎（yuqing.alerts）上线后，这里会实时显示预警列表、回应倒计时和处置表单。")])])
    user = current_user()
    units = unit_options(current_store()) if user is not None and user.role in MANAGERS else []
    picked, picked_title = (alert_id or id or None), "在预警列表中选择一条预警"
    if picked:
        found = workflow.get_alert(current_store(), picked)
        picked_title = selection_title(found, picked)
        picked = picked if found else None
    return html.Div(id="alerts-page", className="page", children=[
        html.H2("预警"),
        dcc.Interval(id="alerts-tick", interval=REFRESH_MS),
        dcc.Store(id="alerts-selected", data=picked), dcc.Store(id="alerts-changed", data=0),
        dcc.Store(id="alerts-changed-report", data=0),
        html.Div(className="row", children=[
            dcc.Checklist(id="alerts-show-closed", options=[{"label": " 显示已办结", "value": "closed"}], value=[]),
            html.Div(id="alerts-updated", className="muted")]),
        html.Div(className="alerts-layout", children=[
            html.Div(id="alerts-list", className="alert-list"),
            card("处置", html.Div(id="alerts-selected-title", className="muted", children=picked_title),
                 html.Div(className="form", children=action_controls(user, units)),
                 html.Div(id="alerts-message", className="message"),
                 html.Div(id="alerts-report-message", className="message"),
                 id="alerts-panel", class_name="alert-panel"),
        ]),
        card("留言答复时限（按工作日计）", dcc.Interval(id="alerts-boards-tick", interval=BOARDS_REFRESH_MS),
             html.Div(id="alerts-boards"), id="alerts-boards-card"),
    ])


@guarded_callback(Output("alerts-list", "children"), Output("alerts-updated", "children"),
                  Input("alerts-tick", "n_intervals"), Input("alerts-changed", "data"),
                  Input("alerts-changed-report", "data"), Input("alerts-show-closed", "value"),
                  State("alerts-selected", "data"), roles=ROLES)
def refresh(_tick, _changed, _reported, show_closed, selected=None):
    user = current_user()
    now = now_utc()
    alerts = visible_alerts(current_store(), user, include_closed="closed" in (show_closed or []))
    can_ack = user is not None and user.role in MANAGERS
    items = [render_alert(a, now, can_ack, selected) for a in alerts] or [
        html.P("当前没有待处理的预警。", className="muted")]
    return items, f"共 {len(alerts)} 条 · 更新于 {fmt_time(now)}"


BOARD_ITEMS = 8
BOARDS_REFRESH_MS = 60_000  # working-day clocks: a minute is fine grain, unlike the alert countdowns


def board_clock_rows(store, now: datetime, scope: list[dict] | None = None) -> tuple[dict, list[dict]]:
    """The board-reply clocks a press officer watches beside the alerts: counts of every unreplied post
    and the posts overdue or due within one working day (most overdue first, at most BOARD_ITEMS)."""
    from dashboards.pages import boards

    summary = boards.pending_summary(store, now, scope)
    if not summary["overdue"] and not summary["due_soon"]:
        return summary, []
    urgent = [r for r in boards.pending_posts(store, now, scope) if r["overdue"] or r["workdays_left"] <= 1]
    return summary, urgent[:BOARD_ITEMS]


@guarded_callback(Output("alerts-boards", "children"), Input("alerts-boards-tick", "n_intervals"), roles=ROLES)
def refresh_boards(_tick):
    from dashboards.pages import boards

    summary, rows = board_clock_rows(current_store(), now_utc(), boards.unit_scope())
    head = html.P(f"待答复 {summary['pending']} 条 · 1个工作日内到期 {summary['due_soon']} 条 · "
                  f"已超期 {summary['overdue']} 条", id="alerts-boards-summary", className="muted")
    items = [html.Li([html.Span(r["countdown"], className="clock-overdue" if r["overdue"] else "clock-remaining"),
                      " ", html.Span(r["title"]),
                      html.Span(f"（{r['channel'] or '未知渠道'} · {r['addressee']}）", className="muted")])
             for r in rows]
    listing = html.Ul(items, className="board-clocks") if items else html.P("没有即将到期的留言。", className="muted")
    return [head, listing, dcc.Link("查看全部留言 →", href="/boards")]


@guarded_callback(Output("alerts-selected", "data"),
                  Input({"type": "alerts-pick", "index": ALL}, "n_clicks"), prevent_initial_call=True, roles=ROLES)
def pick(clicks):
    if not any(clicks or []):
        raise dash.exceptions.PreventUpdate
    return dash.ctx.triggered_id["index"]


@guarded_callback(Output("alerts-selected-title", "children"), Input("alerts-selected", "data"),
                  Input("alerts-changed", "data"), Input("alerts-changed-report", "data"),
                  Input("alerts-tick", "n_intervals"), roles=ROLES)
def selected_title(selected, _changed=None, _reported=None, _tick=None):
    """The 处置 panel's 「当前：…（status）」, read again after every action and every list refresh."""
    if not selected:
        return "在预警列表中选择一条预警"
    return selection_title(workflow.get_alert(current_store(), selected), selected)


def acting_on(store, alert_id: str | None, user) -> dict:
    """The alert the user acts on; a unit member may only act on alerts assigned to their unit."""
    if not alert_id:
        raise workflow.WorkflowError("请先在预警列表中选择一条预警")
    alert = workflow.get_alert(store, alert_id)
    if alert is None:
        raise workflow.WorkflowError("所选预警已不存在（可能已与其他事件合并），请刷新列表后重新选择")
    if user.role == "unit" and alert.get("owner_unit") != user.unit:
        raise workflow.WorkflowError("该预警未交办给本单位，不能操作")
    return alert


@guarded_callback(Output("alerts-message", "children"), Output("alerts-changed", "data"),
                  Input({"type": "alerts-ack", "index": ALL}, "n_clicks"), Input("alerts-assign", "n_clicks"),
                  Input("alerts-close", "n_clicks"), State("alerts-selected", "data"),
                  State("alerts-owner-unit", "value"), State("alerts-handling-type", "value"),
                  State("alerts-note", "value"), State("alerts-changed", "data"),
                  prevent_initial_call=True, roles=MANAGERS)
def manage(ack_clicks, _assign, _close, selected, owner_unit, handling_type, note, changed):
    trigger = dash.ctx.triggered_id
    if isinstance(trigger, dict) and not any(ack_clicks or []):
        raise dash.exceptions.PreventUpdate  # the list re-rendered; nobody clicked
    store, user = current_store(), current_user()
    try:
        if isinstance(trigger, dict):
            alert = workflow.acknowledge(store, trigger["index"], user.username, at=now_utc())
        elif trigger == "alerts-assign":
            acting_on(store, selected, user)
            alert = workflow.assign(store, selected, user.username, (owner_unit or "").strip(), handling_type,
                                    at=now_utc())
        else:
            acting_on(store, selected, user)
            alert = workflow.close(store, selected, user.username, note or "", at=now_utc())
    except workflow.WorkflowError as exc:
        return html.Span(str(exc), className="error"), dash.no_update
    label = status_labels().get(alert.get("status"), alert.get("status"))
    message = f"已更新：{alert.get('title') or alert.get('id')} → {label}"
    if trigger == "alerts-close":
        unmet = [d.get("label") or d.get("kind") for d in workflow.unmet_duties(alert)]
        if unmet:
            message += f"（未完成：{'、'.join(unmet)}，已记为未完成）"
    return message, (changed or 0) + 1


@guarded_callback(Output("alerts-message", "children", allow_duplicate=True),
                  Output("alerts-changed", "data", allow_duplicate=True),
                  Input("alerts-silence", "n_clicks"), Input("alerts-unsilence", "n_clicks"),
                  State("alerts-selected", "data"), State("alerts-silence-for", "value"),
                  State("alerts-changed", "data"), prevent_initial_call=True, roles=MANAGERS)
def mute(_silence, _unsilence, selected, hours, changed):
    """静默推送 for the chosen time (0: until lifted) / 取消静默."""
    store, user = current_store(), current_user()
    now = now_utc()
    try:
        acting_on(store, selected, user)
        if dash.ctx.triggered_id == "alerts-unsilence":
            alert = workflow.unsilence(store, selected, user.username, at=now)
            message = f"已取消静默：{alert.get('title') or alert.get('id')}，推送恢复"
        else:
            hours = int(hours or 0)
            until = now + timedelta(hours=hours) if hours > 0 else None
            alert = workflow.silence(store, selected, user.username, until=until, at=now)
            message = (f"已静默推送：{alert.get('title') or alert.get('id')}"
                       + (f"，至 {fmt_time(until)}" if until else "，直到取消") + "；倒计时和提醒照常显示")
    except (workflow.WorkflowError, ValueError) as exc:
        return html.Span(str(exc), className="error"), dash.no_update
    return message, (changed or 0) + 1


@guarded_callback(Output("alerts-report-message", "children"), Output("alerts-changed-report", "data"),
                  Input("alerts-respond", "n_clicks"), Input("alerts-handover", "n_clicks"),
                  Input("alerts-investigation", "n_clicks"),
                  State("alerts-selected", "data"), State("alerts-channel", "value"),
                  State("alerts-reference", "value"), State("alerts-receiver", "value"),
                  State("alerts-handover-ref", "value"), State("alerts-changed-report", "data"),
                  State("alerts-investigation-ref", "value"), prevent_initial_call=True, roles=RESPONDERS)
def report(_respond, _handover, _investigation, selected, channel, reference, receiver, handover_ref, changed,
           investigation_ref=None):
    store, user = current_store(), current_user()
    try:
        acting_on(store, selected, user)
        if dash.ctx.triggered_id == "alerts-respond":
            alert = workflow.respond(store, selected, user.username, channel, (reference or "").strip(),
                                     at=now_utc())
        elif dash.ctx.triggered_id == "alerts-investigation":
            alert = workflow.report_investigation(store, selected, user.username, (investigation_ref or "").strip(),
                                                  at=now_utc())
            return f"已记录报送核实调查报告：{alert.get('title') or alert.get('id')}", (changed or 0) + 1
        else:
            alert = workflow.record_handover(store, selected, user.username, (receiver or "").strip(),
                                             (handover_ref or "").strip(), at=now_utc())
    except workflow.WorkflowError as exc:
        return html.Span(str(exc), className="error"), dash.no_update
    label = status_labels().get(alert.get("status"), alert.get("status"))
    return f"已记录：{alert.get('title') or alert.get('id')}（{label}）", (changed or 0) + 1


