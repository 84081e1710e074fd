"""检索: full-text Chinese search with highlighting, filters, trend, top keywords and sources, CSV/XLSX export."""

from __future__ import annotations

import csv
import io
import itertools
from datetime import datetime, timedelta
from html import escape as html_escape
from typing import Iterator
from urllib.parse import quote, urlencode

import dash
import numpy as np
import pandas as pd
from dash import Input, Output, Patch, State, dcc, html

from dashboards import figures, xlsx
from dashboards.auth import guard_layout, guarded_callback
from dashboards.common import (
    SHANGHAI,
    card,
    current_store,
    dropdown,
    fmt_time,
    highlight_children,
    now_local,
    options,
    parse_time,
    safe_url,
    terms_options,
)
from yuqing.errors import StoreError
from yuqing.store import queries

ROLES = ("analyst", "press", "leader", "admin")
dash.register_page(__name__, path="/explore", name="检索", title="检索 · 政务舆情监测", order=2, roles=ROLES)

PAGE_SIZE = 50
RESULT_WINDOW = 10_000  # the node's index.max_result_window: the deepest hit a from/size page reaches
TITLE_FROM_CONTENT = 40  # characters of the post shown as the link when it has no title (social posts)
EXPORT_LIMIT = 10_000
KEYWORD_SAMPLE = 5_000
DEFAULT_DAYS = 30  # the page opens on the last 30 days (Shanghai dates); clear the dates to search everything
SENTIMENTS = [{"label": "负面", "value": "neg"}, {"label": "中性", "value": "neu"}, {"label": "正面", "value": "pos"}]
BOARD_STATUSES = ["未回复", "待回复", "办理中", "已办理"]
EXPORT_COLUMNS = {"published_at": "发布时间", "title": "标题", "source_name": "信源", "media_level": "媒体级别",
                  "platform": "平台", "categories": "分类", "region.path": "地区", "sentiment.label": "情感",
                  "sentiment.score": "情感分值", "board.status": "留言状态", "author": "作者", "url": "链接",
                  "content": "正文"}


def build_filter(since=None, until=None, sources=None, media_levels=None, categories=None, regions=None,
                 sentiments=None, statuses=None) -> queries.PostFilter:
    """The filter of the form; dates are whole Shanghai days, ``until`` inclusive."""
    start = parse_time(since) if since else None
    end = parse_time(until) + timedelta(days=1) if until else None
    return queries.PostFilter(since=start, until=end, sources=list(sources or []),
                              media_levels=list(media_levels or []), categories=list(categories or []),
                              regions=list(regions or []), sentiment_labels=list(sentiments or []),
                              board_statuses=list(statuses or []))


def pick_interval(start: datetime | None, end: datetime | None) -> str:
    if start is None or end is None:
        return "1d"
    span = end - start
    if span <= timedelta(days=3):
        return "1h"
    if span <= timedelta(days=120):
        return "1d"
    if span <= timedelta(days=730):
        return "1w"
    return "1M"


def data_span(store, text: str | None, flt: queries.PostFilter) -> tuple[datetime | None, datetime | None]:
    """The first and last publication time matching the query (for the trend's interval)."""
    if flt.since and flt.until:
        return parse_time(flt.since), parse_time(flt.until)
    result = store.search("posts", queries.post_query(text, flt), size=0, track_total_hits=False,
                          aggs={"lo": {"min": {"field": "published_at"}}, "hi": {"max": {"field": "published_at"}}})
    aggs = result["aggregations"]
    lo = aggs["lo"].get("value_as_string") if aggs["lo"].get("value") is not None else None
    hi = aggs["hi"].get("value_as_string") if aggs["hi"].get("value") is not None else None
    return parse_time(flt.since or lo), parse_time(flt.until or hi)


