"""Benchmark (not a test): post indexed → alert stored, and analysis-cycle time at N indexed posts.

Usage: ES_URL=http://127.0.0.1:9200 .venv/bin/python bench/alerts.py [--sizes 100000 1000000]

For each size, a fresh index prefix gets N synthetic posts spread over 14 days, already grouped into
events of five posts (``event_id`` set, as after earlier cycles) with their event documents. Then:
- burst: 50 reposts of a new food-safety story are indexed (no refresh, as the crawler does) and one
  cycle runs; the figure is the time from the bulk write being acknowledged to the alert being
  stored (read back by id). In service the cycle runs every ``analysis_interval`` (30 s by default),
  so the worst case end to end is that interval plus this figure.
- steady: ``--steady`` new posts joining existing near-duplicate clusters of the last two days (so
  they touch that many events), then one cycle: grouping plus the Elasticsearch aggregations over
  every touched event (never over all posts).
- idle: a cycle with nothing new.
The prefix is deleted afterwards.
"""

from __future__ import annotations

import argparse
import random
import time
import uuid
from datetime import datetime, timedelta

from analysis.workdays import SHANGHAI
from yuqing.alerts.engine import AlertEngine, alert_id_for
from yuqing.store import connect
from yuqing.store.schema import INDICES

NOW = datetime(2024, 3, 12, 12, 0, tzinfo=SHANGHAI)
DAYS = 14
PER_EVENT = 5
MEDIA = ["中央", "省级", "市级", "行业", "商业", "自媒体"]
DISTRICTS = ["和平区", "河东区", "河西区", "南开区", "河北区", "红桥区", "滨海新区"]
CATEGORIES = ["登记注册/信用", "价格收费", "产品质量/召回", "计量/标准/认证/检验检测", "广告/虚假宣传"]
USED = ("posts", "events", "alerts", "audit", "alert-state")


def _event_time(j: int) -> datetime:
    return NOW - timedelta(minutes=random.Random(j).randrange(DAYS * 24 * 60))


def _region(district: str) -> dict:
    return {"province": "天津市", "city": "天津市", "district": district, "path": f"天津市/{district}"}


def background_posts(n: int):
    """Posts of ordinary, already grouped events (five per event, one cluster per post)."""
    for i in range(n):
        j = i // PER_EVENT
        at = _event_time(j) + timedelta(minutes=7 * (i % PER_EVENT))
        yield {"id": f"bg{i}", "title": f"日常信息{j % 997}", "content": "市场监管日常工作动态",
               "published_at": at.isoformat(), "crawled_at": at.isoformat(), "media_level": MEDIA[i % 6],
               "platform": "新闻", "source": f"s{i % 50}", "categories": [CATEGORIES[j % 5]],
               "keywords": [f"k{j % 500}", f"m{j % 71}", "动态"], "cluster_id": f"bg{i}", "event_id": f"ev-bg{j}",
               "sentiment": {"label": "neu", "score": 0.5}, "region": _region(DISTRICTS[j % 7]),
               "title_seg": "日常 信息", "content_seg": "市场 监管 日常 工作 动态"}


