"""Each kind rendered from the sandbox scenarios; the files are read back and their content checked.

Set YUQING_DIGEST_DEMO_DIR=docs/digest to also save the daily digest (DOCX, PDF, HTML, PNG pages) there.
"""

from __future__ import annotations

import io
import os
import subprocess
from datetime import datetime
from pathlib import Path

import pytest

from analysis.workdays import SHANGHAI
from yuqing.digest import prose
from yuqing.digest.layout import Figure, digest_document, event_document
from yuqing.digest.model import build_digest, build_event_report
from yuqing.digest.render import render

pytestmark = pytest.mark.es

NOW = datetime(2024, 3, 20, 9, 0, tzinfo=SHANGHAI)
DAY = datetime(2024, 3, 12).date()
FOOD = "河西区梧桐路小学学生午餐后集体呕吐"
# the hot list names an event from its posts up to the cut-off: the central media report's headline
FOOD_HOT = "校园餐安全再引关注：天津一小学学生集体呕吐事件追问"
PRESS_DUE = "3月13日 12:50"  # 24 h press-conference clock from 3月12日 12:50
DEMO_DIR = os.environ.get("YUQING_DIGEST_DEMO_DIR")


@pytest.fixture(scope="module")
def daily(digest_store):
    return build_digest(digest_store, "daily", DAY, now=NOW)


@pytest.fixture(scope="module")
def daily_doc(daily):
    return digest_document(daily)


@pytest.fixture(scope="module")
def event_report(digest_store):
    return build_event_report(
        digest_store, "evt-food_poisoning", as_of=datetime(2024, 3, 13, 9, 0, tzinfo=SHANGHAI), now=NOW
    )


def _docx_text(data: bytes):
    import docx

    document = docx.Document(io.BytesIO(data))
    body = "\n".join(p.text for p in document.paragraphs)
    cells = "\n".join(c.text for t in document.tables for r in t.rows for c in r.cells)
    return document, body + "\n" + cells


def test_daily_prose_is_about_500_characters(daily):
    text = prose.daily_prose(daily)
    assert 350 <= len(text) <= prose.DAILY_BUDGET, len(text)
    assert FOOD in text and str(daily.mentions) in text and PRESS_DUE in text


def test_the_top_event_quotes_its_heat_only_when_it_has_one(daily):
    from dataclasses import replace

    top = daily.top_events[0]
    assert top.heat > 0 and f"热度{top.heat:.0f}" in prose.daily_prose(daily)
    unscored = replace(daily, top_events=[replace(top, heat=0.0)] + list(daily.top_events[1:]))
    text = prose.daily_prose(unscored)
    assert top.title in text and "热度0" not in text


def test_daily_docx_has_headings_tables_images_and_chinese_fonts(daily, daily_doc, digest_store):
    from docx.oxml.ns import qn

    data, _ = render(daily_doc, "docx")
    document, text = _docx_text(data)
    headings = [p.text for p in document.paragraphs if p.style.name.startswith("Heading")]
    assert headings[:3] == ["一、总体态势", "二、信息量与来源", "三、热点事件"]
    assert [p.text for p in document.paragraphs if p.style.name == "Title"] == ["舆情日报（2024年3月12日）"]
    assert len(document.inline_shapes) == sum(isinstance(b, Figure) for b in daily_doc.blocks) == 3
    events = next(t for t in document.tables if t.rows[0].cells[1].text == "事件")
    first = [c.text for c in events.rows[1].cells]
    assert first[1] == FOOD_HOT and first[4] == "102"
    totals = {
        t.rows[i].cells[0].text: t.rows[i].cells[1].text
        for t in document.tables[:1]
        for i in range(len(t.rows))
    }
    assert totals["信息总量（条）"] == str(
        digest_store.count(
            "posts",
            {
                "range": {
                    "published_at": {"gte": "2024-03-12T00:00:00+08:00", "lt": "2024-03-13T00:00:00+08:00"}
                }
            },
        )
    )
    assert PRESS_DUE in text and "召开新闻发布会" in text
    rfonts = document.styles["Normal"].element.rPr.rFonts
    assert rfonts.get(qn("w:eastAsia")) == "宋体"
    assert document.styles["Heading 1"].element.rPr.rFonts.get(qn("w:eastAsia")) == "黑体"


