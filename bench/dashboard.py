"""Benchmark: p50/p95 latency of each dashboard page's callback logic over N synthetic posts (default 1M).

    .venv/bin/python bench/dashboard.py [--posts N] [--runs R] [--es-url URL | --ephemeral]

Posts are generated (not enriched) with realistic field shapes and bulk-loaded under a throwaway index
prefix, which is deleted at the end. ``--ephemeral`` starts a private node on a free port in a temp dir
(like the test suite) instead of using ES_URL. A benchmark, not a test: it prints figures and asserts nothing.
"""

from __future__ import annotations

import argparse
import random
import shutil
import statistics
import sys
import tempfile
import time
import uuid
from datetime import UTC, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

SOURCES = [(f"src{n:02d}", f"信源{n:02d}", kind) for n, kind in enumerate(["news", "rss", "social", "board_html"] * 10)]
LEVELS = ["中央", "省级", "市级", "行业", "商业", "自媒体"]
CATEGORIES = ["食品安全", "药品/医疗器械/化妆品", "特种设备", "产品质量/召回", "消费维权/12315", "价格收费",
              "广告/虚假宣传", "网络交易", "执法作风"]
DISTRICTS = ["和平区", "河东区", "河西区", "南开区", "河北区", "红桥区", "东丽区", "西青区", "津南区", "北辰区"]
WORDS = ["预付卡", "退费", "健身房", "电梯", "故障", "食品", "过期", "外卖", "价格", "虚假宣传", "投诉", "商家",
         "消费者", "市场监管", "直播带货", "奶茶", "超市", "药店", "燃气", "维权", "幼儿园", "食堂", "召回"]
UNITS = ["食品安全监管处", "特种设备安全监察处", "价格监督检查处", "网络交易监管处", "消费者权益保护处"]
STATUSES = ["未回复", "办理中", "已办理", "已办理", "已办理"]
SHANGHAI = ZoneInfo("Asia/Shanghai")


def synthetic_posts(n: int, now: datetime, seed: int = 7):
    rng = random.Random(seed)
    for i in range(n):
        source, name, kind = rng.choice(SOURCES)
        published = now - timedelta(seconds=rng.randint(0, 90 * 86400))
        words = rng.sample(WORDS, 6)
        title = "".join(words[:3])
        content = "，".join(words) + "。" + "相关部门表示将依法处理。" * rng.randint(1, 4)
        district = rng.choice(DISTRICTS)
        label = rng.choices(["neg", "neu", "pos"], [0.3, 0.5, 0.2])[0]
        doc = {"id": f"p{i}", "url": f"https://example.cn/{source}/{i}.html", "source": source, "source_name": name,
               "source_kind": kind, "platform": "留言板" if kind == "board_html" else "新闻",
               "media_level": rng.choice(LEVELS), "title": title, "title_seg": " ".join(words[:3]),
               "content": content, "content_seg": " ".join(words), "published_at": published.isoformat(),
               "crawled_at": published.isoformat(), "categories": rng.sample(CATEGORIES, rng.randint(1, 2)),
               "keywords": words[:5], "region": {"province": "天津市", "city": "天津市", "district": district,
                                                 "path": f"天津市/{district}"},
               "sentiment": {"score": rng.random(), "label": label, "model": "bench"}}
        if i % 50 == 0:  # 2 % of posts belong to one of 300 events, in clusters of near-duplicates
            doc["event_id"] = f"e{(i // 50) % 300}"
            doc["cluster_id"] = f"c{(i // 50) % 3000}"
        if kind == "board_html":
            status = rng.choice(STATUSES)
            board = {"post_id": str(i), "channel": name, "addressee": rng.choice(UNITS), "status": status}
            if status == "已办理":
                board["reply_at"] = (published + timedelta(hours=rng.randint(2, 200))).isoformat()
            doc["board"] = board
        yield doc


def crawl_runs(now: datetime, per_source: int = 200):
    for source, name, kind in SOURCES:
        for k in range(per_source):
            at = now - timedelta(hours=k)
            yield {"id": f"{source}-{k}", "source": source, "source_name": name, "source_kind": kind,
                   "started_at": at.isoformat(), "items": 10, "errors": k % 3, "status": "ok", "pages": 3}


