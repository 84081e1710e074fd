"""The sentiment models behind ``get_model``: the domain model and stock SnowNLP.

Both score with SnowNLP's naive Bayes; when ``analysis.snowfast`` (the compiled, bit-identical
scorer) is importable it does the work, otherwise snownlp itself does.
"""

from __future__ import annotations

import gzip
import logging
import marshal
import threading
from dataclasses import dataclass
from functools import lru_cache
from importlib import metadata, resources
from typing import Literal, Protocol, Sequence

from analysis.sentiment.features import features

LOGGER = logging.getLogger(__name__)

Label = Literal["pos", "neg", "neu"]
NEUTRAL: Label = "neu"
NEUTRAL_SCORE = 0.5

DOMAIN_VERSION = 4
DOMAIN_FILE = f"domain{DOMAIN_VERSION}.marshal.gz"
DOMAIN_MODEL = f"domain@{DOMAIN_VERSION}"


def _snownlp_version() -> str:
    try:
        return metadata.version("snownlp")
    except metadata.PackageNotFoundError:  # pragma: no cover - snownlp is a dependency
        return "unknown"


STOCK_MODEL = f"snownlp-stock@{_snownlp_version()}"
MODELS: tuple[str, ...] = (DOMAIN_MODEL, STOCK_MODEL)
DEFAULT_MODEL = DOMAIN_MODEL


@dataclass(frozen=True)
class SentimentResult:
    """P(positive) in 0..1, its label, and the versioned name of the model that gave it."""

    score: float
    label: Label
    model: str


class SentimentModel(Protocol):
    name: str

    def score(self, text: str) -> SentimentResult: ...

    def score_batch(self, texts: Sequence[str]) -> list[SentimentResult]: ...


class UnknownModelError(ValueError):
    """A model name that is not in ``MODELS`` (with or without its version)."""


def label_of(score: float) -> Label:
    """``"pos"`` from 0.5 up, else ``"neg"``."""
    return "pos" if score >= 0.5 else "neg"


def _blank(text: str) -> bool:
    return not text or text.isspace()


class _Base:
    name: str

    def _neutral(self) -> SentimentResult:
        return SentimentResult(NEUTRAL_SCORE, NEUTRAL, self.name)

    def _result(self, score: float) -> SentimentResult:
        return SentimentResult(score, label_of(score), self.name)

    def score(self, text: str) -> SentimentResult:
        """Sentiment of one text."""
        return self.score_batch([text])[0]

    def score_batch(self, texts: Sequence[str]) -> list[SentimentResult]:
        raise NotImplementedError


def _check_text(index: int, text: object) -> None:
    if not isinstance(text, str):
        raise TypeError(f"texts[{index}] is {type(text).__name__}, not str")


class StockModel(_Base):
    """Stock SnowNLP (trained on shopping reviews): scores equal ``SnowNLP(text).sentiments``."""

    def __init__(self) -> None:
        self.name = STOCK_MODEL
        try:
            from analysis.snowfast import stock_sentiments
        except ImportError:
            LOGGER.debug("analysis.snowfast not importable, scoring with snownlp")
            stock_sentiments = None
        self._fast = stock_sentiments

    def _scores(self, texts: list[str]) -> list[float]:
        if self._fast is not None:
            return self._fast(texts)
        from snownlp import SnowNLP

        return [SnowNLP(text).sentiments for text in texts]

    def _result(self, score: float) -> SentimentResult:
        # SnowNLP scores text with no word its model knows (punctuation, emoji, Latin letters, words
        # no shopping review used) exactly 0.5: no evidence either way, labelled as the domain model
        # labels text without a known feature.
        if score == NEUTRAL_SCORE:
            return self._neutral()
        return super()._result(score)

    def score_batch(self, texts: Sequence[str]) -> list[SentimentResult]:
        """Sentiment of each text, in order; blank texts are neutral."""
        results: list[SentimentResult | None] = []
        todo: list[str] = []
        for index, text in enumerate(texts):
            _check_text(index, text)
            if _blank(text):
                results.append(self._neutral())
            else:
                results.append(None)
                todo.append(text)
        scores = iter(self._scores(todo) if todo else [])
        return [r if r is not None else self._result(next(scores)) for r in results]


