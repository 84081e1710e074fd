"""`yuqing spool [status|retry]`: what waits in the local buffer (spool); another try for refused posts."""

from __future__ import annotations

import argparse
import os

from yuqing.columns import ljust
from yuqing.errors import YuqingError
from yuqing.spool import REJECTED, Spool

LABELS = {"posts": "文章", "crawl-state": "抓取进度", "crawl-runs": "抓取记录"}


def register(subparsers) -> None:
    common = argparse.ArgumentParser(add_help=False)  # --dir before or after the sub-command
    common.add_argument("--dir", metavar="DIR", default=argparse.SUPPRESS,
                        help="缓冲目录（默认 数据目录/spool，即 YUQING_DATA_DIR/spool）")
    parser = subparsers.add_parser(
        "spool", parents=[common], help="查看本地缓冲（Elasticsearch 暂不可写时抓到的文章在此等待）",
        description="本地缓冲：Elasticsearch 不可用、正在关闭、过载或写入被锁定时，抓到的文章存在本地，"
        "下一次抓取（或监测服务的抓取）自动补写。Elasticsearch 因内容本身拒收的文章另存为“已拒收”，"
        "不会自动重试：查明原因（如字段映射）并修正后，用 yuqing spool retry 放回等待队列。"
        "有已拒收的文章时 status 的退出码为 1。",
    )
    inner = parser.add_subparsers(title="子命令", metavar="<子命令>")
    status = inner.add_parser("status", parents=[common], help="各类文档的等待数与已拒收数（默认）")
    status.set_defaults(func=_status)
    retry = inner.add_parser("retry", parents=[common], help="把已拒收的文章放回等待队列，由下一次抓取重新写入")
    retry.set_defaults(func=_retry)
    parser.set_defaults(func=_status)


def _spool(args: argparse.Namespace) -> Spool:
    directory = getattr(args, "dir", None) or None
    if directory and os.path.exists(directory) and not os.path.isdir(directory):
        raise YuqingError(f"--dir {directory} 是文件，不是缓冲目录")
    return Spool(directory)


def _label(name: str) -> str:
    base = name.removesuffix(REJECTED)
    return LABELS.get(base, base) + ("（已拒收）" if name.endswith(REJECTED) else "")


def _status(args: argparse.Namespace) -> int:
    spool = _spool(args)
    print(f"缓冲目录 {spool.directory}")
    counts = {name: spool.pending(name) for name in spool.names()}
    counts = {name: count for name, count in counts.items() if count}
    for name, count in spool.corrupt().items():  # kept for a person to read; never replayed
        print(f"  {ljust('无法解析的行', 16)}{count:>8} 条  {name}（写入中断留下的残行，已另存，不会写入）")
    if not counts:
        print("没有等待写入的文档")
        return 0
    for name, count in counts.items():
        print(f"  {ljust(_label(name), 16)}{count:>8} 条  {spool.path(name).name}")
    if any(not name.endswith(REJECTED) for name in counts):
        print("等待写入的文档：Elasticsearch 恢复可写后，下一次 yuqing crawl（或监测服务的抓取）自动补写")
    rejected = sum(count for name, count in counts.items() if name.endswith(REJECTED))
    if rejected:
        print(f"已拒收 {rejected} 条：Elasticsearch 因内容拒收（原因见抓取日志；“信源”页错误分类记为“索引拒收”），"
              "不会自动重试；修正原因后运行 yuqing spool retry")
        return 1
    return 0


def _retry(args: argparse.Namespace) -> int:
    spool = _spool(args)
    moved = 0
    for name in spool.names():
        if name.endswith(REJECTED):
            target = name.removesuffix(REJECTED)
            count = spool.move(name, target)
            if count:
                print(f"{_label(name)} {count} 条已放回等待队列（{spool.path(target).name}）")
            moved += count
    if not moved:
        print(f"没有已拒收的文档（{spool.directory}）")
        return 0
    print("下一次 yuqing crawl（或监测服务的抓取）写入它们；仍被拒收的会再次另存为已拒收")
    return 0