def _pdf_text_and_pages(data: bytes, folder: Path) -> tuple[str, list[Path]]:
    """pdftotext (whitespace removed) and pdftoppm pages of a rendered PDF."""
    assert data.startswith(b"%PDF")
    pdf = folder / "doc.pdf"
    pdf.write_bytes(data)
    text = subprocess.run(["pdftotext", "-layout", str(pdf), "-"], capture_output=True, check=True,
                          timeout=60).stdout.decode("utf-8")
    subprocess.run(["pdftoppm", "-png", "-r", "50", str(pdf), str(folder / "pg")], check=True, timeout=120)
    return "".join(text.split()), sorted(folder.glob("pg-*.png"))


def test_weekly_and_event_reports_carry_the_same_content_in_pdf_and_html(digest_store, event_report, tmp_path,
                                                                         tools):
    tools("pdftotext", "pdftoppm")
    weekly = digest_document(build_digest(digest_store, "weekly", DAY, now=NOW))
    event = event_document(event_report)
    for name, doc, needles in (
        ("weekly", weekly, ["舆情周报（2024年3月11日—2024年3月17日）", "周环比", "各单位回应情况", "河西区市场监管局"]),
        ("event", event, ["一、摘要", "二、事件经过", "六、处置建议", "风险研判", PRESS_DUE.replace(" ", "")]),
    ):
        folder = tmp_path / name
        folder.mkdir()
        flat, pages = _pdf_text_and_pages(render(doc, "pdf")[0], folder)
        page = "".join(render(doc, "html")[0].decode("utf-8").split())
        for needle in needles:
            assert needle in flat, (name, "pdf", needle)
            assert needle in page, (name, "html", needle)
        assert pages and all(p.stat().st_size > 3000 for p in pages), name


def test_daily_pdf_text_and_pages(daily, daily_doc, tmp_path, tools):
    tools("pdftotext", "pdftoppm")
    data, _ = render(daily_doc, "pdf")
    assert data.startswith(b"%PDF")
    pdf = tmp_path / "daily.pdf"
    pdf.write_bytes(data)
    text = subprocess.run(
        ["pdftotext", "-layout", str(pdf), "-"], capture_output=True, check=True, timeout=60
    ).stdout.decode("utf-8")
    flat = "".join(text.split())
    assert "舆情日报（2024年3月12日）" in flat
    assert FOOD in flat and "3月13日12:50" in flat and "热点事件" in flat
    assert f"信息总量（条）{daily.mentions}" in flat
    subprocess.run(
        ["pdftoppm", "-png", "-r", "60", str(pdf), str(tmp_path / "page")], check=True, timeout=120
    )
    pages = sorted(tmp_path.glob("page-*.png"))
    assert len(pages) >= 2 and all(p.stat().st_size > 5000 for p in pages)
    if DEMO_DIR:
        _save_demo(daily_doc, data, Path(DEMO_DIR), pdf)


def _save_demo(doc, pdf_data: bytes, folder: Path, pdf: Path) -> None:
    folder.mkdir(parents=True, exist_ok=True)
    for old in folder.glob("daily-2024-03-12*"):
        old.unlink()
    for fmt in ("docx", "html"):
        (folder / f"daily-2024-03-12.{fmt}").write_bytes(render(doc, fmt)[0])
    (folder / "daily-2024-03-12.pdf").write_bytes(pdf_data)
    subprocess.run(
        ["pdftoppm", "-png", "-r", "80", str(pdf), str(folder / "daily-2024-03-12-page")],
        check=True,
        timeout=120,
    )


def test_daily_html_is_self_contained(daily_doc):
    page = render(daily_doc, "html")[0].decode("utf-8")
    assert page.count("data:image/png;base64,") == 3
    assert 'src="http' not in page and "<script" not in page and "<link" not in page
    assert FOOD in page and PRESS_DUE in page


def test_same_content_in_every_format(daily_doc):
    html_page = render(daily_doc, "html")[0].decode("utf-8")
    md_text = render(daily_doc, "md")[0].decode("utf-8")
    _document, docx_text = _docx_text(render(daily_doc, "docx")[0])
    for needle in (FOOD, PRESS_DUE, "超时未办", "留言办理"):
        assert needle in html_page and needle in docx_text
        assert needle in md_text.replace("\\", "")


