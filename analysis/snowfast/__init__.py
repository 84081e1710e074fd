"""SnowNLP sentiment at compiled speed, bit-identical to ``SnowNLP(text).sentiments``.

The C extension ``_snowfast`` re-implements SnowNLP 0.12.3's sentiment pipeline
(``snownlp.sentiment.Sentiment.classify``): split the text into runs of CJK characters
U+4E00..U+9FA5 and whitespace-separated other tokens, decode each CJK run with the
character-based generative model (``seg/y09_2047.py``), drop stop words
(``normal/stopwords.txt``), then score with the naive Bayes model (``classification/bayes.py``)
in the same floating-point operation order, so every result is the same float.

The model data is read from snownlp's own files (the Python 3 ``*.marshal.3`` variants),
located with ``importlib.util.find_spec``; ``snownlp`` itself is never imported.

Edge cases, as in stock SnowNLP:

* ``""`` -- stock ``SnowNLP("")`` raises ``ZeroDivisionError`` (in its BM25 set-up);
  here ``ValueError``.
* whitespace-only text (``" "``, ``"\\n\\t"``, ``"\\u3000"``) does *not* raise in stock
  SnowNLP: it has no tokens and scores the class prior, 0.5262327818078083. So does this.
* text with no known token (``"abc"``, ``"😀"``) scores 0.5 in both.
"""

from __future__ import annotations

import codecs
import gzip
import importlib.util
import marshal
import os
import threading
from collections.abc import Iterable, Sequence
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

from . import _snowfast

__all__ = [
    "BayesModel",
    "handle",
    "load_stock",
    "score_many",
    "segment",
    "snownlp_dir",
    "stock_sentiment",
    "stock_sentiments",
]

_LOCK = threading.Lock()
_STOCK: tuple[_snowfast.SegModel, _snowfast.TokenSet, BayesModel] | None = None


def snownlp_dir() -> Path:
    """Directory of the installed snownlp package (found without importing it)."""
    spec = importlib.util.find_spec("snownlp")
    if spec is None or spec.origin is None:
        raise RuntimeError("未安装 snownlp：找不到 SnowNLP 的模型文件")
    return Path(spec.origin).parent


def _read_marshal(path: Path) -> bytes:
    """Raw marshal bytes of a snownlp model file: gzip first, plain as the fallback (as snownlp)."""
    data = path.read_bytes()
    try:
        return gzip.decompress(data)
    except gzip.BadGzipFile:
        return data


def _stop_words(path: Path) -> set[str]:
    """``snownlp.normal.stop``: lines of stopwords.txt read with codecs, stripped."""
    words: set[str] = set()
    with codecs.open(str(path), "r", "utf-8") as fr:
        for word in fr:
            words.add(word.strip())
    return words


class BayesModel:
    """A naive Bayes model in SnowNLP's ``Bayes`` format, scored exactly like ``Bayes.classify``.

    The format is what ``snownlp.classification.bayes.Bayes.save`` writes:
    ``{"total": N, "d": {class: {"d": {token: count}, "total": n, "none": 1}}}``
    (marshal, usually gzip-compressed, file name ending in ``.3`` under Python 3).
    """

    def __init__(self, data: dict, source: str = "<data>") -> None:
        self.source = source
        if not isinstance(data, dict) or "d" not in data or "total" not in data:
            raise ValueError(f"{source}：不是 SnowNLP Bayes 模型（缺少 'd' 或 'total'）")
        classes = data["d"]
        if not isinstance(classes, dict):
            raise ValueError(f"{source}：'d' 应为字典，实际为 {type(classes).__name__}")
        names, totals, nones, tables = [], [], [], []
        for name, prob in classes.items():
            if not isinstance(prob, dict) or not {"d", "total", "none"} <= prob.keys():
                raise ValueError(f"{source}：类别 {name!r} 缺少 'd'、'total' 或 'none'")
            if not isinstance(prob["d"], dict):
                raise ValueError(f"{source}：类别 {name!r} 的 'd' 应为字典")
            names.append(name)
            totals.append(prob["total"])
            nones.append(prob["none"])
            tables.append(prob["d"])
        self._bayes = _snowfast.Bayes(tuple(names), totals, nones, data["total"], tables)

    @classmethod
    def from_snownlp_file(cls, path: str | os.PathLike[str]) -> BayesModel:
        """Load a file written by SnowNLP's ``Bayes.save(fname)``.

        ``path`` is the name given to ``save``/``load`` -- like SnowNLP under Python 3,
        ``path + ".3"`` is read when it exists (next to it may lie the Python 2 file of
        the same name, as in snownlp's own ``sentiment.marshal``) -- or the file itself.
        Gzip-compressed and plain marshal are both accepted.
        """
        p = Path(path)
        if Path(str(p) + ".3").exists():
            p = Path(str(p) + ".3")
        if not p.exists():
            raise FileNotFoundError(f"找不到 Bayes 模型文件：{path}")
        try:
            data = marshal.loads(_read_marshal(p))
        except (ValueError, EOFError, TypeError) as exc:
            raise ValueError(f"{p}：无法读取 marshal 数据（{exc}）") from exc
        return cls(data, source=str(p))

    @property
    def classes(self) -> tuple:
        """Class names in the model's order (the order ties are resolved in)."""
        return self._bayes.names

    def classify_label(self, tokens: Sequence[str]) -> tuple[str | None, float]:
        """``Bayes.classify(tokens)``: the winning class and its probability."""
        return self._bayes.classify_label(tokens)

    def classify(self, tokens: Sequence[str]) -> float:
        """Probability of ``"pos"`` as ``Sentiment.classify`` reports it.

        The winning class's probability if that class is ``"pos"``, else ``1 - probability``
        (for a two-class pos/neg model this is P(pos)).
        """
        return self._bayes.classify(tokens)