def search(store, text: str | None, flt: queries.PostFilter, size: int = PAGE_SIZE) -> dict:
    """One search: hits with highlights, total, trend by sentiment, top keywords and top sources."""
    text = (text or "").strip() or None
    interval = pick_interval(*data_span(store, text, flt))
    aggs = {
        "trend": queries.histogram_agg("published_at", interval, {"s": queries.terms_agg("sentiment.label", 3)}),
        # keywords are many per post: count them over the best-matching posts of each shard (a sample)
        "keywords": {"sampler": {"shard_size": KEYWORD_SAMPLE}, "aggs": {"k": queries.terms_agg("keywords", 15)}},
        "sources": queries.terms_agg("source_name", 10),
    }
    result = store.search_posts(text, flt, size=size, aggs=aggs)
    rows = []
    for bucket in result["aggregations"]["trend"]["buckets"]:
        counts = {b["key"]: b["doc_count"] for b in bucket["s"]["buckets"]}
        rows.append({"time": parse_time(bucket["key_as_string"]).astimezone(SHANGHAI).replace(tzinfo=None),
                     "pos": counts.get("pos", 0), "neu": counts.get("neu", 0), "neg": counts.get("neg", 0)})
    return {
        "total": result["hits"]["total"]["value"],
        "hits": result["hits"]["hits"],
        "interval": interval,
        "trend": pd.DataFrame(rows, columns=["time", "pos", "neu", "neg"]),
        "keywords": queries.buckets_frame(result["aggregations"]["keywords"]["k"]),
        "sources": queries.buckets_frame(result["aggregations"]["sources"]),
    }


def more_hits(store, text: str | None, flt: queries.PostFilter, start: int,
              size: int = PAGE_SIZE) -> tuple[list[dict], int]:
    """(the hits after the first ``start`` ones in the order of :func:`search`, the total): 加载更多."""
    text = (text or "").strip() or None
    result = store.search_posts(text, flt, size=max(0, min(size, RESULT_WINDOW - start)), from_=start)
    return result["hits"]["hits"], result["hits"]["total"]["value"]


def untitled_label(content: str | None) -> str:
    """The link text of a post without a title (most social posts): the start of its text, on one line."""
    text = " ".join((content or "").split())
    if not text:
        return "（无标题）"
    return text[:TITLE_FROM_CONTENT] + ("…" if len(text) > TITLE_FROM_CONTENT else "")


def render_hit(hit: dict) -> html.Article:
    doc, marks = hit["_source"], hit.get("highlight", {})
    title = highlight_children(marks["title"][0]) if marks.get("title") else \
        [doc.get("title") or untitled_label(doc.get("content"))]
    if marks.get("content"):
        body = [html.P(["…", *highlight_children(f), "…"], className="fragment") for f in marks["content"]]
    else:
        content = doc.get("content") or ""
        body = [html.P(content[:160] + ("…" if len(content) > 160 else ""), className="fragment")]
    label = (doc.get("sentiment") or {}).get("label")
    meta = [html.Span(fmt_time(doc.get("published_at"))), html.Span(doc.get("source_name") or doc.get("source", "")),
            html.Span(doc.get("media_level") or "", className="tag"),
            *[html.Span(c, className="tag tag-cat") for c in doc.get("categories") or []]]
    if label:
        meta.append(html.Span(figures.SENTIMENT_LABELS.get(label, label), className=f"tag sent-{label}"))
    status = (doc.get("board") or {}).get("status")
    if status:
        meta.append(html.Span(status, className="tag tag-board"))
    url = safe_url(doc.get("url"))
    heading = html.A(title, href=url, target="_blank", rel="noopener noreferrer") if url else html.Span(title)
    return html.Article(className="hit", children=[html.H4(heading, className="hit-title"),
                                                    html.Div(meta, className="hit-meta"), *body])


def _column(docs: list[dict], path: str) -> list:
    """``doc['a']['b']`` for 'a.b' in each doc; None where any part is missing."""
    head, _, rest = path.partition(".")
    values = [doc.get(head) for doc in docs]
    for part in rest.split(".") if rest else []:
        values = [v.get(part) if isinstance(v, dict) else None for v in values]
    return values


def _minutes(values: pd.Series) -> list[str]:
    """ISO times as 'YYYY-MM-DD HH:MM' in Shanghai time; '' where missing or unparseable.

    numpy formats the minutes (strftime over 10,000 rows costs several times more)."""
    times = pd.to_datetime(values, utc=True, errors="coerce", format="ISO8601").dt.tz_convert(SHANGHAI)
    text = np.datetime_as_string(times.dt.tz_localize(None).to_numpy().astype("datetime64[m]"), unit="m")
    return ["" if t == "NaT" else t.replace("T", " ") for t in text.tolist()]