def test_weekly_renders_change_and_scorecard(digest_store):
    weekly = build_digest(digest_store, "weekly", DAY, now=NOW)
    document, text = _docx_text(render(digest_document(weekly), "docx")[0])
    headings = [p.text for p in document.paragraphs if p.style.name.startswith("Heading")]
    assert "二、周环比" in headings and any(h.endswith("各单位回应情况") for h in headings)
    score = next(t for t in document.tables if t.rows[0].cells[0].text == "单位")
    rows = {(r.cells[0].text, r.cells[1].text): [c.text for c in r.cells] for r in score.rows[1:]}
    assert rows[("河西区市场监管局", "发布权威信息")][2:] == ["1", "0", "1", "0", "0%"]
    assert "舆情周报（2024年3月11日—2024年3月17日）" in text


def test_event_report_summary_and_sections(event_report):
    summary = prose.event_summary(event_report)
    assert len(summary) <= 200
    body, risk = summary.rsplit("\n", 1)
    assert risk.startswith("风险研判：高风险") and "Ⅱ级预警" in risk and "\n" not in body
    doc = event_document(event_report)
    document, text = _docx_text(render(doc, "docx")[0])
    headings = [p.text for p in document.paragraphs if p.style.name == "Heading 1"]
    assert headings == [
        "一、摘要",
        "二、事件经过",
        "三、传播情况",
        "四、各方观点",
        "五、趋势研判",
        "六、处置建议",
    ]
    assert "依法调查处置，调查进展和处置结果及时向社会发布" in text  # 重大问题
    assert PRESS_DUE in text and "官方（" in text and "普通网民（" in text and "（批评）" in text
    assert len(document.inline_shapes) == 2
    if DEMO_DIR:
        folder = Path(DEMO_DIR)
        for old in folder.glob("event-food_poisoning*"):
            old.unlink()
        pdf = folder / "event-food_poisoning.pdf"
        pdf.write_bytes(render(doc, "pdf")[0])
        (folder / "event-food_poisoning.docx").write_bytes(render(doc, "docx")[0])
        (folder / "event-food_poisoning.html").write_bytes(render(doc, "html")[0])
        subprocess.run(
            ["pdftoppm", "-png", "-r", "80", str(pdf), str(folder / "event-food_poisoning-page")],
            check=True,
            timeout=120,
        )


def test_html_escapes_crawled_markup(store):
    """A post title carrying a script is shown as text in HTML and Markdown, never as markup."""
    evil = "<script>alert('x')</script>某超市销售过期食品"
    store.index_posts(
        [
            {
                "url": "http://evil.example/1",
                "title": evil,
                "content": "过期食品，太差了",
                "published_at": "2024-03-12T10:00:00+08:00",
                "platform": "新闻",
                "media_level": "商业",
                "source_name": "<b>站点</b>",
                "sentiment": {"label": "neg", "score": 0.1},
                "cluster_id": "c1",
            }
        ],
        refresh=True,
    )
    digest = build_digest(store, "daily", DAY, now=NOW)
    assert digest.negative_items[0].title == evil
    doc = digest_document(digest)
    page = render(doc, "html")[0].decode("utf-8")
    assert "<script" not in page and "<b>站点" not in page
    assert "&lt;script&gt;alert(&#x27;x&#x27;)&lt;/script&gt;某超市销售过期食品" in page
    md_text = render(doc, "md")[0].decode("utf-8")
    assert "<script" not in md_text and "&lt;script&gt;" in md_text


def test_daily_docx_opens_in_libreoffice_with_its_text(daily_doc, tmp_path, tools):
    """The office suite our users file documents in converts the DOCX without complaint."""
    tools("soffice", "pdftotext")
    data, _ = render(daily_doc, "docx")
    source = tmp_path / "daily.docx"
    source.write_bytes(data)
    profile = tmp_path / "lo-profile"
    result = subprocess.run(["soffice", f"-env:UserInstallation=file://{profile}", "--headless", "--convert-to", "pdf",
                             "--outdir", str(tmp_path), str(source)], capture_output=True, text=True, timeout=180)
    pdf = tmp_path / "daily.pdf"
    assert result.returncode == 0 and pdf.exists(), result.stderr
    text = subprocess.run(["pdftotext", str(pdf), "-"], capture_output=True, text=True, check=True).stdout
    assert "舆情日报" in text and FOOD in text.replace("\n", "")
