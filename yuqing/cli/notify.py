"""`yuqing notify`: list the configured channels and send a test notice."""

from __future__ import annotations

import argparse

from yuqing.errors import YuqingError

HELP = "通知：查看通道配置、发送测试通知（邮件、钉钉、企业微信、飞书、Webhook）"
DESCRIPTION = """\
通知通道与路由在 config/notify.yaml 中配置（密钥放在环境变量中，用 *_env 引用）。

  yuqing notify list                      列出通道、状态与路由
  yuqing notify test                      向全部已启用的通道发送一条测试通知
  yuqing notify test --channel 名称        只发往该通道（不看路由）
  yuqing notify test --unit 单位 --level Ⅱ 按路由发送，检验某单位、某级别的通知会发往哪里
"""


def register(subparsers) -> None:
    parser = subparsers.add_parser(
        "notify", help=HELP, description=DESCRIPTION, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    actions = parser.add_subparsers(title="操作", metavar="<操作>")

    test = actions.add_parser("test", help="发送测试通知并报告每个通道的结果")
    test.add_argument(
        "--channel", metavar="NAME", action="append", help="只发往该通道（可重复）；默认发往全部已启用的通道"
    )
    test.add_argument(
        "--routed", action="store_true", help="按 routes 与 units 的路由发送（而非发往全部通道）"
    )
    test.add_argument("--unit", metavar="UNIT", help="测试通知的责任单位（加上该单位的邮箱与通道）")
    test.add_argument("--level", metavar="LEVEL", default="Ⅳ", help="测试通知的级别 Ⅰ–Ⅳ（默认 Ⅳ）")
    test.add_argument(
        "--kind", choices=("alert", "reminder", "digest"), default="alert", help="通知类型（默认 alert）"
    )
    _config_argument(test)
    test.set_defaults(func=_test)

    listing = actions.add_parser("list", help="列出通道、状态与路由")
    _config_argument(listing)
    listing.set_defaults(func=_list)
    parser.set_defaults(func=lambda _args: parser.print_help() or 0)


def _config_argument(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--config", metavar="PATH", default=None, help="通知配置文件（默认 config/notify.yaml）"
    )


def _load(args):
    from yuqing.notify import DEFAULT_PATH, Dispatcher

    return Dispatcher.from_config(args.config or DEFAULT_PATH)


def sample_notice(level: str | None, unit: str | None, kind: str, base_url: str | None):
    """The notice `yuqing notify test` sends."""
    from datetime import datetime

    from yuqing.notify import Notice
    from yuqing.notify.render import TZ

    now = datetime.now(TZ).strftime("%Y-%m-%d %H:%M")
    text = "\n".join(
        [
            "这是一条**测试通知**，用于检查通知通道是否配置正确，无需处理。",
            f"- 发送时间：{now}",
            f"- 责任单位：{unit}" if unit else "- 责任单位：（未指定）",
        ]
    )
    try:
        return Notice(
            title="舆情监测系统测试通知",
            text=text,
            level=None if kind == "digest" else level,
            url=base_url,
            unit=unit,
            kind=kind,
        )
    except ValueError:
        raise YuqingError(f"无效的级别 {level!r}", hint="可用 Ⅰ Ⅱ Ⅲ Ⅳ、I–IV、1–4 或 红橙黄蓝") from None


def _test(args) -> int:
    dispatcher = _load(args)
    config = dispatcher.config
    if args.channel:
        unknown = [name for name in args.channel if name not in config.channels]
        if unknown:
            raise YuqingError(
                f"未定义的通道: {'、'.join(unknown)}",
                hint=f"已定义: {'、'.join(config.channels) or '（无）'}（{config.path}）",
            )
        names: list[str] | None = args.channel
    elif args.routed:
        names = None
    else:
        names = [name for name, channel in config.channels.items() if channel.enabled]
    notice = sample_notice(args.level, args.unit, args.kind, config.base_url)
    results = dispatcher.send_now(notice, names)
    if not results:
        print("没有通道会收到这条通知（检查 routes、units 与 enabled）")
        return 1
    for result in results:
        channel = config.channels[result.channel]
        status = "成功" if result.ok else f"失败：{result.error}"
        print(f"{channel.describe()}：{status}（尝试 {result.attempts} 次）")
    return 0 if all(r.ok for r in results) else 1


def _list(args) -> int:
    from yuqing.notify.notice import LEVELS

    config = _load(args).config
    print(f"配置文件：{config.path}")
    print("通道：")
    for channel in config.channels.values():
        state = (
            "已停用" if not channel.enabled else (f"不可用：{channel.problem}" if channel.problem else "可用")
        )
        note = f" — {channel.config['description']}" if channel.config.get("description") else ""
        print(f"  {channel.describe()}：{state}{note}")
    print("路由：")
    for route in config.routes:
        units = f"，单位：{'、'.join(route.units)}" if route.units else ""
        levels = f"{LEVELS[route.min_rank - 1]}级及以上{units}"
        print(f"  {'、'.join(route.kinds)}（{levels}）→ {'、'.join(route.channels)}")
    if config.units:
        print("责任单位：")
        for unit in config.units.values():
            print(f"  {unit.name}：邮箱 {len(unit.emails)} 个；通道 {'、'.join(unit.route.channels) or '无'}")
    r = config.retry
    print(
        f"重试：最多 {r.attempts} 次，首次等待 {r.backoff_seconds:g} 秒，每次 ×{r.backoff_factor:g}，"
        f"上限 {r.max_backoff_seconds:g} 秒；超时 {r.timeout_seconds:g} 秒"
    )
    return 0
