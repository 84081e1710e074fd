"""Figures as pure functions: a small DataFrame in, a Plotly Figure out. Labels in Chinese."""

from __future__ import annotations

import pandas as pd
import plotly.graph_objects as go

FONT = "PingFang SC, Microsoft YaHei, Noto Sans CJK SC, WenQuanYi Micro Hei, sans-serif"
SENTIMENT_LABELS = {"pos": "正面", "neu": "中性", "neg": "负面"}
SENTIMENT_COLORS = {"pos": "#3a9d5d", "neu": "#9aa5b1", "neg": "#d64545"}
STATUS_COLORS = {"未回复": "#d64545", "待回复": "#e8833a", "办理中": "#e0b43a", "已办理": "#3a9d5d"}
ACCENT = "#2f6fb2"


def _layout(fig: go.Figure, title: str = "", height: int = 300) -> go.Figure:
    fig.update_layout(title={"text": title, "x": 0, "font": {"size": 15}} if title else None,
                      font={"family": FONT, "size": 12, "color": "#25313c"}, height=height,
                      margin={"l": 48, "r": 16, "t": 40 if title else 12, "b": 36},
                      paper_bgcolor="rgba(0,0,0,0)", plot_bgcolor="rgba(0,0,0,0)",
                      legend={"orientation": "h", "y": -0.18}, hoverlabel={"font": {"family": FONT}})
    fig.update_xaxes(gridcolor="#eef1f4")
    fig.update_yaxes(gridcolor="#eef1f4", rangemode="tozero")
    return fig


def empty(message: str = "暂无数据", height: int = 300) -> go.Figure:
    fig = go.Figure()
    fig.add_annotation(text=message, showarrow=False, font={"size": 14, "color": "#8a96a3"},
                       xref="paper", yref="paper", x=0.5, y=0.5)
    fig.update_xaxes(visible=False)
    fig.update_yaxes(visible=False)
    return _layout(fig, height=height)


BUCKET_MS = {"1h": 3_600_000, "1d": 86_400_000, "1w": 7 * 86_400_000, "1M": 30 * 86_400_000}
DAY_MS = BUCKET_MS["1d"]


def volume_sentiment_trend(frame: pd.DataFrame, title: str = "声量与情感趋势", interval: str | None = None) -> go.Figure:
    """Columns: time, pos, neu, neg (post counts per bucket) → stacked bars and a negative-share line.

    ``interval`` is the histogram's bucket (1h, 1d, 1w, 1M; inferred from the times when not given): the bars
    are that wide, and a few days of data get one tick per day (one day of data is one bar among its
    neighbouring days, not a bar across the whole chart under repeated date labels)."""
    if frame.empty or frame[["pos", "neu", "neg"]].to_numpy().sum() == 0:
        return empty("所选条件下没有帖子")
    times = pd.to_datetime(frame["time"])
    if interval not in BUCKET_MS:
        step = (times.iloc[1] - times.iloc[0]).total_seconds() if len(times) > 1 else 86400
        interval = "1h" if step < 86400 else "1d" if step < 7 * 86400 else "1w" if step < 28 * 86400 else "1M"
    hourly, bucket = interval == "1h", BUCKET_MS[interval]
    fig = go.Figure()
    for label in ("neg", "neu", "pos"):
        fig.add_bar(x=times, y=frame[label], name=SENTIMENT_LABELS[label], width=bucket * 0.8,
                    marker_color=SENTIMENT_COLORS[label], hovertemplate="%{x}<br>%{y} 条<extra>%{fullData.name}</extra>")
    total = frame[["pos", "neu", "neg"]].sum(axis=1)
    share = frame["neg"] / total.where(total > 0) * 100  # no posts: no share (a gap, not 0 %)
    fig.add_scatter(x=times, y=share, name="负面占比", yaxis="y2", mode="lines+markers", cliponaxis=False,
                    line={"color": "#7a2e8e", "width": 2}, hovertemplate="%{y:.0f}%<extra>负面占比</extra>")
    # At least a few buckets' room either side: a lone bar keeps its width and its neighbours' dates.
    first, last = times.min(), times.max()
    pad = pd.Timedelta(milliseconds=bucket * (1 if len(times) >= 4 else 1.5))
    xaxis = {"type": "date", "range": [first - pad, last + pad],
             "tickformat": {"1h": "%m-%d<br>%H:%M", "1M": "%Y-%m"}.get(interval, "%Y-%m-%d"),
             "hoverformat": {"1h": "%Y-%m-%d %H:%M", "1M": "%Y-%m"}.get(interval, "%Y-%m-%d")}
    span = last - first + 2 * pad
    if hourly and span <= pd.Timedelta(hours=12):
        xaxis.update(dtick=BUCKET_MS["1h"], tick0=first)
    elif interval == "1d" and span <= pd.Timedelta(days=14):
        xaxis.update(dtick=DAY_MS, tick0=first.normalize())  # one label per day, never one day twice
    fig.update_xaxes(**xaxis)
    peak = int(total.max())
    fig.update_layout(barmode="stack", yaxis={"title": "帖子数", **({"dtick": 1} if peak <= 5 else {})},
                      # Fixed quarter ticks and a little headroom: a 100 % point is drawn whole, not cut
                      # at the frame, and the labels read 0–100 % whatever the post counts are.
                      yaxis2={"title": "负面占比 %", "overlaying": "y", "side": "right", "range": [0, 106],
                              "tickmode": "array", "tickvals": [0, 25, 50, 75, 100],
                              "showgrid": False})
    return _layout(fig, title)


