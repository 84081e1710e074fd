"""Terminal columns for text that mixes Chinese and ASCII: a wide character takes two.

Python's format widths count characters, so a table with Chinese headings or values drifted by a
column per Chinese character; tables printed by the command line pad with these instead."""

from __future__ import annotations

import unicodedata


def width_of(text: str) -> int:
    """Terminal columns ``text`` takes."""
    return sum(2 if unicodedata.east_asian_width(c) in "WF" else 1 for c in text)


def ljust(text: object, columns: int) -> str:
    text = str(text)
    return text + " " * max(columns - width_of(text), 0)


def rjust(text: object, columns: int) -> str:
    text = str(text)
    return " " * max(columns - width_of(text), 0) + text


__all__ = ["width_of", "ljust", "rjust"]
