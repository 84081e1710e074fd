"""Digests for leaders: 舆情日报, 周报 and 专报 from the store, as DOCX, PDF, HTML and Markdown.

Data flows once, forward: ``model`` queries Elasticsearch (through :class:`yuqing.store.Store`) into
dataclasses; ``prose`` writes the Chinese text from them by templates; ``layout`` turns a digest into a
format-neutral list of blocks (headings, paragraphs, tables, figures from ``charts``); the renderers
``docx``, ``html``, ``pdf`` and ``md`` turn the same blocks into files, so every format carries the
same content. ``schedule`` decides when the morning digest is due and delivers it by email.
"""

from __future__ import annotations

FORMATS = ("docx", "pdf", "html", "md")
MIME_TYPES = {
    "docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    "pdf": "application/pdf",
    "html": "text/html; charset=utf-8",
    "md": "text/markdown; charset=utf-8",
}

__all__ = ["FORMATS", "MIME_TYPES"]
