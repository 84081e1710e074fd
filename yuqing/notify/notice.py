"""What is sent (Notice), how it went (DeliveryResult), and the alert levels shown 红橙黄蓝."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import datetime

KINDS = ("alert", "reminder", "digest")
KIND_LABELS = {"alert": "预警", "reminder": "提醒", "digest": "简报"}

# 舆情 levels: practice, not law (see config/clocks.yaml); shown in the 突发事件 colours.
LEVELS = ("Ⅰ", "Ⅱ", "Ⅲ", "Ⅳ")
LEVEL_NAMES = {"Ⅰ": "特别重大", "Ⅱ": "重大", "Ⅲ": "较大", "Ⅳ": "一般"}
LEVEL_COLOURS = {"Ⅰ": "红", "Ⅱ": "橙", "Ⅲ": "黄", "Ⅳ": "蓝"}
COLOUR_HEX = {"红": "#d7191c", "橙": "#fd8d3c", "黄": "#fecc5c", "蓝": "#2c7bb6"}
COLOUR_EMOJI = {"红": "🟥", "橙": "🟧", "黄": "🟨", "蓝": "🟦"}
COLOUR_NAMES_EN = {"红": "red", "橙": "orange", "黄": "yellow", "蓝": "blue"}  # Feishu card templates
LEVEL_ALIASES = {
    **{level: level for level in LEVELS},
    "I": "Ⅰ",
    "II": "Ⅱ",
    "III": "Ⅲ",
    "IV": "Ⅳ",
    "1": "Ⅰ",
    "2": "Ⅱ",
    "3": "Ⅲ",
    "4": "Ⅳ",
    "一级": "Ⅰ",
    "二级": "Ⅱ",
    "三级": "Ⅲ",
    "四级": "Ⅳ",
    "红": "Ⅰ",
    "橙": "Ⅱ",
    "黄": "Ⅲ",
    "蓝": "Ⅳ",
}


def normalise_level(value: object) -> str | None:
    """'Ⅱ', 'II', 2, '二级' or '橙' -> 'Ⅱ'; None for anything else."""
    if value is None or isinstance(value, bool):
        return None
    return LEVEL_ALIASES.get(str(value).strip().upper() if str(value).isascii() else str(value).strip())


def level_rank(level: str | None) -> int | None:
    """1 (Ⅰ, most severe) .. 4 (Ⅳ); None when there is no level."""
    normal = normalise_level(level)
    return LEVELS.index(normal) + 1 if normal else None


@dataclass
class Notice:
    """One message to deliver; ``text`` is plain text with a little markdown (**bold**, - items, [t](url))."""

    title: str
    text: str
    level: str | None = None
    color: str | None = None
    url: str | None = None
    unit: str | None = None
    kind: str = "alert"
    attachments: list[tuple[str, bytes, str]] = field(default_factory=list)  # (filename, content, mime)

    def __post_init__(self) -> None:
        if self.kind not in KINDS:
            raise ValueError(f"unknown notice kind {self.kind!r} (expected one of {KINDS})")
        if self.level is not None:
            normal = normalise_level(self.level)
            if normal is None:
                raise ValueError(f"unknown level {self.level!r}")
            self.level = normal
        if self.color is None and self.level is not None:
            self.color = LEVEL_COLOURS[self.level]
        for item in self.attachments:
            if not (
                isinstance(item, tuple)
                and len(item) == 3
                and isinstance(item[0], str)
                and isinstance(item[1], (bytes, bytearray))
                and isinstance(item[2], str)
            ):
                raise ValueError(
                    f"attachment must be (filename: str, content: bytes, mime: str), got {item!r:.80}"
                )

    @property
    def level_rank(self) -> int | None:
        return level_rank(self.level)

    def badge(self) -> str:
        """'🟥 红色预警 · Ⅰ级（特别重大）' or '' when the notice has neither level nor colour."""
        parts = []
        if self.color:
            parts.append(f"{COLOUR_EMOJI.get(self.color, '')} {self.color}色{KIND_LABELS[self.kind]}".strip())
        if self.level:
            parts.append(f"{self.level}级（{LEVEL_NAMES[self.level]}）")
        return " · ".join(parts)

    def subject(self) -> str:
        """A one-line subject: '【红色预警·Ⅰ级】title'."""
        tag = f"{self.color}色{KIND_LABELS[self.kind]}" if self.color else KIND_LABELS[self.kind]
        if self.level:
            tag += f"·{self.level}级"
        return f"【{tag}】{self.title}"


@dataclass
class DeliveryResult:
    """The outcome of delivering one notice to one channel, after all attempts."""

    channel: str
    ok: bool
    at: datetime
    error: str | None
    attempts: int

    def as_record(self) -> dict:
        """The alert document's ``notifications`` entry: {channel, at, ok, error}."""
        return {"channel": self.channel, "at": self.at.isoformat(), "ok": self.ok, "error": self.error}


_LINK = re.compile(r"\[([^\]]+)\]\(([^)\s]+)\)")
_BOLD = re.compile(r"\*\*(.+?)\*\*")


def plain_text(markdown: str) -> str:
    """The markdown-lite body as plain text: '**x**' -> 'x', '[t](u)' -> 't（u）'."""
    text = _LINK.sub(
        lambda m: m.group(1) if m.group(1) == m.group(2) else f"{m.group(1)}（{m.group(2)}）", markdown
    )
    return _BOLD.sub(r"\1", text)
