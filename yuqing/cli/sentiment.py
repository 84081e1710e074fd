"""`yuqing sentiment`: score JSON lines from stdin, write them back with their sentiment."""

from __future__ import annotations

import argparse
import json
import sys
from typing import IO, Iterator

from yuqing.errors import YuqingError
from yuqing.jsonlines import JSON_TYPES, parse_object

BATCH = 256  # lines scored together (the compiled stock scorer is faster in batches)

HELP = "情感分析：从标准输入读取 JSON 行（含 text 字段），输出加上 sentiment、label、model 的 JSON 行"
DESCRIPTION = """\
从标准输入逐行读取 JSON 对象，例如 {"text": "投诉当天就处理好了，点赞"}，其他字段原样保留；
每行输出时加上:
  sentiment  0–1 的分数，越高越正面
  label      pos（正面，sentiment ≥ 0.5）、neg（负面）或 neu（文本为空，或模型没有可用特征，
             例如只有标点、表情或字母；sentiment = 0.5）
  model      模型名称与版本
格式错误的行（不是 JSON 对象、缺少字符串字段 text）在标准错误中报告行号并计数，其余行照常输出；
只要有一行出错，退出码为 1。
"""


def register(subparsers) -> None:
    parser = subparsers.add_parser(
        "sentiment", help=HELP, description=DESCRIPTION, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    add_model_argument(parser)
    parser.set_defaults(func=run)


def add_model_argument(parser) -> None:
    """``--model NAME``: one of the sentiment models (the default when omitted)."""
    from analysis.sentiment import DEFAULT_MODEL, MODELS

    parser.add_argument(
        "--model", metavar="NAME", default=None,
        help=f"模型（默认 {DEFAULT_MODEL}；可选: {'、'.join(MODELS)}，版本号可省略）",
    )


def parse_line(number: int, line: str | bytes) -> tuple[dict | None, str | None]:
    """(record, None) for a good line, (None, error message) for a bad one."""
    record, error = parse_object(number, line)
    if error:
        return None, error
    if "text" not in record:
        return None, f"第 {number} 行: 缺少字段 \"text\""
    if not isinstance(record["text"], str):
        return None, f"第 {number} 行: 字段 \"text\" 应为字符串，实际是{JSON_TYPES[type(record['text'])]}"
    return record, None


def _batches(stream: IO[str] | IO[bytes]) -> Iterator[list[tuple[int, str | bytes]]]:
    batch: list[tuple[int, str | bytes]] = []
    for number, line in enumerate(stream, start=1):
        if not line.strip():
            continue  # blank lines carry nothing; they are neither output nor errors
        batch.append((number, line))
        if len(batch) >= BATCH:
            yield batch
            batch = []
    if batch:
        yield batch


def score_stream(model, stdin: IO[str] | IO[bytes], stdout: IO[str], stderr: IO[str]) -> tuple[int, int]:
    """Score every line of ``stdin`` (text, or bytes read as UTF-8) onto ``stdout``; errors go to
    ``stderr``. Returns (lines scored, lines failed)."""
    ok = failed = 0
    for batch in _batches(stdin):
        records = []
        for number, line in batch:
            record, error = parse_line(number, line)
            if error:
                print(error, file=stderr)
                failed += 1
            else:
                records.append(record)
        results = model.score_batch([r["text"] for r in records])
        for record, result in zip(records, results):
            record.update(sentiment=result.score, label=result.label, model=result.model)
            stdout.write(json.dumps(record, ensure_ascii=False) + "\n")
            ok += 1
        stdout.flush()
    return ok, failed


def run(args: argparse.Namespace) -> int:
    from analysis.sentiment import UnknownModelError, get_model

    try:
        model = get_model(args.model)
    except UnknownModelError as exc:
        raise YuqingError(str(exc)) from None
    ok, failed = score_stream(model, sys.stdin.buffer, sys.stdout, sys.stderr)
    if failed:
        print(f"完成: {ok} 行已评分，{failed} 行出错", file=sys.stderr)
        return 1
    return 0
