from datetime import datetime, timedelta

import pytest

from analysis.events import EventStats, hour_key
from analysis.rules import Criteria, Firing, LevelPolicy, decide_level, load_rules, load_schemes, reopen_reason
from analysis.workdays import SHANGHAI
from yuqing.errors import ConfigError

NOW = datetime(2024, 3, 12, 12, 0, tzinfo=SHANGHAI)
SCHEMES = "schemes:\n  - name: 电梯\n    expression: 电梯 (困人|被困)\n    categories: [特种设备]\n"


def _stats(hourly: dict[int, int], **extra) -> EventStats:
    stats = EventStats("ev", post_count=sum(hourly.values()), **extra)
    stats.volume = {hour_key(NOW - timedelta(hours=h)): n for h, n in hourly.items()}
    return stats


def _rules(text: str):
    return load_rules("rules.yaml", load_schemes("schemes.yaml", text=SCHEMES), text=text)


def test_shipped_config_loads():
    rules = load_rules()
    assert {r.type_name for r in rules.rules} >= {"scheme_match", "volume_spike", "negative_surge", "media_coverage",
                                                 "incident_lexicon"}


def test_scheme_criteria_match_and_es_filter_agree_on_restrictions():
    scheme = load_schemes("s.yaml", text=SCHEMES)["电梯"].criteria
    assert scheme.matches({"title": "电梯困人", "categories": ["特种设备"]})
    assert not scheme.matches({"title": "电梯困人", "categories": ["食品安全"]})
    assert not scheme.matches({"title": "电梯房出售", "categories": ["特种设备"]})
    query = scheme.to_es()["bool"]["filter"]
    assert {"terms": {"categories": ["特种设备"]}} in query


def test_volume_spike_last_hour_against_previous_twelve():
    rules = _rules("rules:\n  - {name: s, type: volume_spike, level: Ⅳ, options: {window: 1h, reference: 12h, "
                   "ratio: 4, min_count: 10}}\n")
    assert rules.evaluate(_stats({0: 12, 3: 1, 5: 1}), NOW).level == "Ⅳ"
    assert not rules.evaluate(_stats({0: 12, **{h: 6 for h in range(1, 13)}}), NOW).fired
    assert not rules.evaluate(_stats({0: 9}), NOW).fired


def test_negative_surge_and_media_coverage():
    rules = _rules("rules:\n  - {name: n, type: negative_surge, level: Ⅳ, options: {window: 1d, min_posts: 5}}\n"
                   "  - {name: m, type: media_coverage, level: Ⅲ, options: {media_levels: [中央]}}\n")
    stats = _stats({1: 10})
    stats.negative_volume = {hour_key(NOW - timedelta(hours=1)): 8}
    assert rules.evaluate(stats, NOW).rules == ["n"]
    stats.filter_hits = {"rule:m": 1}
    verdict = rules.evaluate(stats, NOW)
    assert verdict.level == "Ⅲ" and verdict.needs_response and verdict.push


def test_levels_most_severe_and_escalation_capped():
    policy = LevelPolicy(escalate_after=2, escalate_max="Ⅱ", respond_from="Ⅲ", push_from="Ⅲ")
    low = [Firing("a", "Ⅳ", False, ""), Firing("b", "Ⅲ", True, "")]
    verdict = decide_level(low, policy)
    assert verdict.level == "Ⅱ" and verdict.incident
    assert decide_level([Firing("a", "Ⅱ", False, ""), Firing("b", "Ⅱ", False, "")], policy).level == "Ⅱ"
    single = decide_level([Firing("a", "Ⅳ", False, "")], policy)
    assert single.level == "Ⅳ" and not single.needs_response and not single.push


ALL_OF = ("rules:\n  - {name: 词表, type: incident_lexicon, level: Ⅱ, incident: true, options: {terms: [中毒]}}\n"
          "  - {name: 央媒, type: media_coverage, level: Ⅳ, options: {media_levels: [中央]}}\n"
          "  - name: 红\n    type: all_of\n    level: Ⅰ\n    incident: true\n    options: {rules: [词表, 央媒]}\n")


def test_all_of_fires_only_when_every_named_rule_fired():
    rules = _rules(ALL_OF)
    stats = _stats({1: 10})
    stats.filter_hits = {"rule:词表": 5}
    assert rules.evaluate(stats, NOW).level == "Ⅱ"
    stats.filter_hits = {"rule:央媒": 1}
    assert rules.evaluate(stats, NOW).level == "Ⅳ"
    stats.filter_hits = {"rule:词表": 5, "rule:央媒": 1}
    verdict = rules.evaluate(stats, NOW)
    assert verdict.level == "Ⅰ" and verdict.colour == "红" and verdict.incident and verdict.rules[-1] == "红"


