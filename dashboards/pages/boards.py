"""留言板: posts per channel by status, replies due and overdue in working days, reply rate per unit."""

from __future__ import annotations

import functools
from datetime import date, datetime, time

import dash
import pandas as pd
from dash import Input, Output, dash_table, dcc, html

from analysis import clocks
from dashboards import figures
from dashboards.auth import guard_layout, guarded_callback
from dashboards.common import SHANGHAI, card, current_store, fmt_time, parse_time, stat
from dashboards.common import now as now_utc
from yuqing.store import queries

ROLES = ("analyst", "press", "leader", "unit", "admin")
dash.register_page(__name__, path="/boards", name="留言板", title="留言板 · 政务舆情监测", order=3, roles=ROLES)

REPLIED = "已办理"
BOARD_POSTS = {"exists": {"field": "board.channel"}}
PENDING_LIMIT = 500


@functools.lru_cache(maxsize=1)
def policy() -> clocks.ClockPolicy:
    return clocks.load_policy()


def channel_status_frame(store, extra: list[dict] | None = None) -> pd.DataFrame:
    """Posts per channel and status (one terms aggregation with a sub-aggregation)."""
    query = {"bool": {"filter": [BOARD_POSTS, *(extra or [])]}}
    aggs = {"c": {"terms": {"field": "board.channel", "size": 50}, "aggs": {"s": queries.terms_agg("board.status", 10)}}}
    result = store.search("posts", query, size=0, aggs=aggs, track_total_hits=False)
    name = policy().channel_name
    rows = [{"channel": name(c["key"]), "status": s["key"], "count": s["doc_count"]}
            for c in result["aggregations"]["c"]["buckets"] for s in c["s"]["buckets"]]
    return pd.DataFrame(rows, columns=["channel", "status", "count"])


def reply_deadline(post: dict, pol: clocks.ClockPolicy) -> clocks.Deadline:
    """The stored due time, else the channel's configured limit, else the default working days."""
    board = post.get("board") or {}
    stored = parse_time(board.get("due_at"))
    posted = parse_time(post.get("published_at"))
    deadline = _channel_deadline(str(board.get("channel") or ""), posted.astimezone(SHANGHAI).date())
    if stored is not None:
        deadline = clocks.Deadline(deadline.kind, deadline.label, posted, stored.astimezone(SHANGHAI),
                                   working_days=deadline.working_days, basis="渠道记录的办理时限")
    return deadline


@functools.lru_cache(maxsize=8192)
def _channel_deadline(channel: str, day: date) -> clocks.Deadline:
    """A working-day deadline depends only on the channel and the local day of posting: computed once each."""
    start = datetime.combine(day, time(12), tzinfo=SHANGHAI)
    return clocks.post_reply_deadlines(start, channel, policy())[0]


@functools.lru_cache(maxsize=8192)
def _workdays_between(a: date, b: date) -> int:
    return policy().calendar.workdays_between(a, b)


def pending_query(extra: list[dict] | None = None) -> dict:
    """Board posts with a posting time that are not 已办理 (within ``extra``, e.g. a unit's scope)."""
    return {"bool": {"filter": [BOARD_POSTS, {"exists": {"field": "published_at"}}, *(extra or [])],
                     "must_not": [{"term": {"board.status": REPLIED}}]}}


def pending_posts(store, now: datetime, extra: list[dict] | None = None, limit: int = PENDING_LIMIT) -> list[dict]:
    """Unreplied board posts (oldest first) with due time, working days left or overdue, and countdown text."""
    result = store.search("posts", pending_query(extra), size=limit, sort=[{"published_at": "asc"}],
                          track_total_hits=False,
                          source=["id", "title", "published_at", "board", "source_name", "url"])
    pol, rows = policy(), []
    for hit in result["hits"]["hits"]:
        post = hit["_source"]
        board = post.get("board") or {}
        deadline = reply_deadline(post, pol)
        status = clocks.clock_status(deadline, now)
        today, due_day = now.astimezone(SHANGHAI).date(), deadline.due_at.astimezone(SHANGHAI).date()
        left = -_workdays_between(due_day, today) if status.state == "overdue" else _workdays_between(today, due_day)
        rows.append({"id": post.get("id") or hit["_id"], "title": post.get("title") or "",
                     "channel": pol.channel_name(board.get("channel")),
                     "addressee": board.get("addressee") or "", "status": board.get("status") or "未回复",
                     "posted": fmt_time(post.get("published_at")), "due": fmt_time(deadline.due_at),
                     "overdue": status.state == "overdue", "workdays_left": left, "countdown": status.text})
    return rows


