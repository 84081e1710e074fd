"""事件: one event — volume and sentiment over time, platform and media-level split, one representative post per
near-duplicate cluster (with its size), the response record and the before/after effect of the response.

Opened from each alert card on 预警 (``/event/<event_id>``, or ``/event?id=…``). The posts figures come from
one search with aggregations over the posts carrying the ``event_id``.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from urllib.parse import quote

import dash
import pandas as pd
from dash import Input, Output, dcc, html

from dashboards import figures
from dashboards.auth import current_user, guard_layout, guarded_callback
from dashboards.common import SHANGHAI, card, current_store, fmt_time, parse_time, safe_url, stat
from dashboards.common import now as now_utc
from yuqing.alerts.accountability import EFFECT_WINDOW, first_response_at
from yuqing.alerts.audit import clip, describe
from yuqing.alerts.workflow import ACTION_LABELS
from yuqing.store import queries

try:
    from yuqing.alerts import workflow
except ImportError:  # the alerts engine has not landed yet
    workflow = None

ROLES = ("press", "analyst", "leader", "unit", "admin")
dash.register_page(__name__, path="/event", path_template="/event/<event_id>", name="事件",
                   title="事件 · 政务舆情监测", order=5, roles=ROLES, nav=False)

CLUSTERS = 10
# What deadline kinds read as when an old audit entry names a kind the alert no longer lists
REFRESH_MS = 60_000
POST_FIELDS = ["title", "content", "url", "source_name", "platform", "media_level", "published_at", "sentiment",
               "author"]


def timeline_interval(first: datetime | None, last: datetime | None) -> str:
    """Hourly for a short event, coarser as it lasts longer (at most ~100 buckets)."""
    if first is None or last is None:
        return "1h"
    span = last - first
    for limit, interval in ((timedelta(days=4), "1h"), (timedelta(days=12), "3h"), (timedelta(days=100), "1d")):
        if span <= limit:
            return interval
    return "1w"


def event_posts_summary(store, event_id: str, clusters: int = CLUSTERS) -> dict:
    """Two searches over the event's posts: the totals, splits, span and largest clusters; then the timeline.

    Each cluster is represented by its earliest post; its size is the number of the event's posts in it.
    """
    query = {"term": {"event_id": event_id}}
    aggs = {
        "first": {"min": {"field": "published_at"}}, "last": {"max": {"field": "published_at"}},
        "platforms": queries.terms_agg("platform", 10),
        "levels": queries.terms_agg("media_level", 10),
        "negative": {"filter": {"term": {"sentiment.label": "neg"}}},
        "clusters": {"terms": {"field": "cluster_id", "size": clusters},
                     "aggs": {"first": {"top_hits": {"size": 1, "sort": [{"published_at": "asc"}],
                                                     "_source": POST_FIELDS}}}},
        "cluster_count": {"cardinality": {"field": "cluster_id"}},
    }
    result = store.search("posts", query, size=0, aggs=aggs, track_total_hits=True)
    out = result["aggregations"]
    total = result["hits"]["total"]["value"]
    first = parse_time(out["first"].get("value_as_string")) if out["first"].get("value") is not None else None
    last = parse_time(out["last"].get("value_as_string")) if out["last"].get("value") is not None else None
    interval = timeline_interval(first, last)
    rows = []
    if total:
        histogram = queries.histogram_agg("published_at", interval, {"s": queries.terms_agg("sentiment.label", 3)})
        timeline = store.search("posts", query, size=0, aggs={"t": histogram}, track_total_hits=False)
        for bucket in timeline["aggregations"]["t"]["buckets"]:
            counts = {b["key"]: b["doc_count"] for b in bucket["s"]["buckets"]}
            rows.append({"time": parse_time(bucket["key_as_string"]).astimezone(SHANGHAI).replace(tzinfo=None),
                         "pos": counts.get("pos", 0), "neu": counts.get("neu", 0), "neg": counts.get("neg", 0)})
    representatives = []
    for bucket in out["clusters"]["buckets"]:
        hits = bucket["first"]["hits"]["hits"]
        if hits:
            representatives.append({**hits[0]["_source"], "cluster_id": bucket["key"],
                                    "cluster_size": bucket["doc_count"]})
    return {
        "total": total,
        "first": first, "last": last, "interval": interval,
        "negative": out["negative"]["doc_count"],
        "negative_share": out["negative"]["doc_count"] / total if total else None,
        "timeline": pd.DataFrame(rows, columns=["time", "pos", "neu", "neg"]),
        "platforms": _terms_frame(out["platforms"]),
        "levels": _terms_frame(out["levels"]),
        "representatives": representatives,
        "clusters": out["cluster_count"]["value"],
    }


def _terms_frame(agg: dict) -> pd.DataFrame:
    return pd.DataFrame([{"key": b["key"], "count": b["doc_count"]} for b in agg["buckets"]], columns=["key", "count"])


def event_alert(store, event_id: str) -> dict | None:
    """The alert raised on this event (the latest if several), or None."""
    result = store.search("alerts", {"bool": {"filter": [{"term": {"event_id": event_id}}],
                                              "must_not": [{"exists": {"field": "merged_into"}}]}},
                          size=1, sort=[{"first_alerted_at": {"order": "desc", "missing": "_last"}}],
                          track_total_hits=False)
    hits = result["hits"]["hits"]
    return hits[0]["_source"] if hits else None


def response_effect(store, alert: dict | None, now: datetime | None = None):
    """The before/after effect of the alert's first response as seen at ``now`` (yuqing.alerts.effect), or None.

    The after window is counted up to ``now`` only: what has been seen of it so far.
    """
    if alert is None or not alert.get("id"):
        return None
    try:
        from yuqing.alerts import effect
    except ImportError:
        return None
    return effect(store, alert["id"], as_of=now) if now is not None else effect(store, alert["id"])


def may_open(user, alert: dict | None) -> bool:
    """A unit member opens only the events of alerts assigned to their unit."""
    return user is None or user.role != "unit" or (alert is not None and alert.get("owner_unit") == user.unit)


def record_rows(alert: dict | None, trail: list[dict]) -> list[dict]:
    """The response record, oldest first: responses, the handover and every audit entry (who, when, what)."""
    rows: list[dict] = []
    labels = {d["kind"]: d["label"] for d in (alert or {}).get("deadlines") or [] if d.get("kind") and d.get("label")}
    for item in (alert or {}).get("responses") or []:
        rows.append({"at": item.get("at"), "what": f"回应（{item.get('channel') or '未注明渠道'}）",
                     "who": item.get("actor") or "", "detail": clip(item.get("reference") or "")})
    handover = (alert or {}).get("handover")
    if handover:
        rows.append({"at": handover.get("at"), "what": clip(f"移交 {handover.get('receiver') or ''}".strip(), 60),
                     "who": handover.get("actor") or "", "detail": clip(handover.get("reference") or "")})
    for entry in trail:
        if entry.get("action") in ("respond", "handover"):
            continue  # already listed with their channel and reference
        rows.append({"at": entry.get("at"), "what": ACTION_LABELS.get(entry.get("action"), entry.get("action") or ""),
                     "who": entry.get("actor") or "", "detail": describe(entry, labels)})
    rows.sort(key=lambda r: parse_time(r["at"]) or parse_time("1970-01-01T00:00:00+00:00"))
    return [{**r, "at": fmt_time(r["at"])} for r in rows]


def _hours(delta: timedelta) -> str:
    hours = max(delta.total_seconds(), 0) / 3600
    return f"{hours:.0f}" if hours >= 10 or hours == int(hours) else f"{hours:.1f}"


def _share(posts: int, share: float) -> str:
    """A window's negative share; a window without posts has none (—), never 0%."""
    return f"{share:.0%}" if posts else "—"