def test_shipped_rules_reach_red_only_through_an_explicit_rule():
    rules = load_rules()
    assert rules.levels.escalate_max == "Ⅱ"
    assert [r.name for r in rules.rules if r.level == "Ⅰ"] == ["央媒关注的重大突发事件"]


@pytest.mark.parametrize("line, words, rules", [
    (8, "不存在、已停用或本身是 all_of", "[词表, 无此规则]"),
    (8, "至少要列出 2 条", "[词表, 词表]"),
])
def test_all_of_config_errors_name_file_and_line(line, words, rules):
    text = ALL_OF.replace("[词表, 央媒]", rules)
    with pytest.raises(ConfigError, match=rf"^rules.yaml:{line}:.*{words}"):
        _rules(text)


@pytest.mark.parametrize("text, line, words", [
    ("rules:\n  - name: x\n    type: nope\n    level: Ⅲ\n", 3, "未知的规则类型"),
    ("rules:\n  - name: x\n    type: volume_spike\n    level: Ⅲ\n    options: {window: 1h}\n", 5, "reference"),
    ("rules:\n  - name: x\n    type: scheme_match\n    level: Ⅲ\n    options:\n      scheme: 无此方案\n", 5, "未知的监测方案"),
    ("rules:\n  - name: x\n    type: media_coverage\n    level: Ⅸ\n    options: {media_levels: [中央]}\n", 4, "未知的级别"),
    ("rules:\n  - name: x\n    type: incident_lexicon\n    level: Ⅱ\n    options: {terms: [a], bogus: 1}\n", 5, "未知的键"),
    # These raised OverflowError inside timedelta (an English message) or were accepted:
    ("rules:\n  - name: x\n    type: volume_spike\n    level: Ⅲ\n    options: {window: " + "9" * 30
     + "h, reference: 1d}\n", 5, "时长过长"),
    ("levels:\n  escalate_after: -1\nrules: []\n", 2, "应为 0 或正整数"),
])
def test_rule_config_errors_name_file_and_line(text, line, words):
    with pytest.raises(ConfigError, match=rf"^rules.yaml:{line}:.*{words}"):
        _rules(text)


def test_scheme_expression_error_names_line():
    with pytest.raises(ConfigError, match=r"^s.yaml:3:.*表达式错误"):
        load_schemes("s.yaml", text="schemes:\n  - name: a\n    expression: (电梯\n")


def test_criteria_without_expression_matches_by_restrictions():
    c = Criteria(media_levels=("中央",), platforms=("新闻",))
    assert c.matches({"media_level": "中央", "platform": "新闻"})
    assert not c.matches({"media_level": "中央", "platform": "留言板"})


def test_reasons_read_in_chinese_and_say_when_nothing_came_before():
    from analysis.rules import duration_text

    assert [duration_text(timedelta(days=1)), duration_text(timedelta(hours=12)),
            duration_text(timedelta(days=1, hours=6)), duration_text(timedelta(minutes=30))] == \
        ["1天", "12小时", "1天6小时", "30分钟"]
    rules = _rules("rules:\n  - {name: n, type: negative_surge, level: Ⅳ, options: {window: 1d, min_posts: 5}}\n")
    stats = _stats({1: 10})
    stats.negative_volume = {hour_key(NOW - timedelta(hours=1)): 8}
    reason = rules.evaluate(stats, NOW).firings[0].reason
    assert reason == "最近1天负面占比 80%（此前无信息）"
    stats = _stats({1: 10, 30: 10})
    stats.negative_volume = {hour_key(NOW - timedelta(hours=1)): 8}
    assert rules.evaluate(stats, NOW).firings[0].reason == "最近1天负面占比 80%（此前 0%）"
    spike = _rules("rules:\n  - {name: s, type: volume_spike, level: Ⅳ, options: {window: 1h, reference: 12h, "
                   "ratio: 4, min_count: 10}}\n")
    assert spike.evaluate(_stats({0: 12, 3: 1, 5: 1}), NOW).firings[0].reason == \
        "最近1小时 12 条，参照期（此前12小时）平均每1小时 0.2 条"


def test_a_closed_alert_reopens_on_a_rise_or_on_growth_past_both_thresholds():
    policy = LevelPolicy()  # 20 posts and half the size at closing
    assert reopen_reason(20, 39, False, policy) is None
    assert reopen_reason(20, 40, False, policy) == "办结后新增 20 条相关信息（办结时 20 条）"
    assert reopen_reason(100, 149, False, policy) is None  # 49 < half of 100
    assert reopen_reason(100, 150, False, policy) is not None
    assert reopen_reason(100, 100, True, policy) == "办结后级别上升"
    assert reopen_reason(None, 500, False, policy) is None  # closed before the size was recorded
    assert reopen_reason(20, 500, False, LevelPolicy(reopen_min_posts=0)) is None