def export_frame(store, text: str | None, flt: queries.PostFilter, limit: int = EXPORT_LIMIT,
                 body: bool = False) -> pd.DataFrame:
    """The matching posts (newest first, at most ``limit``) as a frame with Chinese column names; the
    body (正文) only with ``body``: it is most of the bytes (10,000 news bodies are tens of MB to read,
    send and write), and a list for a report needs the title and link.

    The store fetches the sources in concurrent slices; columns are built one at a time (no per-row work in
    pandas): 10,000 rows take a few tens of milliseconds here.
    """
    text = (text or "").strip() or None
    columns = export_columns(body)
    docs = store.fetch_sources("posts", queries.post_query(text, flt), size=min(limit, EXPORT_LIMIT),
                               sort=EXPORT_SORT, source=columns)
    return _shape(docs, columns)


EXPORT_SORT = [{"published_at": {"order": "desc", "missing": "_last"}}]


def export_columns(body: bool) -> list[str]:
    """The stored fields an export holds: every EXPORT_COLUMNS field, the body only with ``body``."""
    return [c for c in EXPORT_COLUMNS if body or c != "content"]


def _shape(docs: list[dict], columns: list[str]) -> pd.DataFrame:
    """Stored posts as export rows: Shanghai minutes, joined categories, Chinese sentiment labels."""
    frame = pd.DataFrame({c: pd.Series(_column(docs, c), dtype=object) for c in columns}, columns=columns)
    frame["published_at"] = _minutes(frame["published_at"])
    frame["categories"] = ["、".join(v) if isinstance(v, list) else (v or "") for v in frame["categories"]]
    frame["sentiment.label"] = [figures.SENTIMENT_LABELS.get(v, v or "") for v in frame["sentiment.label"]]
    return frame.rename(columns={c: EXPORT_COLUMNS[c] for c in columns})


def csv_chunks(store, text: str | None, flt: queries.PostFilter, body: bool = False,
               limit: int = EXPORT_LIMIT) -> Iterator[bytes]:
    """The bytes of ``to_csv(export_frame(…))``, a page of rows at a time, for a streamed download: the
    browser has the first rows while the node still reads the rest.

    The first page is read before this returns, so a store that is down raises here, while the
    download can still answer with an error; a failure on a later page breaks the transfer, which
    the browser reports as a failed download (never a silently short file).
    """
    text = (text or "").strip() or None
    columns = export_columns(body)
    header = [EXPORT_COLUMNS[c] for c in columns]
    pages = store.iter_source_pages("posts", queries.post_query(text, flt), size=min(limit, EXPORT_LIMIT),
                                    sort=EXPORT_SORT, source=columns)
    first = next(pages, [])

    def chunks() -> Iterator[bytes]:
        try:
            yield to_csv(pd.DataFrame(columns=header))
            for docs in itertools.chain([first] if first else [], pages):
                yield _csv_rows(_shape(docs, columns)).encode("utf-8")
        finally:
            pages.close()  # a browser that stops reading: the point in time is closed at once

    return chunks()


def summary_text(total: int, shown: int) -> str:
    """The result line; says so when an export would hold only the newest EXPORT_LIMIT posts."""
    text = f"共 {total} 条" + (f"，已显示 {shown} 条" if total > shown else "")
    if shown >= RESULT_WINDOW and total > shown:
        text += f"（最多显示 {RESULT_WINDOW} 条，可缩小时间范围或增加筛选条件）"
    if total > EXPORT_LIMIT:
        text += f"；导出仅含最新的 {EXPORT_LIMIT} 条，可缩小时间范围分批导出"
    return text


_FORMULA_START = frozenset(("=", "+", "-", "@", "\t", "\r"))


def _cell(value):
    """Spreadsheet formula injection: a cell starting with = + - @ is stored as text with a leading quote."""
    if isinstance(value, str) and value[:1] in _FORMULA_START:
        return "'" + value
    return value


