"""`yuqing demo`: everything on this machine, with the sandbox scenarios unfolding in accelerated time.

Starts (or reuses) the local Elasticsearch, the sandbox web, the monitoring service and the dashboard,
creates demo accounts, then reports what arrives until Ctrl-C, which stops everything it started.
All processes share one simulated clock (YUQING_CLOCK), so the dashboard's countdowns, the alert
clocks and the crawlers' date checks agree with the sandbox's time.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import threading
import time
from datetime import timedelta

from yuqing import clock, esnode, settings

DEMO_PASSWORD = "yuqing-demo"
DEMO_ACCOUNTS = [
    ("press", "press", "新闻发言人（预警、处置）", None),
    ("analyst", "analyst", "舆情分析员（检索、趋势）", None),
    ("leader", "leader", "局领导（日报、考核）", None),
    ("unit", "unit", "责任单位（河西区市场监管局）", "河西区市场监管局"),
    ("admin", "admin", "管理员（账号、方案、规则）", None),
]


def register(subparsers) -> None:
    parser = subparsers.add_parser("demo", help="演示：启动 Elasticsearch、沙盒网站、监测服务与看板，场景按加速时间展开")
    parser.add_argument("--port", type=int, help="本地 Elasticsearch 端口（默认 YUQING_ES_PORT 或 9200）")
    parser.add_argument("--dashboard-port", type=int, default=8050, help="看板端口（默认 8050）")
    parser.add_argument("--sandbox-port", type=int, default=8765, help="沙盒网站端口（默认 8765）")
    parser.add_argument("--health-port", type=int, default=9108, help="服务健康检查端口（默认 9108）")
    parser.add_argument("--speed", type=float, default=120.0, help="模拟时间倍速（默认 120：现实 1 分钟 = 模拟 2 小时）")
    parser.add_argument("--fresh", action="store_true", help="清空演示索引后重新开始")
    parser.add_argument("--minutes", type=float, help="运行指定分钟后自动退出（默认一直运行到 Ctrl-C）")
    parser.set_defaults(func=_demo)


def step(number: int, total: int, text: str) -> None:
    print(f"[{number}/{total}] {text}", flush=True)


def _demo(args) -> int:
    from yuqing.sandbox import SandboxServer, build_world
    from yuqing.sandbox.clock import SandboxClock
    from yuqing.store import connect

    total = 6
    started_node = None
    if not settings.get("ES_URL"):
        spec = esnode.default_spec(args.port)
        step(1, total, f"启动本地 Elasticsearch（数据目录 {spec.home}；首次需下载约 95 MB）…")
        already = esnode.running_pid(spec) is not None
        url = esnode.start(spec, progress=lambda m: print(f"      {m}", flush=True))
        started_node = None if already else spec
        store = connect(url)
        os.environ["ES_URL"] = url
    else:
        step(1, total, "使用 ES_URL 指定的集群")
        store = connect()
    if args.fresh:
        store.delete_prefix()
    step(2, total, "创建索引与演示账号 …")
    store.init()
    from yuqing import accounts

    existing = {u.username for u in accounts.list_users(store)}
    for username, role, _label, unit in DEMO_ACCOUNTS:
        if username not in existing:
            accounts.add_user(store, username, DEMO_PASSWORD, role, unit=unit, display_name=_label.split("（")[0])

    world = build_world()
    scenario = world.scenarios["food_poisoning"].start
    sim_start = scenario - timedelta(hours=1)
    anchor = time.time()
    os.environ[clock.ENV] = clock.SimulatedClock(sim_start, anchor, args.speed).to_env()
    sandbox_clock = SandboxClock(sim_start, speed=args.speed, monotonic=lambda: time.time() - anchor)
    step(3, total, f"启动沙盒网站（模拟时间从 {sim_start:%Y-%m-%d %H:%M} 开始，{args.speed:g} 倍速）…")
    sandbox = SandboxServer(args.sandbox_port, clock=sandbox_clock, world=world).start()

    step(4, total, "启动看板 …")
    dashboard_url = f"http://127.0.0.1:{args.dashboard_port}"
    dashboard = subprocess.Popen([sys.executable, "-m", "yuqing", "dashboard", "--port", str(args.dashboard_port),
                                  "--workers", "2"], stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
                                 start_new_session=True)

    step(5, total, "启动监测服务（定时抓取、分析预警、提醒、日报）…")
    from yuqing.alerts.reload import RulesReloader
    from yuqing.notify import Dispatcher
    from yuqing.service.app import Service, ServiceConfig

    # Digests are downloaded from the dashboard or the CLI in the demo: no mail server to deliver them to.
    config = ServiceConfig(sandbox=sandbox.url, crawl_tick=10, crawl_interval=30, analysis_interval=10,
                           health_port=args.health_port, base_url=dashboard_url, digests=False)
    service = Service(store, config, Dispatcher.from_config(), reloader=RulesReloader())
    service.start()

    step(6, total, "就绪")
    print(f"""
  看板        {dashboard_url}
  演示账号    {'、'.join(u for u, *_ in DEMO_ACCOUNTS)}（密码均为 {DEMO_PASSWORD}）
              press=新闻发言人，analyst=分析员，leader=局领导，unit=责任单位，admin=管理员
  沙盒网站    {sandbox.url}/
  服务健康    http://127.0.0.1:{args.health_port}/healthz  指标 /metrics
  日报下载    .venv/bin/yuqing digest daily --date {scenario:%Y-%m-%d} --format docx --out 日报.docx

几分钟内：帖子陆续入库，小学食堂食物中毒事件先升为橙色（Ⅱ级）预警并开始 5 小时/24 小时倒计时，央媒报道后升为红色（Ⅰ级）。
按 Ctrl-C 停止所有组件。
""", flush=True)

    stop = threading.Event()
    for sig in (signal.SIGINT, signal.SIGTERM):
        signal.signal(sig, lambda *_: stop.set())
    deadline = time.monotonic() + args.minutes * 60 if args.minutes else None
    try:
        while not stop.wait(15):
            _report(store)
            if dashboard.poll() is not None:
                print(f"看板进程已退出: {(dashboard.stderr.read() or '')[-800:]}", file=sys.stderr)
                break
            if deadline and time.monotonic() > deadline:
                break
    finally:
        print("\n正在停止 …", flush=True)
        service.stop(timeout=60)
        dashboard.send_signal(signal.SIGTERM)
        try:
            dashboard.wait(20)
        except subprocess.TimeoutExpired:
            dashboard.kill()
        sandbox.stop()
        if started_node is not None:
            esnode.stop(started_node)
        print("已停止。", flush=True)
    return 0


def _report(store) -> None:
    try:
        posts = store.count("posts")
        alerts = store.search("alerts", {"bool": {"must_not": [{"exists": {"field": "merged_into"}}]}}, size=5,
                              sort=[{"level_rank": "asc"}, {"first_alerted_at": "asc"}], track_total_hits=False)
    except Exception as exc:  # noqa: BLE001 - progress output must not stop the demo
        print(f"  （暂时无法读取进度: {exc}）", flush=True)
        return
    lines = [f"{a['_source'].get('color', '')}{a['_source'].get('level', '')} {a['_source'].get('title', '')}"
             for a in alerts["hits"]["hits"]]
    print(f"  模拟时间 {clock.now_local():%m-%d %H:%M}  帖子 {posts}  预警: {'；'.join(lines) or '暂无'}", flush=True)
