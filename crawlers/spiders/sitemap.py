"""Sitemaps (and sitemap indexes) -> article pages whose URL contains a ``sitemap.follow`` fragment."""

from __future__ import annotations

from scrapy.utils.sitemap import Sitemap

from crawlers.spiders.base import SourceSpider


class SitemapSpider(SourceSpider):
    name = "sitemap"
    kind = "sitemap"

    start_callback = "parse_sitemap"

    def parse_sitemap(self, response):
        source = self.source_of(response)
        self.context.count(source.name, "listing_pages")
        try:
            sitemap = Sitemap(response.body)
        except Exception as exc:  # noqa: BLE001 - lxml raises several types on broken XML
            self.context.error(source.name, "bad_sitemap", f"{response.url}: {exc}")
            return
        follow = (source.sitemap or {}).get("follow") or []
        for entry in sitemap:
            url = self.follow(response, entry["loc"], source)
            if url is None:
                continue
            if sitemap.type == "sitemapindex":
                if not follow or any(fragment.split("/")[1] in url for fragment in follow if "/" in fragment):
                    yield self.request(url, self.parse_sitemap, source)
            elif not follow or any(fragment in url for fragment in follow):
                request = self.article_request(url, source, hints={"published_at": entry.get("lastmod")})
                if request is not None:
                    yield request
