"""`yuqing reanalyze` against the real node: new rules reach stored posts, only changed posts are written."""

from __future__ import annotations

import pytest

from analysis.categories import Categorizer
from analysis.enrich import TEXT_FIELDS, text_fields
from yuqing.cli import main
from yuqing.cli.reanalyze import reanalyze
from yuqing.store import post_id

POSTS = [
    {"url": "http://ra.example.cn/1", "source": "ra", "published_at": "2026-11-20T10:00:00+08:00",
     "title": "小区电梯困人半小时", "content": "物业称电梯维保公司已到场处置，三名被困人员安全。"},
    {"url": "http://ra.example.cn/2", "source": "ra", "published_at": "2026-11-02T10:00:00+08:00",
     "title": "健身房关门 预付卡无法退费", "content": "会员称办卡后不到一个月门店就关了，向12315投诉。"},
    {"url": "http://ra.example.cn/3", "source": "ra", "published_at": "2026-10-01T10:00:00+08:00",
     "title": "超市销售过期牛奶", "content": "市民反映某超市货架上有过期牛奶。"},
]


@pytest.fixture
def stale(store):
    """The posts as an older release stored them: no categories, no keywords, no segmentation."""
    items = [dict(p, categories=[], matched_keywords=[], keywords=[], title_seg="", content_seg="") for p in POSTS]
    report = store.index_docs("posts", [dict(p, id=post_id(p)) for p in items], refresh=True)
    assert not report.failed
    return items


def expected(post: dict) -> dict:
    return text_fields(post, Categorizer.from_file())


@pytest.mark.parametrize("workers", [1, 2])
def test_reanalyze_applies_the_current_rules_and_writes_only_changes(store, stale, workers):
    summary = reanalyze(store, workers=workers, batch_size=2)
    assert (summary.checked, summary.updated, summary.recategorized, summary.failed) == (3, 3, 3, [])
    for post in POSTS:
        stored = store.get("posts", post_id(post))
        want = expected(post)
        assert {k: stored.get(k) for k in want} == want
        assert stored["categories"] and stored["source"] == "ra" and stored["url"] == post["url"]
    again = reanalyze(store, workers=workers)
    assert (again.checked, again.updated) == (3, 0)  # nothing changed: nothing written


def test_since_limits_the_posts_and_the_cli_reports(store, stale, capsys):
    assert main(["reanalyze", "--since", "2026-11-01", "--workers", "1"]) == 0
    out = capsys.readouterr().out
    assert "已检查 2 篇，更新 2 篇（其中分类变化 2 篇）" in out
    assert store.get("posts", post_id(POSTS[2]))["categories"] == []  # before --since: untouched
    assert main(["reanalyze", "--since", "11月1日"]) == 1
    assert "--since 应为日期" in capsys.readouterr().err


def test_text_fields_are_what_the_enrichment_stores():
    from analysis.enrich import Enricher

    post = dict(POSTS[0])
    [enriched] = Enricher().enrich([dict(post)])
    assert {k: enriched.get(k) for k in TEXT_FIELDS if k in enriched} == expected(post)
