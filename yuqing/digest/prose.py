"""Chinese prose generated from the digest data by templates (no language model).

Pure functions over the dataclasses of :mod:`yuqing.digest.model`: the daily paragraph aims at about
500 characters, the 专报 summary stays within 200 characters and ends with a one-line risk judgement.
Optional sentences are dropped, least important first, when a text would run over its budget.
"""

from __future__ import annotations

from datetime import datetime

from analysis.clocks import format_duration
from yuqing.digest.model import Change, Digest, DueItem, EventReport

DAILY_BUDGET = 600  # characters; the target is about 500
SUMMARY_LIMIT = 200
LEVEL_NAMES = {"Ⅰ": "特别重大", "Ⅱ": "重大", "Ⅲ": "较大", "Ⅳ": "一般"}

# What each handling type must produce (domain.md, 分类处置).
HANDLING_ADVICE = {
    "建设性意见建议": "对合理意见建议研究吸收，并将吸收采纳情况对外公开",
    "实际困难": "协调解决群众实际困难，并公开解决情况和办理结果",
    "重大问题": "依法调查处置，调查进展和处置结果及时向社会发布",
    "不了解情况/模糊认识": "发布权威信息、解读政策和事实，澄清模糊认识",
    "错误看法": "发布准确信息，有针对性地纠正错误看法",
    "虚假和不实信息": "及时发布权威信息辟谣，同时移交公安机关或网络监管部门依法处置，"
    "记录移交时间、接收单位和文号",
}


def pct(share: float | None) -> str:
    return "—" if share is None else f"{share * 100:.0f}%"


def cn_time(at: datetime) -> str:
    """'3月12日 14:40' (the form analysis.clocks uses for due times)."""
    return f"{at.month}月{at.day}日 {at:%H:%M}"


def cn_date(at: datetime) -> str:
    return f"{at.year}年{at.month}月{at.day}日"


def level_text(level: str | None, color: str | None) -> str:
    if not level:
        return "未定级"
    return f"{level}级（{LEVEL_NAMES.get(level, '')}，{color or ''}色）".replace("，色", "")


def change_text(change: Change) -> str:
    """'较上周增加 12 条（+35%）' or '与上周持平'."""
    if change.percent:
        points = change.delta * 100
        if abs(points) < 0.5:
            return "与上周持平"
        return f"较上周{'上升' if points > 0 else '下降'}{abs(points):.0f}个百分点"
    if change.delta == 0:
        return "与上周持平"
    verb = "增加" if change.delta > 0 else "减少"
    ratio = f"（{change.ratio * 100:+.0f}%）" if change.ratio is not None else "（上周为0）"
    return f"较上周{verb}{abs(change.delta):.0f}{change.unit}{ratio}"


def _fit(parts: list[tuple[int, str]], budget: int) -> str:
    """Join (priority, sentence) parts; drop the lowest priority (highest number) until within budget."""
    kept = list(parts)
    while len("".join(t for _, t in kept)) > budget and len(kept) > 1:
        worst = max(range(len(kept)), key=lambda i: (kept[i][0], i))
        if kept[worst][0] == 0:
            break
        kept.pop(worst)
    return "".join(t for _, t in kept)


def _platform_sentence(digest: Digest) -> str:
    parts = [f"{c.key}{c.mentions}条（{pct(c.mentions / digest.mentions)}）" for c in digest.platforms[:3]]
    return "其中" + "、".join(parts) + "。" if parts else ""


def _deadline_phrase(item: DueItem) -> str:
    return f"“{item.title}”须在{cn_time(item.due_at)}前{item.label}"


def daily_prose(digest: Digest) -> str:
    """The digest's paragraph (日报 or 周报): volume, events, negatives, deadlines, boards, advice."""
    period = cn_date(digest.start) if digest.kind == "daily" else "本周"
    if not digest.mentions:
        return f"{period}未监测到相关舆情信息。" + _deadline_part(digest)
    parts: list[tuple[int, str]] = []
    central = digest.central_news
    parts.append(
        (0, f"{period}共监测到相关舆情信息{digest.mentions}条，合并相似转载后为{digest.stories}个话题。")
    )
    parts.append((3, _platform_sentence(digest)))
    if central:
        parts.append((4, f"中央媒体报道{central}条。"))
    parts.append((0, f"负面信息{digest.negative_mentions}条，占{pct(digest.negative_share)}。"))
    if digest.kind == "weekly":
        changes = {c.label: c for c in digest.changes}
        if "信息总量" in changes:
            parts.append(
                (
                    1,
                    f"信息总量{change_text(changes['信息总量'])}，负面占比{change_text(changes['负面占比'])}。",
                )
            )
    if digest.top_events:
        top = digest.top_events[0]
        heat = f"，热度{top.heat:.0f}" if top.heat > 0 else ""  # an event not yet scored has no heat to quote
        text = (
            f"热度最高的事件是“{top.title}”（{level_text(top.level, top.color)}预警{heat}），"
            f"{'当日' if digest.kind == 'daily' else '本周'}相关信息{top.mentions}条、{top.stories}个话题"
        )
        if top.owner_unit:
            text += f"，责任单位为{top.owner_unit}"
        parts.append((0, text + "。"))
        others = [f"“{e.title}”（{e.mentions}条）" for e in digest.top_events[1:3] if e.mentions]
        if others:
            parts.append((2, "其次为" + "和".join(others) + "。"))
    if digest.negative_items:
        neg = digest.negative_items[0]
        title = neg.title if len(neg.title) <= 24 else neg.title[:24] + "…"
        parts.append((2, f"负面信息中重复最多的是“{title}”（{neg.mentions}条）。"))
    parts.append((0, _deadline_part(digest)))
    parts.append((1, _board_part(digest)))
    advice = _advice_sentence(digest)
    if advice:
        parts.append((1, advice))
    return _fit(parts, DAILY_BUDGET)


