"""Kibana 8.x saved objects: data views for posts, events and alerts, aggregation visualizations and one
dashboard, as NDJSON for Stack Management → Saved objects → Import.

Data views point at the aliases (``{prefix}-posts`` …) so a mapping migration does not break them.
``schema_errors`` checks the objects against our JSON schema (``kibana_schema.json``, a small subset of
JSON Schema checked by :func:`validate`); ``aggregated_fields`` lists what each visualization aggregates on
so tests can check it against the node's ``_field_caps``.
"""

from __future__ import annotations

import json
import re
from pathlib import Path

from yuqing.store.schema import TIME_FIELDS

SCHEMA_PATH = Path(__file__).with_name("kibana_schema.json")
DATA_VIEWS = {"posts": "帖子", "events": "事件", "alerts": "预警"}
CORE_VERSION = "8.8.0"
TYPE_VERSIONS = {"index-pattern": "8.0.0", "visualization": "8.5.0", "dashboard": "8.7.0"}
INDEX_REF = "kibanaSavedObjectMeta.searchSourceJSON.index"

# (id, title, data view, chart type, aggregations): (agg type, schema, field, extra params)
VISUALIZATIONS = [
    ("yuqing-vis-posts-volume", "帖子声量（按情感）", "posts", "histogram",
     [("date_histogram", "segment", "published_at", {"interval": "auto"}),
      ("terms", "group", "sentiment.label", {"size": 3})]),
    ("yuqing-vis-posts-media", "媒体级别分布", "posts", "pie", [("terms", "segment", "media_level", {"size": 10})]),
    ("yuqing-vis-posts-sources", "主要信源", "posts", "table", [("terms", "bucket", "source_name", {"size": 20})]),
    ("yuqing-vis-posts-categories", "分类分布", "posts", "horizontal_bar",
     [("terms", "segment", "categories", {"size": 15})]),
    ("yuqing-vis-posts-board", "留言办理状态", "posts", "pie", [("terms", "segment", "board.status", {"size": 5})]),
    ("yuqing-vis-events-timeline", "事件（按最近出现时间）", "events", "histogram",
     [("date_histogram", "segment", "last_seen", {"interval": "auto"})]),
    ("yuqing-vis-events-categories", "事件分类", "events", "table", [("terms", "bucket", "categories", {"size": 15})]),
    ("yuqing-vis-alerts-level", "预警级别", "alerts", "pie", [("terms", "segment", "level", {"size": 4})]),
    ("yuqing-vis-alerts-status", "预警办理状态", "alerts", "horizontal_bar",
     [("terms", "segment", "status", {"size": 5})]),
]
DASHBOARD_ID = "yuqing-dashboard-overview"


def data_view_id(name: str) -> str:
    return f"yuqing-dv-{name}"


def _data_view(prefix: str, name: str) -> dict:
    return {"id": data_view_id(name), "type": "index-pattern", "coreMigrationVersion": CORE_VERSION,
            "typeMigrationVersion": TYPE_VERSIONS["index-pattern"], "references": [],
            "attributes": {"title": f"{prefix}-{name}", "name": f"舆情·{DATA_VIEWS[name]}",
                           "timeFieldName": TIME_FIELDS[name]}}


def _search_source() -> str:
    return json.dumps({"query": {"query": "", "language": "kuery"}, "filter": [], "indexRefName": INDEX_REF},
                      ensure_ascii=False)


def _vis_state(title: str, chart: str, aggs: list[tuple]) -> dict:
    states = [{"id": "1", "enabled": True, "type": "count", "schema": "metric", "params": {}}]
    for n, (kind, schema, fld, extra) in enumerate(aggs, start=2):
        params = {"field": fld, **extra}
        if kind == "terms":
            params.setdefault("order", "desc")
            params.setdefault("orderBy", "1")
        states.append({"id": str(n), "enabled": True, "type": kind, "schema": schema, "params": params})
    params = {"type": chart, "addTooltip": True, "addLegend": True}
    if chart == "table":
        params = {"perPage": 10, "showPartialRows": False, "showMetricsAtAllLevels": False}
    if chart == "pie":
        params.update(isDonut=True, legendPosition="right")
    return {"title": title, "type": chart, "params": params, "aggs": states}


def _visualization(vis_id: str, title: str, name: str, chart: str, aggs: list[tuple]) -> dict:
    return {"id": vis_id, "type": "visualization", "coreMigrationVersion": CORE_VERSION,
            "typeMigrationVersion": TYPE_VERSIONS["visualization"],
            "references": [{"name": INDEX_REF, "type": "index-pattern", "id": data_view_id(name)}],
            "attributes": {"title": title, "description": "", "uiStateJSON": "{}", "version": 1,
                           "visState": json.dumps(_vis_state(title, chart, aggs), ensure_ascii=False),
                           "kibanaSavedObjectMeta": {"searchSourceJSON": _search_source()}}}


