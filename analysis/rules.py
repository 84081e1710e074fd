"""Monitoring schemes (监测方案) and alert rules, ElastAlert-like, over event statistics.

A scheme is a boolean keyword expression (``analysis.expr``) restricted by category, region,
source, media level, platform or sentiment: a ``Criteria``. It is evaluated on posts in Python
(``Criteria.matches``) and as an Elasticsearch filter (``Criteria.to_es``) — the engine counts
matching posts per event in Elasticsearch, tests count them in Python; both fill
``EventStats.filter_hits`` under the same name.

Alert rules are small classes registered by type name (``RULE_TYPES``), each declaring its required
and optional options; ``config/rules.yaml`` is validated with ``yuqing.config`` (file:line errors).
Each rule that fires proposes a level; the event's level follows ``LevelPolicy`` (documented in
config/rules.yaml): the most severe proposed level, raised one step when ``escalate_after`` rules
fire together (never above ``escalate_max``). 舆情 levels are practice, not law.
Whether the event needs a response: its level is at least ``respond_from``; whether it is a
突发事件 (5 h / 24 h clocks at Ⅰ/Ⅱ instead of 48 h): a fired rule says ``incident: true``.
Levels below ``push_from`` go to the daily digest instead of being pushed.
"""

from __future__ import annotations

import math
import os
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any, ClassVar, Mapping

from analysis.clocks import parse_duration
from analysis.events import NEGATIVE, EventStats
from analysis.expr import ExprError, Matcher, compile_expr, to_es_query
from yuqing.config import Field, LocatedDict, Where, check_value, located, read_yaml, validate
from yuqing.errors import ConfigError

PROJECT_ROOT = Path(__file__).resolve().parents[1]
RULES_PATH = PROJECT_ROOT / "config" / "rules.yaml"
SCHEMES_PATH = PROJECT_ROOT / "config" / "schemes.yaml"

LEVELS = ("Ⅰ", "Ⅱ", "Ⅲ", "Ⅳ")
LEVEL_RANK = {lv: i + 1 for i, lv in enumerate(LEVELS)}
LEVEL_COLOURS = {"Ⅰ": "红", "Ⅱ": "橙", "Ⅲ": "黄", "Ⅳ": "蓝"}
LEVEL_ALIASES = {"I": "Ⅰ", "II": "Ⅱ", "III": "Ⅲ", "IV": "Ⅳ", "1": "Ⅰ", "2": "Ⅱ", "3": "Ⅲ", "4": "Ⅳ",
                 "红": "Ⅰ", "橙": "Ⅱ", "黄": "Ⅲ", "蓝": "Ⅳ"}
MEDIA_LEVELS = ("中央", "省级", "市级", "行业", "商业", "自媒体")
SENTIMENTS = ("pos", "neu", "neg")
TEXT_FIELDS = ("title", "content")


def level_key(value: Any) -> str:
    text = str(value).strip()
    return text if text in LEVEL_RANK else LEVEL_ALIASES.get(text, text)


def _check_level(value: Any) -> str | None:
    return None if level_key(value) in LEVEL_RANK else f"未知的级别 {value!r}（可用: Ⅰ Ⅱ Ⅲ Ⅳ，或 I–IV、1–4、红橙黄蓝）"


def _check_expr(value: str) -> str | None:
    try:
        compile_expr(value)
    except ExprError as exc:
        return f"表达式错误: {exc}"
    return None


def _check_duration(value: str) -> str | None:
    try:
        parse_duration(value)
    except Exception as exc:  # noqa: BLE001 - the message is the error text
        return str(exc)
    return None


def _check_positive(value: float) -> str | None:
    return None if value > 0 else f"应为正数，实际是 {value}"


def _check_share(value: float) -> str | None:
    return None if 0 <= value <= 1 else f"应在 0 到 1 之间，实际是 {value}"


def _check_choices(choices: tuple) -> Any:
    def check(values: list) -> str | None:
        bad = [v for v in values if v not in choices]
        return f"未知的取值 {bad[0]!r}（可选: {'、'.join(choices)}）" if bad else None
    return check


