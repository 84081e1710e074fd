"""Item pipelines: normalize -> validate -> dedup -> enrich (batched) -> index (batched bulk).

Each pipeline is one small class (from_crawler / open_spider / process_item / close_spider).
Enrichment and indexing work on batches: ``IndexPipeline`` buffers posts and, at each flush, runs
the registered batch stages (``EnrichPipeline``) and then one bulk write. Elasticsearch being down
never loses an item: what cannot be written goes to the local spool (``yuqing.spool``) and is
written at the next flush or the next run. One bad item never stops a batch; every fault is logged
and counted per source.
"""

from __future__ import annotations

import logging
import threading
import time
from dataclasses import asdict, is_dataclass
from datetime import datetime, timedelta
from typing import Protocol

from scrapy.exceptions import DropItem
from scrapy.utils.defer import maybe_deferred_to_future
from twisted.internet.threads import deferToThread

from crawlers.context import context_for
from crawlers.items import CST, EARLIEST, PostItem
from crawlers.sources import PLATFORMS
from crawlers.state import state_doc
from yuqing.errors import StoreError
from yuqing.spool import REJECTED
from yuqing.store.documents import canonical_url, post_id

LOGGER = logging.getLogger(__name__)

POSTS, STATE, RUNS = "posts", "crawl-state", "crawl-runs"
_GRACE = timedelta(minutes=5)
_SHARED: dict = {}
_ENRICH_LOCK = threading.Lock()  # clock skew allowed before a date counts as "in the future"


def as_dict(item) -> dict:
    """A post item as a plain dict without empty fields."""
    data = asdict(item) if is_dataclass(item) else dict(item)
    return {k: v for k, v in data.items() if v is not None}


class BatchStage(Protocol):
    def process_batch(self, posts: list[dict], spider) -> list[dict]: ...


class _Pipeline:
    def __init__(self, crawler) -> None:
        self.crawler = crawler
        self.context = context_for(crawler)

    @classmethod
    def from_crawler(cls, crawler):
        return cls(crawler)

    def open_spider(self, spider=None) -> None:
        pass

    def close_spider(self, spider=None) -> None:
        pass

    def _source(self, item, spider):
        sources = getattr(spider, "sources", {}) if spider is not None else {}
        return sources.get(item.source if isinstance(item, PostItem) else item.get("source"))

    def _spider(self):
        return self.crawler.spider


class NormalizePipeline(_Pipeline):
    """Source metadata, canonical URL, crawl time and the source's region as a hint."""

    def process_item(self, item: PostItem, spider=None) -> PostItem:
        spider = spider or self._spider()
        source = self._source(item, spider)
        now = self.context.clock.now()
        if source is not None:
            item.source_name = item.source_name or source.display_name
            item.source_kind = source.kind
            item.platform = PLATFORMS[source.kind]
            item.media_level = source.media_level
            if item.region is None and source.region:
                item.region = _region_hint(source.region)
        if item.url:
            item.url = canonical_url(item.url)
        item.crawled_at = item.crawled_at or now
        item.updated_at = now
        if item.board is not None and not any(item.board.get(k) for k in ("post_id", "status")):
            item.board = None
        if item.engagement is not None:
            item.engagement = {k: v for k, v in item.engagement.items() if v is not None} or None
        return item


def _region_hint(region: str) -> dict:
    try:
        from analysis.regions import detect_region

        found = detect_region(None, None, region)
    except Exception:  # noqa: BLE001 - the enrichment step decides the region; this is only a hint
        found = None
    return found or {"path": region}


class ValidatePipeline(_Pipeline):
    """Drops (and counts) items without URL, source or text; impossible dates never pass."""

    def process_item(self, item: PostItem, spider=None) -> PostItem:
        problems = []
        if not item.url:
            problems.append("缺少 url")
        if not item.source:
            problems.append("缺少 source")
        if not (item.title or item.content):
            problems.append("标题和正文都为空")
        if item.published_at is not None:
            now = self.context.clock.now()
            if (
                not isinstance(item.published_at, datetime)
                or item.published_at < EARLIEST
                or item.published_at > now.astimezone(CST).replace(microsecond=0) + _GRACE
            ):
                self.context.error(
                    item.source, "date_rejected", f"{item.url}: 日期不合理 {item.published_at}"
                )
                item.published_at = None
        if problems:
            self.context.error(
                item.source, "invalid_item", f"{item.url or item.title}: {'；'.join(problems)}"
            )
            self.context.count(item.source, "dropped")
            raise DropItem(f"invalid item {item.url}: {'; '.join(problems)}")
        return item


class DedupPipeline(_Pipeline):
    """The same post seen twice in one run (a feed and a listing, two pages) is kept once."""

    def open_spider(self, spider=None) -> None:
        self.seen: set[str] = set()

    def process_item(self, item: PostItem, spider=None) -> PostItem:
        key = post_id(as_dict(item))
        if key in self.seen:
            self.context.count(item.source, "duplicates")
            self.context.count(item.source, "dropped")
            raise DropItem(f"duplicate post {item.url}")
        self.seen.add(key)
        item.id = key
        return item


