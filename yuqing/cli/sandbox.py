"""`yuqing sandbox serve|export`: the local sandbox web for tests and the demo."""

from __future__ import annotations

import sys
from pathlib import Path

from yuqing.cli._types import port
from yuqing.errors import YuqingError


def register(subparsers) -> None:
    parser = subparsers.add_parser("sandbox", help="本地沙盒网站（新闻站、留言板、社交媒体、故障页），供测试和演示抓取")
    inner = parser.add_subparsers(title="子命令", metavar="<子命令>")

    serve = inner.add_parser("serve", help="在 127.0.0.1 上启动沙盒网站（仅本机回环地址）")
    serve.add_argument("--port", type=port, default=8765, help="端口，0 表示任选空闲端口（默认 8765）")
    serve.add_argument("--speed", type=float, default=1.0,
                       help="模拟时间倍速：1 为实时，60 表示现实 1 分钟 = 模拟 1 小时，0 表示时间静止（默认 1）")
    serve.add_argument("--start", help="模拟时间起点与场景基准时间，ISO 8601（默认 2024-03-12T08:00:00+08:00）")
    serve.add_argument("--slow-seconds", type=float, default=20.0,
                       help="超时故障页 /news/a/slow.html 的等待秒数（默认 20）")
    serve.set_defaults(func=run_serve)

    export = inner.add_parser("export", help="把场景帖子导出为 JSON Lines（字段与帖子索引一致）")
    export.add_argument("--out", default="-", help="输出文件路径（默认 - ，即标准输出，可接管道）")
    export.add_argument("--until", help="只导出此时刻（ISO 8601）之前发布的帖子，留言状态与互动数取该时刻的值")
    export.add_argument("--start", help="场景基准时间，ISO 8601（默认 2024-03-12T08:00:00+08:00）")
    export.add_argument("--base-url", default="http://127.0.0.1:8765",
                        help="帖子 url 的前缀（默认 http://127.0.0.1:8765，与 serve 默认端口一致）")
    export.set_defaults(func=run_export)
    parser.set_defaults(func=lambda _args: parser.print_help() or 0)


def _instant(text: str | None, option: str):
    from yuqing.sandbox.clock import parse_instant

    if text is None:
        return None
    try:
        return parse_instant(text)
    except ValueError as exc:
        raise YuqingError(f"{option} {exc}") from None


def run_serve(args) -> int:
    from yuqing.sandbox import DEFAULT_EPOCH, SandboxClock, SandboxServer

    if args.speed < 0:
        raise YuqingError("--speed 不能为负数")
    start = _instant(args.start, "--start") or DEFAULT_EPOCH
    server = SandboxServer(args.port, epoch=start, clock=SandboxClock(start, speed=args.speed),
                           slow_seconds=args.slow_seconds)
    try:
        server.start()
    except OSError as exc:
        raise YuqingError(f"无法监听 127.0.0.1:{args.port}: {exc.strerror or exc}",
                          hint="换一个端口（--port），或用 --port 0 自动选择") from None
    print(f"沙盒网站已启动: {server.url}/  （模拟时间 {start.isoformat()}，倍速 {args.speed:g}）")
    print(f"  控制: {server.url}/__sandbox/clock  清单: {server.url}/__sandbox/manifest  按 Ctrl+C 停止")
    sys.stdout.flush()
    server.serve_forever()
    return 0


def run_export(args) -> int:
    from yuqing.sandbox import DEFAULT_EPOCH, build_world
    from yuqing.sandbox.export import export_records, write_jsonl

    start = _instant(args.start, "--start") or DEFAULT_EPOCH
    until = _instant(args.until, "--until")
    world = build_world(start)
    records = export_records(world, until, args.base_url.rstrip("/"))
    if args.out == "-":
        count = write_jsonl(records, sys.stdout)
    else:
        path = Path(args.out)
        try:
            with path.open("w", encoding="utf-8") as handle:
                count = write_jsonl(records, handle)
        except OSError as exc:
            raise YuqingError(f"无法写入 {path}: {exc.strerror or exc}") from None
        print(f"已导出 {count} 条帖子到 {path}", file=sys.stderr)
    return 0