# --- criteria and schemes ----------------------------------------------------------------------------
CRITERIA_FIELDS: dict[str, Field] = {
    "expression": Field(str, check=_check_expr, help="关键词表达式（与分类相同的语法）"),
    "categories": Field(list, default=[], item=str, help="限定分类（任一）"),
    "regions": Field(list, default=[], item=str, help="限定地域 region.path 前缀，如 天津市/河西区"),
    "sources": Field(list, default=[], item=str, help="限定来源（任一）"),
    "media_levels": Field(list, default=[], item=str, check=_check_choices(MEDIA_LEVELS), help="限定媒体级别"),
    "platforms": Field(list, default=[], item=str, help="限定平台：新闻、留言板、社交媒体"),
    "sentiment": Field(list, default=[], item=str, check=_check_choices(SENTIMENTS), help="限定情感：pos/neu/neg"),
}


@dataclass(frozen=True)
class Criteria:
    """Which posts count: an optional expression plus restrictions (all must hold; lists mean any of)."""

    expression: str | None = None
    categories: tuple[str, ...] = ()
    regions: tuple[str, ...] = ()
    sources: tuple[str, ...] = ()
    media_levels: tuple[str, ...] = ()
    platforms: tuple[str, ...] = ()
    sentiment: tuple[str, ...] = ()
    matcher: Matcher | None = field(default=None, compare=False, repr=False)

    @classmethod
    def from_config(cls, raw: Mapping) -> "Criteria":
        expression = raw.get("expression")
        return cls(expression, *(tuple(raw.get(k) or ()) for k in
                                 ("categories", "regions", "sources", "media_levels", "platforms", "sentiment")),
                   matcher=compile_expr(expression) if expression else None)

    def matches(self, post: Mapping) -> bool:
        if self.categories and not set(self.categories) & set(post.get("categories") or []):
            return False
        region = post.get("region") if isinstance(post.get("region"), Mapping) else {}
        if self.regions and not any(str(region.get("path") or "").startswith(r) for r in self.regions):
            return False
        for name, allowed in (("source", self.sources), ("media_level", self.media_levels),
                              ("platform", self.platforms)):
            if allowed and post.get(name) not in allowed:
                return False
        if self.sentiment and (post.get("sentiment") or {}).get("label") not in self.sentiment:
            return False
        if self.matcher is not None:
            text = f"{post.get('title') or ''}\n{post.get('content') or ''}"
            return bool(self.matcher.match(text))
        return True

    def __call__(self, post: Mapping) -> bool:
        return self.matches(post)

    def to_es(self) -> dict:
        """The same test as an Elasticsearch filter on the posts index."""
        clauses: list[dict] = []
        for fld, values in (("categories", self.categories), ("source", self.sources),
                            ("media_level", self.media_levels), ("platform", self.platforms),
                            ("sentiment.label", self.sentiment)):
            if values:
                clauses.append({"terms": {fld: list(values)}})
        if self.regions:
            clauses.append({"bool": {"should": [{"prefix": {"region.path": r}} for r in self.regions],
                                     "minimum_should_match": 1}})
        if self.matcher is not None:
            clauses.append(to_es_query(self.matcher, list(TEXT_FIELDS)))
        return {"bool": {"filter": clauses}} if clauses else {"match_all": {}}


@dataclass(frozen=True)
class Scheme:
    """A monitoring scheme (监测方案): a named Criteria with a description."""

    name: str
    criteria: Criteria
    description: str = ""


SCHEME_SCHEMA = {"name": Field(str, required=True, help="方案名称（唯一）"),
                 "description": Field(str, default=""),
                 **{k: v for k, v in CRITERIA_FIELDS.items() if k != "expression"},
                 "expression": Field(str, required=True, check=_check_expr, help="关键词表达式")}
SCHEMES_FILE_SCHEMA = {"version": Field(int, default=1), "schemes": Field(list, default=[], item=SCHEME_SCHEMA)}


