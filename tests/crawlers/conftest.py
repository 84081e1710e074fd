"""Crawler test fixtures: the sandbox web on a free port, a module-wide index prefix on the real node,
and ``run_crawl`` — a crawl in a subprocess (Scrapy's reactor starts only once per process)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import urllib.request
import uuid
from pathlib import Path

import pytest
import yaml

PROJECT_ROOT = Path(__file__).resolve().parents[2]
SANDBOX_SOURCES = PROJECT_ROOT / "config" / "sources.sandbox.yaml"
FIXTURES = Path(__file__).resolve().parent / "fixtures"
# Fast and deterministic in tests: no AutoThrottle delays, short backoff.
TEST_SETTINGS = [
    "AUTOTHROTTLE_ENABLED=False",
    "RETRY_BACKOFF_BASE=0.2",
    "LOG_LEVEL=INFO",
    "CONCURRENT_REQUESTS_PER_DOMAIN=8",
    "RETRY_TIMES=3",  # the flaky page fails twice; one spare attempt
]


def run_crawl(
    sandbox_url: str,
    sources: list[str],
    *,
    es_url: str,
    prefix: str,
    spool: Path,
    sources_file: Path | None = None,
    settings: list[str] = (),
    timeout: float = 120,
) -> list[dict]:
    """Crawl ``sources`` in a subprocess; returns the crawl-runs documents."""
    command = [sys.executable, "-m", "crawlers.run", *sources, "--sandbox", sandbox_url, "--json"]
    if sources_file:
        command += ["--sources-file", str(sources_file)]
    for setting in [*TEST_SETTINGS, f"YUQING_SPOOL_DIR={spool}", *settings]:
        command += ["-s", setting]
    env = {**os.environ, "ES_URL": es_url, "YUQING_INDEX_PREFIX": prefix}
    result = subprocess.run(
        command, cwd=PROJECT_ROOT, env=env, capture_output=True, text=True, timeout=timeout
    )
    if result.returncode != 0:
        raise AssertionError(f"crawl failed ({result.returncode}):\n{result.stderr[-4000:]}")
    run_crawl.last_log = result.stderr
    return json.loads(result.stdout.strip().splitlines()[-1])


def fetch_json(url: str, payload: dict | None = None) -> dict:
    data = json.dumps(payload).encode() if payload is not None else None
    request = urllib.request.Request(url, data=data, headers={"Content-Type": "application/json"})
    with urllib.request.urlopen(request, timeout=10) as response:
        return json.loads(response.read().decode("utf-8"))


def test_sources_file(tmp_path: Path, *, faults_timeout: str = "3s", extra: list[dict] = ()) -> Path:
    """The sandbox sources file with the fault source enabled (short timeout) plus ``extra`` sources."""
    data = yaml.safe_load(SANDBOX_SOURCES.read_text(encoding="utf-8"))
    for source in data["sources"]:
        if source["name"] == "sandbox_news_faults":
            source["enabled"] = True
            source["download_timeout"] = faults_timeout
    data["sources"].extend(extra)
    path = tmp_path / "sources.test.yaml"
    path.write_text(yaml.safe_dump(data, allow_unicode=True, sort_keys=False), encoding="utf-8")
    return path


test_sources_file.__test__ = False  # a helper, not a test


@pytest.fixture(scope="module")
def module_store(es_url):
    """An initialised store under a unique prefix shared by one test module."""
    from yuqing.store import connect

    prefix = f"c{uuid.uuid4().hex[:10]}"
    store = connect(es_url, prefix=prefix)
    store.init()
    try:
        yield store
    finally:
        store.delete_prefix()


# ---------------------------------------------------------------- parser tests on saved pages


def saved(folder: str, name: str):
    """(response, meta) for a saved page: HtmlResponse/TextResponse with the real URL and the encoding
    the server declared (absent: none given, the spider must detect it)."""
    from scrapy.http import HtmlResponse, TextResponse

    meta = json.loads((FIXTURES / folder / f"{name}.meta.json").read_text(encoding="utf-8"))
    body = (FIXTURES / folder / name).read_bytes()
    content_type = meta["content_type"]
    charset = content_type.split("charset=")[-1] if "charset=" in content_type else None
    cls = HtmlResponse if "html" in content_type else TextResponse
    kwargs = {"encoding": charset} if charset else {}
    response = cls(
        url=meta["url"], body=body, headers={"Content-Type": content_type}, status=meta["status"], **kwargs
    )
    return response, meta


def make_spider(
    spider_cls, now, sources_file: Path = SANDBOX_SOURCES, sandbox: str = "http://127.0.0.1:8765", **kwargs
):
    """A spider as `scrapy crawl` builds it, with a frozen crawl clock and no network."""
    from scrapy.statscollectors import MemoryStatsCollector
    from scrapy.utils.test import get_crawler

    from crawlers.context import CrawlContext
    from crawlers.state import CrawlClock

    crawler = get_crawler(spider_cls, {"YUQING_SANDBOX_URL": ""})
    crawler.stats = MemoryStatsCollector(crawler)
    context = CrawlContext(crawler)
    context.clock = CrawlClock(now, speed=0.0)
    crawler.yuqing_context = context
    return spider_cls.from_crawler(crawler, sandbox=sandbox, sources=str(sources_file), **kwargs)


def with_meta(response, **meta):
    """The response as the spider receives it for a request carrying ``meta``."""
    from scrapy import Request

    request = Request(response.url, meta=meta)
    return response.replace(request=request)


def stats(spider) -> dict:
    return spider.crawler.stats.get_stats()
