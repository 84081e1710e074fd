"""``config/notify.yaml``: channels, routes (which notice kinds and levels go where), recipients per
owner unit, and the retry policy. Validated with ``yuqing.config``; errors name file:line."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from yuqing.config import Field, LocatedDict, Where, located, read_yaml, validate
from yuqing.errors import ConfigError
from yuqing.notify import mail, robots  # noqa: F401  (registers the channel types)
from yuqing.notify.channels import CHANNEL_TYPES, Channel
from yuqing.notify.mail import check_address
from yuqing.notify.notice import KINDS, Notice, level_rank, normalise_level

PROJECT_ROOT = Path(__file__).resolve().parents[2]
DEFAULT_PATH = PROJECT_ROOT / "config" / "notify.yaml"


def _check_level(value: Any) -> str | None:
    return None if normalise_level(value) else f"无效的级别 {value!r}（可用: Ⅰ Ⅱ Ⅲ Ⅳ、I–IV、1–4 或 红橙黄蓝）"


def _check_kinds(values: list) -> str | None:
    bad = [v for v in values if v not in KINDS]
    return f"未知的通知类型 {bad[0]!r}（可选: {'、'.join(KINDS)}）" if bad else None


def _positive(value: float) -> str | None:
    return None if value > 0 else "应大于 0"


def _at_least_one(value: int) -> str | None:
    return None if value >= 1 else "至少为 1"


def _non_negative(value: float) -> str | None:
    return None if value >= 0 else "不能为负数"


RETRY_SCHEMA = {
    "attempts": Field(int, default=4, check=_at_least_one, help="每个通道最多尝试次数（含第一次）"),
    "backoff_seconds": Field(float, default=30.0, check=_non_negative, help="第一次重试前等待的秒数"),
    "backoff_factor": Field(float, default=2.0, check=_positive, help="每次重试等待时间的倍数（指数退避）"),
    "max_backoff_seconds": Field(float, default=900.0, check=_non_negative, help="单次等待的上限"),
    "timeout_seconds": Field(float, default=10.0, check=_positive, help="单次连接/请求的超时"),
}

ROUTE_SCHEMA = {
    "channels": Field(list, required=True, item=str, help="发往的通道名"),
    "kinds": Field(list, item=str, default=list(KINDS), check=_check_kinds, help="通知类型"),
    "min_level": Field(
        (str, int), default="Ⅳ", check=_check_level, help="最低级别（含）；简报无级别，总是通过"
    ),
    "units": Field(list, item=str, default=[], help="只发该责任单位的通知；空表示全部"),
    "recipients": Field(list, item=str, default=[], help="加到本路由邮件通道的收件人（如日报的领导名单）"),
}

UNIT_SCHEMA = {
    "emails": Field(list, item=str, default=[], help="该单位的收件邮箱（加到所发往的邮件通道）"),
    "channels": Field(
        list, item=str, default=[], help="该单位的通知另外发往的通道（如本单位的工作群机器人）"
    ),
    "kinds": Field(list, item=str, default=list(KINDS), check=_check_kinds, help="通知类型"),
    "min_level": Field((str, int), default="Ⅳ", check=_check_level, help="最低级别（含）"),
}

FILE_SCHEMA = {
    "base_url": Field(str, default="http://127.0.0.1:8050", help="看板地址，用于通知中的详情链接"),
    "retry": Field(dict, schema=RETRY_SCHEMA, default=dict, help="重试策略"),
    "workers": Field(int, default=2, check=_at_least_one, help="后台发送线程数"),
    "queue_size": Field(int, default=1000, check=_at_least_one, help="待发送队列上限；满时立即报告失败"),
    "channels": Field(dict, default=dict, extra_keys=True, help="通道：名称 -> 配置"),
    "routes": Field(list, default=list, help="路由：哪些类型和级别的通知发往哪些通道"),
    "units": Field(dict, default=dict, extra_keys=True, help="责任单位：名称 -> 收件人与通道"),
}


@dataclass(frozen=True)
class RetryPolicy:
    attempts: int = 4
    backoff_seconds: float = 30.0
    backoff_factor: float = 2.0
    max_backoff_seconds: float = 900.0
    timeout_seconds: float = 10.0

    def delay(self, attempt: int) -> float:
        """Seconds to wait after failed attempt number ``attempt`` (1-based): exponential, capped."""
        return min(self.backoff_seconds * self.backoff_factor ** (attempt - 1), self.max_backoff_seconds)


@dataclass(frozen=True)
class Route:
    channels: tuple[str, ...]
    kinds: tuple[str, ...] = KINDS
    min_rank: int = 4
    units: tuple[str, ...] = ()
    recipients: tuple[str, ...] = ()

    def accepts(self, notice: Notice) -> bool:
        if notice.kind not in self.kinds:
            return False
        if self.units and notice.unit not in self.units:
            return False
        rank = notice.level_rank
        return rank is None or rank <= self.min_rank


@dataclass(frozen=True)
class Unit:
    name: str
    emails: tuple[str, ...] = ()
    route: Route = field(default_factory=lambda: Route(()))


@dataclass
class NotifyConfig:
    path: str
    base_url: str
    retry: RetryPolicy
    workers: int
    queue_size: int
    channels: dict[str, Channel]
    routes: list[Route]
    units: dict[str, Unit]

    def plan(self, notice: Notice) -> list[tuple[str, list[str]]]:
        """(channel name, extra recipients) for each enabled channel this notice goes to, in file order.

        Extra recipients (email channels only) are those of the matching routes plus the owner unit's."""
        extra: dict[str, list[str]] = {}
        for route in self.routes:
            if route.accepts(notice):
                for name in route.channels:
                    extra.setdefault(name, []).extend(route.recipients)
        unit = self.units.get(notice.unit or "")
        if unit is not None and unit.route.accepts(notice):
            for name in unit.route.channels:
                extra.setdefault(name, [])
        emails = list(unit.emails) if unit is not None else []
        return [
            (name, list(dict.fromkeys(extra[name] + emails)) if channel.takes_recipients else [])
            for name, channel in self.channels.items()
            if name in extra and channel.enabled
        ]


