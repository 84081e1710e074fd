"""Social JSON feeds: timeline pages -> one post per status, through the source's field mapping."""

from __future__ import annotations

import json
from urllib.parse import quote

from crawlers.spiders.base import SourceSpider, resolve


class SocialSpider(SourceSpider):
    name = "social"
    kind = "social"

    def page_url(self, source, page: int) -> str:
        return source.request["url"].replace("{page}", str(page))

    def start_source(self, source):
        yield self.request(self.page_url(source, 1), self.parse_timeline, source, meta={"page": 1})

    def parse_timeline(self, response):
        source = self.source_of(response)
        self.context.count(source.name, "listing_pages")
        try:
            data = json.loads(response.text)
        except ValueError as exc:
            self.context.error(source.name, "bad_json", f"{response.url}: {exc}")
            return
        spec, fields = source.request, source.fields
        statuses = resolve(data, spec.get("items"))
        if not isinstance(statuses, list):
            self.context.error(source.name, "bad_json", f"{response.url}: 找不到列表 {spec.get('items')}")
            return
        for status in statuses:
            post_id = self.json_id(source, response.url, status, fields.get("id"))
            if post_id is None:
                continue
            template = fields.get("url") or response.url + "#{id}"
            url = template.replace("{id}", quote(post_id, safe=""))
            loader = self.loader(source, url)
            for key in ("title", "content", "author", "published_at"):
                loader.add_value(key, resolve(status, fields.get(key)))
            counts = {  # each value as one: a JSON list is no count, not a list of them
                key: [resolve(status, fields[key])]
                for key in ("likes", "comments", "shares", "views", "dislikes")
                if fields.get(key)
            }
            loader.add_value("engagement", self.engagement(source, url, counts))
            if fields.get("repost_of") and resolve(status, fields["repost_of"]) is not None:
                loader.add_value("tags", ["转发"])
            yield loader.load_item()
        following = resolve(data, spec.get("next_page"))
        number = response.meta.get("page", 1)  # pages fetched, counted here: the feed may number them anyhow
        if following in (None, "", 0, False) or number >= spec.get("max_pages", 5) or self.trial:
            return
        if isinstance(following, str) and following.strip().isdigit():
            following = int(following)
        if isinstance(following, bool) or not isinstance(following, int) or following < 1:
            self.context.error(
                source.name,
                "bad_json",
                f"{response.url}: {spec.get('next_page')} 应为正整数页码，实际是 {str(following)[:60]!r}",
            )
            return
        yield self.request(self.page_url(source, following), self.parse_timeline, source, meta={"page": number + 1})