def effect_text(effect, responded_at: datetime | None = None, now: datetime | None = None,
                window: timedelta = EFFECT_WINDOW) -> str:
    """The before/after comparison in words; no verdict (下降/上升) until the after window is over.

    While fewer than ``window`` hours have passed since the response, the text says how much of the
    window has passed and gives the counts so far. A percentage change needs posts on both sides, a
    negative-share change a share on both sides (a window without posts has no share).
    """
    if effect is None:
        return "尚未记录回应，无法评估效果。"
    span = f"{_hours(window)}小时"
    before = f"回应前{span} {effect.before_posts} 条（负面占比 {_share(effect.before_posts, effect.before_negative_share)}）"
    if responded_at is not None and now is not None and now - responded_at < window:
        return (f"回应后统计窗口未满：已过 {_hours(now - responded_at)} 小时/{span}。{before}；"
                f"回应后至今 {effect.after_posts} 条（负面占比 {_share(effect.after_posts, effect.after_negative_share)}）。"
                f"窗口结束后再评估效果。")
    volume = f"回应前{span} {effect.before_posts} 条，回应后{span} {effect.after_posts} 条"
    if effect.before_posts:
        change = effect.volume_change
        volume += f"（{'下降' if change < 0 else '上升' if change > 0 else '持平'}" + \
            (f" {abs(change):.0%}）" if change else "）")
    before_share = _share(effect.before_posts, effect.before_negative_share)
    after_share = _share(effect.after_posts, effect.after_negative_share)
    negative = f"负面占比 {before_share} → {after_share}"
    if effect.before_posts and effect.after_posts:
        points = effect.negative_change * 100
        negative += (f"（{'下降' if points < 0 else '上升' if points > 0 else '持平'}"
                     + (f" {abs(points):.0f} 个百分点）" if round(points) else "）"))
    return f"{volume}；{negative}。"


