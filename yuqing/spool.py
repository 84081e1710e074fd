"""A local on-disk spool: documents that could not be written to Elasticsearch wait here.

One JSON-lines file per logical index under ``yuqing.settings.data_dir()/spool/``. Writers append
(``Spool.append``) when the store is down; the next flush or the next run calls ``Spool.replay``
with a writer, and whatever the writer still rejects stays in the spool. Nothing is ever dropped.
"""

from __future__ import annotations

import fcntl
import glob
import json
import logging
import os
import threading
import uuid
from contextlib import contextmanager
from datetime import date, datetime
from pathlib import Path
from typing import Callable, Iterable

from analysis.surrogates import scrub_text
from yuqing import settings

LOGGER = logging.getLogger(__name__)

# Documents Elasticsearch refused for what they are wait under "<name>-rejected"; they are never
# replayed on their own (`yuqing spool retry` moves them back once the cause is fixed).
REJECTED = "-rejected"

# A writer takes documents and returns the ones it could not write (with a reason each); those
# returned with the reason REJECTED are set aside under "<name>-rejected", the others stay.
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
        # A lone surrogate (a JSON \ud800 escape in a crawled feed) would make the whole batch
        # unwritable as UTF-8: it becomes U+FFFD, and every document is kept.
        lines = [scrub_text(json.dumps(doc, ensure_ascii=False, default=_default)) for doc in docs]
        if not lines:
            return 0
        with self._lock, self._exclusive():
            self._write_lines(name, lines)
        return len(lines)

    def move(self, source: str, target: str) -> int:
        """Move every document spooled under ``source`` to the end of ``target``; returns how many."""
        with self._lock, self._exclusive():
            path = self.path(source)
            if not path.exists():
                return 0
            with open(path, encoding="utf-8") as handle:
                lines = [line.rstrip("\n") for line in handle if line.strip()]
            if lines:
                self._write_lines(target, lines)
            path.unlink()
        return len(lines)

    def _write_lines(self, name: str, lines: list[str]) -> None:
        data = ("\n".join(lines) + "\n").encode("utf-8")
        with open(self.path(name), "a+b") as handle:
            if handle.seek(0, os.SEEK_END) > 0:
                handle.seek(-1, os.SEEK_END)
                if handle.read(1) != b"\n":  # a write cut short (power loss): keep its line apart from ours
                    data = b"\n" + data
            handle.write(data)
            handle.flush()
            os.fsync(handle.fileno())

    def pending(self, name: str) -> int:
        """Documents waiting under ``name``, counting those a dead process had claimed for replay."""
        orphans = self._unclaimed(name)
        for _path, handle in orphans:
            handle.close()
        paths = [self.path(name)] + [path for path, _handle in orphans]
        total = 0
        for path in paths:
            try:
                with open(path, encoding="utf-8") as handle:
                    total += sum(1 for line in handle if line.strip())
            except FileNotFoundError:  # replayed meanwhile
                continue
        return total

    def read(self, name: str) -> list[dict]:
        """The spooled documents (corrupt lines are set aside in a .corrupt file)."""
        path = self.path(name)
        return _read_file(path) if path.exists() else []

    def replay(self, name: str, write: Writer, batch: int = 500) -> tuple[int, int]:
        """Write spooled documents with ``write``; returns (written, still pending).

        The file is moved aside first, so documents appended meanwhile are not lost; documents the
        writer returns, and any exception (store down again), put the rest back in the spool, except
        those returned as REJECTED, which are set aside under ``<name>-rejected``. A
        replay holds a lock on the file it moved aside; a file whose replayer died mid-way (killed,
        power lost) is unlocked, and the next replay takes it over.
        """
        path = self.path(name)
        claims: list = []
        try:
            with self._lock, self._exclusive():
                claims = self._unclaimed(name)
                for orphan, _handle in claims:
                    LOGGER.warning("接手 %s（上次补写未完成时留下）", orphan)
                if path.exists():
                    claimed = path.with_name(f"{name}.replay-{os.getpid()}-{uuid.uuid4().hex[:8]}")
                    os.replace(path, claimed)
                    handle = _locked(claimed)
                    if handle is not None:  # None: another process took it over in between
                        claims.append((claimed, handle))
            if not claims:
                return 0, 0
            docs = [doc for claimed, _handle in claims for doc in _read_file(claimed)]
            written, left, aside = 0, [], []
            for start in range(0, len(docs), batch):
                chunk = docs[start : start + batch]
                try:
                    failed = write(chunk)
                except Exception as exc:  # noqa: BLE001 - store down again: keep everything not yet written
                    LOGGER.warning("补写暂存文件 %s 中止：%s", name, exc)
                    left.extend(docs[start:])
                    break
                written += len(chunk) - len(failed)
                for doc, reason in failed:
                    (aside if reason == REJECTED else left).append(doc)
            if aside:
                self.append(name + REJECTED, aside)
            if left:
                self.append(name, left)
            for claimed, _handle in claims:
                claimed.unlink(missing_ok=True)
            return written, len(left)
        finally:
            for _claimed, handle in claims:
                handle.close()  # releases the lock

    def totals(self) -> tuple[int, int]:
        """(documents waiting to be written, documents set aside as rejected: ``*-rejected``)."""
        waiting = rejected = 0
        for name in self.names():
            if name.endswith(REJECTED):
                rejected += self.pending(name)
            else:
                waiting += self.pending(name)
        return waiting, rejected

    def corrupt(self) -> dict[str, int]:
        """Lines set aside because they were not JSON (a write cut short), per ``<name>.corrupt`` file."""
        if not self.directory.is_dir():
            return {}
        counts = {}
        for path in sorted(self.directory.glob("*.corrupt")):
            with open(path, encoding="utf-8", errors="replace") as handle:
                counts[path.name] = sum(1 for line in handle if line.strip())
        return {name: count for name, count in counts.items() if count}

    def names(self) -> list[str]:
        if not self.directory.is_dir():
            return []
        stems = {p.stem for p in self.directory.glob("*.jsonl")}
        stems |= {p.name.split(".replay-")[0] for p in self.directory.glob("*.replay-*")}
        return sorted(stems)

    @contextmanager
    def _exclusive(self):
        """Appending and moving a file aside exclude each other across threads and processes (the
        spiders of one crawl each have a Spool; a crawl and the service may share the directory):
        a document appended to a file just moved aside would never be replayed."""
        self.directory.mkdir(parents=True, exist_ok=True)
        with open(self.directory / ".lock", "a") as handle:
            fcntl.flock(handle, fcntl.LOCK_EX)
            yield  # closing the handle releases the lock

    def _unclaimed(self, name: str) -> list[tuple[Path, object]]:
        """Files moved aside for replay whose replayer is gone, each with an open handle holding its
        lock (no live process holds it); the caller closes the handles."""
        if not self.directory.is_dir():
            return []
        found = []
        for path in sorted(self.directory.glob(f"{glob.escape(name)}.replay-*")):
            handle = _locked(path)
            if handle is not None:
                found.append((path, handle))
        return found


def _locked(path: Path):
    """An open handle holding an exclusive lock on ``path``; None if it is gone or locked by a replay."""
    try:
        handle = open(path, "rb")
    except FileNotFoundError:
        return None
    try:
        fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except OSError:
        handle.close()
        return None
    if not path.exists():  # replayed and removed between open and lock
        handle.close()
        return None
    return handle


def _read_file(path: Path) -> list[dict]:
    docs = []
    with open(path, encoding="utf-8") as handle:
        for number, line in enumerate(handle, 1):
            if not line.strip():
                continue
            try:
                docs.append(json.loads(line))
            except json.JSONDecodeError as exc:
                LOGGER.warning("暂存文件 %s:%d 不是 JSON（%s），已移到 .corrupt", path, number, exc)
                with open(path.with_suffix(".corrupt"), "a", encoding="utf-8") as bad:
                    bad.write(line)
    return docs


__all__ = ["REJECTED", "Spool", "Writer"]
