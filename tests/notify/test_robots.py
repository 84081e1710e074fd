"""Robot webhooks against a local HTTP receiver: each platform's JSON shape, signatures recomputed
from what was received, and the platforms' error codes."""

from __future__ import annotations

import base64
import hashlib
import hmac
import urllib.parse

import pytest

from yuqing.notify import Dispatcher, Notice, load_config

SECRET = "SEC0123456789abcdef测试"


def alert(**overrides) -> Notice:
    values = dict(
        title="某校食堂疑似食物中毒",
        text="- 相关信息：37 条\n- **发布权威信息**：2026-05-09 19:30 前",
        level="Ⅰ",
        url="http://dash.example/alerts?id=a1",
        unit="食品安全协调处",
        kind="alert",
    )
    values.update(overrides)
    return Notice(**values)


def dispatcher(write_config, channel_yaml: str, attempts: int = 1, backoff: float = 0.0) -> Dispatcher:
    path = write_config(f"""\
retry:
  attempts: {attempts}
  backoff_seconds: {backoff}
  timeout_seconds: 3
channels:
  robot:
{channel_yaml}
routes:
  - channels: [robot]
""")
    return Dispatcher(load_config(path))


def test_dingtalk_markdown_and_signature(receiver, write_config):
    d = dispatcher(
        write_config,
        f"""\
    type: dingtalk
    url: {receiver.url}/robot/send?access_token=tok123
    secret: {SECRET}
    at_mobiles: ["13800000000"]
""",
    )
    [result] = d.send_now(alert())
    assert result.ok and result.attempts == 1 and result.error is None
    [request] = receiver.requests
    assert request.path == "/robot/send"
    assert request.query["access_token"] == "tok123"
    timestamp = request.query["timestamp"]
    assert len(timestamp) == 13  # milliseconds
    expected = base64.b64encode(
        hmac.new(SECRET.encode(), f"{timestamp}\n{SECRET}".encode(), hashlib.sha256).digest()
    ).decode()
    assert request.query["sign"] == expected
    assert f"sign={urllib.parse.quote_plus(expected)}" in request.raw_query  # URL-encoded in the query
    body = request.json
    assert body["msgtype"] == "markdown"
    assert body["markdown"]["title"] == "【红色预警·Ⅰ级】某校食堂疑似食物中毒"
    text = body["markdown"]["text"]
    assert "红色预警" in text and "Ⅰ级（特别重大）" in text and "**某校食堂疑似食物中毒**" in text
    assert "[查看详情](http://dash.example/alerts?id=a1)" in text and "@13800000000" in text
    assert body["at"] == {"atMobiles": ["13800000000"], "isAtAll": False}
    assert request.headers["content-type"].startswith("application/json")


def test_dingtalk_without_secret_sends_no_signature(receiver, write_config):
    d = dispatcher(
        write_config,
        f"""\
    type: dingtalk
    url: {receiver.url}/robot/send?access_token=tok123
""",
    )
    assert d.send_now(alert())[0].ok
    assert set(receiver.requests[0].query) == {"access_token"}


def test_dingtalk_error_code_is_a_failure(receiver, write_config):
    receiver.always(body={"errcode": 310000, "errmsg": "sign not match"})
    d = dispatcher(
        write_config,
        f"""\
    type: dingtalk
    url: {receiver.url}/robot/send?access_token=tok
    secret: wrong
""",
    )
    [result] = d.send_now(alert())
    assert not result.ok
    assert "310000" in result.error and "sign not match" in result.error


def test_wecom_markdown_key_in_url_and_colour(receiver, write_config):
    d = dispatcher(
        write_config,
        f"""\
    type: wecom
    url: {receiver.url}/cgi-bin/webhook/send?key=k-1
""",
    )
    assert d.send_now(alert(level="Ⅱ"))[0].ok
    request = receiver.requests[0]
    assert request.path == "/cgi-bin/webhook/send" and request.query == {"key": "k-1"}
    body = request.json
    assert body["msgtype"] == "markdown" and set(body) == {"msgtype", "markdown"}
    content = body["markdown"]["content"]
    assert '<font color="warning">🟧 橙色预警 · Ⅱ级（重大）</font>' in content
    assert "某校食堂疑似食物中毒" in content and "责任单位：食品安全协调处" in content


def test_wecom_content_is_cut_to_4096_bytes(receiver, write_config):
    d = dispatcher(
        write_config,
        f"""\
    type: wecom
    url: {receiver.url}/send?key=k
""",
    )
    assert d.send_now(alert(text="舆情" * 3000))[0].ok
    content = receiver.requests[0].json["markdown"]["content"]
    assert len(content.encode("utf-8")) <= 4096 and content.endswith("（内容过长已截断）")


def test_wecom_error_code(receiver, write_config):
    receiver.always(body={"errcode": 93000, "errmsg": "invalid webhook url"})
    d = dispatcher(
        write_config,
        f"""\
    type: wecom
    url: {receiver.url}/send?key=bad
""",
    )
    [result] = d.send_now(alert())
    assert not result.ok and "93000" in result.error


