"""`yuqing replay POSTS.jsonl`: a recorded stream through the whole pipeline on a simulated clock."""

from __future__ import annotations

import math
import sys
import uuid
from datetime import timedelta

from yuqing.errors import YuqingError


def register(subparsers) -> None:
    parser = subparsers.add_parser(
        "replay", help="按模拟时钟回放帖子流，输出产生的预警（JSON Lines）",
        description="按模拟时钟回放帖子流，输出产生的预警（JSON Lines）。有误的行在标准错误中报告文件与行号并跳过，"
                    "其余照常回放；只要有一行有误，退出码为 1。")
    parser.add_argument("posts", help="帖子文件（每行一个 JSON 对象，字段同帖子索引，published_at 为 ISO 8601）")
    pace = parser.add_mutually_exclusive_group()
    pace.add_argument("--speed", type=float, help="回放倍速（模拟时间/真实时间），如 3600 表示 1 秒回放 1 小时")
    pace.add_argument("--as-fast-as-possible", action="store_true", help="不等待，尽快回放（默认）")
    parser.add_argument("--step", type=int, default=10, help="模拟时钟步长（分钟），每步运行一次分析（默认 10）")
    parser.add_argument("--out", help="输出文件（默认标准输出）")
    parser.add_argument("--prefix", help="回放写入的索引前缀（默认新建临时前缀，结束后删除；不要用生产前缀）")
    parser.add_argument("--keep", action="store_true", help="保留临时前缀下的索引（结束时打印前缀名）")
    parser.add_argument("--notify", action="store_true", help="按 config/notify.yaml 实际推送预警（默认不推送）")
    parser.set_defaults(func=run)


def run(args) -> int:
    from yuqing.alerts.engine import default_notifier
    from yuqing.alerts.replay import replay, stored_alerts, write_alerts
    from yuqing.store import connect

    if args.speed is not None and not (math.isfinite(args.speed) and args.speed > 0):
        raise YuqingError(f"--speed 应为正数，实际是 {args.speed}")
    if args.step <= 0:
        raise YuqingError(f"--step 应为正整数（分钟），实际是 {args.step}")
    try:
        handle = open(args.posts, "rb")
    except OSError as exc:
        raise YuqingError(f"无法读取帖子文件 {args.posts}: {exc.strerror}") from None
    temporary = not args.prefix
    store = connect(prefix=args.prefix or f"replay-{uuid.uuid4().hex[:8]}")
    store.init()
    notifier = default_notifier() if args.notify else None
    try:
        with handle:
            report = replay(store, handle, step=timedelta(minutes=args.step), speed=args.speed, notifier=notifier)
        if notifier is not None:
            notifier.close()  # every delivery result recorded on its alert before the alerts are read
            report.alerts = stored_alerts(store)
        for number, reason in report.bad:
            where = f"{args.posts}:{number}" if number else args.posts
            print(f"错误: {where}: {reason}", file=sys.stderr)
        if args.out:
            try:
                with open(args.out, "w", encoding="utf-8") as out:
                    write_alerts(report.alerts, out)
            except OSError as exc:
                raise YuqingError(f"无法写入输出文件 {args.out}: {exc.strerror}") from None
        else:
            write_alerts(report.alerts, sys.stdout)
        print(f"回放 {report.posts} 条帖子（{report.cycles} 次分析，{len(report.bad)} 行有误），"
              f"产生 {len(report.alerts)} 条预警", file=sys.stderr)
    finally:
        if temporary and not args.keep:
            store.delete_prefix()
        elif temporary:
            print(f"回放数据保留在索引前缀 {store.prefix}（设置 YUQING_INDEX_PREFIX={store.prefix} 可查看）",
                  file=sys.stderr)
    return 1 if report.bad else 0  # as `load` and `sentiment`: the good lines ran, but something was skipped
