"""Enriched posts in the real node: clusters carry across batches through the band-key lookup."""

from __future__ import annotations

import pytest

from analysis.enrich import Enricher
from analysis.hanzi import to_traditional
from yuqing.store import queries

STORY = ("3月12日中午，和平区某小学食堂供应午餐后，陆续有学生出现呕吐、腹痛等症状，已有32名学生被送往医院观察治疗，"
         "目前均无生命危险。区市场监管局已对食堂进行封存，并对留样食品进行抽检，具体原因正在调查中。")


@pytest.fixture(scope="module")
def enricher():
    return Enricher()


def test_reposts_arriving_later_join_the_stored_cluster(store, enricher):
    first = {"url": "http://a.cn/1", "title": "和平区一小学食堂疑似食物中毒", "content": STORY,
             "published_at": "2024-03-12T13:00:00+08:00"}
    store.index_posts(enricher.enrich([first], lookup=store.cluster_candidates), refresh=True)
    later = [{"url": f"http://m{i}.cn/r", "title": "转发：和平区一小学食堂疑似食物中毒",
              "content": f"（来源：媒体{i}）" + STORY, "published_at": "2024-03-12T15:00:00+08:00"} for i in range(3)]
    store.index_posts(enricher.enrich(later, lookup=store.cluster_candidates), refresh=True)
    result = store.search("posts", size=0, aggs={"clusters": queries.terms_agg("cluster_id")})
    buckets = result["aggregations"]["clusters"]["buckets"]
    assert [(b["key"], b["doc_count"]) for b in buckets] == [(first["cluster_id"], 4)]


def test_enriched_fields_are_searchable_and_aggregatable(store, enricher):
    posts = [{"url": "http://a.cn/2", "title": "东丽区一小区电梯困人", "content": "东丽区某小区电梯故障，5名居民被困。",
              "published_at": "2024-03-12T13:00:00+08:00"},
             {"url": "http://a.cn/3", "title": "和平区一小学食堂疑似食物中毒", "content": STORY,
              "published_at": "2024-03-12T14:00:00+08:00"}]
    store.index_posts(enricher.enrich(posts), refresh=True)
    hits = store.search_posts("食物中毒", queries.PostFilter(categories=["食品安全"]))["hits"]["hits"]
    assert [h["_source"]["url"] for h in hits] == ["http://a.cn/3"]
    result = store.search("posts", size=0, aggs={"region": queries.terms_agg("region.district"),
                                                 "sent": queries.terms_agg("sentiment.label")})
    assert {b["key"] for b in result["aggregations"]["region"]["buckets"]} == {"东丽区", "和平区"}
    assert {b["key"]: b["doc_count"] for b in result["aggregations"]["sent"]["buckets"]} == {"neg": 2}


def test_a_reprint_in_traditional_characters_is_the_same_story_and_found_by_a_simplified_query(store, enricher):
    original = {"url": "http://a.cn/4", "title": "和平区一小学食堂疑似食物中毒", "content": STORY,
                "published_at": "2024-03-12T13:00:00+08:00"}
    store.index_posts(enricher.enrich([original], lookup=store.cluster_candidates), refresh=True)
    reprint = {"url": "http://hk.example/5", "title": to_traditional(original["title"]),
               "content": to_traditional(STORY), "published_at": "2024-03-12T16:00:00+08:00"}
    assert "學生" in reprint["content"] and "食堂" in reprint["content"]
    store.index_posts(enricher.enrich([reprint], lookup=store.cluster_candidates), refresh=True)
    assert reprint["cluster_id"] == original["cluster_id"]
    assert reprint["categories"] == original["categories"] and "食品安全" in reprint["categories"]
    assert reprint["region"] == original["region"] and reprint["region"]["district"] == "和平区"
    assert reprint["sentiment"] == original["sentiment"]
    hits = store.search_posts("学生 呕吐", queries.PostFilter(categories=["食品安全"]))["hits"]["hits"]
    assert sorted(h["_source"]["url"] for h in hits) == ["http://a.cn/4", "http://hk.example/5"]
    # and a query typed in traditional characters finds the simplified original
    hits = store.search_posts("學生 嘔吐")["hits"]["hits"]
    assert sorted(h["_source"]["url"] for h in hits) == ["http://a.cn/4", "http://hk.example/5"]
    # the match is marked in either script
    hits = {h["_source"]["url"]: h for h in store.search_posts("留样食品")["hits"]["hits"]}
    assert "<em>留样食品</em>" in hits["http://a.cn/4"]["highlight"]["content"][0]
    assert "<em>留樣食品</em>" in hits["http://hk.example/5"]["highlight"]["content"][0]


SCRIPT_POSTS = {
    "simplified": ("健身房跑路", "会员预付卡退不了钱，已向市场监管局投诉"),
    "traditional": (to_traditional("健身房跑路"), to_traditional("会员预付卡退不了钱，已向市场监管局投诉")),
    "mixed": ("健身房跑路", "會員预付卡退不了钱，已向市场监管局投訴"),
    "advert": ("廣告", to_traditional("健身房预付卡优惠，投诉电话见广告")),
    "unrelated": ("电梯年检", "本月完成全区电梯年检"),
}
SCRIPT_EXPRESSIONS = ["投诉", "投訴", "预付卡 投诉", "(会员|预付卡) -广告", "健身房 -投诉", "电梯"]


def test_schemes_match_posts_in_either_script_and_elasticsearch_agrees_with_the_matcher(store, enricher):
    from analysis.rules import load_schemes, load_rules

    posts = [{"url": f"http://s.cn/{name}", "title": title, "content": content,
              "published_at": "2024-03-12T13:00:00+08:00"} for name, (title, content) in SCRIPT_POSTS.items()]
    store.index_posts(enricher.enrich(posts), refresh=True)
    shipped = list(load_schemes().values())
    criteria = [load_schemes("s.yaml", text=f"schemes:\n  - {{name: s, expression: '{e}'}}\n")["s"].criteria
                for e in SCRIPT_EXPRESSIONS] + [s.criteria for s in shipped] + list(load_rules().filters().values())
    for criterion in criteria:
        hits = store.search("posts", criterion.to_es(), size=50)["hits"]["hits"]
        assert sorted(h["_source"]["url"] for h in hits) == sorted(p["url"] for p in posts if criterion.matches(p)), \
            criterion
    matched = {e: sorted(p["url"].rsplit("/", 1)[1] for p in posts if c.matches(p))
               for e, c in zip(SCRIPT_EXPRESSIONS, criteria)}
    assert matched["投诉"] == matched["投訴"] == ["advert", "mixed", "simplified", "traditional"]
    assert matched["(会员|预付卡) -广告"] == ["mixed", "simplified", "traditional"]
    assert matched["健身房 -投诉"] == []
