"""The YAML loader: defaults, and errors that name file:line."""

from __future__ import annotations

import pytest

from yuqing.config import Field, load
from yuqing.errors import ConfigError

SCHEMA = {
    "name": Field(str, required=True),
    "interval": Field(int, default=60),
    "level": Field(str, choices=("中央", "省级", "市级")),
    "selectors": Field(list, item={"css": Field(str, required=True), "attr": Field(str)}),
    "check": Field(str, check=lambda v: None if v.startswith("/") else "应以 / 开头"),
}


def error_of(text: str) -> str:
    with pytest.raises(ConfigError) as info:
        load("sources.yaml", SCHEMA, text=text)
    return str(info.value)


def test_defaults_are_filled_in():
    assert load("s.yaml", SCHEMA, text="name: 人民网\n") == {
        "name": "人民网", "interval": 60, "level": None, "selectors": None, "check": None}


def test_unknown_key_names_its_line():
    assert error_of("name: a\n\nintervall: 5\n").startswith("sources.yaml:3: intervall: 未知的键")


def test_wrong_type_names_its_line():
    assert error_of("name: a\ninterval: often\n").startswith("sources.yaml:2: interval: 应为整数")


def test_bool_is_not_an_int():
    assert "应为整数" in error_of("name: a\ninterval: yes\n")


def test_missing_required_key():
    assert "缺少必填键 'name'" in error_of("interval: 5\n")


def test_bad_choice_and_nested_list_item_lines():
    assert error_of("name: a\nlevel: 国家级\n").startswith("sources.yaml:2: level: 取值 '国家级' 无效")
    message = error_of("name: a\nselectors:\n  - css: h1\n  - attr: href\n")
    assert message.startswith("sources.yaml:4: selectors[1]: 缺少必填键 'css'")


def test_custom_check():
    assert error_of("name: a\ncheck: relative\n").startswith("sources.yaml:2: check: 应以 / 开头")


def test_yaml_syntax_error_has_a_line():
    assert error_of("name: a\nselectors: [\n").startswith("sources.yaml:3: YAML 语法错误")


def test_duplicate_key():
    assert "重复的键 'name'" in error_of("name: a\nname: b\n")


def test_missing_file(tmp_path):
    with pytest.raises(ConfigError) as info:
        load(tmp_path / "nope.yaml", SCHEMA)
    assert "配置文件不存在" in str(info.value)


def test_merge_keys_can_be_overridden_but_own_keys_cannot_repeat():
    text = "base: &b\n  name: a\n  interval: 5\nitem:\n  <<: *b\n  interval: 9\n"
    from yuqing.config import read_yaml

    assert read_yaml("m.yaml", text)["item"] == {"name": "a", "interval": 9}
    with pytest.raises(ConfigError) as info:
        read_yaml("m.yaml", "item:\n  <<: {name: a}\n  interval: 1\n  interval: 2\n")
    assert str(info.value).startswith("m.yaml:4: 重复的键 'interval'")


@pytest.mark.parametrize("text, start", [
    ("name: a\ncheck: \x07bell\n", "sources.yaml:2: 含有 YAML 不允许的字符 U+0007"),
    ("name: a\n\ncheck: x\x00\n", "sources.yaml:3: 含有 YAML 不允许的字符 U+0000"),
    ("name: a\n[a]: 1\n", "sources.yaml:2: 键不能是列表或映射"),
    ("name: a\ncheck: " + "[" * 100_000 + "\n", "sources.yaml: 嵌套过深"),
    ("name: a\ninterval: " + "9" * 5000 + "\n", "sources.yaml: 无法读取的数值"),
    ("name: a\ninterval: " + "9" * 30 + "\n", "sources.yaml:2: interval: 数值超出范围"),
    ("name: a\ninterval: -1000000001\n", "sources.yaml:2: interval: 数值超出范围"),
    ("- name: a\n", "sources.yaml:1: 应为映射，实际是列表"),
])
def test_input_yaml_cannot_parse_or_python_cannot_hold_is_a_config_error_with_its_place(text, start):
    # Each of these raised ReaderError, TypeError, RecursionError, ValueError or OverflowError
    # (a traceback) instead of a ConfigError naming the file and line.
    assert error_of(text).startswith(start)


def test_a_directory_or_bytes_that_are_not_utf8_name_what_is_wrong(tmp_path):
    with pytest.raises(ConfigError, match="是目录，不是配置文件"):
        load(tmp_path, SCHEMA)
    path = tmp_path / "gbk.yaml"
    path.write_bytes("name: a\n\ncheck: 市场监管\n".encode("gbk"))
    with pytest.raises(ConfigError) as info:
        load(path, SCHEMA)
    assert str(info.value).startswith(f"{path}:3: 不是 UTF-8 编码（第 17 个字节）")