def load_schemes(path: str | os.PathLike = SCHEMES_PATH, text: str | None = None) -> dict[str, Scheme]:
    """Read config/schemes.yaml; ConfigError naming file:line on any problem."""
    raw = read_yaml(path, text)
    where = Where(str(path), getattr(raw, "line", 1) or 1)
    data = validate(raw if raw is not None else {}, SCHEMES_FILE_SCHEMA, where)
    _line, line_of = located(raw.get("schemes") if isinstance(raw, LocatedDict) else None)
    schemes: dict[str, Scheme] = {}
    for index, item in enumerate(data["schemes"]):
        if item["name"] in schemes:
            raise Where(str(path), line_of(index), f"schemes[{index}]").error(f"方案名称重复: {item['name']}")
        schemes[item["name"]] = Scheme(item["name"], Criteria.from_config(item), item["description"])
    return schemes


# --- rules ------------------------------------------------------------------------------------------
@dataclass(frozen=True)
class Firing:
    """A rule that fired on an event: its proposed level and why."""

    rule: str
    level: str
    incident: bool
    reason: str
    schemes: tuple[str, ...] = ()


class Rule:
    """Base class: subclasses set ``type_name``, ``required_options`` and ``optional_options``."""

    type_name: ClassVar[str] = ""
    description: ClassVar[str] = ""
    required_options: ClassVar[dict[str, Field]] = {}
    optional_options: ClassVar[dict[str, Field]] = {}

    def __init__(self, name: str, level: str, incident: bool, options: dict, schemes: Mapping[str, Scheme]) -> None:
        self.name = name
        self.level = level_key(level)
        self.incident = incident
        self.options = options
        self.schemes = schemes
        self.setup()

    def setup(self) -> None:
        """Check options that need more than a type test; raise ValueError with a Chinese message."""

    def filters(self) -> dict[str, Criteria]:
        """Named post filters whose per-event counts this rule reads from ``EventStats.filter_hits``."""
        return {}

    def evaluate(self, stats: EventStats, now: datetime) -> Firing | None:
        raise NotImplementedError

    def fire(self, reason: str, schemes: tuple[str, ...] = ()) -> Firing:
        return Firing(self.name, self.level, self.incident, reason, schemes)

    @classmethod
    def schema(cls) -> dict[str, Field]:
        required = {k: Field(f.type, required=True, help=f.help, check=f.check, item=f.item, schema=f.schema)
                    for k, f in cls.required_options.items()}
        return {**required, **cls.optional_options}


RULE_TYPES: dict[str, type[Rule]] = {}


def register(cls: type[Rule]) -> type[Rule]:
    RULE_TYPES[cls.type_name] = cls
    return cls


def duration_text(delta: timedelta) -> str:
    """A rule window in Chinese for alert reasons: 1天、12小时、1天6小时、30分钟."""
    days, rest = delta.days, delta.seconds
    hours, minutes = rest // 3600, rest % 3600 // 60
    parts = [f"{days}天" if days else "", f"{hours}小时" if hours else "", f"{minutes}分钟" if minutes else ""]
    return "".join(parts) or "0分钟"


_MIN_EVENT_POSTS = {"min_event_posts": Field(int, default=1, help="事件至少有多少条帖子才评估此规则")}


@register
class SchemeMatch(Rule):
    type_name = "scheme_match"
    description = "事件中命中监测方案的帖子数达到阈值"
    required_options = {"scheme": Field(str, help="监测方案名称（config/schemes.yaml）")}
    optional_options = {"min_posts": Field(int, default=1, check=_check_positive, help="至少命中的帖子数"),
                        **_MIN_EVENT_POSTS}

    def setup(self) -> None:
        if self.options["scheme"] not in self.schemes:
            raise ValueError(f"未知的监测方案 {self.options['scheme']!r}（可用: {'、'.join(self.schemes) or '无'}）")

    def filters(self) -> dict[str, Criteria]:
        return {f"scheme:{self.options['scheme']}": self.schemes[self.options["scheme"]].criteria}

    def evaluate(self, stats: EventStats, now: datetime) -> Firing | None:
        scheme = self.options["scheme"]
        hits = stats.filter_hits.get(f"scheme:{scheme}", 0)
        if stats.post_count >= self.options["min_event_posts"] and hits >= self.options["min_posts"]:
            return self.fire(f"命中监测方案「{scheme}」{hits} 条", (scheme,))
        return None


