"""Deterministic shard assignment of sources to crawler workers (rendezvous hashing).

Several crawler workers share the configured sources without a coordinator: worker ``i`` of ``n``
(``--worker i/n``, 1-based) crawls exactly the sources whose highest-weight worker is ``i``, where a
source's weight for a worker is a hash of (source name, worker number). Every worker computes the
same assignment from the same inputs, so the shards are disjoint and together cover every source.
Going from ``n`` to ``n + 1`` workers moves only about ``1/(n+1)`` of the sources (highest random
weight hashing), so crawl state and politeness per site stay mostly where they were.
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass
from typing import Iterable

from yuqing.errors import YuqingError

_WORKER = re.compile(r"^\s*(\d+)\s*/\s*(\d+)\s*$")


@dataclass(frozen=True)
class Worker:
    """Worker ``index`` (1-based) of ``count``."""

    index: int
    count: int

    def __post_init__(self) -> None:
        if self.count < 1 or not 1 <= self.index <= self.count:
            raise YuqingError(f"工作进程编号 {self.index}/{self.count} 无效：应为 I/N，1 ≤ I ≤ N")

    def __str__(self) -> str:
        return f"{self.index}/{self.count}"


def parse_worker(text: str) -> Worker:
    """``"2/3"`` → Worker(2, 3); a clear error for anything else."""
    match = _WORKER.match(text or "")
    if not match:
        raise YuqingError(f"--worker 的值 {text!r} 无效：应为 I/N（如 1/2 表示两个工作进程中的第一个）")
    return Worker(int(match.group(1)), int(match.group(2)))


def weight(source: str, index: int) -> int:
    """The rendezvous weight of ``source`` for worker ``index`` (stable across processes and hosts)."""
    digest = hashlib.sha256(f"{index}\x00{source}".encode("utf-8")).digest()
    return int.from_bytes(digest[:8], "big")


def owner(source: str, count: int) -> int:
    """The worker (1-based) of ``count`` that crawls ``source``."""
    if count < 1:
        raise YuqingError(f"工作进程数 {count} 无效：至少为 1")
    return max(range(1, count + 1), key=lambda index: (weight(source, index), -index))


def select(sources: Iterable[str], worker: Worker | None) -> list[str]:
    """The sources (in their given order) that ``worker`` crawls; all of them when ``worker`` is None."""
    names = list(sources)
    if worker is None or worker.count == 1:
        return names
    return [name for name in names if owner(name, worker.count) == worker.index]


def assignment(sources: Iterable[str], count: int) -> dict[int, list[str]]:
    """Every worker's sources, for display and documentation (workers with nothing get an empty list)."""
    names = list(sources)
    return {index: select(names, Worker(index, count)) for index in range(1, count + 1)}


__all__ = ["Worker", "assignment", "owner", "parse_worker", "select", "weight"]