def render_post(post: dict) -> html.Article:
    """A representative post, crawled text as text; only http(s) URLs become links."""
    title = post.get("title") or (post.get("content") or "")[:40] or "（无标题）"
    url = safe_url(post.get("url"))
    heading = html.A(title, href=url, target="_blank", rel="noopener noreferrer") if url else html.Span(title)
    label = (post.get("sentiment") or {}).get("label")
    meta = [html.Span(f"相似 {post['cluster_size']} 条", className="tag tag-cluster"),
            html.Span(fmt_time(post.get("published_at"))), html.Span(post.get("source_name") or ""),
            html.Span(post.get("platform") or "", className="tag"), html.Span(post.get("media_level") or "", className="tag")]
    if label:
        meta.append(html.Span(figures.SENTIMENT_LABELS.get(label, label), className=f"tag sent-{label}"))
    content = post.get("content") or ""
    return html.Article(className="hit", children=[
        html.H4(heading, className="hit-title"), html.Div(meta, className="hit-meta"),
        html.P(content[:160] + ("…" if len(content) > 160 else ""), className="fragment")])


def record_table(rows: list[dict]):
    if not rows:
        return html.P("尚无处置记录。", className="muted")
    return html.Table(className="table", children=[
        html.Thead(html.Tr([html.Th(h) for h in ("时间", "事项", "操作人", "说明")])),
        html.Tbody([html.Tr([html.Td(r["at"]), html.Td(r["what"]), html.Td(r["who"]), html.Td(_detail_cell(r["detail"]))])
                    for r in rows])])


def _detail_cell(detail: str):
    """A reference that is an http(s) link opens it; anything else (javascript:, 文号) is plain text."""
    url = safe_url(detail)
    return html.A(detail, href=url, target="_blank", rel="noopener noreferrer") if url else detail


