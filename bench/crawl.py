"""Benchmark (not a test): pages/s of our crawl (fetch + extract + enrich + index) of the sandbox web,
beside a plain Scrapy fetch of the same pages, and the ratio (what our processing costs).

Usage: ES_URL=http://127.0.0.1:9200 .venv/bin/python bench/crawl.py [--days 8] [--no-enrich] [--runs 3]

Both runs use the same Scrapy settings (AutoThrottle off, so the figures measure our work, not the
politeness delay) against one sandbox server at the same simulated time; the fault source is left
out. Each run is a subprocess (Scrapy's reactor starts once per process) and is timed from the
first spider opening to the last one closing, so interpreter start-up is not counted; the time before
the first spider opens (crawler set-up, and the enrichment models loaded and warmed once per process)
is printed on its own line. Each side runs ``--runs`` times, alternating, and the median is the
figure: on a small machine a single run of a few seconds varies by up to 2x. Every run of ours
writes to a fresh index prefix, deleted afterwards.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import urllib.request
import uuid
from datetime import timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

SETTINGS = ["AUTOTHROTTLE_ENABLED=False", "LOG_LEVEL=WARNING", "CONCURRENT_REQUESTS_PER_DOMAIN=8"]
SOURCES = [
    "sandbox_news",
    "sandbox_central",
    "sandbox_industry",
    "sandbox_portal",
    "sandbox_board",
    "sandbox_board_api",
    "sandbox_social",
]

PLAIN = r"""
import json, sys, time
import scrapy
from scrapy import signals
from scrapy.crawler import CrawlerProcess

urls = json.load(open(sys.argv[1]))
times = {}

class Plain(scrapy.Spider):
    name = "plain"
    async def start(self):
        for url in urls:
            yield scrapy.Request(url, callback=self.parse, dont_filter=True)
    def parse(self, response):
        pass

settings = {"ROBOTSTXT_OBEY": True, "AUTOTHROTTLE_ENABLED": False, "CONCURRENT_REQUESTS": 16,
            "CONCURRENT_REQUESTS_PER_DOMAIN": 8, "LOG_LEVEL": "WARNING",
            "TWISTED_REACTOR": "twisted.internet.asyncioreactor.AsyncioSelectorReactor",
            "USER_AGENT": "yuqing-monitor/0.1"}
process = CrawlerProcess(settings)
crawler = process.create_crawler(Plain)
def mark(name):
    return lambda spider: times.setdefault(name, time.monotonic())
crawler.signals.connect(mark("open"), signal=signals.spider_opened, weak=False)
crawler.signals.connect(mark("close"), signal=signals.spider_closed, weak=False)
process.crawl(crawler)
process.start()
print(json.dumps({"seconds": times["close"] - times["open"],
                  "pages": crawler.stats.get_value("response_received_count", 0)}))
"""

TIMED_CRAWL = r"""
import json, sys, time
from scrapy import signals
import crawlers.run as run

times = {"open": [], "close": []}
def mark(name):
    return lambda spider: times[name].append(time.monotonic())
def watch(crawler, progress):
    crawler.signals.connect(mark("open"), signal=signals.spider_opened, weak=False)
    crawler.signals.connect(mark("close"), signal=signals.spider_closed, weak=False)
run._watch = watch
args = json.loads(sys.argv[1])
started = time.monotonic()
runs = run.crawl(args["sources"], sandbox=args["sandbox"], settings=args["settings"],
                 progress=run.Progress(write=None))
print(json.dumps({"seconds": max(times["close"]) - min(times["open"]), "startup": min(times["open"]) - started,
                  "runs": runs}, ensure_ascii=False))
