"""Matplotlib charts as PNG bytes (Agg canvas, no pyplot state, no network).

Chinese labels need a CJK font: the first installed of ``CJK_FONTS`` is used; without one the charts
still render (CJK glyphs then show as boxes) and a warning is logged once.
"""

from __future__ import annotations

import io
import logging
from functools import lru_cache

from yuqing.digest.model import Count, Point

LOGGER = logging.getLogger(__name__)

CJK_FONTS = (
    "WenQuanYi Micro Hei",
    "Noto Sans CJK SC",
    "Noto Sans SC",
    "Source Han Sans SC",
    "SimHei",
    "Microsoft YaHei",
    "PingFang SC",
)
PALETTE = ("#2c7bb6", "#d7191c", "#fdae61", "#abd9e9", "#1a9641", "#7b3294", "#999999")
SENTIMENT_COLOURS = {"neg": "#d7191c", "pos": "#1a9641", "neu": "#999999"}
DPI = 150


@lru_cache(maxsize=1)
def cjk_font() -> str | None:
    """The family name of an installed CJK font, or None."""
    from matplotlib import font_manager

    installed = {f.name for f in font_manager.fontManager.ttflist}
    for name in CJK_FONTS:
        if name in installed:
            return name
    LOGGER.warning("no CJK font found (tried %s); chart labels may not show", ", ".join(CJK_FONTS))
    return None


def _figure(width: float = 7.0, height: float = 3.0):
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure

    fig = Figure(figsize=(width, height), dpi=DPI)
    FigureCanvasAgg(fig)
    return fig


def _style(ax, title: str) -> None:
    font = cjk_font()
    ax.set_title(title, fontsize=11, fontfamily=font or "sans-serif")
    for label in ax.get_xticklabels() + ax.get_yticklabels():
        label.set_fontfamily(font or "sans-serif")
        label.set_fontsize(8)
    ax.spines[["top", "right"]].set_visible(False)


def _png(fig) -> bytes:
    buffer = io.BytesIO()
    fig.tight_layout()
    fig.savefig(buffer, format="png", metadata={"Software": None})
    return buffer.getvalue()


def volume_chart(points: list[Point], title: str, hourly: bool = True) -> bytes:
    """Mentions per hour (or per day) as a line with its area filled."""
    fig = _figure()
    ax = fig.add_subplot()
    xs = list(range(len(points)))
    ys = [p.mentions for p in points]
    ax.plot(xs, ys, color=PALETTE[0], linewidth=1.6)
    ax.fill_between(xs, ys, color=PALETTE[0], alpha=0.15)
    step = max(1, len(points) // 12)
    ticks = xs[::step]
    ax.set_xticks(ticks)
    if hourly and len({p.at.date() for p in points}) > 1:
        labels = [f"{points[i].at.month}/{points[i].at.day} {points[i].at:%H}时" for i in ticks]
    else:
        labels = [
            f"{points[i].at:%H}时" if hourly else f"{points[i].at.month}/{points[i].at.day}" for i in ticks
        ]
    ax.set_xticklabels(labels, rotation=0)
    ax.set_ylim(bottom=0)
    from matplotlib.ticker import MaxNLocator

    ax.yaxis.set_major_locator(MaxNLocator(integer=True))
    ax.set_ylabel("信息量（条）", fontfamily=cjk_font() or "sans-serif", fontsize=8)
    _style(ax, title)
    return _png(fig)


def bar_chart(counts: list[Count], title: str, colours: dict[str, str] | None = None) -> bytes:
    """Horizontal bars of mentions per key, largest on top, with the value at each bar."""
    fig = _figure(7.0, max(1.6, 0.45 * len(counts) + 0.9))
    ax = fig.add_subplot()
    rows = sorted(counts, key=lambda c: c.mentions)
    labels = [c.label for c in rows]
    values = [c.mentions for c in rows]
    colour = [(colours or {}).get(c.key, PALETTE[i % len(PALETTE)]) for i, c in enumerate(rows)]
    bars = ax.barh(range(len(rows)), values, color=colour)
    ax.set_yticks(range(len(rows)))
    ax.set_yticklabels(labels)
    for bar, value in zip(bars, values, strict=True):
        ax.text(bar.get_width(), bar.get_y() + bar.get_height() / 2, f" {value}", va="center", fontsize=8)
    ax.set_xlim(0, max(values + [1]) * 1.15)
    _style(ax, title)
    return _png(fig)


def sentiment_chart(counts: list[Count], title: str = "情感分布") -> bytes:
    return bar_chart(counts, title, SENTIMENT_COLOURS)


__all__ = ["volume_chart", "bar_chart", "sentiment_chart", "cjk_font", "CJK_FONTS"]
