"""Benchmark (not a test): post-indexed → alert-stored latency, and analysis-cycle time at N indexed posts.

Usage: ES_URL=http://127.0.0.1:9200 .venv/bin/python bench/alerts.py [--sizes 100000 1000000]
Synthetic posts are bulk-loaded already grouped (event_id set, as after earlier cycles) into a fresh
index prefix; then a burst of 50 new posts of one story is indexed and one cycle runs: the figures are
the cycle time (ES aggregations over the touched events only) and the latency from the burst being
indexed to its alert being stored. The prefix is deleted afterwards.
"""

from __future__ import annotations

import argparse
import random
import time
import uuid
from datetime import datetime, timedelta

from analysis.workdays import SHANGHAI
from yuqing.alerts.engine import AlertEngine
from yuqing.store import connect

NOW = datetime(2024, 3, 12, 12, 0, tzinfo=SHANGHAI)
LEVELS = ["中央", "省级", "市级", "行业", "商业", "自媒体"]


def background(n: int, rng: random.Random):
    for i in range(n):
        yield {"id": f"bg{i}", "title": f"日常信息{i % 997}", "content": "市场监管日常工作动态",
               "published_at": (NOW - timedelta(minutes=rng.randrange(14 * 24 * 60))).isoformat(),
               "media_level": rng.choice(LEVELS), "platform": "新闻", "source": f"s{i % 50}",
               "categories": ["登记注册/信用"], "keywords": [f"k{i % 500}", "动态"], "cluster_id": f"bg{i}",
               "event_id": f"ev-bg{i // 5}", "sentiment": {"label": "neu", "score": 0.5},
               "region": {"province": "天津市", "city": "天津市", "path": "天津市"},
               "title_seg": "日常 信息", "content_seg": "市场 监管"}


def burst(tag: str) -> list[dict]:
    text = "河西区梧桐路小学多名学生午餐后呕吐送医，疑似食物中毒，家长要求彻查配餐公司"
    return [{"id": f"{tag}{i}", "title": "", "content": f"转发{i}//{text}", "published_at": (NOW + timedelta(minutes=i)).isoformat(),
             "media_level": "自媒体", "platform": "社交媒体", "source": "social", "categories": ["食品安全"],
             "keywords": ["梧桐路小学", "呕吐", "午餐", "配餐", "送医"], "cluster_id": f"{tag}c",
             "sentiment": {"label": "neg", "score": 0.1},
             "region": {"province": "天津市", "city": "天津市", "district": "河西区", "path": "天津市/河西区"}}
            for i in range(50)]


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--sizes", type=int, nargs="+", default=[100_000, 1_000_000])
    args = parser.parse_args()
    for size in args.sizes:
        store = connect(prefix=f"bench{uuid.uuid4().hex[:8]}")
        store.init()
        try:
            started = time.perf_counter()
            store.index_docs("posts", background(size, random.Random(1)), chunk_size=5000)
            store.refresh("posts")
            load = time.perf_counter() - started
            engine = AlertEngine(store)
            t0 = time.perf_counter()
            store.index_docs("posts", burst("b"), refresh=True)
            report = engine.cycle(NOW + timedelta(hours=1))
            latency = time.perf_counter() - t0
            t1 = time.perf_counter()
            engine.cycle(NOW + timedelta(hours=1, minutes=10))
            idle = time.perf_counter() - t1
            print(f"{size:>9} posts: bulk load {load:.1f}s; burst indexed→alert stored {latency:.2f}s "
                  f"(alerts new {report.alerts_new}); idle cycle {idle:.2f}s")
        finally:
            store.delete_prefix()


if __name__ == "__main__":
    main()
