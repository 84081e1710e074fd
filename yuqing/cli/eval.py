"""`yuqing eval NAME`: quality evaluations on real third-party data, with floors pinned in CI.

Each evaluation is a module with ``add_arguments(parser)`` and ``run(args) -> int``; keep its
top-level imports light, heavy work happens in ``run``.
"""

from __future__ import annotations

import importlib

EVALUATIONS = {
    "sentiment": ("analysis.sentiment.evaluate", "情感模型评测（领域模型 vs 原版 SnowNLP vs 多数类）"),
    "extraction": ("crawlers.extraction.evaluate", "正文/日期抽取评测（对比 trafilatura）"),
}


def register(subparsers) -> None:
    parser = subparsers.add_parser("eval", help="质量评测（情感、正文抽取），打印指标并检查下限")
    inner = parser.add_subparsers(title="评测", metavar="<评测>")
    for name, (module_name, help_text) in EVALUATIONS.items():
        sub = inner.add_parser(name, help=help_text)
        try:
            module = importlib.import_module(module_name)
        except ModuleNotFoundError as exc:
            if exc.name and module_name.startswith(exc.name):
                continue  # not built yet
            raise
        module.add_arguments(sub)
        sub.set_defaults(func=module.run)
    parser.set_defaults(func=lambda _args: parser.print_help() or 0)