def _defused(values) -> list:
    """One column's cells: strings defused like :func:`_cell`, missing values (None, NA, NaT, NaN) as ""
    (what pandas' to_csv writes, and an empty cell in the sheet)."""
    return [("'" + v if v[:1] in _FORMULA_START else v) if isinstance(v, str)
            else ("" if v is None or v is pd.NA or v is pd.NaT or v != v else v) for v in values]


def to_csv(frame: pd.DataFrame) -> bytes:
    """The frame as ``DataFrame.to_csv(index=False)`` writes it, cells defused.

    Column by column, then the csv module: several times faster than mapping every cell in pandas first.
    """
    buffer = io.StringIO()
    csv.writer(buffer, lineterminator="\n").writerow(frame.columns)
    return (buffer.getvalue() + _csv_rows(frame)).encode("utf-8-sig")  # BOM: Excel opens it as UTF-8


def _csv_rows(frame: pd.DataFrame) -> str:
    """The frame's rows (no header) as :func:`to_csv` writes them."""
    buffer = io.StringIO()
    csv.writer(buffer, lineterminator="\n").writerows(zip(*[_defused(frame[c].tolist()) for c in frame.columns]))
    return buffer.getvalue()


# Column widths in characters, by column name (a column not named here gets 12).
XLSX_WIDTHS = dict(zip(EXPORT_COLUMNS.values(), (17, 40, 16, 9, 9, 16, 16, 6, 9, 9, 12, 40, 60)))


def to_xlsx(frame: pd.DataFrame) -> bytes:
    """The frame as one sheet (bold, frozen header row, then the rows; cells defused), written by
    :mod:`dashboards.xlsx` (about four times faster than openpyxl; control characters dropped and
    cells cut at Excel's 32,767-character limit, which would otherwise lose or damage the file)."""
    columns = [_defused(frame[c].tolist()) for c in frame.columns]
    header = [str(c) for c in frame.columns]
    return xlsx.workbook("检索结果", header, zip(*columns), [XLSX_WIDTHS.get(c, 12) for c in header])


def _dropdown(id_: str, placeholder: str, opts) -> dcc.Dropdown:
    return dropdown(id=id_, options=opts, multi=True, placeholder=placeholder, className="filter")


def _date_param(value: str | None):
    try:
        return datetime.strptime(value, "%Y-%m-%d").date() if value else None
    except ValueError:
        return None


@guard_layout(ROLES)
def layout(q: str = "", since: str | None = None, until: str | None = None, **_query):
    """``?q=…&since=2024-03-01&until=2024-03-31``; ``since=all`` opens without a date range."""
    store = current_store()
    today = now_local().date()
    start, end = _date_param(since), _date_param(until)
    if since == "all":
        start = end = None
    elif start is None:
        start, end = today - timedelta(days=DEFAULT_DAYS - 1), end or today
    return html.Div(id="explore-page", className="page", children=[
        html.H2("全文检索"),
        html.Div(className="searchbar", children=[
            dcc.Input(id="explore-text", type="search", value=q, debounce=True, className="search-input",
                      placeholder="输入检索词，如：预付卡 退费、电梯 故障"),
            html.Button("检索", id="explore-go", className="btn btn-primary"),
        ]),
        html.Div(className="filters", children=[
            dcc.DatePickerRange(id="explore-dates", display_format="YYYY-MM-DD",
                                start_date=start.isoformat() if start else None,
                                end_date=end.isoformat() if end else None, start_date_placeholder_text="开始日期",
                                end_date_placeholder_text="结束日期", clearable=True, first_day_of_week=1),
            _dropdown("explore-sources", "信源", terms_options(store, "posts", "source_name", 100)),
            _dropdown("explore-levels", "媒体级别", terms_options(store, "posts", "media_level", 20)),
            _dropdown("explore-categories", "分类", terms_options(store, "posts", "categories", 30)),
            _dropdown("explore-regions", "地区", terms_options(store, "posts", "region.path", 100)),
            _dropdown("explore-sentiments", "情感", SENTIMENTS),
            _dropdown("explore-statuses", "留言状态", options(BOARD_STATUSES)),
        ]),
        html.Div(className="row", children=[
            html.Div(id="explore-summary", className="summary"),
            html.Div(className="exports", children=[
                dcc.Checklist(id="explore-export-body", options=[{"label": "含正文", "value": "body"}], value=[],
                              inline=True, className="export-body"),
                html.A("导出 CSV", id="explore-csv", className="btn", href=EXPORT_PATH + "csv"),
                html.A("导出 Excel", id="explore-xlsx", className="btn", href=EXPORT_PATH + "xlsx")]),
        ]),
        dcc.Loading(dcc.Graph(id="explore-trend", config={"displayModeBar": False}), type="dot"),
        html.Div(className="grid2", children=[
            card("热门关键词（按相关度抽样）", dcc.Graph(id="explore-keywords", config={"displayModeBar": False})),
            card("主要信源", dcc.Graph(id="explore-top-sources", config={"displayModeBar": False})),
        ]),
        card("检索结果", html.Div(id="explore-results", className="results"),
             html.Button("加载更多", id="explore-more", className="btn more", hidden=True),
             dcc.Store(id="explore-shown", data=0)),
    ])


