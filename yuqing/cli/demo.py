"""`yuqing demo`: everything on this machine, with the sandbox scenarios unfolding in accelerated time.

Starts (or reuses) the local Elasticsearch, the sandbox web, the monitoring service and the dashboard,
creates demo accounts, then reports what arrives until Ctrl-C, which stops everything it started.
All processes share one simulated clock (YUQING_CLOCK), so the dashboard's countdowns, the alert
clocks and the crawlers' date checks agree with the sandbox's time.
"""

from __future__ import annotations

import contextlib
import os
import signal
import socket
import subprocess
import sys
import threading
import time
from dataclasses import dataclass
from datetime import datetime, timedelta

from yuqing import clock, esnode, settings
from yuqing.cli._types import port as port_number, seconds

DEMO_PASSWORD = "yuqing-demo"
DEMO_ACCOUNTS = [
    ("press", "press", "新闻发言人（预警、处置）", None),
    ("analyst", "analyst", "舆情分析员（检索、趋势）", None),
    ("leader", "leader", "局领导（日报、考核）", None),
    ("unit", "unit", "责任单位（河西区市场监管局）", "河西区市场监管局"),
    ("admin", "admin", "管理员（账号、方案、规则）", None),
]


STORY = "几分钟内：帖子陆续入库，小学食堂食物中毒事件先升为橙色（Ⅱ级）预警并开始 5 小时/24 小时倒计时，央媒报道后升为红色（Ⅰ级）。"
STORY_RESUMED = "接着上次的演示：已入库的帖子与预警保留，新的帖子随模拟时间到来。"


def _cli_environment() -> str:
    """The shell line that puts another terminal on the demo's simulated clock and node."""
    import shlex

    names = (clock.ENV, "ES_URL", "YUQING_INDEX_PREFIX")  # the prefix only when the demo runs on its own
    return "export " + " ".join(f"{name}={shlex.quote(os.environ[name])}" for name in names if os.environ.get(name))


def register(subparsers) -> None:
    parser = subparsers.add_parser("demo", help="演示：启动 Elasticsearch、沙盒网站、监测服务与看板，场景按加速时间展开")
    parser.add_argument("--port", type=port_number, help="本地 Elasticsearch 端口（默认 YUQING_ES_PORT 或 9200）")
    parser.add_argument("--dashboard-port", type=port_number, default=8050, help="看板端口（默认 8050）")
    parser.add_argument("--sandbox-port", type=port_number, default=8765, help="沙盒网站端口（默认 8765）")
    parser.add_argument("--health-port", type=port_number, default=9108, help="服务健康检查端口（默认 9108）")
    parser.add_argument("--speed", type=seconds, default=120.0, help="模拟时间倍速（默认 120：现实 1 分钟 = 模拟 2 小时）")
    parser.add_argument("--fresh", action="store_true", help="清空演示索引后重新开始")
    parser.add_argument("--minutes", type=seconds, help="运行指定分钟后自动退出（默认一直运行到 Ctrl-C）")
    parser.set_defaults(func=_demo)


def step(number: int, total: int, text: str) -> None:
    print(f"[{number}/{total}] {text}", flush=True)


@dataclass
class DemoConfig:
    """Every configuration file the demo uses, loaded and validated."""

    rules: object
    reloader: object
    service: object  # yuqing.service.app.ServiceConfig
    dispatcher: object


def validate_config(args, *, rules_path=None, schemes_path=None, notify_path=None,
                    sources_path=None) -> DemoConfig:
    """Load rules, schemes, clocks, notify and sources with the loaders `yuqing run` uses, before anything
    starts (a ConfigError names file:line). Paths default to the files under config/."""
    from analysis.clocks import load_policy
    from analysis.rules import RULES_PATH, SCHEMES_PATH, load_rules
    from yuqing.alerts.reload import RulesReloader
    from yuqing.notify import Dispatcher
    from yuqing.service.app import Service, ServiceConfig

    rules_path, schemes_path = rules_path or RULES_PATH, schemes_path or SCHEMES_PATH
    rules = load_rules(rules_path, schemes_path=schemes_path)
    load_policy()  # config/clocks.yaml: the alert clocks and the working-day calendar
    # Digests are downloaded from the dashboard or the CLI in the demo: no mail server to deliver them to.
    service = ServiceConfig(sources_file=sources_path, sandbox=f"http://127.0.0.1:{args.sandbox_port}",
                            crawl_tick=10, crawl_interval=30, analysis_interval=10,
                            health_port=args.health_port,
                            base_url=f"http://127.0.0.1:{args.dashboard_port}", digests=False)
    Service.check_sources(service)
    dispatcher = Dispatcher.from_config(notify_path) if notify_path else Dispatcher.from_config()
    return DemoConfig(rules, RulesReloader(rules_path, schemes_path), service, dispatcher)


