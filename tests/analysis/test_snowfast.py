"""analysis.snowfast must give exactly the floats stock SnowNLP gives (compared with ==)."""

from __future__ import annotations

import csv
import json
import math
import random
from pathlib import Path

import pytest

from analysis import snowfast

PROJECT_ROOT = Path(__file__).resolve().parents[2]
SENTIMENT_DATA = PROJECT_ROOT.parent / "shared" / "data" / "sentiment"

# Hand-written material for the generator (not taken from any data set).
COMMON = (
    "的一是在不了有和人这中大为上个国我以要他时来用们生到作地于出就分对成会可主发年动同工也能下过子说"
    "产种面而方后多定行学法所民得经十三之进着等部度家电力里如水化高自二理起小物现实加量都两体制机当使"
    "点从业本去把性好应开它合还因由其些然前外天政四日那社义事平形相全表间样与关各重新线内数正心反你明"
    "看原又么利比或但质气第向道命此变条只没结解问意建月公无系军很情者最立代想已通并提直题党程展五果料"
    "象员革位入常文总次品式活设及管特件长求老头基资边流路级少图山统接知较将组见计别她手角期根论运农指"
    "服务态度差评价商家快递食品安全投诉举报市场监管局价格欺诈退款客服垃圾满意推荐喜欢失望愤怒感谢支持"
)
TRADITIONAL = "們個這說頭體麼會來對發時後國過還開關經點實現應該與為問題電話買賣產品質價"
ASTRAL = [chr(c) for c in (0x20000, 0x20001, 0x2A6D6, 0x2B740, 0x2F800, 0x30000)]
EMOJI = [chr(c) for c in (0x1F600, 0x1F621, 0x1F44D, 0x1F4A9, 0x2764, 0xFE0F, 0x200D, 0x1F1E8)]
EDGE_CJK = [chr(c) for c in (0x4DFF, 0x4E00, 0x4E01, 0x9FA4, 0x9FA5, 0x9FA6, 0x9FFF, 0x3400, 0xF900)]
PUNCT = list("，。！？、；：“”‘’《》（）【】…—～·,.!?;:'\"()[]{}<>/\\|@#$%^&*-_=+`~")
SPACE = [" ", "\t", "\n", "\r", "\u3000", "\xa0", "\u2028", "\x0b", "\x0c", "\x1c", "\u2003", "\ufeff"]
LATIN = ["a", "Z", "ok", "good", "bad", "iPhone", "APP", "WiFi", "x", "story", "Q"]
DIGITS = ["0", "1", "12", "2024", "3.5", "１２", "٣", "①"]
WORDS = ["质量", "很好", "不好", "太差", "喜欢", "失望", "满意", "垃圾", "投诉", "退款", "客服", "价格",
         "发货", "物流", "服务", "态度", "推荐", "好评", "差评", "东西", "不错", "一般", "还行", "恶心"]


def _piece(rng: random.Random) -> str:
    r = rng.random()
    if r < 0.35:
        return "".join(rng.choice(COMMON) for _ in range(rng.randint(1, 6)))
    if r < 0.50:
        return rng.choice(WORDS)
    if r < 0.55:
        return chr(rng.randint(0x4E00, 0x9FA5))
    if r < 0.60:
        return rng.choice(TRADITIONAL)
    if r < 0.63:
        return rng.choice(ASTRAL)
    if r < 0.67:
        return rng.choice(EMOJI)
    if r < 0.70:
        return rng.choice(EDGE_CJK)
    if r < 0.80:
        return rng.choice(PUNCT)
    if r < 0.88:
        return rng.choice(SPACE) * rng.randint(1, 2)
    if r < 0.94:
        return rng.choice(LATIN)
    if r < 0.99:
        return rng.choice(DIGITS)
    return chr(rng.randint(0xD800, 0xDFFF))  # lone surrogate: legal in a Python str


