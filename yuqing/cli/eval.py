"""`yuqing eval NAME`: quality evaluations on real third-party data, with floors pinned in CI.

Each evaluation is a module with ``add_arguments(parser)`` and ``run(args) -> int``. It is imported only
when its evaluation runs, so a heavy or broken evaluation never slows down or breaks the rest of the CLI.
"""

from __future__ import annotations

import argparse
import importlib

EVALUATIONS = {
    "sentiment": ("analysis.sentiment.evaluate", "情感模型评测（领域模型 vs 原版 SnowNLP vs 多数类）"),
    "extraction": ("crawlers.extraction.evaluate", "正文/日期抽取评测（对比 trafilatura）"),
}


def register(subparsers) -> None:
    parser = subparsers.add_parser("eval", help="质量评测（情感、正文抽取），打印指标并检查下限")
    inner = parser.add_subparsers(title="评测", metavar="<评测>")
    for name, (module_name, help_text) in EVALUATIONS.items():
        sub = inner.add_parser(name, help=help_text, add_help=False)
        sub.set_defaults(func=_runner(name, module_name, help_text))
    parser.set_defaults(func=lambda _args: parser.print_help() or 0)


def _runner(name: str, module_name: str, help_text: str):
    def run(args) -> int:
        module = importlib.import_module(module_name)
        parser = argparse.ArgumentParser(prog=f"yuqing eval {name}", description=help_text)
        module.add_arguments(parser)
        return module.run(parser.parse_args(args.rest))

    run.passes_through = True  # type: ignore[attr-defined]
    return run