def top_bar(frame: pd.DataFrame, title: str, color: str = ACCENT, label_col: str = "key",
            value_col: str = "count") -> go.Figure:
    """Horizontal bars, largest on top (top keywords, top sources)."""
    if frame.empty:
        return empty("暂无数据")
    ordered = frame.sort_values(value_col, ascending=True)
    fig = go.Figure(go.Bar(x=ordered[value_col], y=ordered[label_col].astype(str), orientation="h",
                           marker_color=color, hovertemplate="%{y}: %{x}<extra></extra>"))
    return _layout(fig, title, height=max(260, 24 * len(frame) + 60))


def channel_status(frame: pd.DataFrame, title: str = "各渠道留言办理状态") -> go.Figure:
    """Columns: channel, status, count → stacked horizontal bars per channel."""
    if frame.empty:
        return empty("暂无留言")
    fig = go.Figure()
    statuses = [s for s in STATUS_COLORS if s in set(frame["status"])] + \
        sorted(set(frame["status"]) - set(STATUS_COLORS))
    for status in statuses:
        part = frame[frame["status"] == status]
        fig.add_bar(y=part["channel"], x=part["count"], name=status, orientation="h",
                    marker_color=STATUS_COLORS.get(status, "#9aa5b1"))
    fig.update_layout(barmode="stack")
    return _layout(fig, title, height=max(220, 40 * frame["channel"].nunique() + 100))


def unit_reply(frame: pd.DataFrame, title: str = "各单位答复率") -> go.Figure:
    """Columns: unit, total, replied, rate (0..1) → bars of reply rate per unit."""
    if frame.empty:
        return empty("暂无留言")
    ordered = frame.sort_values("rate")
    colors = ["#d64545" if r < 0.6 else "#e0b43a" if r < 0.9 else "#3a9d5d" for r in ordered["rate"]]
    fig = go.Figure(go.Bar(x=ordered["rate"] * 100, y=ordered["unit"], orientation="h", marker_color=colors,
                           customdata=ordered[["replied", "total"]],
                           hovertemplate="%{y}: %{x:.0f}%（%{customdata[0]}/%{customdata[1]}）<extra></extra>"))
    fig.update_xaxes(range=[0, 100], title="答复率 %")
    return _layout(fig, title, height=max(240, 28 * len(frame) + 80))


def runs_timeline(frame: pd.DataFrame, title: str = "最近采集") -> go.Figure:
    """Columns: time, source, items, errors → items per run with errors marked."""
    if frame.empty:
        return empty("还没有采集记录")
    fig = go.Figure()
    for source, part in frame.groupby("source"):
        fig.add_scatter(x=part["time"], y=part["items"], name=str(source), mode="lines+markers")
    return _layout(fig, title)
