"""`yuqing sources try NAME`: a source's first page and a few articles, fetched as a crawl fetches them,
shown field by field, with nothing stored and no Elasticsearch needed."""

from __future__ import annotations

import os
import subprocess
import sys
from datetime import timedelta

import pytest

from yuqing.sandbox.clock import SandboxClock
from yuqing.sandbox.server import SandboxServer
from yuqing.sandbox.world import DEFAULT_EPOCH

from .conftest import PROJECT_ROOT, fetch_json, test_sources_file


@pytest.fixture(scope="module")
def sandbox():
    with SandboxServer(clock=SandboxClock.manual(DEFAULT_EPOCH + timedelta(days=5)), slow_seconds=30) as server:
        yield server


def try_source(sandbox, tmp_path, *args: str) -> subprocess.CompletedProcess:
    fetch_json(sandbox.url + "/__sandbox/stats", {})  # reset the request counts
    env = {**os.environ, "ES_URL": "http://127.0.0.1:9", "YUQING_DATA_DIR": str(tmp_path / "data")}
    env.pop("YUQING_SPOOL_DIR", None)  # the spool is under the data directory; no node at ES_URL
    return subprocess.run(
        [sys.executable, "-m", "yuqing", "sources", "try", *args, "--sandbox", sandbox.url,
         "--sources", str(test_sources_file(tmp_path))],
        cwd=PROJECT_ROOT, env=env, capture_output=True, text=True, timeout=120,
    )


def test_a_trial_shows_each_post_and_names_the_next_page_without_fetching_it(sandbox, tmp_path):
    result = try_source(sandbox, tmp_path, "sandbox_news", "-n", "2")
    out = result.stdout
    assert result.returncode == 0, result.stderr
    assert out.count("【") == 2 and "【3】" not in out
    assert "  标题：" in out and "  正文：（" in out and "  作者：" in out and "  时间：2024-03-" in out
    assert "结果：页面 3，条目 2，正常" in out
    assert f"下一页：{sandbox.url}/news/list/2.html（试抓不翻页）" in out
    paths = fetch_json(sandbox.url + "/__sandbox/stats")["paths"]
    assert "/news/list/2.html" not in paths
    assert sum(n for p, n in paths.items() if p.startswith("/news/system/")) == 2
    # a crawl that cannot reach the node spools its run record there; a trial asks nothing of it
    assert not list(tmp_path.rglob("*.jsonl"))


def test_a_trial_of_the_fault_pages_says_what_went_wrong_in_chinese_and_fails(sandbox, tmp_path):
    result = try_source(sandbox, tmp_path, "sandbox_news_faults", "-n", "20")
    out = result.stdout
    assert result.returncode == 1
    for line in ("HTTP 500：", "服务器返回 HTTP 500", "超时：", "超过 3 秒没有响应", "重定向次数超过上限",
                 "传输中连接断开", "页面超过大小上限", "附件（非网页）：", "缺少日期：", "页面被截断："):
        assert line in out, line
    assert "HttpError" not in out and "took longer" not in out and "max redirections" not in out
    assert "部分失败" in out and "下一页：未配置翻页" in out
    assert "未命中的选择器由通用抽取补上了" in result.stderr


def test_a_trial_of_a_json_board_fetches_one_list_page_and_n_details(sandbox, tmp_path):
    result = try_source(sandbox, tmp_path, "sandbox_board_api", "-n", "1")
    assert result.returncode == 0, result.stderr
    assert "  留言：编号 " in result.stdout and "【2】" not in result.stdout
    paths = fetch_json(sandbox.url + "/__sandbox/stats")["paths"]
    details = sum(n for p, n in paths.items() if "threads/content" in p)
    lists = sum(n for p, n in paths.items() if "threads/list" in p)
    assert (details, lists) == (1, 1), paths


def test_a_trial_of_an_unknown_source_names_the_configured_ones(sandbox, tmp_path):
    result = try_source(sandbox, tmp_path, "nosuch")
    assert result.returncode != 0
    assert "没有名为 'nosuch' 的来源" in result.stderr and "sandbox_news" in result.stderr


def test_a_trial_of_a_sitemap_index_reads_its_first_sitemap_only(sandbox, tmp_path):
    extra = [{"name": "index_sitemap", "kind": "sitemap", "media_level": "市级", "start_urls": ["{sandbox}/sitemap.xml"]}]
    fetch_json(sandbox.url + "/__sandbox/stats", {})
    env = {**os.environ, "ES_URL": "http://127.0.0.1:9", "YUQING_DATA_DIR": str(tmp_path / "data")}
    result = subprocess.run(
        [sys.executable, "-m", "yuqing", "sources", "try", "index_sitemap", "-n", "1", "--sandbox", sandbox.url,
         "--sources", str(test_sources_file(tmp_path, extra=extra))],
        cwd=PROJECT_ROOT, env=env, capture_output=True, text=True, timeout=120,
    )
    assert result.returncode == 0, result.stderr
    paths = fetch_json(sandbox.url + "/__sandbox/stats")["paths"]
    assert sum(n for p, n in paths.items() if p.endswith("/sitemap.xml") and p != "/sitemap.xml") == 1
    assert "未读：站点地图索引中的其余站点地图（试抓只读第一个）" in result.stdout