def alerts(now: datetime, n: int = 300):
    for i in range(n):
        rank = 1 + i % 4
        first = now - timedelta(hours=i)
        yield {"id": f"a{i}", "event_id": f"e{i}", "title": f"预警{i}", "level": "ⅠⅡⅢⅣ"[rank - 1], "level_rank": rank,
               "color": "红橙黄蓝"[rank - 1], "status": ["new", "acknowledged", "assigned", "closed"][i % 4],
               "first_alerted_at": first.isoformat(), "silenced": False, "post_count": 5,
               "owner_unit": UNITS[i % len(UNITS)], "acknowledged_at": (first + timedelta(hours=1)).isoformat(),
               "deadlines": [{"kind": "respond", "label": "回应", "due_at": (first + timedelta(hours=48)).isoformat()}]}


def load_parallel(store, n: int, now: datetime, threads: int):
    """Bulk-load n posts with ``threads`` writers, each over its own slice of the generated posts."""
    from concurrent.futures import ThreadPoolExecutor
    from itertools import islice

    from yuqing.store import BulkReport

    def part(k: int):
        rng_posts = synthetic_posts(n, now)
        return store.index_docs("posts", islice(rng_posts, k, None, threads), chunk_size=2000)

    total = BulkReport()
    with ThreadPoolExecutor(threads) as pool:
        for report in pool.map(part, range(threads)):
            total.created += report.created
            total.updated += report.updated
            total.failed += report.failed
    return total


def measure(name: str, func, runs: int) -> tuple[str, float, float]:
    func()  # warm the caches the way a second user would
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        func()
        times.append((time.perf_counter() - start) * 1000)
    times.sort()
    p95 = times[min(len(times) - 1, round(0.95 * (len(times) - 1)))]
    return name, statistics.median(times), p95


def main() -> int:
    from yuqing.cli._format import HelpFormatter, speak_chinese

    speak_chinese()  # argparse's own words (用法, 选项) too
    parser = argparse.ArgumentParser(
        description="看板基准：N 篇合成帖子（默认一百万）下各页面回调逻辑的 p50/p95 延迟，以及导出下载的用时",
        formatter_class=HelpFormatter)
    parser.add_argument("--posts", type=int, default=1_000_000, help="写入的合成帖子数（默认 1000000）")
    parser.add_argument("--runs", type=int, default=30, help="每项测量的次数（另有一次预热，默认 30）")
    parser.add_argument("--threads", type=int, default=1,
                        help="并行批量写入的线程数（各自生成全部帖子，只写自己那一份；默认 1）")
    parser.add_argument("--es-url", help="Elasticsearch 地址（不给时用 ES_URL 或本机节点）")
    parser.add_argument("--ephemeral", action="store_true",
                        help="在临时目录中启动一个专用节点（与测试套件相同），用完删除")
    args = parser.parse_args()

    from yuqing import esnode

    spec = base = None
    url = args.es_url
    if args.ephemeral:
        base = Path(tempfile.mkdtemp(prefix="yuqing-bench-es-"))
        base.chmod(0o755)
        spec = esnode.NodeSpec(port=esnode.free_port(), home=base / "node", heap="1g")
        esnode.start(spec, progress=lambda _m: None)
        url = spec.url
    try:
        return run(url, args)
    finally:
        if spec:
            esnode.stop(spec)
            shutil.rmtree(base, ignore_errors=True)


