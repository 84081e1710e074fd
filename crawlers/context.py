"""What one crawl shares between its spider, middlewares and pipelines: store, spool, state, clock, counts.

Created once per crawler by :func:`context_for`. Counting goes through Scrapy's stats collector under
``yuqing/<source>/…`` keys, so ``scrapy crawl`` prints them and the crawl-runs writer reads them.
"""

from __future__ import annotations

import logging
from collections import Counter

from crawlers.state import CrawlClock, CrawlState
from yuqing.crawl_labels import ADVISORY_KINDS
from yuqing.errors import StoreError
from yuqing.spool import Spool

LOGGER = logging.getLogger(__name__)
STATS_PREFIX = "yuqing"
error_counted = object()  # Scrapy signal sent with (source, kind) for every error counted (the progress line)
_INITIALISED: set = set()
# The client logs every failed attempt with a traceback; our own messages say what happened.
logging.getLogger("elastic_transport").setLevel(logging.CRITICAL)


class CrawlContext:
    """Store connection (or None while Elasticsearch is down), spool, incremental state and clock."""

    def __init__(self, crawler) -> None:
        settings = crawler.settings
        self.crawler = crawler
        self.es_url = settings.get("YUQING_ES_URL") or None
        self.index_prefix = settings.get("YUQING_INDEX_PREFIX") or None
        self.spool = Spool(settings.get("YUQING_SPOOL_DIR") or None)
        self.clock = CrawlClock.from_sandbox(settings.get("YUQING_SANDBOX_URL") or None)
        self.state = CrawlState()
        self.store = None
        self.store_error: str | None = None
        self.messages: Counter = Counter()
        # `yuqing sources try`: no store at all (nothing read, nothing written); what it would store,
        # what was counted with its message, and per source what it saw but did not read are kept
        # here for the command to show
        self.trial = settings.getint("YUQING_TRIAL")
        self.trial_posts: list[dict] = []
        self.trial_errors: list[tuple[str | None, str, str]] = []
        self.trial_notes: dict[str, dict[str, str]] = {}

    @property
    def stats(self):
        return self.crawler.stats

    # -------------------------------------------------------------- store
    def connect(self):
        """The store, connecting on first use; None (and the reason kept) while it is unreachable."""
        if self.store is not None or self.trial:
            return self.store
        from yuqing.store import connect

        try:
            store = connect(self.es_url, prefix=self.index_prefix)
            key = (store.url, store.prefix)
            if key not in _INITIALISED:  # once per process: the spiders of one crawl share the indices
                store.init()
                _INITIALISED.add(key)
            self.store = store
            self.store_error = None
        except StoreError as exc:
            if self.store_error is None:
                LOGGER.error(
                    "Elasticsearch 不可用，条目暂存到 %s：%s", self.spool.directory, exc
                )
            self.store_error = str(exc)
            self.store = None
        return self.store

    def drop_store(self, reason: str) -> None:
        """Forget the connection after a failure so the next flush reconnects."""
        LOGGER.error("写入 Elasticsearch 失败，改为暂存：%s", reason)
        self.store, self.store_error = None, reason

    def load_state(self, sources: list[str]) -> None:
        if self.trial:  # a trial fetches as if nothing were stored
            return
        store = self.connect()
        if store is None:
            LOGGER.warning("读不到抓取状态（Elasticsearch 不可用）：本次所有文章都会重新下载")
            return
        try:
            self.state = CrawlState.load(store, sources)
        except StoreError as exc:
            LOGGER.warning("读取抓取状态失败：%s", exc)

    # -------------------------------------------------------------- counting
    def count(self, source: str | None, what: str, n: int = 1) -> None:
        self.stats.inc_value(f"{STATS_PREFIX}/{source or '-'}/{what}", n)

    def error(self, source: str | None, kind: str, message: str, level: int = logging.WARNING) -> None:
        """Count an error of ``kind`` for ``source`` and log it (each fault is logged and counted);
        the advisory kinds, which are no fault of the run, at INFO."""
        self.count(source, f"errors/{kind}")
        LOGGER.log(logging.INFO if kind in ADVISORY_KINDS else level, "[%s] %s: %s", source or "-", kind, message)
        if self.trial:
            self.trial_errors.append((source, kind, message))
        self.crawler.signals.send_catch_log(error_counted, source=source, kind=kind)

    def source_stats(self, source: str) -> dict:
        prefix = f"{STATS_PREFIX}/{source}/"
        values = {
            k[len(prefix) :]: v for k, v in (self.stats.get_stats() or {}).items() if k.startswith(prefix)
        }
        errors = {k[len("errors/") :]: v for k, v in values.items() if k.startswith("errors/")}
        return {
            "pages": values.get("pages", 0),
            "items": values.get("items", 0),
            "errors": sum(n for kind, n in errors.items() if kind not in ADVISORY_KINDS),  # faults only
            "errors_by_kind": errors,
            "dropped": values.get("dropped", 0),
            "skipped": values.get("skipped", 0),
            "spooled": values.get("spooled", 0),
        }


def context_for(crawler) -> CrawlContext:
    context = getattr(crawler, "yuqing_context", None)
    if context is None:
        context = CrawlContext(crawler)
        crawler.yuqing_context = context
    return context


__all__ = ["CrawlContext", "context_for"]
