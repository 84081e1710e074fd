"""Run configured sources once, in this process: one spider per kind, all in one Scrapy reactor.

Used by ``yuqing crawl``. Scrapy's reactor starts once per process, so callers that crawl more than
once (tests, benchmarks) run this in a subprocess: ``python -m crawlers.run [SOURCE…] --sandbox URL``.
"""

from __future__ import annotations

import argparse
import json
import logging
import os
import sys
import time
from dataclasses import dataclass, field
from datetime import datetime, timedelta, timezone
from typing import Callable

from scrapy import signals
from scrapy.crawler import CrawlerProcess
from scrapy.utils.conf import closest_scrapy_cfg
from scrapy.utils.project import get_project_settings

from crawlers.context import context_for, error_counted
from crawlers.sources import Source, SourcesFile, load_sources, needs_sandbox, sources_path
from crawlers.spiders.base import ERROR_KINDS
from yuqing.crawl_labels import ADVISORY_KINDS

KIND_SPIDERS = {
    "news": "news",
    "rss": "rss",
    "sitemap": "sitemap",
    "board_html": "board_html",
    "board_api": "board_api",
    "social": "social",
}


@dataclass
class Progress:
    """Live counts across the crawl's spiders, for the progress line."""

    pages: int = 0
    items: int = 0
    errors: int = 0
    started: float = field(default_factory=time.monotonic)
    write: Callable[[str], None] | None = None
    _last: float = 0.0

    def show(self, force: bool = False) -> None:
        now = time.monotonic()
        if self.write is None or (not force and now - self._last < 0.3):
            return
        self._last = now
        elapsed = now - self.started
        counts = f"已抓取页面 {self.pages}，条目 {self.items}，错误 {self.errors}"
        self.write(f"\r{counts}，用时 {elapsed:.0f} 秒 ")


def due(sources: list[Source], last_started: dict[str, datetime], now: datetime) -> list[Source]:
    """The sources whose interval has passed since their last run started (never run: due)."""
    return [
        s
        for s in sources
        if s.name not in last_started or now - last_started[s.name] >= timedelta(seconds=s.interval)
    ]


def last_started(store, names: list[str]) -> dict[str, datetime]:
    """When each source's last crawl run started, from the crawl-runs index."""
    result = store.search(
        "crawl-runs",
        {"terms": {"source": names}},
        size=0,
        aggs={
            "by_source": {
                "terms": {"field": "source", "size": max(1, len(names))},
                "aggs": {"last": {"max": {"field": "started_at"}}},
            }
        },
    )
    return {
        bucket["key"]: datetime.fromtimestamp(bucket["last"]["value"] / 1000, timezone.utc)
        for bucket in result["aggregations"]["by_source"]["buckets"]
        if bucket["last"]["value"] is not None
    }


def plan(
    names: list[str] | None, sources_file: str | None, sandbox: str | None, due_only: bool = False,
    loaded: SourcesFile | None = None,
) -> dict[str, list[Source]]:
    """Sources to crawl grouped by spider name (validates the file: ConfigError with file:line; ``loaded``:
    the file the caller has read already).

    ``due_only``: only the sources whose ``interval`` has passed since their last run."""
    loaded = loaded or load_sources(sources_path(sources_file, sandbox), sandbox)
    chosen = loaded.select(names or None)
    if not sandbox:
        missing = [s.name for s in chosen if needs_sandbox(s)]
        if missing:
            from yuqing.errors import YuqingError

            raise YuqingError(
                f"来源 {'、'.join(missing)} 的地址含 {{sandbox}}，请用 --sandbox URL 指定沙盒地址"
            )
    if due_only and chosen:
        from crawlers.state import CrawlClock
        from yuqing.store import connect

        store = connect()
        store.init()  # idempotent; a first run has no crawl-runs index yet
        chosen = due(
            chosen, last_started(store, [s.name for s in chosen]), CrawlClock.from_sandbox(sandbox).now()
        )
    groups: dict[str, list[Source]] = {}
    for source in chosen:
        groups.setdefault(KIND_SPIDERS[source.kind], []).append(source)
    return groups


SETTINGS_MODULE = "crawlers.settings"  # what scrapy.cfg names, for `scrapy` run from the repository root


def project_settings():
    """Scrapy's project settings wherever `yuqing` runs: Scrapy finds them through scrapy.cfg in
    the working directory or above, so from anywhere else no spider was found."""
    if "SCRAPY_SETTINGS_MODULE" not in os.environ and closest_scrapy_cfg() == "":
        os.environ["SCRAPY_SETTINGS_MODULE"] = SETTINGS_MODULE
    return get_project_settings()


def crawl(
    names: list[str] | None = None,
    *,
    sources_file: str | None = None,
    sandbox: str | None = None,
    settings: dict | None = None,
    progress: Progress | None = None,
    log_to_root: bool = False,
    due_only: bool = False,
) -> list[dict]:
    """Crawl the sources once; returns the crawl-runs documents (one per source).

    ``log_to_root``: the caller (the CLI) owns logging; Scrapy logs through the root handlers,
    filtered at LOG_LEVEL, instead of installing its own."""
    crawlers = _run(plan(names, sources_file, sandbox, due_only), sources_file, sandbox, settings, progress,
                    log_to_root)
    runs: list[dict] = []
    for crawler in crawlers:
        runs.extend(crawler.stats.get_value("yuqing/runs") or [])
    return runs


