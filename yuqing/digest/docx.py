"""Word (DOCX) with python-docx: Title/Heading styles, real tables, embedded chart images.

East Asian text needs its own font slot (``w:eastAsia``); the default template's theme fonts are
removed from the styles we use so that Word and LibreOffice both take the fonts named here.
"""

from __future__ import annotations

import io

from yuqing.digest.layout import Bullets, Document, Figure, Heading, Paragraph, Table

BODY_FONT = ("Times New Roman", "宋体")  # (latin, east asian)
HEADING_FONT = ("Arial", "黑体")
TITLE_FONT = ("Arial", "黑体")
IMAGE_WIDTH_CM = 15.5
THEME_ATTRS = ("w:asciiTheme", "w:hAnsiTheme", "w:eastAsiaTheme", "w:cstheme")


def _set_fonts(style, fonts: tuple[str, str], size: float | None = None, bold: bool | None = None) -> None:
    from docx.oxml.ns import qn
    from docx.shared import Pt, RGBColor

    latin, east_asian = fonts
    style.font.name = latin
    rpr = style.element.get_or_add_rPr()
    rfonts = rpr.get_or_add_rFonts()
    for attr in THEME_ATTRS:
        rfonts.attrib.pop(qn(attr), None)
    rfonts.set(qn("w:ascii"), latin)
    rfonts.set(qn("w:hAnsi"), latin)
    rfonts.set(qn("w:eastAsia"), east_asian)
    if size is not None:
        style.font.size = Pt(size)
    if bold is not None:
        style.font.bold = bold
    style.font.color.rgb = RGBColor(0, 0, 0)


def _set_language(document) -> None:
    """Mark the default language of East Asian text as zh-CN (spell checking, line breaking)."""
    from docx.oxml import OxmlElement
    from docx.oxml.ns import qn

    styles = document.styles.element
    rpr_default = styles.find(qn("w:docDefaults"))
    if rpr_default is None:
        return
    rpr = rpr_default.find(qn("w:rPrDefault") + "/" + qn("w:rPr"))
    if rpr is None:
        return
    lang = rpr.find(qn("w:lang"))
    if lang is None:
        lang = OxmlElement("w:lang")
        rpr.append(lang)
    lang.set(qn("w:eastAsia"), "zh-CN")
    lang.set(qn("w:val"), lang.get(qn("w:val")) or "en-US")


def _shade(cell, fill: str) -> None:
    from docx.oxml import OxmlElement
    from docx.oxml.ns import qn

    shading = OxmlElement("w:shd")
    shading.set(qn("w:val"), "clear")
    shading.set(qn("w:color"), "auto")
    shading.set(qn("w:fill"), fill)
    cell._tc.get_or_add_tcPr().append(shading)


def render_docx(doc: Document) -> bytes:
    import docx
    from docx.enum.text import WD_ALIGN_PARAGRAPH
    from docx.shared import Cm, Pt

    document = docx.Document()
    section = document.sections[0]
    section.page_width, section.page_height = Cm(21.0), Cm(29.7)
    section.left_margin = section.right_margin = Cm(2.2)
    section.top_margin = section.bottom_margin = Cm(2.0)
    styles = document.styles
    _set_fonts(styles["Normal"], BODY_FONT, 12)
    _set_fonts(styles["Title"], TITLE_FONT, 20, True)
    _set_fonts(styles["Heading 1"], HEADING_FONT, 15, True)
    _set_fonts(styles["Heading 2"], HEADING_FONT, 13, True)
    _set_fonts(styles["Caption"], BODY_FONT, 10, False)
    _set_fonts(styles["List Bullet"], BODY_FONT, 12)
    _set_language(document)
    document.core_properties.title = doc.title
    document.core_properties.author = "yuqing 舆情监测"
    document.core_properties.language = "zh-CN"

    title = document.add_heading(doc.title, level=0)
    title.alignment = WD_ALIGN_PARAGRAPH.CENTER
    subtitle = document.add_paragraph(doc.subtitle, style="Caption")
    subtitle.alignment = WD_ALIGN_PARAGRAPH.CENTER
    for block in doc.blocks:
        if isinstance(block, Heading):
            document.add_heading(block.text, level=block.level)
        elif isinstance(block, Paragraph):
            para = document.add_paragraph()
            para.paragraph_format.first_line_indent = Pt(24)
            run = para.add_run(block.text)
            run.bold = block.emphasis
        elif isinstance(block, Bullets):
            for item in block.items:
                document.add_paragraph(item, style="List Bullet")
        elif isinstance(block, Table):
            if block.caption:
                document.add_paragraph(block.caption, style="Caption")
            table = document.add_table(rows=1, cols=len(block.header), style="Table Grid")
            for cell, text in zip(table.rows[0].cells, block.header, strict=True):
                cell.text = ""
                cell.paragraphs[0].add_run(text).bold = True
                _shade(cell, "EDEDED")
            for row in block.rows:
                cells = table.add_row().cells
                for cell, text in zip(cells, row, strict=True):
                    cell.text = text
            for row in table.rows:
                for cell in row.cells:
                    for para in cell.paragraphs:
                        for run in para.runs:
                            run.font.size = Pt(10)
            document.add_paragraph()
        elif isinstance(block, Figure):
            document.add_picture(io.BytesIO(block.png), width=Cm(IMAGE_WIDTH_CM))
            document.paragraphs[-1].alignment = WD_ALIGN_PARAGRAPH.CENTER
            caption = document.add_paragraph(block.caption, style="Caption")
            caption.alignment = WD_ALIGN_PARAGRAPH.CENTER
    buffer = io.BytesIO()
    document.save(buffer)
    return buffer.getvalue()


__all__ = ["render_docx"]
