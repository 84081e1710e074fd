"""`yuqing alerts list|show|ack|assign|respond|handover|report|close|silence|unsilence`: the response workflow.

`silence ALERT_ID` silences one alert's pushes; `silence --scheme NAME` every alert whose schemes are all
silenced. A silenced alert is still listed (marked): its clocks run on."""

from __future__ import annotations

import argparse
import json

from yuqing.cli._types import alert_level, alert_status, instant


def register(subparsers) -> None:
    from yuqing.alerts.workflow import HANDLING_TYPES, RESPONSE_CHANNELS  # light: no store import

    parser = subparsers.add_parser("alerts", help="预警处置：列表、详情、确认、交办、回应、移交、报送调查报告、办结、静默与取消静默")
    inner = parser.add_subparsers(title="子命令", metavar="<子命令>")
    lst = inner.add_parser("list", help="列出预警（最紧急的在前）")
    lst.add_argument("--status", action="append", type=alert_status,
                     help="按状态筛选（可重复）：new/acknowledged/assigned/responded/closed，"
                     "或 新预警/已确认/已交办/已回应/已办结")
    lst.add_argument("--level", action="append", type=alert_level, help="按级别筛选（可重复）：Ⅰ Ⅱ Ⅲ Ⅳ，也可写 1–4")
    lst.add_argument("--hide-silenced", action="store_true",
                     help="不列出推送已静默的预警（默认列出并标明：静默只停止推送，时限照常）")
    lst.add_argument("--all", action="store_true", help=argparse.SUPPRESS)  # the old default hid them
    lst.add_argument("--json", action="store_true", help="输出 JSON")
    lst.set_defaults(func=run_list)
    show = inner.add_parser("show", help="预警详情与处置记录")
    show.add_argument("alert_id", help=ALERT_ID_HELP)
    show.set_defaults(func=run_show)
    for name, help_text in (("ack", "确认预警（级别上升后再次确认即报告新级别）"), ("close", "办结预警"),
                            ("silence", "静默预警或整个监测方案（不再推送，预警照常记录）"),
                            ("unsilence", "取消静默预警（恢复推送）")):
        sub = inner.add_parser(name, help=help_text)
        if name == "silence":
            sub.add_argument("alert_id", nargs="?", help="预警编号（与 --scheme 二选一）")
            sub.add_argument("--scheme", help="静默该监测方案：只属于已静默方案的预警不再推送")
            sub.add_argument("--until", type=instant, help="静默截止时间（如 2024-03-12 18:00），默认一直静默")
        else:
            sub.add_argument("alert_id", help=ALERT_ID_HELP)
        sub.add_argument("--by", required=True, help="操作人")
        if name == "close":
            sub.add_argument("--note", default="", help="办结说明")
        sub.set_defaults(func=run_step, step=name)
    assign = inner.add_parser("assign", help="交办责任单位")
    assign.add_argument("alert_id", help=ALERT_ID_HELP)
    assign.add_argument("--by", required=True, help="操作人")
    assign.add_argument("--unit", required=True, help="责任单位")
    assign.add_argument("--type", required=True, choices=HANDLING_TYPES, metavar="TYPE",
                        help="处置类型，其一：" + "、".join(HANDLING_TYPES))
    assign.set_defaults(func=run_step, step="assign")
    respond = inner.add_parser("respond", help="登记回应")
    respond.add_argument("alert_id", help=ALERT_ID_HELP)
    respond.add_argument("--by", required=True, help="操作人")
    respond.add_argument("--channel", required=True, choices=RESPONSE_CHANNELS, metavar="CHANNEL",
                         help="回应渠道，其一：" + "、".join(RESPONSE_CHANNELS))
    respond.add_argument("--ref", required=True, help="链接或文号")
    respond.add_argument("--at", type=instant, help="回应时间（如 2024-03-12 15:00），默认现在")
    respond.set_defaults(func=run_step, step="respond")
    handover = inner.add_parser("handover", help="登记虚假和不实信息移交")
    handover.add_argument("alert_id", help=ALERT_ID_HELP)
    handover.add_argument("--by", required=True, help="操作人")
    handover.add_argument("--receiver", required=True, help="接收单位（公安机关/网络监管部门）")
    handover.add_argument("--ref", required=True, help="移交文号或回执")
    handover.add_argument("--at", type=instant, help="移交时间（如 2024-03-12 15:00），默认现在")
    handover.set_defaults(func=run_step, step="handover")
    report = inner.add_parser("report", help="登记报送核实调查报告（办结前后均可）")
    report.add_argument("alert_id", help=ALERT_ID_HELP)
    report.add_argument("--by", required=True, help="操作人")
    report.add_argument("--ref", required=True, help="报告文号或链接（http/https）")
    report.add_argument("--at", type=instant, help="报送时间（如 2024-03-14 10:00），默认现在")
    report.set_defaults(func=run_step, step="report")