def generated_texts(seed: int = 20240611) -> list[str]:
    """Varied texts: many short, some medium, a few long; every kind of character."""
    rng = random.Random(seed)
    texts: list[str] = []
    for _ in range(4300):  # short: 1-6 pieces
        texts.append("".join(_piece(rng) for _ in range(rng.randint(1, 6))))
    for _ in range(120):  # medium
        texts.append("".join(_piece(rng) for _ in range(rng.randint(20, 60))))
    for _ in range(3):  # long
        texts.append("".join(_piece(rng) for _ in range(rng.randint(300, 500))))
    texts += ["".join(rng.choice(PUNCT) for _ in range(rng.randint(1, 20))) for _ in range(100)]
    texts += ["".join(rng.choice(SPACE) for _ in range(rng.randint(1, 5))) for _ in range(40)]
    texts += [
        "好" * 300,
        "差" * 200 + "！",
        "".join(rng.choice(COMMON) for _ in range(800)),  # one long CJK run
        "".join(chr(rng.randint(0x4E00, 0x9FA5)) for _ in range(400)),  # mostly unknown chars
        "a" * 500,
        "😀" * 100,
        "𠀀" * 100,
        "\u3000".join(WORDS),
    ]
    # every common character alone, in pairs and in threes (start/BOS handling)
    texts += list(COMMON[:300])
    texts += [COMMON[i : i + 2] for i in range(0, 200, 2)]
    texts += [COMMON[i : i + 3] for i in range(0, 300, 3)]
    return [t for t in texts if t]


def long_texts(seed: int = 20261206) -> list[str]:
    """Article-length texts, 2,000 to 10,000 characters: mixed pieces, and very long unbroken CJK runs."""
    rng = random.Random(seed)
    texts = []
    for target in (2000, 2500, 3000, 4000, 5000, 6000, 8000, 10000) * 2:
        parts: list[str] = []
        while sum(map(len, parts)) < target:
            parts.append(_piece(rng))
        texts.append("".join(parts)[:target])
    texts += ["".join(rng.choice(COMMON) for _ in range(n)) for n in (2000, 3500, 5000, 10000)]
    return texts


