"""The store against the real node: Chinese search, aggregations, idempotent writes, init, migration."""

from __future__ import annotations

import json
from importlib import resources

import pytest

from yuqing.store import queries
from yuqing.store.schema import INDICES, IndexDef


def sample_posts() -> list[dict]:
    text = resources.files("yuqing.demo").joinpath("sample_posts.jsonl").read_text(encoding="utf-8")
    return [json.loads(line) for line in text.splitlines() if line.strip()]


@pytest.fixture
def loaded(store):
    report = store.index_posts(sample_posts(), refresh=True)
    assert report.failed == []
    return store


def titles(result: dict) -> set[str]:
    return {hit["_source"]["title"] for hit in result["hits"]["hits"]}


def test_food_safety_search_finds_the_school_inspection_first(loaded):
    result = loaded.search_posts("食品安全")
    hits = result["hits"]["hits"]
    assert hits[0]["_source"]["title"] == "市市场监管局开展校园食品安全专项检查"
    assert "健身房突然关门，预付卡无法退费" not in titles(result)


def test_search_highlights_the_query_as_one_merged_phrase(loaded):
    hit = loaded.search_posts("食品安全")["hits"]["hits"][0]
    assert "<em>食品安全</em>" in hit["highlight"]["title"][0]
    assert any("<em>食品安全</em>" in fragment for fragment in hit["highlight"]["content"])


def test_elevator_search_finds_the_entrapment_and_not_the_gas_cylinders(loaded):
    found = titles(loaded.search_posts("电梯"))
    assert "东丽区一小区电梯困人 消防员半小时救出5名居民" in found
    assert "我市抽检液化气瓶 不合格产品全部召回" not in found


def test_search_with_filters_restricts_to_boards(loaded):
    result = loaded.search_posts(None, queries.PostFilter(source_kinds=["board_html"]))
    assert titles(result) == {"健身房突然关门，预付卡无法退费", "超市电子秤缺斤短两"}


def test_region_filter_uses_path_prefix(loaded):
    result = loaded.search_posts(None, queries.PostFilter(regions=["天津市/东丽区"]))
    assert titles(result) == {"东丽区一小区电梯困人 消防员半小时救出5名居民"}


def test_terms_aggregation_over_categories(loaded):
    result = loaded.search("posts", size=0, aggs={"cat": queries.terms_agg("categories", 20)})
    frame = queries.buckets_frame(result["aggregations"]["cat"])
    counts = dict(zip(frame["key"], frame["count"]))
    assert counts["食品安全"] == 2
    assert counts["特种设备"] == 2
    assert counts["网络交易"] == 2


def test_daily_histogram_in_shanghai_time(loaded):
    result = loaded.search("posts", size=0, aggs={"day": queries.histogram_agg("published_at", "1d")})
    frame = queries.buckets_frame(result["aggregations"]["day"])
    per_day = dict(zip(frame["key"].str[:10], frame["count"]))
    assert per_day == {"2026-11-18": 1, "2026-11-19": 1, "2026-11-20": 1, "2026-11-21": 1,
                       "2026-11-22": 3, "2026-11-23": 1}


def test_writing_the_same_post_twice_updates_it(store):
    post = sample_posts()[0]
    first = store.index_posts([post], refresh=True)
    changed = dict(post, title=post["title"] + "（更新）",
                   url=post["url"].replace("news.example.cn", "NEWS.Example.cn") + "?utm_source=wx#comments")
    second = store.index_posts([changed], refresh=True)
    assert (first.created, second.updated, second.created) == (1, 1, 0)
    assert store.count("posts") == 1
    assert store.search_posts(None)["hits"]["hits"][0]["_source"]["title"].endswith("（更新）")


def test_writing_a_post_again_keeps_the_event_the_analysis_gave_it(store):
    # A whole-document write dropped event_id: every re-crawled post (new likes, a board reply) left
    # its event until the next analysis cycle, and a past day's digest counted it nowhere.
    post = dict(sample_posts()[2], likes=3, author="市民王女士")
    store.index_posts([post], refresh=True)
    doc_id = store.search_posts(None)["hits"]["hits"][0]["_id"]
    assert not store.update_docs("posts", [(doc_id, {"event_id": "ev-1"})], refresh=True).failed
    again = {**post, "likes": 9, "author": None}  # this crawl did not find the author
    report = store.index_posts([again], refresh=True)
    assert (report.created, report.updated, report.failed) == (0, 1, [])
    stored = store.get("posts", doc_id)
    assert (stored["event_id"], stored["likes"], stored["author"]) == ("ev-1", 9, "市民王女士")


def test_board_posts_are_identified_by_their_board_id_not_the_url(store):
    post = sample_posts()[2]
    moved = dict(post, url="http://board.example.cn/thread/10086?page=2")
    store.index_posts([post, moved], refresh=True)
    assert store.count("posts") == 1


