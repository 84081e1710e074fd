"""Segmentation: the project dictionary and the gazetteer's place names."""

from __future__ import annotations


def test_district_names_are_one_word():
    from analysis.segment import tokens

    assert tokens("静海区市场监管局通报") == ["静海区", "市场监管局", "通报"]
    assert tokens("蓟州区一家超市")[0] == "蓟州区"


def test_segment_normalises_like_the_keyword_expressions_and_keeps_every_piece():
    from analysis.segment import segment

    seg = segment("ＡＢＣ 超市 食品\n安全")
    assert seg.text == "abc 超市食品安全"  # NFKC, lower case, a line broken mid-word joined again
    assert "".join(seg.pieces) == seg.text
    assert "食品安全" in seg.words and " " not in seg.words
    assert segment(None).pieces == () and segment("").words == []


def test_aligned_spans_are_whole_words_or_inside_one_word():
    from analysis.segment import segment

    seg = segment("他们和服务员吵了起来")
    assert seg.pieces[:3] == ("他们", "和", "服务员")
    at = seg.text.index
    assert not seg.aligned(at("和服"), at("和服") + 2)  # straddles 和/服务员
    assert seg.aligned(at("服务"), at("服务") + 2)  # inside 服务员
    assert seg.aligned(at("和服务员"), at("和服务员") + 4)  # two whole words
    assert not seg.aligned(3, 3)


def test_index_and_query_tokens_are_normalised_alike():
    from analysis.segment import index_text, query_tokens

    assert "市场监管局" in index_text("区市场监\n管局通报").split()  # a line broken mid-word
    assert query_tokens("ＡＢＣ 食品 安全") == ["abc", "食品", "安全"]  # a space separates words


def test_project_words_never_reach_the_plain_tokenizer_the_sentiment_model_uses():
    from analysis.segment import plain_tokenizer, tokenizer, tokens

    assert tokens("静海区市场监管局通报")[0] == "静海区"  # the project tokenizer has the place name
    assert plain_tokenizer().FREQ.get("静海区", 0) == 0  # built from a copy: jieba's own words only
    assert plain_tokenizer().lcut("静海区")[0] != "静海区"
    assert tokenizer().FREQ is not plain_tokenizer().FREQ
