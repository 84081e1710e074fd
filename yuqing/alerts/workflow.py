"""The response workflow on stored alerts: new → acknowledged → assigned → responded → closed.

The dashboard and the CLI call these same functions. Every state change writes an audit record
{alert_id, event_id, action, actor, at, details} and returns the updated alert. Invalid transitions,
unknown alerts and missing fields raise :class:`WorkflowError` with a Chinese message.

Which deadline a step meets: acknowledging is the report to leaders (``report_*`` clocks), and may be
repeated in any open status when a level rise added a report deadline (确认升级); a response
through 发布权威信息 meets the 5 h clock, through 新闻发布会 the 24 h clock, any response the 48 h clock;
the investigation report (报送核实调查报告) is met only by recording it (``report_investigation``, any
time after acknowledging, also after closing). Closing meets nothing: a duty still unmet at closing stays
unmet on record (the audit entry lists it as 未完成), so the scorecard counts it as missed once it falls
due. A 虚假和不实信息 alert needs a handover before it can close. An alert that needs no response (below
the response level) may be closed from any open state.

Free-text fields are checked here, so the dashboard and the CLI accept the same input: unit and receiver
names at most 50 characters without markup or line breaks, references at most 500 characters and, when
they are links, only http(s) links, notes at most 2,000 characters.
"""

from __future__ import annotations

import re
import uuid
from datetime import datetime
from urllib.parse import urlsplit
from typing import TYPE_CHECKING, Callable

from analysis.events import parse_time
from analysis.workdays import SHANGHAI
from yuqing import clock
from yuqing.errors import YuqingError

if TYPE_CHECKING:
    from yuqing.store import Store


def _sa():
    """The store functions, imported on first use (the CLI lists choices without loading the client)."""
    from yuqing.store import alerts  # noqa: PLC0415

    return alerts

STATUSES = ("new", "acknowledged", "assigned", "responded", "closed")
STATUS_LABELS = {"new": "新预警", "acknowledged": "已确认", "assigned": "已交办", "responded": "已回应", "closed": "已办结"}
# What each audit-trail action reads as, wherever the trail is shown (dashboard, command line).
ACTION_LABELS = {"acknowledge": "确认", "assign": "交办", "respond": "记录回应", "handover": "移交",
                 "investigation_report": "报送核实调查报告", "close": "办结", "silence": "静默",
                 "unsilence": "取消静默", "reopen": "重新打开", "silence_scheme": "静默监测方案"}
HANDLING_TYPES = ("建设性意见建议", "实际困难", "重大问题", "不了解情况/模糊认识", "错误看法", "虚假和不实信息")
RESPONSE_CHANNELS = ("发布权威信息", "新闻发布会", "接受媒体采访")
FALSE_INFORMATION = "虚假和不实信息"
INVESTIGATION_REPORT = "investigation_report"
NAME_MAX = 50  # 责任单位, 接收单位
REFERENCE_MAX = 500  # 链接或文号
NOTE_MAX = 2000  # 办结说明
_MARKUP_OR_CONTROL = re.compile(r"[<>\x00-\x1f\x7f]")
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")
_SCHEME = re.compile(r"^[A-Za-z][A-Za-z0-9+.-]*:")
CHANNEL_MEETS = {"发布权威信息": ("authoritative_info", "response"), "新闻发布会": ("press_conference", "response"),
                 "接受媒体采访": ("response",)}


class WorkflowError(YuqingError):
    """Invalid transition, unknown alert or missing field."""


def _now(at: datetime | str | None = None) -> datetime:
    moment = parse_time(at) if at is not None else clock.now()
    return moment.astimezone(SHANGHAI)


def _required(value: str | None, what: str) -> str:
    if value is None or not str(value).strip():
        raise WorkflowError(f"缺少{what}")
    return str(value).strip()


def _too_long(value: str, what: str, limit: int) -> None:
    if len(value) > limit:
        raise WorkflowError(f"{what}过长：最多 {limit} 个字符（现有 {len(value)} 个）")


