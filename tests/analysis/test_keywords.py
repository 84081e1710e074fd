"""Top keywords per post: TF-IDF over our segmentation, with stop words and noise filtered."""

from __future__ import annotations

import pytest

from analysis.keywords import (
    idf_table,
    is_candidate,
    keyword_weights_from_tokens,
    stopwords,
    top_keywords,
)

TITLE = "东丽区一小区电梯困人两小时 物业称维保单位未及时赶到"
CONTENT = (
    "3月5日上午10时许，天津市东丽区某小区居民反映，小区3号楼电梯突然停运，两名老人被困轿厢内近两个小时。"
    "记者了解到，该电梯维保单位接到报警后迟迟未到场。东丽区市场监管局表示，已责令维保单位整改，并对电梯进行检验。"
)


def test_realistic_post_puts_the_story_words_on_top():
    words = top_keywords(TITLE, CONTENT, k=8)
    assert len(words) == 8
    assert {"东丽区", "维保单位", "电梯困人", "电梯"} <= set(words)
    assert words[0] == "东丽区"


def test_filtered_tokens_never_appear():
    words = top_keywords(TITLE, CONTENT, k=50)
    assert words, "expected keywords"
    for word in words:
        assert len(word) >= 2
        assert word not in stopwords()
        assert not any(ch.isdigit() for ch in word[:1])
    for noise in ("记者", "表示", "了解到", "上午", "3月", "10时", "，"):
        assert noise not in words


@pytest.mark.parametrize(
    ("token", "expected"),
    [
        ("电梯", True), ("iPhone", True), ("12315", False), ("2023年", False), ("15日", False),
        ("3.5%", False), ("的", False), ("记者", False), ("，。", False), ("  ", False), ("ab", True),
    ],
)
def test_is_candidate(token, expected):
    assert is_candidate(token) is expected


def test_weights_are_sorted_and_ties_break_by_word():
    pairs = keyword_weights_from_tokens(["食品", "药品", "食品", "药品"], k=5)
    assert [w for w, _ in pairs] == sorted([w for w, _ in pairs], key=lambda w: (-dict(pairs)[w], w))
    weights = [s for _, s in pairs]
    assert weights == sorted(weights, reverse=True)


def test_score_is_term_frequency_times_idf():
    table, _median = idf_table()
    pairs = dict(keyword_weights_from_tokens(["电梯"] * 3 + ["锅炉"], k=5))
    assert pairs["电梯"] == pytest.approx(0.75 * table["电梯"])
    assert pairs["锅炉"] == pytest.approx(0.25 * table["锅炉"])


def test_title_counts_more_than_content():
    with_title = top_keywords("锅炉爆炸", "电梯 电梯", k=2, title_weight=3)
    without = top_keywords("", "锅炉爆炸 电梯 电梯", k=1)
    assert with_title[0] in ("锅炉", "爆炸")
    assert without == ["电梯"]


def test_dictionary_words_outrank_segmentation_fragments():
    pairs = dict(keyword_weights_from_tokens(["电梯困人", "内近"], k=5))
    assert pairs["电梯困人"] > pairs["内近"]


def test_latin_words_are_lower_cased_and_merged():
    pairs = dict(keyword_weights_from_tokens(["iPhone", "IPHONE", "iphone"], k=5))
    assert list(pairs) == ["iphone"]


def test_empty_input():
    assert top_keywords("", "") == []
    assert top_keywords(None, None) == []
    assert keyword_weights_from_tokens(["的", "了", "2023"]) == []
