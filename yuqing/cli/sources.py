"""`yuqing sources check [FILE]`: validate a sources file without crawling; `yuqing sources list`."""

from __future__ import annotations

import argparse


def register(subparsers) -> None:
    parser = subparsers.add_parser(
        "sources", help="检查或列出抓取来源配置", description="检查或列出抓取来源配置（不会抓取任何页面）。"
    )
    commands = parser.add_subparsers(title="子命令", metavar="<子命令>")
    check = commands.add_parser(
        "check",
        help="校验来源配置文件（未知的键、类型错误、无效的选择器或地址都会报出 文件:行号）",
        description="校验来源配置文件：未知的键、错误的类型、无效的 CSS/XPath 选择器、无效的地址、"
        "未知的来源类型都会报错并指出 文件:行号。不会抓取任何页面。",
    )
    check.add_argument("file", nargs="?", metavar="FILE", help="来源配置文件（默认 config/sources.yaml）")
    check.set_defaults(func=run_check)
    listing = commands.add_parser("list", help="列出配置的来源")
    listing.add_argument("file", nargs="?", metavar="FILE", help="来源配置文件（默认 config/sources.yaml）")
    listing.set_defaults(func=run_list)
    parser.set_defaults(func=lambda args: parser.print_help() or 0)


def run_check(args: argparse.Namespace) -> int:
    from crawlers.sources import DEFAULT_FILE, load_sources

    loaded = load_sources(args.file or DEFAULT_FILE)
    enabled = len(loaded.enabled())
    untested = sum(1 for s in loaded.sources if s.untested)
    print(
        f"{loaded.path}: 共 {len(loaded.sources)} 个来源，启用 {enabled} 个，未经实测 {untested} 个；配置有效"
    )
    return 0


def run_list(args: argparse.Namespace) -> int:
    from crawlers.sources import DEFAULT_FILE, load_sources

    loaded = load_sources(args.file or DEFAULT_FILE)
    for s in loaded.sources:
        flags = ("" if s.enabled else " [停用]") + (" [未实测]" if s.untested else "")
        print(
            f"{s.name}\t{s.kind}\t{s.media_level}\t{s.region or '-'}\t每 {s.interval / 60:g} 分钟\t"
            f"{s.display_name}{flags}"
        )
    return 0
