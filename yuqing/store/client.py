"""Connecting to Elasticsearch, with errors a user can act on."""

from __future__ import annotations

import logging
from contextlib import contextmanager

import elasticsearch
from elasticsearch import Elasticsearch

from yuqing import settings
from yuqing.errors import StoreError

LOGGER = logging.getLogger(__name__)


def local_url() -> str:
    return f"http://127.0.0.1:{settings.get('YUQING_ES_PORT') or 9200}"


def make_client(url: str | None = None, *, username: str | None = None, password: str | None = None,
                api_key: str | None = None, ca_certs: str | None = None, timeout: float = 30) -> Elasticsearch:
    """A client for ``url`` (default: ES_URL, else the local node), credentials from arguments or env."""
    url = url or settings.get("ES_URL") or local_url()
    username = username if username is not None else settings.get("ES_USERNAME")
    password = password if password is not None else settings.get("ES_PASSWORD")
    api_key = api_key if api_key is not None else settings.get("ES_API_KEY")
    ca_certs = ca_certs if ca_certs is not None else settings.get("ES_CA_CERTS")
    options: dict = {"request_timeout": timeout, "retry_on_timeout": True, "max_retries": 2}
    if api_key:
        options["api_key"] = api_key
    elif username:
        options["basic_auth"] = (username, password or "")
    if ca_certs:
        options["ca_certs"] = ca_certs
    return Elasticsearch(url, **options)


@contextmanager
def translate_errors(url: str):
    """Turn the client's exceptions into StoreError with a hint."""
    try:
        yield
    except elasticsearch.AuthenticationException:
        raise StoreError(
            f"Elasticsearch 认证失败（{url}）：用户名/密码或 API key 不正确",
            hint="检查 ES_USERNAME / ES_PASSWORD 或 ES_API_KEY",
        ) from None
    except elasticsearch.AuthorizationException as exc:
        raise StoreError(f"Elasticsearch 拒绝了请求（{url}）：权限不足 — {_reason(exc)}",
                         hint="给该用户授予索引的读写与管理权限") from None
    except elasticsearch.SSLError as exc:
        raise StoreError(f"与 Elasticsearch 的 TLS 连接失败（{url}）：{exc}",
                         hint="用 ES_CA_CERTS 指定集群证书的 CA 文件") from None
    except elasticsearch.ConnectionError as exc:
        local = not settings.get("ES_URL")
        raise StoreError(
            f"无法连接 Elasticsearch（{url}）：{_short(exc)}",
            hint="先运行 `yuqing es start` 启动本地节点" if local else "检查 ES_URL 与网络",
        ) from None
    except elasticsearch.ConnectionTimeout:
        raise StoreError(f"连接 Elasticsearch 超时（{url}）", hint="集群负载过高或地址有误") from None


def _reason(exc: elasticsearch.ApiError) -> str:
    try:
        return exc.body["error"]["reason"]
    except (TypeError, KeyError):
        return str(exc)


def _short(exc: Exception) -> str:
    text = str(exc)
    if "Connection refused" in text:
        return "连接被拒绝（该地址没有 Elasticsearch 在监听）"
    if "Name or service not known" in text or "nodename nor servname" in text:
        return "主机名无法解析"
    return text if len(text) < 200 else text[:200] + "…"
