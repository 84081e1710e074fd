"""`yuqing extract`: JSON on stdout, clear Chinese errors."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from yuqing.cli import main

FIXTURES = Path(__file__).with_name("fixtures")


def test_extract_prints_json(capsys):
    code = main(["extract", str(FIXTURES / "gov_notice_gbk.html"), "--url",
                 "http://scjgj.hdcity.gov.cn/zwgk/tzgg/202305/t20230531_4417.html"])
    data = json.loads(capsys.readouterr().out)
    assert code == 0
    assert set(data) >= {"title", "content", "author", "published_at"}
    assert data["published_at"] == "2023-05-31T16:21:00+08:00"
    assert data["title"].startswith("河东市市场监督管理局关于2023年第5期")


def test_extract_missing_file(capsys, tmp_path):
    code = main(["extract", str(tmp_path / "missing.html")])
    assert code == 1
    assert "找不到网页文件" in capsys.readouterr().err


def test_extract_empty_file(capsys, tmp_path):
    page = tmp_path / "empty.html"
    page.write_bytes(b"")
    assert main(["extract", str(page)]) == 1
    assert "网页文件为空" in capsys.readouterr().err


@pytest.mark.parametrize("body, what", [
    (b"%PDF-1.5\n" + bytes(range(256)), "PDF 文档"),
    (b"\x89PNG\r\n\x1a\n" + bytes(64), "图片"),
    (bytes(range(32)) * 40, "二进制数据"),
])
def test_extract_refuses_a_file_that_is_not_a_page(capsys, tmp_path, body, what):
    page = tmp_path / "notice.html"  # saved under a page's name: the bytes tell
    page.write_bytes(body)
    assert main(["extract", str(page)]) == 1
    assert f"notice.html 不是网页，是{what}" in capsys.readouterr().err


def test_extraction_package_does_not_import_scrapy():
    import subprocess
    import sys

    code = "import sys, crawlers.extraction, crawlers.extraction.evaluate; sys.exit('scrapy' in sys.modules)"
    assert subprocess.run([sys.executable, "-c", code], cwd=Path(__file__).resolve().parents[2]).returncode == 0


def test_extract_a_directory_or_spool_dir_that_is_a_file_says_what_it_is(capsys, tmp_path):
    assert main(["extract", str(tmp_path)]) == 1
    assert f"{tmp_path} 是目录，不是网页文件" in capsys.readouterr().err
    page = tmp_path / "page.html"
    page.write_text("<html></html>", encoding="utf-8")
    assert main(["spool", "status", "--dir", str(page)]) == 1  # was "没有等待写入的文档", exit 0
    assert "是文件，不是缓冲目录" in capsys.readouterr().err