@register
class VolumeSpike(Rule):
    type_name = "volume_spike"
    description = "最近时段的帖子数相对此前参照时段的平均水平激增"
    required_options = {"window": Field(str, check=_check_duration, help="当前时段，如 1h、1d"),
                        "reference": Field(str, check=_check_duration, help="参照时段，如 12h、14d")}
    optional_options = {"ratio": Field(float, default=3.0, check=_check_positive, help="当前/参照平均的倍数"),
                        "min_count": Field(int, default=10, check=_check_positive, help="当前时段至少多少条"),
                        **_MIN_EVENT_POSTS}

    def setup(self) -> None:
        self.window = parse_duration(self.options["window"])
        self.reference = parse_duration(self.options["reference"])
        if self.window < timedelta(hours=1) or self.reference < self.window:
            raise ValueError("window 至少 1h，reference 不能短于 window")

    def evaluate(self, stats: EventStats, now: datetime) -> Firing | None:
        if stats.post_count < self.options["min_event_posts"]:
            return None
        current, baseline = spike_counts(stats, now, self.window, self.reference)
        if current >= self.options["min_count"] and current >= self.options["ratio"] * baseline:
            return self.fire(f"最近{duration_text(self.window)} {current} 条，"
                             f"参照期（此前{duration_text(self.reference)}）平均每{duration_text(self.window)} {baseline:.1f} 条")
        return None


def spike_counts(stats: EventStats, now: datetime, window: timedelta, reference: timedelta,
                 negative: bool = False) -> tuple[int, float]:
    """(posts in the window ending at ``now``, average per window over the reference period before it)."""
    end = now + timedelta(microseconds=1)
    current = stats.count_between(end - window, end, negative)
    before = stats.count_between(end - window - reference, end - window, negative)
    return current, before / (reference / window)


@register
class NegativeSurge(Rule):
    type_name = "negative_surge"
    description = "最近时段负面占比高且明显高于此前"
    required_options = {"window": Field(str, check=_check_duration, help="当前时段，如 1d")}
    optional_options = {"min_share": Field(float, default=0.6, check=_check_share, help="当前时段负面占比下限"),
                        "rise": Field(float, default=0.2, check=_check_share, help="比此前负面占比至少高出多少"),
                        "min_posts": Field(int, default=10, check=_check_positive, help="当前时段至少多少条"),
                        **_MIN_EVENT_POSTS}

    def setup(self) -> None:
        self.window = parse_duration(self.options["window"])

    def evaluate(self, stats: EventStats, now: datetime) -> Firing | None:
        if stats.post_count < self.options["min_event_posts"]:
            return None
        end = now + timedelta(microseconds=1)
        total = stats.count_between(end - self.window, end)
        negative = stats.count_between(end - self.window, end, negative=True)
        if total < self.options["min_posts"]:
            return None
        share = negative / total
        before_total = stats.count_between(datetime.min.replace(tzinfo=now.tzinfo), end - self.window)
        before_neg = stats.count_between(datetime.min.replace(tzinfo=now.tzinfo), end - self.window, negative=True)
        before_share = before_neg / before_total if before_total else 0.0
        if share >= self.options["min_share"] and share - before_share >= self.options["rise"]:
            before = f"此前 {before_share:.0%}" if before_total else "此前无信息"
            return self.fire(f"最近{duration_text(self.window)}负面占比 {share:.0%}（{before}）")
        return None