def load_config(path: str | Path = DEFAULT_PATH, text: str | None = None) -> NotifyConfig:
    """Read and validate the notification settings; raises ConfigError naming file:line.

    A relative path that does not exist from the working directory is taken from the project root
    (so the default ``config/notify.yaml`` works from anywhere)."""
    if text is None and not Path(path).is_absolute() and not Path(path).exists():
        if (PROJECT_ROOT / path).exists():
            path = PROJECT_ROOT / path
    name = str(path)
    data = read_yaml(path, text)
    if data is None:
        data = LocatedDict()
        data.line, data.key_lines = 1, {}
    top = validate(data, FILE_SCHEMA, Where(name, getattr(data, "line", 1) or 1))
    retry = RetryPolicy(**top["retry"])
    channels = _channels(data, name, retry)
    routes = _routes(data, name, channels)
    units = _units(data, name, channels)
    return NotifyConfig(
        name, top["base_url"], retry, top["workers"], top["queue_size"], channels, routes, units
    )


def _section(data: Any, key: str, name: str) -> tuple[Any, Where]:
    raw = data.get(key) if isinstance(data, dict) else None
    line_of = getattr(data, "line_of", lambda _k: 1)
    return raw, Where(name, line_of(key), key)


def _channels(data: Any, name: str, retry: RetryPolicy) -> dict[str, Channel]:
    raw, base = _section(data, "channels", name)
    channels: dict[str, Channel] = {}
    if not raw:
        return channels
    _line, line_of = located(raw)
    for key, entry in raw.items():
        where = base.child(str(key), line_of(key))
        _check_name(key, where)
        if not isinstance(entry, dict):
            raise where.error(f"应为映射（通道配置），实际是 {entry!r}")
        kind = entry.get("type")
        entry_line_of = getattr(entry, "line_of", lambda _k, line=where.line: line)
        if not isinstance(kind, str) or kind not in CHANNEL_TYPES:
            label = "缺少 type" if kind is None else f"未知的通道类型 {kind!r}"
            raise where.child("type", entry_line_of("type")).error(
                f"{label}（可选: {'、'.join(CHANNEL_TYPES)}）"
            )
        cls = CHANNEL_TYPES[kind]
        config = validate(entry, cls.schema(), where)
        problem = cls.check_config(config)
        if problem:
            raise where.error(problem)
        channels[str(key)] = cls(str(key), config, timeout=retry.timeout_seconds)
        if kind == "log" and config.get("path") and not Path(config["path"]).is_absolute():
            channels[str(key)].config["path"] = str(PROJECT_ROOT / config["path"])
    return channels


def _check_name(key: Any, where: Where) -> None:
    if not isinstance(key, str):
        raise where.error(f"名称应为字符串，实际是 {key!r}（YAML 把 on/off/yes/no 读作布尔值，请加引号）")


def _check_names(values: Any, where: Where, channels: dict[str, Channel]) -> None:
    _line, line_of = located(values)
    for index, value in enumerate(values or []):
        if value not in channels:
            known = "、".join(channels) or "（未配置任何通道）"
            raise where.child(index, line_of(index)).error(f"未定义的通道 {value!r}（已定义: {known}）")


def _check_addresses(values: Any, where: Where) -> None:
    _line, line_of = located(values)
    for index, value in enumerate(values or []):
        problem = check_address(value)
        if problem:
            raise where.child(index, line_of(index)).error(problem)


def _routes(data: Any, name: str, channels: dict[str, Channel]) -> list[Route]:
    raw, base = _section(data, "routes", name)
    routes = []
    _line, line_of = located(raw)
    for index, entry in enumerate(raw or []):
        where = base.child(index, line_of(index))
        spec = validate(entry, ROUTE_SCHEMA, where)
        entry_line_of = getattr(entry, "line_of", lambda _k, line=where.line: line)
        _check_names(entry.get("channels"), where.child("channels", entry_line_of("channels")), channels)
        _check_addresses(entry.get("recipients"), where.child("recipients", entry_line_of("recipients")))
        routes.append(
            Route(
                tuple(spec["channels"]),
                tuple(spec["kinds"]),
                level_rank(spec["min_level"]) or 4,
                tuple(spec["units"]),
                tuple(spec["recipients"]),
            )
        )
    return routes


def _units(data: Any, name: str, channels: dict[str, Channel]) -> dict[str, Unit]:
    raw, base = _section(data, "units", name)
    units: dict[str, Unit] = {}
    _line, line_of = located(raw)
    for key, entry in (raw or {}).items():
        where = base.child(str(key), line_of(key))
        _check_name(key, where)
        spec = validate(entry if entry is not None else {}, UNIT_SCHEMA, where)
        entry_line_of = getattr(entry, "line_of", lambda _k, line=where.line: line)
        _check_names(
            entry.get("channels") if entry else None,
            where.child("channels", entry_line_of("channels")),
            channels,
        )
        _check_addresses(
            entry.get("emails") if entry else None, where.child("emails", entry_line_of("emails"))
        )
        route = Route(tuple(spec["channels"]), tuple(spec["kinds"]), level_rank(spec["min_level"]) or 4)
        units[str(key)] = Unit(str(key), tuple(spec["emails"]), route)
    return units


__all__ = ["DEFAULT_PATH", "NotifyConfig", "RetryPolicy", "Route", "Unit", "load_config", "ConfigError"]