_LINK_LIKE = re.compile(r"^\s*(?:[a-zA-Z][a-zA-Z0-9+.-]*:|www\.)")  # javascript:, http:, mailto:, www.


def _name(value: str | None, what: str) -> str:
    """A unit or receiver name: required, one line, no markup, at most NAME_MAX characters."""
    value = _required(value, what)
    _too_long(value, what, NAME_MAX)
    if _MARKUP_OR_CONTROL.search(value):
        raise WorkflowError(f"{what}不能包含换行、尖括号等特殊字符")
    if _LINK_LIKE.match(value):  # a unit is named, not linked: 'javascript:alert(1)' ended up in the 日报's prose
        raise WorkflowError(f"{what}应是单位名称，不能是网址或链接")
    return value


def _reference(value: str | None, what: str) -> str:
    """A link or a document number (文号); a link must be http(s) with a host (never javascript: or data:)."""
    value = _required(value, what)
    _too_long(value, what, REFERENCE_MAX)
    if _CONTROL.search(value) or "\n" in value or "\r" in value:
        raise WorkflowError(f"{what}不能包含换行或控制字符")
    if _SCHEME.match(value):
        parts = urlsplit(value)
        if parts.scheme.lower() not in ("http", "https") or not parts.netloc:
            raise WorkflowError(f"{what}无效：链接只接受 http:// 或 https:// 开头的网址；文号请直接填写，如 津市监〔2024〕12号")
    return value


def _note(value: str | None, what: str = "办结说明") -> str:
    value = (value or "").strip()
    _too_long(value, what, NOTE_MAX)
    if _CONTROL.search(value):
        raise WorkflowError(f"{what}不能包含控制字符")
    return value


def alert_name(alert: dict) -> str:
    """How messages name an alert: its title in 「」 (the id only when it has none)."""
    return f"「{alert.get('title') or alert.get('id')}」"


def list_alerts(store: Store, *, statuses=None, levels=None, include_silenced: bool = False,
                size: int = 200) -> list[dict]:
    """Alerts, most urgent first: highest level, then open before closed, then newest."""
    filters: list[dict] = []
    must_not: list[dict] = [{"exists": {"field": "merged_into"}}]
    if statuses:
        filters.append({"terms": {"status": list(statuses)}})
    if levels:
        filters.append({"terms": {"level": list(levels)}})
    if not include_silenced:
        must_not.append({"term": {"silenced": True}})
    result = store.search("alerts", {"bool": {"filter": filters, "must_not": must_not}}, size=size,
                          sort=[{"level_rank": "asc"}, {"first_alerted_at": {"order": "desc"}}],
                          track_total_hits=False)
    alerts = [hit["_source"] for hit in result["hits"]["hits"]]
    return sorted(alerts, key=lambda a: (a.get("status") == "closed", a.get("level_rank") or 9))


def get_alert(store: Store, alert_id: str) -> dict | None:
    return store.get("alerts", alert_id)


def _expect(alert: dict, allowed: tuple[str, ...], action: str) -> None:
    status = alert.get("status")
    if status not in allowed:
        labels = "、".join(STATUS_LABELS[s] for s in allowed)
        raise WorkflowError(f"预警{alert_name(alert)}当前为「{STATUS_LABELS.get(status, status)}」，不能{action}"
                            f"（只有「{labels}」状态可以{action}）")


def _meet(alert: dict, kinds: tuple[str, ...] | None, at: datetime, prefix: str | None = None) -> list[dict]:
    deadlines = [dict(d) for d in alert.get("deadlines") or []]
    for d in deadlines:
        if d.get("met_at"):
            continue
        if (kinds and d["kind"] in kinds) or (prefix and d["kind"].startswith(prefix)):
            d["met_at"] = at.isoformat()
    return deadlines


