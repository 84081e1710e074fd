"""`yuqing dashboard`: serve the Dash app with gunicorn."""

from __future__ import annotations

import os
import shutil
import sys

from yuqing.cli._types import port
from yuqing.errors import YuqingError


def register(subparsers) -> None:
    parser = subparsers.add_parser("dashboard", help="启动舆情看板（gunicorn）")
    parser.add_argument("--port", type=port, default=8050, help="监听端口（默认 8050）")
    parser.add_argument("--host", default="127.0.0.1", help="监听地址（默认 127.0.0.1；对外服务请放在 HTTPS 反向代理之后）")
    parser.add_argument("--workers", type=int, default=2, help="工作进程数（默认 2）")
    parser.add_argument("--timeout", type=int, default=60, help="单个请求超时秒数（默认 60）")
    parser.set_defaults(func=_serve)


def gunicorn_argv(args) -> list[str]:
    if not 1 <= args.port <= 65535:
        raise YuqingError(f"端口 {args.port} 无效，应在 1–65535 之间")
    if not 1 <= args.workers <= 64:
        raise YuqingError(f"--workers {args.workers} 无效，应在 1–64 之间")
    return [sys.executable, "-m", "gunicorn", "--bind", f"{args.host}:{args.port}", "--workers", str(args.workers),
            "--timeout", str(args.timeout), "--access-logfile", "-", "dashboards.app:server"]


def _serve(args) -> int:
    from yuqing.store import connect
    from yuqing.store.schema import INDICES

    store = connect()  # fail here, with a clear message, when Elasticsearch is down
    store.init([INDICES["users"], INDICES["sessions"]])
    from yuqing import accounts

    if not accounts.list_users(store):
        print("提示: 还没有账号，先运行 yuqing users add 用户名 --role admin", file=sys.stderr)
    argv = gunicorn_argv(args)
    print(f"看板地址: http://{args.host}:{args.port}/", file=sys.stderr)
    if shutil.which(argv[0]) is None:
        raise YuqingError("找不到 Python 解释器")
    os.execv(argv[0], argv)
    return 0