TRIAL_PIPELINES = {  # a trial's pipelines: cleaning and checks; no enrichment; the index step only collects
    "crawlers.pipelines.NormalizePipeline": 100,
    "crawlers.pipelines.ValidatePipeline": 200,
    "crawlers.pipelines.DedupPipeline": 300,
    "crawlers.pipelines.IndexPipeline": 900,
}


@dataclass
class Trial:
    """What ``trial`` saw of one source: its run, the posts it would store, every counted error with
    its message, and the next listing page it did not fetch."""

    run: dict
    posts: list[dict]
    errors: list[tuple[str, str]]
    next_page: str | None = None
    unread: str | None = None  # what else the trial saw and did not read (the other sitemaps of an index)


def trial(
    name: str, *, articles: int = 3, sources_file: str | None = None, sandbox: str | None = None,
    settings: dict | None = None, loaded: SourcesFile | None = None,
) -> Trial:
    """Crawl one source as a crawl would, but only its first listing page and ``articles`` article
    pages, and store nothing (Elasticsearch is not needed): for checking a source's selectors."""
    groups = plan([name], sources_file, sandbox, loaded=loaded)
    trial_settings = {"YUQING_TRIAL": articles, "ITEM_PIPELINES": TRIAL_PIPELINES, **(settings or {})}
    crawlers = _run(groups, sources_file, sandbox, trial_settings, None, True)
    for crawler in crawlers:
        runs = [r for r in crawler.stats.get_value("yuqing/runs") or [] if r["source"] == name]
        if runs:
            context = context_for(crawler)
            errors = [(kind, message) for source, kind, message in context.trial_errors if source in (name, None)]
            notes = context.trial_notes.get(name, {})
            posts = [p for p in context.trial_posts if p.get("source") == name]
            return Trial(runs[0], posts, errors, notes.get("next_page"), notes.get("unread"))
    raise RuntimeError(f"trial of {name} produced no run")  # the spider never opened: Scrapy logged why


def _run(groups, sources_file, sandbox, settings, progress, log_to_root) -> list:
    """Run one crawler per spider of ``groups`` in this process's reactor; returns the crawlers."""
    project = project_settings()
    if sources_file:
        project.set("YUQING_SOURCES_FILE", str(sources_file), priority="cmdline")
    if sandbox:
        project.set("YUQING_SANDBOX_URL", sandbox, priority="cmdline")
    for key, value in (settings or {}).items():
        project.set(key, value, priority="cmdline")
    if log_to_root:
        for handler in logging.getLogger().handlers:  # Scrapy resets logger levels, not handler levels
            handler.setLevel(project.get("LOG_LEVEL") or "INFO")
            if handler.level > logging.DEBUG:  # the level as a number, however the setting spelt it
                handler.addFilter(_network_tracebacks)
    project.set("LOG_INSTALL_ROOT_HANDLER", not log_to_root, priority="cmdline")
    process = CrawlerProcess(project)
    crawlers = []
    requested: dict = {}  # article key -> the source that requested it first, across the spiders
    for spider, sources in groups.items():
        crawler = process.create_crawler(spider)
        crawler.yuqing_requested = requested
        if progress is not None:
            _watch(crawler, progress)
        crawlers.append(crawler)
        process.crawl(crawler, source=",".join(s.name for s in sources))
    if crawlers:
        process.start()
    if progress is not None:
        progress.show(force=True)
        progress.write and progress.write("\n")
    return crawlers


def _network_tracebacks(record: logging.LogRecord) -> bool:
    """Keep the message, drop the traceback, when a download failed for a network reason (refused,
    timed out, DNS …): the message says what and where; the stack of Twisted frames says nothing more
    (Scrapy's robots.txt middleware logs one for every unreachable site). ``--verbose`` keeps them."""
    if record.exc_info and type(record.exc_info[1]).__name__ in ERROR_KINDS:
        record.exc_info, record.exc_text = None, None
    return True


def _watch(crawler, progress: Progress) -> None:
    def page(**_kwargs):
        progress.pages += 1
        progress.show()

    def item(**_kwargs):
        progress.items += 1
        progress.show()

    def error(kind=None, **_kwargs):
        if kind not in ADVISORY_KINDS:  # as the run's own count: advisories are not faults
            progress.errors += 1
            progress.show()

    crawler.signals.connect(page, signal=signals.response_received, weak=False)
    crawler.signals.connect(item, signal=signals.item_scraped, weak=False)
    # Every error the per-source table counts, and nothing else (a duplicate dropped is not an error).
    crawler.signals.connect(error, signal=error_counted, weak=False)


def main(argv: list[str] | None = None) -> int:
    from yuqing.cli._format import speak_chinese

    speak_chinese()  # argparse's own words (用法, 选项) too
    parser = argparse.ArgumentParser(prog="python -m crawlers.run", description="抓取配置的来源一次")
    parser.add_argument("sources", nargs="*")
    parser.add_argument("--sources-file", dest="sources_file")
    parser.add_argument("--sandbox")
    parser.add_argument("-s", "--set", action="append", default=[], metavar="NAME=VALUE")
    parser.add_argument("--json", action="store_true", help="print the crawl-runs documents as JSON")
    args = parser.parse_args(argv)
    settings = dict(item.split("=", 1) for item in args.set)
    runs = crawl(args.sources, sources_file=args.sources_file, sandbox=args.sandbox, settings=settings)
    if args.json:
        print(json.dumps(runs, ensure_ascii=False))
        return 0
    for run in runs:
        print(
            f"{run['source']}\tpages={run['pages']}\titems={run['items']}\terrors={run['errors']}\t"
            f"{run['errors_by_kind']}"
        )
    return 0


if __name__ == "__main__":
    sys.exit(main())
