"""Chinese word segmentation, done once per post and reused for indexing, keywords and categories.

jieba with a project dictionary of market-supervision terms (``data/userdict.txt``) and the full place
names of the gazetteer (``data/regions.txt``). Elasticsearch
here has no Chinese analyzer (no analysis-common), so indexed text is these tokens joined by spaces
and analyzed with the ``whitespace`` analyzer.

:func:`segment` cuts the text as the keyword expressions see it (:func:`analysis.expr.normalize`:
NFKC, lower case, no whitespace between CJK characters, so a line broken mid-word by an extracted
page is one word again), folds traditional characters to simplified ones (:mod:`analysis.hanzi`: a
post in 繁体 is indexed, searched and categorised as the same words) and keeps the pieces, so the same :class:`Segmented` gives the index tokens,
the keyword words and the word boundaries category keywords must respect.
The cutting is jieba's precise mode run by :mod:`analysis.jiebafast` (the same words, compiled).
"""

from __future__ import annotations

import logging
import re
import threading
from bisect import bisect_right
from dataclasses import dataclass
from functools import cached_property, lru_cache
from importlib import resources

from analysis.expr import normalize
from analysis.hanzi import fold
from analysis.jiebafast import lcut

LOGGER = logging.getLogger(__name__)

USER_DICT = "userdict.txt"
_SPACE = re.compile(r"\s+")
_lock = threading.Lock()


@lru_cache(maxsize=1)
def plain_tokenizer():
    """A jieba tokenizer with jieba's own dictionary only (built once per process). Nothing may add
    words to it: the sentiment features use it so that a trained model's tokens never change."""
    import jieba

    jieba.setLogLevel(logging.WARNING)
    with _lock:
        tok = jieba.Tokenizer()
        tok.initialize()
    return tok


@lru_cache(maxsize=1)
def tokenizer():
    """The shared jieba tokenizer with the project dictionary loaded (built once per process).

    It starts from a copy of :func:`plain_tokenizer`'s word frequencies instead of loading jieba's
    dictionary a second time (about a second of start-up per process)."""
    import jieba

    plain = plain_tokenizer()
    with _lock:
        tok = jieba.Tokenizer()
        tok.FREQ, tok.total, tok.initialized = dict(plain.FREQ), plain.total, True
        with resources.files("analysis.data").joinpath(USER_DICT).open("rb") as handle:
            tok.load_userdict(handle)
        _add_place_names(tok)
    return tok


def _add_place_names(tok) -> None:
    """Every full place name of the gazetteer is one word (静海区, not 静 / 海区), at the least frequency
    that keeps it whole, so district names are searchable and counted as they are written."""
    from analysis.regions import Gazetteer

    for name in sorted({place.name for place in Gazetteer.default().places}):
        if len(name) >= 2 and tok.FREQ.get(name, 0) == 0:
            tok.add_word(name, tok.suggest_freq(name, False), "ns")


@dataclass(frozen=True)
class Segmented:
    """One text segmented once: the normalised ``text`` and jieba's precise-mode ``pieces`` (whitespace
    pieces included, so the pieces concatenate to ``text``)."""

    text: str
    pieces: tuple[str, ...]

    @property
    def words(self) -> list[str]:
        """The pieces without whitespace: the words for keywords and the index."""
        return [p for p in self.pieces if not p.isspace()]

    @cached_property
    def chars(self) -> frozenset[str]:
        """The distinct characters of ``text`` (:meth:`analysis.expr.Matcher.match_segmented` looks
        only for keys that start with one of them)."""
        return frozenset(self.text)

    @cached_property
    def _starts(self) -> list[int]:
        starts, pos = [], 0
        for piece in self.pieces:
            starts.append(pos)
            pos += len(piece)
        return starts

    def aligned(self, start: int, end: int) -> bool:
        """Whether ``text[start:end]`` is whole words (starts and ends on word boundaries) or lies
        inside one word (电梯 in 电梯房, 脏 in 脏乱). A span that begins or ends inside a word and runs
        into the next one does not count: 和服 is not in 他们/和/服务员, 网店 not in 淘宝网/店主."""
        if not self.pieces or start >= end:
            return False
        first = bisect_right(self._starts, start) - 1
        first_end = self._starts[first] + len(self.pieces[first])
        if end <= first_end:
            return True  # inside one word (or exactly one word)
        if self._starts[first] != start:
            return False
        last = bisect_right(self._starts, end - 1) - 1
        return self._starts[last] + len(self.pieces[last]) == end


def segment(text: str | None) -> Segmented:
    """Normalise ``text`` like the keyword expressions, fold traditional characters to simplified ones
    (:func:`analysis.hanzi.fold`) and segment it (precise mode), once."""
    norm = fold(normalize(text or ""))
    return Segmented(norm, tuple(lcut(tokenizer(), norm)) if norm else ())


def tokens(text: str | None) -> list[str]:
    """Words of ``text`` in order (precise mode, normalised like :func:`segment`), without whitespace."""
    return segment(text).words


def expand_for_search(words: list[str]) -> list[str]:
    """Search-mode tokens from precise-mode words, like jieba's cut_for_search derives them.

    Lets a caller segment once and get both the words (keywords, categories) and the index tokens.
    """
    freq = tokenizer().FREQ
    out: list[str] = []
    for word in words:
        # Every dictionary word inside a longer word (jieba adds only 2- and 3-grams; we also want
        # 食物中毒 inside 疑似食物中毒), shortest first, then the word itself.
        for size in range(2, len(word)):
            out.extend(word[i:i + size] for i in range(len(word) - size + 1) if freq.get(word[i:i + size]))
        out.append(word)
    return out


def _is_word(token: str) -> bool:
    return any(ch.isalnum() for ch in token)


def join_for_index(words: list[str]) -> str:
    """Space-joined, lower-cased search tokens of precise-mode ``words`` (punctuation dropped)."""
    return " ".join(t.lower() for t in expand_for_search(words) if _is_word(t))


def index_text(text: str) -> str:
    """Space-joined index tokens, ready for a field analyzed with ``whitespace``."""
    return join_for_index(segment(text).words)


def query_tokens(text: str) -> list[str]:
    """Tokens of a search query, normalised like the index. Each space-separated part is segmented
    on its own: a space in a query separates words (食品 安全 is two words, not 食品安全)."""
    return [t for part in _SPACE.split(text or "") if part for t in segment(part).words]
