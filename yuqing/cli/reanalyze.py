"""`yuqing reanalyze`: apply the current dictionary, gazetteer and category rules to stored posts.

A post's segmentation, categories (with the keywords that matched), region and top keywords are
computed when it is crawled. After ``config/categories.yaml``, the project dictionary or the
gazetteer changes, stored posts still carry the old ones, so the 检索 filters and the counts that
use categories would mix old and new rules. This re-runs that part of the enrichment
(:func:`analysis.enrich.text_fields`) on every core and writes back only the posts whose fields
changed, as partial updates: sentiment (``yuqing rescore``) and near-duplicate clusters (events are
built on them) are left as they are.
"""

from __future__ import annotations

import argparse
import os
import time
from collections import deque
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass, field
from datetime import date
from itertools import islice
from typing import Callable, Iterable, Iterator

from yuqing.cli.backfilling import Progress, add_arguments, failed_lines, posts_store, ticker
from yuqing.errors import YuqingError

HELP = "按当前分类规则、词典和地名库重新分词、分类、提取关键词与地区（规则修改后的回填）"
DESCRIPTION = """\
读取索引中的帖子，按当前的分类规则（config/categories.yaml）、分词词典和地名库重新计算分词字段、
分类及命中的关键词、地区和关键词，只写回有变化的帖子（部分更新），情感分值和相似聚类不变。
多进程并行，进度显示在标准错误，结束时输出汇总：已检查、已更新（其中分类变化）、失败、篇/秒。
写入失败的帖子列出，不影响其余帖子；只要有失败，退出码为 1。
"""

CHUNK = 200  # posts per worker task
IN_FLIGHT = 3  # chunks queued per worker


@dataclass
class ReanalyzeSummary:
    checked: int = 0
    updated: int = 0
    recategorized: int = 0  # of the updated: categories changed
    failed: list[tuple[str, str]] = field(default_factory=list)
    seconds: float = 0.0

    @property
    def rate(self) -> float:
        return self.checked / self.seconds if self.seconds > 0 else 0.0

    def __str__(self) -> str:
        text = (f"已检查 {self.checked} 篇，更新 {self.updated} 篇（其中分类变化 {self.recategorized} 篇），"
                f"失败 {len(self.failed)} 篇，用时 {self.seconds:.1f} 秒，{self.rate:,.0f} 篇/秒")
        return text + failed_lines(self.failed)


def register(subparsers) -> None:
    parser = subparsers.add_parser(
        "reanalyze", help=HELP, description=DESCRIPTION, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--since", metavar="YYYY-MM-DD", help="只处理该日期（含）以后发布的帖子")
    add_arguments(parser, "进程数（默认 CPU 核数）")
    parser.set_defaults(func=run)


_categorizer = None


def _changes(posts: list[tuple[str, str, dict]]) -> list[tuple[str, str, dict | None, bool, str | None]]:
    """Worker: ``(id, index, changed fields or None, categories changed, error)`` per post."""
    global _categorizer
    from analysis.categories import Categorizer
    from analysis.enrich import text_fields

    if _categorizer is None:
        _categorizer = Categorizer.from_file()
    out = []
    for doc_id, index, source in posts:
        try:
            fields = text_fields(source, _categorizer)
        except Exception as exc:  # noqa: BLE001 - one bad post never stops the backfill
            out.append((doc_id, index, None, False, repr(exc)[:200]))
            continue
        changed = {k: v for k, v in fields.items() if source.get(k) != v}
        out.append((doc_id, index, changed or None, "categories" in changed, None))
    return out


def _chunks(items: Iterable, size: int) -> Iterator[list]:
    it = iter(items)
    while chunk := list(islice(it, size)):
        yield chunk


def reanalyze(store, *, since: str | None = None, workers: int | None = None, batch_size: int = 500,
              progress: Callable[[int, int, float], None] | None = None) -> ReanalyzeSummary:
    """Recompute the text fields of the posts in ``store`` (published on or after ``since``)."""
    from analysis.enrich import TEXT_FIELDS
    from yuqing.store import backfill

    if batch_size < 1:
        raise ValueError("batch_size 必须 ≥ 1")
    # what text_fields reads (title, content, the region hints) and what it may change (to compare)
    fields = ("title", "content", "source_region", *TEXT_FIELDS)
    summary = ReanalyzeSummary()
    start = time.perf_counter()
    query = backfill.since_query(since)
    todo = store.count("posts", query)
    workers = workers or os.cpu_count() or 1
    posts = backfill.scan_sources(store, query, fields, size=batch_size)

    report_progress = ticker(progress, todo)

    def tick() -> None:
        summary.checked += 1
        report_progress(summary.checked)

    def results(pool) -> Iterator[tuple]:
        chunks = _chunks(posts, CHUNK)
        if pool is None:
            for chunk in chunks:
                yield from _changes(chunk)
            return
        pending: deque = deque()  # in order, at most IN_FLIGHT chunks per worker: bounded memory
        for chunk in chunks:
            pending.append(pool.submit(_changes, chunk))
            if len(pending) >= IN_FLIGHT * workers:
                yield from pending.popleft().result()
        while pending:
            yield from pending.popleft().result()

    def updates(pool) -> Iterator[tuple[str, dict, str]]:
        for doc_id, index, changed, recategorized, error in results(pool):
            tick()
            if error is not None:
                summary.failed.append((doc_id, error))
            elif changed is not None:
                summary.recategorized += recategorized
                yield doc_id, changed, index

    if workers > 1:
        with ProcessPoolExecutor(workers) as pool:
            report = store.update_docs("posts", updates(pool), chunk_size=batch_size, refresh=True)
    else:
        report = store.update_docs("posts", updates(None), chunk_size=batch_size, refresh=True)
    summary.updated = report.updated
    summary.failed.extend(report.failed)
    summary.seconds = time.perf_counter() - start
    return summary


def run(args: argparse.Namespace) -> int:
    if args.since is not None:
        try:
            date.fromisoformat(args.since)
        except ValueError:
            raise YuqingError(f"--since 应为日期 YYYY-MM-DD，实际是 {args.since!r}") from None
    store = posts_store(args)
    progress = Progress()
    try:
        summary = reanalyze(store, since=args.since, workers=args.workers, batch_size=args.batch_size,
                            progress=progress)
    finally:
        progress.end()
    print(summary)
    return 1 if summary.failed else 0