def pending_summary(store, now: datetime, extra: list[dict] | None = None) -> dict[str, int]:
    """Counts of all unreplied posts, overdue ones and ones due within one working day — in Elasticsearch.

    The list shows at most PENDING_LIMIT posts; these counts cover every one. A computed reply limit
    depends only on the channel and the local day of posting, so pending posts are bucketed by channel ×
    day and each bucket is judged once; posts whose channel published a due time are split at ``now``
    and the ones still ahead are bucketed by due day.
    """
    day = {"calendar_interval": "day", "time_zone": "Asia/Shanghai", "min_doc_count": 1, "format": "yyyy-MM-dd"}
    stored_due = {"exists": {"field": "board.due_at"}}
    aggs = {
        "computed": {"filter": {"bool": {"must_not": [stored_due]}}, "aggs": {
            "c": {"terms": {"field": "board.channel", "size": 200, "missing": ""},
                  "aggs": {"d": {"date_histogram": {"field": "published_at", **day}}}}}},
        "stored": {"filter": stored_due, "aggs": {
            "past": {"filter": {"range": {"board.due_at": {"lt": now.isoformat()}}}},
            "ahead": {"filter": {"range": {"board.due_at": {"gte": now.isoformat()}}},
                      "aggs": {"d": {"date_histogram": {"field": "board.due_at", **day}}}}}},
    }
    result = store.search("posts", pending_query(extra), size=0, aggs=aggs, track_total_hits=True)
    today = now.astimezone(SHANGHAI).date()
    overdue = due_soon = 0
    for channel in result["aggregations"]["computed"]["c"]["buckets"]:
        for bucket in channel["d"]["buckets"]:
            deadline = _channel_deadline(str(channel["key"]), date.fromisoformat(bucket["key_as_string"]))
            if now > deadline.due_at:
                overdue += bucket["doc_count"]
            elif _workdays_between(today, deadline.due_at.astimezone(SHANGHAI).date()) <= 1:
                due_soon += bucket["doc_count"]
    stored = result["aggregations"]["stored"]
    overdue += stored["past"]["doc_count"]
    for bucket in stored["ahead"]["d"]["buckets"]:
        if _workdays_between(today, date.fromisoformat(bucket["key_as_string"])) <= 1:
            due_soon += bucket["doc_count"]
    return {"pending": result["hits"]["total"]["value"], "overdue": overdue, "due_soon": due_soon}


def unit_reply_frame(store, extra: list[dict] | None = None, size: int = 30) -> pd.DataFrame:
    """Reply rate and mean time to reply per addressed unit.

    Mean time to reply = avg(reply_at) − avg(published_at) over the replied posts (the mean of differences
    is the difference of means), so it is one aggregation and needs no scripts.
    """
    query = {"bool": {"filter": [BOARD_POSTS, *(extra or [])]}}
    replied = {"bool": {"filter": [{"exists": {"field": "board.reply_at"}}, {"exists": {"field": "published_at"}}]}}
    aggs = {"u": {"terms": {"field": "board.addressee", "size": size}, "aggs": {
        "replied": {"filter": replied, "aggs": {"posted": {"avg": {"field": "published_at"}},
                                                "answered": {"avg": {"field": "board.reply_at"}}}},
        "done": {"filter": {"term": {"board.status": REPLIED}}}}}}
    result = store.search("posts", query, size=0, aggs=aggs, track_total_hits=False)
    rows = []
    for bucket in result["aggregations"]["u"]["buckets"]:
        sub = bucket["replied"]
        hours = None
        if sub["doc_count"] and sub["posted"]["value"] is not None and sub["answered"]["value"] is not None:
            hours = (sub["answered"]["value"] - sub["posted"]["value"]) / 3_600_000
        total = bucket["doc_count"]
        done = bucket["done"]["doc_count"]
        rows.append({"unit": bucket["key"], "total": total, "replied": done, "rate": done / total if total else 0.0,
                     "mean_hours": hours})
    return pd.DataFrame(rows, columns=["unit", "total", "replied", "rate", "mean_hours"])


