"""The monitoring service: crawl schedules, the analysis and alert cycle, reminders, digest delivery.

Crawls run in a child process (Scrapy's reactor starts once per process, and a crashing crawl must not
take the service down); each source is crawled when its own interval has passed, all due sources in
one child. Analysis, reminders and digests run in this process. Every job is periodic, never overlaps
with itself, and stops gracefully; /healthz and /metrics report on all of them.
"""

from __future__ import annotations

import logging
import signal
import subprocess
import sys
import threading
import time
from dataclasses import dataclass
from datetime import datetime

from yuqing import clock
from yuqing.service import metrics
from yuqing.service.http import HealthServer
from yuqing.service.scheduler import Job, Scheduler

LOGGER = logging.getLogger(__name__)


@dataclass
class ServiceConfig:
    sources_file: str | None = None
    sandbox: str | None = None  # base URL of the sandbox web (demo)
    sources: list[str] | None = None  # only these sources (default: every enabled one)
    crawl_tick: float = 20.0  # how often due sources are checked
    crawl_interval: float | None = None  # override every source's own interval (demo)
    crawl_timeout: float = 900.0
    analysis_interval: float = 30.0
    digest_interval: float = 60.0
    digests: bool = True  # scheduled digest delivery (needs an email channel in config/notify.yaml)
    analysis: bool = True  # the analysis and alert cycle (crawl-only workers turn it off)
    health_host: str = "127.0.0.1"
    health_port: int = 9108
    base_url: str | None = None  # the dashboard's address, for links in notices
    worker: object | None = None  # crawlers.sharding.Worker: crawl only this worker's share of the sources