def check_ports_free(ports: dict[int, str], host: str = "127.0.0.1") -> None:
    """YuqingError naming the first busy port (checked before anything starts; each bind is checked again)."""
    from yuqing.service.http import port_error

    for port, what in ports.items():
        with socket.socket() as probe:
            probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)  # as the servers bind
            try:
                probe.bind((host, port))
            except OSError as exc:
                raise port_error(exc, host, port, what) from None


def _demo(args) -> int:
    config = validate_config(args)
    try:
        check_ports_free({args.sandbox_port: "沙盒网站端口", args.dashboard_port: "看板端口",
                          args.health_port: "健康检查端口"})
    except BaseException:
        config.dispatcher.close()
        raise
    with contextlib.ExitStack() as running:
        running.callback(config.dispatcher.close)
        try:
            store, dashboard = _start(args, config, running)  # an error or Ctrl-C here stops what started
            _watch(store, dashboard, args)
        finally:
            print("\n正在停止 …", flush=True)
    print("已停止。", flush=True)
    return 0


def _start(args, config: DemoConfig, running: contextlib.ExitStack):
    """Steps 1–6; each component is registered in ``running`` as soon as it runs."""
    from yuqing.sandbox import SandboxServer, build_world
    from yuqing.sandbox.clock import SandboxClock
    from yuqing.service.app import Service
    from yuqing.service.http import port_error
    from yuqing.store import connect

    total = 6
    if not settings.get("ES_URL"):
        spec = esnode.default_spec(args.port)
        step(1, total, f"启动本地 Elasticsearch（数据目录 {spec.home}；首次需下载约 95 MB）…")
        if esnode.running_pid(spec) is None:  # started here: stopped on the way out (also if start-up fails)
            running.callback(esnode.stop, spec)
        url = esnode.start(spec, progress=lambda m: print(f"      {m}", flush=True))
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
    left, reached = (0, None) if args.fresh else earlier_demo(store)
    resumed = reached is not None and reached > sim_start
    if resumed:  # simulated time never runs backwards over posts already stored
        sim_start = reached.replace(second=0, microsecond=0)
        print(f"      索引中已有上次演示的 {left} 条沙盒帖子：模拟时间从上次停下的 {sim_start:%m-%d %H:%M} 继续。"
              f"要从头演示，请用 yuqing demo --fresh（清空演示索引）", flush=True)
    anchor = time.time()
    os.environ[clock.ENV] = clock.SimulatedClock(sim_start, anchor, args.speed).to_env()
    sandbox_clock = SandboxClock(sim_start, speed=args.speed, monotonic=lambda: time.time() - anchor)
    step(3, total, f"启动沙盒网站（模拟时间从 {sim_start:%Y-%m-%d %H:%M} 开始，{args.speed:g} 倍速）…")
    sandbox = SandboxServer(args.sandbox_port, clock=sandbox_clock, world=world)
    try:
        sandbox.start()
    except OSError as exc:
        raise port_error(exc, "127.0.0.1", args.sandbox_port, "沙盒网站端口") from None
    running.callback(sandbox.stop)

    step(4, total, "启动看板 …")
    log_dir = settings.data_dir() / "demo"
    log_dir.mkdir(parents=True, exist_ok=True)
    log_path = log_dir / "dashboard.log"
    with open(log_path, "ab") as log:  # a file, not a pipe: a full pipe would block gunicorn
        dashboard = subprocess.Popen([sys.executable, "-m", "yuqing", "dashboard", "--port",
                                      str(args.dashboard_port), "--workers", "2"],
                                     stdout=subprocess.DEVNULL, stderr=log, start_new_session=True)
    dashboard.log_path = log_path
    running.callback(_stop_dashboard, dashboard)

    step(5, total, "启动监测服务（定时抓取、分析预警、提醒、日报）…")
    service = Service(store, config.service, config.dispatcher, rules=config.rules, reloader=config.reloader)
    running.callback(service.stop, timeout=60)
    service.start()

    step(6, total, "就绪")
    print(f"""
  看板        {config.service.base_url}
  演示账号    {'、'.join(u for u, *_ in DEMO_ACCOUNTS)}（密码均为 {DEMO_PASSWORD}）
              press=新闻发言人，analyst=分析员，leader=局领导，unit=责任单位，admin=管理员
  沙盒网站    {sandbox.url}/
  服务健康    http://127.0.0.1:{args.health_port}/healthz  指标 /metrics
  看板日志    {log_path}
  日报下载    .venv/bin/yuqing digest daily --date {scenario:%Y-%m-%d} --format docx --out 日报.docx
  命令行      另开终端时先执行下面这行，yuqing alerts list 等命令才与演示用同一模拟时钟和节点:
              {_cli_environment()}

{STORY_RESUMED if resumed else STORY}
按 Ctrl-C 停止所有组件。
""", flush=True)
    return store, dashboard


