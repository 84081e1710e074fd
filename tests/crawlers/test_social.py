"""SocialSpider on a saved timeline of the sandbox social feed (微言): relative dates, engagement."""

from __future__ import annotations

from datetime import datetime, timedelta

import pytest

from crawlers.spiders.social import SocialSpider

from .conftest import make_spider, saved, with_meta


@pytest.fixture(scope="module")
def parsed():
    response, meta = saved("social", "timeline.json")
    spider = make_spider(SocialSpider, datetime.fromisoformat(meta["now"]))
    results = list(spider.parse_timeline(with_meta(response, source="sandbox_social", page=1)))
    return results, meta["expected"], spider


def test_one_post_per_status_and_the_next_page(parsed):
    results, expected, spider = parsed
    posts = [r for r in results if not hasattr(r, "callback")]
    pages = [r for r in results if hasattr(r, "callback")]
    assert [p.url for p in posts] == [e["url"] for e in expected]
    assert pages[0].url.endswith("page=2&count=50")


def test_text_and_author(parsed):
    results, expected, _spider = parsed
    posts = [r for r in results if not hasattr(r, "callback")]
    assert [(p.content, p.author) for p in posts] == [(e["content"], e["author"]) for e in expected]


def test_relative_dates_resolve_against_the_crawl_clock_to_the_hour(parsed):
    results, expected, _spider = parsed
    posts = [r for r in results if not hasattr(r, "callback")]
    for post, record in zip(posts, expected):
        exact = datetime.fromisoformat(record["published_at"])
        assert exact <= post.published_at <= exact + timedelta(hours=1), (post.url, post.published_at, exact)


def test_engagement_counts(parsed):
    results, expected, _spider = parsed
    posts = [r for r in results if not hasattr(r, "callback")]
    assert [p.engagement for p in posts] == [e["engagement"] for e in expected]


def test_reposts_are_tagged(parsed):
    results, expected, _spider = parsed
    posts = [r for r in results if not hasattr(r, "callback")]
    assert [bool(p.tags) for p in posts] == [bool(e["repost_of"]) for e in expected]
