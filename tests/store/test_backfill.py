"""Sentiment backfill against the real node: scan, partial bulk updates, `yuqing rescore`."""

from __future__ import annotations

import random

import pytest

from analysis.enrich import sentiment_field
from analysis.sentiment import get_model
from yuqing.cli import main
from yuqing.cli.rescore import post_text, rescore
from yuqing.store import backfill, post_id

OLD = {"score": 0.123, "label": "neg", "model": "domain@2"}
PHRASES = ["投诉了三次都没人管，商家态度恶劣，太失望了", "小区噪音问题投诉后很快解决了，感谢执法人员", "点赞！！",
           "买到过期食品，打12315一直占线，根本没人处理", "[怒]预付卡健身房突然关门", "回复及时，态度很好", "踢皮球"]


def make_posts(n: int = 36) -> list[dict]:
    rng = random.Random(7)
    posts = []
    for i in range(n):
        post = {"url": f"http://bf.example.cn/{i}", "source": "bf", "categories": ["食品安全"],
                "title": rng.choice(PHRASES), "content": "".join(rng.choice(PHRASES) for _ in range(rng.randint(1, 6)))}
        if i % 9 == 0:
            post.pop("title")  # content only
        elif i % 9 == 1:
            post["content"] = ""  # title only
        if i != 5:  # post 5 was never scored at all
            post["sentiment"] = dict(OLD)
        posts.append(post)
    return posts


@pytest.fixture
def posts(store):
    items = make_posts()
    report = store.index_posts(items, refresh=True)
    assert not report.failed
    return {post_id(p): p for p in items}


def assert_rescored(store, posts, model=None):
    scorer = get_model(model)
    for doc_id, post in posts.items():
        stored = store.get("posts", doc_id)
        assert stored["sentiment"] == sentiment_field(scorer.score(post_text(post))), doc_id
        assert stored["sentiment"]["model"] == scorer.name
        assert stored["categories"] == ["食品安全"] and stored["source"] == "bf"  # the rest is untouched


def test_scan_yields_text_and_current_model(store, posts):
    scanned = {p["id"]: p for p in backfill.scan_posts(store, size=10)}
    assert set(scanned) == set(posts)
    for doc_id, post in posts.items():
        got = scanned[doc_id]
        assert (got["title"], got["content"]) == (post.get("title"), post.get("content"))
        assert got["model"] == ("domain@2" if "sentiment" in post else None)
        assert got["index"].endswith("-posts-v1")
    never = [doc_id for doc_id, p in posts.items() if "sentiment" not in p]
    assert backfill.count_posts(store, "domain@2") == 1
    assert [p["id"] for p in backfill.scan_posts(store, "domain@2")] == never


def test_update_is_partial_and_reports_missing_posts(store, posts):
    doc_id = next(iter(posts))
    new = {"score": 0.9, "label": "pos", "model": "domain@4"}
    seen = []
    report = backfill.update_sentiment(store, [(doc_id, new), ("no-such-post", new)], on_item=seen.append)
    assert report.updated == 1 and seen == [True, False]
    assert [d for d, _ in report.failed] == ["no-such-post"] and "missing" in report.failed[0][1]
    stored = store.get("posts", doc_id)
    assert stored["sentiment"] == new and stored["content"] == posts[doc_id]["content"]
    assert store.get("posts", "no-such-post") is None  # an update never creates a post


def test_rescore_scores_every_post_like_the_pipeline(store, posts):
    store.index_posts([{"url": "http://bf.example.cn/empty", "source": "bf", "sentiment": dict(OLD)}], refresh=True)
    calls = []
    summary = rescore(store, workers=2, batch_size=8, progress=lambda *a: calls.append(a))
    assert summary.model == "domain@4" and summary.total == len(posts) + 1
    assert summary.scored == len(posts) and summary.skipped == 0
    assert len(summary.failed) == 1 and "没有可评分的文本" in summary.failed[0][1]  # counted, the rest goes on
    assert_rescored(store, posts)
    assert calls and calls[-1][:2] == (len(posts) + 1, len(posts) + 1)

    again = rescore(store, only_stale=True, workers=2)
    assert (again.scored, again.skipped, len(again.failed)) == (0, len(posts), 1)  # only the bad row is stale


def test_rescore_with_another_model_then_back(store, posts):
    assert rescore(store, "snownlp-stock", workers=1).scored == len(posts)
    assert_rescored(store, posts, "snownlp-stock")
    assert rescore(store, "domain", only_stale=True, workers=2, batch_size=5).scored == len(posts)
    assert_rescored(store, posts)


def test_cli_rescore_then_only_stale_scores_nothing(store, posts, capsys):
    assert main(["rescore", "--workers", "2", "--batch-size", "10"]) == 0
    captured = capsys.readouterr()
    assert f"已评分 {len(posts)} 篇，跳过 0 篇，失败 0 篇" in captured.out and "篇/秒" in captured.out
    assert f"已完成 {len(posts)}/{len(posts)}" in captured.err
    assert_rescored(store, posts)

    assert main(["rescore", "--only-stale", "--workers", "2"]) == 0
    assert f"已评分 0 篇，跳过 {len(posts)} 篇，失败 0 篇" in capsys.readouterr().out


def test_cli_exits_non_zero_on_a_bad_row_and_unknown_model(store, posts, capsys):
    store.index_posts([{"url": "http://bf.example.cn/empty", "source": "bf"}], refresh=True)
    assert main(["rescore", "--workers", "1"]) == 1
    out = capsys.readouterr().out
    assert f"已评分 {len(posts)} 篇" in out and "失败 1 篇" in out and "没有可评分的文本" in out
    assert main(["rescore", "--model", "bert"]) == 1
    assert "未知的情感模型" in capsys.readouterr().err
