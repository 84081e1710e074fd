"""Boolean keyword expressions: grammar, errors with columns, matching semantics, ES query."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from analysis.expr import And, ExprError, Not, Or, Term, compile_expr, normalize, parse, to_es_query


def match(expr: str, text: str):
    return compile_expr(expr).match(text)


@pytest.mark.parametrize(
    "expr",
    [
        "(电梯|扶梯)+(困人|故障)-电梯房",
        "(电梯 OR 扶梯) AND (困人 OR 故障) NOT 电梯房",
        "（电梯｜扶梯）＋（困人｜故障）－电梯房",
        "(电梯 或 扶梯) 与 (困人 或 故障) 非 电梯房",
        "(电梯|扶梯) (困人|故障) !电梯房",
    ],
)
def test_operator_spellings_mean_the_same(expr):
    assert match(expr, "某小区电梯突发故障，一名老人被困").matched
    assert match(expr, "扶梯困人").matched
    assert not match(expr, "电梯房出售，电梯故障率低").matched
    assert not match(expr, "电梯运行平稳").matched


def test_precedence_not_over_and_over_or():
    tree = parse("a b | c -d")
    assert isinstance(tree, Or)
    assert isinstance(tree.children[0], And)
    second = tree.children[1]
    assert isinstance(second, And) and isinstance(second.children[1], Not)


def test_hyphen_between_words_is_exclusion_and_quotes_make_it_literal():
    assert match("食品-广告", "食品抽检").matched
    assert not match("食品-广告", "食品广告").matched
    assert match('"3-15"', "今年3-15晚会曝光").matched
    assert not match('"3-15"', "3月15日").matched


def test_chinese_word_operators_only_standalone():
    assert isinstance(parse("食品 或 药品"), Or)
    # inside a word they are plain characters
    term = parse("或者")
    assert isinstance(term, Term) and term.key == "或者"
    assert match("非法集资", "涉嫌非法集资").matched


def test_lower_case_english_words_are_keywords_not_operators():
    assert isinstance(parse("and"), Term)
    assert isinstance(parse("a or b"), And)


def test_quoted_phrase_keeps_spaces_and_operators():
    tree = parse("“Apple Watch | 手表”")
    assert isinstance(tree, Term) and tree.phrase and tree.key == "apple watch | 手表"
    assert match("「电梯 困人」", "发生电梯困人事件").matched  # CJK gap removed in both


def test_match_returns_positive_keywords_found_in_order_without_exclusions():
    result = match("(电梯|扶梯) + (困人|故障|被困) - 广告", "扶梯故障，有人被困，电梯也停了")
    assert result.matched
    assert result.keywords == ("电梯", "扶梯", "故障", "被困")
    assert match("食品 -广告", "食品广告").keywords == ()


def test_normalisation_full_width_case_and_whitespace():
    assert normalize("ＡＢＣ　食品\n安全  检测 ABC") == "abc 食品安全检测 abc"
    assert match("abc", "ＡＢＣ公司").matched
    assert match("食品安全", "食品\n安全").matched
    assert match("CCC认证", "未经ccc认证").matched


def test_ascii_keywords_need_ascii_boundaries_cjk_do_not():
    assert match("12315", "拨打12315投诉").matched
    assert not match("12315", "订单号123156789").matched
    assert match("12315", "12315/12345热线").matched
    assert not match("ai", "he said").matched
    assert match("电梯", "电梯困人").matched  # substring for CJK


@pytest.mark.parametrize(
    ("expr", "column", "fragment"),
    [
        ("", 1, "为空"),
        ("   ", 1, "为空"),
        ("(食品|药品", 1, "括号没有闭合"),
        ("食品 (药品|", 7, "后缺少关键词"),
        ("食品)", 3, "多余的右括号"),
        ("食品 + ", 4, "后缺少关键词"),
        ("| 食品", 1, "前缺少关键词"),
        ("食品 | | 药品", 6, "前缺少关键词"),
        ("食品 ()", 4, "括号内为空"),
        ('食品 "中毒', 4, "没有闭合"),
        ('食品 ""', 4, "引号内为空"),
        ("食品，药品", 3, "分隔符"),
        ("食品、药品", 3, "分隔符"),
        ("-广告", 1, "只有排除词"),
        ("食品 | -广告", 6, "只有排除词"),
        ("AND 食品", 1, "前缺少关键词"),
    ],
)
def test_parse_errors_name_the_column(expr, column, fragment):
    with pytest.raises(ExprError) as info:
        parse(expr)
    assert info.value.column == column
    assert fragment in str(info.value)
    assert str(info.value).startswith(f"第 {column} 列")


def test_not_of_a_group_and_double_negation():
    assert match("食品 -(广告|招聘)", "食品抽检").matched
    assert not match("食品 -(广告|招聘)", "食品厂招聘").matched
    assert match("食品 --抽检", "食品抽检").matched


def test_matcher_lists_keywords_and_exclusions():
    m = compile_expr("(食品|食物)+中毒-(演习|演练)")
    assert m.keywords == ["食品", "食物", "中毒"]
    assert m.exclusions == ["演习", "演练"]


def test_es_query_single_field():
    q = to_es_query("(食品|药品) -广告", "content")

    def any_of(*queries):
        return {"bool": {"should": [{"match_phrase": {"content": {"query": q}}} for q in queries],
                         "minimum_should_match": 1}}

    # each keyword in each of its spellings (药品 葯品 藥品; 广告 廣告), as the matcher looks for them
    assert q == {
        "bool": {
            "must": [
                {
                    "bool": {
                        "should": [
                            {"match_phrase": {"content": {"query": "食品"}}},
                            any_of("药品", "葯品", "藥品"),
                        ],
                        "minimum_should_match": 1,
                    }
                }
            ],
            "must_not": [any_of("广告", "廣告")],
        }
    }


def test_keywords_match_text_in_either_script_and_are_folded_when_written_traditional():
    matcher = compile_expr("投诉 -广告")
    assert matcher.match("已向市場監管局投訴").matched
    assert matcher.match("已向市场监管局投诉").matched
    assert not matcher.match("投訴廣告位招租").matched
    assert compile_expr("投訴").keys == ("投诉",)
    assert compile_expr("投訴").match("投诉无门").keywords == ("投訴",)  # keywords as written


def test_es_query_multi_field_tokenize_and_slop():
    q = to_es_query("ＡＢＣ食品", ["title", "content"], tokenize=lambda s: ["abc", "食品"], slop=2)
    assert q == {
        "bool": {
            "should": [
                {"match_phrase": {"title": {"query": "abc 食品", "slop": 2}}},
                {"match_phrase": {"content": {"query": "abc 食品", "slop": 2}}},
            ],
            "minimum_should_match": 1,
        }
    }


def test_es_query_not_inside_or_group():
    q = to_es_query("a | (b -c)", "f")
    assert q["bool"]["should"][1] == {
        "bool": {"must": [{"match_phrase": {"f": {"query": "b"}}}],
                 "must_not": [{"match_phrase": {"f": {"query": "c"}}}]}
    }


def test_es_query_rejects_bad_expression_and_empty_fields():
    with pytest.raises(ExprError):
        to_es_query("(a", "f")
    with pytest.raises(ValueError):
        to_es_query("a", [])


def test_keywords_only_from_branches_that_matched():
    m = compile_expr("(电梯 + 困人) | 特种设备 | (锅炉 + 爆炸)")
    result = m.match("特种设备安全检查：电梯运行正常，锅炉房整洁")
    assert result.matched and result.keywords == ("特种设备",)


_ALPHABET = list("食品药电梯 ()（）|｜+＋-－!！&\"“”「」，、ANDORNT或与非且ab12")


@settings(max_examples=400, deadline=None)
@given(st.text(alphabet=_ALPHABET, max_size=25))
def test_any_input_parses_or_fails_with_a_column_inside_the_expression(source):
    try:
        matcher = compile_expr(source)
    except ExprError as exc:
        assert 1 <= exc.column <= len(source) + 1
        return
    assert matcher.keywords  # every accepted expression has something to look for
    result = matcher.match(source)
    assert isinstance(result.matched, bool)
    assert set(result.keywords) <= set(matcher.keywords)
    assert isinstance(to_es_query(matcher, "content"), dict)


@settings(max_examples=200, deadline=None)
@given(st.lists(st.sampled_from(["食品", "药品", "电梯", "广告", "困人"]), min_size=1, max_size=4),
       st.text(alphabet=list("食品药电梯广告困人 "), max_size=30))
def test_or_of_words_matches_exactly_when_one_word_is_a_substring(words, text):
    assert compile_expr(" | ".join(words)).match(text).matched == any(w in text.replace(" ", "") for w in words)
