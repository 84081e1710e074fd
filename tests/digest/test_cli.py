"""`yuqing digest` from the command line against the scenario data."""

from __future__ import annotations

import io
from pathlib import Path

import pytest

from yuqing.cli import main

pytestmark = pytest.mark.es


@pytest.fixture
def env(monkeypatch, es_url, digest_store):
    monkeypatch.setenv("ES_URL", es_url)
    monkeypatch.setenv("YUQING_INDEX_PREFIX", digest_store.prefix)
    return digest_store


def test_daily_markdown_with_chart_files(env, tmp_path, capsys):
    out = tmp_path / "daily.md"
    code = main(
        [
            "digest",
            "daily",
            "--date",
            "2024-03-12",
            "--format",
            "md",
            "--out",
            str(out),
            "--now",
            "2024-03-20T09:00:00+08:00",
        ]
    )
    assert code == 0, capsys.readouterr().err
    text = out.read_text(encoding="utf-8")
    assert text.startswith("# 舆情日报（2024年3月12日）")
    assert "河西区梧桐路小学学生午餐后集体呕吐" in text and "3月13日 12:50" in text
    charts = sorted(p.name for p in tmp_path.glob("daily-chart-*.png"))
    assert charts == ["daily-chart-1.png", "daily-chart-2.png", "daily-chart-3.png"]
    assert "](daily-chart-1.png)" in text
    assert "已生成 舆情日报（2024年3月12日）" in capsys.readouterr().out


def test_event_docx_default_name(env, tmp_path, monkeypatch, capsys):
    import docx

    monkeypatch.chdir(tmp_path)
    code = main(["digest", "event", "evt-food_poisoning", "--at", "2024-03-13T09:00:00+08:00"])
    assert code == 0, capsys.readouterr().err
    path = Path("舆情专报-evt-food_poisoning.docx")
    document = docx.Document(io.BytesIO(path.read_bytes()))
    assert document.paragraphs[0].text == "舆情专报：河西区梧桐路小学学生午餐后集体呕吐"


def test_weekly_html_to_stdout(env, capsys):
    assert (
        main(
            [
                "digest",
                "weekly",
                "--date",
                "2024-03-12",
                "--format",
                "html",
                "--out",
                "-",
                "--now",
                "2024-03-20T09:00:00+08:00",
            ]
        )
        == 0
    )
    page = capsys.readouterr().out
    assert page.startswith("<!DOCTYPE html>") and "舆情周报（2024年3月11日—2024年3月17日）" in page


def test_errors_are_chinese_and_non_zero(env, capsys, tmp_path):
    assert main(["digest", "event", "no-such-event", "--out", str(tmp_path / "x.docx")]) == 1
    assert "事件 no-such-event 不存在" in capsys.readouterr().err
    with pytest.raises(SystemExit) as refused:  # refused by the parser, before anything runs
        main(["digest", "daily", "--date", "2024-02-30"])
    assert refused.value.code == 2
    assert "参数 --date: 日期格式无效: '2024-02-30'" in capsys.readouterr().err
    with pytest.raises(SystemExit):
        main(["digest", "event", "ev-1", "--at", "昨天"])
    assert "参数 --at: 时间格式无效: '昨天'" in capsys.readouterr().err
    assert main(["digest", "daily", "--date", "2024-03-12", "--format", "pdf", "--out", "-"]) == 1
    assert "不能输出到标准输出" in capsys.readouterr().err


def test_daily_without_a_date_is_the_one_the_digest_page_opens(env, capsys):
    # At 09:00 on 03-13 a leader reads 03-12's digest (today's only from noon), as on the 日报 page.
    assert main(["digest", "daily", "--format", "md", "--out", "-", "--now", "2024-03-13T09:00:00+08:00"]) == 0
    assert capsys.readouterr().out.startswith("# 舆情日报（2024年3月12日）")
    assert main(["digest", "daily", "--format", "md", "--out", "-", "--now", "2024-03-13T15:00:00+08:00"]) == 0
    assert capsys.readouterr().out.startswith("# 舆情日报（2024年3月13日）")
