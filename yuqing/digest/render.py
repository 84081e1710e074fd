"""One entry point from a layout Document to the bytes of any format."""

from __future__ import annotations

from yuqing.digest import FORMATS
from yuqing.digest.layout import Document


def render(doc: Document, fmt: str, asset_prefix: str = "") -> tuple[bytes, list[tuple[str, bytes]]]:
    """(file content, extra files); only Markdown has extra files (its chart images)."""
    if fmt == "docx":
        from yuqing.digest.docx import render_docx

        return render_docx(doc), []
    if fmt == "html":
        from yuqing.digest.html import render_html

        return render_html(doc).encode("utf-8"), []
    if fmt == "pdf":
        from yuqing.digest.pdf import render_pdf

        return render_pdf(doc), []
    if fmt == "md":
        from yuqing.digest.md import render_md

        text, assets = render_md(doc, asset_prefix)
        return text.encode("utf-8"), assets
    raise ValueError(f"unknown format {fmt!r} (expected one of {FORMATS})")


def file_name(doc: Document, key: str, fmt: str) -> str:
    """'舆情日报-2024-03-12.docx', '舆情周报-2024-03-11.pdf', '舆情专报-evt-1.html'."""
    label = {"daily": "舆情日报", "weekly": "舆情周报", "event": "舆情专报"}[doc.kind]
    safe = "".join(ch if ch.isalnum() or ch in "-_." else "_" for ch in key)
    return f"{label}-{safe}.{fmt}"


__all__ = ["render", "file_name"]