@register
class MediaCoverage(Rule):
    type_name = "media_coverage"
    description = "中央或省级媒体报道"
    required_options = {"media_levels": Field(list, item=str, check=_check_choices(MEDIA_LEVELS),
                                              help="媒体级别，如 [中央, 省级]")}
    optional_options = {"platforms": Field(list, default=["新闻"], item=str, help="平台（默认只算新闻）"),
                        "sentiment": Field(list, default=[], item=str, check=_check_choices(SENTIMENTS),
                                           help="只算这些情感的报道，如 [neg]"),
                        "min_posts": Field(int, default=1, check=_check_positive, help="至少多少篇报道"),
                        **_MIN_EVENT_POSTS}

    def filters(self) -> dict[str, Criteria]:
        return {f"rule:{self.name}": Criteria(media_levels=tuple(self.options["media_levels"]),
                                              platforms=tuple(self.options["platforms"]),
                                              sentiment=tuple(self.options["sentiment"]))}

    def evaluate(self, stats: EventStats, now: datetime) -> Firing | None:
        hits = stats.filter_hits.get(f"rule:{self.name}", 0)
        if stats.post_count >= self.options["min_event_posts"] and hits >= self.options["min_posts"]:
            return self.fire(f"{'/'.join(self.options['media_levels'])}媒体报道 {hits} 篇")
        return None


@register
class IncidentLexicon(Rule):
    type_name = "incident_lexicon"
    description = "重大事件词表（伤亡、中毒、爆炸、坍塌、被困……）"
    required_options = {"terms": Field(list, item=str, help="词表，命中任一词即计数")}
    optional_options = {"exclude": Field(list, default=[], item=str, help="排除词（如 煤气中毒 之外的语境）"),
                        "min_posts": Field(int, default=2, check=_check_positive, help="至少命中的帖子数"),
                        **_MIN_EVENT_POSTS}

    def setup(self) -> None:
        terms = [t.strip() for t in self.options["terms"] if t.strip()]
        if not terms:
            raise ValueError("terms 不能为空")
        quoted = " | ".join(f'"{t}"' for t in terms)
        excluded = "".join(f' -"{t}"' for t in self.options["exclude"] if t.strip())
        self.expression = f"({quoted}){excluded}"
        self.criteria = Criteria.from_config({"expression": self.expression})

    def filters(self) -> dict[str, Criteria]:
        return {f"rule:{self.name}": self.criteria}

    def evaluate(self, stats: EventStats, now: datetime) -> Firing | None:
        hits = stats.filter_hits.get(f"rule:{self.name}", 0)
        if stats.post_count >= self.options["min_event_posts"] and hits >= self.options["min_posts"]:
            return self.fire(f"重大事件词命中 {hits} 条")
        return None


@register
class AllOf(Rule):
    """Fires when every named rule fired on the event: e.g. an incident that central media covered."""

    type_name = "all_of"
    description = "同时满足多条规则（如：重大事件且央媒报道）"
    required_options = {"rules": Field(list, item=str, help="要同时触发的规则名称（至少 2 条，不能是 all_of 规则）")}
    optional_options = {**_MIN_EVENT_POSTS}

    def setup(self) -> None:
        names = [n.strip() for n in self.options["rules"]]
        if len(set(names)) < 2 or not all(names):
            raise ValueError("rules 至少要列出 2 条不同的规则名称")
        self.required = tuple(dict.fromkeys(names))

    def evaluate(self, stats: EventStats, now: datetime) -> Firing | None:
        return None  # decided in combine(), after the rules it names

    def combine(self, fired: set[str], stats: EventStats) -> Firing | None:
        if stats.post_count >= self.options["min_event_posts"] and all(n in fired for n in self.required):
            return self.fire(f"同时触发：{'、'.join(self.required)}")
        return None


# --- levels and the rule set --------------------------------------------------------------------------
@dataclass(frozen=True)
class LevelPolicy:
    """How fired rules become one level (practice, not law; config/rules.yaml ``levels``)."""

    escalate_after: int = 3
    escalate_max: str = "Ⅱ"
    respond_from: str = "Ⅲ"
    push_from: str = "Ⅲ"
    basis: str = "本地实践，非法定（舆情分级无国家标准）"
    reopen_min_posts: int = 20  # a closed alert reopens when its event grows by this many posts …
    reopen_growth: float = 0.5  # … and by this share of what it had when closed (0 posts: never reopen)


