"""Sitemaps (and sitemap indexes) -> article pages whose URL contains a ``sitemap.follow`` fragment.

Gzipped sitemaps (``sitemap.xml.gz`` served as application/gzip) are unpacked here, never beyond the
source's ``max_page_bytes``; an index nests other indexes at most ``MAX_INDEX_DEPTH`` deep."""

from __future__ import annotations

import zlib

from scrapy.utils.sitemap import Sitemap

from crawlers.spiders.base import SourceSpider

GZIP_MAGIC = b"\x1f\x8b"
MAX_INDEX_DEPTH = 3  # the protocol allows none; some sites nest one or two levels, none need more


class SitemapSpider(SourceSpider):
    name = "sitemap"
    kind = "sitemap"

    start_callback = "parse_sitemap"

    def sitemap_body(self, response, source) -> bytes | None:
        """The sitemap's XML: the body, gunzipped when it is a .gz file; None (counted) when that fails."""
        body = response.body
        if not body.startswith(GZIP_MAGIC):
            return body
        unpack = zlib.decompressobj(16 + zlib.MAX_WBITS)
        try:
            xml = unpack.decompress(body, source.max_page_bytes + 1)
        except zlib.error as exc:
            self.context.error(source.name, "bad_sitemap", f"{response.url}: gzip 解压失败（{exc}）")
            return None
        if len(xml) > source.max_page_bytes:
            self.context.error(
                source.name,
                "too_large",
                f"{response.url}: 解压后超过 {source.max_page_bytes} 字节（max_page_bytes），不解析",
            )
            return None
        return xml

    def parse_sitemap(self, response):
        source = self.source_of(response)
        self.context.count(source.name, "listing_pages")
        body = self.sitemap_body(response, source)
        if body is None:
            return
        try:
            sitemap = Sitemap(body)
        except Exception as exc:  # noqa: BLE001 - lxml raises several types on broken XML
            reason = str(exc) or "没有 XML 根元素"
            self.context.error(source.name, "bad_sitemap", f"{response.url}: 不是站点地图（{reason}）")
            return
        if sitemap.type not in ("urlset", "sitemapindex"):
            self.context.error(
                source.name,
                "bad_sitemap",
                f"{response.url}: 不是站点地图（根元素是 <{sitemap.type}>，应为 <urlset> 或 <sitemapindex>）",
            )
            return
        depth = response.meta.get("sitemap_depth", 0)
        if sitemap.type == "sitemapindex" and depth >= MAX_INDEX_DEPTH:
            self.context.error(
                source.name,
                "bad_sitemap",
                f"{response.url}: 站点地图索引嵌套超过 {MAX_INDEX_DEPTH} 层，不再跟进",
            )
            return
        follow = (source.sitemap or {}).get("follow") or []
        for entry in sitemap:
            url = self.follow(response, entry["loc"], source)
            if url is None:
                continue
            if sitemap.type == "sitemapindex":
                if not follow or any(fragment.split("/")[1] in url for fragment in follow if "/" in fragment):
                    yield self.request(url, self.parse_sitemap, source, meta={"sitemap_depth": depth + 1})
                    if self.trial:  # a trial reads the first sitemap of an index
                        self.note_trial(source, "unread", "站点地图索引中的其余站点地图（试抓只读第一个）")
                        break
            elif not follow or any(fragment in url for fragment in follow):
                request = self.article_request(url, source, hints={"published_at": entry.get("lastmod")})
                if request is not None:
                    yield request
