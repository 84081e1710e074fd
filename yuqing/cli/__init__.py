"""The `yuqing` command line: one program, a subcommand per task.

Each module in this package that defines ``register(subparsers)`` adds its
subcommands; the module list is discovered, so adding a command means adding
a module here and nothing else. A command's handler is stored with
``parser.set_defaults(func=handler)`` and returns an exit code.
"""

from __future__ import annotations

import argparse
import importlib
import logging
import os
import pkgutil
import sys

from yuqing import __version__
from yuqing.cli import _format
from yuqing.errors import YuqingError

DESCRIPTION = """\
yuqing — 政务舆情监测（市场监管）

常用命令:
  yuqing demo              演示：启动全部组件，沙盒场景按加速时间展开（Ctrl-C 停止）
  yuqing es start          启动本地 Elasticsearch（未设置 ES_URL 时）
  yuqing init              创建索引模板与索引（可重复执行）
  yuqing crawl             按来源配置抓取一次
  yuqing run               长期运行的监测服务（抓取、预警、提醒、日报）
  yuqing dashboard         启动看板
  yuqing <命令> --help      查看某个命令的说明

连接已有集群: 设置 ES_URL（以及 ES_USERNAME/ES_PASSWORD 或 ES_API_KEY、ES_CA_CERTS）。
"""


def build_parser() -> argparse.ArgumentParser:
    _format.speak_chinese()
    parser = argparse.ArgumentParser(
        prog="yuqing", description=DESCRIPTION, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--version", action="version", version=f"yuqing {__version__}",
                        help="显示版本号并退出")
    parser.add_argument("-v", "--verbose", action="store_true", help="输出调试日志")
    subparsers = parser.add_subparsers(title="命令", metavar="<命令>")
    for info in sorted(pkgutil.iter_modules(__path__), key=lambda m: m.name):
        module = importlib.import_module(f"{__name__}.{info.name}")
        register = getattr(module, "register", None)
        if register is not None:
            register(subparsers)
    _format.apply(parser)  # Chinese help wrapped to the terminal's width
    return parser


def _quiet_baselines(record: logging.LogRecord) -> bool:
    return not record.name.startswith(("trafilatura", "htmldate", "courlan"))


def main(argv: list[str] | None = None) -> int:
    parser = build_parser()
    args, extra = parser.parse_known_args(argv)
    if getattr(args, "func", None) is not None and getattr(args.func, "passes_through", False):
        args.rest = list(getattr(args, "rest", None) or []) + extra  # parsed by the command itself
    elif extra:
        parser.error(f"无法识别的参数: {' '.join(extra)}")
    logging.basicConfig(
        level=logging.DEBUG if args.verbose else logging.WARNING,
        format="%(asctime)s %(levelname)s %(name)s: %(message)s",
    )
    if not args.verbose:
        # The client logs each retry with a traceback; our own error message says what went wrong.
        logging.getLogger("elastic_transport").setLevel(logging.CRITICAL)
        # The extraction baselines (scored by `eval extraction`) warn about every page whose
        # declared charset they distrust; their figures are the point, not their complaints.
        # A handler filter, since trafilatura resets htmldate's level when it is imported.
        for handler in logging.getLogger().handlers:
            handler.addFilter(_quiet_baselines)
    func = getattr(args, "func", None)
    if func is None:
        parser.print_help()
        return 0
    try:
        return int(func(args) or 0)
    except YuqingError as exc:
        print(f"错误: {exc}", file=sys.stderr)
        return exc.exit_code
    except KeyboardInterrupt:
        print("已中断", file=sys.stderr)
        return 130
    except BrokenPipeError:  # the reader stopped early (yuqing … | head): no traceback
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())  # the exit flush has nowhere to go
        return 141  # as a shell reports a command ended by SIGPIPE
