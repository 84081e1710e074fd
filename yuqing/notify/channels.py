"""Delivery channels: one small class per channel type, registered by name, configured in YAML.

A channel type declares ``options`` (a ``yuqing.config`` schema for its entry in
``config/notify.yaml``) and implements ``send(notice, recipients)``; a failed send raises
:class:`DeliveryError` saying whether another attempt may help. Secrets are either written in
the file or, better, named by ``<option>_env`` (e.g. ``secret_env: DINGTALK_SECRET``).
"""

from __future__ import annotations

import json
import logging
import os
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Mapping
from typing import Any, ClassVar

from yuqing.config import Field
from yuqing.notify.notice import Notice

LOGGER = logging.getLogger(__name__)

USER_AGENT = "yuqing-notify/1"


class DeliveryError(Exception):
    """One failed attempt; ``retryable`` says whether trying again later may succeed."""

    def __init__(self, message: str, *, retryable: bool = True) -> None:
        super().__init__(message)
        self.retryable = retryable


CHANNEL_TYPES: dict[str, type[Channel]] = {}


def register_channel(cls: type[Channel]) -> type[Channel]:
    """Class decorator: make a channel type available under ``cls.type_name``."""
    CHANNEL_TYPES[cls.type_name] = cls
    return cls


COMMON_OPTIONS = {
    "type": Field(str, required=True, help="通道类型"),
    "enabled": Field(bool, default=True, help="false 时不发送"),
    "description": Field(str, default="", help="说明"),
}


class Channel:
    """A named destination. Subclasses set ``type_name``, ``options``, ``secrets`` and ``send``."""

    type_name: ClassVar[str] = ""
    label: ClassVar[str] = ""
    options: ClassVar[Mapping[str, Field]] = {}
    secrets: ClassVar[tuple[str, ...]] = ()  # options that may be given as <option>_env instead
    takes_recipients: ClassVar[bool] = False  # email: per-unit addresses are added

    def __init__(self, name: str, config: Mapping[str, Any], *, timeout: float = 10.0) -> None:
        self.name = name
        self.config = dict(config)
        self.enabled = bool(config.get("enabled", True))
        self.timeout = timeout
        self.problem: str | None = None  # set when a referenced environment variable is missing
        for option in self.secrets:
            env = config.get(f"{option}_env")
            if env and not config.get(option):
                value = os.environ.get(env)
                if value:
                    self.config[option] = value
                else:
                    self.problem = f"环境变量 {env} 未设置（通道 {name} 的 {option}）"
        self.setup()

    @classmethod
    def schema(cls) -> dict[str, Field]:
        schema = {**COMMON_OPTIONS, **cls.options}
        for option in cls.secrets:
            schema[f"{option}_env"] = Field(str, help=f"从该环境变量读取 {option}")
        return schema

    @classmethod
    def check_config(cls, config: Mapping[str, Any]) -> str | None:
        """An error text for options that are wrong together (e.g. a secret given neither way)."""
        return None

    def setup(self) -> None:
        """Prepare derived settings once the config is resolved."""

    def send(self, notice: Notice, recipients: list[str] | None = None) -> None:
        raise NotImplementedError

    def describe(self) -> str:
        return f"{self.name}（{self.label or self.type_name}）"


def requires_one_of(config: Mapping[str, Any], option: str) -> str | None:
    if not config.get(option) and not config.get(f"{option}_env"):
        return f"缺少 {option} 或 {option}_env"
    return None


def post_json(
    url: str,
    payload: Any,
    *,
    timeout: float,
    headers: Mapping[str, str] | None = None,
    body: bytes | None = None,
) -> tuple[int, Any]:
    """POST JSON; return (status, parsed JSON body or None). Raises DeliveryError on transport
    failures and on HTTP errors (5xx, 408 and 429 retryable; other 4xx not)."""
    data = body if body is not None else json.dumps(payload, ensure_ascii=False).encode("utf-8")
    request = urllib.request.Request(url, data=data, method="POST")
    request.add_header("Content-Type", "application/json; charset=utf-8")
    request.add_header("User-Agent", USER_AGENT)
    for key, value in (headers or {}).items():
        request.add_header(key, value)
    try:
        with urllib.request.urlopen(request, timeout=timeout) as response:
            status = response.status
            raw = response.read()
    except urllib.error.HTTPError as exc:
        detail = exc.read()[:200].decode("utf-8", "replace").strip()
        retryable = exc.code >= 500 or exc.code in (408, 429)
        raise DeliveryError(
            f"HTTP {exc.code}" + (f": {detail}" if detail else ""), retryable=retryable
        ) from None
    except urllib.error.URLError as exc:
        raise DeliveryError(f"无法连接 {_host(url)}: {exc.reason}") from None
    except TimeoutError:
        raise DeliveryError(f"连接 {_host(url)} 超时（{timeout:g} 秒）") from None
    except OSError as exc:
        raise DeliveryError(f"连接 {_host(url)} 失败: {exc}") from None
    if not raw.strip():
        return status, None
    try:
        return status, json.loads(raw)
    except (json.JSONDecodeError, UnicodeDecodeError):
        return status, None


def _host(url: str) -> str:
    return urllib.parse.urlsplit(url).netloc or url