"""


def _sub(code: str, *args: str, env: dict | None = None) -> dict:
    result = subprocess.run(
        [sys.executable, "-c", code, *args],
        cwd=ROOT,
        capture_output=True,
        text=True,
        env={**os.environ, **(env or {})},
        timeout=900,
    )
    if result.returncode != 0:
        raise SystemExit(f"基准运行失败：\n{result.stderr[-3000:]}")
    return json.loads(result.stdout.strip().splitlines()[-1])


def _json(url: str, payload: dict | None = None) -> dict:
    data = json.dumps(payload).encode() if payload is not None else None
    request = urllib.request.Request(url, data=data, headers={"Content-Type": "application/json"})
    with urllib.request.urlopen(request, timeout=10) as response:
        return json.loads(response.read().decode("utf-8"))


def main() -> int:
    from yuqing.cli._format import HelpFormatter, speak_chinese

    speak_chinese()  # argparse's own words (用法, 选项) too
    parser = argparse.ArgumentParser(
        description="抓取基准：我们的抓取（下载+抽取+分析+入库）与 Scrapy 直接下载同一批沙盒页面的页/秒及倍数",
        formatter_class=HelpFormatter)
    parser.add_argument("--days", type=float, default=8, help="沙盒起点之后的模拟天数（默认 8）")
    parser.add_argument("--no-enrich", action="store_true", help="我们的抓取不做分析（情感、分类等）")
    parser.add_argument("--runs", type=int, default=3, help="每一方的轮数，交替进行，取中位数（默认 3）")
    args = parser.parse_args()

    from yuqing.sandbox import DEFAULT_EPOCH, SandboxClock, SandboxServer

    settings = dict(s.split("=", 1) for s in SETTINGS)
    if args.no_enrich:
        settings["YUQING_ENRICH"] = "False"
    ours_runs, plain_runs = [], []
    with SandboxServer(clock=SandboxClock.manual(DEFAULT_EPOCH + timedelta(days=args.days))) as server:
        urls: list[str] = []
        for _ in range(max(1, args.runs)):  # the two sides alternate, so a slow spell hits both
            _json(server.url + "/__sandbox/stats", {})
            ours_runs.append(_our_crawl(server.url, settings))
            if not urls:
                paths = _json(server.url + "/__sandbox/stats")["paths"]
                urls = [
                    server.url + path + ("?rows=20" if path.startswith("/lyb/v1/") else "")
                    for path, count in paths.items()
                    if path != "/robots.txt"
                    for _ in range(count)
                ]
                with tempfile.NamedTemporaryFile("w", suffix=".json", delete=False) as handle:
                    json.dump(urls, handle)
            plain_runs.append(_sub(PLAIN, handle.name))
    for run in ours_runs:
        run["rate"] = sum(r["pages"] for r in run["runs"]) / run["seconds"]
    for run in plain_runs:
        run["rate"] = run["pages"] / run["seconds"]
    ours = statistics.median_low([r["rate"] for r in ours_runs])
    plain = statistics.median_low([r["rate"] for r in plain_runs])
    pages = sum(r["pages"] for r in ours_runs[0]["runs"])
    print(f"沙盒起点后 {args.days:g} 天，{len(SOURCES)} 个来源，入库帖子 {ours_runs[0]['stored']} 篇")
    print(
        f"我们（下载+抽取+{'' if args.no_enrich else '分析+'}入库）：{pages} 页，中位数 {ours:6.1f} 页/秒"
        f"（各轮：{_rates(ours_runs)}）"
    )
    startup = statistics.median_low([r["startup"] for r in ours_runs])
    print(f"  第一个爬虫开始前（抓取准备、加载并预热模型）：中位数 {startup:.2f} 秒")
    print(
        f"Scrapy 直接下载同一批页面：{plain_runs[0]['pages']} 页，中位数 {plain:6.1f} 页/秒"
        f"（各轮：{_rates(plain_runs)}）"
    )
    print(f"倍数（直接下载 / 我们）：{plain / ours:.2f}x")
    return 0


def _rates(runs: list[dict]) -> str:
    return ", ".join(f"{r['rate']:.1f}" for r in runs)


def _our_crawl(sandbox: str, settings: dict) -> dict:
    """One crawl of the sandbox into a fresh index prefix (so nothing counts as already stored)."""
    from yuqing.store import connect

    prefix = f"bench{uuid.uuid4().hex[:8]}"
    store = connect(prefix=prefix)  # fails with a clear message when Elasticsearch is down
    store.init()
    try:
        result = _sub(
            TIMED_CRAWL,
            json.dumps({"sources": SOURCES, "sandbox": sandbox,
                        "settings": {**settings, "YUQING_SPOOL_DIR": tempfile.mkdtemp(prefix="yuqing-bench-spool-")}}),
            env={"YUQING_INDEX_PREFIX": prefix},
        )
        store.refresh("posts")
        result["stored"] = store.count("posts")
    finally:
        store.delete_prefix()
    return result


if __name__ == "__main__":
    sys.exit(main())
