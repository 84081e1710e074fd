"""Pipelines: cleaning, validation, deduplication, and the batched index step on the real node —
one bad post never stops a batch, and nothing is lost."""

from __future__ import annotations

import asyncio
from datetime import datetime, timedelta, timezone

import pytest
from scrapy.exceptions import DropItem
from scrapy.statscollectors import MemoryStatsCollector
from scrapy.utils.test import get_crawler

from crawlers.context import CrawlContext
from crawlers.items import PostItem
from crawlers.pipelines import DedupPipeline, IndexPipeline, NormalizePipeline, ValidatePipeline
from crawlers.sources import load_sources
from crawlers.spiders.news import NewsSpider
from crawlers.state import CrawlClock
from yuqing.spool import Spool

from .conftest import SANDBOX_SOURCES

CST = timezone(timedelta(hours=8))
NOW = datetime(2024, 3, 20, 8, 0, tzinfo=CST)


class _Spider:
    sources = {s.name: s for s in load_sources(SANDBOX_SOURCES, "http://127.0.0.1:8765").sources}


def _crawler(tmp_path, es_url=None, prefix=None):
    settings = {
        "YUQING_SPOOL_DIR": str(tmp_path / "spool"),
        "YUQING_ES_URL": es_url or "",
        "YUQING_INDEX_PREFIX": prefix or "",
        "YUQING_INDEX_BATCH": 100,
    }
    crawler = get_crawler(NewsSpider, settings)
    crawler.stats = MemoryStatsCollector(crawler)
    context = CrawlContext(crawler)
    context.clock = CrawlClock(NOW, speed=0.0)
    crawler.yuqing_context = context
    crawler.spider = _Spider()
    return crawler


def _post(n: int, **changes) -> PostItem:
    values = dict(
        url=f"http://127.0.0.1:8765/news/system/2024/03/12/{n:06d}.shtml?utm_source=x",
        source="sandbox_news",
        title=f"标题{n}",
        content=f"正文{n}",
        published_at=NOW - timedelta(days=1),
    )
    return PostItem(**{**values, **changes})


def test_normalize_fills_source_metadata_and_canonical_url(tmp_path):
    item = NormalizePipeline(_crawler(tmp_path)).process_item(_post(1), _Spider())
    assert (item.source_name, item.source_kind, item.platform, item.media_level) == (
        "津门晚报网",
        "news",
        "新闻",
        "市级",
    )
    assert item.url == "http://127.0.0.1:8765/news/system/2024/03/12/000001.shtml"
    assert item.crawled_at == NOW and item.region["province"] == "天津市"


def test_validate_drops_posts_without_text_and_counts_them(tmp_path):
    crawler = _crawler(tmp_path)
    with pytest.raises(DropItem):
        ValidatePipeline(crawler).process_item(_post(1, title=None, content=None), _Spider())
    assert crawler.stats.get_value("yuqing/sandbox_news/errors/invalid_item") == 1


def test_validate_removes_a_future_date_but_keeps_the_post(tmp_path):
    crawler = _crawler(tmp_path)
    item = ValidatePipeline(crawler).process_item(_post(1, published_at=NOW + timedelta(days=2)), _Spider())
    assert item.published_at is None
    assert crawler.stats.get_value("yuqing/sandbox_news/errors/date_rejected") == 1


def test_dedup_keeps_the_first_of_two_urls_that_differ_only_in_tracking(tmp_path):
    crawler = _crawler(tmp_path)
    pipeline = DedupPipeline(crawler)
    pipeline.open_spider(_Spider())
    pipeline.process_item(_post(1), _Spider())
    with pytest.raises(DropItem):
        pipeline.process_item(_post(1, url=_post(1).url.replace("utm_source=x", "spm=1")), _Spider())


