"""RSS 2.0 and Atom feeds -> article pages (feed title, date and author as hints)."""

from __future__ import annotations

import logging

from lxml import etree

from crawlers.spiders.base import SourceSpider

LOGGER = logging.getLogger(__name__)
ATOM = "{http://www.w3.org/2005/Atom}"


def feed_entries(body: bytes) -> list[dict]:
    """Entries of an RSS or Atom document: link, title, published, author (strings, may be empty)."""
    parser = etree.XMLParser(recover=True, resolve_entities=False, no_network=True)
    root = etree.fromstring(body, parser)
    if root is None:
        return []
    entries = []
    for item in root.iter("item"):
        entries.append(
            {
                "url": (item.findtext("link") or item.findtext("guid") or "").strip(),
                "title": item.findtext("title") or "",
                "published_at": item.findtext("pubDate") or "",
                "author": item.findtext("author") or "",
            }
        )
    for entry in root.iter(f"{ATOM}entry"):
        link = ""
        for node in entry.findall(f"{ATOM}link"):
            if node.get("rel", "alternate") == "alternate":
                link = node.get("href") or ""
                break
        entries.append(
            {
                "url": link.strip() or (entry.findtext(f"{ATOM}id") or "").strip(),
                "title": entry.findtext(f"{ATOM}title") or "",
                "published_at": entry.findtext(f"{ATOM}published") or entry.findtext(f"{ATOM}updated") or "",
                "author": entry.findtext(f"{ATOM}author/{ATOM}name") or "",
            }
        )
    return [e for e in entries if e["url"]]


class FeedSpider(SourceSpider):
    """RSS/Atom feeds; each entry's page is fetched (per-source selectors, extractor fallback)."""

    name = "rss"
    kind = "rss"

    start_callback = "parse_feed"

    def parse_feed(self, response):
        source = self.source_of(response)
        self.context.count(source.name, "listing_pages")
        try:
            entries = feed_entries(response.body)
        except etree.XMLSyntaxError as exc:  # even recover=True gives up on an empty or all-garbage body
            self.context.error(source.name, "bad_feed", f"{response.url}: 不是 RSS/Atom 订阅源（{exc}）")
            return
        if not entries:
            self.context.error(source.name, "empty_feed", f"{response.url}: 订阅源中没有条目")
        for entry in entries:
            hints = {k: v.strip() for k, v in entry.items() if k != "url" and v and v.strip()}
            url = self.follow(response, entry["url"], source)
            if url is None:
                continue
            request = self.article_request(url, source, hints=hints)
            if request is not None:
                yield request
