"""News listing pages with pagination -> article pages."""

from __future__ import annotations

from crawlers.spiders.base import SourceSpider


class NewsSpider(SourceSpider):
    """Listing pages (``list.links``, ``list.next`` up to ``list.max_pages``) -> articles."""

    name = "news"
    kind = "news"

    def parse_listing(self, response):
        source = self.source_of(response)
        if self.listing_ended(response, source):
            return
        self.context.count(source.name, "listing_pages")
        page = self.decoded(response, source)
        spec = source.list
        links = self.links_of(page, spec.get("links"))
        urls = [url for url in (self.follow(response, link, source) for link in links) if url is not None]
        if self.nothing_new(response, source, urls):
            return
        if not links:
            self.context.error(source.name, "empty_listing", f"{response.url}: 列表选择器没有找到链接")
        for url in urls:
            request = self.article_request(url, source)
            if request is not None:
                yield request
        following = self.next_listing(response, page, source)
        if following is not None:
            yield following
