"""Settings read from the environment, with defaults and help text (documented in the README).

Every setting the program reads is declared in SETTINGS; a test checks the README documents each one.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path


@dataclass(frozen=True)
class Setting:
    name: str
    default: str | None
    help: str


SETTINGS = {
    s.name: s
    for s in [
        Setting("ES_URL", None, "已有 Elasticsearch 集群的地址；设置后不再管理本地节点"),
        Setting("ES_USERNAME", None, "集群用户名（与 ES_PASSWORD 一起使用）"),
        Setting("ES_PASSWORD", None, "集群密码"),
        Setting("ES_API_KEY", None, "集群 API key（代替用户名/密码）"),
        Setting("ES_CA_CERTS", None, "集群 TLS 证书的 CA 文件路径"),
        Setting("YUQING_ES_PORT", "9200", "本地节点的 HTTP 端口（127.0.0.1）"),
        Setting("YUQING_ES_VERSION", "8.19.9", "本地节点的 Elasticsearch 版本（8.19.x）"),
        Setting("YUQING_ES_HEAP", "512m", "本地节点的 JVM 堆大小"),
        Setting("YUQING_DATA_DIR", None, "本地数据目录（节点数据、日志、落盘缓冲）；默认 root 为 /var/lib/yuqing，"
                "其他用户为 ~/.local/share/yuqing"),
        Setting("YUQING_CACHE_DIR", None, "下载缓存目录（Elasticsearch 发行包）；默认 root 为 /var/cache/yuqing，"
                "其他用户为 ~/.cache/yuqing"),
        Setting("YUQING_INDEX_PREFIX", "yuqing", "索引、别名与模板名的前缀"),
        Setting("YUQING_ES_SHARDS", "1", "新建索引的主分片数（写入索引模板）"),
        Setting("YUQING_ES_REPLICAS", "0", "新建索引的副本数（单节点为 0，集群可设 1）"),
        Setting("YUQING_CLOCK", None, "模拟时钟（演示用，所有进程共用）：start=ISO时间;anchor=UNIX秒;speed=倍数"),
        Setting("YUQING_CHROMIUM", "/usr/bin/chromium", "生成 PDF 报告用的 Chromium"),
        Setting("YUQING_NEW_PASSWORD", None, "yuqing users add/passwd 非交互设置密码"),
        Setting("ES_JAVA_HOME", None, "运行 Elasticsearch 的 JDK（≥17）；默认自动查找"),
    ]
}


def get(name: str) -> str | None:
    value = os.environ.get(name)
    if value is None or value == "":
        return SETTINGS[name].default
    return value


def is_root() -> bool:
    return hasattr(os, "geteuid") and os.geteuid() == 0


def data_dir() -> Path:
    explicit = get("YUQING_DATA_DIR")
    if explicit:
        return Path(explicit).expanduser()
    if is_root():
        return Path("/var/lib/yuqing")
    base = os.environ.get("XDG_DATA_HOME") or "~/.local/share"
    return Path(base).expanduser() / "yuqing"


def cache_dir() -> Path:
    explicit = get("YUQING_CACHE_DIR")
    if explicit:
        return Path(explicit).expanduser()
    if is_root():
        return Path("/var/cache/yuqing")
    base = os.environ.get("XDG_CACHE_HOME") or "~/.cache"
    return Path(base).expanduser() / "yuqing"


def index_prefix() -> str:
    return get("YUQING_INDEX_PREFIX") or "yuqing"
