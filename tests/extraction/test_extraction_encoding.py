"""Charset detection: declared, undeclared and wrongly declared GB pages."""

from __future__ import annotations

from pathlib import Path

from crawlers.extraction import decode_html, extract

FIXTURES = Path(__file__).with_name("fixtures")
GBK_PAGE = (FIXTURES / "gov_notice_gbk.html").read_bytes()
HEADLINE = "河东市市场监督管理局关于2023年第5期食品安全监督抽检情况的通告"


def test_gbk_declared_gbk():
    text, used = decode_html(GBK_PAGE)
    assert used == "gb18030" and HEADLINE in text


def test_gbk_declared_wrongly_as_utf8_in_meta():
    body = GBK_PAGE.replace(b"charset=gbk", b"charset=utf-8")
    text, used = decode_html(body)
    assert used == "gb18030" and HEADLINE in text


def test_gbk_declared_wrongly_by_server():
    text, used = decode_html(GBK_PAGE, declared="utf-8")
    assert used == "gb18030" and HEADLINE in text


def test_gbk_declared_as_latin1():
    body = GBK_PAGE.replace(b"charset=gbk", b"charset=iso-8859-1")
    text, used = decode_html(body, declared="ISO-8859-1")
    assert used == "gb18030" and HEADLINE in text


def test_gbk_undeclared():
    body = GBK_PAGE.replace(b'<meta http-equiv="Content-Type" content="text/html; charset=gbk" />', b"")
    assert b"charset" not in body
    text, used = decode_html(body)
    assert used == "gb18030" and HEADLINE in text


def test_utf8_declared_as_gb2312():
    body = "<html><head><meta charset='gb2312'></head><body><p>市场监管局发布消费提示。</p></body></html>"
    text, used = decode_html(body.encode("utf-8"))
    assert used == "utf-8" and "市场监管局发布消费提示" in text


def test_utf8_bom():
    text, used = decode_html("\ufeff<p>消费提示</p>".encode("utf-8"))
    assert used == "utf-8" and text.startswith("<p>")


def test_gb18030_only_characters():
    text, used = decode_html("<p>㐀䶵 市场监管</p>".encode("gb18030"), declared="gb2312")
    assert used == "gb18030" and "㐀䶵" in text


def test_big5_declared():
    text, used = decode_html("<meta charset=big5><p>市場監管局</p>".encode("big5"))
    assert used == "big5" and "市場監管局" in text


def test_broken_bytes_do_not_raise():
    text, used = decode_html(GBK_PAGE[:5000] + b"\xff\xfe\x81" + GBK_PAGE[5000:])
    assert used == "gb18030" and HEADLINE in text


def test_extract_wrongly_declared_page_reads_chinese():
    body = GBK_PAGE.replace(b"charset=gbk", b"charset=utf-8")
    assert extract(body).title == HEADLINE


def test_a_declared_codec_that_is_not_a_text_encoding_is_ignored():
    # `--encoding base64` (or a server saying so) raised LookupError out of decode_html.
    from crawlers.extraction.encoding import normalize_encoding

    body = "<html><body><p>市场监管局开展检查</p></body></html>".encode("gbk")
    for name in ("base64", "rot13", "zlib"):
        assert normalize_encoding(name) is None
        assert decode_html(body, name) == (body.decode("gb18030"), "gb18030")


def test_utf8_cut_off_inside_a_character_stays_utf8():
    """A download cut mid-character is not valid UTF-8; gb18030 decodes it without an error, as mojibake."""
    page = "<html><head><meta charset='utf-8'></head><body><p>市场监管局发布消费提示，提醒消费者理性购买。</p>"
    body = page.encode("utf-8") + "检".encode("utf-8")[:2]
    text, used = decode_html(body, declared="utf-8")
    assert used == "utf-8" and "市场监管局发布消费提示，提醒消费者理性购买。" in text
    stray = (page * 3).encode("utf-8").replace("局".encode("utf-8"), b"\xed\xa0\x80", 1)  # a lone surrogate
    text, used = decode_html(stray)
    assert used == "utf-8" and "发布消费提示，提醒消费者理性购买" in text


def test_gbk_with_a_valid_utf8_sequence_by_chance_stays_gbk():
    body = GBK_PAGE + "市".encode("utf-8")
    text, used = decode_html(body)
    assert used == "gb18030" and HEADLINE in text
