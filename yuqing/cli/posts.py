"""`yuqing load` and `yuqing search`: put posts in, find them again from the terminal."""

from __future__ import annotations

import json
import sys

from analysis.surrogates import scrub
from yuqing.cli._types import instant
from yuqing.errors import YuqingError
from yuqing.jsonlines import read_objects


def register(subparsers) -> None:
    parser = subparsers.add_parser("load", help="从 JSON Lines 文件批量写入帖子（每行一个对象）")
    parser.add_argument("files", nargs="+", help="JSON Lines 文件；- 表示标准输入")
    parser.set_defaults(func=_load)

    parser = subparsers.add_parser("search", help="中文全文检索帖子，显示高亮片段")
    parser.add_argument("query", nargs="?", default="", help="检索词，如 食品安全；留空列出最新帖子")
    parser.add_argument("--source", action="append", default=[], help="只看某个信源（可重复）")
    parser.add_argument("--kind", action="append", default=[], help="信源类型 news/rss/sitemap/board_html/board_api/social")
    parser.add_argument("--category", action="append", default=[], help="分类，如 食品安全")
    parser.add_argument("--since", type=instant, help="起始时间（如 2026-11-20 或 2026-11-20 08:00）")
    parser.add_argument("--until", type=instant, help="截止时间（不含）")
    parser.add_argument("-n", "--size", type=int, default=10, help="显示条数（默认 10）")
    parser.add_argument("--json", action="store_true", help="输出 JSON Lines")
    parser.set_defaults(func=_search)


MAX_ERRORS_SHOWN = 100  # a whole file in the wrong encoding fails on every line; the count says how many


def read_posts(handle, name: str, errors: list[str], lines: dict[str, int] | None = None):
    """Yield post dicts from JSON lines (bytes read as UTF-8); a bad line is recorded as
    'file:line: reason' and skipped. ``lines`` learns the line of each post under the keys the
    store names a refused post by (its document id, else its url or title)."""
    from yuqing.store.documents import post_id

    bad: list[tuple[int, str]] = []
    for number, post in read_objects(handle, bad):
        errors += [f"{name}:{number}: {reason}" for number, reason in bad]
        bad.clear()
        if lines is not None:
            for key in (post.get("url"), post.get("title")):
                if key:
                    lines[str(key)[:80]] = number
            try:
                lines[str(post.get("id") or post_id(post))] = number
            except (ValueError, TypeError):
                pass  # the store reports this post by its url or title
        yield post
    errors += [f"{name}:{number}: {reason}" for number, reason in bad]


def _load(args) -> int:
    from yuqing.store import connect

    store = connect()
    store.init()
    errors: list[str] = []
    created = updated = 0
    for name in args.files:  # a file that cannot be read is one error; the other files are still loaded
        try:
            handle = sys.stdin.buffer if name == "-" else open(name, "rb")
            lines: dict[str, int] = {}
            with handle:
                report = store.index_posts(read_posts(handle, name, errors, lines), refresh=True)
        except OSError as exc:
            errors.append(f"{name}: 无法读取: {exc.strerror or exc}")
            continue
        created += report.created
        updated += report.updated
        errors += [f"{name}:{lines[key]}: {reason}" if key in lines else f"{name}: 文档 {key}: {reason}"
                   for key, reason in report.failed]
    for error in errors[:MAX_ERRORS_SHOWN]:
        print(error, file=sys.stderr)
    if len(errors) > MAX_ERRORS_SHOWN:
        print(f"……另有 {len(errors) - MAX_ERRORS_SHOWN} 条错误未列出", file=sys.stderr)
    if any("不是 UTF-8 编码" in error for error in errors):
        print("提示: 其他编码（如 GBK）的文件请先转为 UTF-8（iconv -f GBK -t UTF-8）再写入一次；"
              "已写入的帖子只会更新，不会重复", file=sys.stderr)
    print(f"新增 {created} 篇，更新 {updated} 篇，失败 {len(errors)} 条")
    return 1 if errors else 0


def _search(args) -> int:
    from yuqing.notify.render import show_time
    from yuqing.store import connect, queries

    filters = queries.PostFilter(since=args.since, until=args.until, sources=args.source,
                                 source_kinds=args.kind, categories=args.category)
    if args.size < 1 or args.size > 1000:
        raise YuqingError("--size 应在 1 到 1000 之间")
    result = connect().search_posts(args.query or None, filters, size=args.size)
    total = result["hits"]["total"]["value"]
    hits = scrub(result["hits"]["hits"])  # posts stored before surrogates were replaced at the door
    if args.json:
        for hit in hits:
            print(json.dumps({**hit["_source"], "highlight": hit.get("highlight", {})}, ensure_ascii=False))
        return 0
    print(f"共 {total} 条结果" + (f"，显示前 {len(hits)} 条" if total > len(hits) else ""))
    for hit in hits:
        doc = hit["_source"]
        title = hit.get("highlight", {}).get("title", [doc.get("title", "")])[0]
        print(f"\n{_terminal(title)}")
        print(f"  {show_time(doc.get('published_at'))}  {doc.get('source_name') or doc.get('source', '')}  {doc.get('url', '')}")
        for fragment in hit.get("highlight", {}).get("content", [])[:2]:
            print(f"  …{_terminal(fragment)}…")
    return 0


def _terminal(fragment: str) -> str:
    """A highlighted fragment on one line (crawled text keeps its line breaks), matches in 【】."""
    return " ".join(fragment.split()).replace("<em>", "【").replace("</em>", "】")