ALERT_ID_HELP = "预警编号（yuqing alerts list 的第一列）"


def _line(alert: dict) -> str:
    from yuqing import clock
    from yuqing.alerts.workflow import STATUS_LABELS, is_silenced
    from yuqing.notify.render import deadline_state, stories

    # The clock a press officer must watch: the first deadline not yet met.
    open_deadlines = [d for d in alert.get("deadlines") or [] if not d.get("met_at") and d.get("due_at")]
    first = min(open_deadlines, key=lambda d: str(d["due_at"]), default=None)
    due = "" if first is None or alert.get("status") == "closed" else \
        f"  {first['label']} {deadline_state(first, clock.now_local(), markdown=False)}"
    muted = "  [推送已静默]" if is_silenced(alert, clock.now()) else ""
    return (f"{alert['id']}  {alert['level']}级({alert['color']})  {STATUS_LABELS.get(alert.get('status'), '?')}  "
            f"帖子{alert.get('post_count', 0)}{stories(alert)}{due}  {alert.get('title', '')}{muted}")


def run_list(args) -> int:
    from yuqing.alerts import workflow as wf
    from yuqing.store import connect

    alerts = wf.list_alerts(connect(), statuses=args.status, levels=args.level, include_silenced=not args.hide_silenced)
    if args.json:
        print(json.dumps(alerts, ensure_ascii=False, indent=1))
    else:
        for alert in alerts:
            print(_line(alert))
        if not alerts:
            print("没有预警")
    return 0


def run_show(args) -> int:
    from yuqing import clock
    from yuqing.alerts import workflow as wf
    from yuqing.alerts.audit import describe
    from yuqing.notify.render import deadline_state, show_time
    from yuqing.store import connect

    store = connect()
    alert = wf.get_alert(store, args.alert_id)
    if alert is None:
        raise wf.WorkflowError(f"预警不存在: {args.alert_id}")
    print(_line(alert))
    print(f"触发规则: {'、'.join(alert.get('rules') or [])}")
    print(f"责任单位: {alert.get('owner_unit') or '未交办'}  处置类型: {alert.get('handling_type') or '-'}")
    now = clock.now_local()
    for d in sorted(alert.get("deadlines") or [], key=lambda d: str(d.get("due_at") or "")):
        state = deadline_state(d, now, markdown=False)
        print(f"时限 {d['label']}: {show_time(d['due_at'])} 前" + (f"（{state}）" if state else ""))
    labels = {d["kind"]: d["label"] for d in alert.get("deadlines") or [] if d.get("kind") and d.get("label")}
    for r in wf.audit_trail(store, args.alert_id):
        details = describe(r, labels)
        print(f"记录 {show_time(r['at'])}  {r['actor']}  {wf.ACTION_LABELS.get(r['action'], r['action'])}"
              + (f"  {details}" if details else ""))
    return 0


def run_step(args) -> int:
    from yuqing.alerts import workflow as wf
    from yuqing.store import connect

    step = args.step
    if step == "silence" and (args.alert_id is None) == (args.scheme is None):
        raise wf.WorkflowError("请给出要静默的预警编号或 --scheme 监测方案名称（二选一）")
    store = connect()
    if step == "silence" and args.scheme is not None:
        doc = wf.silence_scheme(store, args.scheme, args.by, until=args.until)
        until = f"至 {doc['until']}" if doc["until"] else "一直静默"
        print(f"已静默监测方案「{doc['scheme']}」（{until}）：只属于已静默方案的预警不再推送，预警照常记录")
        return 0
    if step == "ack":
        before = wf.get_alert(store, args.alert_id) or {}
        alert = wf.acknowledge(store, args.alert_id, args.by)
        reported = [d["label"] for d in wf.unreported(before)]
        if reported:
            print(f"已报告：{'、'.join(reported)}（{alert['level']}级）")
    elif step == "assign":
        alert = wf.assign(store, args.alert_id, args.by, args.unit, args.type)
    elif step == "respond":
        alert = wf.respond(store, args.alert_id, args.by, args.channel, args.ref, at=args.at)
    elif step == "handover":
        alert = wf.record_handover(store, args.alert_id, args.by, args.receiver, args.ref, at=args.at)
    elif step == "report":
        alert = wf.report_investigation(store, args.alert_id, args.by, args.ref, at=args.at)
    elif step == "close":
        alert = wf.close(store, args.alert_id, args.by, args.note)
    elif step == "unsilence":
        alert = wf.unsilence(store, args.alert_id, args.by)
    else:
        alert = wf.silence(store, args.alert_id, args.by, until=args.until)
    print(_line(alert))
    return 0
