"""Top keywords of a post for trend views: TF-IDF over our segmentation.

Tokens come from :func:`analysis.segment.tokens` (jieba with the project dictionary). IDF is jieba's
shipped table (``jieba/analyse/idf.txt``, read from the installed package, nothing downloaded); words
it does not know get its median IDF if they are dictionary words (our domain terms: 电梯困人,
预付式消费), and half of it if jieba's HMM made them up (``称维保``, ``内近``): such fragments are
mostly segmentation noise, and a rare-word IDF would put them at the top.
Filtered out: the project stop words (``data/stopwords.txt``), single characters, numbers and dates
(``2023年``, ``15日``, ``3.5%``), and tokens with neither a CJK character nor a Latin letter. Latin
words are lower-cased. The title counts ``title_weight`` times (default 2).
"""

from __future__ import annotations

import importlib.util
import logging
import re
from collections import Counter
from collections.abc import Iterable
from functools import lru_cache
from importlib import resources
from pathlib import Path

from analysis.segment import tokenizer
from analysis.segment import tokens

LOGGER = logging.getLogger(__name__)

STOPWORDS_FILE = "stopwords.txt"
TITLE_WEIGHT = 2
UNKNOWN_WORD_FACTOR = 0.5
_NUMBERISH = re.compile(r"^[\d.,，．%％:：/\-－+]+[年月日号时点分秒岁元万亿千百%％]?[余多]?$")
_WORDISH = re.compile(r"[\u3400-\u9fffA-Za-z]")


@lru_cache(maxsize=1)
def stopwords() -> frozenset[str]:
    """The project stop words."""
    text = resources.files("analysis.data").joinpath(STOPWORDS_FILE).read_text(encoding="utf-8")
    words: set[str] = set()
    for line in text.splitlines():
        if not line.startswith("#"):
            words.update(line.split())
    return frozenset(words)


def _jieba_idf_path() -> Path:
    spec = importlib.util.find_spec("jieba")
    if spec is None or not spec.submodule_search_locations:
        raise RuntimeError("jieba is not installed")
    return Path(next(iter(spec.submodule_search_locations))) / "analyse" / "idf.txt"


@lru_cache(maxsize=1)
def idf_table() -> tuple[dict[str, float], float]:
    """jieba's IDF table and its median, loaded once per process."""
    table: dict[str, float] = {}
    with open(_jieba_idf_path(), encoding="utf-8") as handle:
        for line in handle:
            word, _, value = line.strip().rpartition(" ")
            if word:
                try:
                    table[word] = float(value)
                except ValueError:
                    LOGGER.debug("bad idf line %r", line)
    values = sorted(table.values())
    median = values[len(values) // 2] if values else 10.0
    return table, median


def is_candidate(token: str) -> bool:
    """Whether a token may be a keyword (not a stop word, single character, number or punctuation)."""
    word = token.strip()
    return (
        len(word) >= 2
        and not _NUMBERISH.match(word)
        and _WORDISH.search(word) is not None
        and word.lower() not in stopwords()
    )


def keyword_weights_from_tokens(tokens: Iterable[str], k: int = 10) -> list[tuple[str, float]]:
    """Top ``k`` (word, tf-idf) pairs from already segmented tokens, best first, ties by word."""
    counts = Counter(t.strip().lower() for t in tokens if is_candidate(t))
    total = sum(counts.values())
    if not total:
        return []
    table, median = idf_table()
    freq = tokenizer().FREQ  # jieba's dictionary plus ours; prefixes are stored with frequency 0

    def idf(word: str) -> float:
        if word in table:
            return table[word]
        return median if freq.get(word, 0) > 0 else median * UNKNOWN_WORD_FACTOR

    scored = [(word, count / total * idf(word)) for word, count in counts.items()]
    scored.sort(key=lambda pair: (-pair[1], pair[0]))
    return scored[:k]


def keyword_weights(title: str | None, content: str | None = "", k: int = 10,
                    title_weight: int = TITLE_WEIGHT) -> list[tuple[str, float]]:
    """Top ``k`` (word, tf-idf) pairs of a post, best first."""
    words = tokens(title) * title_weight + tokens(content)
    return keyword_weights_from_tokens(words, k)


def top_keywords(title: str | None, content: str | None = "", k: int = 10,
                 title_weight: int = TITLE_WEIGHT) -> list[str]:
    """Top ``k`` keywords of a post, best first."""
    return [word for word, _ in keyword_weights(title, content, k, title_weight)]


__all__ = [
    "idf_table",
    "is_candidate",
    "keyword_weights",
    "keyword_weights_from_tokens",
    "stopwords",
    "top_keywords",
]