def _apply(store: Store, alert: dict, changes: dict, action: str, actor: str, at: datetime,
           details: dict | None = None, version: tuple[int, int] | None = None) -> dict:
    recorded = _now()  # the audit time is when the step was recorded; ``at`` is when it happened
    changes = {**changes, "updated_at": recorded.isoformat()}
    seq_no, primary_term = version if version else (None, None)
    _sa().update_doc(store, "alerts", alert["id"], changes, if_seq_no=seq_no, if_primary_term=primary_term)
    record = {"id": uuid.uuid4().hex, "alert_id": alert["id"], "event_id": alert.get("event_id"), "action": action,
              "actor": actor, "at": recorded.isoformat(), "details": {**(details or {}), "effective_at": at.isoformat()}}
    _sa().put_doc(store, "audit", record)
    return {**alert, **changes}


Step = Callable[[dict], "tuple[dict, dict | None]"]  # alert → (changes, audit details); raises WorkflowError


def _step(store: Store, alert_id: str, action: str, actor: str, when: datetime, build: Step,
          attempts: int = 10) -> dict:
    """Read the alert, check and build the change, write it only if nobody changed the alert meanwhile.

    The engine updates alerts every cycle and deliveries are recorded from other threads: on such a
    conflict the alert is read again and the step re-checked against what is stored now, after a short
    random pause that grows with each conflict (so writers racing each other spread out).
    """
    alert: dict = {"id": alert_id}
    for attempt in range(attempts):
        if attempt:
            _sa().conflict_pause(attempt)
        got = _sa().get_versioned(store, "alerts", alert_id)
        if got is None:
            raise WorkflowError(f"预警不存在: {alert_id}")
        alert, seq_no, primary_term = got
        changes, details = build(alert)
        try:
            return _apply(store, alert, changes, action, actor, when, details, version=(seq_no, primary_term))
        except _sa().VersionConflict:
            continue
    raise WorkflowError(f"预警{alert_name(alert)}正在被频繁修改，{attempts} 次尝试均未写入，请稍后重试")


def unreported(alert: dict) -> list[dict]:
    """The report deadlines (``report_*``) of an open alert not met yet: a new alert's, or those a level
    rise added after it was acknowledged."""
    if alert.get("status") == "closed":
        return []
    return [d for d in alert.get("deadlines") or [] if str(d.get("kind") or "").startswith("report_")
            and not d.get("met_at")]


def acknowledge(store: Store, alert_id: str, actor: str, at=None) -> dict:
    """Confirm the alert and report it to leaders: meets its unmet ``report_*`` deadlines.

    A new alert becomes 已确认. An alert already in hand whose level rose since (the rise added a report
    deadline) is confirmed again at the new level (确认升级): the report deadlines are met, the status
    stays as it is.
    """
    actor = _required(actor, "操作人")
    when = _now(at)

    def build(alert: dict) -> tuple[dict, dict | None]:
        pending = unreported(alert)
        if alert.get("status") != "new" and not pending:
            status = alert.get("status")
            raise WorkflowError(f"预警{alert_name(alert)}当前为「{STATUS_LABELS.get(status, status)}」，不能确认"
                                f"（只有「{STATUS_LABELS['new']}」或级别上升后有待报告时限的预警可以确认）")
        changes = {"deadlines": _meet(alert, None, when, prefix="report_")}
        if alert.get("status") == "new" and alert.get("reopened_at") and alert.get("owner_unit"):
            changes["status"] = "assigned"  # reopened after closing: back to the unit that handled it
        elif alert.get("status") == "new":
            changes.update({"status": "acknowledged", "acknowledged_at": when.isoformat()})
        details = {"level": alert.get("level"), "reported": [d["kind"] for d in pending]}
        if alert.get("status") != "new":
            details["level_rise"] = True
        if alert.get("reopened_at"):
            details["reopened"] = True
        return changes, details

    return _step(store, alert_id, "acknowledge", actor, when, build)


