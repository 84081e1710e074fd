"""HTML message boards: list pages (rows with link and status) -> post pages with the official reply.

Posts whose status is final (``recrawl_until_status``, 已办理) are not fetched again; the others are
revisited on every crawl so status changes and replies are recorded with their time.
"""

from __future__ import annotations

import re

from crawlers.spiders.base import SourceSpider, pick

POST_ID_IN_URL = re.compile(r"(\d{6,})")


class BoardHtmlSpider(SourceSpider):
    name = "board_html"
    kind = "board_html"

    def parse_listing(self, response):
        source = self.source_of(response)
        if self.listing_ended(response, source):
            return
        self.context.count(source.name, "listing_pages")
        page = self.decoded(response, source)
        spec = source.list
        rows = page.css(spec["rows"]) if spec.get("rows") else [page]
        links = [link for row in rows for link in self.links_of(row, spec.get("links"))]
        found = [(link, url) for link in links if (url := self.follow(response, link, source)) is not None]
        if self.nothing_new(response, source, [url for _link, url in found]):
            return
        for link, url in found:
            match = POST_ID_IN_URL.search(link)
            request = self.article_request(url, source, self.parse_post, post_id=match.group(1) if match else None)
            if request is not None:
                yield request
        if not links:
            self.context.error(source.name, "empty_listing", f"{response.url}: 列表选择器没有找到留言")
        following = self.next_listing(response, page, source)
        if following is not None:
            yield following

    def parse_post(self, response):
        source = self.source_of(response)
        page = self.decoded(response, source)
        spec = source.article
        loader = self.loader(source, response.url, page, spec.get("date_format"))
        loader.add_value("title", pick(page, spec.get("title")))
        loader.add_value("content", pick(page, spec.get("body")))
        loader.add_value("published_at", pick(page, spec.get("date"))[:1])
        poster = pick(page, spec.get("poster"))
        loader.add_value("author", pick(page, spec.get("author")) or poster)
        published = loader.get_output_value("published_at")
        if published is None:
            self.context.error(source.name, "date_missing", f"{response.url}: 留言没有时间")
        values = {
            key: pick(page, spec.get(key))
            for key in (
                "post_id",
                "addressee",
                "type",
                "domain",
                "area",
                "status",
                "reply_unit",
                "reply_at",
                "reply",
                "satisfaction",
            )
        }
        values["poster"] = poster
        loader.add_value(
            "board",
            self.board_object(
                source, response.url, values, published_at=published, date_format=spec.get("reply_at_format")
            ),
        )
        engagement = self.engagement_from(page, spec, source, response.url)
        if engagement:
            loader.add_value("engagement", engagement)
        yield loader.load_item()
