"""Decode saved or downloaded HTML bytes: BOM, valid UTF-8, declared charset, then detection."""

from __future__ import annotations

import codecs
import logging
import re

from crawlers.extraction.expressions import CJK_RUN, META_CHARSET

LOGGER = logging.getLogger(__name__)

# Declared names that mean "some GB encoding"; GB18030 is a superset of all of them.
GB_FAMILY = frozenset({"gb2312", "gbk", "gb18030", "x-gbk", "cp936", "ms936", "gb_2312-80", "euc-cn", "hz-gb-2312"})
# Single-byte encodings a Chinese page is often mis-declared as.
SINGLE_BYTE = frozenset({"latin-1", "iso8859-1", "cp1252", "ascii", "cp1251"})
BOMS = (  # UTF-32 first: its little-endian BOM begins with UTF-16's
    (codecs.BOM_UTF8, "utf-8-sig"),
    (codecs.BOM_UTF32_LE, "utf-32"),
    (codecs.BOM_UTF32_BE, "utf-32"),
    (codecs.BOM_UTF16_LE, "utf-16"),
    (codecs.BOM_UTF16_BE, "utf-16"),
)
SNIFF_BYTES = 4096

# What a body that is not a web page begins with (attachments a listing or feed links to).
MAGIC = (
    (b"%PDF-", "PDF 文档"),
    (b"PK\x03\x04", "Office 文档或压缩包（docx/xlsx/zip）"),
    (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1", "Office 文档（doc/xls/ppt）"),
    (b"\x89PNG\r\n\x1a\n", "图片"),
    (b"\xff\xd8\xff", "图片"),
    (b"GIF87a", "图片"),
    (b"GIF89a", "图片"),
    (b"Rar!\x1a\x07", "压缩包"),
    (b"7z\xbc\xaf\x27\x1c", "压缩包"),
    (b"\x1f\x8b", "压缩包"),
    (b"ID3", "音视频"),
    (b"OggS", "音视频"),
    (b"FLV\x01", "音视频"),
    (b"\x1a\x45\xdf\xa3", "音视频"),
    (b"{\\rtf", "RTF 文档"),
)
# Declared types that are never a page (checked only when the bytes do not open like HTML either).
BINARY_TYPES = ("application/pdf", "application/msword", "application/vnd.", "application/zip",
                "application/x-rar", "application/x-7z", "application/octet-stream", "image/", "audio/",
                "video/", "font/", "application/json", "text/csv", "application/rtf", "text/rtf",
                "application/x-shockwave-flash", "application/gzip", "application/x-tar")
CONTROL_BYTES = bytes([*range(0, 9), *range(14, 27), *range(28, 32)])


def normalize_encoding(name: str | None) -> str | None:
    """Python codec name for a declared charset, GB family mapped to gb18030; None if unknown
    or not a text encoding."""
    if not name:
        return None
    name = name.strip().strip("\"'").lower()
    if name in GB_FAMILY:
        return "gb18030"
    try:
        codec = codecs.lookup(name).name
        # base64, rot13, zlib … are codecs too, but not text encodings; idna, punycode and
        # 'undefined' are, but fail on bytes they do not expect even with errors="replace"
        "<p>\u4e2d</p>".encode("utf-8").decode(codec, "replace")
        b"<p>\xff\xfe\x00\xd8</p>".decode(codec, "replace")
    except (LookupError, UnicodeError, ValueError, TypeError):
        return None
    return "gb18030" if codec in GB_FAMILY else codec


def meta_charset(body: bytes) -> str | None:
    """The charset named by a <meta> tag near the start of the page."""
    match = META_CHARSET.search(body[:SNIFF_BYTES])
    return match.group(1).decode("ascii", "ignore") if match else None


def _errors(body: bytes, encoding: str) -> int:
    """How many bytes fail to decode; 0 means a clean decode."""
    try:
        body.decode(encoding)
        return 0
    except UnicodeDecodeError:
        return body.decode(encoding, "replace").count("\ufffd")
    except LookupError:
        return len(body)


def _cjk_share(text: str) -> float:
    """Share of non-ASCII characters that are CJK ideographs (high for correctly decoded Chinese)."""
    non_ascii = len(text) - len(text.encode("ascii", "ignore"))
    if not non_ascii:
        return 1.0
    return sum(map(len, CJK_RUN.findall(text))) / non_ascii


def not_a_page(body: bytes, content_type: str | None = None) -> str | None:
    """What ``body`` is when it is not a web page (``PDF 文档``, ``图片``, ``二进制数据`` …), else None.

    Judged by the bytes it opens with, then by a declared binary Content-Type when the bytes do not
    open like markup either, then by control bytes (a text page has almost none)."""
    if any(body.startswith(bom) for bom, _ in BOMS):
        return None
    charset = (content_type or "").lower().partition("charset=")[2]
    if charset.strip(" \"'").startswith(("utf-16", "utf-32", "utf16", "utf32")):
        return None  # declared wide text: its NUL bytes are no sign of a binary file
    for magic, what in MAGIC:
        if body.startswith(magic):
            return what
    if body[4:8] == b"ftyp":
        return "音视频"
    if body[:4] == b"RIFF" and body[8:12] == b"WEBP":
        return "图片"
    head = body[:SNIFF_BYTES]
    markup = re.search(rb"<(?:!doctype|html|head|body|meta|title|div|p|rss|feed|urlset|\?xml)\b", head, re.I)
    mime = (content_type or "").split(";")[0].strip().lower()
    if mime and mime.startswith(BINARY_TYPES) and markup is None:
        return f"非网页内容（{mime}）"
    if head and len(head) - len(head.translate(None, CONTROL_BYTES)) > len(head) * 0.05:  # counted in C
        return "二进制数据"
    return None


def decode_html(body: bytes, declared: str | None = None) -> tuple[str, str]:
    """Decode page bytes; returns (text, codec name used). Never raises on bad bytes."""
    for bom, encoding in BOMS:
        if body.startswith(bom):
            text = body.decode(encoding, "replace")
            if _fits_bom(body[len(bom):], text):
                return text, encoding.replace("-sig", "")
            LOGGER.debug("the %s byte-order mark does not fit the bytes after it", encoding)
            body = body[len(bom):]  # a BOM on bytes of another encoding: decode what follows
            break
    try:
        text = body.decode("utf-8")
        return text, "utf-8"  # valid UTF-8 with non-ASCII bytes is almost never anything else
    except UnicodeDecodeError:
        pass
    try:  # UTF-8 but for encoded surrogates (CESU-8, Java's modified UTF-8): pairs joined, lone ones replaced
        text = body.decode("utf-8", "surrogatepass")
        return text.encode("utf-16", "surrogatepass").decode("utf-16", "replace"), "utf-8"
    except UnicodeDecodeError:
        pass
    if _mostly_utf8(body):  # a page cut off inside a character, a stray byte: still UTF-8
        return body.decode("utf-8", "replace"), "utf-8"
    candidates: list[str] = []
    for name in (declared, meta_charset(body), "gb18030", "big5"):
        codec = normalize_encoding(name)
        if codec and codec not in candidates and codec != "utf-8":
            candidates.append(codec)
    best: tuple[float, int, str] | None = None
    for rank, codec in enumerate(candidates):
        errors = _errors(body, codec)
        text = body.decode(codec, "replace")
        share = _cjk_share(text)
        if codec in SINGLE_BYTE:
            share = 0.0  # Chinese text never decodes to Latin letters alone
        # Fewer bad bytes first, then more CJK, then the order declared > meta > guesses.
        key = (errors / max(len(body), 1) * 100 - share, rank, codec)
        if best is None or key[:2] < best[:2]:
            best = key
    assert best is not None
    codec = best[2]
    if best[0] > -0.5:  # nothing decodes as plausible Chinese: ask the detector
        guess = _detect(body)
        if guess and _errors(body, guess) == 0:
            codec = guess
    if declared and normalize_encoding(declared) != codec:
        LOGGER.debug("declared charset %s does not fit, decoded as %s", declared, codec)
    return body.decode(codec, "replace"), codec


def _fits_bom(rest: bytes, text: str) -> bool:
    """The text decoded after a byte-order mark is what the bytes are: hardly any bytes fail, and the
    markup survives (UTF-8 bytes read as UTF-16 decode without an error, as CJK-looking mojibake)."""
    bad = text.count("\ufffd") - rest.count("\ufffd".encode("utf-8"))
    return bad <= len(text) // 1000 + 1 and ("<" in text or b"<" not in rest)


def _mostly_utf8(body: bytes) -> bool:
    """UTF-8 with a few broken bytes: at least 20 valid multi-byte characters for each one that fails.
    GBK or Big5 text read as UTF-8 fails nearly everywhere (gb18030 would decode it without an error,
    as mojibake, so the candidates below cannot tell)."""
    text = body.decode("utf-8", "replace")
    bad = text.count("\ufffd") - body.count("\ufffd".encode("utf-8"))
    multibyte = len(text) - len(text.encode("ascii", "ignore")) - text.count("\ufffd")
    return 0 < bad and multibyte >= 20 * bad


def _detect(body: bytes) -> str | None:
    """charset-normalizer's best guess, as a normalized codec name."""
    from charset_normalizer import from_bytes

    match = from_bytes(body[:200_000]).best()
    return normalize_encoding(match.encoding) if match else None
