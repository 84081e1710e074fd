"""JSON lines from outside (`yuqing load`, `sentiment`, `replay`): each line is parsed on its own, and a
bad one gets a message with its number and is skipped; nothing else is lost."""

from __future__ import annotations

import json
from typing import IO, Iterator

from analysis.surrogates import scrub

JSON_TYPES = {dict: "对象", list: "数组", str: "字符串", int: "数字", float: "数字", bool: "布尔值", type(None): "空值 null"}

# json's messages (CPython's json.decoder and _json), in the UI's language.
_JSON_MESSAGES = {
    "Expecting value": "缺少值",
    "Extra data": "值后面还有多余的内容",
    "Invalid control character at": "字符串里有未转义的控制字符",
    "Unterminated string starting at": "字符串没有结束引号",
    "Expecting property name enclosed in double quotes": "对象的键应是双引号括起的字符串",
    "Expecting ',' delimiter": "缺少逗号",
    "Expecting ':' delimiter": "缺少冒号",
    "Invalid \\escape": "无效的转义序列",
    "Invalid \\uXXXX escape": "无效的 \\u 转义",
    "Illegal trailing comma before end of object": "对象末尾多了逗号",
    "Illegal trailing comma before end of array": "数组末尾多了逗号",
}


def _reject_constant(name: str):
    raise ValueError(f"{name} 不是 JSON 数值")


def parse_object(number: int, line: str | bytes) -> tuple[dict | None, str | None]:
    """(object, None) for a line holding one JSON object, (None, '第 N 行: reason') otherwise."""
    record, reason = parse_json_object(line)
    return (record, None) if reason is None else (None, f"第 {number} 行: {reason}")


def parse_json_object(line: str | bytes) -> tuple[dict | None, str | None]:
    """(object, None) for a line holding one JSON object, (None, reason) otherwise.

    Bytes are read as UTF-8 (a byte-order mark is dropped); lone surrogates from ``\\ud800``
    escapes become U+FFFD, since no UTF-8 file, terminal or index could take them."""
    if isinstance(line, bytes):
        try:
            line = line.decode("utf-8")
        except UnicodeDecodeError as exc:
            return None, f"不是 UTF-8 编码（第 {exc.start + 1} 个字节）"
    line = line.lstrip("\ufeff")
    try:
        record = json.loads(line, parse_constant=_reject_constant)
    except json.JSONDecodeError as exc:
        message = _JSON_MESSAGES.get(exc.msg, exc.msg)
        return None, f"不是合法的 JSON（{message}，第 {exc.colno} 列）"
    except RecursionError:
        return None, "JSON 嵌套过深"
    except ValueError as exc:  # NaN/Infinity, or an integer longer than Python converts
        reason = str(exc) if "JSON 数值" in str(exc) else "数字位数过多"
        return None, f"不是合法的 JSON（{reason}）"
    if not isinstance(record, dict):
        return None, f"应为 JSON 对象，实际是{JSON_TYPES[type(record)]}"
    return scrub(record), None


def read_objects(handle: IO[bytes] | IO[str], errors: list[tuple[int, str]]) -> Iterator[tuple[int, dict]]:
    """(line number, object) for each good line of ``handle``; bad lines go to ``errors`` as
    (number, reason), blank lines are skipped."""
    for number, line in enumerate(handle, start=1):
        if not line.strip():
            continue
        record, error = parse_json_object(line)
        if error:
            errors.append((number, error))
        else:
            yield number, record
