"""`yuqing sources check [FILE]`: validate a sources file without crawling; `yuqing sources list`;
`yuqing sources try NAME`: fetch a source's first page and a few articles and show what would be stored."""

from __future__ import annotations

import argparse
import sys

from yuqing.cli._types import http_url


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
    trying = commands.add_parser(
        "try",
        help="试抓一个来源：只看第一页列表和前几篇文章，显示将会入库的内容，什么都不写入",
        description="试抓一个来源（停用或未经实测的也可以）：按正式抓取的方式取它的第一页列表（或订阅源、"
        "站点地图、接口第一页）和前几篇文章，逐篇显示将会入库的字段、每个出错或未命中的选择器，以及下一页地址。"
        "不写入 Elasticsearch（也不需要它），不记录抓取状态。用来在启用来源前核对选择器。",
    )
    trying.add_argument("name", metavar="NAME", help="来源名（yuqing sources list 查看）")
    trying.add_argument("-n", "--articles", type=_articles, default=3, metavar="N",
                        help="最多抓取几篇文章（默认 3，最多 20；分页文章的后续页另计）")
    trying.add_argument("--sources", dest="sources_file", metavar="FILE",
                        help="来源配置文件（默认 config/sources.yaml；指定 --sandbox 时默认 config/sources.sandbox.yaml）")
    trying.add_argument("--sandbox", metavar="URL", type=http_url, help="沙盒站点地址（替换配置中的 {sandbox}）")
    trying.set_defaults(func=run_try)
    parser.set_defaults(func=lambda args: parser.print_help() or 0)


def _articles(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"应为 1–20 的整数: {text!r}") from None
    if not 1 <= value <= 20:
        raise argparse.ArgumentTypeError(f"应为 1–20 的整数: {text!r}")
    return value


def run_check(args: argparse.Namespace) -> int:
    from crawlers.sources import DEFAULT_FILE, load_sources

    loaded = load_sources(args.file or DEFAULT_FILE)
    enabled = len(loaded.enabled())
    untested = sum(1 for s in loaded.sources if s.untested)
    for _name, warning in loaded.warnings:  # loads, but most likely selects nothing
        print(f"提示：{warning}", file=sys.stderr)
    print(
        f"{loaded.path}: 共 {len(loaded.sources)} 个来源，启用 {enabled} 个，未经实测 {untested} 个；配置有效"
        + (f"（{len(loaded.warnings)} 条提示）" if loaded.warnings else "")
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


FIELDS = (("title", "标题"), ("published_at", "时间"), ("author", "作者"))
BOARD_FIELDS = (("post_id", "编号"), ("type", "类型"), ("addressee", "对象"), ("status", "状态"),
                ("area", "地区"), ("reply_unit", "答复单位"), ("reply_at", "答复时间"), ("reply", "答复"),
                ("satisfaction", "满意度"))
COUNTS = (("likes", "点赞"), ("comments", "评论"), ("shares", "转发"), ("views", "阅读"))


def run_try(args: argparse.Namespace) -> int:
    from crawlers.run import plan, trial
    from crawlers.sources import load_sources, sources_path
    from yuqing.crawl_labels import ADVISORY_KINDS, STATUS_LABELS, describe_errors, error_label, kind_label

    loaded = load_sources(sources_path(args.sources_file, args.sandbox), args.sandbox)
    source = loaded.get(args.name)
    plan([args.name], args.sources_file, args.sandbox, loaded=loaded)  # needs --sandbox: said before anything runs
    for name, warning in loaded.warnings:
        if name == source.name:
            print(f"提示：{warning}", file=sys.stderr)
    print(f"试抓 {source.name}（{source.display_name}，{kind_label(source.kind)}）：第一页，最多 {args.articles} 篇；"
          "不写入任何内容", flush=True)
    if source.untested:
        print("注意：此来源标为未经实测（untested），它的选择器从未在真实网站上检验过", flush=True)
    seen = trial(args.name, articles=args.articles, sources_file=args.sources_file, sandbox=args.sandbox,
                 settings={"LOG_LEVEL": "DEBUG" if args.verbose else "CRITICAL"}, loaded=loaded)
    for number, post in enumerate(seen.posts[: args.articles], 1):
        print(f"\n【{number}】{post.get('url')}")
        for key, label in FIELDS:
            value = post.get(key)
            print(f"  {label}：{_text(_when(value) if key == 'published_at' and value else value)}")
        content = post.get("content") or ""
        print(f"  正文：（{len(content)} 字）{_text(content, 120)}")
        board = post.get("board") or {}
        shown = [f"{label} {_text(_when(board[key]) if key == 'reply_at' else board[key], 40)}"
                 for key, label in BOARD_FIELDS if board.get(key)]
        if shown:
            print("  留言：" + "；".join(shown))
        counts = post.get("engagement") or {}
        shown = [f"{label} {counts[key]}" for key, label in COUNTS if counts.get(key) is not None]
        if shown:
            print("  互动：" + "，".join(shown))
    if len(seen.posts) > args.articles:
        print(f"\n（列表第一页共 {len(seen.posts)} 条，只显示前 {args.articles} 条）")
    if seen.errors:
        print("\n问题：")
        for kind, message in seen.errors:
            print(f"  {error_label(kind)}：{_text(message, 300)}")
    run = seen.run
    print(f"\n结果：页面 {run['pages']}，条目 {run['items']}，"
          f"{STATUS_LABELS.get(run['status'], run['status'])}" +
          (f"（{describe_errors(run['errors_by_kind'])}）" if run["errors_by_kind"] else ""))
    if seen.next_page:
        print(f"下一页：{seen.next_page}（试抓不翻页）")
    elif (source.kind in ("news", "board_html") and run["pages"] and not (source.list or {}).get("next")
          and not (source.list or {}).get("page_url")):
        print("下一页：未配置翻页（list.next 或 list.page_url），只会抓第一页")
    if seen.unread:
        print(f"未读：{seen.unread}")
    if any(kind == "selector_miss" for kind, _m in seen.errors):
        print("提示：未命中的选择器由通用抽取补上了；请核对上面的内容，修正来源配置中的选择器", file=sys.stderr)
    trouble = {k for k in run["errors_by_kind"] if k not in ADVISORY_KINDS}
    return 0 if seen.posts and not trouble else 1


def _when(value) -> str:
    """2024-03-11 16:24 (Beijing time, as stored) from an ISO time."""
    return str(value)[:16].replace("T", " ")


def _text(value, limit: int = 80) -> str:
    """One line of crawled text for the terminal: whitespace folded, cut at ``limit`` characters."""
    if value is None or value == "":
        return "—（空）"
    text = " ".join(str(value).split())
    return text if len(text) <= limit else text[:limit] + "…"
