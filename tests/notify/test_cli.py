"""`yuqing notify test|list` against a local HTTP receiver."""

from __future__ import annotations

from yuqing.cli import main


def config_text(receiver_url: str) -> str:
    return f"""\
retry: {{attempts: 2, backoff_seconds: 0.01}}
channels:
  log: {{type: log}}
  hook:
    type: webhook
    url: {receiver_url}/hook
  spare:
    type: webhook
    enabled: false
    url: {receiver_url}/spare
routes:
  - channels: [log]
"""


def test_notify_test_sends_to_every_enabled_channel(receiver, write_config, capsys):
    path = write_config(config_text(receiver.url))
    assert main(["notify", "test", "--config", str(path), "--level", "Ⅱ"]) == 0
    out = capsys.readouterr().out
    assert (
        "log（日志）：成功" in out and "hook（通用 Webhook）：成功（尝试 1 次）" in out and "spare" not in out
    )
    [request] = receiver.requests
    assert request.path == "/hook" and request.json["title"] == "舆情监测系统测试通知"
    assert request.json["level"] == "Ⅱ" and request.json["color"] == "橙"


def test_notify_test_one_channel_and_its_failure(receiver, write_config, capsys):
    receiver.always(status=502, body={"error": "bad gateway"})
    path = write_config(config_text(receiver.url))
    assert main(["notify", "test", "--config", str(path), "--channel", "hook"]) == 1
    out = capsys.readouterr().out
    assert "hook（通用 Webhook）：失败：HTTP 502" in out and "尝试 2 次" in out and "log" not in out
    assert len(receiver.requests) == 2


def test_notify_test_routed_and_unknown_channel(receiver, write_config, capsys):
    path = write_config(config_text(receiver.url))
    assert main(["notify", "test", "--config", str(path), "--routed"]) == 0
    assert receiver.requests == []  # the route sends to the log only
    assert main(["notify", "test", "--config", str(path), "--channel", "nope"]) == 1
    assert "未定义的通道: nope" in capsys.readouterr().err


def test_notify_list_and_a_config_error(receiver, write_config, capsys):
    path = write_config(config_text(receiver.url))
    assert main(["notify", "list", "--config", str(path)]) == 0
    out = capsys.readouterr().out
    assert "spare（通用 Webhook）：已停用" in out and "→ log" in out and "最多 2 次" in out
    bad = write_config("channels:\n  x:\n    type: pager\n", name="bad.yaml")
    assert main(["notify", "list", "--config", str(bad)]) == 2
    assert f"{bad}:3:" in capsys.readouterr().err
