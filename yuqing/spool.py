"""A local on-disk spool: documents that could not be written to Elasticsearch wait here.

One JSON-lines file per logical index under ``yuqing.settings.data_dir()/spool/``. Writers append
(``Spool.append``) when the store is down; the next flush or the next run calls ``Spool.replay``
with a writer, and whatever the writer still rejects stays in the spool. Nothing is ever dropped.
"""

from __future__ import annotations

import json
import logging
import os
import threading
from datetime import date, datetime
from pathlib import Path
from typing import Callable, Iterable

from yuqing import settings

LOGGER = logging.getLogger(__name__)

# A writer takes documents and returns the ones it could not write (with a reason each).
Writer = Callable[[list[dict]], list[tuple[dict, str]]]


def _default(value):
    if isinstance(value, (datetime, date)):
        return value.isoformat()
    if isinstance(value, (set, tuple)):
        return list(value)
    raise TypeError(f"{type(value).__name__} is not JSON serializable")


class Spool:
    """JSON-lines files of documents waiting for the store, one per index name."""

    def __init__(self, directory: str | os.PathLike | None = None) -> None:
        self.directory = Path(directory) if directory else settings.data_dir() / "spool"
        self._lock = threading.Lock()

    def path(self, name: str) -> Path:
        return self.directory / f"{name}.jsonl"

    def append(self, name: str, docs: Iterable[dict]) -> int:
        """Append documents; returns how many were written (flushed and fsynced)."""
        lines = [json.dumps(doc, ensure_ascii=False, default=_default) for doc in docs]
        if not lines:
            return 0
        with self._lock:
            self.directory.mkdir(parents=True, exist_ok=True)
            with open(self.path(name), "a", encoding="utf-8") as handle:
                handle.write("\n".join(lines) + "\n")
                handle.flush()
                os.fsync(handle.fileno())
        return len(lines)

    def pending(self, name: str) -> int:
        path = self.path(name)
        if not path.exists():
            return 0
        with open(path, encoding="utf-8") as handle:
            return sum(1 for line in handle if line.strip())

    def read(self, name: str) -> list[dict]:
        """The spooled documents (corrupt lines are set aside in a .corrupt file)."""
        path = self.path(name)
        return _read_file(path) if path.exists() else []

    def replay(self, name: str, write: Writer, batch: int = 500) -> tuple[int, int]:
        """Write spooled documents with ``write``; returns (written, still pending).

        The file is moved aside first, so documents appended meanwhile are not lost; documents the
        writer rejects and any exception (store down again) put the rest back in the spool.
        """
        path = self.path(name)
        with self._lock:
            if not path.exists():
                return 0, 0
            claimed = path.with_suffix(f".replay-{os.getpid()}")
            os.replace(path, claimed)
        docs = _read_file(claimed)
        written, left = 0, []
        for start in range(0, len(docs), batch):
            chunk = docs[start : start + batch]
            try:
                failed = write(chunk)
            except Exception as exc:  # noqa: BLE001 - store down again: keep everything not yet written
                LOGGER.warning("spool replay of %s stopped: %s", name, exc)
                left.extend(docs[start:])
                break
            written += len(chunk) - len(failed)
            left.extend(doc for doc, _reason in failed)
        if left:
            self.append(name, left)
        claimed.unlink(missing_ok=True)
        return written, len(left)

    def names(self) -> list[str]:
        if not self.directory.is_dir():
            return []
        return sorted(p.stem for p in self.directory.glob("*.jsonl"))


def _read_file(path: Path) -> list[dict]:
    docs = []
    with open(path, encoding="utf-8") as handle:
        for number, line in enumerate(handle, 1):
            if not line.strip():
                continue
            try:
                docs.append(json.loads(line))
            except json.JSONDecodeError as exc:
                LOGGER.warning("spool %s:%d is not JSON (%s); moved to .corrupt", path, number, exc)
                with open(path.with_suffix(".corrupt"), "a", encoding="utf-8") as bad:
                    bad.write(line)
    return docs


__all__ = ["Spool", "Writer"]