def reopen_reason(posts_at_close: int | None, posts_now: int, risen: bool, policy: LevelPolicy) -> str | None:
    """Why a closed alert must be handled again (办结后舆情再起), or None: its level rose, or its event
    grew by at least ``reopen_min_posts`` posts and ``reopen_growth`` of its size when closed."""
    if risen:
        return "办结后级别上升"
    if posts_at_close is None or policy.reopen_min_posts <= 0:
        return None
    needed = max(policy.reopen_min_posts, math.ceil(policy.reopen_growth * posts_at_close))
    if posts_now - posts_at_close >= needed:
        return f"办结后新增 {posts_now - posts_at_close} 条相关信息（办结时 {posts_at_close} 条）"
    return None


@dataclass(frozen=True)
class Verdict:
    """The outcome of all rules for one event."""

    firings: tuple[Firing, ...]
    level: str | None
    needs_response: bool = False
    incident: bool = False
    push: bool = False

    @property
    def fired(self) -> bool:
        return bool(self.firings)

    @property
    def rank(self) -> int | None:
        return LEVEL_RANK[self.level] if self.level else None

    @property
    def colour(self) -> str | None:
        return LEVEL_COLOURS[self.level] if self.level else None

    @property
    def rules(self) -> list[str]:
        return [f.rule for f in self.firings]

    @property
    def schemes(self) -> list[str]:
        return list(dict.fromkeys(s for f in self.firings for s in f.schemes))


def decide_level(firings: list[Firing], policy: LevelPolicy) -> Verdict:
    """Most severe proposed level, one step up when ``escalate_after`` rules fired (capped)."""
    if not firings:
        return Verdict((), None)
    rank = min(LEVEL_RANK[f.level] for f in firings)
    cap = LEVEL_RANK[policy.escalate_max]
    if policy.escalate_after and len({f.rule for f in firings}) >= policy.escalate_after and rank > cap:
        rank -= 1
    level = LEVELS[rank - 1]
    return Verdict(tuple(firings), level, needs_response=rank <= LEVEL_RANK[policy.respond_from],
                   incident=any(f.incident for f in firings), push=rank <= LEVEL_RANK[policy.push_from])


@dataclass
class RuleSet:
    """Rules, schemes and the level policy, as loaded from config."""

    rules: list[Rule]
    schemes: dict[str, Scheme]
    levels: LevelPolicy = field(default_factory=LevelPolicy)
    source: str = ""

    def filters(self) -> dict[str, Criteria]:
        """Every named post filter any rule needs, plus every scheme (for the event's scheme hits)."""
        named = {f"scheme:{name}": s.criteria for name, s in self.schemes.items()}
        for rule in self.rules:
            named.update(rule.filters())
        return named

    def evaluate(self, stats: EventStats, now: datetime) -> Verdict:
        firings = [f for rule in self.rules if (f := rule.evaluate(stats, now)) is not None]
        fired = {f.rule for f in firings}
        firings += [f for rule in self.rules
                    if isinstance(rule, AllOf) and (f := rule.combine(fired, stats)) is not None]
        return decide_level(firings, self.levels)


