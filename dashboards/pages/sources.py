"""信源: crawl health per source from the ``crawl-runs`` index — last run, items, errors by kind, staleness."""

from __future__ import annotations

from datetime import datetime, timedelta

import dash
import pandas as pd
from dash import Input, Output, dash_table, dcc, html

from analysis.clocks import format_duration
from dashboards.auth import guard_layout, guarded_callback
from dashboards.common import card, current_store, fmt_time, parse_time, stat
from dashboards.common import now as now_utc
from yuqing.crawl_labels import ADVISORY_KINDS, STATUS_LABELS, describe_errors, kind_label

ROLES = ("analyst", "press", "admin")
dash.register_page(__name__, path="/sources", name="信源", title="信源 · 政务舆情监测", order=4, roles=ROLES)

STALE_AFTER = timedelta(hours=24)  # no successful run for a day: the source is stale
LATE_AFTER = timedelta(hours=6)
WINDOW = timedelta(days=7)  # counted from the shared clock, not the node's: the demo runs in simulated time


def source_health(store, now: datetime, size: int = 200) -> pd.DataFrame:
    """One row per source: last run, its status, items and errors, 7-day totals and staleness."""
    aggs = {"s": {"terms": {"field": "source", "size": size}, "aggs": {
        "last": {"top_hits": {"size": 1, "sort": [{"started_at": "desc"}],
                              "_source": ["source_name", "source_kind", "started_at", "finished_at", "status",
                                          "items", "errors", "errors_by_kind", "pages", "duration_s"]}},
        "last_ok": {"filter": {"terms": {"status": ["ok", "partial"]}},
                    "aggs": {"at": {"max": {"field": "started_at"}}}},
        "week": {"filter": {"range": {"started_at": {"gte": (now - WINDOW).isoformat()}}},
                 "aggs": {"items": {"sum": {"field": "items"}}, "errors": {"sum": {"field": "errors"}}}},
    }}}
    result = store.search("crawl-runs", None, size=0, aggs=aggs, track_total_hits=False)
    rows = []
    for bucket in result["aggregations"]["s"]["buckets"]:
        last = bucket["last"]["hits"]["hits"][0]["_source"]
        ok_at = bucket["last_ok"]["at"].get("value_as_string") if bucket["last_ok"]["doc_count"] else None
        ok_time = parse_time(ok_at)
        age = now - ok_time if ok_time else None
        health = "stale" if age is None or age > STALE_AFTER else "late" if age > LATE_AFTER else "ok"
        if last.get("status") == "failed" and health == "ok":
            health = "late"
        rows.append({
            "source": bucket["key"], "name": last.get("source_name") or bucket["key"],
            "kind": kind_label(last.get("source_kind")), "last_run": fmt_time(last.get("started_at")),
            "status": STATUS_LABELS.get(last.get("status"), last.get("status") or ""),
            # faults only, from the kinds: runs stored before stop 19 counted the advisories in "errors"
            "items": last.get("items") or 0,
            "errors": sum(n for k, n in (last.get("errors_by_kind") or {}).items() if k not in ADVISORY_KINDS),
            "error_kinds": describe_errors(last.get("errors_by_kind"), advisory=False),
            "notices": describe_errors(last.get("errors_by_kind"), advisory=True),
            "runs": bucket["doc_count"], "items_7d": int(bucket["week"]["items"]["value"] or 0),
            "errors_7d": int(bucket["week"]["errors"]["value"] or 0),
            "last_ok": fmt_time(ok_at), "staleness": ("从未成功" if age is None else format_duration(age) + "前"),
            "health": health,
        })
    return pd.DataFrame(rows, columns=["source", "name", "kind", "last_run", "status", "items", "errors", "error_kinds", "notices", "runs",
                                       "items_7d", "errors_7d", "last_ok", "staleness", "health"])


@guard_layout(ROLES)
def layout(**_query):
    return html.Div(id="sources-page", className="page", children=[
        html.H2("信源采集健康"),
        dcc.Interval(id="sources-tick", interval=60_000),
        html.Div(id="sources-stats", className="stats"),
        card("各信源最近采集", html.Div(id="sources-table")),
    ])


HEALTH_LABELS = {"ok": "正常", "late": "延迟", "stale": "陈旧"}


@guarded_callback(Output("sources-stats", "children"), Output("sources-table", "children"),
                  Input("sources-tick", "n_intervals"), roles=ROLES)
def refresh(_tick):
    frame = source_health(current_store(), now_utc())
    if frame.empty:
        return [], html.P("还没有采集记录。运行 yuqing crawl 后这里会显示各信源的状态。", className="muted")
    counts = frame["health"].value_counts()
    stats = [stat("信源数", len(frame)), stat("正常", int(counts.get("ok", 0))),
             stat("延迟", int(counts.get("late", 0)), tone="warn" if counts.get("late") else ""),
             stat("陈旧（超过24小时未成功）", int(counts.get("stale", 0)), tone="bad" if counts.get("stale") else ""),
             stat("近7天采集条数", int(frame["items_7d"].sum())), stat("近7天错误", int(frame["errors_7d"].sum()))]
    data = frame.assign(health_label=frame["health"].map(HEALTH_LABELS)).to_dict("records")
    columns = [("name", "信源"), ("kind", "类型"), ("health_label", "健康"), ("last_run", "最近运行"),
               ("status", "结果"), ("items", "条数"), ("errors", "错误"), ("error_kinds", "错误分类"),
               ("notices", "提示（不算错误）"), ("items_7d", "7天条数"),
               ("errors_7d", "7天错误"), ("last_ok", "最近成功"), ("staleness", "距今")]
    table = dash_table.DataTable(
        id="sources-health", data=data, columns=[{"name": n, "id": i} for i, n in columns], sort_action="native",
        style_cell={"textAlign": "left", "fontSize": 13, "padding": "6px"},
        style_header={"fontWeight": "600", "backgroundColor": "#f3f6f9"},
        style_data_conditional=[
            {"if": {"filter_query": '{health} eq "stale"'}, "backgroundColor": "#fdecea", "color": "#a93226"},
            {"if": {"filter_query": '{health} eq "late"'}, "backgroundColor": "#fff6e0"},
            {"if": {"filter_query": "{errors} > 0", "column_id": "errors"}, "color": "#c0392b", "fontWeight": "600"}])
    return stats, table
