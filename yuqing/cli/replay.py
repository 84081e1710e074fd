"""`yuqing replay POSTS.jsonl`: a recorded stream through the whole pipeline on a simulated clock."""

from __future__ import annotations

import sys
from datetime import timedelta

from yuqing.errors import YuqingError


def register(subparsers) -> None:
    parser = subparsers.add_parser("replay", help="按模拟时钟回放帖子流，输出产生的预警（JSON Lines）")
    parser.add_argument("posts", help="帖子文件（每行一个 JSON 对象，字段同帖子索引，published_at 为 ISO 8601）")
    pace = parser.add_mutually_exclusive_group()
    pace.add_argument("--speed", type=float, help="回放倍速（模拟时间/真实时间），如 3600 表示 1 秒回放 1 小时")
    pace.add_argument("--as-fast-as-possible", action="store_true", help="不等待，尽快回放（默认）")
    parser.add_argument("--step", type=int, default=10, help="模拟时钟步长（分钟），每步运行一次分析（默认 10）")
    parser.add_argument("--out", help="输出文件（默认标准输出）")
    parser.set_defaults(func=run)


def run(args) -> int:
    from yuqing.alerts.engine import default_notifier
    from yuqing.alerts.replay import replay, write_alerts
    from yuqing.store import connect

    if args.speed is not None and args.speed <= 0:
        raise YuqingError(f"--speed 应为正数，实际是 {args.speed}")
    try:
        handle = open(args.posts, encoding="utf-8")
    except OSError as exc:
        raise YuqingError(f"无法读取帖子文件 {args.posts}: {exc.strerror}") from None
    store = connect()
    store.init()
    with handle:
        report = replay(store, handle, step=timedelta(minutes=args.step), speed=args.speed,
                        notifier=default_notifier())
    for number, reason in report.bad:
        where = f"{args.posts}:{number}" if number else args.posts
        print(f"错误: {where}: {reason}", file=sys.stderr)
    if args.out:
        with open(args.out, "w", encoding="utf-8") as out:
            write_alerts(report.alerts, out)
    else:
        write_alerts(report.alerts, sys.stdout)
    print(f"回放 {report.posts} 条帖子（{report.cycles} 次分析，{len(report.bad)} 行有误），产生 {len(report.alerts)} 条预警",
          file=sys.stderr)
    return 1 if report.bad and not report.posts else 0
