"""`yuqing digest daily|weekly|event|send|run-pending`: 日报、周报、专报 as DOCX, PDF, HTML, Markdown."""

from __future__ import annotations

import sys
from pathlib import Path

from yuqing.cli._types import day, instant
from yuqing.errors import YuqingError

FORMATS = ("docx", "pdf", "html", "md")


def register(subparsers) -> None:
    parser = subparsers.add_parser(
        "digest", help="生成舆情日报、周报、专报（Word、PDF、HTML、Markdown），或按计划发送"
    )
    inner = parser.add_subparsers(title="子命令", metavar="<子命令>")
    for kind, text in (
        ("daily", "舆情日报：某一天（0 时至 24 时）"),
        ("weekly", "舆情周报：某日所在的周一至周日，含周环比与各单位按时率"),
    ):
        sub = inner.add_parser(kind, help=text)
        sub.add_argument("--date", type=day, help="日期 YYYY-MM-DD（周报取该日所在的一周）；默认与看板“日报”页相同："
                         "中午以前为昨天，中午起为今天（截至此刻）")
        _output_options(sub)
        sub.add_argument("--now", type=instant, help="按此时刻判断时限状态（如 2024-03-13 09:00，默认当前时间；用于回看）；不给 --date 时也按它取日期")
        sub.set_defaults(func=_digest, kind=kind)
    event = inner.add_parser("event", help="舆情专报：某一事件")
    event.add_argument("event_id", help="事件编号（events 索引中的 id）")
    _output_options(event)
    event.add_argument("--at", type=instant, help="数据截至时刻（如 2024-03-13 09:00，默认当前时间）")
    event.set_defaults(func=_event)
    send = inner.add_parser("send", help="立即生成并通过邮件发送日报或周报（记录到审计索引）")
    send.add_argument("kind", choices=("daily", "weekly"), help="daily 或 weekly")
    send.add_argument("--date", required=True, type=day, help="日期 YYYY-MM-DD")
    send.add_argument("--config", default=None, help="简报配置（默认 config/digest.yaml）")
    send.add_argument(
        "--notify-config", default="config/notify.yaml", help="通知配置（默认 config/notify.yaml）"
    )
    send.set_defaults(func=_send)
    pending = inner.add_parser("run-pending", help="发送到期未发的日报、周报（供定时任务调用，可重复执行）")
    pending.add_argument("--config", default=None, help="简报配置（默认 config/digest.yaml）")
    pending.add_argument(
        "--notify-config", default="config/notify.yaml", help="通知配置（默认 config/notify.yaml）"
    )
    pending.set_defaults(func=_run_pending)
    parser.set_defaults(func=lambda _args: parser.print_help() or 0)


def _output_options(parser) -> None:
    parser.add_argument("--format", choices=FORMATS, default="docx", help="输出格式（默认 docx）")
    parser.add_argument(
        "--out", help="输出文件（默认当前目录下的 舆情日报-日期.格式）；- 表示标准输出（html、md）"
    )


def _write(doc, key: str, fmt: str, out: str | None) -> int:
    from yuqing.digest.render import file_name, render

    if out == "-" and fmt in ("docx", "pdf"):
        raise YuqingError(f"{fmt} 是二进制格式，不能输出到标准输出", hint="用 --out 指定文件")
    path = Path(out) if out and out != "-" else Path(file_name(doc, key, fmt))
    content, assets = render(doc, fmt, asset_prefix=f"{path.stem}-")
    if out == "-":
        sys.stdout.write(content.decode("utf-8"))
        return 0
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(content)
        for name, data in assets:
            (path.parent / f"{path.stem}-{name}").write_bytes(data)
    except OSError as exc:
        raise YuqingError(f"无法写入 {path}: {exc.strerror or exc}") from None
    extra = f"（另有图表 {len(assets)} 个）" if assets else ""
    print(f"已生成 {doc.title}: {path}{extra}")
    return 0


def _digest(args) -> int:
    from yuqing.digest.layout import digest_document
    from yuqing import clock
    from yuqing.digest.model import build_digest, default_day
    from yuqing.store import connect

    day = args.date or default_day(args.now or clock.now_local())
    digest = build_digest(connect(), args.kind, day, now=args.now)
    key = digest.start.date().isoformat()
    return _write(digest_document(digest), key, args.format, args.out)


def _event(args) -> int:
    from yuqing.digest.layout import event_document
    from yuqing.digest.model import build_event_report
    from yuqing.store import connect

    report = build_event_report(connect(), args.event_id, as_of=args.at)
    return _write(event_document(report), args.event_id, args.format, args.out)


def _dispatcher(path: str):
    from yuqing.notify import Dispatcher

    return Dispatcher.from_config(path)


def _schedule(path: str | None):
    from yuqing.digest.schedule import DEFAULT_PATH, load_config

    return load_config(path or DEFAULT_PATH)


def _send(args) -> int:
    from yuqing.digest.schedule import deliver, record
    from yuqing.store import connect

    store = connect()
    schedule = _schedule(args.config)
    report = deliver(store, _dispatcher(args.notify_config), args.date, args.kind, schedule=schedule)
    record(store, report, attempt=1, final=not report.ok, status="sent" if report.ok else "failed")
    if not report.ok:
        raise YuqingError(f"简报发送失败（{report.stage}）: {report.error}")
    print(f"已发送 {report.key}: {'、'.join(report.files)}")
    return 0


def _run_pending(args) -> int:
    from yuqing.digest.schedule import run_pending
    from yuqing.store import connect

    reports = run_pending(connect(), _dispatcher(args.notify_config), schedule=_schedule(args.config))
    for report in reports:
        state = "已发送" if report.ok else f"失败（{report.error}）"
        print(f"{report.key}: {state}")
    if not reports:
        print("没有到期的简报")
    return 0 if all(r.ok for r in reports) else 1