def unit_scope() -> list[dict]:
    """A unit member sees the posts addressed to or answered by their unit only."""
    from dashboards.auth import current_user

    user = current_user()
    if user is None or user.role != "unit":
        return []
    return unit_scope_query(user.unit or "")


def unit_scope_query(unit: str) -> list[dict]:
    """Posts addressed to ``unit`` or to one of its leaders, or answered by it. Boards address people:
    a post to 河西区市场监管局局长 is the unit 河西区市场监管局's to answer (an exact match showed none)."""
    return [{"bool": {"should": [{"prefix": {"board.addressee": unit}}, {"term": {"board.reply_unit": unit}}],
                      "minimum_should_match": 1}}]


@guard_layout(ROLES)
def layout(**_query):
    return html.Div(id="boards-page", className="page", children=[
        html.H2("留言板办理"),
        dcc.Interval(id="boards-tick", interval=60_000),
        html.Div(id="boards-stats", className="stats"),
        html.Div(className="grid2", children=[
            card("各渠道留言办理状态", dcc.Graph(id="boards-channels", config={"displayModeBar": False})),
            card("各单位答复率", dcc.Graph(id="boards-units", config={"displayModeBar": False})),
        ]),
        card("待答复留言（按工作日计时，最早的在前）", html.Div(id="boards-pending")),
        card("各单位答复情况", html.Div(id="boards-unit-table")),
    ])


def pending_table(rows: list[dict]) -> dash_table.DataTable:
    columns = [("posted", "留言时间"), ("channel", "渠道"), ("title", "标题"), ("addressee", "留言对象"),
               ("status", "状态"), ("due", "答复截止"), ("countdown", "倒计时")]
    return dash_table.DataTable(
        id="boards-pending-table", data=rows, columns=[{"name": n, "id": i} for i, n in columns], page_size=15,
        style_cell={"textAlign": "left", "whiteSpace": "normal", "fontSize": 13, "padding": "6px"},
        style_header={"fontWeight": "600", "backgroundColor": "#f3f6f9"},
        style_data_conditional=[{"if": {"filter_query": "{overdue} eq true"}, "color": "#c0392b", "fontWeight": "600"}])


@guarded_callback(Output("boards-stats", "children"), Output("boards-channels", "figure"),
                  Output("boards-units", "figure"), Output("boards-pending", "children"),
                  Output("boards-unit-table", "children"), Input("boards-tick", "n_intervals"), roles=ROLES)
def refresh(_tick):
    store, scope = current_store(), unit_scope()
    now = now_utc()
    channels = channel_status_frame(store, scope)
    pending = pending_posts(store, now, scope)
    summary = pending_summary(store, now, scope)
    units = unit_reply_frame(store, scope)
    overdue, due_soon = summary["overdue"], summary["due_soon"]
    total = int(channels["count"].sum()) if not channels.empty else 0
    replied = int(channels.loc[channels["status"] == REPLIED, "count"].sum()) if not channels.empty else 0
    stats = [stat("留言总数", total), stat("已办理", replied),
             stat("答复率", f"{replied / total:.0%}" if total else "—"),
             stat("待答复", summary["pending"]), stat("1个工作日内到期", due_soon, tone="warn" if due_soon else ""),
             stat("已超期", overdue, id="boards-overdue", tone="bad" if overdue else "")]
    table = units.assign(rate=units["rate"].map(lambda r: f"{r:.0%}"),
                         mean_hours=units["mean_hours"].map(lambda h: "—" if pd.isna(h) else
                                                             (f"{h / 24:.1f} 天" if h >= 48 else f"{h:.1f} 小时")))
    unit_table = dash_table.DataTable(
        data=table.to_dict("records"), page_size=15,
        columns=[{"name": n, "id": i} for i, n in [("unit", "留言对象/单位"), ("total", "留言数"),
                                                   ("replied", "已办理"), ("rate", "答复率"),
                                                   ("mean_hours", "平均答复用时")]],
        style_cell={"textAlign": "left", "fontSize": 13, "padding": "6px"},
        style_header={"fontWeight": "600", "backgroundColor": "#f3f6f9"})
    body = pending_table(pending) if pending else html.P("没有待答复的留言。", className="muted")
    if summary["pending"] > len(pending):
        body = html.Div([html.P(f"共 {summary['pending']} 条待答复，下表列出最早的 {len(pending)} 条。",
                                className="muted"), body])
    return stats, figures.channel_status(channels, ""), figures.unit_reply(units, ""), body, unit_table
