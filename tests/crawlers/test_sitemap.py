"""SitemapSpider on the saved sitemap and GBK pages of the sandbox portal (津城在线): declared gb2312,
undeclared, and wrongly declared UTF-8."""

from __future__ import annotations

from datetime import datetime

import pytest

from crawlers.spiders.sitemap import SitemapSpider

from .conftest import make_spider, saved, with_meta

VARIANTS = ["article-gbk.html", "article-gbk-undeclared.html", "article-gbk-mislabelled.html"]


def test_sitemap_yields_every_portal_article():
    response, meta = saved("sitemap", "sitemap.xml")
    spider = make_spider(SitemapSpider, datetime.fromisoformat(meta["now"]))
    requests = list(spider.parse_sitemap(with_meta(response, source="sandbox_portal")))
    assert len(requests) == 26
    assert all("/portal/news/" in r.url and r.meta["hints"]["published_at"] for r in requests)


@pytest.mark.parametrize("name", VARIANTS)
def test_gbk_pages_decode_to_the_right_text(name):
    response, meta = saved("sitemap", name)
    spider = make_spider(SitemapSpider, datetime.fromisoformat(meta["now"]))
    item = next(iter(spider.parse_article(with_meta(response, source="sandbox_portal"))))
    expected = meta["expected"]
    assert (item.title, item.content, item.author) == (
        expected["title"],
        expected["content"],
        expected["author"],
    )
    assert item.published_at.isoformat() == expected["published_at"]


def test_mislabelled_page_is_really_declared_utf8():
    response, _meta = saved("sitemap", "article-gbk-mislabelled.html")
    assert response.encoding == "utf-8" and b'<meta charset="utf-8">' in response.body
