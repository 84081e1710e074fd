"""`yuqing run`: the long-running monitoring service."""

from __future__ import annotations

import logging

from yuqing.cli._types import http_url, port, seconds
from yuqing.errors import YuqingError


def register(subparsers) -> None:
    parser = subparsers.add_parser("run", help="长期运行的监测服务：定时抓取、分析与预警、到期提醒、日报发送")
    parser.add_argument("--sources", dest="sources_file", metavar="FILE", help="来源配置文件（默认 config/sources.yaml）")
    parser.add_argument("--sandbox", metavar="URL", type=http_url, help="沙盒站点地址（演示用）")
    parser.add_argument("--source", action="append", dest="only", default=None, help="只抓取这些来源（可重复）")
    parser.add_argument("--crawl-interval", type=seconds, help="统一覆盖每个来源的抓取间隔（秒）")
    parser.add_argument("--analysis-interval", type=seconds, default=30.0, help="分析与预警周期（秒，默认 30）")
    parser.add_argument("--health-port", type=port, default=9108, help="健康检查与指标端口（默认 9108，0 表示随机）")
    parser.add_argument("--base-url", help="看板地址，用于通知中的链接")
    parser.add_argument("--notify", metavar="FILE", help="通知配置文件（默认 config/notify.yaml）")
    parser.add_argument("--rules", metavar="FILE", help="预警规则文件（默认 config/rules.yaml）")
    parser.add_argument("--worker", metavar="I/N",
                        help="多台机器分担抓取：本进程是 N 个中的第 I 个，只抓取分给它的来源（见 docs/scaling.md）")
    parser.add_argument("--no-analysis", action="store_true",
                        help="不运行分析与预警周期（多机部署时只抓取的机器用；见 docs/scaling.md）")
    parser.add_argument("--no-digests", action="store_true", help="不发送定时日报/周报")
    parser.add_argument("--once", action="store_true", help="每个任务执行一次后退出（用于定时任务或排障）")
    parser.add_argument("--text-logs", action="store_true", help="输出普通文本日志（默认 JSON 结构化日志）")
    parser.set_defaults(func=_run)


def _run(args) -> int:
    from analysis.rules import load_rules
    from crawlers.sharding import parse_worker
    from yuqing.alerts.reload import RulesReloader
    from yuqing.notify import Dispatcher
    from yuqing.service import logs
    from yuqing.service.app import Service, ServiceConfig
    from yuqing.service.http import HealthServer
    from yuqing.store import connect

    # Every configuration file is validated before anything starts (ConfigError names file:line).
    worker = parse_worker(args.worker) if args.worker else None
    rules = load_rules(args.rules) if args.rules else load_rules()
    reloader = RulesReloader(args.rules) if args.rules else RulesReloader()
    config = ServiceConfig(sources_file=args.sources_file, sandbox=args.sandbox, sources=args.only,
                           crawl_interval=args.crawl_interval, analysis_interval=args.analysis_interval,
                           health_port=args.health_port, base_url=args.base_url, worker=worker,
                           analysis=not args.no_analysis, digests=not args.no_digests)
    Service.check_sources(config)
    try:
        dispatcher = Dispatcher.from_config(args.notify) if args.notify else Dispatcher.from_config()
    except YuqingError:
        raise  # a broken notify.yaml is a configuration error: nothing starts
    if not args.text_logs:
        logs.configure(logging.INFO)
    health_server = None
    try:
        if not args.once:
            # Bound before Elasticsearch is contacted: a busy port stops here with one clear message.
            health_server = HealthServer(lambda: {"ok": False}, config.health_host, config.health_port)
        store = connect()
        store.init()
        service = Service(store, config, dispatcher, rules=rules, reloader=reloader)
        if health_server is not None:
            health_server.health = service.health
            service.health_server = health_server
    except BaseException:
        dispatcher.close()
        if health_server is not None:
            health_server.stop()
        raise
    if args.once:
        results = service.scheduler.run_once()
        if dispatcher is not None:
            dispatcher.close()
        for name, job in zip(results, service.scheduler.jobs):
            print(f"{name}: {'成功' if results[name] else '失败'} {job.last_result or job.last_error or ''}")
        return 0 if all(results.values()) else 1
    return service.run_until_signal()
