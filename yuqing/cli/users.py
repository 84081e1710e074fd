"""`yuqing users add|passwd|list`: dashboard accounts."""

from __future__ import annotations

import getpass
import os
import sys

from yuqing.columns import ljust
from yuqing.errors import YuqingError


def register(subparsers) -> None:
    parser = subparsers.add_parser("users", help="管理看板账号（新增、改密码、列表）")
    inner = parser.add_subparsers(title="操作", metavar="<操作>")

    roles = "press（新闻发言人/宣传）、analyst（舆情分析员）、leader（局领导）、unit（责任单位）、admin（管理员）"
    add = inner.add_parser("add", help="新增账号")
    add.add_argument("username", help="用户名（2–32 个字母、数字、汉字或 _ . -）")
    add.add_argument("--role", required=True, help=f"角色: {roles}；也可写中文名")
    add.add_argument("--unit", help="责任单位名称（角色为 unit 时必填）")
    add.add_argument("--name", default="", help="显示名，如 张三")
    add.add_argument("--password-stdin", action="store_true",
                     help="从标准输入读取密码（一行）；否则交互输入，或读取环境变量 YUQING_NEW_PASSWORD")
    add.set_defaults(func=_add)

    passwd = inner.add_parser("passwd", help="修改密码（该用户已登录的会话全部失效）")
    passwd.add_argument("username")
    passwd.add_argument("--password-stdin", action="store_true", help="从标准输入读取密码（一行）")
    passwd.set_defaults(func=_passwd)

    listing = inner.add_parser("list", help="列出账号")
    listing.set_defaults(func=_list)
    parser.set_defaults(func=lambda _args: parser.print_help() or 0)


def _read_password(args) -> str:
    if args.password_stdin:
        password = sys.stdin.readline().rstrip("\r\n")
    elif os.environ.get("YUQING_NEW_PASSWORD"):
        password = os.environ["YUQING_NEW_PASSWORD"]
    elif sys.stdin.isatty():
        password = getpass.getpass("密码: ")
        if getpass.getpass("再次输入密码: ") != password:
            raise YuqingError("两次输入的密码不一致")
    else:
        raise YuqingError("没有密码：请交互输入，或使用 --password-stdin，或设置 YUQING_NEW_PASSWORD")
    return password


def _store():
    from yuqing.accounts import ACCOUNT_INDEX_NAMES
    from yuqing.store import connect
    from yuqing.store.schema import INDICES

    store = connect()
    store.init([INDICES[name] for name in ACCOUNT_INDEX_NAMES])
    return store


def _add(args) -> int:
    from yuqing import accounts

    accounts.check_username(args.username)
    accounts.normalise_role(args.role)
    user = accounts.add_user(_store(), args.username, _read_password(args), args.role, unit=args.unit,
                             display_name=args.name)
    print(f"已新增账号 {user.username}: {user.label}")
    return 0


def _passwd(args) -> int:
    from yuqing import accounts

    store = _store()
    if accounts.get_user(store, args.username) is None:
        raise YuqingError(f"用户 {args.username} 不存在")
    accounts.set_password(store, args.username, _read_password(args))
    print(f"已修改 {args.username} 的密码，原有登录会话已失效")
    return 0


def _list(args) -> int:
    from yuqing import accounts

    users = accounts.list_users(_store())
    if not users:
        print("还没有账号。新增: yuqing users add 用户名 --role admin")
        return 0
    print(ljust("用户名", 18) + ljust("角色", 16) + ljust("单位", 18) + ljust("显示名", 12) + "状态")
    for user in users:
        print(ljust(user.username, 18) + ljust(user.role_label, 16) + ljust(user.unit or "-", 18)
              + ljust(user.display_name or "-", 12) + ("停用" if user.disabled else "正常"))
    return 0