FILTER_STATES = [State("explore-dates", "start_date"), State("explore-dates", "end_date"),
                 State("explore-sources", "value"), State("explore-levels", "value"),
                 State("explore-categories", "value"), State("explore-regions", "value"),
                 State("explore-sentiments", "value"), State("explore-statuses", "value")]


REVERSED_DATES = "结束日期早于开始日期，请重新选择日期范围。"


def dates_reversed(since, until) -> bool:
    """True when the form's end date is before its start date (a search would silently find nothing)."""
    start, end = _date_param(str(since)[:10] if since else None), _date_param(str(until)[:10] if until else None)
    return start is not None and end is not None and end < start


def more_hidden(total: int, shown: int) -> bool:
    """加载更多 is offered while there are hits not shown and the node can still page to them."""
    return shown >= total or shown >= RESULT_WINDOW


@guarded_callback(Output("explore-summary", "children"), Output("explore-results", "children"),
                  Output("explore-trend", "figure"), Output("explore-keywords", "figure"),
                  Output("explore-top-sources", "figure"), Output("explore-shown", "data"),
                  Output("explore-more", "hidden"),
                  Input("explore-go", "n_clicks"), Input("explore-text", "value"),
                  Input("explore-dates", "start_date"), Input("explore-dates", "end_date"),
                  Input("explore-sources", "value"), Input("explore-levels", "value"),
                  Input("explore-categories", "value"), Input("explore-regions", "value"),
                  Input("explore-sentiments", "value"), Input("explore-statuses", "value"), roles=ROLES)
def update_results(_clicks, text, since, until, sources, levels, categories, regions, sentiments, statuses):
    if dates_reversed(since, until):
        blank = figures.empty("日期范围无效")
        return (html.Span(REVERSED_DATES, className="error"), [html.P(REVERSED_DATES, className="error")],
                blank, blank, blank, 0, True)
    flt = build_filter(since, until, sources, levels, categories, regions, sentiments, statuses)
    data = search(current_store(), text, flt)
    shown = len(data["hits"])
    summary = summary_text(data["total"], shown)
    results = [render_hit(h) for h in data["hits"]] or [html.P("没有找到匹配的帖子，试试减少筛选条件。", className="muted")]
    return (summary, results, figures.volume_sentiment_trend(data["trend"], interval=data["interval"]),
            figures.top_bar(data["keywords"], ""), figures.top_bar(data["sources"], "", color="#5b8c5a"),
            shown, more_hidden(data["total"], shown))


@guarded_callback(Output("explore-results", "children", allow_duplicate=True),
                  Output("explore-shown", "data", allow_duplicate=True),
                  Output("explore-summary", "children", allow_duplicate=True),
                  Output("explore-more", "hidden", allow_duplicate=True),
                  Input("explore-more", "n_clicks"), State("explore-shown", "data"), State("explore-text", "value"),
                  *FILTER_STATES, roles=ROLES, prevent_initial_call=True)
