"""Traditional characters are read as simplified ones by every analysis that matches text."""

from __future__ import annotations

import pytest

from analysis.categories import Categorizer
from analysis.enrich import text_fields
from analysis.hanzi import GB2312_TRADITIONAL, fold, fold_table, in_gb2312, to_traditional
from analysis.neardup import fingerprint, sentence_keys
from analysis.regions import detect_region
from analysis.segment import query_tokens
from analysis.sentiment import get_model
from tests.analysis.test_sentiment_checkset import COMPLAINTS, NOTICES, PRAISE

COMPLAINT = {
    "title": "东丽区一健身房突然关门，会员预付卡无法退款",
    "content": "天津市东丽区某健身房上周突然停业，老板联系不上。我们办了会员卡，预付了三千多元，"
               "现在钱退不回来，已经向市场监管局投诉，希望有关部门尽快处理，太气人了！",
}


def test_traditional_text_is_folded_character_by_character():
    assert fold("這家健身房老闆跑路了，會員卡預付的錢退不了") == "这家健身房老板跑路了，会员卡预付的钱退不了"
    assert fold("廣州市天河區") == "广州市天河区"
    assert fold("[淚][淚]") == "[泪][泪]"
    text = "我們向消費者協會投訴過，電話沒人接"
    assert len(fold(text)) == len(text)


@pytest.mark.parametrize("text", ["余粮充足", "乾坤", "著名作家", "慰藉", "覆盖", "大阪", "幺妹", "哪吒", "ABC 123，。"])
def test_what_simplified_text_writes_is_left_alone(text):
    # SnowNLP's table also maps these (余 → 馀, 著 → 着 …): they are simplified characters too.
    assert fold(text) == text


def test_traditional_forms_that_gb2312_also_encodes_are_folded():
    assert fold("最後更新於今日，為什麽") == "最后更新于今日，为什么"


def test_the_table_maps_characters_outside_gb2312_and_the_listed_few_to_characters_inside_it():
    table = fold_table()
    assert len(table) > 2000
    assert all(in_gb2312(target) for target in table.values())
    assert {chr(source) for source in table if in_gb2312(chr(source))} == set(GB2312_TRADITIONAL)


def test_rewriting_in_traditional_characters_changes_the_texts_and_folds_back_exactly():
    texts = PRAISE + COMPLAINTS + NOTICES
    assert sum(to_traditional(t) != t for t in texts) >= 55
    assert [fold(to_traditional(t)) for t in texts] == texts


def test_a_traditional_post_gets_the_same_categories_region_keywords_and_index_tokens():
    categorizer = Categorizer.from_file()
    simplified = text_fields(COMPLAINT, categorizer)
    traditional_post = {k: to_traditional(v) for k, v in COMPLAINT.items()}
    assert traditional_post["content"] != COMPLAINT["content"]
    traditional = text_fields(traditional_post, categorizer)
    assert simplified["categories"] and simplified["region"]["district"] == "东丽区"
    assert traditional == simplified


def test_region_positions_stay_those_of_the_original_text():
    assert detect_region("東麗區一家健身房關門") == detect_region("东丽区一家健身房关门")
    assert detect_region("东丽区一家健身房关门")["district"] == "东丽区"


def test_a_query_in_traditional_characters_has_the_simplified_tokens():
    assert query_tokens("預付卡 退款") == query_tokens("预付卡 退款")


def test_a_traditional_reprint_has_the_fingerprint_and_sentence_keys_of_the_original():
    text = COMPLAINT["content"]
    assert fingerprint(to_traditional(text)) == fingerprint(text)
    assert sentence_keys(to_traditional(text)) == sentence_keys(text)


def test_the_domain_model_scores_traditional_text_as_its_simplified_form():
    model = get_model()
    texts = PRAISE + COMPLAINTS + NOTICES
    assert model.score_batch([to_traditional(t) for t in texts]) == model.score_batch(texts)
