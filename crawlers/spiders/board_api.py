"""JSON-API message boards (like 人民网《领导留言板》): list calls with a cursor -> detail calls,
fields picked through the source's JSON field mapping."""

from __future__ import annotations

import copy
import json
from urllib.parse import quote

from crawlers.items import BOARD_FIELDS
from crawlers.spiders.base import SourceSpider, resolve
from crawlers.state import state_key

# Board fields a board's own API carries (channel, due date and status history are the crawler's).
BOARD_KEYS = tuple(key for key in BOARD_FIELDS if key not in ("channel", "due_at", "status_history"))


def set_path(data: dict, dotted: str, value) -> None:
    keys = dotted.split(".")
    for key in keys[:-1]:
        data = data.setdefault(key, {})
    data[keys[-1]] = value


class BoardApiSpider(SourceSpider):
    name = "board_api"
    kind = "board_api"

    def api_request(
        self, spec: dict, source, callback, body: dict | None = None, url: str | None = None, **meta
    ):
        url = url or spec["url"]
        if spec.get("method", "GET") == "POST":
            payload = body if body is not None else spec.get("json") or {}
            return self.request(
                url,
                callback,
                source,
                method="POST",
                dont_filter=True,
                meta=meta,
                body=json.dumps(payload, ensure_ascii=False).encode("utf-8"),
                headers={"Content-Type": "application/json;charset=UTF-8"},
            )
        return self.request(url, callback, source, dont_filter=True, meta=meta)

    def start_source(self, source):
        spec = source.list_request
        yield self.api_request(
            spec,
            source,
            self.parse_list,
            copy.deepcopy(spec.get("json") or {}),
            page=1,
            payload=copy.deepcopy(spec.get("json") or {}),
        )

    def parse_json(self, response, source):
        try:
            return json.loads(response.text)
        except (ValueError, AttributeError) as exc:
            self.context.error(source.name, "bad_json", f"{response.url}: {exc}")
            return None

    def parse_list(self, response):
        source = self.source_of(response)
        self.context.count(source.name, "listing_pages")
        data = self.parse_json(response, source)
        if data is None:
            return
        spec = source.list_request
        rows = resolve(data, spec.get("items"))
        if not isinstance(rows, list):
            self.context.error(source.name, "bad_json", f"{response.url}: 找不到列表 {spec.get('items')}")
            return
        fields = source.fields
        for row in rows:
            post_id = self.json_id(source, response.url, row, fields.get("post_id"))
            if post_id is None:
                continue
            quoted = quote(post_id, safe="")
            url = source.detail_request["url"].replace("{tid}", quoted).replace("{id}", quoted)
            if not self.context.state.should_fetch(source.name, url, post_id):
                self.context.count(source.name, "skipped")
                continue
            if self.trial_is_full():
                break
            self.requested[(source.name, state_key(None, post_id))] = source.name
            yield self.api_request(source.detail_request, source, self.parse_detail, url=url, row=row)
        cursor = spec.get("cursor")
        number = response.meta.get("page", 1)
        if rows and cursor and number < spec.get("max_pages", 5) and not self.trial:
            # no usable cursor on the last row (counted): asking again with lastItem="None" re-read page one
            last = self.json_id(source, response.url, rows[-1], cursor["from_item"])
            if last is None:
                return
            payload = copy.deepcopy(response.meta.get("payload") or {})
            set_path(payload, cursor["param"], str(last))
            yield self.api_request(spec, source, self.parse_list, payload, page=number + 1, payload=payload)

    def parse_detail(self, response):
        source = self.source_of(response)
        data = self.parse_json(response, source)
        if data is None:
            return
        detail = data.get("resultData") if isinstance(data, dict) and "resultData" in data else data
        row = response.meta.get("row") or {}

        def value(key):
            path = source.fields.get(key)
            found = resolve(row, path)
            return found if found is not None else resolve(detail, path)

        loader = self.loader(source, response.url)
        for key in ("title", "content", "author", "published_at"):
            loader.add_value(key, value(key))
        published = loader.get_output_value("published_at")
        if published is None:
            self.context.error(source.name, "date_missing", f"{response.url}: 留言没有时间")
        values = {key: value(key) for key in BOARD_KEYS}
        values["poster"] = values["poster"] or value("author")
        loader.add_value("board", self.board_object(source, response.url, values, published_at=published))
        counts = {k: [value(k)] for k in ("likes", "comments", "shares", "views") if source.fields.get(k)}
        engagement = self.engagement(source, response.url, counts) if counts else None
        if engagement:
            loader.add_value("engagement", engagement)
        yield loader.load_item()
