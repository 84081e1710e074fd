"""The Dispatcher: sends notices to their channels without ever blocking the caller.

``submit`` puts one job per channel on a queue and returns; worker threads send, and a failed
attempt is scheduled again after an exponential backoff (the worker does not sleep on it, so
other channels go on). After the last attempt, or on success, ``on_result`` receives a
:class:`DeliveryResult` for that channel. ``send_now`` does the same synchronously (digests,
tests, ``yuqing notify test``). ``close`` drains the queue; what cannot be sent in time is
reported as failed, never dropped silently.
"""

from __future__ import annotations

import heapq
import itertools
import logging
import threading
import time
import weakref
from collections.abc import Callable, Collection
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from yuqing.notify.channels import Channel, DeliveryError
from yuqing.notify.config import DEFAULT_PATH, NotifyConfig, RetryPolicy, load_config
from yuqing.notify.notice import DeliveryResult, Notice

LOGGER = logging.getLogger(__name__)

ResultCallback = Callable[[DeliveryResult], None]


@dataclass
class _Job:
    notice: Notice
    channel: Channel
    recipients: list[str]
    on_result: ResultCallback | None
    attempts: int = 0
    last_error: str | None = None


def attempt_once(channel: Channel, notice: Notice, recipients: list[str]) -> DeliveryError | None:
    """Send once; None on success, the DeliveryError otherwise (unexpected exceptions included)."""
    if channel.problem:
        return DeliveryError(channel.problem, retryable=False)
    try:
        channel.send(notice, recipients)
    except DeliveryError as exc:
        return exc
    except Exception as exc:  # a bug in one channel must not stop the others
        LOGGER.exception("channel %s raised", channel.name)
        return DeliveryError(f"{type(exc).__name__}: {exc}")
    return None


def _now() -> datetime:
    return datetime.now(UTC)


def _close_at_exit(ref: weakref.ref) -> None:
    dispatcher = ref()
    if dispatcher is not None and not dispatcher._closing and dispatcher.pending():
        dispatcher.close()


