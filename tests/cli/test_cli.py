"""The command line: help a newcomer can follow, settings that are documented, load and search."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

from yuqing import settings
from yuqing.cli import build_parser, main

README = Path(__file__).resolve().parents[2] / "README.md"


def test_help_lists_every_command_with_a_description(capsys):
    with pytest.raises(SystemExit):
        main(["--help"])
    out = capsys.readouterr().out
    for command in ["es", "init", "migrate", "load", "search", "demo", "eval"]:
        assert re.search(rf"^\s+{command}\s+\S", out, re.M), command


def test_every_setting_is_documented_in_the_readme():
    text = README.read_text(encoding="utf-8")
    missing = [name for name in settings.SETTINGS if f"`{name}`" not in text]
    assert missing == []


def test_unknown_argument_is_an_error(capsys):
    with pytest.raises(SystemExit) as info:
        main(["search", "--bogus"])
    assert info.value.code == 2
    assert "--bogus" in capsys.readouterr().err


def test_load_reports_bad_lines_with_file_and_line_and_keeps_the_rest(store, tmp_path, capsys):
    path = tmp_path / "posts.jsonl"
    good = {"url": "http://a.example.cn/1", "title": "电梯困人事件", "content": "小区电梯困人，物业迟迟未到。"}
    path.write_text("\n".join([json.dumps(good, ensure_ascii=False), "{not json", "[1, 2]",
                               json.dumps(dict(good, url="http://a.example.cn/2"), ensure_ascii=False)]) + "\n",
                    encoding="utf-8")
    assert main(["load", str(path)]) == 1
    captured = capsys.readouterr()
    assert f"{path}:2:" in captured.err and f"{path}:3:" in captured.err
    assert "新增 2 篇" in captured.out
    assert store.count("posts") == 2


def test_load_goes_on_past_a_missing_file_and_a_file_that_is_not_utf8(store, tmp_path, capsys):
    good = tmp_path / "good.jsonl"
    post = {"url": "http://a.example.cn/1", "title": "电梯困人事件"}
    good.write_text(json.dumps(post, ensure_ascii=False) + "\n", encoding="utf-8")
    gbk = tmp_path / "gbk.jsonl"
    gbk.write_bytes(json.dumps({**post, "url": "http://a.example.cn/2"}, ensure_ascii=False).encode("gbk"))
    missing = tmp_path / "missing.jsonl"
    assert main(["load", str(missing), str(gbk), str(good)]) == 1
    captured = capsys.readouterr()
    assert f"{missing}: 无法读取" in captured.err and f"{gbk}:1: 不是 UTF-8 编码" in captured.err
    assert "iconv -f GBK -t UTF-8" in captured.err
    assert "Traceback" not in captured.err and "新增 1 篇" in captured.out
    store.refresh("posts")
    assert store.count("posts") == 1


def test_load_one_bad_row_loses_no_other_row_and_surrogates_are_replaced(store, tmp_path, capsys):
    # A 5,000-digit number, deep nesting or a GBK line raised out of the parse of the whole file,
    # so no row of it was written; a lone surrogate was stored and then broke `yuqing search`.
    post = {"url": "http://a.example.cn/1", "title": "电梯困人事件"}
    rows = [json.dumps(post, ensure_ascii=False).encode(),
            b'{"url": "http://a.example.cn/2", "n": ' + b"9" * 5000 + b"}",
            b'{"url": "http://a.example.cn/3", "a": ' + b"[" * 100_000 + b"]" * 100_000 + b"}",
            json.dumps({**post, "url": "http://a.example.cn/4"}, ensure_ascii=False).encode("gbk"),
            b'{"url": "http://a.example.cn/5", "title": "\\ud800\\u7535\\u68af"}',
            b'{"url": "http://a.example.cn/6", "title": ["x"]}',
            b'{"url": "http://a.example.cn/7", "title": "x", "published_at": "2026-13-45"}']
    path = tmp_path / "posts.jsonl"
    path.write_bytes(b"\n".join(rows) + b"\n")
    assert main(["load", str(path)]) == 1
    captured = capsys.readouterr()
    for number in (2, 3, 4):
        assert f"{path}:{number}: " in captured.err
    assert f"{path}:6: 字段 title 应为字符串" in captured.err and "Traceback" not in captured.err
    assert f"{path}:7: 字段 published_at 的值不是有效的时间，索引拒收" in captured.err
    assert "新增 2 篇" in captured.out and "失败 5 条" in captured.out
    assert store.count("posts") == 2
    assert main(["search", "电梯"]) == 0
    assert "\ufffd" in capsys.readouterr().out


def test_search_prints_highlighted_results(store, capsys):
    store.index_posts([{"url": "http://a.example.cn/1", "title": "校园食品安全检查", "source_name": "津门晚报",
                        "published_at": "2024-03-12T19:08:00+08:00",
                        "content": "市市场监管局开展校园食品安全检查。\n抽检 540 批次食品安全指标。"}], refresh=True)
    assert main(["search", "食品安全"]) == 0
    out = capsys.readouterr().out
    assert "共 1 条结果" in out and "【食品安全】" in out
    assert "  2024-03-12 19:08  津门晚报  http://a.example.cn/1" in out
    # Every line of the result is indented under its title: the body's own line break does not break it.
    assert all(line.startswith("  ") for line in out.split("校园【食品安全】检查\n", 1)[1].splitlines() if line)


def test_parser_builds_without_importing_heavy_modules():
    probe = ("import sys; from yuqing.cli import build_parser; build_parser(); "
             "print(sorted(m for m in ('snownlp', 'dash', 'scrapy', 'elasticsearch', 'jieba') if m in sys.modules))")
    out = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, check=True).stdout
    assert out.strip() == "[]"


def _parsers(parser, path):
    import argparse

    yield path, parser
    for action in parser._actions:
        if isinstance(action, argparse._SubParsersAction):
            for name, sub in action.choices.items():
                yield from _parsers(sub, f"{path} {name}")


def test_every_help_page_fits_an_80_column_terminal(monkeypatch):
    # argparse wraps only at spaces and counts a Chinese character as one column: a Chinese
    # description used to come out as one line twice the terminal's width.
    from yuqing.columns import width_of

    monkeypatch.setenv("COLUMNS", "80")
    pages = {path: parser.format_help() for path, parser in _parsers(build_parser(), "yuqing")}
    too_wide = [(path, line) for path, page in pages.items() for line in page.splitlines() if width_of(line) > 80]
    assert too_wide == []
    english = [path for path, page in pages.items() if "usage:" in page or "show this help" in page]
    assert english == [] and all(page.startswith("用法: ") for page in pages.values())


def test_the_parser_says_what_is_missing_in_chinese(capsys):
    with pytest.raises(SystemExit) as refused:
        main(["alerts", "assign", "al-1", "--unit", "办公室"])
    assert refused.value.code == 2
    assert "yuqing alerts assign: 错误: 缺少必需的参数: --by, --type" in capsys.readouterr().err


def test_help_wraps_between_chinese_characters_never_before_closing_punctuation():
    from yuqing.cli._format import wrap
    from yuqing.columns import width_of

    lines = wrap("通知通道与路由在 config/notify.yaml 中配置（密钥放在环境变量中，用 *_env 引用）。", 30)
    assert all(width_of(line) <= 30 for line in lines)
    assert "".join(lines).replace(" ", "") == "通知通道与路由在config/notify.yaml中配置（密钥放在环境变量中，用*_env引用）。"
    assert not any(line[0] in "，。）" for line in lines)
    assert "config/notify.yaml" in " ".join(lines)  # an English word is never cut
    assert wrap("yuqing demo     演示", 40, keep_spaces=True) == ["yuqing demo     演示"]


def test_extraction_baselines_warnings_are_kept_out_of_the_terminal():
    # trafilatura and htmldate warn about every page whose declared charset they distrust;
    # `yuqing eval extraction` printed dozens of such lines before its table. Ours still show.
    code = (
        "import logging; from yuqing.cli import main; main([]);"
        "import trafilatura.metadata;"  # resets htmldate's logger level on import
        "logging.getLogger('htmldate.utils').warning('baseline-noise');"
        "logging.getLogger('trafilatura.utils').error('baseline-noise');"
        "logging.getLogger('yuqing.store').warning('our-warning')"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                          cwd=README.parent, timeout=120)
    assert done.returncode == 0, done.stderr
    assert "our-warning" in done.stderr
    assert "baseline-noise" not in done.stderr


@pytest.mark.parametrize("argv, words", [
    (["run", "--health-port", "99999"], "端口无效"),
    (["run", "--analysis-interval", "nan"], "应为正数"),
    (["run", "--crawl-interval", "-1"], "应为正数"),
    (["demo", "--speed", "0"], "应为正数"),
    (["dashboard", "--port", "70000"], "端口无效"),
    (["crawl", "--sandbox", "notaurl"], "网址无效"),
    (["crawl", "--sandbox", "http://[abc/"], "网址无效"),
    (["digest", "daily", "--date", "0001-01-01"], "日期超出范围"),
    (["search", "x", "--since", "9999-12-31"], "时间超出范围"),
])
def test_arguments_python_cannot_use_are_refused_by_the_parser_with_the_option_name(argv, words, capsys):
    # Each of these reached the command and ended in an OverflowError, a sleep(nan) or a
    # Scrapy traceback ("Missing scheme in request url").
    with pytest.raises(SystemExit) as done:
        main(argv)
    assert done.value.code == 2
    err = capsys.readouterr().err
    assert words in err and "Traceback" not in err


def test_crawl_finds_the_spiders_from_any_working_directory(tmp_path):
    # Scrapy finds its project through scrapy.cfg in the working directory: `yuqing crawl` run
    # anywhere else failed with "KeyError: Spider not found: news".
    code = "from crawlers.run import project_settings; print(project_settings().getlist('SPIDER_MODULES'))"
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=tmp_path,
                          timeout=120, env={**os.environ, "PYTHONPATH": str(README.parent)})
    assert done.returncode == 0, done.stderr
    assert "crawlers.spiders" in done.stdout