def assign(store: Store, alert_id: str, actor: str, owner_unit: str, handling_type: str, at=None) -> dict:
    actor = _required(actor, "操作人")
    owner_unit = _name(owner_unit, "责任单位")
    if handling_type is None or not str(handling_type).strip():
        raise WorkflowError(f"请选择处置类型（{'、'.join(HANDLING_TYPES)}）")
    if handling_type not in HANDLING_TYPES:
        raise WorkflowError(f"处置类型无效：{handling_type}（可选：{'、'.join(HANDLING_TYPES)}）")
    when = _now(at)

    def build(alert: dict) -> tuple[dict, dict | None]:
        _expect(alert, ("acknowledged", "assigned"), "交办")
        return ({"status": "assigned", "owner_unit": owner_unit, "handling_type": handling_type,
                 "assigned_at": when.isoformat()},
                {"owner_unit": owner_unit, "handling_type": handling_type, "previous_owner": alert.get("owner_unit")})

    return _step(store, alert_id, "assign", actor, when, build)


def respond(store: Store, alert_id: str, actor: str, channel: str, reference: str, at=None) -> dict:
    actor = _required(actor, "操作人")
    if channel is None or not str(channel).strip():
        raise WorkflowError(f"请选择回应渠道（{'、'.join(RESPONSE_CHANNELS)}）")
    if channel not in RESPONSE_CHANNELS:
        raise WorkflowError(f"回应渠道无效：{channel}（可选：{'、'.join(RESPONSE_CHANNELS)}）")
    reference = _reference(reference, "回应的链接或文号")
    when = _now(at)
    response = {"channel": channel, "reference": reference, "at": when.isoformat(), "actor": actor}

    def build(alert: dict) -> tuple[dict, dict | None]:
        _expect(alert, ("assigned", "responded"), "登记回应")
        changes = {"status": "responded", "responses": list(alert.get("responses") or []) + [response],
                   "deadlines": _meet(alert, CHANNEL_MEETS[channel], when)}
        if not alert.get("responded_at"):
            changes["responded_at"] = when.isoformat()
        return changes, response

    return _step(store, alert_id, "respond", actor, when, build)


def record_handover(store: Store, alert_id: str, actor: str, receiver: str, reference: str, at=None) -> dict:
    actor = _required(actor, "操作人")
    receiver = _name(receiver, "接收单位（公安机关/网络监管部门）")
    reference = _reference(reference, "移交文号或回执")
    when = _now(at)
    handover = {"receiver": receiver, "reference": reference, "at": when.isoformat(), "actor": actor}

    def build(alert: dict) -> tuple[dict, dict | None]:
        if alert.get("handling_type") != FALSE_INFORMATION:
            raise WorkflowError(f"只有处置类型为「{FALSE_INFORMATION}」的预警需要移交"
                                f"（当前: {alert.get('handling_type') or '未交办'}）")
        _expect(alert, ("assigned", "responded"), "登记移交")
        return {"handover": handover}, handover

    return _step(store, alert_id, "handover", actor, when, build)


def report_investigation(store: Store, alert_id: str, actor: str, reference: str, at=None) -> dict:
    """Record the investigation report (报送核实调查报告): meets its deadline, also after closing."""
    actor = _required(actor, "操作人")
    reference = _reference(reference, "核实调查报告的文号或链接")
    when = _now(at)

    def build(alert: dict) -> tuple[dict, dict | None]:
        _expect(alert, ("acknowledged", "assigned", "responded", "closed"), "报送核实调查报告")
        pending = [d for d in alert.get("deadlines") or [] if d.get("kind") == INVESTIGATION_REPORT]
        if not pending:
            raise WorkflowError(f"预警{alert_name(alert)}没有报送核实调查报告的要求")
        if all(d.get("met_at") for d in pending):
            raise WorkflowError(f"预警{alert_name(alert)}的核实调查报告已报送")
        return {"deadlines": _meet(alert, (INVESTIGATION_REPORT,), when)}, {"reference": reference}

    return _step(store, alert_id, INVESTIGATION_REPORT, actor, when, build)


def unmet_duties(alert: dict) -> list[dict]:
    """The deadlines of an alert not met (yet): at closing, the duties it is closed without."""
    return [d for d in alert.get("deadlines") or [] if not d.get("met_at")]


