"""Self-contained HTML: inline CSS, charts as data URIs, every text escaped, no scripts, no external loads."""

from __future__ import annotations

import base64
import html

from yuqing.digest.layout import Bullets, Document, Figure, Heading, Paragraph, Table

FONT_STACK = (
    '"WenQuanYi Micro Hei", "Noto Sans CJK SC", "Microsoft YaHei", "PingFang SC", "SimHei", sans-serif'
)
# Nothing may load from anywhere: images are data URIs, the style is inline, scripts are refused.
CSP = "default-src 'none'; img-src data:; style-src 'unsafe-inline'"

STYLE = f"""
body {{ font-family: {FONT_STACK}; color: #222; max-width: 820px; margin: 24px auto; padding: 0 16px;
       line-height: 1.7; font-size: 15px; }}
h1 {{ font-size: 24px; text-align: center; color: #b00; margin-bottom: 4px; }}
.subtitle {{ text-align: center; color: #666; font-size: 13px; border-bottom: 2px solid #b00;
            padding-bottom: 8px; margin-bottom: 16px; }}
h2 {{ font-size: 18px; margin-top: 24px; border-left: 4px solid #b00; padding-left: 8px; }}
h3 {{ font-size: 16px; margin-top: 16px; }}
h2, h3, caption {{ break-after: avoid; page-break-after: avoid; }}
p {{ text-indent: 2em; margin: 8px 0; }}
p.emphasis {{ font-weight: bold; color: #b00; }}
table {{ border-collapse: collapse; width: 100%; margin: 8px 0 4px; font-size: 13px; }}
caption {{ caption-side: top; text-align: left; color: #555; font-size: 13px; padding-bottom: 4px; }}
th, td {{ border: 1px solid #bbb; padding: 4px 6px; text-align: left; vertical-align: top; }}
th {{ background: #f3f3f3; }}
tr {{ page-break-inside: avoid; }}
figure {{ margin: 12px 0; text-align: center; page-break-inside: avoid; }}
figure img {{ max-width: 100%; }}
figcaption {{ color: #555; font-size: 13px; }}
@page {{ size: A4; margin: 18mm 15mm; }}
"""


def _esc(text: str) -> str:
    return html.escape(text or "", quote=True)


def render_html(doc: Document) -> str:
    parts = [
        "<!DOCTYPE html>",
        '<html lang="zh-CN">',
        "<head>",
        '<meta charset="utf-8">',
        f'<meta http-equiv="Content-Security-Policy" content="{CSP}">',
        '<meta name="viewport" content="width=device-width, initial-scale=1">',
        f"<title>{_esc(doc.title)}</title>",
        f"<style>{STYLE}</style>",
        "</head>",
        "<body>",
        f"<h1>{_esc(doc.title)}</h1>",
        f'<div class="subtitle">{_esc(doc.subtitle)}</div>',
    ]
    for block in doc.blocks:
        if isinstance(block, Heading):
            tag = "h2" if block.level == 1 else "h3"
            parts.append(f"<{tag}>{_esc(block.text)}</{tag}>")
        elif isinstance(block, Paragraph):
            cls = ' class="emphasis"' if block.emphasis else ""
            parts.append(f"<p{cls}>{_esc(block.text)}</p>")
        elif isinstance(block, Bullets):
            parts.append("<ul>" + "".join(f"<li>{_esc(item)}</li>" for item in block.items) + "</ul>")
        elif isinstance(block, Table):
            head = "".join(f"<th>{_esc(h)}</th>" for h in block.header)
            body = "".join(
                "<tr>" + "".join(f"<td>{_esc(c)}</td>" for c in row) + "</tr>" for row in block.rows
            )
            caption = f"<caption>{_esc(block.caption)}</caption>" if block.caption else ""
            parts.append(f"<table>{caption}<thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>")
        elif isinstance(block, Figure):
            data = base64.b64encode(block.png).decode("ascii")
            parts.append(
                f'<figure><img src="data:image/png;base64,{data}" alt="{_esc(block.caption)}">'
                f"<figcaption>{_esc(block.caption)}</figcaption></figure>"
            )
    parts += ["</body>", "</html>"]
    return "\n".join(parts)


__all__ = ["render_html"]
