"""`yuqing crawl [SOURCE…] [--sources FILE] [--sandbox URL]`: run configured sources once."""

from __future__ import annotations

import argparse
import sys

from yuqing.cli._types import http_url
from yuqing.columns import ljust, rjust


def register(subparsers) -> None:
    parser = subparsers.add_parser(
        "crawl",
        help="抓取配置的来源一次（显示进度，结果写入 Elasticsearch）",
        description="按来源配置抓取一次：新闻列表、RSS/Atom、站点地图、留言板（HTML/JSON 接口）、社交媒体。"
        "已入库的文章不会重复下载；未办结的留言会再次抓取以记录状态变化。"
        "Elasticsearch 不可用时，抓到的内容写入本地缓冲目录，下次抓取时补写。",
    )
    parser.add_argument("sources", nargs="*", metavar="SOURCE", help="来源名（默认：全部启用的来源）")
    parser.add_argument(
        "--sources",
        dest="sources_file",
        metavar="FILE",
        help="来源配置文件（默认 config/sources.yaml；指定 --sandbox 时默认 config/sources.sandbox.yaml）",
    )
    parser.add_argument(
        "--sandbox", metavar="URL", type=http_url, help="沙盒站点地址，如 http://127.0.0.1:8765（替换配置中的 {sandbox}）"
    )
    parser.add_argument(
        "--due",
        action="store_true",
        help="只抓取距上次抓取已超过其 interval 的来源（适合用 cron 每分钟调用）",
    )
    parser.add_argument("--no-enrich", action="store_true", help="不做情感/分类/地域等分析，直接入库")
    parser.add_argument("--quiet", action="store_true", help="不显示进度")
    parser.add_argument(
        "--worker",
        metavar="I/N",
        help="多个抓取进程分担来源：本进程是 N 个中的第 I 个，只抓取按来源名哈希分给它的来源（见 docs/scaling.md）",
    )
    parser.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    from crawlers.run import Progress, crawl, plan
    from crawlers.sharding import parse_worker, select
    from yuqing.crawl_labels import STATUS_LABELS, describe_errors

    worker = parse_worker(args.worker) if getattr(args, "worker", None) else None
    groups = plan(
        args.sources or None, args.sources_file, args.sandbox, args.due
    )  # errors before anything starts
    if worker is not None and groups:
        mine = set(select([s.name for group in groups.values() for s in group], worker))
        groups = {k: [s for s in group if s.name in mine] for k, group in groups.items()}
        groups = {k: group for k, group in groups.items() if group}
        if not groups:
            print(f"工作进程 {worker} 没有分到来源（来源少于工作进程数？）")
            return 0
    if not groups:
        if args.due:
            print("没有到期的来源（都在抓取间隔内）")
            return 0
        print("没有要抓取的来源（所有来源都已停用？用 yuqing sources list 查看）", file=sys.stderr)
        return 1
    progress = (
        None if args.quiet else Progress(write=lambda text: (sys.stderr.write(text), sys.stderr.flush()))
    )
    settings = {"LOG_LEVEL": "DEBUG" if args.verbose else "ERROR"}
    if args.no_enrich:
        settings["YUQING_ENRICH"] = False
    runs = crawl(
        [s.name for group in groups.values() for s in group],
        sources_file=args.sources_file,
        sandbox=args.sandbox,
        settings=settings,
        progress=progress,
        log_to_root=True,
    )
    failed = 0
    print(ljust("来源", 24) + "".join(rjust(h, 6) for h in ("页面", "条目", "跳过", "错误", "缓冲")) + "  状态  错误分类")
    for run_doc in runs:
        status = STATUS_LABELS.get(run_doc["status"], run_doc["status"])
        kinds = run_doc["errors_by_kind"]
        notes = describe_errors(kinds, advisory=True)  # counted, not faults (the run stays 正常)
        print(
            f"{ljust(run_doc['source'], 24)}{run_doc['pages']:>6}{run_doc['items']:>6}{run_doc['skipped']:>6}"
            f"{run_doc['errors']:>6}{run_doc['spooled']:>6}  {status}  {describe_errors(kinds, advisory=False) or '-'}"
            + (f"（提示：{notes}）" if notes else "")
        )
        failed += run_doc["status"] == "failed"
    if any(r["spooled"] for r in runs):
        print("注意：Elasticsearch 暂不可写，部分文章已存入本地缓冲，下次抓取时自动补写（yuqing spool 查看）",
              file=sys.stderr)
    rejected = sum(r["errors_by_kind"].get("index_rejected", 0) for r in runs)
    if rejected:
        print(f"注意：{rejected} 篇文章被 Elasticsearch 因内容拒收，已另存于本地缓冲，不会自动重试"
              "（yuqing spool 查看；修正原因后 yuqing spool retry）", file=sys.stderr)
    return 1 if failed else 0
