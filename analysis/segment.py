"""Chinese word segmentation, done once per post and reused for indexing, keywords and categories.

jieba with a project dictionary of market-supervision terms (``data/userdict.txt``). Elasticsearch
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
    return tok


def tokens(text: str) -> list[str]:
    """Words of ``text`` in order (precise mode), without whitespace tokens."""
    if not text:
        return []
    return [t for t in tokenizer().lcut(text) if not t.isspace()]


def index_tokens(text: str) -> list[str]:
    """Tokens for the index: search mode, so 食品安全 also yields 食品 and 安全 for recall."""
    if not text:
        return []
    return [t for t in tokenizer().lcut_for_search(text) if not t.isspace()]


def index_text(text: str) -> str:
    """Space-joined index tokens, ready for a field analyzed with ``whitespace``."""
    return " ".join(t.lower() for t in index_tokens(_SPACE.sub(" ", text or "")))


def query_tokens(text: str) -> list[str]:
    """Tokens of a search query, lower-cased like the index."""
    return [t.lower() for t in tokens(_SPACE.sub(" ", text or "").strip())]