def test_feishu_card_with_signature_in_body(receiver, write_config):
    receiver.always(body={"code": 0, "msg": "success", "data": {}})
    d = dispatcher(
        write_config,
        f"""\
    type: feishu
    url: {receiver.url}/open-apis/bot/v2/hook/abc
    secret: {SECRET}
""",
    )
    assert d.send_now(alert(level="Ⅲ"))[0].ok
    body = receiver.requests[0].json
    timestamp = body["timestamp"]
    assert len(timestamp) == 10  # seconds
    expected = base64.b64encode(
        hmac.new(f"{timestamp}\n{SECRET}".encode(), b"", hashlib.sha256).digest()
    ).decode()
    assert body["sign"] == expected
    assert body["msg_type"] == "interactive"
    card = body["card"]
    assert card["header"]["template"] == "yellow"
    assert card["header"]["title"] == {"tag": "plain_text", "content": "【黄色预警·Ⅲ级】某校食堂疑似食物中毒"}
    contents = [e["text"]["content"] for e in card["elements"] if e["tag"] == "div"]
    assert any("黄色预警" in c for c in contents) and any("相关信息：37 条" in c for c in contents)
    [button] = [a for e in card["elements"] if e["tag"] == "action" for a in e["actions"]]
    assert button["url"] == "http://dash.example/alerts?id=a1"


def test_feishu_post_message(receiver, write_config):
    receiver.always(body={"code": 0, "msg": "success"})
    d = dispatcher(
        write_config,
        f"""\
    type: feishu
    url: {receiver.url}/hook/abc
    message: post
""",
    )
    assert d.send_now(alert(level="Ⅳ"))[0].ok
    body = receiver.requests[0].json
    assert "sign" not in body and body["msg_type"] == "post"
    post = body["content"]["post"]["zh_cn"]
    assert post["title"] == "【蓝色预警·Ⅳ级】某校食堂疑似食物中毒"
    texts = [item.get("text") for row in post["content"] for item in row]
    assert "发布权威信息：2026-05-09 19:30 前" in texts[2]  # bold marks dropped in plain rows
    assert {"tag": "a", "text": "查看详情", "href": "http://dash.example/alerts?id=a1"} in post["content"][-1]


def test_feishu_error_code(receiver, write_config):
    receiver.always(body={"code": 19021, "msg": "sign match fail or timestamp is not within one hour"})
    d = dispatcher(
        write_config,
        f"""\
    type: feishu
    url: {receiver.url}/hook/abc
    secret: s
""",
    )
    [result] = d.send_now(alert())
    assert not result.ok and "code=19021" in result.error


def test_generic_webhook_json_and_hmac_header(receiver, write_config):
    receiver.always(status=204, body=b"")
    d = dispatcher(
        write_config,
        f"""\
    type: webhook
    url: {receiver.url}/hooks/yuqing
    token: tkn
    secret: whsec
""",
    )
    notice = alert(
        kind="digest", level=None, attachments=[("舆情日报.docx", b"PK", "application/octet-stream")]
    )
    assert d.send_now(notice)[0].ok
    request = receiver.requests[0]
    assert request.headers["authorization"] == "Bearer tkn"
    timestamp = request.headers["x-yuqing-timestamp"]
    expected = hmac.new(b"whsec", timestamp.encode() + b"." + request.body, hashlib.sha256).hexdigest()
    assert request.headers["x-yuqing-signature"] == f"sha256={expected}"
    body = request.json
    assert body["kind"] == "digest" and body["level"] is None and body["color"] is None
    assert body["title"] == "某校食堂疑似食物中毒" and body["subject"] == "【简报】某校食堂疑似食物中毒"
    assert body["attachments"] == ["舆情日报.docx"] and body["unit"] == "食品安全协调处"


def test_secret_from_environment(receiver, write_config, monkeypatch):
    monkeypatch.setenv("TEST_DINGTALK_SECRET", SECRET)
    monkeypatch.setenv("TEST_DINGTALK_URL", f"{receiver.url}/robot/send?access_token=envtok")
    d = dispatcher(
        write_config,
        """\
    type: dingtalk
    url_env: TEST_DINGTALK_URL
    secret_env: TEST_DINGTALK_SECRET
""",
    )
    assert d.send_now(alert())[0].ok
    query = receiver.requests[0].query
    assert query["access_token"] == "envtok"
    expected = base64.b64encode(
        hmac.new(SECRET.encode(), f"{query['timestamp']}\n{SECRET}".encode(), hashlib.sha256).digest()
    ).decode()
    assert query["sign"] == expected


def test_missing_environment_variable_fails_that_channel_once_with_its_name(
    receiver, write_config, monkeypatch
):
    monkeypatch.delenv("TEST_ABSENT_SECRET", raising=False)
    d = dispatcher(
        write_config,
        f"""\
    type: dingtalk
    url: {receiver.url}/robot/send?access_token=t
    secret_env: TEST_ABSENT_SECRET
""",
        attempts=3,
    )
    [result] = d.send_now(alert())
    assert not result.ok and result.attempts == 1
    assert "TEST_ABSENT_SECRET" in result.error
    assert receiver.requests == []


@pytest.mark.parametrize("kind", ["dingtalk", "wecom", "feishu"])
def test_unparseable_platform_response_is_a_failure(receiver, write_config, kind):
    receiver.always(body=b"<html>gateway</html>")
    d = dispatcher(
        write_config,
        f"""\
    type: {kind}
    url: {receiver.url}/hook
""",
    )
    [result] = d.send_now(alert())
    assert not result.ok and "无法解析" in result.error


def test_robots_name_attachments_they_cannot_carry(receiver, write_config):
    d = dispatcher(
        write_config,
        f"""\
    type: dingtalk
    url: {receiver.url}/robot/send?access_token=t
""",
    )
    notice = alert(
        kind="digest", level=None, attachments=[("舆情日报.docx", b"PK", "application/octet-stream")]
    )
    assert d.send_now(notice)[0].ok
    assert "附件：舆情日报.docx（见邮件）" in receiver.requests[0].json["markdown"]["text"]


def test_attachment_must_be_bytes():
    with pytest.raises(ValueError):
        Notice(title="t", text="", attachments=[("a.pdf", "not bytes", "application/pdf")])