def _dashboard() -> dict:
    panels, references = [], []
    for n, (vis_id, *_rest) in enumerate(VISUALIZATIONS):
        ref = f"panel_{n}"
        panels.append({"version": CORE_VERSION, "type": "visualization", "panelIndex": str(n + 1),
                       "gridData": {"x": (n % 2) * 24, "y": (n // 2) * 15, "w": 24, "h": 15, "i": str(n + 1)},
                       "embeddableConfig": {}, "panelRefName": ref})
        references.append({"name": ref, "type": "visualization", "id": vis_id})
    return {"id": DASHBOARD_ID, "type": "dashboard", "coreMigrationVersion": CORE_VERSION,
            "typeMigrationVersion": TYPE_VERSIONS["dashboard"], "references": references,
            "attributes": {"title": "政务舆情总览", "description": "帖子、事件与预警（由 yuqing kibana export 生成）",
                           "panelsJSON": json.dumps(panels, ensure_ascii=False),
                           "optionsJSON": json.dumps({"useMargins": True, "hidePanelTitles": False}),
                           "timeRestore": True, "timeFrom": "now-30d", "timeTo": "now", "refreshInterval":
                               {"pause": True, "value": 0}, "version": 1,
                           "kibanaSavedObjectMeta": {"searchSourceJSON": json.dumps(
                               {"query": {"query": "", "language": "kuery"}, "filter": []})}}}


def saved_objects(prefix: str) -> list[dict]:
    """Every object, data views first (Kibana resolves references in file order on import)."""
    return ([_data_view(prefix, name) for name in DATA_VIEWS]
            + [_visualization(*vis) for vis in VISUALIZATIONS] + [_dashboard()])


def to_ndjson(objects: list[dict]) -> str:
    return "".join(json.dumps(obj, ensure_ascii=False, sort_keys=True) + "\n" for obj in objects)


def aggregated_fields(objects: list[dict]) -> dict[str, set[str]]:
    """Data view title → fields that visualizations aggregate on."""
    titles = {o["id"]: o["attributes"]["title"] for o in objects if o["type"] == "index-pattern"}
    out: dict[str, set[str]] = {title: set() for title in titles.values()}
    for obj in objects:
        if obj["type"] != "visualization":
            continue
        view = next(r["id"] for r in obj["references"] if r["name"] == INDEX_REF)
        for agg in json.loads(obj["attributes"]["visState"])["aggs"]:
            if "field" in agg["params"]:
                out[titles[view]].add(agg["params"]["field"])
    return out


# --------------------------------------------------------------------------- schema check
def validate(instance, schema: dict, path: str = "$") -> list[str]:
    """Errors of ``instance`` against a JSON Schema subset: type, enum, const, pattern, required,
    properties, additionalProperties (false), items, minItems, minLength."""
    errors: list[str] = []
    kind = schema.get("type")
    types = {"object": dict, "array": list, "string": str, "boolean": bool, "integer": int, "number": (int, float)}
    if kind and not (isinstance(instance, types[kind]) and not (kind in ("integer", "number") and
                                                                isinstance(instance, bool))):
        return [f"{path}: 应为 {kind}"]
    if "const" in schema and instance != schema["const"]:
        errors.append(f"{path}: 应为 {schema['const']!r}")
    if "enum" in schema and instance not in schema["enum"]:
        errors.append(f"{path}: {instance!r} 不在 {schema['enum']}")
    if isinstance(instance, str):
        if "pattern" in schema and not re.search(schema["pattern"], instance):
            errors.append(f"{path}: {instance!r} 不匹配 {schema['pattern']}")
        if len(instance) < schema.get("minLength", 0):
            errors.append(f"{path}: 太短")
    if isinstance(instance, dict):
        for key in schema.get("required", []):
            if key not in instance:
                errors.append(f"{path}: 缺少 {key}")
        properties = schema.get("properties", {})
        for key, value in instance.items():
            if key in properties:
                errors += validate(value, properties[key], f"{path}.{key}")
            elif schema.get("additionalProperties") is False:
                errors.append(f"{path}: 多余的键 {key}")
    if isinstance(instance, list):
        if len(instance) < schema.get("minItems", 0):
            errors.append(f"{path}: 至少 {schema['minItems']} 项")
        if "items" in schema:
            for n, item in enumerate(instance):
                errors += validate(item, schema["items"], f"{path}[{n}]")
    return errors


def schema_errors(ndjson: str) -> list[str]:
    """Every problem of an export file: bad JSON lines, schema violations, dangling references, JSON strings."""
    schema = json.loads(SCHEMA_PATH.read_text(encoding="utf-8"))
    errors, objects = [], []
    for number, line in enumerate(ndjson.splitlines(), 1):
        try:
            obj = json.loads(line)
        except json.JSONDecodeError as exc:
            errors.append(f"第 {number} 行: 不是合法的 JSON（{exc.msg}）")
            continue
        errors += [f"第 {number} 行 {e}" for e in validate(obj, schema["object"])]
        kind_schema = schema["types"].get(obj.get("type"))
        if kind_schema:
            errors += [f"第 {number} 行 {e}" for e in validate(obj.get("attributes"), kind_schema, "$.attributes")]
        for key in ("visState", "panelsJSON", "optionsJSON", "uiStateJSON"):
            if key in obj.get("attributes", {}):
                try:
                    json.loads(obj["attributes"][key])
                except (TypeError, json.JSONDecodeError):
                    errors.append(f"第 {number} 行: attributes.{key} 不是 JSON 字符串")
        objects.append(obj)
    known = {(o.get("type"), o.get("id")) for o in objects}
    for obj in objects:
        for ref in obj.get("references", []):
            if (ref.get("type"), ref.get("id")) not in known:
                errors.append(f"{obj.get('id')}: 引用了不存在的 {ref.get('type')} {ref.get('id')}")
    return errors
