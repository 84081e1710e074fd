"""PDF: the HTML rendering printed by headless Chromium (same content as the HTML, no network)."""

from __future__ import annotations

import logging
import os
import shutil
import subprocess
import tempfile
from pathlib import Path

from yuqing.errors import YuqingError

LOGGER = logging.getLogger(__name__)

CHROMIUM_CANDIDATES = ("/usr/bin/chromium", "chromium", "chromium-browser", "google-chrome")
FLAGS = (
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--disable-extensions",
    "--disable-dev-shm-usage",
    "--no-pdf-header-footer",
    "--print-to-pdf-no-header",
    "--run-all-compositor-stages-before-draw",
)
TIMEOUT_S = 90


class PdfRenderError(YuqingError):
    """Chromium is missing or failed to print the page."""


def chromium_path() -> str:
    configured = os.environ.get("YUQING_CHROMIUM")
    for candidate in ((configured,) if configured else ()) + CHROMIUM_CANDIDATES:
        found = shutil.which(candidate)
        if found:
            return found
    raise PdfRenderError(
        "找不到 Chromium，无法生成 PDF", hint="安装 chromium，或用 YUQING_CHROMIUM 指定可执行文件路径"
    )


def html_to_pdf(html_text: str, timeout: float = TIMEOUT_S) -> bytes:
    """Print ``html_text`` to PDF with a fresh profile in a temporary directory."""
    binary = chromium_path()
    with tempfile.TemporaryDirectory(prefix="yuqing-pdf-") as tmp:
        folder = Path(tmp)
        page, out = folder / "digest.html", folder / "digest.pdf"
        page.write_text(html_text, encoding="utf-8")
        command = [
            binary,
            *FLAGS,
            f"--user-data-dir={folder / 'profile'}",
            f"--print-to-pdf={out}",
            page.as_uri(),
        ]
        try:
            run = subprocess.run(
                command,
                capture_output=True,
                timeout=timeout,
                cwd=folder,
                env={**os.environ, "HOME": str(folder)},
            )
        except subprocess.TimeoutExpired:
            raise PdfRenderError(f"Chromium 生成 PDF 超时（{timeout:.0f} 秒）") from None
        except OSError as exc:
            raise PdfRenderError(f"无法运行 Chromium（{binary}）: {exc}") from None
        if not out.is_file() or out.stat().st_size == 0:
            tail = run.stderr.decode("utf-8", "replace").strip().splitlines()[-3:]
            raise PdfRenderError(f"Chromium 未能生成 PDF（退出码 {run.returncode}）: {' / '.join(tail)}")
        return out.read_bytes()


def render_pdf(doc) -> bytes:
    from yuqing.digest.html import render_html

    return html_to_pdf(render_html(doc))


__all__ = ["render_pdf", "html_to_pdf", "PdfRenderError", "chromium_path"]
