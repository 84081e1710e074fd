"""Chinese word segmentation, done once per post and reused for indexing, keywords and categories.

jieba with a project dictionary of market-supervision terms (``data/userdict.txt``) and the full place
names of the gazetteer (``data/regions.txt``). Elasticsearch
here has no Chinese analyzer (no analysis-common), so indexed text is these tokens joined by spaces
and analyzed with the ``whitespace`` analyzer.
"""

from __future__ import annotations

import logging
import re
import threading
from functools import lru_cache
from importlib import resources

LOGGER = logging.getLogger(__name__)

USER_DICT = "userdict.txt"
_SPACE = re.compile(r"\s+")
_lock = threading.Lock()


@lru_cache(maxsize=1)
def tokenizer():
    """The shared jieba tokenizer with the project dictionary loaded (built once per process)."""
    import jieba

    jieba.setLogLevel(logging.WARNING)
    with _lock:
        tok = jieba.Tokenizer()
        tok.initialize()
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


def tokens(text: str) -> list[str]:
    """Words of ``text`` in order (precise mode), without whitespace tokens."""
    if not text:
        return []
    return [t for t in tokenizer().lcut(text) if not t.isspace()]


def index_tokens(text: str) -> list[str]:
    """Tokens for the index: search mode, so 食品安全 also yields 食品 and 安全 for recall."""
    return expand_for_search(tokens(text))


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
    return join_for_index(tokens(_SPACE.sub(" ", text or "")))


def query_tokens(text: str) -> list[str]:
    """Tokens of a search query, lower-cased like the index."""
    return [t.lower() for t in tokens(_SPACE.sub(" ", text or "").strip())]
