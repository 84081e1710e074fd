"""Per-source crawl statistics written to the crawl-runs index (the source-health view reads them)."""

from __future__ import annotations

import logging
from datetime import datetime

from scrapy import signals

from crawlers.context import context_for
from yuqing.crawl_labels import ADVISORY_KINDS
from yuqing.errors import StoreError

LOGGER = logging.getLogger(__name__)


def run_status(pages: int, items: int, errors_by_kind: dict) -> str:
    """ok: no errors; partial: errors beside stored items or pages; failed: nothing fetched.
    The advisory kinds do not count as errors."""
    errors = sum(n for kind, n in errors_by_kind.items() if kind not in ADVISORY_KINDS)
    if errors == 0:
        return "ok"
    return "partial" if pages or items else "failed"


class CrawlRunsExtension:
    """On spider close, one crawl-runs document per source: pages, items, errors by kind, status."""

    def __init__(self, crawler) -> None:
        self.crawler = crawler
        self.started_at: datetime | None = None
        self.real_start = None

    @classmethod
    def from_crawler(cls, crawler):
        extension = cls(crawler)
        crawler.signals.connect(extension.spider_opened, signal=signals.spider_opened)
        crawler.signals.connect(extension.spider_closed, signal=signals.spider_closed)
        return extension

    def spider_opened(self, spider) -> None:
        context = context_for(self.crawler)
        self.started_at = context.clock.now()
        self.real_start = datetime.now()

    def documents(self, spider, reason: str) -> list[dict]:
        context = context_for(self.crawler)
        finished = context.clock.now()
        self.started_at = self.started_at or finished  # the spider failed to open
        duration = (datetime.now() - self.real_start).total_seconds() if self.real_start else None
        docs = []
        for name, source in getattr(spider, "sources", {}).items():
            stats = context.source_stats(name)
            docs.append(
                {
                    "id": f"{name}:{self.started_at.isoformat()}",
                    "source": name,
                    "source_name": source.display_name,
                    "source_kind": source.kind,
                    "started_at": self.started_at.isoformat(),
                    "finished_at": finished.isoformat(),
                    **stats,
                    "status": run_status(stats["pages"], stats["items"], stats["errors_by_kind"])
                    if reason == "finished"
                    else "failed",
                    "duration_s": duration,
                }
            )
        return docs

    def spider_closed(self, spider, reason) -> None:
        context = context_for(self.crawler)
        docs = self.documents(spider, reason)
        for doc in docs:
            LOGGER.info(
                "抓取结果 %s：页面 %s，条目 %s，错误 %s %s",
                doc["source"],
                doc["pages"],
                doc["items"],
                doc["errors"],
                doc["errors_by_kind"],
            )
        self.crawler.stats.set_value("yuqing/runs", docs)
        if context.trial:  # `yuqing sources try` stores nothing, its run neither
            return
        store = context.connect()
        if store is not None:
            try:
                store.index_docs("crawl-runs", docs, refresh=True)
                store.refresh("posts")
                store.refresh("crawl-state")
                return
            except StoreError as exc:
                context.drop_store(str(exc))
        context.spool.append("crawl-runs", docs)