class EnrichPipeline(_Pipeline):
    """Sentiment, categories, region, keywords and near-duplicate clusters, a batch at a time.

    Registered as a batch stage of the IndexPipeline (which owns the batches); per item it only
    passes through. Enrichment failing never stops indexing: the batch is indexed as it is.
    """

    async def open_spider(self, spider=None) -> None:
        self.enricher = None
        if self.crawler.settings.getbool("YUQING_ENRICH", True):
            await _in_thread(self._load)  # loading the models takes seconds: keep the reactor free

    def _load(self) -> None:
        try:
            from analysis.enrich import Enricher
        except ImportError as exc:  # analysis.enrich not installed: index un-enriched, say so
            LOGGER.warning("分析模块不可用（%s）：帖子未经分析直接入库", exc)
            return
        with _ENRICH_LOCK:  # one Enricher per process: the spiders of `yuqing crawl` share its models
            if "enricher" not in _SHARED:
                try:
                    enricher = Enricher()
                    enricher.warm_up()
                    _SHARED["enricher"] = enricher
                except Exception as exc:  # noqa: BLE001 - a broken model must not stop collection
                    LOGGER.error("分析不可用（%r）：帖子未经分析直接入库", exc)
                    _SHARED["enricher"] = None
        self.enricher = _SHARED["enricher"]
        if self.enricher is None:
            self.context.error(None, "enrich_unavailable", "posts are indexed without enrichment")
            return
        stages = getattr(self.crawler, "yuqing_batch_stages", [])
        stages.append(self)
        self.crawler.yuqing_batch_stages = stages

    def process_item(self, item, spider=None):
        return item

    def process_batch(self, posts: list[dict], spider=None) -> list[dict]:
        if self.enricher is None:
            return posts
        store = self.context.store
        lookup = (
            store.cluster_candidates if store is not None and hasattr(store, "cluster_candidates") else None
        )
        with _ENRICH_LOCK:
            before = len(self.enricher.stats.errors)
            try:
                self.enricher.enrich(posts, lookup=lookup)
            except StoreError as exc:  # the candidate lookup needs the store: enrich without it
                LOGGER.warning("查询已入库的相似帖子失败（%s）：本批只在批内合并相似帖子", exc)
                self.enricher.enrich(posts, lookup=None)
            errors = self.enricher.stats.errors[before:]
        source_of = {str(p.get("url") or p.get("title"))[:100]: p.get("source") for p in posts}
        for post, reason in errors:  # counted against the post's source, for the source-health view
            self.context.error(source_of.get(post), "enrich_failed", f"{post}: {reason}")
        return posts


