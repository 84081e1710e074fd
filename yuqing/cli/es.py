"""`yuqing es fetch|start|stop|status`: the local Elasticsearch node, or a check of ES_URL's cluster."""

from __future__ import annotations

import json

from yuqing import esnode, settings
from yuqing.cli._types import port


def register(subparsers) -> None:
    parser = subparsers.add_parser("es", help="管理本地 Elasticsearch 节点（fetch/start/stop/status）")
    inner = parser.add_subparsers(title="操作", metavar="<操作>")
    for name, func, text in [
        ("fetch", _fetch, "下载并解压 Elasticsearch（已缓存则跳过）"),
        ("start", _start, "启动本地节点并等待就绪（已运行则直接返回）"),
        ("stop", _stop, "停止本地节点"),
        ("status", _status, "节点健康时退出码为 0"),
    ]:
        sub = inner.add_parser(name, help=text)
        sub.add_argument("--port", type=port, help="HTTP 端口（默认 YUQING_ES_PORT 或 9200）")
        sub.add_argument("--data-dir", help="数据目录（默认 YUQING_DATA_DIR）")
        sub.set_defaults(func=func)
    parser.set_defaults(func=lambda _a: parser.print_help() or 0)


def _spec(args) -> esnode.NodeSpec:
    return esnode.default_spec(args.port, args.data_dir)


def _fetch(args) -> int:
    if settings.get("ES_URL"):
        print("已设置 ES_URL，无需下载本地 Elasticsearch。")
        return 0
    esnode.find_java()
    spec = _spec(args)
    home = esnode.fetch(spec.version, fallback=not spec.pinned)
    print(f"Elasticsearch 已就绪: {home}")
    return 0


def _start(args) -> int:
    if settings.get("ES_URL"):
        from yuqing.store import connect

        store = connect()
        print(f"已设置 ES_URL，使用已有集群 {store.describe()}，不启动本地节点。")
        return 0
    spec = _spec(args)
    url = esnode.start(spec)
    print(f"Elasticsearch 已就绪: {url}  （数据目录 {spec.home}）")
    return 0


def _stop(args) -> int:
    if settings.get("ES_URL"):
        print("已设置 ES_URL：不管理外部集群，未做任何操作。")
        return 0
    spec = _spec(args)
    print("已停止。" if esnode.stop(spec) else f"端口 {spec.port} 上没有由 yuqing 启动的节点。")
    return 0


def _status(args) -> int:
    if settings.get("ES_URL"):
        from yuqing.store import connect

        doc = connect().health()
        print(json.dumps(doc, ensure_ascii=False))
        return 0 if doc["status"] in ("green", "yellow") else 1
    spec = _spec(args)
    doc = esnode.health(spec.url)
    if not esnode.is_healthy(doc):
        print(f"未运行或不健康: {spec.url} {doc or ''}")
        return 1
    print(f"健康（{doc['status']}）: {spec.url}  活动分片 {doc.get('active_shards', 0)} 个")
    return 0
