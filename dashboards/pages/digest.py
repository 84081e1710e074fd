"""日报: the leaders' morning view of the daily digest — the same blocks the DOCX/PDF/HTML files are made of
(``yuqing.digest.model.build_digest`` → ``yuqing.digest.layout.digest_document``), a date picker, and downloads.
"""

from __future__ import annotations

import base64
import threading
from datetime import date, datetime, timedelta

import dash
from dash import Input, Output, State, dcc, html

from dashboards.auth import guard_layout, guarded_callback
from dashboards.common import current_store, now_local
from yuqing.digest import layout as digest_layout
from yuqing.digest.model import default_day
from yuqing.digest.render import file_name, render

ROLES = ("leader", "press", "analyst", "admin")
dash.register_page(__name__, path="/digest", name="日报", title="日报 · 政务舆情监测", order=6, roles=ROLES)

DOWNLOADS = {"digest-docx": ("docx", "下载 Word"), "digest-pdf": ("pdf", "下载 PDF"), "digest-html": ("html", "下载网页")}
CACHE_SECONDS = 300
_cache: dict[tuple, tuple[datetime, digest_layout.Document]] = {}
_lock = threading.Lock()


def parse_day(value, now: datetime) -> date:
    try:
        return date.fromisoformat(str(value)[:10]) if value else default_day(now)
    except ValueError:
        return default_day(now)


def build_document(store, day: date, now: datetime) -> digest_layout.Document:
    """The daily digest of ``day`` as of ``now`` as layout blocks; the same document for 5 minutes, so the
    download is what the page shows."""
    from yuqing.digest.model import build_digest

    key = (id(store), day)
    with _lock:
        cached = _cache.get(key)
        if cached and timedelta(0) <= now - cached[0] < timedelta(seconds=CACHE_SECONDS):
            return cached[1]
    document = digest_layout.digest_document(build_digest(store, "daily", day, now=now))
    with _lock:
        _cache[key] = (now, document)
        while len(_cache) > 16:
            _cache.pop(next(iter(_cache)))
    return document


def block_children(block) -> list:
    """One layout block as Dash components; every text stays text (crawled headlines included)."""
    if isinstance(block, digest_layout.Heading):
        return [html.H3(block.text) if block.level == 1 else html.H4(block.text)]
    if isinstance(block, digest_layout.Paragraph):
        return [html.P(html.Strong(block.text) if block.emphasis else block.text, className="digest-p")]
    if isinstance(block, digest_layout.Bullets):
        return [html.Ul([html.Li(item) for item in block.items])]
    if isinstance(block, digest_layout.Table):
        table = html.Table(className="table", children=[
            html.Thead(html.Tr([html.Th(h) for h in block.header])),
            html.Tbody([html.Tr([html.Td(cell) for cell in row]) for row in block.rows])])
        return [html.Div(block.caption, className="caption"), table] if block.caption else [table]
    if isinstance(block, digest_layout.Figure):
        src = "data:image/png;base64," + base64.b64encode(block.png).decode("ascii")
        return [html.Figure([html.Img(src=src, alt=block.caption, className="digest-img"),
                             html.Figcaption(block.caption)])]
    return []


def document_children(document: digest_layout.Document) -> list:
    children: list = [html.H2(document.title, className="digest-title", id="digest-heading"),
                      html.P(document.subtitle, className="muted")]
    for block in document.blocks:
        children.extend(block_children(block))
    return children


@guard_layout(ROLES)
def layout(day: str | None = None, **_query):
    """``/digest`` (the morning's digest) or ``/digest?day=2024-03-12``."""
    now = now_local()
    chosen = parse_day(day, now)
    return html.Div(id="digest-page", className="page", children=[
        html.Div(className="row", children=[
            html.Div(className="row", children=[
                html.Span("日期", className="muted"),
                dcc.DatePickerSingle(id="digest-day", date=chosen.isoformat(), display_format="YYYY-MM-DD",
                                     max_date_allowed=now.date().isoformat(), first_day_of_week=1)]),
            html.Div(className="exports", children=[
                *[html.Button(label, id=button, className="btn") for button, (_fmt, label) in DOWNLOADS.items()],
                dcc.Download(id="digest-download")]),
        ]),
        html.Div(id="digest-message", className="message"),
        dcc.Loading(html.Article(id="digest-document", className="card digest"), type="dot"),
    ])


@guarded_callback(Output("digest-document", "children"), Input("digest-day", "date"), roles=ROLES)
def show(day):
    now = now_local()
    return document_children(build_document(current_store(), parse_day(day, now), now))


@guarded_callback(Output("digest-download", "data"), Output("digest-message", "children"),
                  *[Input(button, "n_clicks") for button in DOWNLOADS], State("digest-day", "date"),
                  roles=ROLES, prevent_initial_call=True)
def download(*args):
    day = args[-1]
    fmt = DOWNLOADS.get(dash.ctx.triggered_id, ("docx", ""))[0]
    now = now_local()
    chosen = parse_day(day, now)
    document = build_document(current_store(), chosen, now)
    try:
        content, _assets = render(document, fmt)
    except Exception as exc:  # noqa: BLE001 - a renderer failure is shown to the user, not a 500
        return dash.no_update, html.Span(f"生成 {fmt.upper()} 失败：{exc}", className="error")
    return dcc.send_bytes(content, file_name(document, chosen.isoformat(), fmt)), ""
