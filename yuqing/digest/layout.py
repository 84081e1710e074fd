"""A digest as format-neutral blocks; every renderer walks the same blocks, so formats carry the same content.

Block texts are plain strings (crawled text included, unescaped): each renderer escapes for its format.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from yuqing.digest import charts, prose
from yuqing.digest.model import BoardItem, Count, Digest, DueItem, EventReport
from yuqing.digest.prose import cn_time, level_text, pct

ORG_NAME = "市场监督管理局"


@dataclass
class Heading:
    text: str
    level: int = 1  # 1 = section, 2 = subsection


@dataclass
class Paragraph:
    text: str
    emphasis: bool = False


@dataclass
class Bullets:
    items: list[str]


@dataclass
class Table:
    header: list[str]
    rows: list[list[str]]
    caption: str = ""


@dataclass
class Figure:
    png: bytes
    caption: str


Block = Heading | Paragraph | Bullets | Table | Figure


@dataclass
class Document:
    title: str
    subtitle: str
    blocks: list[Block] = field(default_factory=list)
    kind: str = "daily"

    def text(self) -> str:
        """All visible text, one block per line (what every format must show)."""
        lines = [self.title, self.subtitle]
        for block in self.blocks:
            if isinstance(block, (Heading, Paragraph)):
                lines.append(block.text)
            elif isinstance(block, Bullets):
                lines.extend(block.items)
            elif isinstance(block, Table):
                lines.append(" ".join(block.header))
                lines.extend(" ".join(row) for row in block.rows)
            elif isinstance(block, Figure):
                lines.append(block.caption)
        return "\n".join(lines)


def _subtitle(generated_at: datetime, as_of: datetime) -> str:
    return f"{ORG_NAME}舆情监测 · 数据截至{cn_time(as_of)} · 生成于{cn_time(generated_at)}"


def _count_rows(counts: list[Count], total: int) -> list[list[str]]:
    return [
        [c.label, str(c.mentions), str(c.stories), pct(c.mentions / total if total else None)] for c in counts
    ]


def _due_rows(items: list[DueItem]) -> list[list[str]]:
    return [
        [
            i.title,
            level_text(i.level, i.color),
            i.owner_unit or "未指定",
            i.label,
            cn_time(i.due_at),
            i.status_text,
        ]
        for i in items
    ]


def _board_rows(items: list[BoardItem]) -> list[list[str]]:
    return [
        [i.title, i.channel, i.addressee, cn_time(i.posted_at), cn_time(i.due_at), i.status_text]
        for i in items
    ]


DUE_HEADER = ["事项", "级别", "责任单位", "时限", "截止时间", "状态"]
BOARD_HEADER = ["留言", "渠道", "留言对象", "留言时间", "答复期限", "状态"]
MAX_ROWS = 15


def _limited(rows: list[list[str]], blocks: list[Block], header: list[str], caption: str) -> None:
    blocks.append(Table(header, rows[:MAX_ROWS], caption))
    if len(rows) > MAX_ROWS:
        blocks.append(Paragraph(f"（另有{len(rows) - MAX_ROWS}项未列出）"))


def digest_document(digest: Digest) -> Document:
    """日报/周报 blocks: prose first, then the figures in a fixed order."""
    period = "当日" if digest.kind == "daily" else "本周"
    doc = Document(digest.title, _subtitle(digest.generated_at, digest.as_of), kind=digest.kind)
    add = doc.blocks.append
    add(Heading("一、总体态势"))
    add(Paragraph(prose.daily_prose(digest)))
    add(
        Table(
            ["指标", "数值"],
            [
                ["信息总量（条）", str(digest.mentions)],
                ["话题数（相似信息合并）", str(digest.stories)],
                ["中央媒体报道（条）", str(digest.central_news)],
                ["负面信息（条）", str(digest.negative_mentions)],
                ["负面占比", pct(digest.negative_share)],
                ["待回应时限（项）", str(len(digest.due_items))],
                ["超时未办（项）", str(len(digest.overdue_items))],
                ["待答复留言（件）", str(len(digest.board_due) + len(digest.board_overdue))],
            ],
            "主要数据",
        )
    )
    if digest.kind == "weekly" and digest.changes:
        add(Heading("二、周环比"))
        add(
            Table(
                ["指标", "本周", "上周", "变化"],
                [
                    [
                        c.label,
                        pct(c.current) if c.percent else f"{c.current:.0f}",
                        pct(c.previous) if c.percent else f"{c.previous:.0f}",
                        prose.change_text(c),
                    ]
                    for c in digest.changes
                ],
                "本周与上周对比",
            )
        )
    number = iter("二三四五六七八九十" if digest.kind == "daily" else "三四五六七八九十")
    add(Heading(f"{next(number)}、信息量与来源"))
    add(
        Figure(
            charts.volume_chart(digest.volume, f"{period}信息量走势", hourly=digest.kind == "daily"),
            f"图：{period}信息量走势（按{'小时' if digest.kind == 'daily' else '日'}）",
        )
    )
    add(
        Table(
            ["平台", "信息（条）", "话题（个）", "占比"],
            _count_rows(digest.platforms, digest.mentions),
            "按平台",
        )
    )
    add(Figure(charts.bar_chart(digest.platforms, "平台分布"), "图：平台分布"))
    add(
        Table(
            ["媒体级别", "信息（条）", "话题（个）", "占比"],
            _count_rows(digest.media_levels, digest.mentions),
            "按媒体级别",
        )
    )
    add(
        Table(
            ["情感", "信息（条）", "话题（个）", "占比"],
            _count_rows(digest.sentiment, digest.mentions),
            "情感分布",
        )
    )
    add(Figure(charts.sentiment_chart(digest.sentiment), "图：情感分布"))
    add(Heading(f"{next(number)}、热点事件"))
    if digest.top_events:
        add(
            Table(
                [
                    "排名",
                    "事件",
                    "级别",
                    "热度",
                    f"{period}信息（条）",
                    f"{period}话题（个）",
                    "负面占比",
                    "责任单位",
                    "处置状态",
                ],
                [
                    [
                        str(n),
                        e.title,
                        level_text(e.level, e.color),
                        f"{e.heat:.0f}",
                        str(e.mentions),
                        str(e.stories),
                        pct(e.negative_share),
                        e.owner_unit or "未指定",
                        prose_status(e.alert_status),
                    ]
                    for n, e in enumerate(digest.top_events, 1)
                ],
                "热点事件（按热度）",
            )
        )
    else:
        add(Paragraph(f"{period}无活跃事件。"))
    add(Heading(f"{next(number)}、新增预警"))
    if digest.new_alerts:
        collected = sum(a.collected for a in digest.new_alerts)
        add(
            Paragraph(
                f"{period}新增预警{len(digest.new_alerts)}条，"
                f"其中即时推送{len(digest.new_alerts) - collected}条、"
                f"低于推送级别仅在简报中汇总{collected}条。"
            )
        )
        _limited(
            [
                [
                    a.title,
                    level_text(a.level, a.color),
                    cn_time(a.first_alerted_at) if a.first_alerted_at else "",
                    "、".join(a.rules),
                    a.owner_unit or "未指定",
                    prose_status(a.status),
                    "简报汇总" if a.collected else "即时推送",
                ]
                for a in digest.new_alerts
            ],
            doc.blocks,
            ["预警", "级别", "首次预警", "触发规则", "责任单位", "状态", "通知方式"],
            "新增预警",
        )
    else:
        add(Paragraph(f"{period}无新增预警。"))
    add(Heading(f"{next(number)}、负面信息"))
    if digest.negative_items:
        add(
            Table(
                ["信息", "来源", "首发时间", "相关信息（条）"],
                [
                    [
                        n.title,
                        n.source_name,
                        cn_time(n.published_at) if n.published_at else "",
                        str(n.mentions),
                    ]
                    for n in digest.negative_items
                ],
                "负面话题（相似信息合并，按信息量）",
            )
        )
    else:
        add(Paragraph(f"{period}无负面信息。"))
    add(Heading(f"{next(number)}、需回应事项"))
    if digest.due_items:
        _limited(_due_rows(digest.due_items), doc.blocks, DUE_HEADER, "待回应时限（按截止时间）")
    else:
        add(Paragraph("无待回应时限。"))
    add(Heading("超时未办", 2))
    if digest.overdue_items:
        _limited(_due_rows(digest.overdue_items), doc.blocks, DUE_HEADER, "超时未办时限")
    else:
        add(Paragraph("无超时未办事项。"))
    if digest.met_items:
        add(Heading(f"{period}完成", 2))
        _limited(_due_rows(digest.met_items), doc.blocks, DUE_HEADER, f"{period}完成的时限")
    add(Heading(f"{next(number)}、留言办理"))
    add(
        Paragraph(
            f"{period}答复留言{digest.board_replied}件；待答复{len(digest.board_due)}件，"
            f"超过答复期限{len(digest.board_overdue)}件（答复期限按工作日计算）。"
        )
    )
    if digest.board_overdue:
        add(Heading("超期未答复", 2))
        _limited(_board_rows(digest.board_overdue), doc.blocks, BOARD_HEADER, "超期未答复留言")
    if digest.board_due:
        add(Heading("待答复", 2))
        _limited(_board_rows(digest.board_due), doc.blocks, BOARD_HEADER, "待答复留言（按答复期限）")
    if digest.kind == "weekly":
        add(Heading(f"{next(number)}、各单位回应情况"))
        add(Paragraph(prose.scorecard_sentence(digest)))
        if digest.scorecard:
            add(
                Table(
                    ["单位", "时限", "到期", "按时", "逾期完成", "超时未办", "按时率"],
                    [
                        [
                            r.unit,
                            r.clock,
                            str(r.due),
                            str(r.on_time),
                            str(r.late),
                            str(r.overdue),
                            pct(r.rate),
                        ]
                        for r in digest.scorecard
                    ],
                    "各单位时限按时率",
                )
            )
        if digest.accountability:
            add(
                Table(
                    ["单位", "预警数", "报告用时中位数（小时）", "报告不及时", "处置不得力", "回应不妥当"],
                    [
                        [
                            u.unit,
                            str(u.alerts),
                            "—" if u.median_report_hours is None else f"{u.median_report_hours:g}",
                            str(u.late_report),
                            str(u.ineffective),
                            str(u.inappropriate),
                        ]
                        for u in digest.accountability
                    ],
                    "问责指标（报告不及时、处置不得力、回应不妥当为参考指标，需人工核实）",
                )
            )
    return doc


def prose_status(status: str | None) -> str:
    from yuqing.digest.model import STATUS_LABELS

    return STATUS_LABELS.get(status or "", "未预警" if not status else status)


def event_document(report: EventReport) -> Document:
    """专报 blocks: summary, what happened, spread, views, outlook, recommendations."""
    doc = Document(report.title, _subtitle(report.generated_at, report.as_of), kind="event")
    add = doc.blocks.append
    alert = report.alert or {}
    add(Heading("一、摘要"))
    summary, risk = prose.event_summary(report).rsplit("\n", 1)
    add(Paragraph(summary))
    add(Paragraph(risk, emphasis=True))
    add(Heading("二、事件经过"))
    add(Table(["时间", "关键节点"], [[cn_time(m.at), m.text] for m in report.moments], "关键节点"))
    if report.volume:
        add(Figure(charts.volume_chart(report.volume, "信息量走势（按小时）"), "图：信息量走势（按小时）"))
    add(Heading("三、传播情况"))
    add(
        Paragraph(
            f"相关信息{report.mentions}条，合并相似转载后{report.stories}个话题，"
            f"负面占{pct(report.negative_share)}；中央媒体报道{report.central_media}条。"
        )
    )
    add(
        Table(
            ["平台", "信息（条）", "话题（个）", "占比"],
            _count_rows(report.platforms, report.mentions),
            "平台分布",
        )
    )
    add(Figure(charts.bar_chart(report.platforms, "平台分布"), "图：平台分布"))
    add(
        Table(
            ["媒体级别", "信息（条）", "话题（个）", "占比"],
            _count_rows(report.media_levels, report.mentions),
            "媒体级别",
        )
    )
    add(Heading("主要传播者", 2))
    add(
        Table(
            ["来源/账号", "平台", "级别", "信息（条）", "转发"],
            [[s.name, s.platform, s.media_level, str(s.mentions), str(s.shares)] for s in report.spreaders],
            "主要传播者",
        )
    )
    add(Heading("四、各方观点"))
    for group in report.views:
        add(Heading(f"{group.kind}（{group.mentions}条，负面占{pct(group.negative_share)}）", 2))
        quotes = [f"{who}：{text}" for who, text in group.quotes]
        critical = [f"{who}（批评）：{text}" for who, text in group.critical]
        add(Bullets(quotes + critical) if quotes or critical else Paragraph("暂无。"))
    add(Heading("五、趋势研判"))
    add(Paragraph(prose.outlook(report)))
    add(Heading("六、处置建议"))
    if alert:
        add(
            Paragraph(
                f"预警级别：{level_text(alert.get('level'), alert.get('color'))}；责任单位："
                f"{alert.get('owner_unit') or '未指定'}；处置类型：{alert.get('handling_type') or '未定'}；"
                f"状态：{prose_status(alert.get('status'))}。"
            )
        )
    if report.deadlines:
        add(Table(DUE_HEADER, _due_rows(report.deadlines), "回应时限"))
    add(Bullets(prose.recommendations(report)))
    return doc


__all__ = [
    "Document",
    "Heading",
    "Paragraph",
    "Bullets",
    "Table",
    "Figure",
    "digest_document",
    "event_document",
]
