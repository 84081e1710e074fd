"""analysis.jiebafast gives exactly jieba's precise-mode words, with and without the project dictionary."""

from __future__ import annotations

import random

import jieba
import pytest
from jieba import finalseg

from analysis import jiebafast
from analysis.jiebafast import _jiebafast
from analysis.segment import plain_tokenizer, tokenizer
from tests.analysis.test_snowfast import COMMON, generated_texts, long_texts, shared_texts

# Project-domain sentences with words the project dictionary and the gazetteer add, written here.
DOMAIN = [
    "红桥区某小学食堂午餐后多名学生呕吐，市场监管局已封存留样食品",
    "预付式消费：健身房闭店跑路，会员卡余额无法退还，12315已受理投诉",
    "电梯困人事故：滨海新区某小区电梯突然停运，维保单位称维保记录齐全",
    "超市价签与结算价不一致，涉嫌价格欺诈；计量器具检定不合格",
    "直播带货虚假宣传“三无”化妆品，网络交易平台下架",
]


def _unknown_runs(seed: int = 20261207) -> list[str]:
    """Runs of characters no dictionary word covers (the HMM decodes them), mixed with Latin and digits."""
    rng = random.Random(seed)
    rare = [chr(c) for c in range(0x9F00, 0x9FA5)]
    texts = []
    for _ in range(300):
        pieces = [rng.choice(rare) * rng.randint(1, 2) for _ in range(rng.randint(2, 12))]
        pieces.insert(rng.randrange(len(pieces)), rng.choice(["abc", "3.14", "12.5%", "x2", "", "", ""]))
        texts.append("".join(pieces))
    return texts


def corpus() -> list[str]:
    texts = generated_texts() + long_texts() + shared_texts(limit_per_set=400) + _unknown_runs() + DOMAIN
    texts += ["", " ", "\r\n", "a\r\nb", "3.14%", "iPhone15 Pro", "#话题#", "C++和C#", "e-mail"]
    return texts


def _mismatches(tok, texts):
    return [t for t in texts if jiebafast.lcut(tok, t) != tok.lcut(t)]


@pytest.mark.parametrize("which", ["plain", "project"])
def test_words_are_jiebas_on_varied_texts(which):
    tok = plain_tokenizer() if which == "plain" else tokenizer()
    texts = corpus()
    assert len(texts) >= 5000
    assert _mismatches(tok, texts) == []


def test_project_dictionary_words_stay_whole():
    words = jiebafast.lcut(tokenizer(), "红桥区预付式消费投诉")
    assert words == tokenizer().lcut("红桥区预付式消费投诉")
    assert "红桥区" in words


def test_words_added_later_are_seen_at_once():
    tok = jieba.Tokenizer()
    tok.FREQ, tok.total, tok.initialized = dict(plain_tokenizer().FREQ), plain_tokenizer().total, True
    text = "鼗鼙鼛鼜今天到货"
    before = jiebafast.lcut(tok, text)
    tok.add_word("鼗鼙鼛鼜", 1000)
    after = jiebafast.lcut(tok, text)
    assert after == tok.lcut(text) and after[0] == "鼗鼙鼛鼜" and before != after


def test_forced_splits_are_honoured():
    tok = jieba.Tokenizer()
    tok.FREQ, tok.total, tok.initialized = dict(plain_tokenizer().FREQ), plain_tokenizer().total, True
    text = "".join(COMMON[i] for i in range(0, 40, 3))
    word = next((w for w in tok.lcut(text) if len(w) > 1 and not tok.FREQ.get(w)), None)
    assert word, "the text must contain a word only the HMM finds"
    finalseg.Force_Split_Words.add(word)
    try:
        assert jiebafast.lcut(tok, text) == tok.lcut(text)
        assert word not in jiebafast.lcut(tok, text)
    finally:
        finalseg.Force_Split_Words.discard(word)


def test_bad_arguments_raise_instead_of_guessing():
    jiebafast.lcut(plain_tokenizer(), "好")  # the HMM tables are loaded
    with pytest.raises(TypeError):
        _jiebafast.cut_block(b"bytes", {}, 1.0, [])
    with pytest.raises(TypeError):
        _jiebafast.cut_block("ab", {}, 1.0, ())
    with pytest.raises(ValueError, match="positive"):
        _jiebafast.cut_block("ab", {"a": -3}, 1.0, [])
    with pytest.raises(ValueError, match="4 values"):
        _jiebafast.set_hmm((0.0,) * 3, (0.0,) * 16, ({},) * 4, set())
    with pytest.raises(TypeError, match="4 dicts"):
        _jiebafast.set_hmm((0.0,) * 4, (0.0,) * 16, ([],) * 4, set())
    out: list[str] = []
    _jiebafast.cut_block("", {}, 1.0, out)
    assert out == []
