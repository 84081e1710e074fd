"""The scheduler: what is due, no overlap, failures recorded, graceful stop."""

from __future__ import annotations

import io
import json
import logging
import threading
import time
import urllib.error
import urllib.request

import pytest

from yuqing.service import logs, metrics
from yuqing.service.http import HealthServer
from yuqing.service.scheduler import Job, Scheduler, due_jobs, schedule_next


def noop(_stop):
    return None


def test_due_jobs_respects_initial_delay_and_running_state():
    a, b = Job("a", 60, noop), Job("b", 60, noop, initial_delay=30)
    assert due_jobs([a, b], now=100.0) == [a]
    a.running = True
    assert due_jobs([a, b], now=131.0) == [b]


def test_next_run_is_one_interval_after_start_or_right_after_a_long_run():
    job = Job("crawl", 60, noop)
    schedule_next(job, started=100.0, finished=110.0)
    assert job.next_run == 160.0
    schedule_next(job, started=100.0, finished=250.0)
    assert job.next_run == 250.0


def test_run_once_records_failures_and_keeps_going():
    def boom(_stop):
        raise RuntimeError("站点返回 500")

    jobs = [Job("bad", 60, boom), Job("good", 60, lambda _s: "ok 3")]
    results = Scheduler(jobs).run_once()
    assert results == {"bad": False, "good": True}
    assert jobs[0].failures == 1 and "站点返回 500" in jobs[0].last_error
    assert jobs[1].last_result == "ok 3" and not jobs[1].running


def test_a_slow_job_does_not_block_a_fast_one_and_stop_waits_for_it():
    done = threading.Event()
    fast_runs = []

    def slow(stop):
        stop.wait(0.8)
        done.set()

    sched = Scheduler([Job("slow", 100, slow), Job("fast", 0.05, lambda _s: fast_runs.append(1))], tick=0.02)
    thread = threading.Thread(target=sched.run_forever)
    thread.start()
    time.sleep(0.4)
    assert len(fast_runs) >= 3 and not done.is_set()
    assert sched.stop(timeout=5) == []
    thread.join(5)
    assert done.is_set()


def test_health_endpoint_reports_status_code_and_metrics():
    state = {"ok": True, "jobs": {}}
    server = HealthServer(lambda: state).start()
    try:
        with urllib.request.urlopen(server.url + "/healthz") as response:
            assert response.status == 200 and json.load(response)["ok"] is True
        state["ok"] = False
        with pytest.raises(urllib.error.HTTPError) as info:
            urllib.request.urlopen(server.url + "/healthz")
        assert info.value.code == 503
        metrics.job_finished(Job("crawl:test", 60, noop), True, 0.2)
        text = urllib.request.urlopen(server.url + "/metrics").read().decode()
        assert 'yuqing_job_runs_total{job="crawl:test",outcome="ok"}' in text
        assert "yuqing_alert_latency_seconds_bucket" in text
    finally:
        server.stop()


def test_logs_are_one_json_object_per_line_with_the_job_name():
    stream = io.StringIO()
    logs.configure(stream=stream)
    try:
        worker = threading.Thread(target=lambda: logging.getLogger("yuqing.x").info("抓取完成 %d 条", 5),
                                  name="job-crawl:tj")
        worker.start()
        worker.join()
    finally:
        logging.getLogger().handlers.clear()
    record = json.loads(stream.getvalue().strip().splitlines()[-1])
    assert record["msg"] == "抓取完成 5 条" and record["job"] == "crawl:tj" and record["level"] == "info"


def test_a_crawl_only_worker_runs_no_analysis_and_no_digests():
    from yuqing.cli import build_parser
    from yuqing.service.app import Service, ServiceConfig

    assert [j.name for j in Service(None, ServiceConfig(health_port=0)).scheduler.jobs] == [
        "crawl", "analysis", "digest"]
    args = build_parser().parse_args(["run", "--worker", "2/3", "--no-analysis", "--no-digests"])
    config = ServiceConfig(health_port=0, analysis=not args.no_analysis, digests=not args.no_digests)
    assert [j.name for j in Service(None, config).scheduler.jobs] == ["crawl"]
