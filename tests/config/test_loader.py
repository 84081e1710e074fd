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
