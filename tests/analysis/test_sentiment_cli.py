"""`yuqing sentiment`: JSON lines in, JSON lines out with sentiment; bad lines reported and counted."""

from __future__ import annotations

import io
import json
import subprocess
import sys

import pytest

from analysis.sentiment import get_model
from yuqing.cli import main
from yuqing.cli.sentiment import parse_line, score_stream


def run_cli(stdin: bytes, *args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "yuqing", "sentiment", *args], input=stdin,
                          capture_output=True, timeout=120)


def test_lines_come_back_with_sentiment_label_model_and_their_other_keys():
    lines = [{"text": "投诉当天就处理好了，点赞", "id": 7, "source": "12345"}, {"text": "等了一个月还没人管，太失望了"}]
    done = run_cli("".join(json.dumps(x, ensure_ascii=False) + "\n" for x in lines).encode())
    assert done.returncode == 0, done.stderr.decode()
    out = [json.loads(x) for x in done.stdout.decode().splitlines()]
    assert [o["text"] for o in out] == [x["text"] for x in lines]
    assert out[0]["id"] == 7 and out[0]["source"] == "12345"
    assert [o["label"] for o in out] == ["pos", "neg"]
    assert all(o["model"] == "domain@4" for o in out)
    assert out[0]["sentiment"] == get_model().score(lines[0]["text"]).score


def test_model_option_selects_stock_snownlp():
    done = run_cli('{"text": "质量不错"}\n'.encode(), "--model", "snownlp-stock")
    out = json.loads(done.stdout)
    assert out["model"].startswith("snownlp-stock@")
    assert out["sentiment"] == get_model("snownlp-stock").score("质量不错").score


def test_bad_lines_are_reported_by_number_counted_and_the_rest_goes_through():
    stdin = b'{"text": "\xe5\xa5\xbd"}\nnot json\n\n{"id": 3}\n[1]\n{"text": 5}\n\xff\xfe\n{"text": ""}\n'
    done = run_cli(stdin)
    assert done.returncode == 1
    out = [json.loads(x) for x in done.stdout.decode().splitlines()]
    assert [o["text"] for o in out] == ["好", ""]
    assert out[1]["label"] == "neu" and out[1]["sentiment"] == 0.5
    err = done.stderr.decode()
    for number in (2, 4, 5, 6, 7):
        assert f"第 {number} 行" in err
    assert "第 3 行" not in err and "第 8 行" not in err
    assert "5 行出错" in err


def test_unknown_model_is_a_clear_error(capsys):
    assert main(["sentiment", "--model", "nope"]) == 1
    assert "未知的情感模型 'nope'" in capsys.readouterr().err


@pytest.mark.parametrize("line, fragment", [
    ("{bad", "不是合法的 JSON"),
    ('"text"', "应为 JSON 对象，实际是字符串"),
    ('{"title": "x"}', '缺少字段 "text"'),
    ('{"text": null}', "应为字符串，实际是空值 null"),
])
def test_parse_line_names_line_and_problem(line, fragment):
    record, error = parse_line(12, line)
    assert record is None
    assert error.startswith("第 12 行") and fragment in error


def test_score_stream_counts_and_batches_past_the_batch_size():
    records = ({"text": f"第{i}次办事很顺利，满意", "n": i} for i in range(300))
    lines = "".join(json.dumps(r, ensure_ascii=False) + "\n" for r in records)
    stdout, stderr = io.StringIO(), io.StringIO()
    ok, failed = score_stream(get_model(), io.StringIO(lines + "oops\n"), stdout, stderr)
    assert (ok, failed) == (300, 1)
    assert [json.loads(x)["n"] for x in stdout.getvalue().splitlines()] == list(range(300))
    assert "第 301 行" in stderr.getvalue()


def test_a_line_python_cannot_parse_loses_no_other_line_and_surrogates_are_replaced():
    # A 5,000-digit number and 100,000 nested brackets raised out of the batch: the good lines
    # read before them in the same batch of 256 were never written.
    lines = ['{"text": "办事很顺利"}', '{"text": "x", "n": ' + "9" * 5000 + "}",
             '{"text": "y", "a": ' + "[" * 100_000 + "]" * 100_000 + "}", r'{"text": "坏\ud800字"}']
    stdout, stderr = io.StringIO(), io.StringIO()
    ok, failed = score_stream(get_model(), io.BytesIO("\n".join(lines).encode()), stdout, stderr)
    assert (ok, failed) == (2, 2)
    out = [json.loads(x) for x in stdout.getvalue().splitlines()]
    assert [o["text"] for o in out] == ["办事很顺利", "坏\ufffd字"]
    assert "第 2 行" in stderr.getvalue() and "第 3 行" in stderr.getvalue()
    stdout.getvalue().encode("utf-8")
