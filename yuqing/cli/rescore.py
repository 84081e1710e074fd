"""`yuqing rescore`: re-score the sentiment of stored posts (a backfill after a model update).

Posts are read with a scroll, scored on every core (``analysis.sentiment.batch``) and written back
as partial updates of ``sentiment`` only, all three stages streaming at once. The text scored is the
one the enrichment pipeline scores (title and content), so a re-scored post carries exactly what a
freshly crawled one would.
"""

from __future__ import annotations

import argparse
import time
from collections import deque
from dataclasses import dataclass, field
from typing import Callable, Iterator

from yuqing.cli.backfilling import Progress, add_arguments, failed_lines, posts_store, ticker
from yuqing.errors import YuqingError

HELP = "用指定情感模型重新给已入库的帖子打分（模型更新后的回填，多核并行）"
DESCRIPTION = """\
读取索引中的帖子，用情感模型重新打分（标题与正文，与入库时的打分方式相同），只更新 sentiment 字段
（score、label、model），帖子的其他字段不变。多进程并行，进度（已完成/总数、篇/秒）显示在标准错误，
结束时输出汇总：已评分、已跳过、失败、篇/秒。
没有标题和正文的帖子、写入失败的帖子计为失败并列出，不影响其余帖子；只要有失败，退出码为 1。
"""

@dataclass
class RescoreSummary:
    model: str
    total: int = 0  # posts in the index when the run started
    scored: int = 0  # re-scored and written
    skipped: int = 0  # already scored by this model (--only-stale)
    failed: list[tuple[str, str]] = field(default_factory=list)  # (post id, reason)
    seconds: float = 0.0

    @property
    def rate(self) -> float:
        return self.scored / self.seconds if self.seconds > 0 else 0.0

    def __str__(self) -> str:
        text = (f"模型 {self.model}：已评分 {self.scored} 篇，跳过 {self.skipped} 篇，失败 {len(self.failed)} 篇，"
                f"用时 {self.seconds:.1f} 秒，{self.rate:,.0f} 篇/秒")
        return text + failed_lines(self.failed)


def register(subparsers) -> None:
    from yuqing.cli.sentiment import add_model_argument

    parser = subparsers.add_parser(
        "rescore", help=HELP, description=DESCRIPTION, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    add_model_argument(parser)
    parser.add_argument("--only-stale", action="store_true", help="跳过已由该模型（同一版本）打分的帖子")
    add_arguments(parser, "打分进程数（默认 CPU 核数）")
    parser.set_defaults(func=run)


def post_text(post: dict) -> str | None:
    """The text the pipeline scores (title, newline, content), or None when the post has none."""
    from analysis.enrich import scoring_text

    title, content = post.get("title"), post.get("content")
    if (title is not None and not isinstance(title, str)) or (content is not None and not isinstance(content, str)):
        return None
    text = scoring_text(post)
    return text if text else None


def rescore(store, model: str | None = None, *, only_stale: bool = False, workers: int | None = None,
            batch_size: int = 500, progress: Callable[[int, int, float], None] | None = None) -> RescoreSummary:
    """Re-score the posts in ``store`` with ``model``; ``progress(done, todo, seconds)`` now and then."""
    from analysis.enrich import sentiment_field
    from analysis.sentiment.batch import CHUNK_SIZE, BatchScorer
    from analysis.sentiment.models import resolve
    from yuqing.store import backfill

    if batch_size < 1:
        raise ValueError("batch_size 必须 ≥ 1")
    summary = RescoreSummary(resolve(model))
    start = time.perf_counter()
    summary.total = backfill.count_posts(store)
    todo = backfill.count_posts(store, summary.model) if only_stale else summary.total
    summary.skipped = summary.total - todo
    done = 0
    report_progress = ticker(progress, todo)

    def tick(ok: bool = True) -> None:
        nonlocal done
        done += 1
        report_progress(done)

    posts = backfill.scan_posts(store, summary.model if only_stale else None, size=batch_size)
    waiting: deque[dict] = deque()

    def texts() -> Iterator[str]:
        for post in posts:
            text = post_text(post)
            if text is None:
                summary.failed.append((post["id"], "没有可评分的文本（标题与正文均为空或不是字符串）"))
                tick(False)
                continue
            waiting.append(post)
            yield text

    with BatchScorer(summary.model, workers, chunk_size=min(batch_size, CHUNK_SIZE)) as scorer:

        def updates() -> Iterator[tuple[str, dict, str]]:
            for result in scorer.imap(texts()):
                post = waiting.popleft()
                yield post["id"], sentiment_field(result), post["index"]

        report = backfill.update_sentiment(store, updates(), chunk_size=batch_size, on_item=tick)
    summary.scored = report.updated
    summary.failed.extend(report.failed)
    summary.seconds = time.perf_counter() - start
    return summary


def run(args: argparse.Namespace) -> int:
    from analysis.sentiment import UnknownModelError
    from analysis.sentiment.models import resolve
    try:
        resolve(args.model)
    except UnknownModelError as exc:
        raise YuqingError(str(exc)) from None
    store = posts_store(args)
    progress = Progress()
    try:
        summary = rescore(store, args.model, only_stale=args.only_stale, workers=args.workers,
                          batch_size=args.batch_size, progress=progress)
    finally:
        progress.end()
    print(summary)
    return 1 if summary.failed else 0
