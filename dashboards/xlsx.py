"""A minimal, fast writer of one-sheet .xlsx files (the 检索 export).

openpyxl builds an object per cell and needs about 2 s for a 10,000-row export here; this writes the
sheet XML directly (inline strings, numbers as numbers, column widths, a frozen header row) in
about a quarter of that. The output is a standard Office Open XML workbook: Excel, WPS, LibreOffice, openpyxl
and pandas read it. Cell text is made safe for a spreadsheet here, once for every caller:

* characters XML 1.0 forbids (control characters crawled pages sometimes carry) are dropped, where
  openpyxl would raise and lose the whole export;
* a cell longer than Excel's limit (32,767 characters) is cut there and ends with ``…``, where Excel
  would refuse the file as damaged;
* formula defusing is the caller's business (it knows which columns are text).
"""

from __future__ import annotations

import io
import re
import zipfile
from collections.abc import Iterable, Sequence
from numbers import Integral, Real
from xml.sax.saxutils import escape

MAX_CELL = 32_767  # Excel's limit on the characters of one cell
_ILLEGAL = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")
_ESCAPES = {'"': "&quot;"}

_CONTENT_TYPES = (
    '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
    '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
    '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
    '<Default Extension="xml" ContentType="application/xml"/>'
    '<Override PartName="/xl/workbook.xml" '
    'ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/>'
    '<Override PartName="/xl/worksheets/sheet1.xml" '
    'ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/>'
    '<Override PartName="/xl/styles.xml" '
    'ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.styles+xml"/>'
    '</Types>'
)
_ROOT_RELS = (
    '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
    '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
    '<Relationship Id="rId1" '
    'Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" '
    'Target="xl/workbook.xml"/></Relationships>'
)
_WORKBOOK_RELS = (
    '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
    '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
    '<Relationship Id="rId1" '
    'Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/worksheet" '
    'Target="worksheets/sheet1.xml"/>'
    '<Relationship Id="rId2" '
    'Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/styles" '
    'Target="styles.xml"/></Relationships>'
)
# One font, the two fills Excel requires, one border; style 0 = plain, style 1 = bold (the header).
_STYLES = (
    '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
    '<styleSheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'
    '<fonts count="2"><font><sz val="11"/><name val="等线"/></font>'
    '<font><b/><sz val="11"/><name val="等线"/></font></fonts>'
    '<fills count="2"><fill><patternFill patternType="none"/></fill>'
    '<fill><patternFill patternType="gray125"/></fill></fills>'
    '<borders count="1"><border><left/><right/><top/><bottom/><diagonal/></border></borders>'
    '<cellStyleXfs count="1"><xf numFmtId="0" fontId="0" fillId="0" borderId="0"/></cellStyleXfs>'
    '<cellXfs count="2"><xf numFmtId="0" fontId="0" fillId="0" borderId="0" xfId="0"/>'
    '<xf numFmtId="0" fontId="1" fillId="0" borderId="0" xfId="0" applyFont="1"/></cellXfs>'
    '<cellStyles count="1"><cellStyle name="Normal" xfId="0" builtinId="0"/></cellStyles>'
    '</styleSheet>'
)


def column_letter(index: int) -> str:
    """0 → A, 25 → Z, 26 → AA."""
    letters = ""
    index += 1
    while index:
        index, rest = divmod(index - 1, 26)
        letters = chr(65 + rest) + letters
    return letters


def cell_text(value: str) -> str:
    """``value`` as a cell can hold it: no XML-illegal characters, at most MAX_CELL characters."""
    if _ILLEGAL.search(value):
        value = _ILLEGAL.sub("", value)
    if len(value) > MAX_CELL:
        value = value[:MAX_CELL - 1] + "…"
    return value


def _string(ref: str, value: str, style: str = "") -> str:
    text = escape(cell_text(value), _ESCAPES)
    return f'<c r="{ref}" t="inlineStr"{style}><is><t xml:space="preserve">{text}</t></is></c>'


def _cell(ref: str, value) -> str:
    if value is None or (isinstance(value, str) and not value):
        return ""  # an empty string is an empty cell, as pandas writes it
    if isinstance(value, bool):
        return f'<c r="{ref}" t="b"><v>{int(value)}</v></c>'
    if isinstance(value, Integral):
        return f'<c r="{ref}"><v>{int(value)}</v></c>'
    if isinstance(value, Real):
        number = float(value)
        if number != number or number in (float("inf"), float("-inf")):
            return ""
        return f'<c r="{ref}"><v>{number!r}</v></c>'
    return _string(ref, value if isinstance(value, str) else str(value))


def workbook(sheet: str, header: Sequence[str], rows: Iterable[Sequence], widths: Sequence[float] = ()) -> bytes:
    """A workbook with one sheet named ``sheet``: a bold, frozen ``header`` row, then ``rows``.

    Cells: ``None``, ``""`` and NaN empty, ``bool`` as TRUE/FALSE, other numbers as numbers, anything else as
    text. ``widths`` are column widths in characters, in column order.
    """
    letters = [column_letter(i) for i in range(len(header))]
    parts = [
        '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
        '<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'
        '<sheetViews><sheetView workbookViewId="0"><pane ySplit="1" topLeftCell="A2" activePane="bottomLeft" '
        'state="frozen"/></sheetView></sheetViews><sheetFormatPr defaultRowHeight="15"/>'
    ]
    if widths:
        parts.append("<cols>" + "".join(f'<col min="{i}" max="{i}" width="{w}" customWidth="1"/>'
                                        for i, w in enumerate(widths, 1)) + "</cols>")
    parts.append('<sheetData><row r="1">')
    parts.extend(_string(f"{letter}1", str(name), ' s="1"') for letter, name in zip(letters, header))
    parts.append("</row>")
    for number, row in enumerate(rows, 2):
        parts.append(f'<row r="{number}">')
        parts.extend(_cell(f"{letter}{number}", value) for letter, value in zip(letters, row))
        parts.append("</row>")
    parts.append("</sheetData></worksheet>")
    name = escape(cell_text(sheet)[:31], _ESCAPES) or "Sheet1"
    book = (
        '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
        '<workbook xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" '
        'xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships">'
        f'<sheets><sheet name="{name}" sheetId="1" r:id="rId1"/></sheets></workbook>'
    )
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED, compresslevel=1) as archive:
        archive.writestr("[Content_Types].xml", _CONTENT_TYPES)
        archive.writestr("_rels/.rels", _ROOT_RELS)
        archive.writestr("xl/workbook.xml", book)
        archive.writestr("xl/_rels/workbook.xml.rels", _WORKBOOK_RELS)
        archive.writestr("xl/styles.xml", _STYLES)
        archive.writestr("xl/worksheets/sheet1.xml", "".join(parts))
    return buffer.getvalue()
