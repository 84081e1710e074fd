"""Periodic jobs that never overlap with themselves and never block each other.

Each job runs on its own worker thread when due; a slow crawl does not delay the alert cycle. The
decision of what is due is a pure function of the job states and the time, so it is tested without
threads. Stopping waits for running jobs (graceful shutdown) up to a timeout.
"""

from __future__ import annotations

import logging
import threading
import time
from dataclasses import dataclass, field
from datetime import datetime, timezone
from typing import Callable

LOGGER = logging.getLogger(__name__)


@dataclass
class Job:
    """A named task run every ``interval`` seconds; ``func(stop_event)`` returns a short summary or None."""

    name: str
    interval: float
    func: Callable[[threading.Event], object]
    initial_delay: float = 0.0
    # state
    next_run: float | None = None
    running: bool = False
    runs: int = 0
    failures: int = 0
    last_started: datetime | None = None
    last_finished: datetime | None = None
    last_error: str | None = None
    last_result: str | None = None
    last_duration: float | None = None

    def status(self) -> dict:
        return {
            "interval_s": self.interval,
            "running": self.running,
            "runs": self.runs,
            "failures": self.failures,
            "last_started": self.last_started.isoformat() if self.last_started else None,
            "last_finished": self.last_finished.isoformat() if self.last_finished else None,
            "last_duration_s": round(self.last_duration, 3) if self.last_duration is not None else None,
            "last_error": self.last_error,
            "last_result": self.last_result,
        }


def due_jobs(jobs: list[Job], now: float) -> list[Job]:
    """Jobs whose time has come and that are not already running (pure: no threads, no clock)."""
    due = []
    for job in jobs:
        if job.next_run is None:
            job.next_run = now + job.initial_delay
        if not job.running and job.next_run <= now:
            due.append(job)
    return due


def schedule_next(job: Job, started: float, finished: float) -> None:
    """Next run one interval after the start; if the run took longer than that, right after it ended."""
    job.next_run = max(started + job.interval, finished)


@dataclass
class Scheduler:
    jobs: list[Job]
    on_finished: Callable[[Job, bool, float], None] | None = None  # (job, ok, seconds)
    tick: float = 0.5
    stop_event: threading.Event = field(default_factory=threading.Event)
    _threads: dict[str, threading.Thread] = field(default_factory=dict)
    _lock: threading.Lock = field(default_factory=threading.Lock)

    def run_forever(self) -> None:
        LOGGER.info("scheduler started with jobs %s", [j.name for j in self.jobs])
        while not self.stop_event.is_set():
            with self._lock:
                for job in due_jobs(self.jobs, time.monotonic()):
                    job.running = True
                    thread = threading.Thread(target=self._run, args=(job,), name=f"job-{job.name}", daemon=True)
                    self._threads[job.name] = thread
                    thread.start()
            self.stop_event.wait(self.tick)

    def run_once(self) -> dict[str, bool]:
        """Run every job once, in order, in this thread (for `yuqing run --once`)."""
        results = {}
        for job in self.jobs:
            job.running = True
            results[job.name] = self._run(job)
        return results

    def _run(self, job: Job) -> bool:
        started = time.monotonic()
        job.last_started = datetime.now(timezone.utc)
        ok = True
        try:
            result = job.func(self.stop_event)
            job.last_result = None if result is None else str(result)[:500]
            job.last_error = None
        except Exception as exc:  # noqa: BLE001 - a failing job is recorded and retried next interval
            ok = False
            job.failures += 1
            job.last_error = f"{type(exc).__name__}: {exc}"[:1000]
            LOGGER.exception("job %s failed", job.name)
        finished = time.monotonic()
        job.runs += 1
        job.last_duration = finished - started
        job.last_finished = datetime.now(timezone.utc)
        with self._lock:
            schedule_next(job, started, finished)
            job.running = False
        if self.on_finished:
            self.on_finished(job, ok, finished - started)
        return ok

    def stop(self, timeout: float = 30.0) -> list[str]:
        """Ask jobs to stop and wait for them; returns the names still running at the timeout."""
        self.stop_event.set()
        deadline = time.monotonic() + timeout
        for thread in list(self._threads.values()):
            thread.join(max(0.0, deadline - time.monotonic()))
        return [name for name, t in self._threads.items() if t.is_alive()]

    def status(self) -> dict:
        return {job.name: job.status() for job in self.jobs}



__all__ = ["Job", "Scheduler", "due_jobs", "schedule_next"]