def _load_stock() -> tuple[_snowfast.SegModel, _snowfast.TokenSet, BayesModel]:
    base = snownlp_dir()
    seg = _snowfast.SegModel(_read_marshal(base / "seg" / "seg.marshal.3"))
    stop = _snowfast.TokenSet(_stop_words(base / "normal" / "stopwords.txt"))
    bayes = BayesModel.from_snownlp_file(base / "sentiment" / "sentiment.marshal.3")
    return seg, stop, bayes


def load_stock() -> tuple[_snowfast.SegModel, _snowfast.TokenSet, BayesModel]:
    """Load (once, thread-safely) SnowNLP's segmentation, stop-word and sentiment models."""
    global _STOCK
    if _STOCK is None:
        with _LOCK:
            if _STOCK is None:
                _STOCK = _load_stock()
    return _STOCK


def stock_sentiment(text: str) -> float:
    """``SnowNLP(text).sentiments``, bit for bit. Raises ``ValueError`` for ``""``."""
    seg, stop, bayes = load_stock()
    return _snowfast.score(seg, stop, bayes._bayes, text)


def stock_sentiments(texts: Sequence[str]) -> list[float]:
    """``[SnowNLP(t).sentiments for t in texts]`` on one core (the GIL is released)."""
    seg, stop, bayes = load_stock()
    return _snowfast.score_list(seg, stop, bayes._bayes, list(texts))


def segment(text: str) -> list[str]:
    """``snownlp.seg.seg(text)``: SnowNLP's word segmentation."""
    return load_stock()[0].segment(text)


def handle(text: str) -> list[str]:
    """``Sentiment.handle(text)``: the tokens SnowNLP's sentiment model scores."""
    seg, stop, _ = load_stock()
    return [w for w in seg.segment(text) if w not in stop]


def _check_texts(texts: list) -> None:
    for i, t in enumerate(texts):
        if not isinstance(t, str):
            raise TypeError(f"第 {i} 条文本不是 str，而是 {type(t).__name__}")
        if not t:
            raise ValueError(f"第 {i} 条文本为空：SnowNLP 无法为空字符串打分（原版抛出 ZeroDivisionError）")


def score_many(texts: Iterable[str], processes: int | None = None) -> list[float]:
    """Score many texts on several cores; same results and order as ``stock_sentiments``.

    ``processes`` is the number of cores to use (default: all). The work runs in threads
    that hold no GIL, so the model is loaded once and shared, nothing is pickled and it
    works the same on every platform. Every text is checked before any scoring starts:
    an empty or non-str item raises naming its index.
    """
    items = texts if isinstance(texts, list) else list(texts)
    _check_texts(items)
    workers = processes if processes is not None else (os.cpu_count() or 1)
    if workers < 1:
        raise ValueError(f"processes 必须 ≥ 1，实际为 {workers}")
    seg, stop, bayes = load_stock()
    if workers == 1 or len(items) < 64:
        return _snowfast.score_list(seg, stop, bayes._bayes, items)
    # several chunks per worker keeps the cores busy when text lengths vary
    size = max(16, -(-len(items) // (workers * 8)))
    chunks = [items[i : i + size] for i in range(0, len(items), size)]
    with ThreadPoolExecutor(max_workers=workers) as pool:
        parts = pool.map(lambda c: _snowfast.score_list(seg, stop, bayes._bayes, c), chunks)
        return [v for part in parts for v in part]
