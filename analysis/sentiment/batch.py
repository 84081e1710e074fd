"""Sentiment of many texts on several cores, for backfills (re-scoring stored posts after a model update).

The domain model's scoring holds the GIL (jieba's loops run compiled by :mod:`analysis.jiebafast`,
but the features around them are Python), so the only way to use more than one core is more
processes. :class:`BatchScorer` keeps a pool of worker processes, each of which loads the model
once (the pool initializer), and scores chunks of texts there. Results come back in input order
and are exactly what ``get_model(name).score_batch`` gives in one process: the workers run the
same code on the same model, and floats cross the process boundary unchanged (pickle keeps every bit).

Per text, a worker does no more than ``score_batch`` itself. Results cross the pipe as
``(score, label)`` tuples, and texts a worker has already scored (reposts; exact duplicates only)
come from a small cache.

    with BatchScorer("domain", workers=4) as scorer:
        for result in scorer.imap(texts):   # any iterable; streams, bounded memory
            ...
"""

from __future__ import annotations

import multiprocessing
import os
from collections import OrderedDict, deque
from itertools import islice
from typing import Iterable, Iterator, Sequence

from analysis.sentiment.models import SentimentResult, get_model, resolve

CHUNK_SIZE = 256  # texts per task: large enough that pipe and scheduling costs vanish
CACHE_SIZE = 4096  # texts each worker remembers (exact duplicates only)
IN_FLIGHT_PER_WORKER = 3  # chunks queued per worker: keeps cores busy, bounds memory


class _ChunkScorer:
    """One model and its cache of already scored texts: one per worker (or per in-process scorer)."""

    def __init__(self, name: str) -> None:
        self.model = get_model(name)
        self.cache: OrderedDict[str, tuple[float, str]] = OrderedDict()

    def __call__(self, texts: Sequence[str]) -> list[tuple[float, str]]:
        """(score, label) of each text, in order."""
        cache = self.cache
        out: list[tuple[float, str] | None] = [None] * len(texts)
        todo: dict[str, list[int]] = {}
        for i, text in enumerate(texts):
            hit = cache.get(text)
            if hit is not None:
                cache.move_to_end(text)
                out[i] = hit
            else:
                todo.setdefault(text, []).append(i)
        if todo:
            unique = list(todo)
            for text, result in zip(unique, self.model.score_batch(unique)):
                value = (result.score, result.label)
                for i in todo[text]:
                    out[i] = value
                cache[text] = value
            while len(cache) > CACHE_SIZE:
                cache.popitem(last=False)
        return out  # type: ignore[return-value]


_worker: _ChunkScorer | None = None


def _init_worker(name: str) -> None:
    """Pool initializer: load the model once per worker process."""
    global _worker
    _worker = _ChunkScorer(name)


def _score_chunk(texts: Sequence[str]) -> list[tuple[float, str]]:
    return _worker(texts)  # type: ignore[misc]


def _chunks(texts: Iterable[str], size: int, start: int = 0) -> Iterator[list[str]]:
    """Lists of ``size`` texts; a non-str item raises TypeError naming its index in the whole input."""
    it = iter(texts)
    index = start
    while True:
        chunk = list(islice(it, size))
        if not chunk:
            return
        for offset, text in enumerate(chunk):
            if not isinstance(text, str):
                raise TypeError(f"texts[{index + offset}] is {type(text).__name__}, not str")
        index += len(chunk)
        yield chunk


def _context():
    # fork: workers start in milliseconds and inherit an already loaded model; spawn elsewhere.
    methods = multiprocessing.get_all_start_methods()
    return multiprocessing.get_context("fork" if "fork" in methods else "spawn")


class BatchScorer:
    """Score texts with ``model`` (a name; default the default model) on ``workers`` processes.

    ``workers`` defaults to ``os.cpu_count()``; with 1 everything runs in this process (no pool).
    Use as a context manager, or call :meth:`close`.
    """

    def __init__(self, model: str | None = None, workers: int | None = None, chunk_size: int = CHUNK_SIZE) -> None:
        self.name = resolve(model)
        self.workers = workers if workers is not None else (os.cpu_count() or 1)
        if self.workers < 1:
            raise ValueError(f"workers 必须 ≥ 1，实际为 {self.workers}")
        if chunk_size < 1:
            raise ValueError(f"chunk_size 必须 ≥ 1，实际为 {chunk_size}")
        self.chunk_size = chunk_size
        self._pool = None
        self._local: _ChunkScorer | None = None
        if self.workers > 1:
            get_model(self.name)  # load once here: forked workers inherit it
            self._pool = _context().Pool(self.workers, initializer=_init_worker, initargs=(self.name,))
        else:
            self._local = _ChunkScorer(self.name)

    def __enter__(self) -> "BatchScorer":
        return self

    def __exit__(self, *exc) -> None:
        self.close()

    def close(self) -> None:
        if self._pool is not None:
            self._pool.close()
            self._pool.join()
            self._pool = None

    def terminate(self) -> None:
        if self._pool is not None:
            self._pool.terminate()
            self._pool.join()
            self._pool = None

    def _results(self, chunk_results: Iterable[list[tuple[float, str]]]) -> Iterator[SentimentResult]:
        for part in chunk_results:
            for score, label in part:
                yield SentimentResult(score, label, self.name)  # type: ignore[arg-type]

    def imap(self, texts: Iterable[str]) -> Iterator[SentimentResult]:
        """Results for ``texts`` in input order, streamed: at most a few chunks per worker are in flight."""
        chunks = _chunks(texts, self.chunk_size)
        if self._pool is None:
            yield from self._results(map(self._local, chunks))  # type: ignore[arg-type]
            return
        yield from self._results(self._bounded(chunks))

    def _bounded(self, chunks: Iterator[list[str]]) -> Iterator[list[tuple[float, str]]]:
        pool = self._pool
        pending: deque = deque()
        limit = self.workers * IN_FLIGHT_PER_WORKER
        for chunk in chunks:
            pending.append(pool.apply_async(_score_chunk, (chunk,)))
            if len(pending) >= limit:
                yield pending.popleft().get()
        while pending:
            yield pending.popleft().get()

    def score(self, texts: Iterable[str]) -> list[SentimentResult]:
        """Results for ``texts`` in input order, as a list."""
        return list(self.imap(texts))


def score_texts(texts: Iterable[str], model: str | None = None, workers: int | None = None,
                chunk_size: int = CHUNK_SIZE) -> list[SentimentResult]:
    """``get_model(model).score_batch(texts)`` on ``workers`` processes (default: every core)."""
    with BatchScorer(model, workers, chunk_size) as scorer:
        return scorer.score(texts)
