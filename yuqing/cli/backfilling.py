"""What the stored-post backfills (`yuqing rescore`, `yuqing reanalyze`) share: the --workers and
--batch-size options, the posts index check, progress on stderr and the list of failed posts."""

from __future__ import annotations

import argparse
import sys
import time
from typing import Callable

from yuqing.errors import YuqingError

PROGRESS_EVERY = 0.5  # seconds between progress lines
SHOWN_FAILURES = 20


def add_arguments(parser: argparse.ArgumentParser, workers_help: str) -> None:
    parser.add_argument("--workers", type=int, default=None, metavar="N", help=workers_help)
    parser.add_argument("--batch-size", type=int, default=500, metavar="K",
                        help="每次读取与批量写入的帖子数（默认 500）")


def posts_store(args: argparse.Namespace):
    """The store, after checking --workers/--batch-size and that the posts index exists."""
    from yuqing.store import connect

    if args.workers is not None and args.workers < 1:
        raise YuqingError("--workers 应 ≥ 1")
    if args.batch_size < 1:
        raise YuqingError("--batch-size 应 ≥ 1")
    store = connect()
    if store.alias_version("posts") is None:
        raise YuqingError(f"索引 {store.alias('posts')} 不存在", hint="先运行 `yuqing init`")
    return store


def failed_lines(failed: list[tuple[str, str]]) -> str:
    """The first SHOWN_FAILURES ``(post id, reason)`` pairs, one per line, and how many more there are."""
    shown = failed[:SHOWN_FAILURES]
    text = "".join(f"\n  {doc_id}: {reason}" for doc_id, reason in shown)
    if len(failed) > len(shown):
        text += f"\n  …… 另有 {len(failed) - len(shown)} 篇失败"
    return text


def ticker(progress: Callable[[int, int, float], None] | None, todo: int) -> Callable[[int], None]:
    """``tick(done)`` that calls ``progress(done, todo, seconds)`` at most every PROGRESS_EVERY seconds,
    and always for the last post."""
    start = time.perf_counter()
    last = 0.0

    def tick(done: int) -> None:
        nonlocal last
        now = time.perf_counter()
        if progress is not None and (now - last >= PROGRESS_EVERY or done == todo):
            last = now
            progress(done, todo, now - start)

    return tick


class Progress:
    """``已完成 done/todo（百分比），N 篇/秒`` on stderr: one rewritten line on a terminal, else lines."""

    def __init__(self, stream=None) -> None:
        self.stream = stream or sys.stderr
        self.tty = self.stream.isatty()
        self.shown = False

    def __call__(self, done: int, todo: int, seconds: float) -> None:
        rate = done / seconds if seconds > 0 else 0.0
        share = f"（{done / todo:.0%}）" if todo else ""
        line = f"已完成 {done:,}/{todo:,}{share}，{rate:,.0f} 篇/秒"
        if self.tty:
            self.stream.write("\r" + line + "\033[K")
        else:
            self.stream.write(line + "\n")
        self.stream.flush()
        self.shown = True

    def end(self) -> None:
        if self.tty and self.shown:
            self.stream.write("\n")
            self.stream.flush()
