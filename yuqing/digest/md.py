"""Markdown: headings, pipe tables and bullets; charts as files beside the text (``assets``).

Crawled text is escaped so that it cannot become markup (HTML tags, links, emphasis, table cells).
"""

from __future__ import annotations

import re

from yuqing.digest.layout import Bullets, Document, Figure, Heading, Paragraph, Table

_SPECIAL = re.compile(r"([\\`*_{}\[\]()#+\-.!|>~])")


def escape(text: str) -> str:
    """Markdown-escape one line of text: HTML entities for <>&, backslashes for markup characters."""
    text = (text or "").replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
    text = _SPECIAL.sub(r"\\\1", text)
    return re.sub(r"\s*\n\s*", " ", text)


def render_md(doc: Document, asset_prefix: str = "") -> tuple[str, list[tuple[str, bytes]]]:
    """(markdown text, [(file name, png)]); images are linked as ``asset_prefix + name``."""
    lines = [f"# {escape(doc.title)}", "", f"*{escape(doc.subtitle)}*", ""]
    assets: list[tuple[str, bytes]] = []
    for block in doc.blocks:
        if isinstance(block, Heading):
            lines += [f"{'#' * (block.level + 1)} {escape(block.text)}", ""]
        elif isinstance(block, Paragraph):
            text = escape(block.text)
            lines += [f"**{text}**" if block.emphasis else text, ""]
        elif isinstance(block, Bullets):
            lines += [f"- {escape(item)}" for item in block.items] + [""]
        elif isinstance(block, Table):
            if block.caption:
                lines += [f"*{escape(block.caption)}*", ""]
            lines.append("| " + " | ".join(escape(h) for h in block.header) + " |")
            lines.append("|" + "---|" * len(block.header))
            lines += ["| " + " | ".join(escape(c) for c in row) + " |" for row in block.rows]
            lines.append("")
        elif isinstance(block, Figure):
            name = f"chart-{len(assets) + 1}.png"
            assets.append((name, block.png))
            lines += [f"![{escape(block.caption)}]({asset_prefix}{name})", ""]
    return "\n".join(lines), assets


__all__ = ["render_md", "escape"]