@guard_layout(ROLES)
def layout(event_id: str | None = None, id: str | None = None, **_query):
    """``/event/<event_id>`` or ``/event?id=<event_id>``."""
    event_id = event_id or id
    if not event_id:
        return html.Div(id="event-page", className="page", children=[
            html.H2("事件"), html.P("请从预警列表点击“事件详情”打开一个事件。", className="muted", id="event-missing")])
    return html.Div(id="event-page", className="page", children=[
        dcc.Store(id="event-id", data=event_id), dcc.Interval(id="event-tick", interval=REFRESH_MS),
        html.H2(id="event-title", children="事件"),
        html.Div(id="event-facts", className="alert-facts"),
        html.Div(id="event-stats", className="stats"),
        card("声量与情感走势", dcc.Graph(id="event-timeline", config={"displayModeBar": False})),
        html.Div(className="grid2", children=[
            card("平台分布", dcc.Graph(id="event-platforms", config={"displayModeBar": False})),
            card("媒体级别分布", dcc.Graph(id="event-levels", config={"displayModeBar": False})),
        ]),
        html.Div(className="grid2", children=[
            card("代表性帖子（每组相似信息一条）", html.Div(id="event-posts", className="results")),
            html.Div(children=[
                card("回应效果（回应前后各24小时）", html.P(id="event-effect")),
                card("处置记录", html.Div(id="event-record")),
            ]),
        ]),
    ])


@guarded_callback(Output("event-title", "children"), Output("event-facts", "children"),
                  Output("event-stats", "children"), Output("event-timeline", "figure"),
                  Output("event-platforms", "figure"), Output("event-levels", "figure"),
                  Output("event-posts", "children"), Output("event-effect", "children"),
                  Output("event-record", "children"), Input("event-id", "data"), Input("event-tick", "n_intervals"),
                  roles=ROLES)
def refresh(event_id, _tick):
    store = current_store()
    alert = event_alert(store, event_id) if workflow is not None else None
    if not may_open(current_user(), alert):
        message = html.P("该事件的预警未交办给本单位，无权查看。", className="error")
        return ("事件", [], message, figures.empty(), figures.empty(), figures.empty(), [], "", [])
    event = store.get("events", event_id) or {}
    data = event_posts_summary(store, event_id)
    title = event.get("title") or (alert or {}).get("title") or f"事件 {event_id}"
    if not data["total"] and not event and alert is None:
        return (f"事件不存在：{event_id}", [], [], figures.empty("没有该事件的帖子"), figures.empty(),
                figures.empty(), [], "", [])
    facts = []
    if alert:
        facts += [html.Span(f"{alert.get('level', '')}级 · {alert.get('color', '')}", className="tag level-tag"),
                  html.Span(workflow.STATUS_LABELS.get(alert.get("status"), alert.get("status") or ""),
                            className=f"tag status-{alert.get('status')}"),
                  html.Span(f"首次预警 {fmt_time(alert.get('first_alerted_at'))}")]
        if alert.get("owner_unit"):
            facts.append(html.Span(f"责任单位：{alert['owner_unit']}"))
        facts.append(dcc.Link("在预警列表中处理", href=f"/alerts?id={quote(str(alert['id']), safe='')}", id="event-alert-link"))
    share = data["negative_share"]
    stats = [stat("相关帖子", data["total"], id="event-total"), stat("相似信息组", data["clusters"]),
             stat("负面帖子", data["negative"], tone="bad" if share and share >= 0.5 else ""),
             stat("负面占比", f"{share:.0%}" if share is not None else "—"),
             stat("首条", fmt_time(data["first"] or event.get("first_seen")) or "—"),
             stat("最新", fmt_time(data["last"] or event.get("last_seen")) or "—")]
    posts = [render_post(p) for p in data["representatives"]] or [html.P("暂无帖子。", className="muted")]
    trail = workflow.audit_trail(store, alert["id"]) if alert and workflow else []
    now = now_utc()
    effect = response_effect(store, alert, now)
    return (title, facts, stats, figures.volume_sentiment_trend(data["timeline"], ""),
            figures.top_bar(data["platforms"], ""), figures.top_bar(data["levels"], "", color="#5b8c5a"),
            posts, effect_text(effect, first_response_at(alert), now), record_table(record_rows(alert, trail)))