def _deadline_part(digest: Digest) -> str:
    text = ""
    if digest.due_items:
        first = digest.due_items[0]
        text += (
            f"截至{cn_time(digest.as_of)}，待回应时限{len(digest.due_items)}项，"
            f"最近一项为{_deadline_phrase(first)}。"
        )
    else:
        text += f"截至{cn_time(digest.as_of)}，无待回应时限。"
    if digest.overdue_items:
        first = digest.overdue_items[0]
        text += (
            f"超时未办{len(digest.overdue_items)}项，其中“{first.title}”{first.label}已超时"
            f"{format_duration(digest.as_of - first.due_at)}。"
        )
    else:
        text += "无超时未办事项。"
    late = [d for d in digest.met_items if d.state == "met_late"]
    if digest.met_items:
        text += f"期间完成时限{len(digest.met_items)}项"
        text += f"，其中逾期完成{len(late)}项（{_late_names(late)}）。" if late else "，均按时完成。"
    return text


LATE_NAMES_LIMIT = 3  # distinct clocks named in full; more are summed up as "…等N项"


def _late_names(late: list[DueItem]) -> str:
    """Every late item by its clock: '报告局领导、发布权威信息', '报告局领导2项、发布权威信息1项' when a clock
    repeats, '报告局领导等5项' when there are more than LATE_NAMES_LIMIT clocks."""
    counts: dict[str, int] = {}
    for item in late:
        counts[item.label] = counts.get(item.label, 0) + 1
    if len(counts) > LATE_NAMES_LIMIT:
        return f"{late[0].label}等{len(late)}项"
    if all(n == 1 for n in counts.values()):
        return "、".join(counts)
    return "、".join(f"{label}{n}项" for label, n in counts.items())


def _board_part(digest: Digest) -> str:
    pending = len(digest.board_due) + len(digest.board_overdue)
    text = f"留言板方面，期间答复{digest.board_replied}件，待答复{pending}件"
    if digest.board_overdue:
        oldest = min(digest.board_overdue, key=lambda b: b.due_at)
        text += (
            f"，其中{len(digest.board_overdue)}件已超过答复期限，最早一件《{oldest.title}》已超期"
            f"{format_duration(digest.as_of - oldest.due_at)}"
        )
    elif digest.board_due:
        text += f"，最近一件须在{cn_time(digest.board_due[0].due_at)}前答复"
    return text + "。"


def _advice_sentence(digest: Digest) -> str:
    if digest.overdue_items:
        item = digest.overdue_items[0]
        return f"建议{item.owner_unit or '责任单位'}立即办理超时事项并说明原因。"
    if digest.due_items:
        item = digest.due_items[0]
        unit = item.owner_unit or "责任单位"
        return f"建议{unit}在{cn_time(item.due_at)}前完成{item.label}，并持续关注事件进展。"
    if digest.board_overdue:
        return "建议相关单位尽快答复超期留言。"
    return ""


def scorecard_sentence(digest: Digest) -> str:
    due = sum(r.due for r in digest.scorecard)
    if not due:
        return "本周没有到期的回应时限。"
    on_time = sum(r.on_time for r in digest.scorecard)
    worst = [r for r in digest.scorecard if r.overdue or r.late]
    text = f"本周到期时限{due}项，按时完成{on_time}项，按时率{pct(on_time / due)}。"
    if worst:
        units = sorted({r.unit for r in worst})
        text += f"存在逾期或超时的单位：{'、'.join(units)}。"
    return text


# --------------------------------------------------------------------------- 专报
def risk_judgement(report: EventReport) -> tuple[str, list[str]]:
    """(高|中|低, reasons) from the alert level, negative share, central media and open deadlines."""
    alert = report.alert or {}
    rank = alert.get("level_rank") or 9
    reasons: list[str] = []
    if alert.get("level"):
        reasons.append(f"{alert['level']}级预警")
    if report.negative_share >= 0.5:
        reasons.append(f"负面占{pct(report.negative_share)}")
    if report.central_media:
        reasons.append("中央媒体已跟进")
    overdue = [d for d in report.deadlines if d.state == "overdue"]
    open_ = [d for d in report.deadlines if d.state == "remaining"]
    if overdue:
        reasons.append(f"{overdue[0].label}已超时")
    elif open_:
        reasons.append(f"{open_[0].label}须在{cn_time(open_[0].due_at)}前完成")
    if rank <= 2 or (report.negative_share >= 0.6 and report.central_media) or overdue:
        grade = "高"
    elif rank == 3 or report.negative_share >= 0.5:
        grade = "中"
    else:
        grade = "低"
    return grade, reasons