def test_bulk_reports_per_item_failures_and_keeps_the_rest(store):
    good = sample_posts()[:2]
    bad = dict(sample_posts()[3], url="http://x.example.cn/bad", published_at="not a date")
    nameless = {"title": "无链接无编号"}
    report = store.index_posts(good + [bad, nameless], refresh=True)
    assert report.created == 2
    assert len(report.failed) == 2
    assert any("published_at" in reason for _id, reason in report.failed)
    assert store.count("posts") == 2


def test_a_nan_or_infinite_count_rejects_its_post_not_the_whole_bulk(store):
    """json writes NaN/Infinity, which is no JSON: the node refused every post of the bulk request."""
    good = sample_posts()[:3]
    endless = dict(sample_posts()[3], url="http://x.example.cn/inf", engagement={"likes": float("inf")})
    nan = dict(sample_posts()[4], url="http://x.example.cn/nan", sentiment={"score": float("nan")})
    report = store.index_posts(good + [endless, nan], refresh=True)
    assert report.created == 3
    reasons = dict(report.failed)
    assert len(reasons) == 2
    assert "engagement.likes" in reasons["http://x.example.cn/inf"]
    assert "sentiment.score" in reasons["http://x.example.cn/nan"]
    assert store.count("posts") == 3


def test_init_twice_is_harmless(store):
    store.index_posts(sample_posts(), refresh=True)
    report = store.init()
    assert report.created == [] and report.need_migration == []
    assert sorted(report.existing) == sorted(store.concrete(n, d.version) for n, d in INDICES.items())
    assert store.count("posts") == len(sample_posts())


def test_migration_keeps_every_document_and_flips_the_alias(store):
    store.index_posts(sample_posts(), refresh=True)
    v1 = INDICES["posts"]
    mappings = {**v1.mappings, "properties": {**v1.mappings["properties"], "risk": {"type": "keyword"}}}
    v2 = IndexDef("posts", 2, mappings, v1.settings)
    assert store.init([v2]).need_migration == ["posts"]
    copied, total = store.migrate(v2, transform=lambda doc: dict(doc, risk="低"))
    assert copied == total == len(sample_posts())
    assert store.alias_version("posts") == 2
    result = store.search("posts", {"term": {"risk": "低"}}, size=0)
    assert result["hits"]["total"]["value"] == len(sample_posts())
    assert store.search_posts("电梯")["hits"]["total"]["value"] >= 1
    store.index_posts([dict(sample_posts()[0], title="迁移后写入")], refresh=True)
    assert store.count("posts") == len(sample_posts())


def test_time_fields_are_dates_and_dashboard_fields_aggregatable(store):
    caps = store.field_caps("posts")
    assert "date" in caps["published_at"] and "date" in caps["crawled_at"]
    for name in ["source", "media_level", "categories", "region.path", "sentiment.label", "board.status",
                 "cluster_id", "event_id", "keywords"]:
        assert any(info["aggregatable"] for info in caps[name].values()), name


def test_fetch_sources_joins_concurrent_slices_in_sort_order_without_gaps(store):
    """Slices searched concurrently over one point in time read as one search: same rows, same order."""
    docs = [{"id": f"s{n:02d}", "title": f"帖子{n}", "content": "正文" * n, "source_name": "信源",
             "published_at": f"2024-03-{1 + n // 3:02d}T08:00:00+08:00"} for n in range(40)]  # ties: 3 per time
    docs.append({"id": "undated", "title": "无时间"})
    store.index_docs("posts", docs, refresh=True)
    sort = [{"published_at": {"order": "desc", "missing": "_last"}}]
    plain = store.search("posts", None, size=100, sort=sort, source=["id"], track_total_hits=False)
    expected = [hit["_source"]["id"] for hit in plain["hits"]["hits"]]
    assert len(expected) == 41 and expected[-1] == "undated"
    for size in (41, 25, 7):
        sliced = store.fetch_sources("posts", None, size=size, sort=sort, source=["id", "title"], slices=3,
                                     min_slice=1)
        assert [doc["id"] for doc in sliced] == expected[:size]
        assert set(sliced[0]) == {"id", "title"}  # only the fields asked for
    one = store.fetch_sources("posts", {"term": {"id": "s05"}}, size=10, sort=sort, source=["title"])
    assert one == [{"title": "帖子5"}]
    assert store.fetch_sources("posts", {"term": {"id": "nothing"}}, size=10, sort=sort, source=["id"]) == []
    assert store.fetch_sources("posts", None, size=0, sort=sort, source=["id"]) == []


def test_to_document_replaces_lone_surrogates_and_names_a_text_field_that_is_not_text():
    from yuqing.store.documents import to_document

    doc = to_document({"url": "http://a.example.cn/1", "title": "坏\ud800字", "board": {"reply": "\udc00"}})
    assert doc["title"] == "坏\ufffd字" and doc["board"]["reply"] == "\ufffd"
    with pytest.raises(ValueError, match="字段 title 应为字符串，实际是数组"):
        to_document({"url": "http://a.example.cn/2", "title": ["x"]})
    with pytest.raises(ValueError, match="既没有 url 也没有 board.post_id"):
        to_document({"title": "x"})