LEVELS_SCHEMA = {
    "escalate_after": Field(int, default=3, help="同时触发多少条规则时升一级（0 表示不升级）",
                            check=lambda v: None if v >= 0 else f"应为 0 或正整数，实际是 {v}"),
    "escalate_max": Field(str, default="Ⅱ", check=_check_level, help="升级最高到哪一级"),
    "respond_from": Field(str, default="Ⅲ", check=_check_level, help="此级别及以上需要回应（计时）"),
    "push_from": Field(str, default="Ⅲ", check=_check_level, help="此级别及以上立即推送，以下进入日报"),
    "basis": Field(str, default="本地实践，非法定（舆情分级无国家标准）"),
    "reopen_min_posts": Field(int, default=20, help="办结后事件再增加至少多少条信息时重新打开预警（0 表示不重新打开）",
                              check=lambda v: None if v >= 0 else f"应为 0 或正整数，实际是 {v}"),
    "reopen_growth": Field(float, default=0.5, help="且新增量至少为办结时信息数的多少倍（如 0.5 即一半）",
                           check=lambda v: None if v >= 0 else f"应为 0 或正数，实际是 {v}"),
}
RULE_SCHEMA = {
    "name": Field(str, required=True, help="规则名称（唯一）"),
    "type": Field(str, required=True, help="规则类型"),
    "level": Field((str, int), required=True, check=_check_level, help="触发时提出的级别 Ⅰ–Ⅳ"),
    "incident": Field(bool, default=False, help="触发即视为突发事件（Ⅰ/Ⅱ 级适用 5 小时/24 小时时限）"),
    "description": Field(str, default=""),
    "enabled": Field(bool, default=True),
    "options": Field(dict, default={}, extra_keys=True),
}
RULES_FILE_SCHEMA = {
    "version": Field(int, default=1),
    "levels": Field(dict, default=lambda: {k: f.default for k, f in LEVELS_SCHEMA.items()}, schema=LEVELS_SCHEMA),
    "rules": Field(list, default=[], item=dict),
}


def load_rules(path: str | os.PathLike = RULES_PATH, schemes: Mapping[str, Scheme] | None = None,
               text: str | None = None, schemes_path: str | os.PathLike = SCHEMES_PATH) -> RuleSet:
    """Read config/rules.yaml (and the schemes); ConfigError naming file:line on any problem."""
    name = str(path)
    if schemes is None:
        schemes = load_schemes(schemes_path)
    raw = read_yaml(path, text)
    where = Where(name, getattr(raw, "line", 1) or 1)
    data = validate(raw if raw is not None else {}, RULES_FILE_SCHEMA, where)
    levels = LevelPolicy(**{k: (level_key(v) if k in ("escalate_max", "respond_from", "push_from") else v)
                            for k, v in data["levels"].items()})
    raw_rules = raw.get("rules") if isinstance(raw, LocatedDict) else None
    _line, line_of = located(raw_rules)
    rules: list[Rule] = []
    compounds: list[tuple[AllOf, Where]] = []
    seen: set[str] = set()
    for index, item in enumerate(raw_rules or []):
        here = where.child("rules", line_of(index)).child(index, line_of(index))
        spec = validate(item, RULE_SCHEMA, here)
        item_line = item.line_of if isinstance(item, LocatedDict) else (lambda _k: here.line)
        if spec["name"] in seen:
            raise here.child("name", item_line("name")).error(f"规则名称重复: {spec['name']}")
        seen.add(spec["name"])
        cls = RULE_TYPES.get(spec["type"])
        if cls is None:
            raise here.child("type", item_line("type")).error(
                f"未知的规则类型 {spec['type']!r}（可用: {'、'.join(RULE_TYPES)}）")
        opts_where = here.child("options", item_line("options"))
        options = validate(item.get("options") or {}, cls.schema(), opts_where)
        if not spec["enabled"]:
            continue
        try:
            rules.append(cls(spec["name"], spec["level"], spec["incident"], options, schemes))
        except (ValueError, ExprError) as exc:
            raise opts_where.error(str(exc)) from None
        if isinstance(rules[-1], AllOf):
            compounds.append((rules[-1], opts_where))
    simple = {rule.name for rule in rules if not isinstance(rule, AllOf)}
    for rule, opts_where in compounds:  # names are checked once every rule is known
        missing = [n for n in rule.required if n not in simple]
        if missing:
            raise opts_where.error(f"all_of 引用的规则不存在、已停用或本身是 all_of 规则: {'、'.join(missing)}"
                                   f"（可用: {'、'.join(sorted(simple)) or '无'}）")
    return RuleSet(rules, dict(schemes), levels, name)


__all__ = ["Criteria", "Firing", "LEVELS", "LEVEL_COLOURS", "LEVEL_RANK", "LevelPolicy", "RULE_TYPES", "Rule",
           "RuleSet", "Scheme", "Verdict", "check_value", "decide_level", "level_key", "load_rules", "load_schemes",
           "register", "reopen_reason", "spike_counts", "ConfigError", "NEGATIVE"]