def run(url: str | None, args) -> int:
    from dashboards.app import create_app
    from yuqing.accounts import User
    from yuqing.columns import ljust
    from yuqing.store import connect

    store = connect(url, prefix=f"bench{uuid.uuid4().hex[:6]}")
    store.init()
    try:
        now = datetime.now(UTC)
        posts_index = store.concrete("posts", 1)
        store.client.indices.put_settings(index=posts_index, settings={"refresh_interval": "-1"})
        start = time.perf_counter()
        report = load_parallel(store, args.posts, now, args.threads)
        store.client.indices.put_settings(index=posts_index, settings={"refresh_interval": "1s"})
        store.refresh("posts")
        store.client.indices.forcemerge(index=posts_index, max_num_segments=1)
        load_s = time.perf_counter() - start
        store.index_docs("crawl-runs", crawl_runs(now), refresh=True)
        store.index_docs("alerts", alerts(now), refresh=True)
        print(f"已写入 {report.ok} 篇帖子，用时 {load_s:.0f} 秒（{report.ok / load_s:.0f} docs/s），"
              f"失败 {len(report.failed)} 篇")

        create_app(store)
        from dashboards.pages import alerts as alerts_page
        from dashboards.pages import boards, explore, sources

        week = explore.build_filter(since=(now - timedelta(days=7)).date().isoformat(),
                                    until=now.date().isoformat())
        filtered = explore.build_filter(media_levels=["中央", "省级"], categories=["食品安全"], sentiments=["neg"],
                                        regions=["天津市/东丽区"])
        month = explore.build_filter(since=(now - timedelta(days=explore.DEFAULT_DAYS - 1)).date().isoformat(),
                                     until=now.date().isoformat())
        cases = [
            ("检索 打开时的视图（近 30 天）", lambda: explore.search(store, None, month)),
            ("检索 全部帖子（趋势、排行、50 条结果）", lambda: explore.search(store, None, explore.build_filter())),
            ("检索 全文 '预付卡 退费'", lambda: explore.search(store, "预付卡 退费", explore.build_filter())),
            ("检索 全文 + 近 7 天", lambda: explore.search(store, "电梯故障", week)),
            ("检索 四项筛选", lambda: explore.search(store, None, filtered)),
            ("检索 导出链接（回调）", lambda: explore.export_query("食品", False, *[None] * 8)),
            ("留言板 渠道 × 办理状态", lambda: boards.channel_status_frame(store)),
            ("留言板 待办（500 条，按工作日）", lambda: boards.pending_posts(store, now)),
            ("留言板 待办计数（全部，按工作日）", lambda: boards.pending_summary(store, now)),
            ("留言板 各单位回复率", lambda: boards.unit_reply_frame(store)),
            ("信源 运行状况", lambda: sources.source_health(store, now)),
        ]
        if alerts_page.workflow is not None:
            from dashboards.pages import event, scorecard

            cases.append(("预警 列表", lambda: alerts_page.visible_alerts(store, User("b", "press"))))
            cases.append(("事件 概要（时间线、分布、相似帖簇）", lambda: event.event_posts_summary(store, "e7")))
            since, until = scorecard.period(None, None, now.astimezone(SHANGHAI).date())
            cases.append(("考核 30 天", lambda: scorecard.unit_scores(store, since, until, now)))
        def csv_first_page():  # the route's generator: the header, then the first page of rows
            chunks = explore.csv_chunks(store, "食品", explore.build_filter())
            next(chunks), next(chunks)
            chunks.close()  # closes the point in time, as a browser that stops reading does

        # Downloads (GET /export/posts.csv|xlsx, not callbacks): the first rows, and the whole file.
        downloads = [
            ("下载 CSV 1 万行：前 2,000 行", csv_first_page),
            ("下载 CSV 1 万行：整个文件", lambda: b"".join(explore.csv_chunks(store, "食品", explore.build_filter()))),
            ("下载 CSV 1 万行含正文：整个文件",
             lambda: b"".join(explore.csv_chunks(store, "食品", explore.build_filter(), body=True))),
            ("下载 Excel 1 万行：整个文件",
             lambda: explore.to_xlsx(explore.export_frame(store, "食品", explore.build_filter()))),
        ]
        print(f"{ljust('回调', 44)}{'p50 ms':>10}{'p95 ms':>10}   （每项 {args.runs} 次，{args.posts} 篇帖子）")
        for name, func in cases:
            label, p50, p95 = measure(name, func, args.runs)
            print(f"{ljust(label, 44)}{p50:>10.1f}{p95:>10.1f}")
        print(f"{ljust('下载（GET 请求，不是回调）', 44)}{'p50 ms':>10}{'p95 ms':>10}")
        for name, func in downloads:
            label, p50, p95 = measure(name, func, args.runs)
            print(f"{ljust(label, 44)}{p50:>10.1f}{p95:>10.1f}")
    finally:
        store.delete_prefix()
    return 0


if __name__ == "__main__":
    sys.exit(main())