def background_events(n: int):
    for j in range((n + PER_EVENT - 1) // PER_EVENT):
        first = _event_time(j)
        yield {"id": f"ev-bg{j}", "title": f"日常信息{j % 997}", "first_seen": first.isoformat(),
               "last_seen": (first + timedelta(minutes=7 * (PER_EVENT - 1))).isoformat(),
               "detected_at": first.isoformat(), "updated_at": first.isoformat(), "post_count": PER_EVENT,
               "cluster_count": PER_EVENT, "negative_share": 0.0, "heat": 1.0, "categories": [CATEGORIES[j % 5]],
               "keywords": [f"k{j % 500}", f"m{j % 71}", "动态"], "region": _region(DISTRICTS[j % 7])}


def burst(tag: str, at: datetime) -> list[dict]:
    text = "河西区梧桐路小学多名学生午餐后呕吐送医，疑似食物中毒，家长要求彻查配餐公司"
    return [{"id": f"{tag}{i}", "title": "", "content": f"转发{i}//{text}",
             "published_at": (at + timedelta(minutes=i)).isoformat(), "crawled_at": at.isoformat(),
             "media_level": "自媒体", "platform": "社交媒体", "source": "social", "categories": ["食品安全"],
             "keywords": ["梧桐路小学", "呕吐", "午餐", "配餐", "送医", "食物中毒"], "cluster_id": f"{tag}c",
             "sentiment": {"label": "neg", "score": 0.1}, "region": _region("河西区")}
            for i in range(50)]


def steady(n: int, size: int, rng: random.Random) -> list[dict]:
    """New posts joining clusters of the last two days (each touches the event of its cluster)."""
    recent = [i for i in range(0, size, PER_EVENT) if _event_time(i // PER_EVENT) > NOW - timedelta(days=2)]
    out = []
    for k, i in enumerate(rng.sample(recent, min(n, len(recent)))):
        j = i // PER_EVENT
        out.append({"id": f"st{k}", "title": f"日常信息{j % 997}", "content": "市场监管日常工作动态（续）",
                    "published_at": (NOW + timedelta(minutes=30)).isoformat(), "media_level": "市级",
                    "platform": "新闻", "source": "s1", "categories": [CATEGORIES[j % 5]],
                    "keywords": [f"k{j % 500}", f"m{j % 71}", "动态"], "cluster_id": f"bg{i}",
                    "sentiment": {"label": "neu", "score": 0.5}, "region": _region(DISTRICTS[j % 7])})
    return out


def run(size: int, steady_posts: int) -> None:
    store = connect(prefix=f"bench{uuid.uuid4().hex[:8]}")
    store.init([INDICES[name] for name in USED])
    try:
        started = time.perf_counter()
        loaded = store.index_docs("posts", background_posts(size), chunk_size=5000)
        store.index_docs("events", background_events(size), chunk_size=5000)
        store.refresh("posts")
        store.refresh("events")
        load = time.perf_counter() - started
        assert not loaded.failed, loaded.failed[:3]
        engine = AlertEngine(store)
        engine.cycle(NOW)  # warm-up: nothing new

        store.index_docs("posts", burst("b", NOW))
        t0 = time.perf_counter()
        report = engine.cycle(NOW + timedelta(minutes=50))
        stored = engine.store.get("alerts", alert_id_for(_event_of(store, "b0"))) is not None
        latency = time.perf_counter() - t0

        posts = steady(steady_posts, size, random.Random(2))
        store.index_docs("posts", posts)
        t1 = time.perf_counter()
        steady_report = engine.cycle(NOW + timedelta(hours=1))
        steady_time = time.perf_counter() - t1

        t2 = time.perf_counter()
        engine.cycle(NOW + timedelta(hours=1, minutes=1))
        idle = time.perf_counter() - t2
        print(f"{size:>9} 篇帖子：批量写入 {load:.0f} 秒（{size / load:,.0f} 篇/秒）；"
              f"突发：入库→预警存储 {latency:.2f} 秒（预警已存储：{'是' if stored else '否'}，"
              f"新预警 {report.alerts_new} 条）；"
              f"新增 {len(posts)} 篇帖子、涉及 {steady_report.events} 个事件的一轮分析 {steady_time:.2f} 秒；"
              f"无新帖的一轮分析 {idle:.2f} 秒", flush=True)
    finally:
        store.delete_prefix()


def _event_of(store, post_id: str) -> str:
    return store.get("posts", post_id)["event_id"]


def main() -> None:
    from yuqing.cli._format import HelpFormatter, speak_chinese

    speak_chinese()  # argparse's own words (用法, 选项) too
    parser = argparse.ArgumentParser(
        description="预警基准：帖子入库到预警存储的时间，以及已有 N 篇帖子时一轮分析的用时",
        formatter_class=HelpFormatter)
    parser.add_argument("--sizes", type=int, nargs="+", default=[100_000, 1_000_000],
                        help="已入库的合成帖子数，可给多个，逐个测量（默认 100000 1000000）")
    parser.add_argument("--steady", type=int, default=1000, help="平稳轮次中新增的帖子数（默认 1000）")
    args = parser.parse_args()
    for size in args.sizes:
        run(size, args.steady)


if __name__ == "__main__":
    main()
