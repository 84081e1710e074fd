"""Prometheus metrics of the service (one registry per process)."""

from __future__ import annotations

from prometheus_client import CollectorRegistry, Counter, Gauge, Histogram

REGISTRY = CollectorRegistry(auto_describe=True)

ITEMS_CRAWLED = Counter("yuqing_items_crawled_total", "Posts crawled and stored", ["source"], registry=REGISTRY)
CRAWL_ERRORS = Counter("yuqing_crawl_errors_total", "Crawl errors by kind", ["source", "kind"], registry=REGISTRY)
JOB_RUNS = Counter("yuqing_job_runs_total", "Scheduled job runs", ["job", "outcome"], registry=REGISTRY)
JOB_SECONDS = Histogram("yuqing_job_duration_seconds", "Duration of scheduled job runs", ["job"],
                        buckets=(0.1, 0.5, 1, 2, 5, 10, 30, 60, 120, 300, 600), registry=REGISTRY)
# Times below are on the service clock (simulated and accelerated in the demo, real otherwise).
ALERT_LATENCY = Histogram(
    "yuqing_alert_latency_seconds",
    "Per new or raised alert: from the crawl of the newest post of its event to the cycle storing the alert",
    buckets=(1, 5, 10, 30, 60, 120, 300, 600, 1800, 3600), registry=REGISTRY)
ANALYSIS_LAG = Gauge("yuqing_analysis_lag_seconds",
                     "At the start of the last analysis cycle: age of the oldest post waiting for analysis "
                     "(0 when none waited)", registry=REGISTRY)
SPOOL_PENDING = Gauge("yuqing_spool_pending", "Items waiting in the local spool for Elasticsearch",
                      registry=REGISTRY)
SPOOL_REJECTED = Gauge("yuqing_spool_rejected", "Items Elasticsearch refused for their content, set aside in "
                       "the spool (see `yuqing spool`)", registry=REGISTRY)
ALERTS_OPEN = Gauge("yuqing_alerts_open", "Alerts not closed (nor merged into another), by level after the last "
                    "analysis cycle", ["level"], registry=REGISTRY)


def job_finished(job, ok: bool, seconds: float) -> None:
    JOB_RUNS.labels(job.name, "ok" if ok else "error").inc()
    JOB_SECONDS.labels(job.name).observe(seconds)