def load_more(clicks, shown, text, since, until, sources, levels, categories, regions, sentiments, statuses):
    """加载更多: the next PAGE_SIZE hits appended under the ones shown (the first page's order continues)."""
    if not clicks or dates_reversed(since, until):
        raise dash.exceptions.PreventUpdate
    shown = int(shown or 0)
    flt = build_filter(since, until, sources, levels, categories, regions, sentiments, statuses)
    hits, total = more_hits(current_store(), text, flt, shown)
    results = Patch()
    results.extend([render_hit(h) for h in hits])
    shown += len(hits)
    return results, shown, summary_text(total, shown), more_hidden(total, shown) or not hits


@guarded_callback(Output("explore-csv", "href"), Output("explore-xlsx", "href"), Input("explore-text", "value"),
                  Input("explore-export-body", "value"), *[Input(s.component_id, s.component_property)
                                                           for s in FILTER_STATES], roles=ROLES)
def export_links(text, body, *filters):
    """The download links for the form as it stands (a plain GET: the browser streams the file)."""
    query = export_query(text, "body" in (body or []), *filters)
    return f"{EXPORT_PATH}csv?{query}", f"{EXPORT_PATH}xlsx?{query}"


# --- the download route -------------------------------------------------------------------------

EXPORT_PATH = "/export/posts."
_FILTER_PARAMS = ("since", "until", "source", "level", "category", "region", "sentiment", "status")


def export_query(text, body: bool, since=None, until=None, sources=None, media_levels=None, categories=None,
                 regions=None, sentiments=None, statuses=None) -> str:
    """The export URL's query string for the form's values (what :func:`filter_from_args` reads back)."""
    pairs = [("q", text.strip())] if text and text.strip() else []
    pairs += [(name, value) for name, value in (("since", since), ("until", until)) if value]
    for name, values in zip(_FILTER_PARAMS[2:], (sources, media_levels, categories, regions, sentiments, statuses)):
        pairs += [(name, v) for v in values or []]
    if body:
        pairs.append(("body", "1"))
    return urlencode(pairs)


def filter_from_args(args) -> tuple[str | None, queries.PostFilter, bool]:
    """(text, filter, body) from an export URL's query (a werkzeug MultiDict)."""
    text = args.get("q") or None
    since, until = _date_param(args.get("since")), _date_param(args.get("until"))
    lists = [args.getlist(name) for name in _FILTER_PARAMS[2:]]
    flt = build_filter(since.isoformat() if since else None, until.isoformat() if until else None, *lists)
    return text, flt, args.get("body") == "1"


def install_export(server) -> None:
    """``GET /export/posts.csv|xlsx?q=…&since=…&body=1``: the search result as a file, for the roles of this
    page. A plain download, not a callback: the CSV streams a page of rows at a time (the first rows
    arrive at once, nothing is base64-encoded into a callback answer), and the page stays responsive."""

    @server.route(EXPORT_PATH + "<fmt>")
    def export_posts(fmt: str):
        import flask

        from dashboards.auth import require_role

        require_role(ROLES)
        if fmt not in ("csv", "xlsx"):
            flask.abort(404)
        text, flt, body = filter_from_args(flask.request.args)
        stamp = now_local().strftime("%Y%m%d-%H%M")
        name = quote(f"舆情检索-{stamp}.{fmt}")
        headers = {"Content-Disposition": f"attachment; filename=\"export.{fmt}\"; filename*=UTF-8''{name}",
                   "Cache-Control": "no-store"}
        store = current_store()
        try:
            if fmt == "xlsx":
                data = to_xlsx(export_frame(store, text, flt, body=body))
                return flask.Response(data, headers=headers, mimetype=XLSX_MIME)
            chunks = csv_chunks(store, text, flt, body)
        except StoreError as exc:
            return flask.Response(export_failed_page(str(exc)), status=503, mimetype="text/html")
        return flask.Response(flask.stream_with_context(chunks), headers=headers, mimetype="text/csv")


def export_failed_page(reason: str) -> str:
    """The page a failed download shows instead of a file (the reason as text, never as HTML)."""
    return ('<!doctype html><meta charset="utf-8"><title>导出失败</title><p>导出失败：' + html_escape(reason)
            + '</p><p><a href="/explore">返回检索</a></p>')


XLSX_MIME = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