def risk_line(report: EventReport) -> str:
    grade, reasons = risk_judgement(report)
    return f"风险研判：{grade}风险" + (f"（{'，'.join(reasons)}）" if reasons else "") + "。"


def event_summary(report: EventReport) -> str:
    """At most 200 characters; the last line is the one-line risk judgement."""
    event = report.event
    first = report.moments[0].at if report.moments else None
    region = (event.get("region") or {}).get("district") or (event.get("region") or {}).get("city") or ""
    parts: list[tuple[int, str]] = []
    opening = f"{cn_time(first)}起，" if first else ""
    title = event.get("title") or ""
    parts.append((0, f"{opening}{'' if title.startswith(region) else region}“{title}”引发关注。"))
    parts.append(
        (
            0,
            f"截至{cn_time(report.as_of)}，相关信息{report.mentions}条（{report.stories}个话题），"
            f"负面占{pct(report.negative_share)}。",
        )
    )
    if report.platforms:
        top = max(report.platforms, key=lambda c: c.mentions)
        parts.append(
            (
                2,
                f"传播以{top.key}为主（{pct(top.mentions / report.mentions)}）"
                + (f"，中央媒体报道{report.central_media}条。" if report.central_media else "。"),
            )
        )
    met = [d for d in report.deadlines if d.met_at]
    if met:
        last = max(met, key=lambda d: d.met_at)
        parts.append((1, f"已于{cn_time(last.met_at)}{last.label}。"))
    line = risk_line(report)
    body = _fit(parts, SUMMARY_LIMIT - len(line) - 1)
    if len(body) + 1 + len(line) > SUMMARY_LIMIT:
        body = body[: SUMMARY_LIMIT - len(line) - 2] + "…"
    return body + "\n" + line


def outlook(report: EventReport) -> str:
    recent, before = report.recent_trend
    if recent > before:
        trend = f"最近6小时新增信息{recent}条，较此前6小时（{before}条）上升，仍处于发酵期"
    elif recent < before:
        trend = f"最近6小时新增信息{recent}条，较此前6小时（{before}条）回落，热度趋于下降"
    else:
        trend = f"最近6小时新增信息{recent}条，与此前6小时持平"
    text = f"从传播趋势看，{trend}。"
    if report.central_media:
        text += "中央媒体已介入报道，话题可能由本地向全国扩散，并引发对同类问题的追问。"
    pending = [d for d in report.deadlines if not d.met_at]
    if pending:
        text += f"在{pending[0].label}完成前，公众对处置进展和责任追究的关注仍将持续。"
    else:
        text += "各项回应时限均已完成，后续关注点将转向调查结论和整改落实。"
    if report.board_pending:
        text += f"另有{len(report.board_pending)}件相关留言尚未答复，可能成为新的关注点。"
    return text


def recommendations(report: EventReport) -> list[str]:
    """Response recommendations from the handling type, the level, open deadlines and the rules."""
    alert = report.alert or {}
    out: list[str] = []
    handling = alert.get("handling_type")
    if handling in HANDLING_ADVICE:
        out.append(f"按“{handling}”处置：{HANDLING_ADVICE[handling]}。")
    else:
        out.append("尽快明确处置类型（分类处置）和责任单位（谁主管谁负责）。")
    rank = alert.get("level_rank")
    if rank == 1:
        out.append("特别重大舆情由局主要负责同志牵头处置，办公室统筹协调。")
    elif rank == 2:
        out.append("由分管局领导牵头处置，办公室统筹协调，涉及多个部门的各自在职责范围内回应、口径一致。")
    for item in report.deadlines:
        if item.state == "remaining":
            out.append(
                f"在{cn_time(item.due_at)}前完成{item.label}"
                f"（剩余{format_duration(item.due_at - report.as_of)}）。"
            )
        elif item.state == "overdue":
            out.append(
                f"{item.label}已超时{format_duration(report.as_of - item.due_at)}"
                f"（{cn_time(item.due_at)}截止），"
                "应立即补办并说明原因。"
            )
    if any(d.kind == "authoritative_info" and d.met_at for d in report.deadlines):
        out.append("权威信息发布后持续发布调查进展和处理结果，回应家长和公众关切。")
    if report.board_pending:
        first = min(report.board_pending, key=lambda b: b.due_at)
        out.append(
            f"对{len(report.board_pending)}件相关留言逐件答复，最早一件须在{cn_time(first.due_at)}前答复。"
        )
    if report.central_media:
        out.append("主动对接中央和省级媒体，通过接受媒体采访准确提供权威信息。")
    return out


__all__ = [
    "daily_prose",
    "event_summary",
    "risk_judgement",
    "risk_line",
    "outlook",
    "recommendations",
    "scorecard_sentence",
    "change_text",
    "pct",
    "cn_time",
    "cn_date",
    "level_text",
    "HANDLING_ADVICE",
]