def close(store: Store, alert_id: str, actor: str, note: str = "", at=None) -> dict:
    """Close the alert. Nothing is marked done by closing: unmet duties are recorded as 未完成."""
    actor = _required(actor, "操作人")
    note = _note(note)
    when = _now(at)

    def build(alert: dict) -> tuple[dict, dict | None]:
        if alert.get("needs_response"):
            _expect(alert, ("responded",), "办结")
            if alert.get("handling_type") == FALSE_INFORMATION and not alert.get("handover"):
                raise WorkflowError(f"「{FALSE_INFORMATION}」须先登记移交公安机关/网络监管部门，才能办结")
        else:
            _expect(alert, ("new", "acknowledged", "assigned", "responded"), "办结")
            if alert.get("status") != "responded":
                _required(note, "办结说明（无需回应的预警直接办结时必填）")
        unmet = [d.get("label") or d.get("kind") for d in unmet_duties(alert)]
        # The event's size when closed: the engine reopens the alert if the story grows well past it.
        return ({"status": "closed", "closed_at": when.isoformat(), "closed_post_count": int(alert.get("post_count") or 0)},
                {"note": note, "unmet": unmet})

    return _step(store, alert_id, "close", actor, when, build)


def silence(store: Store, alert_id: str, actor: str, until=None, at=None) -> dict:
    actor = _required(actor, "操作人")
    when = _now(at)
    until_at = _now(until).isoformat() if until is not None else None
    return _step(store, alert_id, "silence", actor, when,
                 lambda _alert: ({"silenced": True, "silenced_until": until_at}, {"until": until_at}))


def unsilence(store: Store, alert_id: str, actor: str, at=None) -> dict:
    """Pushes resume for this alert (its clocks never stopped)."""
    actor = _required(actor, "操作人")

    def build(alert: dict) -> tuple[dict, dict | None]:
        if not is_silenced(alert, _now(at)):
            raise WorkflowError(f"预警{alert_name(alert)}没有静默")
        return {"silenced": False, "silenced_until": None}, {}

    return _step(store, alert_id, "unsilence", actor, _now(at), build)


def is_silenced(alert: dict, now: datetime) -> bool:
    """Whether pushes for this alert are muted at ``now`` (a silence with an end time lapses by itself)."""
    if not alert.get("silenced"):
        return False
    until = parse_time(alert.get("silenced_until"))
    return until is None or until > now


def silence_scheme(store: Store, scheme: str, actor: str, until=None, at=None) -> dict:
    """Silence every alert whose schemes are all silenced (no pushes; alerts are still stored)."""
    actor = _required(actor, "操作人")
    scheme = _required(scheme, "监测方案名称")
    when = _now(at)
    doc = {"id": f"scheme_silence:{scheme}", "kind": "scheme_silence", "scheme": scheme, "actor": actor,
           "at": when.isoformat(), "until": _now(until).isoformat() if until is not None else None}
    _sa().put_doc(store, "alert-state", doc)
    _sa().put_doc(store, "audit", {"id": uuid.uuid4().hex, "alert_id": None, "event_id": None,
                                "action": "silence_scheme", "actor": actor, "at": when.isoformat(),
                                "details": {"scheme": scheme, "until": doc["until"]}})
    return doc


def audit_trail(store: Store, alert_id: str) -> list[dict]:
    store.refresh("audit")
    result = store.search("audit", {"term": {"alert_id": alert_id}}, size=1000, sort=[{"at": "asc"}],
                          track_total_hits=False)
    return [hit["_source"] for hit in result["hits"]["hits"]]


__all__ = ["FALSE_INFORMATION", "HANDLING_TYPES", "INVESTIGATION_REPORT", "NAME_MAX", "NOTE_MAX", "REFERENCE_MAX",
           "RESPONSE_CHANNELS", "STATUSES", "STATUS_LABELS", "WorkflowError", "acknowledge", "alert_name", "assign",
           "audit_trail", "close", "get_alert", "list_alerts", "record_handover", "report_investigation", "respond",
           "is_silenced", "silence", "silence_scheme", "unmet_duties", "unreported", "unsilence"]
