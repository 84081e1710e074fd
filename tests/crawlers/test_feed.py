"""FeedSpider on the saved Atom feed and an article of the sandbox central outlet (民生日报网)."""

from __future__ import annotations

from datetime import datetime

import pytest

from crawlers.spiders.feed import FeedSpider, feed_entries

from .conftest import FIXTURES, make_spider, saved, with_meta

RSS = """<?xml version="1.0"?><rss version="2.0"><channel><title>t</title>
<item><title>A</title><link>http://example.cn/a.html</link><pubDate>Tue, 12 Mar 2024 14:20:00 +0800</pubDate>
<author>记者 甲</author></item><item><title>no link</title></item></channel></rss>""".encode("utf-8")


def test_rss_entries_have_link_title_date_and_author():
    assert feed_entries(RSS) == [
        {
            "url": "http://example.cn/a.html",
            "title": "A",
            "published_at": "Tue, 12 Mar 2024 14:20:00 +0800",
            "author": "记者 甲",
        }
    ]


def test_atom_entries_link_to_the_article_pages():
    entries = feed_entries((FIXTURES / "feed" / "atom.xml").read_bytes())
    assert len(entries) == 10
    assert all(e["url"].startswith("http://127.0.0.1:8765/central/n1/") for e in entries)
    assert all(e["published_at"] and e["title"] for e in entries)


def test_broken_feed_gives_no_entries_instead_of_an_exception():
    assert feed_entries(b"<rss><channel><item><link>http://x.cn/1</link>") == [
        {"url": "http://x.cn/1", "title": "", "published_at": "", "author": ""}
    ]
    assert feed_entries(b"not xml at all") == []


def test_feed_yields_one_article_request_per_entry_with_hints():
    response, meta = saved("feed", "atom.xml")
    spider = make_spider(FeedSpider, datetime.fromisoformat(meta["now"]))
    requests = list(spider.parse_feed(with_meta(response, source="sandbox_central")))
    assert len(requests) == 10
    assert all(r.meta["hints"]["title"] and r.meta["hints"]["published_at"] for r in requests)


@pytest.fixture
def article():
    response, meta = saved("feed", "article.html")
    spider = make_spider(FeedSpider, datetime.fromisoformat(meta["now"]))
    return next(iter(spider.parse_article(with_meta(response, source="sandbox_central")))), meta["expected"]


def test_article_title(article):
    assert article[0].title == article[1]["title"]


def test_article_body_without_the_editor_line(article):
    assert article[0].content == article[1]["content"]


def test_article_date_before_the_source_label(article):
    assert article[0].published_at.isoformat() == article[1]["published_at"]


def test_article_author(article):
    assert article[0].author == article[1]["author"]