class IndexPipeline(_Pipeline):
    """Buffers posts and writes them with one bulk call per batch; spools whatever cannot be written."""

    def __init__(self, crawler) -> None:
        super().__init__(crawler)
        self.batch_size = crawler.settings.getint("YUQING_INDEX_BATCH", 100)
        self.buffer: list[dict] = []
        self.final_status: dict[str, str] = {}
        self.lock = threading.Lock()

    def open_spider(self, spider=None) -> None:
        spider = spider or self._spider()
        self.final_status = {name: s.final_status for name, s in getattr(spider, "sources", {}).items()}
        if self.context.connect() is not None:  # never in a trial: it has no store
            self.replay_spool()

    async def process_item(self, item, spider=None):
        self.context.count(item.source, "items")
        if self.context.trial:  # `yuqing sources try`: kept for the command, never written or spooled
            self.context.trial_posts.append(as_dict(item))
            return item
        self.buffer.append(as_dict(item))
        if len(self.buffer) >= self.batch_size:
            batch, self.buffer = self.buffer, []
            # Enrichment and the bulk write block: run them off the reactor thread so downloads,
            # timeouts and the other spiders go on.
            await _in_thread(self._flush_safely, batch)
        return item

    async def close_spider(self, spider=None) -> None:
        batch, self.buffer = self.buffer, []
        await _in_thread(self._flush_safely, batch)

    # -------------------------------------------------------------- batches
    def _flush_safely(self, batch: list[dict]) -> None:
        with self.lock:  # one batch at a time: the enricher and the spool are not shared safely
            try:
                self.flush(batch)
            except Exception as exc:  # noqa: BLE001 - whatever happened, the batch is not lost
                self.context.error(None, "flush_failed", repr(exc), level=logging.ERROR)
                self.spool(POSTS, batch)

    def flush(self, batch: list[dict]) -> None:
        if not batch:
            return
        started = time.monotonic()
        for stage in getattr(self.crawler, "yuqing_batch_stages", []):
            try:
                batch = stage.process_batch(batch, self._spider())
            except Exception as exc:  # noqa: BLE001 - enrichment must never lose the batch
                self.context.error(
                    None, "enrich_failed", f"{type(stage).__name__}: {exc}", level=logging.ERROR
                )
        enriched = time.monotonic()
        self._write(batch)
        LOGGER.info(
            "写入 %d 篇帖子：分析 %.2f 秒，写入 %.2f 秒",
            len(batch),
            enriched - started,
            time.monotonic() - enriched,
        )

    def _write(self, batch: list[dict]) -> None:
        store = self.context.connect()
        if store is not None:
            self.replay_spool()
            store = self.context.store
        if store is None:
            self.spool(POSTS, batch)
            self.spool(STATE, [self._state(p) for p in batch])
            return
        try:
            report = store.index_posts(batch)
        except StoreError as exc:
            self.context.drop_store(str(exc))
            self.spool(POSTS, batch)
            self.spool(STATE, [self._state(p) for p in batch])
            return
        written, later, rejected = _outcome(batch, report)
        if later:  # the cluster could not take them just then: write them again later
            self.context.drop_store(f"{len(later)} posts refused: {_first_reason(report)}")
            self.spool(POSTS, later)
            self.spool(STATE, [self._state(p) for p in later])
        by_id = {key: p for p in rejected for key in _keys(p)}
        for doc_id, reason in report.failed:
            if doc_id not in report.unavailable:
                source = (by_id.get(doc_id) or {}).get("source")
                self.context.error(source, "index_rejected", f"{doc_id}: {reason}", level=logging.ERROR)
        if rejected:
            self.spool(POSTS + REJECTED, rejected)
        self.write_state([self._state(p) for p in written])

    def _state(self, post: dict) -> dict:
        return state_doc(post, self.final_status.get(post.get("source"), "已办理"))

    def write_state(self, docs: list[dict]) -> None:
        store = self.context.store
        if not docs:
            return
        if store is None:
            self.spool(STATE, docs)
            return
        try:
            report = store.index_docs(STATE, docs)
        except StoreError as exc:
            self.context.drop_store(str(exc))
            self.spool(STATE, docs)
            return
        failed = {doc_id for doc_id, _ in report.failed}
        if failed:
            self.spool(STATE, [d for d in docs if d["id"] in failed])
        if report.unavailable:
            self.context.drop_store(f"{len(report.unavailable)} crawl-state documents refused: "
                                    f"{_first_reason(report)}")
        for doc in docs:
            self.context.state.remember(doc)

    def spool(self, name: str, docs: list[dict]) -> None:
        written = self.context.spool.append(name, docs)
        if name == POSTS:  # set-aside posts are counted as index_rejected errors, not as waiting
            for doc in docs:
                self.context.count(doc.get("source"), "spooled")
        LOGGER.warning("Elasticsearch 不可用：%d 条 %s 文档暂存到 %s，恢复后自动补写", written, name, self.context.spool.directory)

    def replay_spool(self) -> None:
        """Write what earlier flushes or runs spooled, now that the store answers."""
        store = self.context.store
        if store is None:
            return
        for name in (POSTS, STATE, RUNS):
            if self.context.store is None:  # refused again: the rest waits for a later flush
                return
            if not self.context.spool.pending(name):
                continue

            def write(docs, name=name):
                report = store.index_posts(docs) if name == POSTS else store.index_docs(name, docs)
                if name == STATE:
                    for doc in docs:
                        self.context.state.remember(doc)
                if report.unavailable:  # not now: stop here instead of offering every chunk in turn
                    self.context.drop_store(f"spooled {name} refused: {_first_reason(report)}")
                    raise StoreError(_first_reason(report))
                if name == POSTS:  # a post the cluster rejects for what it is goes where _write puts it
                    _written, _later, bad = _outcome(docs, report)
                    if bad:
                        LOGGER.error("%d 篇暂存的帖子被 Elasticsearch 拒收，已移到 %s",
                                     len(bad), POSTS + REJECTED)
                    return [(d, REJECTED) for d in bad]
                failed = {doc_id for doc_id, _ in report.failed}
                return [(d, "rejected") for d in docs if _doc_id(d) in failed]

            written, left = self.context.spool.replay(name, write)
            if written:
                LOGGER.info("已补写暂存的 %d 条 %s 文档（还剩 %d 条）", written, name, left)
            self.context.count("-", f"spool_replayed/{name}", written)


def _keys(post: dict) -> tuple:
    """The ids a bulk report may name a post by: its document id, or (for a post that never became
    a document) the first 80 characters of its url."""
    return _doc_id(post), str(post.get("url", ""))[:80]


def _outcome(posts: list[dict], report) -> tuple[list[dict], list[dict], list[dict]]:
    """(written, refused for now by the cluster's state, rejected for their content)."""
    failed = {doc_id for doc_id, _reason in report.failed}
    written, later, rejected = [], [], []
    for post in posts:
        keys = _keys(post)
        if keys[0] in report.unavailable:
            later.append(post)
        elif failed.intersection(keys):
            rejected.append(post)
        else:
            written.append(post)
    return written, later, rejected


def _first_reason(report) -> str:
    return next((reason for doc_id, reason in report.failed if doc_id in report.unavailable), "?")


async def _in_thread(function, *args):
    return await maybe_deferred_to_future(deferToThread(function, *args))


def _doc_id(doc: dict) -> str | None:
    if doc.get("id"):
        return doc["id"]
    try:
        return post_id(doc)
    except ValueError:
        return None