def test_one_bad_post_never_stops_its_batch(tmp_path, store, es_url):
    crawler = _crawler(tmp_path, es_url, store.prefix)
    pipeline = IndexPipeline(crawler)
    pipeline.open_spider(_Spider())
    posts = [NormalizePipeline(crawler).process_item(_post(n), _Spider()) for n in range(3)]
    posts[1].engagement = {"likes": "很多"}  # the mapping says integer: Elasticsearch rejects this one
    for post in posts:
        asyncio.run(pipeline.process_item(post, _Spider()))
    pipeline._flush_safely(pipeline.buffer)
    store.refresh("posts")
    assert store.count("posts") == 2
    assert crawler.stats.get_value("yuqing/sandbox_news/errors/index_rejected") == 1
    assert Spool(tmp_path / "spool").pending("posts-rejected") == 1
    store.refresh("crawl-state")
    assert store.count("crawl-state") == 2
    assert crawler.stats.get_value("yuqing/sandbox_news/spooled") is None  # set aside, not waiting


def test_yuqing_spool_shows_refused_posts_and_retry_offers_them_again(tmp_path, store, es_url, capsys):
    from crawlers.pipelines import as_dict
    from yuqing.cli import main

    crawler = _crawler(tmp_path, es_url, store.prefix)
    pipeline = IndexPipeline(crawler)
    pipeline.open_spider(_Spider())
    bad = NormalizePipeline(crawler).process_item(_post(1), _Spider())
    bad.engagement = {"likes": "很多"}  # the mapping says integer: refused for its content
    asyncio.run(pipeline.process_item(bad, _Spider()))
    pipeline._flush_safely(pipeline.buffer)
    spool = Spool(tmp_path / "spool")
    # One whose cause was fixed meanwhile (a mapping, a field limit): it is fine now.
    spool.append("posts-rejected", [as_dict(NormalizePipeline(crawler).process_item(_post(2), _Spider()))])
    directory = str(tmp_path / "spool")

    assert main(["spool", "--dir", directory]) == 1
    out = capsys.readouterr().out
    assert "文章（已拒收）" in out and "已拒收 2 条" in out and "yuqing spool retry" in out

    assert main(["spool", "retry", "--dir", directory]) == 0
    assert "2 条已放回等待队列" in capsys.readouterr().out
    assert (spool.pending("posts"), spool.pending("posts-rejected")) == (2, 0)

    IndexPipeline(_crawler(tmp_path, es_url, store.prefix)).open_spider(_Spider())  # the next crawl
    store.refresh("posts")
    assert [doc["title"] for doc in store.scan("posts")] == ["标题2"]
    assert (spool.pending("posts"), spool.pending("posts-rejected")) == (0, 1)  # still refused: aside again
    assert main(["spool", "status", "--dir", directory]) == 1


def test_posts_the_cluster_cannot_take_just_then_are_written_later_not_set_aside(tmp_path, store, es_url):
    # A write block is what a migration or a full disk puts on the index: every item fails with a
    # cluster_block_exception. Those posts are not bad ones; they wait in the spool for the next write.
    crawler = _crawler(tmp_path, es_url, store.prefix)
    pipeline = IndexPipeline(crawler)
    pipeline.open_spider(_Spider())
    posts = [NormalizePipeline(crawler).process_item(_post(n), _Spider()) for n in range(3)]
    for post in posts:
        asyncio.run(pipeline.process_item(post, _Spider()))
    spool = Spool(tmp_path / "spool")

    def flush(n):
        pipeline.buffer = []
        item = NormalizePipeline(crawler).process_item(_post(n), _Spider())
        asyncio.run(pipeline.process_item(item, _Spider()))
        pipeline._flush_safely(pipeline.buffer)

    store.client.indices.put_settings(index=store.alias("posts"), settings={"index.blocks.write": True})
    try:
        pipeline._flush_safely(pipeline.buffer)
        assert (spool.pending("posts"), spool.pending("posts-rejected")) == (3, 0)
        flush(8)  # still blocked: the spooled three are offered again and wait on, with the new one
        assert (spool.pending("posts"), spool.pending("posts-rejected")) == (4, 0)
    finally:
        store.client.indices.put_settings(index=store.alias("posts"), settings={"index.blocks.write": False})
    assert crawler.stats.get_value("yuqing/sandbox_news/errors/index_rejected") is None
    assert crawler.stats.get_value("yuqing/sandbox_news/spooled") == 4

    flush(9)
    store.refresh("posts")
    assert store.count("posts") == 5
    assert spool.pending("posts") == 0