def read_bayes_data(path) -> dict:
    """The dict SnowNLP's ``Bayes.save`` writes (gzip-compressed marshal), from ``path``."""
    with gzip.open(path, "rb") as handle:
        return marshal.loads(handle.read())


def write_bayes_data(data: dict, path) -> None:
    """Write ``data`` as ``Bayes.save(iszip=True)`` does, with a fixed gzip time for reproducible bytes."""
    # No file name and no time in the gzip header, marshal version 2 (no object refs): same model, same bytes.
    with open(path, "wb") as raw, gzip.GzipFile(filename="", fileobj=raw, mode="wb", mtime=0, compresslevel=9) as out:
        out.write(marshal.dumps(data, 2))


class _SnowNLPBayes:
    """Fallback scorer: SnowNLP's ``Bayes`` filled from the saved dict, as ``Bayes.load`` does."""

    def __init__(self, data: dict) -> None:
        from snownlp.classification.bayes import Bayes
        from snownlp.utils.frequency import AddOneProb

        self._bayes = Bayes()
        self._bayes.total = data["total"]
        for key, value in data["d"].items():
            prob = AddOneProb()
            prob.__dict__ = dict(value)
            self._bayes.d[key] = prob

    def classify(self, tokens: Sequence[str]) -> float:
        label, prob = self._bayes.classify(tokens)
        return prob if label == "pos" else 1 - prob


class DomainModel(_Base):
    """SnowNLP's naive Bayes trained on public-opinion posts, over :func:`features`."""

    def __init__(self, data: dict, name: str = DOMAIN_MODEL) -> None:
        self.name = name
        self.vocabulary = frozenset(w for prob in data["d"].values() for w in prob["d"])
        try:
            from analysis.snowfast import BayesModel

            self._bayes = BayesModel(data, source=name)
        except ImportError:
            LOGGER.debug("analysis.snowfast not importable, scoring with snownlp's Bayes")
            self._bayes = _SnowNLPBayes(data)

    @classmethod
    def from_file(cls, path, name: str = DOMAIN_MODEL) -> "DomainModel":
        return cls(read_bayes_data(path), name)

    def known_features(self, text: str) -> list[str]:
        """Features of ``text`` the model was trained on (unknown ones would only add bias)."""
        return [f for f in features(text) if f in self.vocabulary]

    def score_batch(self, texts: Sequence[str]) -> list[SentimentResult]:
        """Sentiment of each text, in order; blank texts and texts with no known feature are neutral."""
        results = []
        for index, text in enumerate(texts):
            _check_text(index, text)
            known = [] if _blank(text) else self.known_features(text)
            results.append(self._result(self._bayes.classify(known)) if known else self._neutral())
        return results


_lock = threading.Lock()


def resolve(name: str | None) -> str:
    """The full versioned name for ``name`` (``None`` is the default; the version may be omitted)."""
    if name is None:
        return DEFAULT_MODEL
    for full in MODELS:
        if name == full or name == full.split("@", 1)[0]:
            return full
    raise UnknownModelError(f"未知的情感模型 '{name}'（可用: {'、'.join(MODELS)}）")


@lru_cache(maxsize=None)
def _load(full: str) -> SentimentModel:
    if full == STOCK_MODEL:
        return StockModel()
    with resources.as_file(resources.files("analysis.sentiment").joinpath(DOMAIN_FILE)) as path:
        return DomainModel.from_file(path, full)


def get_model(name: str | None = None) -> SentimentModel:
    """The model called ``name`` (default ``domain@4``), loaded once per process."""
    full = resolve(name)
    with _lock:
        return _load(full)
