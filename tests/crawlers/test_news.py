"""NewsSpider on saved pages of the sandbox news site (津门晚报网)."""

from __future__ import annotations

from datetime import datetime

import pytest
from scrapy import Request

from crawlers.spiders.news import NewsSpider
from crawlers.state import Entry, state_key

from .conftest import make_spider, saved, stats, with_meta


@pytest.fixture
def article():
    response, meta = saved("news", "article.html")
    spider = make_spider(NewsSpider, datetime.fromisoformat(meta["now"]))
    item = next(iter(spider.parse_article(with_meta(response, source="sandbox_news"))))
    return item, meta["expected"]


def test_article_title(article):
    item, expected = article
    assert item.title == expected["title"]


def test_article_content_keeps_paragraphs(article):
    item, expected = article
    assert item.content == expected["content"]


def test_article_author(article):
    item, expected = article
    assert item.author == expected["author"]


def test_article_date_with_its_offset(article):
    item, expected = article
    assert item.published_at.isoformat() == expected["published_at"]


def test_article_url_and_source(article):
    item, expected = article
    assert (item.url, item.source) == (expected["url"], "sandbox_news")


def _listing(spider):
    response, _meta = saved("news", "listing.html")
    return list(spider.parse_listing(with_meta(response, source="sandbox_news", page=1)))


def test_listing_yields_every_article_and_the_next_page():
    spider = make_spider(NewsSpider, datetime(2024, 3, 20, 8, tzinfo=datetime.now().astimezone().tzinfo))
    requests = _listing(spider)
    articles = [r for r in requests if r.callback == spider.parse_article]
    pages = [r for r in requests if r.callback == spider.parse_listing]
    assert len(articles) == 10 and all("/news/system/" in r.url for r in articles)
    assert [r.url for r in pages] == ["http://127.0.0.1:8765/news/list/2.html"]
    assert pages[0].meta["page"] == 2
    assert not any("/news/preview/" in r.url for r in requests)  # the editor's preview box is not followed


def test_listing_skips_articles_already_stored():
    spider = make_spider(NewsSpider, datetime(2024, 3, 20, 8, tzinfo=datetime.now().astimezone().tzinfo))
    first = [r for r in _listing(spider) if r.callback == spider.parse_article][0]
    spider.context.state.entries[("sandbox_news", state_key(first.url))] = Entry(first.url, None, True, [])
    spider.requested.clear()  # the next run's spider has requested nothing yet
    again = [r.url for r in _listing(spider) if isinstance(r, Request) and r.callback == spider.parse_article]
    assert first.url not in again and len(again) == 9
    assert stats(spider)["yuqing/sandbox_news/skipped"] == 1


def test_an_article_listed_twice_in_one_run_is_requested_once():
    spider = make_spider(NewsSpider, datetime(2024, 3, 20, 8, tzinfo=datetime.now().astimezone().tzinfo))
    first = [r.url for r in _listing(spider) if isinstance(r, Request) and r.callback == spider.parse_article]
    again = [r.url for r in _listing(spider) if isinstance(r, Request) and r.callback == spider.parse_article]
    assert len(first) == 10 and again == []


def test_listing_stops_at_max_pages():
    spider = make_spider(NewsSpider, datetime(2024, 3, 20, 8, tzinfo=datetime.now().astimezone().tzinfo))
    response, _meta = saved("news", "listing.html")
    requests = list(spider.parse_listing(with_meta(response, source="sandbox_news", page=5)))
    assert not [r for r in requests if r.callback == spider.parse_listing]


def test_a_cut_off_page_is_counted_as_truncated_and_still_stored():
    from crawlers.spiders.base import is_truncated_html

    response, meta = saved("news", "article.html")
    body = response.body
    end = body.index(b"<p>") + 120
    while (body[end] & 0xC0) == 0x80:  # cut the HTML on a character boundary, as the sandbox does
        end -= 1
    cut = response.replace(body=body[:end])
    assert is_truncated_html(cut.body) and not is_truncated_html(body)
    spider = make_spider(NewsSpider, datetime.fromisoformat(meta["now"]))
    item = next(iter(spider.parse_article(with_meta(cut, source="sandbox_news"))))
    assert item.title == meta["expected"]["title"] and item.content  # what arrived is kept
    assert stats(spider)["yuqing/sandbox_news/errors/truncated_html"] == 1


def test_a_whole_page_is_not_counted_as_truncated(article):
    response, meta = saved("news", "article.html")
    spider = make_spider(NewsSpider, datetime.fromisoformat(meta["now"]))
    next(iter(spider.parse_article(with_meta(response, source="sandbox_news"))))
    assert not any(key.endswith("/truncated_html") for key in stats(spider))


def test_selectors_that_stop_matching_are_counted_but_the_post_is_complete():
    """A site redesign: the source's title/body selectors match nothing, the general extractor reads
    the page, and the run says so (selector_miss, an advisory kind: the run stays 正常)."""
    from dataclasses import replace

    from crawlers.extensions import run_status

    response, meta = saved("news", "article.html")
    spider = make_spider(NewsSpider, datetime.fromisoformat(meta["now"]))
    source = spider.sources["sandbox_news"]
    spider.sources["sandbox_news"] = replace(
        source, article={**source.article, "title": "h1.redesigned::text", "body": "div#gone p::text"})
    item = next(iter(spider.parse_article(with_meta(response, source="sandbox_news"))))
    assert item.title == meta["expected"]["title"] and item.content
    counted = stats(spider)
    assert counted["yuqing/sandbox_news/errors/selector_miss"] == 2  # title and body
    assert "yuqing/sandbox_news/errors/selector_miss" in counted
    assert run_status(1, 1, {"selector_miss": 2, "offsite_link": 3, "bad_link": 4}) == "ok"  # javascript: links
    assert run_status(1, 1, {"selector_miss": 2, "timeout": 1}) == "partial"


def test_every_counted_error_kind_has_a_chinese_label():
    """The 信源 page and `yuqing crawl` show error kinds in Chinese: every kind the crawler counts
    (literal kinds passed to context.error, and the mapped exception kinds) has a label."""
    import re
    from pathlib import Path

    from crawlers.spiders.base import ERROR_KINDS
    from yuqing.crawl_labels import ERROR_LABELS

    root = Path(__file__).resolve().parents[2]
    code = "".join(p.read_text(encoding="utf-8") for p in (root / "crawlers").rglob("*.py"))
    literal = set(re.findall(r"\.error\(\s*[\w.\[\]\"']+,\s*\"([a-z_0-9]+)\"", code))
    spiders = (root / "crawlers/spiders/base.py").read_text(encoding="utf-8")
    literal |= set(re.findall(r"(?:return|kind =|else) \"([a-z_]+)\"", spiders))
    kinds = (literal | set(ERROR_KINDS.values())) - {"http"}
    assert {"selector_miss", "offsite_link", "bad_json", "timeout"} <= kinds
    assert sorted(k for k in kinds if k not in ERROR_LABELS) == []


def test_a_page_with_no_body_is_counted_and_the_post_kept_with_what_the_feed_gave():
    response, meta = saved("news", "article.html")
    blank = response.replace(body=b"<html><head><title></title></head><body></body></html>")
    spider = make_spider(NewsSpider, datetime.fromisoformat(meta["now"]))
    source = spider.sources["sandbox_news"]
    item = spider.article_item(blank, source, {"title": "订阅源里的标题", "published_at": meta["expected"]["published_at"]})
    assert item.title == "订阅源里的标题" and not item.content
    assert stats(spider)["yuqing/sandbox_news/errors/empty_body"] == 1
