"""What every page shares: the store of the running app, the shared clock, Shanghai time formatting,
highlight rendering."""

from __future__ import annotations

import re
from datetime import UTC, datetime
from zoneinfo import ZoneInfo

import flask
from dash import dcc, html

from yuqing import clock
from yuqing.store import queries

SHANGHAI = ZoneInfo("Asia/Shanghai")
_MARKS = re.compile(f"({re.escape(queries.HIGHLIGHT_PRE)}.*?{re.escape(queries.HIGHLIGHT_POST)})", re.DOTALL)


def now() -> datetime:
    """The service's now (UTC): simulated in the demo (YUQING_CLOCK), so countdowns agree with the engine."""
    return clock.now()


def now_local() -> datetime:
    """The service's now in Shanghai time, for display and for "today"."""
    return clock.now_local()


def current_store():
    """The Store of the app handling this request (set by dashboards.app.create_app)."""
    return flask.current_app.config["YUQING_STORE"]()


def parse_time(value) -> datetime | None:
    if value in (None, ""):
        return None
    if isinstance(value, datetime):
        moment = value
    elif isinstance(value, (int, float)):
        moment = datetime.fromtimestamp(value / 1000, UTC)
    else:
        moment = datetime.fromisoformat(str(value))
    return moment if moment.tzinfo else moment.replace(tzinfo=SHANGHAI)


def fmt_time(value, with_year: bool = True) -> str:
    """ISO time (any zone) → '2024-03-05 12:56' in Shanghai time; '' when missing."""
    moment = parse_time(value)
    if moment is None:
        return ""
    return moment.astimezone(SHANGHAI).strftime("%Y-%m-%d %H:%M" if with_year else "%m-%d %H:%M")


def highlight_children(fragment: str) -> list:
    """Split a highlight fragment on the <em> markers: plain parts stay text, marked parts become html.Mark.

    Nothing in the fragment is ever parsed as HTML: a crawled '<script>' stays the text '<script>'.
    """
    children: list = []
    for part in _MARKS.split(fragment or ""):
        if not part:
            continue
        if part.startswith(queries.HIGHLIGHT_PRE) and part.endswith(queries.HIGHLIGHT_POST):
            children.append(html.Mark(part[len(queries.HIGHLIGHT_PRE):-len(queries.HIGHLIGHT_POST)]))
        else:
            children.append(part)
    return children


def safe_url(url: str | None) -> str | None:
    """Only http(s) links are rendered as links (never javascript: or data:)."""
    return url if isinstance(url, str) and url.lower().startswith(("http://", "https://")) else None


def options(values) -> list[dict]:
    return [{"label": str(v), "value": str(v)} for v in values]


def terms_options(store, index: str, fld: str, size: int = 50, query: dict | None = None) -> list[dict]:
    """Dropdown options from a terms aggregation (most frequent first)."""
    result = store.search(index, query, size=0, aggs={"v": queries.terms_agg(fld, size)}, track_total_hits=False)
    return options(b["key"] for b in result["aggregations"]["v"]["buckets"])


# dcc.Dropdown's own texts are English (Search, Select All, 3 selected, No options found): every dropdown
# of the dashboard is made by dropdown() below with these.
DROPDOWN_LABELS = {"select_all": "全选", "deselect_all": "取消全选", "selected_count": "已选 {num_selected} 项",
                   "search": "搜索…", "clear_search": "清除搜索", "clear_selection": "清除所选",
                   "no_options_found": "没有匹配的选项"}


def dropdown(**props) -> dcc.Dropdown:
    """A dcc.Dropdown with Chinese labels (its search box, select-all and empty-result texts)."""
    return dcc.Dropdown(**{"labels": DROPDOWN_LABELS, **props})


def card(title: str, *children, id: str | None = None, class_name: str = "") -> html.Section:
    kwargs = {"id": id} if id else {}
    return html.Section(className=f"card {class_name}".strip(), children=[html.H3(title), *children], **kwargs)


def stat(label: str, value, id: str | None = None, tone: str = "") -> html.Div:
    kwargs = {"id": id} if id else {}
    return html.Div(className=f"stat {tone}".strip(), children=[html.Div(str(value), className="stat-value", **kwargs),
                                                                html.Div(label, className="stat-label")])