class Service:
    def __init__(self, store, config: ServiceConfig, dispatcher=None, rules=None, reloader=None) -> None:
        self.store = store
        self.rules = rules
        self.reloader = reloader  # yuqing.alerts.reload.RulesReloader: edited rules apply without a restart
        self.config = config
        self.dispatcher = dispatcher
        self.last_crawl: dict[str, float] = {}
        self._engine = None
        self._calendar = None
        self._calendar_checked = None  # the local date of the last calendar warning check
        self.scheduler = Scheduler(self.build_jobs(), on_finished=metrics.job_finished)
        self.health_server: HealthServer | None = None

    # ----------------------------------------------------------- jobs
    def build_jobs(self) -> list[Job]:
        cfg = self.config
        jobs = [Job("crawl", cfg.crawl_tick, self.crawl_due)]
        if cfg.analysis:
            jobs.append(Job("analysis", cfg.analysis_interval, self.analyse,
                            initial_delay=min(5.0, cfg.analysis_interval)))
        if cfg.digests:
            jobs.append(Job("digest", cfg.digest_interval, self.deliver_digests, initial_delay=10.0))
        return jobs

    @staticmethod
    def check_sources(config: ServiceConfig) -> list:
        """The sources this service crawls (validates the sources file: ConfigError names file:line)."""
        from crawlers.run import plan
        from crawlers.sharding import select

        sources = [s for group in plan(config.sources, config.sources_file, config.sandbox).values() for s in group]
        mine = set(select([s.name for s in sources], config.worker))
        return [s for s in sources if s.name in mine]

    def due_sources(self, now: float) -> list[str]:
        due = []
        for source in self.check_sources(self.config):
            interval = self.config.crawl_interval or source.interval
            if now - self.last_crawl.get(source.name, float("-inf")) >= interval:
                due.append(source.name)
        return sorted(due)

    def crawl_due(self, stop: threading.Event) -> str:
        names = self.due_sources(time.monotonic())
        if not names:
            return "没有到期的来源"
        started = clock.now()
        command = [sys.executable, "-m", "yuqing", "crawl", *names, "--quiet"]
        if self.config.sandbox:
            command += ["--sandbox", self.config.sandbox]
        if self.config.sources_file:
            command += ["--sources", self.config.sources_file]
        child = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                                 start_new_session=True)
        deadline = time.monotonic() + self.config.crawl_timeout
        while child.poll() is None:
            if stop.wait(0.5) or time.monotonic() > deadline:
                child.send_signal(signal.SIGINT)  # Scrapy closes spiders and flushes pipelines on SIGINT
                try:
                    child.wait(30)
                except subprocess.TimeoutExpired:
                    child.kill()
                break
        out, err = child.communicate()
        for name in names:
            self.last_crawl[name] = time.monotonic()
        self._count_crawl(names, started)
        if child.returncode not in (0, None) and not stop.is_set():
            tail = (err or out).strip().splitlines()[-3:]
            raise RuntimeError(f"抓取子进程退出码 {child.returncode}: {' | '.join(tail)}")
        return f"抓取 {len(names)} 个来源"

    def _count_crawl(self, names: list[str], since: datetime) -> None:
        try:
            result = self.store.search("crawl-runs", {"bool": {"filter": [
                {"terms": {"source": names}}, {"range": {"started_at": {"gte": since.isoformat()}}}]}}, size=100)
        except Exception as exc:  # noqa: BLE001 - metrics must not fail the crawl job
            LOGGER.warning("crawl statistics unavailable: %s", exc)
            return
        for hit in result["hits"]["hits"]:
            run = hit["_source"]
            metrics.ITEMS_CRAWLED.labels(run["source"]).inc(run.get("items") or 0)
            for kind, count in (run.get("errors_by_kind") or {}).items():
                metrics.CRAWL_ERRORS.labels(run["source"], kind).inc(count)

    def engine(self):
        if self._engine is None:
            from yuqing.alerts.engine import AlertEngine

            self._engine = AlertEngine(self.store, rules=self.rules, notifier=self.dispatcher,
                                       base_url=self.config.base_url)
        return self._engine

    def analyse(self, _stop: threading.Event) -> str:
        now = clock.now()
        self.check_calendar()
        if self.reloader is not None and (rules := self.reloader.check()) is not None:
            self.rules = rules
            self.engine().set_rules(rules)
        self._observe_lag(now)
        report = self.engine().cycle(now)  # the cycle also sends the reminders that are due
        if report.errors:
            LOGGER.warning("analysis cycle errors: %s", report.errors[:5])
        self._observe_cycle(now, report)
        return (f"帖子 {report.posts}，事件 {report.events}，新预警 {report.alerts_new}，升级 {report.alerts_raised}，"
                f"推送 {report.pushed}，提醒 {report.reminders}，留言提醒 {report.board_reminders}")

    # ----------------------------------------------------------- cycle metrics
    def _observe_lag(self, now: datetime) -> None:
        """ANALYSIS_LAG: how long the oldest post not yet grouped into an event has waited since its crawl."""
        from yuqing.store.alerts import UNGROUPED

        try:
            result = self.store.search("posts", UNGROUPED, size=0, track_total_hits=False,
                                       aggs={"oldest": {"min": {"field": "crawled_at"}}})
        except Exception as exc:  # noqa: BLE001 - metrics must not fail the analysis job
            LOGGER.warning("analysis lag unavailable: %s", exc)
            return
        oldest = result["aggregations"]["oldest"].get("value")  # epoch milliseconds, None when nothing waits
        metrics.ANALYSIS_LAG.set(max(0.0, now.timestamp() - oldest / 1000) if oldest is not None else 0.0)

    def _observe_cycle(self, now: datetime, report) -> None:
        """ALERT_LATENCY of the alerts this cycle stored new or raised, ALERTS_OPEN by level, SPOOL_PENDING."""
        from analysis.rules import LEVELS
        from yuqing.store import alerts as sa

        try:
            if report.alerted_events or report.merged:
                sa.refresh_all(self.store, "posts", "alerts")  # the cycle writes without refreshing
            if report.alerted_events:
                self._observe_latency(now, report.alerted_events)
            result = self.store.search("alerts", {"bool": {"must_not": [
                {"term": {"status": "closed"}}, {"exists": {"field": "merged_into"}}]}}, size=0,
                track_total_hits=False, aggs={"level": {"terms": {"field": "level", "size": len(LEVELS)}}})
            counts = {b["key"]: b["doc_count"] for b in result["aggregations"]["level"]["buckets"]}
            for level in LEVELS:
                metrics.ALERTS_OPEN.labels(level).set(counts.get(level, 0))
        except Exception as exc:  # noqa: BLE001 - metrics must not fail the analysis job
            LOGGER.warning("alert metrics unavailable: %s", exc)
        self._spool_counts()

    def _observe_latency(self, now: datetime, events: list[str]) -> None:
        """From the crawl of each alerted event's newest post to this cycle."""
        result = self.store.search("posts", {"terms": {"event_id": events}}, size=0, track_total_hits=False,
                                   aggs={"event": {"terms": {"field": "event_id", "size": len(events)},
                                                   "aggs": {"newest": {"max": {"field": "crawled_at"}}}}})
        for bucket in result["aggregations"]["event"]["buckets"]:
            newest = bucket["newest"].get("value")
            if newest is not None:
                metrics.ALERT_LATENCY.observe(max(0.0, now.timestamp() - newest / 1000))

    # ----------------------------------------------------------- working-day calendar
    def calendar(self):
        """The working-day calendar the alert clocks use (config/clocks.yaml)."""
        if self._engine is not None:
            return self._engine.policy.calendar
        if self._calendar is None:
            from analysis.clocks import load_policy

            self._calendar = load_policy().calendar
        return self._calendar

    def check_calendar(self):
        """Log the calendar warning at start-up and then once a day (on the first check of each day)."""
        today = clock.now_local().date()
        if self._calendar_checked != today:
            self.calendar().warn_if_missing(today)
            self._calendar_checked = today

    def deliver_digests(self, _stop: threading.Event) -> str:
        if self.dispatcher is None:
            return "未配置通知渠道，跳过日报发送"
        from yuqing.digest.schedule import run_pending

        reports = run_pending(self.store, self.dispatcher, clock.now())
        return f"发送日报 {sum(r.ok for r in reports)}/{len(reports)}"

    # ----------------------------------------------------------- health
    def health(self) -> dict:
        doc: dict = {"ok": True, "now": clock.now_local().isoformat(), "jobs": self.scheduler.status()}
        try:
            es = self.store.health()
            doc["elasticsearch"] = es.get("status")
            doc["ok"] = es.get("status") in ("green", "yellow")
        except Exception as exc:  # noqa: BLE001 - health reports, it does not raise
            doc["elasticsearch"] = f"不可用: {exc}"
            doc["ok"] = False
        doc["spool_pending"], rejected = self._spool_counts()
        if rejected:
            doc["spool_rejected"] = rejected
        try:
            status = self.calendar().status(clock.now_local())
            doc["calendar"] = {"level": status.level, "covered_years": list(status.covered_years),
                               "missing_years": list(status.missing_years), "message": status.message}
        except Exception as exc:  # noqa: BLE001
            doc["calendar"] = {"level": "error", "message": f"工作日历不可用: {exc}"}
        if self.reloader is not None and self.reloader.error:
            doc["rules_error"] = f"修改后的预警规则未生效（仍用原规则）: {self.reloader.error}"
        return doc

    def _spool_counts(self) -> tuple[int | str, int]:
        """(documents waiting for Elasticsearch, documents it refused for their content), the
        second counted apart since no retry drains them; the gauges are set from both."""
        try:
            from yuqing.spool import Spool

            pending, rejected = Spool().totals()
        except Exception as exc:  # noqa: BLE001 - health reports, it does not raise
            return f"未知: {exc}", 0
        metrics.SPOOL_PENDING.set(pending)
        metrics.SPOOL_REJECTED.set(rejected)
        return pending, rejected

    # ----------------------------------------------------------- lifecycle
    def bind(self) -> HealthServer:
        """Bind the health port (not yet serving); a busy port raises YuqingError naming it."""
        if self.health_server is None:
            self.health_server = HealthServer(self.health, self.config.health_host, self.config.health_port)
        return self.health_server

    def start(self) -> None:
        self.check_calendar()
        self.bind().start()
        LOGGER.info("health and metrics at %s/healthz and %s/metrics", self.health_server.url,
                    self.health_server.url)
        self.thread = threading.Thread(target=self.scheduler.run_forever, name="scheduler", daemon=True)
        self.thread.start()

    def stop(self, timeout: float = 60.0) -> list[str]:
        stuck = self.scheduler.stop(timeout)
        if self.dispatcher is not None:
            self.dispatcher.close(timeout=10)
        if self.health_server is not None:
            self.health_server.stop()
        return stuck

    def run_until_signal(self) -> int:
        stop = threading.Event()
        for sig in (signal.SIGINT, signal.SIGTERM):
            signal.signal(sig, lambda *_: stop.set())
        try:
            self.start()
        except BaseException:
            self.stop(timeout=10)
            raise
        stop.wait()
        LOGGER.info("stopping: waiting for running jobs")
        stuck = self.stop()
        if stuck:
            LOGGER.error("jobs still running at shutdown: %s", stuck)
        return 0

