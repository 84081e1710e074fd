"""config/notify.yaml: the shipped default, routing, and errors that name file:line."""

from __future__ import annotations

import re

import pytest

from yuqing.errors import ConfigError
from yuqing.notify import DEFAULT_PATH, Notice, load_config


def error_of(write_config, text: str) -> str:
    path = write_config(text)
    with pytest.raises(ConfigError) as info:
        load_config(path)
    message = str(info.value)
    assert message.startswith(f"{path}:"), message
    return message


def line_of(message: str) -> int:
    return int(re.match(r"^[^:]+:(\d+):", message).group(1))


def test_shipped_default_sends_everything_to_the_log_only():
    config = load_config(DEFAULT_PATH)
    assert [(name, c.type_name, c.enabled) for name, c in config.channels.items()] == [("log", "log", True)]
    for kind, level in [("alert", "Ⅰ"), ("alert", "Ⅳ"), ("reminder", "Ⅱ"), ("digest", None)]:
        assert config.plan(Notice(title="t", text="", level=level, kind=kind)) == [("log", [])]
    assert config.retry.attempts >= 2 and config.retry.backoff_factor > 1


def test_unknown_channel_type_names_its_line(write_config):
    message = error_of(
        write_config,
        """\
channels:
  press:
    url: http://x
    type: weixin
""",
    )
    assert line_of(message) == 4 and "weixin" in message and "dingtalk" in message


def test_route_to_an_undefined_channel_names_the_item_line(write_config):
    message = error_of(
        write_config,
        """\
channels:
  log: {type: log}
routes:
  - channels:
      - log
      - press_dingtalk
""",
    )
    assert line_of(message) == 6 and "press_dingtalk" in message and "routes[0].channels[1]" in message


def test_bad_min_level(write_config):
    message = error_of(
        write_config,
        """\
channels:
  log: {type: log}
routes:
  - channels: [log]
    min_level: 五级
""",
    )
    assert line_of(message) == 5 and "五级" in message


def test_bad_unit_email_address(write_config):
    message = error_of(
        write_config,
        """\
channels:
  log: {type: log}
units:
  食品安全协调处:
    emails:
      - good@example.gov.cn
      - not-an-address
""",
    )
    assert line_of(message) == 7 and "not-an-address" in message


def test_robot_without_url(write_config):
    message = error_of(
        write_config,
        """\
channels:
  ding:
    type: dingtalk
    secret_env: X
""",
    )
    assert line_of(message) == 2 and "url 或 url_env" in message


def test_unknown_channel_option_and_retry_key(write_config):
    assert (
        line_of(
            error_of(
                write_config,
                """\
channels:
  ding:
    type: dingtalk
    url: http://x
    sercet: abc
""",
            )
        )
        == 5
    )
    message = error_of(
        write_config,
        """\
retry:
  attempts: 3
  backof_seconds: 1
""",
    )
    assert line_of(message) == 3 and "backof_seconds" in message


def test_attempts_must_be_positive(write_config):
    message = error_of(write_config, "retry:\n  attempts: 0\n")
    assert line_of(message) == 2 and "至少为 1" in message


def test_email_needs_a_password_with_a_username(write_config):
    message = error_of(
        write_config,
        """\
channels:
  mail:
    type: email
    host: smtp.example.gov.cn
    sender: a@example.gov.cn
    username: a
""",
    )
    assert line_of(message) == 2 and "password" in message


def test_yaml_syntax_error_has_a_line(write_config):
    message = error_of(write_config, "channels:\n  log: {type: log\n")
    assert "YAML" in message and line_of(message) >= 2


def test_units_add_channels_and_recipients(write_config):
    path = write_config("""\
channels:
  log: {type: log}
  mail:
    type: email
    host: smtp.example.gov.cn
    sender: 舆情 <yq@example.gov.cn>
    recipients: [duty@example.gov.cn]
routes:
  - channels: [log]
  - channels: [mail]
    kinds: [digest]
    recipients: [leader@example.gov.cn]
units:
  食品安全协调处:
    emails: [spxt@example.gov.cn]
    channels: [mail]
    kinds: [alert]
    min_level: 黄
""")
    config = load_config(path)
    unit = "食品安全协调处"
    assert config.plan(Notice(title="t", text="", level="Ⅲ", unit=unit)) == [
        ("log", []),
        ("mail", ["spxt@example.gov.cn"]),
    ]
    assert config.plan(Notice(title="t", text="", level="Ⅳ", unit=unit)) == [("log", [])]
    assert config.plan(Notice(title="t", text="", level="Ⅲ", unit="其他处")) == [("log", [])]
    assert config.plan(Notice(title="t", text="", kind="digest")) == [
        ("log", []),
        ("mail", ["leader@example.gov.cn"]),
    ]


def test_missing_secret_environment_variable_marks_the_channel(write_config, monkeypatch):
    monkeypatch.delenv("NOT_SET_SECRET", raising=False)
    path = write_config("""\
channels:
  ding:
    type: feishu
    url: http://127.0.0.1:9/hook
    secret_env: NOT_SET_SECRET
""")
    channel = load_config(path).channels["ding"]
    assert channel.problem and "NOT_SET_SECRET" in channel.problem


def test_channel_name_read_as_a_boolean_is_an_error(write_config):
    message = error_of(write_config, """\
channels:
  log: {type: log}
  off: {type: log}
""")
    assert line_of(message) == 3 and "加引号" in message


def test_a_channel_type_that_is_not_text_is_named_not_a_traceback(write_config):
    message = error_of(write_config, "channels:\n  log:\n    type: []\n")  # TypeError: unhashable before
    assert "未知的通道类型 []" in message and line_of(message) == 3
