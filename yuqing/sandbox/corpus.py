"""The sandbox corpus: YAML files under ``corpus/``, validated at load with file:line errors."""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path

from yuqing.config import Field, load
from yuqing.sandbox.clock import parse_offset

CORPUS_DIR = Path(__file__).with_name("corpus")

CATEGORIES = (
    "食品安全", "药品/医疗器械/化妆品", "特种设备", "产品质量/召回", "消费维权/12315", "价格收费",
    "广告/虚假宣传", "网络交易", "反垄断/反不正当竞争", "知识产权/商标专利", "登记注册/信用",
    "计量/标准/认证/检验检测", "执法作风",
)
DISTRICTS = (
    "和平区", "河东区", "河西区", "南开区", "河北区", "红桥区", "东丽区", "西青区", "津南区", "北辰区",
    "武清区", "宝坻区", "滨海新区", "宁河区", "静海区", "蓟州区",
)
AREAS = ("天津市",) + DISTRICTS
BOARD_TYPES = ("投诉", "建言", "咨询", "求助")
SATISFACTION = ("满意", "基本满意", "不满意", "未评价")
OUTLETS = ("news", "central", "industry", "portal")
ITEM_SITES = ("social", "board_html", "board_api") + OUTLETS


def _offset(value) -> str | None:
    try:
        parse_offset(value)
    except ValueError as exc:
        return str(exc)
    return None


def _offsets(value) -> str | None:
    values = value if isinstance(value, list) else [value]
    for one in values:
        problem = _offset(one)
        if problem:
            return problem
    return None


def _text_or_choices(choices: tuple = ()):
    def check(value) -> str | None:
        values = value if isinstance(value, list) else [value]
        for one in values:
            if not isinstance(one, str):
                return f"应为字符串或字符串列表，实际是 {one!r}"
            if choices and one not in choices:
                return f"取值 {one!r} 无效（可选: {'、'.join(choices)}）"
        return None
    return check


OFFSET = dict(type=(str, int), check=_offset)
REPOST_SCHEMA = {
    "outlet": Field(str, required=True, choices=OUTLETS),
    "after": Field((str, int), required=True, check=_offset, help="原稿发布后多久转载"),
    "title": Field(str, help="转载时改写的标题"),
}
BOARD_SCHEMA = {
    "type": Field(str, required=True, choices=BOARD_TYPES),
    "domain": Field(str, required=True),
    "addressee": Field(str, required=True),
    "poster": Field(str),
    "title": Field(str),
    "content": Field(str),
    "accept_after": Field((str, int), check=_offset, help="多久后变为办理中"),
    "reply_after": Field((str, int), check=_offset, help="多久后变为已办理并给出答复"),
    "reply_unit": Field(str),
    "reply": Field(str),
    "satisfaction": Field(str, default="未评价", choices=SATISFACTION),
}
NEWS_ITEM = {
    "id": Field(str, required=True),
    "category": Field(str, required=True, choices=CATEGORIES),
    "district": Field(str, required=True, choices=AREAS),
    "outlet": Field(str, required=True, choices=OUTLETS),
    "author": Field(str, default=""),
    "title": Field(str, required=True),
    "body": Field(str, required=True),
    "reposts": Field(list, default=list, item=str),
}
BOARD_ITEM = {
    "id": Field(str, required=True),
    "category": Field(str, required=True, choices=CATEGORIES),
    "board": Field(str, required=True, choices=("html", "api")),
    "district": Field(str, required=True, choices=AREAS),
    **{key: spec for key, spec in BOARD_SCHEMA.items()},
}
BOARD_ITEM["poster"] = Field(str, required=True)
BOARD_ITEM["title"] = Field(str, required=True)
BOARD_ITEM["content"] = Field(str, required=True)
USER = {"name": Field(str, required=True), "followers": Field(int, required=True),
        "verified": Field(bool, default=False)}
SOCIAL_ITEM = {
    "id": Field(str, required=True),
    "category": Field(str, required=True, choices=CATEGORIES),
    "district": Field(str, required=True, choices=AREAS),
    "user": Field(str, required=True),
    "text": Field(str, required=True),
}
SCENARIO_ITEM = {
    "id": Field(str, required=True),
    "at": Field((str, int), required=True, check=_offset),
    "site": Field(str, required=True, choices=ITEM_SITES),
    "user": Field(str),
    "author": Field(str, default=""),
    "text": Field(str),
    "title": Field(str),
    "body": Field(str),
    "board": Field(dict, schema=BOARD_SCHEMA),
    "reposts": Field(list, default=list, item=REPOST_SCHEMA),
}
WAVE_BOARD = {
    "type": Field((str, list), required=True, check=_text_or_choices(BOARD_TYPES)),
    "domain": Field(str, required=True),
    "addressee": Field((str, list), required=True, check=_text_or_choices()),
    "accept_after": Field((str, list), check=_offsets, help="一个偏移或 [最短, 最长]"),
    "reply_after": Field((str, list), check=_offsets, help="一个偏移或 [最短, 最长]"),
    "reply_unit": Field(str),
    "reply": Field(str),
    "satisfaction": Field((str, list), default="未评价", check=_text_or_choices(SATISFACTION)),
}
WAVE = {
    "kind": Field(str, required=True, choices=("repost", "compose")),
    "of": Field(str, help="repost: 被转发的条目 id"),
    "site": Field(str, choices=("social", "board")),
    "count": Field(int, required=True),
    "from": Field((str, int), required=True, check=_offset),
    "to": Field((str, int), required=True, check=_offset),
    "shape": Field(str, default="even", choices=("rising", "falling", "even")),
    "comments": Field(list, default=list, item=str),
    "users": Field(list, default=list, item=str),
    "titles": Field(list, default=list, item=str),
    "parts": Field(list, default=list, item=list),
    "slots": Field(dict, default=dict, extra_keys=True),
    "board": Field(dict, schema=WAVE_BOARD),
}
SCENARIO = {
    "label": Field(str, required=True),
    "category": Field(str, required=True, choices=CATEGORIES),
    "district": Field(str, required=True, choices=AREAS),
    "start": Field((str, int), required=True, check=_offset),
    "items": Field(list, required=True, item=SCENARIO_ITEM),
    "waves": Field(list, default=list, item=WAVE),
}


def _scenarios_check(value: dict) -> str | None:
    for name, spec in value.items():
        if not isinstance(spec, dict):
            return f"场景 {name} 应为映射"
    return None


FILES = {
    "background_news": {"items": Field(list, required=True, item=NEWS_ITEM)},
    "background_board": {"items": Field(list, required=True, item=BOARD_ITEM)},
    "background_social": {"users": Field(list, required=True, item=USER),
                          "items": Field(list, required=True, item=SOCIAL_ITEM)},
    "scenarios": {"scenarios": Field(dict, required=True, check=_scenarios_check, extra_keys=True)},
}


@lru_cache(maxsize=4)
def load_corpus(directory: str | None = None) -> dict:
    """All corpus files, validated; scenario specs are validated one by one with their file:line."""
    from yuqing.config import Where, validate

    base = Path(directory) if directory else CORPUS_DIR
    corpus = {name: load(base / f"{name}.yaml", schema) for name, schema in FILES.items()}
    raw = corpus["scenarios"]["scenarios"]
    path = str(base / "scenarios.yaml")
    scenarios = {}
    for name, spec in raw.items():
        line = raw.line_of(name) if hasattr(raw, "line_of") else 1
        scenarios[name] = validate(spec, SCENARIO, Where(path, line, f"scenarios.{name}"))
    corpus["scenarios"] = scenarios
    return corpus
