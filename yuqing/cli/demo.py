"""`yuqing demo`: bring up everything on this machine and load demo data."""

from __future__ import annotations

import json
from importlib import resources

from yuqing import esnode, settings


def register(subparsers) -> None:
    parser = subparsers.add_parser("demo", help="演示：启动本地 Elasticsearch、建索引、加载示例帖子并给出检索示例")
    parser.add_argument("--port", type=int, help="本地节点端口（默认 YUQING_ES_PORT 或 9200）")
    parser.set_defaults(func=_demo)


def _demo(args) -> int:
    from yuqing.store import connect

    if not settings.get("ES_URL"):
        spec = esnode.default_spec(args.port)
        print(f"[1/3] 启动本地 Elasticsearch（数据目录 {spec.home}）…", flush=True)
        url = esnode.start(spec, progress=lambda m: print(f"      {m}", flush=True))
        store = connect(url)
    else:
        print("[1/3] 使用 ES_URL 指定的集群", flush=True)
        store = connect()
    print("[2/3] 创建索引模板与索引 …", flush=True)
    store.init()
    print("[3/3] 加载示例帖子 …", flush=True)
    text = resources.files("yuqing.demo").joinpath("sample_posts.jsonl").read_text(encoding="utf-8")
    posts = [json.loads(line) for line in text.splitlines() if line.strip()]
    report = store.index_posts(posts, refresh=True)
    print(f"      {report}")
    env = "" if settings.get("ES_URL") or not args.port else f"YUQING_ES_PORT={args.port} "
    print("\n完成。试试:")
    print(f"  {env}.venv/bin/yuqing search 食品安全")
    print(f"  {env}.venv/bin/yuqing search 电梯 --since 2026-11-21")
    print(f"  curl '{store.url.rstrip('/')}/{store.alias('posts')}/_search?q=categories:食品安全&pretty'")
    print("停止本地节点: .venv/bin/yuqing es stop")
    return 0
