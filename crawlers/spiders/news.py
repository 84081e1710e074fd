"""News listing pages with pagination -> article pages."""

from __future__ import annotations

from crawlers.spiders.base import SourceSpider, pick


class NewsSpider(SourceSpider):
    """Listing pages (``list.links``, ``list.next`` up to ``list.max_pages``) -> articles."""

    name = "news"
    kind = "news"

    def parse_listing(self, response):
        source = self.source_of(response)
        if self.past_last_page(response, source):
            return
        self.context.count(source.name, "listing_pages")
        page = self.decoded(response, source)
        spec = source.list
        links = pick(page, spec.get("links"))
        if not links:
            self.context.error(source.name, "empty_listing", f"{response.url}: 列表选择器没有找到链接")
        for link in links:
            url = self.follow(response, link, source)
            request = self.article_request(url, source) if url is not None else None
            if request is not None:
                yield request
        following = self.next_listing(response, page, source)
        if following is not None:
            yield following
