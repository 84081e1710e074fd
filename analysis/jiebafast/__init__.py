"""jieba's precise mode at compiled speed: ``lcut(tok, text) == tok.lcut(text)``, word for word.

Segmentation is most of what the domain sentiment model and the enrichment of every post cost,
and jieba spends its time in pure-Python loops: the word graph and best path of each block
(``Tokenizer.get_DAG``, ``Tokenizer.calc``), the words along it (``Tokenizer.__cut_DAG``) and
the HMM decoding of runs of characters no dictionary word covers (``finalseg``). The C extension
``_jiebafast`` runs all of that for one block, in the same floating-point operation order and
breaking ties as Python's ``max`` does; this module splits the text into blocks as jieba 0.42.1
does. It reads the tokenizer's own dictionary (``FREQ``, ``total``) and finalseg's tables and
forced splits, so words added to a tokenizer are seen at once. ``tests/analysis/test_jiebafast.py``
checks equality with jieba on thousands of varied texts, with the project dictionary and without.
"""

from __future__ import annotations

from functools import lru_cache
from math import log

from . import _jiebafast

__all__ = ["lcut"]

_STATES = "BMES"


@lru_cache(maxsize=1)
def _splitters():
    """jieba's block and skip patterns, after handing finalseg's start, transition and emission
    tables and its forced splits to the extension (once per process; jieba is imported on first use)."""
    import jieba
    from jieba import finalseg

    _jiebafast.set_hmm(
        tuple(finalseg.start_P[y] for y in _STATES),
        tuple(finalseg.trans_P[y0].get(y, finalseg.MIN_FLOAT) for y0 in _STATES for y in _STATES),
        tuple(finalseg.emit_P[y] for y in _STATES),
        finalseg.Force_Split_Words,
    )
    return jieba.re_han_default, jieba.re_skip_default


def lcut(tok, text: str) -> list[str]:
    """``tok.lcut(text)`` (precise mode, HMM on) of a ``jieba.Tokenizer``."""
    han, skip = _splitters()
    tok.check_initialized()
    out: list[str] = []
    freq, logtotal = tok.FREQ, log(tok.total)
    for block in han.split(text):
        if not block:
            continue
        if han.match(block):
            _jiebafast.cut_block(block, freq, logtotal, out)
        else:
            for piece in skip.split(block):
                if skip.match(piece):
                    out.append(piece)
                else:
                    out.extend(piece)
    return out
