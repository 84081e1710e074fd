"""jieba's precise mode at compiled speed: ``lcut(tok, text) == tok.lcut(text)``, word for word.

Segmentation is most of what the domain sentiment model and the enrichment of every post cost,
and jieba spends its time in two pure-Python loops: the word graph and best path of each block
(``Tokenizer.get_DAG`` and ``Tokenizer.calc``) and the HMM decoding of runs of characters no
dictionary word covers (``finalseg.viterbi``). The C extension ``_jiebafast`` runs those two in
the same floating-point operation order, breaking ties as Python's ``max`` does; the control flow
around them (blocks, the buffer of single characters, forced splits) is jieba 0.42.1's, below.
It reads the tokenizer's own dictionary (``FREQ``, ``total``) and finalseg's tables, so words
added to a tokenizer are seen at once. ``tests/analysis/test_jiebafast.py`` checks equality with
jieba on thousands of varied texts, with the project dictionary and without.
"""

from __future__ import annotations

from functools import lru_cache
from math import log

from . import _jiebafast

__all__ = ["lcut"]

_STATES = "BMES"


@lru_cache(maxsize=1)
def _hmm():
    """finalseg's start, transition and emission tables in the form ``_jiebafast.viterbi`` takes."""
    from jieba import finalseg

    start = tuple(finalseg.start_P[y] for y in _STATES)
    trans = tuple(finalseg.trans_P[y0].get(y, finalseg.MIN_FLOAT) for y0 in _STATES for y in _STATES)
    emit = tuple(finalseg.emit_P[y] for y in _STATES)
    return start, trans, emit


def _hmm_words(text: str, out: list[str]) -> None:
    """``finalseg.cut(text)``: unknown characters grouped into words by the HMM."""
    from jieba import finalseg

    start, trans, emit = _hmm()
    for block in finalseg.re_han.split(text):
        if finalseg.re_han.match(block):
            states = _jiebafast.viterbi(block, start, trans, emit)
            words = []
            begin = following = 0
            for i, state in enumerate(states):
                if state == "B":
                    begin = i
                elif state == "E":
                    words.append(block[begin:i + 1])
                    following = i + 1
                elif state == "S":
                    words.append(block[i])
                    following = i + 1
            if following < len(block):
                words.append(block[following:])
            for word in words:
                if word in finalseg.Force_Split_Words:
                    out.extend(word)
                else:
                    out.append(word)
        else:
            out.extend(piece for piece in finalseg.re_skip.split(block) if piece)


def _flush(buffer: str, freq: dict, out: list[str]) -> None:
    """Single characters in a row on the best path: one character as it is, a known word split
    into characters, else the HMM's words."""
    if len(buffer) == 1:
        out.append(buffer)
    elif not freq.get(buffer):
        _hmm_words(buffer, out)
    else:
        out.extend(buffer)


def _cut_block(tok, block: str, out: list[str]) -> None:
    """``Tokenizer.__cut_DAG`` (HMM on) of one block of word characters."""
    freq = tok.FREQ
    x = 0
    buffer = ""
    for y in _jiebafast.route(block, freq, log(tok.total)):
        if y - x == 1:
            buffer += block[x]
        else:
            if buffer:
                _flush(buffer, freq, out)
                buffer = ""
            out.append(block[x:y])
        x = y
    if buffer:
        _flush(buffer, freq, out)


def lcut(tok, text: str) -> list[str]:
    """``tok.lcut(text)`` (precise mode, HMM on) of a ``jieba.Tokenizer``."""
    import jieba

    tok.check_initialized()
    out: list[str] = []
    han, skip = jieba.re_han_default, jieba.re_skip_default
    for block in han.split(text):
        if not block:
            continue
        if han.match(block):
            _cut_block(tok, block, out)
        else:
            for piece in skip.split(block):
                if skip.match(piece):
                    out.append(piece)
                else:
                    out.extend(piece)
    return out
