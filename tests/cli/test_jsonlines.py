"""JSON lines from outside: each line parsed on its own, bad ones named by number, the rest kept."""

from __future__ import annotations

import io
import json

import pytest

from analysis.surrogates import scrub, scrub_text
from yuqing.jsonlines import parse_json_object, parse_object, read_objects

DEEP = "[" * 100_000 + "]" * 100_000
HUGE = '{"text": "好", "n": ' + "9" * 5000 + "}"


@pytest.mark.parametrize("line, fragment", [
    (HUGE, "数字位数过多"),
    ('{"a": ' + DEEP + "}", "JSON 嵌套过深"),
    ('{"score": NaN}', "NaN 不是 JSON 数值"),
    ('{"score": -Infinity}', "-Infinity 不是 JSON 数值"),
    ("{", "对象的键应是双引号括起的字符串"),
    ('{"a": }', "缺少值，第 7 列"),
    ('{"a": 1} x', "值后面还有多余的内容"),
    ('{"a": "x\ty"}', "字符串里有未转义的控制字符"),
    ("[1]", "应为 JSON 对象，实际是数组"),
    (b'{"a": "\xba\xc3"}', "不是 UTF-8 编码（第 8 个字节）"),
])
def test_a_bad_line_gets_a_chinese_reason_not_an_exception(line, fragment):
    record, reason = parse_json_object(line)
    assert record is None and fragment in reason


def test_line_numbers_and_byte_order_marks():
    assert parse_object(7, "{")[1].startswith("第 7 行: ")
    assert parse_object(1, '\ufeff{"a": 1}'.encode()) == ({"a": 1}, None)
    assert parse_object(3, '\ufeff{"a": 1}') == ({"a": 1}, None)  # files joined with `cat` keep theirs


def test_lone_surrogates_become_replacement_characters_pairs_stay():
    record, reason = parse_json_object(r'{"t\udc00": "a\ud800b", "ok": "\ud83d\ude00", "list": ["\udfff"]}')
    assert reason is None
    assert record == {"t\ufffd": "a\ufffdb", "ok": "😀", "list": ["\ufffd"]}
    json.dumps(record, ensure_ascii=False).encode("utf-8")  # writable now


def test_read_objects_keeps_every_good_line_around_bad_ones():
    lines = [b'{"n": 1}\n', HUGE.encode() + b"\n", b"\n", ('{"a": ' + DEEP + "}\n").encode(),
             b'{"n": 2}\n', b"\xff\n", b'{"n": 3}']
    errors: list[tuple[int, str]] = []
    good = list(read_objects(io.BytesIO(b"".join(lines)), errors))
    assert good == [(1, {"n": 1}), (5, {"n": 2}), (7, {"n": 3})]
    assert [number for number, _ in errors] == [2, 4, 6]


def test_scrub_leaves_clean_values_alone():
    value = {"a": ["x", 1, None, {"b": "中文😀"}], 2: 3.5}
    assert scrub(value) == value
    assert scrub_text("abc") == "abc" and scrub_text("a\ud800") == "a\ufffd"
    assert scrub(("\udc00",)) == ("\ufffd",)
