"""`yuqing init` and `yuqing migrate`: index templates, versioned indices behind aliases."""

from __future__ import annotations

from yuqing.errors import YuqingError


def register(subparsers) -> None:
    parser = subparsers.add_parser("init", help="创建索引模板、版本化索引与别名（可重复执行）")
    parser.set_defaults(func=_init)
    parser = subparsers.add_parser("migrate", help="映射升级后把数据迁移到新版本索引并切换别名")
    parser.add_argument("names", nargs="*", help="要迁移的索引（默认：所有需要迁移的）")
    parser.set_defaults(func=_migrate)


def _init(_args) -> int:
    from yuqing.store import connect

    store = connect()
    report = store.init()
    for index in report.created:
        print(f"已创建 {index}")
    for index in report.existing:
        print(f"已存在 {index}")
    for name in report.need_migration:
        print(f"需要迁移 {store.alias(name)}：请运行 `yuqing migrate {name}`")
    return 0


def _migrate(args) -> int:
    from yuqing.store import connect
    from yuqing.store.schema import INDICES

    store = connect()
    names = args.names or [n for n, d in INDICES.items() if (store.alias_version(n) or d.version) < d.version]
    unknown = [n for n in names if n not in INDICES]
    if unknown:
        raise YuqingError(f"未知的索引 {', '.join(unknown)}（可选: {', '.join(INDICES)}）")
    if not names:
        print("所有索引都是最新版本，无需迁移。")
    for name in names:
        definition = INDICES[name]
        copied, total = store.migrate(
            definition, progress=lambda n, t: print(f"\r  {name}: {n}/{t}", end="", flush=True))
        print(f"\r{store.alias(name)} → v{definition.version}：复制 {copied} 篇，新索引共 {total} 篇")
    return 0
