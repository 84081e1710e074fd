"""Multi-process scoring: same results, same order as one process, for every kind of text."""

from __future__ import annotations

import random

import pytest

from analysis.sentiment import get_model
from analysis.sentiment.batch import BatchScorer, score_texts
from analysis.sentiment.models import STOCK_MODEL

PIECES = [
    "投诉了三次都没人管，商家态度恶劣，太失望了", "小区噪音问题投诉后很快解决了，感谢执法人员", "点赞！！",
    "买到过期食品，打12315一直占线", "[怒][怒]气死了", "不满意", "没有人处理？？", "效率很高", "……",
    "预付卡健身房突然关门，老板跑路了", "http://t.cn/abc @市民小王: 谢谢", "ＡＢＣ全角", "hello world", "~~",
    "食堂供应午餐后学生出现呕吐、腹痛等症状", "回复及时，态度很好", "踢皮球，敷衍了事", "\n", "",
]


def varied_texts(n: int = 400) -> list[str]:
    rng = random.Random(4)
    texts = ["", " ", "\t\n", "好", "差", "。", "12315"]
    while len(texts) < n:
        texts.append("".join(rng.choice(PIECES) for _ in range(rng.randint(1, 12))))
    texts += texts[:25]  # exact duplicates (reposts) also come back right
    rng.shuffle(texts)
    return texts


@pytest.fixture(scope="module")
def texts() -> list[str]:
    return varied_texts()


@pytest.mark.parametrize("workers, chunk_size", [(2, 7), (3, 64), (1, 16)])
def test_pool_results_equal_one_process_in_order(texts, workers, chunk_size):
    expected = get_model().score_batch(texts)
    assert any(r.label == "neu" for r in expected) and {"pos", "neg"} <= {r.label for r in expected}
    assert score_texts(texts, workers=workers, chunk_size=chunk_size) == expected


def test_streams_any_iterable_and_keeps_the_model_name(texts):
    with BatchScorer("domain", workers=2, chunk_size=10) as scorer:
        results = list(scorer.imap(t for t in texts))
        again = scorer.score(texts[:50])  # the pool serves several calls; the cache changes nothing
    assert results == get_model("domain").score_batch(texts)
    assert again == results[:50]
    assert {r.model for r in results} == {"domain@4"}


def test_stock_model_in_the_pool(texts):
    sample = texts[:120]
    assert score_texts(sample, model="snownlp-stock", workers=2, chunk_size=30) == \
        get_model(STOCK_MODEL).score_batch(sample)


def test_non_text_names_its_index_in_the_whole_input():
    with pytest.raises(TypeError, match=r"texts\[12\] is int"):
        score_texts(["好"] * 12 + [5], workers=2, chunk_size=5)


def test_bad_arguments():
    with pytest.raises(ValueError):
        BatchScorer(workers=0)
    with pytest.raises(ValueError):
        BatchScorer(workers=1, chunk_size=0)


def test_empty_input():
    assert score_texts([], workers=2) == []
