"""The one place that owns Elasticsearch: mappings, index set-up and migration, bulk writes, queries.

Nothing outside ``yuqing.store`` imports ``elasticsearch``. Everything else gets a :class:`Store`
from :func:`connect` and calls its methods with plain dicts.
"""

from __future__ import annotations

import logging
import re
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Callable, Iterable, Iterator

from elasticsearch import BadRequestError, Elasticsearch, helpers

from yuqing import settings
from yuqing.errors import StoreError
from yuqing.store import queries
from yuqing.store.client import make_client, translate_errors
from yuqing.store.documents import canonical_url, post_id, to_document
from yuqing.store.schema import INDICES, IndexDef

PIT_KEEP_ALIVE = "1m"  # how long a point in time outlives its last search (bulk reads, downloads)
LOGGER = logging.getLogger(__name__)

__all__ = ["Store", "connect", "BulkReport", "InitReport", "canonical_url", "post_id", "queries"]


@dataclass
class BulkReport:
    """What a bulk write did, item by item."""

    created: int = 0
    updated: int = 0
    failed: list[tuple[str, str]] = field(default_factory=list)  # (doc id, reason)
    # The failed ids the cluster could not take just then (shutting down, overloaded, write-blocked
    # for a migration or a full disk): worth writing again later, unlike a document it rejects.
    unavailable: set[str] = field(default_factory=set)

    @property
    def ok(self) -> int:
        return self.created + self.updated

    def __str__(self) -> str:
        text = f"新增 {self.created}，更新 {self.updated}，失败 {len(self.failed)}"
        if self.failed:
            text += "".join(f"\n  {doc_id}: {reason}" for doc_id, reason in self.failed[:10])
        return text


@dataclass
class InitReport:
    created: list[str] = field(default_factory=list)
    existing: list[str] = field(default_factory=list)
    need_migration: list[str] = field(default_factory=list)


def connect(url: str | None = None, *, check: bool = True, prefix: str | None = None, **credentials) -> "Store":
    """A Store for ES_URL (or the local node), verified with a health call unless ``check`` is False."""
    client = make_client(url, **credentials)
    store = Store(client, prefix=prefix, url=url or settings.get("ES_URL") or None)
    if check:
        store.health()
    return store