def shared_texts(limit_per_set: int = 100) -> list[str]:
    """Lines from ../shared/data/sentiment when present (read in place, never copied)."""
    texts: list[str] = []
    weibo = SENTIMENT_DATA / "weibo2018" / "test.txt"
    if weibo.exists():
        with weibo.open(encoding="utf-8") as f:
            for row in list(csv.reader(f))[:limit_per_set]:
                if len(row) >= 3:
                    texts.append(",".join(row[2:]))
    waimai = SENTIMENT_DATA / "waimai_10k" / "waimai_10k.csv"
    if waimai.exists():
        with waimai.open(encoding="utf-8") as f:
            rows = list(csv.reader(f))[1:]
            texts += [r[1] for r in rows[:: max(1, len(rows) // limit_per_set)] if len(r) > 1]
    virus = SENTIMENT_DATA / "smp2020_virus" / "virus_eval_labeled.txt"
    if virus.exists():
        items = json.loads(virus.read_text(encoding="utf-8"))
        texts += [it["content"] for it in items[:limit_per_set] if it.get("content")]
    return [t for t in texts if t]


@pytest.fixture(scope="module")
def snownlp():
    return pytest.importorskip("snownlp", reason="stock snownlp not installed")


def _mismatches(texts, ours, theirs):
    return [(t[:60], a, b) for t, a, b in zip(texts, ours, theirs) if not (a == b)]


def test_article_length_texts_match_stock_exactly(snownlp):
    texts = long_texts()
    assert len(texts) == 20 and min(map(len, texts)) >= 2000 and max(map(len, texts)) >= 10000
    stock = [snownlp.SnowNLP(t).sentiments for t in texts]
    assert _mismatches(texts, snowfast.stock_sentiments(texts), stock) == []


def test_generated_texts_match_stock_exactly(snownlp):
    texts = generated_texts()
    assert len(texts) >= 5000
    stock = [snownlp.SnowNLP(t).sentiments for t in texts]
    ours = snowfast.stock_sentiments(texts)
    assert _mismatches(texts, ours, stock) == []
    # the corpus really exercises the model: many distinct scores on both sides of 0.5
    assert len(set(stock)) > 1000
    assert min(stock) < 0.1 and max(stock) > 0.9


def test_shared_data_lines_match_stock_exactly(snownlp):
    texts = shared_texts()
    if not texts:
        pytest.skip("../shared/data/sentiment not present")
    stock = [snownlp.SnowNLP(t).sentiments for t in texts]
    assert _mismatches(texts, snowfast.stock_sentiments(texts), stock) == []
    assert _mismatches(texts, [snowfast.stock_sentiment(t) for t in texts], stock) == []


def test_segmentation_and_tokens_match_stock(snownlp):
    from snownlp import seg
    from snownlp.sentiment import classifier

    texts = generated_texts(seed=7)[:800] + shared_texts(limit_per_set=20)
    assert [snowfast.segment(t) for t in texts] == [seg.seg(t) for t in texts]
    assert [snowfast.handle(t) for t in texts[:300]] == [classifier.handle(t) for t in texts[:300]]


def test_single_batch_and_parallel_agree():
    texts = generated_texts(seed=3)[:3000]
    single = [snowfast.stock_sentiment(t) for t in texts]
    assert snowfast.stock_sentiments(texts) == single
    assert snowfast.score_many(texts, processes=2) == single
    assert snowfast.score_many(iter(texts), processes=3) == single
    assert snowfast.score_many(texts[:5], processes=1) == single[:5]


def test_whitespace_scores_the_prior_like_stock(snownlp):
    for t in [" ", "\n\t ", "\u3000", "\r\n"]:
        assert snowfast.stock_sentiment(t) == snownlp.SnowNLP(t).sentiments == 0.5262327818078083


def test_empty_text_raises_value_error(snownlp):
    with pytest.raises(ZeroDivisionError):
        snownlp.SnowNLP("").sentiments  # what stock does
    with pytest.raises(ValueError, match="为空"):
        snowfast.stock_sentiment("")
    with pytest.raises(ValueError, match="第 2 条"):
        snowfast.stock_sentiments(["好", "差", ""])
    with pytest.raises(ValueError, match="第 1 条"):
        snowfast.score_many(["好", ""] * 100, processes=2)


def test_non_str_raises_type_error():
    with pytest.raises(TypeError):
        snowfast.stock_sentiment(b"bytes")  # type: ignore[arg-type]
    with pytest.raises(TypeError, match="第 1 条"):
        snowfast.score_many(["好", None])  # type: ignore[list-item]


# ---------------------------------------------------------------- BayesModel


def _train_bayes(snownlp, rng: random.Random, classes: list[str], vocab: list[str], docs: int):
    from snownlp.classification.bayes import Bayes

    b = Bayes()
    data = []
    for _ in range(docs):
        c = rng.choice(classes)
        skew = classes.index(c) * 7
        data.append([[vocab[(rng.randrange(len(vocab)) + skew) % len(vocab)] for _ in range(rng.randint(1, 12))], c])
    b.train(data)
    return b


def _token_lists(rng: random.Random, vocab: list[str], n: int) -> list[list[str]]:
    unseen = ["从未见过", "zzz", "😀", "\ud800"]
    return [[rng.choice(vocab + unseen) for _ in range(rng.randint(0, 400))] for _ in range(n)]


def test_bayes_model_file_matches_snownlp_bayes(snownlp, tmp_path):
    rng = random.Random(11)
    vocab = [w for w in WORDS] + list(COMMON[:80]) + ["abc", "𠀀", "質量", "ok!"]
    b = _train_bayes(snownlp, rng, ["neg", "pos"], vocab, 600)
    b.save(str(tmp_path / "domain.marshal"))  # writes domain.marshal.3 (gzip)
    model = snowfast.BayesModel.from_snownlp_file(tmp_path / "domain.marshal")
    same = snowfast.BayesModel.from_snownlp_file(tmp_path / "domain.marshal.3")
    assert model.classes == same.classes == tuple(b.d)
    for tokens in _token_lists(rng, vocab, 400):
        ret, prob = b.classify(tokens)
        assert model.classify_label(tokens) == (ret, prob)
        assert model.classify(tokens) == (prob if ret == "pos" else 1 - prob)


def test_bayes_three_classes_plain_marshal_and_overflow(snownlp, tmp_path):
    rng = random.Random(5)
    vocab = list(COMMON[:120])
    b = _train_bayes(snownlp, rng, ["angry", "happy", "sad"], vocab, 300)
    b.save(str(tmp_path / "emo"), iszip=False)
    model = snowfast.BayesModel.from_snownlp_file(tmp_path / "emo")
    # 3,000-token lists push exp() past overflow for the losing classes
    for tokens in _token_lists(rng, vocab, 100) + [[vocab[0]] * 3000, [vocab[1]] * 3000 + [vocab[2]] * 5]:
        assert model.classify_label(tokens) == b.classify(tokens)


def test_stock_bayes_over_token_lists(snownlp):
    from snownlp.sentiment import classifier

    model = snowfast.BayesModel.from_snownlp_file(snowfast.snownlp_dir() / "sentiment" / "sentiment.marshal")
    rng = random.Random(9)
    vocab = WORDS + list(COMMON[:200]) + ["，", "！", "abc"]
    for tokens in _token_lists(rng, vocab, 300):
        ret, prob = classifier.classifier.classify(tokens)
        assert model.classify_label(tokens) == (ret, prob)
        assert model.classify(tokens) == (prob if ret == "pos" else 1 - prob)


def test_bad_model_files_raise_clear_errors(tmp_path):
    with pytest.raises(FileNotFoundError, match="missing"):
        snowfast.BayesModel.from_snownlp_file(tmp_path / "missing")
    junk = tmp_path / "junk.3"
    junk.write_bytes(b"\x00\x01not marshal")
    with pytest.raises(ValueError, match="junk.3"):
        snowfast.BayesModel.from_snownlp_file(junk)
    import marshal

    wrong = tmp_path / "wrong.3"
    wrong.write_bytes(marshal.dumps({"d": {"pos": {"d": {}}}, "total": 1.0}))
    with pytest.raises(ValueError, match="'pos'"):
        snowfast.BayesModel.from_snownlp_file(wrong)


def test_bad_segmentation_model_bytes_raise():
    import marshal

    from analysis.snowfast import _snowfast

    with pytest.raises(ValueError, match="truncated"):
        _snowfast.SegModel(marshal.dumps({"l1": 0.5, "uni": {"d": {("好", "s"): 3}}})[:-3])
    with pytest.raises(ValueError, match="lacks"):
        _snowfast.SegModel(marshal.dumps({"l1": 0.5}))


def test_log_domain_error_like_python():
    from analysis.snowfast import _snowfast

    # a class with none=0 gives log(0) for an unseen word: Python's math.log raises ValueError
    b = _snowfast.Bayes(("neg", "pos"), [2.0, 2.0], [0, 1], 4.0, [{"a": 2}, {"a": 1}])
    assert math.isfinite(b.classify(["a"]))
    with pytest.raises(ValueError, match="math domain error"):
        b.classify(["unseen"])


def test_models_cannot_be_reinitialised_or_used_uninitialised():
    from analysis.snowfast import _snowfast

    seg, stop, bayes = snowfast.load_stock()
    with pytest.raises(RuntimeError):
        stop.__init__(["x"])  # another thread may be reading it
    with pytest.raises(RuntimeError):
        seg.__init__(b"")
    with pytest.raises(ValueError, match="not initialised"):
        _snowfast.score(_snowfast.SegModel.__new__(_snowfast.SegModel), stop, bayes._bayes, "好")
    with pytest.raises(ValueError, match="not initialised"):
        _snowfast.Bayes.__new__(_snowfast.Bayes).classify(["好"])
    assert snowfast.stock_sentiment("好") == 0.6558628208940429