def earlier_demo(store) -> tuple[int, datetime | None]:
    """How many sandbox posts an earlier demo left in the indices, and the simulated time its last one
    was crawled (None when there are none). Replaying the scenario from its start over them would run
    the clock backwards: every source would look crawled in the future and never come due again."""
    found = store.search("posts", {"prefix": {"source": "sandbox_"}}, size=1, source=["crawled_at"],
                         sort=[{"crawled_at": {"order": "desc", "unmapped_type": "date"}}])
    hits = found["hits"]["hits"]
    last = hits[0]["_source"].get("crawled_at") if hits else None
    return found["hits"]["total"]["value"], datetime.fromisoformat(last) if last else None


def _watch(store, dashboard, args) -> None:
    stop = threading.Event()
    for sig in (signal.SIGINT, signal.SIGTERM):
        signal.signal(sig, lambda *_: stop.set())
    deadline = time.monotonic() + args.minutes * 60 if args.minutes else None
    while not stop.wait(15):
        _report(store)
        if dashboard.poll() is not None:
            print(f"看板进程已退出（退出码 {dashboard.returncode}），日志 {dashboard.log_path}:\n"
                  f"{_tail(dashboard.log_path)}", file=sys.stderr)
            break
        if deadline and time.monotonic() > deadline:
            break


def _stop_dashboard(dashboard: subprocess.Popen) -> None:
    if dashboard.poll() is not None:
        return
    dashboard.send_signal(signal.SIGTERM)
    try:
        dashboard.wait(20)
    except subprocess.TimeoutExpired:
        dashboard.kill()


def _tail(path, chars: int = 800) -> str:
    try:
        return path.read_text(encoding="utf-8", errors="replace")[-chars:]
    except OSError:
        return ""


def _report(store) -> None:
    try:
        posts = store.count("posts")
        open_alerts = {"bool": {"must_not": [{"exists": {"field": "merged_into"}}, {"term": {"status": "closed"}}]}}
        alerts = store.search("alerts", open_alerts, size=5,
                              sort=[{"level_rank": "asc"}, {"first_alerted_at": "asc"}], track_total_hits=False)
    except Exception as exc:  # noqa: BLE001 - progress output must not stop the demo
        print(f"  （暂时无法读取进度: {exc}）", flush=True)
        return
    lines = [f"{a['_source'].get('color', '')}{a['_source'].get('level', '')} {a['_source'].get('title', '')}"
             for a in alerts["hits"]["hits"]]
    print(f"  模拟时间 {clock.now_local():%m-%d %H:%M}  帖子 {posts}  未办结预警: {'；'.join(lines) or '暂无'}",
          flush=True)
