"""Group robots (DingTalk, WeCom, Feishu/Lark), a generic JSON webhook and the log channel.

Message formats follow the platforms' public custom-robot documentation:
- DingTalk: ``{"msgtype": "markdown", "markdown": {"title", "text"}, "at": {...}}``; with a
  signing secret, ``timestamp`` (ms) and ``sign`` = urlencode(base64(HMAC-SHA256(key=secret,
  msg="timestamp\\nsecret"))) go in the query; success is ``errcode == 0``.
- WeCom (企业微信) group robot: ``{"msgtype": "markdown", "markdown": {"content"}}`` (≤ 4096
  bytes), the key is in the URL; success is ``errcode == 0``.
- Feishu/Lark custom bot: ``msg_type`` ``interactive`` (a card whose header has the level
  colour) or ``post``; with a secret, ``timestamp`` (s) and ``sign`` = base64(HMAC-SHA256(
  key="timestamp\\nsecret", msg=b"")) go in the body; success is ``code == 0``.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import logging
import threading
import time
import urllib.parse
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from yuqing.config import Field
from yuqing.notify.channels import Channel, DeliveryError, post_json, register_channel, requires_one_of
from yuqing.notify.notice import COLOUR_NAMES_EN, Notice, plain_text

LOGGER = logging.getLogger(__name__)

WECOM_MAX_BYTES = 4096


def dingtalk_sign(secret: str, timestamp_ms: int) -> str:
    """DingTalk robot signature (before URL encoding): base64(HMAC-SHA256(secret, "ts\\nsecret"))."""
    digest = hmac.new(secret.encode("utf-8"), f"{timestamp_ms}\n{secret}".encode(), hashlib.sha256).digest()
    return base64.b64encode(digest).decode("ascii")


def feishu_sign(secret: str, timestamp_s: int) -> str:
    """Feishu/Lark bot signature: base64(HMAC-SHA256(key="ts\\nsecret", msg=b""))."""
    digest = hmac.new(f"{timestamp_s}\n{secret}".encode(), b"", hashlib.sha256).digest()
    return base64.b64encode(digest).decode("ascii")


def with_query(url: str, params: dict[str, str]) -> str:
    """``url`` with ``params`` appended to its query string (values URL-encoded)."""
    return url + ("&" if urllib.parse.urlsplit(url).query else "?") + urllib.parse.urlencode(params)


def markdown_body(notice: Notice, *, heading: str = "###") -> str:
    """The common markdown of a notice: badge, title, body, unit, link."""
    lines = []
    badge = notice.badge()
    if badge:
        lines.append(f"{heading} {badge}")
    lines.append(f"**{notice.title}**")
    if notice.text.strip():
        lines.append(notice.text.strip())
    if notice.unit and f"责任单位：{notice.unit}" not in notice.text:
        lines.append(f"责任单位：{notice.unit}")
    if notice.attachments:
        lines.append(attachments_line(notice))
    if notice.url:
        lines.append(f"[查看详情]({notice.url})")
    return "\n\n".join(lines)


def attachments_line(notice: Notice) -> str:
    """Robots carry no files: name them and point to the email."""
    return f"附件：{'、'.join(name for name, _content, _mime in notice.attachments)}（见邮件）"


def _platform_error(platform: str, body: Any, code_key: str, message_key: str) -> None:
    if not isinstance(body, dict):
        raise DeliveryError(f"{platform}返回了无法解析的响应")
    code = body.get(code_key, body.get("StatusCode"))
    if code is None:
        raise DeliveryError(f"{platform}的响应缺少 {code_key}")
    if code != 0:
        message = body.get(message_key) or body.get("StatusMessage") or ""
        raise DeliveryError(f"{platform}返回错误 {code_key}={code}: {message}".rstrip(": "))


@register_channel
class DingTalkChannel(Channel):
    """DingTalk (钉钉) custom group robot, markdown message, optional signing."""

    type_name = "dingtalk"
    label = "钉钉机器人"
    secrets = ("url", "secret")
    options = {
        "url": Field(str, help="机器人 Webhook 地址（含 access_token）"),
        "secret": Field(str, help="加签密钥（SEC 开头）；不加签时省略"),
        "at_mobiles": Field(list, item=str, default=[], help="要 @ 的手机号"),
        "at_all": Field(bool, default=False, help="是否 @所有人"),
    }

    @classmethod
    def check_config(cls, config):
        return requires_one_of(config, "url")

    def payload(self, notice: Notice) -> dict:
        text = markdown_body(notice)
        mobiles = list(self.config.get("at_mobiles") or [])
        if mobiles:
            text += "\n\n" + " ".join(f"@{m}" for m in mobiles)
        return {
            "msgtype": "markdown",
            "markdown": {"title": notice.subject(), "text": text},
            "at": {"atMobiles": mobiles, "isAtAll": bool(self.config.get("at_all"))},
        }

    def signed_url(self, now: float | None = None) -> str:
        url = self.config["url"]
        secret = self.config.get("secret")
        if not secret:
            return url
        timestamp = int((time.time() if now is None else now) * 1000)
        return with_query(url, {"timestamp": str(timestamp), "sign": dingtalk_sign(secret, timestamp)})

    def send(self, notice, recipients=None):
        _status, body = post_json(self.signed_url(), self.payload(notice), timeout=self.timeout)
        _platform_error("钉钉", body, "errcode", "errmsg")


@register_channel
class WeComChannel(Channel):
    """WeCom (企业微信) group robot, markdown message; the key is part of the URL."""

    type_name = "wecom"
    label = "企业微信机器人"
    secrets = ("url",)
    options = {"url": Field(str, help="机器人 Webhook 地址（含 key）")}

    @classmethod
    def check_config(cls, config):
        return requires_one_of(config, "url")

    def payload(self, notice: Notice) -> dict:
        content = markdown_body(notice, heading="#")
        if notice.color in ("红", "橙"):  # WeCom markdown has three font colours: info, comment, warning
            content = content.replace(notice.badge(), f'<font color="warning">{notice.badge()}</font>', 1)
        return {"msgtype": "markdown", "markdown": {"content": truncate_bytes(content, WECOM_MAX_BYTES)}}

    def send(self, notice, recipients=None):
        _status, body = post_json(self.config["url"], self.payload(notice), timeout=self.timeout)
        _platform_error("企业微信", body, "errcode", "errmsg")


def truncate_bytes(text: str, limit: int, marker: str = "\n\n……（内容过长已截断）") -> str:
    """``text`` cut so that its UTF-8 encoding fits in ``limit`` bytes, marked when cut."""
    if len(text.encode("utf-8")) <= limit:
        return text
    room = limit - len(marker.encode("utf-8"))
    return text.encode("utf-8")[:room].decode("utf-8", "ignore") + marker


@register_channel
class FeishuChannel(Channel):
    """Feishu/Lark (飞书) custom bot: an interactive card (default) or a rich-text post."""

    type_name = "feishu"
    label = "飞书机器人"
    secrets = ("url", "secret")
    options = {
        "url": Field(str, help="机器人 Webhook 地址（open-apis/bot/v2/hook/…）"),
        "secret": Field(str, help="签名校验密钥；未开启签名时省略"),
        "message": Field(str, default="card", choices=("card", "post"), help="消息类型：卡片或富文本"),
    }

    @classmethod
    def check_config(cls, config):
        return requires_one_of(config, "url")

    def payload(self, notice: Notice, now: float | None = None) -> dict:
        if self.config.get("message") == "post":
            body = self._post(notice)
        else:
            body = self._card(notice)
        secret = self.config.get("secret")
        if secret:
            timestamp = int(time.time() if now is None else now)
            body = {"timestamp": str(timestamp), "sign": feishu_sign(secret, timestamp), **body}
        return body

    @staticmethod
    def _card(notice: Notice) -> dict:
        content = notice.text.strip()
        if notice.unit and f"责任单位：{notice.unit}" not in notice.text:
            content += f"\n**责任单位**：{notice.unit}"
        elements: list[dict] = []
        if notice.badge():
            elements.append({"tag": "div", "text": {"tag": "lark_md", "content": f"**{notice.badge()}**"}})
        elements.append({"tag": "div", "text": {"tag": "lark_md", "content": content}})
        if notice.attachments:
            elements.append({"tag": "div", "text": {"tag": "lark_md", "content": attachments_line(notice)}})
        if notice.url:
            elements.append(
                {
                    "tag": "action",
                    "actions": [
                        {
                            "tag": "button",
                            "type": "primary",
                            "url": notice.url,
                            "text": {"tag": "plain_text", "content": "查看详情"},
                        }
                    ],
                }
            )
        return {
            "msg_type": "interactive",
            "card": {
                "config": {"wide_screen_mode": True},
                "header": {
                    "template": COLOUR_NAMES_EN.get(
                        notice.color or "", "grey" if notice.kind == "digest" else "blue"
                    ),
                    "title": {"tag": "plain_text", "content": notice.subject()},
                },
                "elements": elements,
            },
        }

    @staticmethod
    def _post(notice: Notice) -> dict:
        rows: list[list[dict]] = []
        if notice.badge():
            rows.append([{"tag": "text", "text": notice.badge()}])
        rows.extend(
            [{"tag": "text", "text": line}] for line in plain_text(notice.text).splitlines() if line.strip()
        )
        if notice.unit and f"责任单位：{notice.unit}" not in notice.text:
            rows.append([{"tag": "text", "text": f"责任单位：{notice.unit}"}])
        if notice.attachments:
            rows.append([{"tag": "text", "text": attachments_line(notice)}])
        if notice.url:
            rows.append([{"tag": "a", "text": "查看详情", "href": notice.url}])
        return {
            "msg_type": "post",
            "content": {"post": {"zh_cn": {"title": notice.subject(), "content": rows}}},
        }

    def send(self, notice, recipients=None):
        _status, body = post_json(self.config["url"], self.payload(notice), timeout=self.timeout)
        _platform_error("飞书", body, "code", "msg")


@register_channel
class WebhookChannel(Channel):
    """A generic JSON webhook for other systems; optional bearer token and HMAC signature header."""

    type_name = "webhook"
    label = "通用 Webhook"
    secrets = ("url", "token", "secret")
    options = {
        "url": Field(str, help="接收地址"),
        "token": Field(str, help="作为 Authorization: Bearer 发送"),
        "secret": Field(
            str, help="签名密钥：X-Yuqing-Signature = sha256=HMAC-SHA256(secret, 时间戳.正文) 的十六进制"
        ),
    }

    @classmethod
    def check_config(cls, config):
        return requires_one_of(config, "url")

    @staticmethod
    def payload(notice: Notice) -> dict:
        return {
            "kind": notice.kind,
            "title": notice.title,
            "subject": notice.subject(),
            "text": notice.text,
            "level": notice.level,
            "level_rank": notice.level_rank,
            "color": notice.color,
            "url": notice.url,
            "unit": notice.unit,
            "attachments": [name for name, _content, _mime in notice.attachments],
            "sent_at": datetime.now(UTC).isoformat(timespec="seconds"),
        }

    def send(self, notice, recipients=None):
        body = json.dumps(self.payload(notice), ensure_ascii=False).encode("utf-8")
        headers = {}
        if self.config.get("token"):
            headers["Authorization"] = f"Bearer {self.config['token']}"
        if self.config.get("secret"):
            timestamp = str(int(time.time()))
            headers["X-Yuqing-Timestamp"] = timestamp
            headers["X-Yuqing-Signature"] = "sha256=" + webhook_signature(
                self.config["secret"], timestamp, body
            )
        post_json(self.config["url"], None, body=body, headers=headers, timeout=self.timeout)


def webhook_signature(secret: str, timestamp: str, body: bytes) -> str:
    """Hex HMAC-SHA256 over b"timestamp." + body, keyed with the secret."""
    return hmac.new(
        secret.encode("utf-8"), timestamp.encode("ascii") + b"." + body, hashlib.sha256
    ).hexdigest()


@register_channel
class LogChannel(Channel):
    """Writes notices to the program log (and optionally a JSON-lines file); the default channel."""

    type_name = "log"
    label = "日志"
    options = {
        "level": Field(str, default="warning", choices=("debug", "info", "warning"), help="日志级别"),
        "path": Field(str, help="另写入该 JSON 行文件（相对路径相对于项目根目录）"),
    }
    _lock = threading.Lock()

    def send(self, notice, recipients=None):
        level = getattr(logging, str(self.config.get("level") or "warning").upper())
        line = notice.subject()
        if notice.unit:
            line += f" | 责任单位：{notice.unit}"
        if notice.url:
            line += f" | {notice.url}"
        LOGGER.log(level, "通知 %s", line)
        path = self.config.get("path")
        if path:
            record = WebhookChannel.payload(notice)
            try:
                with self._lock, Path(path).open("a", encoding="utf-8") as handle:
                    handle.write(json.dumps(record, ensure_ascii=False) + "\n")
            except OSError as exc:
                raise DeliveryError(f"无法写入 {path}: {exc}", retryable=False) from None
