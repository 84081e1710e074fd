"""`scrapy list`, `scrapy crawl` and `yuqing crawl` work from the repository root as users expect."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

from yuqing.columns import width_of

from .conftest import PROJECT_ROOT

SCRAPY = str(Path(sys.executable).with_name("scrapy"))


def test_scrapy_list_names_one_spider_per_source_kind():
    result = subprocess.run([SCRAPY, "list"], cwd=PROJECT_ROOT, capture_output=True, text=True, check=True)
    assert result.stdout.split() == ["board_api", "board_html", "news", "rss", "sitemap", "social"]


def test_scrapy_crawl_refuses_a_source_of_another_kind():
    result = subprocess.run(
        [SCRAPY, "crawl", "news", "-a", "source=sandbox_social", "-a", "sandbox=http://127.0.0.1:9"],
        cwd=PROJECT_ROOT,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode != 0 and "不是 news 类型" in result.stderr


def _scrapy_crawl(tmp_path, *args):
    env = {**os.environ, "YUQING_DATA_DIR": str(tmp_path), "YUQING_SPOOL_DIR": str(tmp_path / "spool"),
           "ES_URL": "http://127.0.0.1:9"}  # nothing may be crawled or stored here
    return subprocess.run([SCRAPY, "crawl", *args], cwd=PROJECT_ROOT, capture_output=True, text=True,
                          timeout=60, env=env)


def test_scrapy_crawl_names_a_bad_source_in_one_line_not_a_traceback(tmp_path):
    unknown = _scrapy_crawl(tmp_path, "social", "-a", "source=no_such_source")
    assert unknown.returncode == 2
    assert "没有名为 'no_such_source' 的来源" in unknown.stderr and "Traceback" not in unknown.stderr
    broken = tmp_path / "sources.yaml"
    broken.write_text("sources:\n  - name: x\n    kind: news\n    colour: red\n", encoding="utf-8")
    bad_file = _scrapy_crawl(tmp_path, "news", "-a", f"sources={broken}")
    assert bad_file.returncode == 2 and f"{broken}:4" in bad_file.stderr and "Traceback" not in bad_file.stderr


def test_scrapy_crawl_says_when_there_is_nothing_to_crawl(tmp_path):
    result = _scrapy_crawl(tmp_path, "news")  # the shipped file: every real source is disabled
    assert result.returncode == 0 and "没有要抓取的来源" in result.stderr


def test_yuqing_crawl_help_is_chinese_and_lists_its_options():
    result = subprocess.run(
        [sys.executable, "-m", "yuqing", "crawl", "--help"],
        cwd=PROJECT_ROOT,
        capture_output=True,
        text=True,
        check=True,
    )
    for option in ("--sources", "--sandbox", "--due", "--no-enrich"):
        assert option in result.stdout
    assert "抓取" in result.stdout


def test_yuqing_crawl_needs_a_sandbox_for_sandbox_sources():
    result = subprocess.run(
        [sys.executable, "-m", "yuqing", "crawl", "--sources", "config/sources.sandbox.yaml"],
        cwd=PROJECT_ROOT,
        capture_output=True,
        text=True,
        timeout=60,
        env={**os.environ, "ES_URL": "http://127.0.0.1:9"},
    )
    assert result.returncode == 1 and "--sandbox" in result.stderr


def test_yuqing_sources_list_marks_untested_sources():
    result = subprocess.run(
        [sys.executable, "-m", "yuqing", "sources", "list"],
        cwd=PROJECT_ROOT,
        capture_output=True,
        text=True,
        check=True,
    )
    lines = result.stdout.strip().splitlines()
    assert lines and all("[未实测]" in line and "[停用]" in line for line in lines)


def test_an_unreachable_site_reads_as_one_counted_error_not_a_traceback(tmp_path):
    env = {**os.environ, "ES_URL": "http://127.0.0.1:9", "YUQING_DATA_DIR": str(tmp_path / "data")}
    result = subprocess.run(
        [sys.executable, "-m", "yuqing", "crawl", "--sandbox", "http://127.0.0.1:9", "sandbox_news"],
        cwd=PROJECT_ROOT, capture_output=True, text=True, timeout=120, env=env,
    )
    assert result.returncode == 1  # the source failed
    row = next(line for line in result.stdout.splitlines() if line.startswith("sandbox_news"))
    assert row.split()[-2:] == ["失败", "连接被拒×1"]
    header = next(line for line in result.stdout.splitlines() if line.startswith("来源"))
    # Each heading ends in the column its figures end in (a Chinese heading is two columns a character).
    ends = [width_of(header[: header.index(h) + 2]) for h in ("页面", "条目", "跳过", "错误", "缓冲")]
    figures = [m.end() for m in re.finditer(r"\d+", row[: row.index("失败")])]
    assert ends == figures
    assert "Traceback" not in result.stderr and "Connection was refused" in result.stderr  # what and where
    final = [line for line in result.stderr.splitlines() if line.startswith("已抓取")][-1]  # "\r" reads as a newline
    assert "错误 1，" in final  # the progress line counts what the table counts
