"""`yuqing kibana export`: saved objects (data views, visualizations, a dashboard) for Kibana 8.x."""

from __future__ import annotations

import sys


def register(subparsers) -> None:
    parser = subparsers.add_parser("kibana", help="导出 Kibana 8.x 保存对象（数据视图、可视化、仪表板）")
    inner = parser.add_subparsers(title="操作", metavar="<操作>")
    export = inner.add_parser("export", help="输出 NDJSON，可在 Kibana「Stack Management → 保存的对象 → 导入」中导入")
    export.add_argument("--prefix", help="索引前缀（默认取 YUQING_INDEX_PREFIX，即 yuqing）")
    export.set_defaults(func=_export)
    parser.set_defaults(func=lambda _args: parser.print_help() or 0)


def _export(args) -> int:
    from dashboards import kibana
    from yuqing import settings

    sys.stdout.write(kibana.to_ndjson(kibana.saved_objects(args.prefix or settings.index_prefix())))
    return 0
