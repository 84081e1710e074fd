"""`yuqing extract PAGE.html [--url URL]`: print the article of a saved page as JSON."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from yuqing.errors import YuqingError


def register(subparsers) -> None:
    parser = subparsers.add_parser(
        "extract",
        help="从保存的网页中抽取标题、正文、作者和发布时间（输出 JSON）",
        description="从保存的网页中抽取标题、正文、作者和发布时间，输出 JSON。"
        "自动识别编码（UTF-8、GBK/GB2312/GB18030，未声明或声明错误均可）。",
    )
    parser.add_argument("page", metavar="PAGE.html", help="保存的网页文件（- 表示从标准输入读取）")
    parser.add_argument("--url", help="网页原始地址（用于从地址中识别日期）")
    parser.add_argument("--encoding", help="服务器声明的字符集（仅作提示，与内容不符时自动纠正）")
    parser.add_argument("--indent", type=int, default=2, help="JSON 缩进空格数（默认 2，0 表示单行）")
    parser.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    from crawlers.extraction import extract, not_a_page

    if args.page == "-":
        body = sys.stdin.buffer.read()
    else:
        path = Path(args.page)
        if path.is_dir():
            raise YuqingError(f"{path} 是目录，不是网页文件")
        if not path.is_file():
            raise YuqingError(f"找不到网页文件: {path}")
        try:
            body = path.read_bytes()
        except OSError as exc:
            raise YuqingError(f"无法读取网页文件 {path}: {exc.strerror}") from None
    if not body.strip():
        raise YuqingError(f"网页文件为空: {args.page}")
    what = not_a_page(body)
    if what is not None:
        raise YuqingError(f"{args.page} 不是网页，是{what}：没有可抽取的标题和正文")
    article = extract(body, url=args.url, encoding=args.encoding)
    data = article.to_dict()
    output = {key: data[key] for key in ("title", "content", "author", "published_at")}
    output["encoding"] = data["encoding"]
    import json

    print(json.dumps(output, ensure_ascii=False, indent=args.indent or None))
    return 0