class Dispatcher:
    """Routes notices to channels (``config/notify.yaml``) and delivers them with retries."""

    def __init__(self, config: NotifyConfig, *, sleep: Callable[[float], None] = time.sleep) -> None:
        self.config = config
        self.retry: RetryPolicy = config.retry
        self._sleep = sleep
        self._heap: list[tuple[float, int, _Job]] = []
        self._counter = itertools.count()
        self._cond = threading.Condition()
        self._active = 0  # jobs taken by a worker and not finished
        self._closing = False
        self._close_deadline = float("inf")
        self._workers: list[threading.Thread] = []
        self.stats = {"submitted": 0, "delivered": 0, "failed": 0, "retries": 0}
        # Workers are daemon threads: at interpreter exit, drain what is still queued (and report
        # what cannot be sent) instead of losing it.
        self._finalizer = weakref.finalize(self, _close_at_exit, weakref.ref(self))

    @classmethod
    def from_config(cls, path: str | Path = DEFAULT_PATH) -> Dispatcher:
        """A dispatcher for the validated settings in ``path`` (ConfigError names file:line)."""
        return cls(load_config(path))

    # -- routing -------------------------------------------------------------------------------

    def _jobs(
        self, notice: Notice, on_result: ResultCallback | None, channels: list[str] | None = None
    ) -> list[_Job]:
        if channels is not None:  # explicit choice (yuqing notify test --channel): routes bypassed
            unit = self.config.units.get(notice.unit or "")
            emails = list(unit.emails) if unit else []
            plan = [
                (name, emails if self.config.channels[name].takes_recipients else []) for name in channels
            ]
        else:
            plan = self.config.plan(notice)
        return [_Job(notice, self.config.channels[name], recipients, on_result) for name, recipients in plan]

    # -- asynchronous --------------------------------------------------------------------------

    def submit(self, notice: Notice, on_result: ResultCallback | None = None) -> None:
        """Queue ``notice`` for every channel its route selects and return at once.

        ``on_result`` gets one DeliveryResult per channel, after success or the last attempt. It runs
        on a worker thread (in the caller's thread only when the notice cannot be queued: queue full
        or dispatcher closed); keep it short. No channel selected means no result."""
        jobs = self._jobs(notice, on_result)
        overflow: list[_Job] = []
        with self._cond:
            if self._closing:
                overflow = jobs
                reason = "通知发送器已关闭"
            else:
                reason = "通知队列已满"
                for job in jobs:
                    if len(self._heap) + self._active >= self.config.queue_size:
                        overflow.append(job)
                        continue
                    self.stats["submitted"] += 1
                    heapq.heappush(self._heap, (time.monotonic(), next(self._counter), job))
                self._start_workers()
                self._cond.notify_all()
        for job in overflow:
            job.last_error = reason
            LOGGER.error("通知未能入队（%s）：%s — %s", job.channel.name, reason, notice.title)
            self._report(job, ok=False)

    def _start_workers(self) -> None:
        alive = [t for t in self._workers if t.is_alive()]
        for index in range(len(alive), self.config.workers):
            thread = threading.Thread(target=self._work, name=f"yuqing-notify-{index}", daemon=True)
            thread.start()
            alive.append(thread)
        self._workers = alive

    def _work(self) -> None:
        while True:
            with self._cond:
                while True:
                    if self._heap and self._heap[0][0] <= time.monotonic():
                        _due, _seq, job = heapq.heappop(self._heap)
                        self._active += 1
                        break
                    if self._closing and not self._heap:
                        return
                    timeout = self._heap[0][0] - time.monotonic() if self._heap else None
                    self._cond.wait(timeout)
            try:
                self._attempt(job)
            finally:
                with self._cond:
                    self._active -= 1
                    self._cond.notify_all()

    def _attempt(self, job: _Job) -> None:
        job.attempts += 1
        error = attempt_once(job.channel, job.notice, job.recipients)
        if error is None:
            self._report(job, ok=True)
            return
        job.last_error = str(error)
        if error.retryable and job.attempts < self.retry.attempts:
            delay = self.retry.delay(job.attempts)
            due = time.monotonic() + delay
            with self._cond:
                requeued = not (self._closing and due > self._close_deadline)
                if requeued:
                    self.stats["retries"] += 1
                    heapq.heappush(self._heap, (due, next(self._counter), job))
                    self._cond.notify_all()
            if requeued:
                LOGGER.warning(
                    "通知发送失败（%s，第 %d 次）：%s；%.1f 秒后重试",
                    job.channel.name,
                    job.attempts,
                    error,
                    delay,
                )
                return
            job.last_error = f"关闭时仍未送达（上次错误：{job.last_error}）"
        self._report(job, ok=False)

    def _report(self, job: _Job, *, ok: bool) -> DeliveryResult:
        result = DeliveryResult(job.channel.name, ok, _now(), None if ok else job.last_error, job.attempts)
        with self._cond:
            self.stats["delivered" if ok else "failed"] += 1
        if not ok:
            LOGGER.error(
                "通知发送失败（%s，共尝试 %d 次）：%s — %s",
                job.channel.name,
                job.attempts,
                job.last_error,
                job.notice.title,
            )
        if job.on_result is not None:
            try:
                job.on_result(result)
            except Exception:  # the caller's bookkeeping must not kill a worker
                LOGGER.exception("on_result callback failed for %s", job.channel.name)
        return result

    def pending(self) -> int:
        """Jobs queued, waiting for a retry, or being sent."""
        with self._cond:
            return len(self._heap) + self._active

    def close(self, timeout: float = 10) -> None:
        """Stop accepting notices, deliver what is queued (retries included) within ``timeout``
        seconds, and report whatever is left as failed."""
        deadline = time.monotonic() + timeout
        with self._cond:
            self._closing = True
            self._close_deadline = deadline
            self._cond.notify_all()
            while (self._heap or self._active) and self._workers:
                remaining = deadline - time.monotonic()
                if remaining <= 0:
                    break
                # a retry due after the deadline cannot happen in time: stop waiting for it
                if not self._active and self._heap and self._heap[0][0] > deadline:
                    break
                self._cond.wait(remaining)
            left = [job for _due, _seq, job in self._heap]
            self._heap.clear()
            self._cond.notify_all()
        for job in left:
            job.last_error = (
                f"关闭时仍未送达（上次错误：{job.last_error}）" if job.last_error else "关闭时仍未送达"
            )
            self._report(job, ok=False)
        for thread in self._workers:
            thread.join(max(0.0, deadline - time.monotonic()))

    def __enter__(self) -> Dispatcher:
        return self

    def __exit__(self, *_exc) -> None:
        self.close()

    # -- synchronous ---------------------------------------------------------------------------

    def send_now(self, notice: Notice, channels: list[str] | None = None,
                 skip: Collection[str] = ()) -> list[DeliveryResult]:
        """Deliver to every routed channel (or to ``channels``) except those in ``skip`` (e.g. the ones
        that took it on an earlier try), retrying with backoff; channels run in parallel so a slow one
        delays nobody. Returns one result per channel, in config order."""
        jobs = [job for job in self._jobs(notice, None, channels) if job.channel.name not in skip]
        if not jobs:
            return []
        if len(jobs) == 1:
            return [self._deliver_blocking(jobs[0])]
        with ThreadPoolExecutor(max_workers=len(jobs), thread_name_prefix="yuqing-notify-now") as pool:
            return list(pool.map(self._deliver_blocking, jobs))

    def _deliver_blocking(self, job: _Job) -> DeliveryResult:
        while True:
            job.attempts += 1
            error = attempt_once(job.channel, job.notice, job.recipients)
            if error is None:
                return self._report(job, ok=True)
            job.last_error = str(error)
            if not error.retryable or job.attempts >= self.retry.attempts:
                return self._report(job, ok=False)
            delay = self.retry.delay(job.attempts)
            LOGGER.warning(
                "通知发送失败（%s，第 %d 次）：%s；%.1f 秒后重试",
                job.channel.name,
                job.attempts,
                error,
                delay,
            )
            with self._cond:
                self.stats["retries"] += 1
            self._sleep(delay)