class Store:
    """Index administration, writes and queries over one cluster and one index prefix."""

    def __init__(self, client: Elasticsearch, prefix: str | None = None, url: str | None = None) -> None:
        self.client = client
        self.prefix = prefix or settings.index_prefix()
        self.url = url or _client_url(client)

    # ----------------------------------------------------------- names
    def alias(self, name: str) -> str:
        return f"{self.prefix}-{name}"

    def concrete(self, name: str, version: int) -> str:
        return f"{self.prefix}-{name}-v{version}"

    # ----------------------------------------------------------- cluster
    def health(self) -> dict:
        with translate_errors(self.url):
            return dict(self.client.cluster.health())

    def describe(self) -> str:
        with translate_errors(self.url):
            nodes = self.client.nodes.info(node_id="_local", metric="_none", filter_path="nodes.*.version")
            health = self.client.cluster.health()
        versions = sorted({n["version"] for n in nodes.get("nodes", {}).values()})
        return f"{health['cluster_name']}（{', '.join(versions) or '?'}，状态 {health['status']}）"

    # ----------------------------------------------------------- set-up
    def put_templates(self, definition: IndexDef) -> None:
        component = f"{self.prefix}-{definition.name}-mappings-v{definition.version}"
        base = f"{self.prefix}-settings"
        with translate_errors(self.url):
            self.client.cluster.put_component_template(
                name=base,
                template={"settings": {"number_of_shards": int(settings.get("YUQING_ES_SHARDS") or 1),
                                       "number_of_replicas": int(settings.get("YUQING_ES_REPLICAS") or 0)}},
                meta={"managed_by": "yuqing"},
            )
            self.client.cluster.put_component_template(
                name=component, template={"mappings": definition.mappings, "settings": definition.settings},
                meta={"managed_by": "yuqing", "version": definition.version},
            )
            self.client.indices.put_index_template(
                name=f"{self.prefix}-{definition.name}",
                index_patterns=[f"{self.prefix}-{definition.name}-v*"],
                composed_of=[base, component],
                priority=200,
                version=definition.version,
                meta={"managed_by": "yuqing", "alias": self.alias(definition.name)},
            )

    def alias_version(self, name: str) -> int | None:
        """The version of the concrete index behind the alias, or None when the alias is missing."""
        with translate_errors(self.url):
            if not self.client.indices.exists_alias(name=self.alias(name)):
                return None
            targets = list(self.client.indices.get_alias(name=self.alias(name)).keys())
        versions = [int(t.rsplit("-v", 1)[1]) for t in targets if t.rsplit("-v", 1)[-1].isdigit()]
        return max(versions) if versions else 0

    def init(self, definitions: Iterable[IndexDef] | None = None) -> InitReport:
        """Create templates, indices and aliases that are missing. Safe to run any number of times.

        Indices are set up concurrently: the master batches the cluster-state updates, which makes a
        full init several times faster than one index after another.
        """
        report = InitReport()
        definitions = list(definitions or INDICES.values())
        with ThreadPoolExecutor(max_workers=min(8, len(definitions) or 1)) as pool:
            outcomes = list(pool.map(self._init_one, definitions))
        for definition, (outcome, index) in zip(definitions, outcomes):
            getattr(report, outcome).append(index)
        return report

    def _init_one(self, definition: IndexDef) -> tuple[str, str]:
        self.put_templates(definition)
        current = self.alias_version(definition.name)
        if current is None:
            index = self.concrete(definition.name, definition.version)
            with translate_errors(self.url):
                try:
                    self.client.indices.create(
                        index=index, aliases={self.alias(definition.name): {"is_write_index": True}})
                except BadRequestError as exc:
                    if exc.error != "resource_already_exists_exception":
                        raise StoreError(f"创建索引 {index} 失败: {exc}") from None
                    self.client.indices.put_alias(index=index, name=self.alias(definition.name),
                                                  is_write_index=True)
            return "created", index
        if current < definition.version:
            return "need_migration", definition.name
        if current > definition.version:
            raise StoreError(
                f"索引 {self.alias(definition.name)} 是 v{current}，比本程序的 v{definition.version} 新",
                hint="升级 yuqing 后再运行",
            )
        return "existing", self.concrete(definition.name, current)

    def migrate(self, definition: IndexDef, transform: Callable[[dict], dict] | None = None,
                batch: int = 1000, progress=None) -> tuple[int, int]:
        """Copy the alias's index into the definition's version (scan + bulk), then flip the alias.

        Returns (documents copied, documents in the new index). The old index is kept, read-only,
        until the user deletes it.
        """
        current = self.alias_version(definition.name)
        if current is None:
            raise StoreError(f"别名 {self.alias(definition.name)} 不存在，请先运行 `yuqing init`")
        if current >= definition.version:
            return (0, self.count(definition.name))
        source = self.concrete(definition.name, current)
        target = self.concrete(definition.name, definition.version)
        self.put_templates(definition)
        with translate_errors(self.url):
            if not self.client.indices.exists(index=target):
                self.client.indices.create(index=target)
            self.client.indices.put_settings(index=source, settings={"index.blocks.write": True})
            total = self.client.count(index=source)["count"]

            def actions() -> Iterator[dict]:
                for n, hit in enumerate(helpers.scan(self.client, index=source, size=batch,
                                                     query={"query": {"match_all": {}}})):
                    doc = transform(hit["_source"]) if transform else hit["_source"]
                    if progress and n % batch == 0:
                        progress(n, total)
                    yield {"_index": target, "_id": hit["_id"], "_source": doc}

            copied, errors = helpers.bulk(self.client, actions(), chunk_size=batch, raise_on_error=False,
                                          stats_only=False)
            if errors:
                self.client.indices.put_settings(index=source, settings={"index.blocks.write": False})
                raise StoreError(f"迁移 {source} → {target} 时 {len(errors)} 篇文档写入失败: {errors[:3]}")
            self.client.indices.refresh(index=target)
            moved = self.client.count(index=target)["count"]
            if moved < total:
                self.client.indices.put_settings(index=source, settings={"index.blocks.write": False})
                raise StoreError(f"迁移校验失败：{source} 有 {total} 篇，{target} 只有 {moved} 篇；别名未切换，"
                                 f"{source} 已恢复可写")
            self.client.indices.update_aliases(actions=[
                {"remove": {"index": source, "alias": self.alias(definition.name)}},
                {"add": {"index": target, "alias": self.alias(definition.name), "is_write_index": True}},
            ])
        return copied, moved

    # ----------------------------------------------------------- writes
    def index_docs(self, name: str, docs: Iterable[dict], chunk_size: int = 500,
                   refresh: bool | str = False) -> BulkReport:
        """Bulk index documents (each with an ``id``) into the alias; per-item failures are reported."""
        alias = self.alias(name)
        actions = ({"_index": alias, "_id": doc["id"], "_source": doc} for doc in docs)
        return self._bulk(name, actions, chunk_size, refresh)

    def update_docs(self, name: str, updates: Iterable[tuple], chunk_size: int = 500, refresh: bool | str = False,
                    on_item: Callable[[bool], None] | None = None) -> BulkReport:
        """Bulk partial updates: ``updates`` yields ``(id, fields)`` or ``(id, fields, concrete index)``;
        only ``fields`` change. A document that does not exist is a failure, not a new document.
        ``on_item(ok)`` is called once per document as results arrive."""
        alias = self.alias(name)
        actions = ({"_op_type": "update", "_index": update[2] if len(update) > 2 else alias, "_id": update[0],
                    "doc": update[1]} for update in updates)
        return self._bulk(name, actions, chunk_size, refresh, on_item)

    def _bulk(self, name: str, actions: Iterable[dict], chunk_size: int, refresh: bool | str,
              on_item: Callable[[bool], None] | None = None) -> BulkReport:
        report = BulkReport()
        with translate_errors(self.url):
            for ok, item in helpers.streaming_bulk(self.client, actions, chunk_size=chunk_size,
                                                   raise_on_error=False, raise_on_exception=False,
                                                   max_retries=3, initial_backoff=1):
                (result,) = item.values()  # {op_type: result}
                if ok:
                    if result.get("result") == "created":
                        report.created += 1
                    else:
                        report.updated += 1
                else:
                    error = result.get("error")
                    report.failed.append((str(result.get("_id")), refusal_reason(error)))
                    if _unavailable(result.get("status"), error):
                        report.unavailable.add(str(result.get("_id")))
                if on_item is not None:
                    on_item(ok)
            if refresh:
                self.client.indices.refresh(index=self.alias(name))
        return report

    def create_doc(self, name: str, doc: dict, refresh: bool | str = "wait_for") -> bool:
        """Write ``doc`` under its ``id`` only if no document has that id yet (op_type=create).

        True when this call created it, False when it already existed: a claim that exactly one of
        several processes wins (e.g. the scheduled digest, sent once across service workers)."""
        from elasticsearch import ConflictError

        with translate_errors(self.url):
            try:
                self.client.create(index=self.alias(name), id=doc["id"], document=doc, refresh=refresh)
            except ConflictError:
                return False
        return True

    def index_posts(self, posts: Iterable[dict], refresh: bool = False) -> BulkReport:
        """Index posts under deterministic ids. Writing a stored post again updates the fields it
        carries and keeps the others: above all the ``event_id`` the analysis cycle gave it, which a
        whole-document write dropped, so a re-crawled post (new likes, a board reply) left its event
        until the next cycle and a past day's digest counted it nowhere; also a field the new crawl
        lacks (an author the page no longer shows) keeps its stored value."""
        report = BulkReport()
        docs = []
        for post in posts:
            try:
                docs.append(to_document(post))
            except (ValueError, TypeError) as exc:
                report.failed.append((str(post.get("url") or post.get("title") or "?")[:80], str(exc)))
        alias = self.alias("posts")
        actions = ({"_op_type": "update", "_index": alias, "_id": doc["id"], "doc": doc, "doc_as_upsert": True,
                    "retry_on_conflict": 3} for doc in docs)
        written = self._bulk("posts", actions, 500, refresh)
        written.failed = report.failed + written.failed
        return written

    def cluster_candidates(self, band_keys: list[str], limit: int = 1000) -> list:
        """Stored posts sharing any near-duplicate band key (for analysis.enrich's cluster lookup)."""
        from analysis.neardup import Candidate

        if not band_keys:
            return []
        result = self.search("posts", {"terms": {"simhash_bands": band_keys}}, size=limit,
                             source=["id", "simhash", "cluster_id", "simhash_bands"], track_total_hits=False)
        return [Candidate(hit["_id"], int(src["simhash"], 16), src.get("cluster_id") or hit["_id"],
                          frozenset(src.get("simhash_bands") or ()))
                for hit in result["hits"]["hits"] if (src := hit["_source"]).get("simhash")]

    def refresh(self, name: str) -> None:
        with translate_errors(self.url):
            self.client.indices.refresh(index=self.alias(name))

    # ----------------------------------------------------------- reads
    def get(self, name: str, doc_id: str) -> dict | None:
        with translate_errors(self.url):
            result = self.client.options(ignore_status=404).get(index=self.alias(name), id=doc_id)
        return dict(result["_source"]) if result.get("found") else None

    def count(self, name: str, query: dict | None = None) -> int:
        with translate_errors(self.url):
            return int(self.client.count(index=self.alias(name), query=query or {"match_all": {}})["count"])

    def search(self, name: str, query: dict | None = None, *, size: int = 20, from_: int = 0,
               sort: list | None = None, aggs: dict | None = None, highlight: dict | None = None,
               source: list[str] | bool | None = None, track_total_hits: bool | int = True) -> dict:
        with translate_errors(self.url):
            return dict(self.client.search(
                index=self.alias(name), query=query or {"match_all": {}}, size=size, from_=from_, sort=sort,
                aggs=aggs, highlight=highlight, source=source, track_total_hits=track_total_hits,
            ))

    def fetch_sources(self, name: str, query: dict | None = None, *, size: int, sort: list, source: list[str],
                      slices: int = 3, min_slice: int = 2000) -> list[dict]:
        """The ``_source`` (only the ``source`` fields) of the first ``size`` hits in ``sort`` order.

        For bulk reads such as exports. Most of the cost is the node's fetch phase (loading and
        filtering each stored document), which runs on one thread per request: a large read is split
        into up to ``slices`` consecutive from/size pages searched concurrently over one point in time,
        so they see one snapshot and the pages join without gaps or repeats. Only ids and sources
        cross the wire (``filter_path``).
        """
        if size <= 0:
            return []
        parts = max(1, min(slices, size // max(1, min_slice)))
        step = -(-size // parts)
        pages = [(start, min(step, size - start)) for start in range(0, size, step)]
        body = {"query": query or {"match_all": {}}, "sort": sort, "source": source, "track_total_hits": False,
                "filter_path": "hits.hits._id,hits.hits._source"}
        if len(pages) == 1:
            with translate_errors(self.url):
                return _sources(self.client.search(index=self.alias(name), size=size, **body))
        with self._point_in_time(name) as pit:
            def page(span: tuple[int, int]) -> list[dict]:
                with translate_errors(self.url):
                    return _sources(self.client.search(pit=pit, from_=span[0], size=span[1], **body))

            with ThreadPoolExecutor(max_workers=len(pages)) as pool:
                return [doc for docs in pool.map(page, pages) for doc in docs]

    @contextmanager
    def _point_in_time(self, name: str) -> Iterator[dict]:
        """A point in time on the alias (the ``pit`` argument of a search), closed on leaving."""
        with translate_errors(self.url):
            pit = self.client.open_point_in_time(index=self.alias(name), keep_alive=PIT_KEEP_ALIVE)["id"]
        try:
            yield {"id": pit, "keep_alive": PIT_KEEP_ALIVE}
        finally:
            with translate_errors(self.url):
                self.client.options(ignore_status=404).close_point_in_time(id=pit)

    def iter_source_pages(self, name: str, query: dict | None = None, *, size: int, sort: list,
                          source: list[str], page: int = 2000) -> Iterator[list[dict]]:
        """The ``_source`` (only ``source`` fields) of the first ``size`` hits in ``sort`` order, a page at a
        time: a streamed download can send the first rows while the node reads the next ones. One point in
        time and ``search_after`` keep the pages one consistent snapshot, without gaps or repeats."""
        if size <= 0:
            return
        with self._point_in_time(name) as pit:
            after, sent = None, 0
            while sent < size:
                with translate_errors(self.url):
                    result = self.client.search(
                        pit=pit, query=query or {"match_all": {}}, sort=[*sort, {"_shard_doc": "asc"}],
                        size=min(page, size - sent), source=source, search_after=after, track_total_hits=False,
                        filter_path="hits.hits._source,hits.hits.sort")
                hits = (result.get("hits") or {}).get("hits") or []
                if not hits:
                    return
                yield [hit.get("_source") or {} for hit in hits]
                sent += len(hits)
                after = hits[-1]["sort"]

    def search_posts(self, text: str | None = None, filters: queries.PostFilter | None = None, *,
                     size: int = 20, from_: int = 0, sort: list | None = None, aggs: dict | None = None,
                     highlight: bool = True) -> dict:
        """Full-text Chinese search with highlighting (fragments already merged) and optional aggregations.

        The highlighter marks each word of the query on its own (every spelling, as a phrase on the raw
        text), not only the whole query as one phrase: a post matched by 电梯 and 故障 apart gets both marked.
        """
        from analysis.hanzi import spellings
        from analysis.segment import query_tokens

        if sort is None:
            sort = ["_score", {"published_at": {"order": "desc", "missing": "_last"}}] if text else \
                [{"published_at": {"order": "desc", "missing": "_last"}}]
        marking = None
        if highlight and text and text.strip():
            phrases = dict.fromkeys(s for part in [text.strip(), *query_tokens(text)] for s in spellings(part))
            marking = {**queries.HIGHLIGHT, "highlight_query": {"bool": {"should": [
                {"multi_match": {"query": phrase, "fields": ["title", "content"], "type": "phrase"}}
                for phrase in phrases], "minimum_should_match": 1}}}
        result = self.search("posts", queries.post_query(text, filters), size=size, from_=from_, sort=sort,
                             aggs=aggs, highlight=marking)
        for hit in result["hits"]["hits"]:
            if "highlight" in hit:
                hit["highlight"] = {k: [queries.merge_highlight(f) for f in v] for k, v in hit["highlight"].items()}
        return result

    def field_caps(self, name: str, fields: list[str] | str = "*") -> dict:
        with translate_errors(self.url):
            return dict(self.client.field_caps(index=self.alias(name), fields=fields)["fields"])

    def scan(self, name: str, query: dict | None = None, size: int = 1000,
             fields: list[str] | None = None) -> Iterator[dict]:
        """Every matching document's ``_source`` (only ``fields`` of it, when given)."""
        body: dict = {"query": query or {"match_all": {}}}
        if fields is not None:
            body["_source"] = fields
        with translate_errors(self.url):
            for hit in helpers.scan(self.client, index=self.alias(name), size=size, query=body):
                yield hit["_source"]

    def delete_prefix(self) -> None:
        """Remove every index and template under this prefix (tests and demo resets).

        Names are resolved first: wildcard deletes are refused by default (destructive_requires_name).
        """
        pattern = f"{self.prefix}-*"
        with translate_errors(self.url):
            indices = list(self.client.indices.get(index=pattern, expand_wildcards="all"))
            if indices:
                self.client.indices.delete(index=",".join(indices))
            templates = self.client.options(ignore_status=404).indices.get_index_template(name=pattern)
            for template in templates.get("index_templates", []):
                self.client.indices.delete_index_template(name=template["name"])
            components = self.client.options(ignore_status=404).cluster.get_component_template(name=pattern)
            for template in components.get("component_templates", []):
                self.client.cluster.delete_component_template(name=template["name"])


def _client_url(client: Elasticsearch) -> str:
    try:
        node = client.transport.node_pool.get()
        return str(node.base_url)
    except Exception:  # noqa: BLE001 - only for messages
        return settings.get("ES_URL") or "http://127.0.0.1"


def _sources(result) -> list[dict]:
    """The ``_source`` of each hit of a search answered with a ``filter_path`` that keeps ids and sources."""
    return [hit.get("_source") or {} for hit in (result.get("hits") or {}).get("hits") or []]


# Item errors that say "not now" rather than "not this document".
_UNAVAILABLE_TYPES = frozenset({
    "cluster_block_exception",  # a write block: a migration copying the index, a full disk
    "es_rejected_execution_exception",
    "unavailable_shards_exception",
    "node_closed_exception",
    "no_shard_available_action_exception",
    "circuit_breaking_exception",
    "index_closed_exception",  # closed by an administrator; written once it is opened again
})


_FIELD_REFUSED = re.compile(r"failed to parse field \[([^\]]+)\] of type \[([^\]]+)\]")
_FIELD_TYPES = {"date": "时间", "long": "整数", "integer": "整数", "float": "数字", "double": "数字", "keyword": "关键词",
                "text": "文本", "boolean": "布尔值", "object": "对象", "nested": "对象列表", "geo_point": "坐标"}


def refusal_reason(error) -> str:
    """Why Elasticsearch refused a document, led by Chinese where the cause is a field's value."""
    reason = error.get("reason", str(error)) if isinstance(error, dict) else str(error)
    match = _FIELD_REFUSED.search(reason)
    if match:
        field, kind = match.groups()
        return f"字段 {field} 的值不是有效的{_FIELD_TYPES.get(kind, kind)}，索引拒收（Elasticsearch: {reason}）"
    return reason


def _unavailable(status, error) -> bool:
    """True when a bulk item failed because of the cluster's state, not because of the document."""
    if not isinstance(status, int) or status == 429 or status >= 500:
        return True
    return isinstance(error, dict) and error.get("type") in _UNAVAILABLE_TYPES
