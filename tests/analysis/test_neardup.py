"""Near-duplicates: the threshold keeps reposts and light edits in, different stories out."""

from __future__ import annotations

import itertools
import random
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from analysis.neardup import (
    LOOSE_THRESHOLD,
    MIN_CHARS,
    THRESHOLD,
    Candidate,
    ClusterIndex,
    bands,
    calibrate,
    distance,
    fingerprint,
    is_near_duplicate,
    normalize,
    related,
    repost_body,
    sentence_keys,
    shingles,
)

DATA = Path(__file__).resolve().parents[2] / ".." / "shared" / "data"

STORY = (
    "本报讯（记者 李明）3月5日上午10时许，东丽区华明街道某小区居民向12345热线反映，小区6号楼一部电梯"
    "在运行中突然停在9层与10层之间，两名老人和一名儿童被困轿厢内近40分钟。居民称，按下紧急呼叫按钮后"
    "无人应答，最终由消防人员赶到后将被困人员救出，所幸无人受伤。\n"
    "记者了解到，该电梯已使用14年，今年以来已多次发生故障。居民王女士说：“上个月就困过一次人，物业说"
    "报修了，维保单位来看了一眼就走了。”该小区物业负责人表示，已联系维保单位对电梯进行全面检修。\n"
    "东丽区市场监管局特种设备科工作人员当天下午赶到现场，对电梯维保记录进行检查，发现维保单位存在未按"
    "规定频次维保的问题，已责令其立即整改，并将依法立案调查。市场监管部门提醒，乘梯遇困时应保持冷静，"
    "通过紧急呼叫装置或拨打96333求助，切勿强行扒门。"
)

REPOSTS = {
    "portal_with_source_lines": "来源：北方网 2023-03-05 14:32\n" + STORY + "\n（责任编辑：张晓）",
    "sentence_dropped": STORY.replace("所幸无人受伤。", ""),
    "typos_and_punctuation": STORY.replace("，", ",").replace("近40分钟", "近四十分钟").replace("赶到", "到达"),
    "end_cut_off": STORY[: STORY.index("市场监管部门提醒")] + "（完）",
    "board_copy_with_comment": "转发：大家注意安全！" + STORY.replace("本报讯（记者 李明）", ""),
}

# Reposts that quote the story behind a comment: fingerprinted by what they quote, so distance 0.
SOCIAL_REPOSTS = {
    "weibo_comment": "转发扩散，物业和维保公司到底管不管？？//@东丽发布：" + STORY,
    "weibo_chain": "太吓人了//@津门小鱼：我家楼也是这个维保公司//@东丽发布：" + STORY,
    "forward_after_comment": "大家注意安全！！ 转发@东丽发布：" + STORY,
}

# A reprint under a new title, with a lead added, a source line and the closing reminder dropped:
# 9 bits from the story (outside THRESHOLD) but five of its sentences word for word.
REPRINT = ("东丽一小区电梯困人近40分钟 维保单位被立案调查\n据北方网报道，"
           + STORY.replace("本报讯（记者 李明）", "").split("市场监管部门提醒")[0] + "\n（来源：北方网）")

SAME_TOPIC = {
    "other_elevator_story": (
        "本报讯（记者 王强）3月8日晚7时许，西青区张家窝镇某小区一部电梯运行中突然下坠至负一层，一名外卖骑手"
        "被困轿厢内约半小时，后经物业人员用专用钥匙开门救出，骑手腿部轻微擦伤，已送医检查。\n"
        "业主们反映，这部电梯去年才更换过主板，但今年春节后几乎每周都会出现异响和急停。业主赵先生说：“我们"
        "多次向物业报修，维保公司每次都说没问题。”物业公司称，已暂停该电梯运行，等待检验机构检测。\n"
        "西青区市场监管局接到报告后，立即组织特种设备安全监察人员赶赴现场，调取电梯运行和维保记录，并委托"
        "检验检测机构对电梯制动系统进行检测。该局表示，将根据检测结果依法处理，并在全区开展电梯安全隐患排查。"
    ),
    "price_notice": (
        "东丽区市场监管局3月5日通报，近期执法人员对辖区内15家农贸市场开展价格检查，发现3家商户未明码标价，"
        "1家超市存在标价签与结算价格不一致的问题，多收消费者费用。执法人员当场责令整改，并对相关经营者"
        "立案调查。市场监管部门提醒广大消费者，购物时注意核对价格，发现价格违法行为可拨打12315热线投诉举报。"
        "下一步，该局将持续加强民生商品价格监管，严厉打击哄抬价格、价格欺诈等违法行为，维护良好市场价格秩序。"
    ),
}


@pytest.mark.parametrize("name", list(REPOSTS))
def test_reposts_and_light_edits_fall_within_the_threshold(name):
    assert distance(fingerprint(STORY), fingerprint(REPOSTS[name])) <= THRESHOLD
    assert is_near_duplicate(STORY, REPOSTS[name])


@pytest.mark.parametrize("name", list(SAME_TOPIC))
def test_different_stories_on_the_same_topic_fall_outside(name):
    d = distance(fingerprint(STORY), fingerprint(SAME_TOPIC[name]))
    assert d > 2 * THRESHOLD  # not just outside: far outside
    assert not is_near_duplicate(STORY, SAME_TOPIC[name])


@pytest.mark.parametrize("name", list(SOCIAL_REPOSTS))
def test_social_reposts_are_fingerprinted_by_the_text_they_quote(name):
    assert repost_body(SOCIAL_REPOSTS[name]) == STORY
    assert fingerprint(SOCIAL_REPOSTS[name]) == fingerprint(STORY)
    assert sentence_keys(SOCIAL_REPOSTS[name]) == sentence_keys(STORY)


def test_a_short_post_quoted_behind_a_long_comment_is_its_original():
    original = "南开区嘉华里小区7号楼电梯今晚困人，一家三口被困四十分钟。物业和维保公司到底管不管？"
    repost = "我们楼也一样，打了96333半天才来人，真不知道维保费都花哪儿了//@南开老王说事：" + original
    a, b = shingles(original), shingles(repost)
    assert len(a & b) / len(a | b) < 0.6  # as whole texts, far outside the threshold (Jaccard ≳ 0.8)
    assert fingerprint(repost) == fingerprint(original)


@pytest.mark.parametrize("text", [
    STORY,
    "病情好转：患者已出院，目前情况稳定，医生表示还需要继续观察一段时间。",  # a bare 转： is no marker
    "转发微博",  # nothing quoted
    "评论在前//@某人：",  # an empty quote: the text itself
    "网友转发：好",  # what follows is too short to be a post
])
def test_texts_that_quote_nothing_are_their_own_body(text):
    assert repost_body(text) == text


def test_a_reprint_that_drops_the_end_shares_sentences_within_the_loose_threshold():
    d = distance(fingerprint(STORY), fingerprint(REPRINT))
    assert THRESHOLD < d <= LOOSE_THRESHOLD
    assert len(set(sentence_keys(STORY)) & set(sentence_keys(REPRINT))) >= 3
    assert related(STORY, REPRINT) and not is_near_duplicate(STORY, REPRINT)


def test_a_stock_sentence_in_common_does_not_join_different_stories():
    stock = "市场监管部门提醒，乘梯遇困时应保持冷静，通过紧急呼叫装置或拨打96333求助，切勿强行扒门。"
    other = SAME_TOPIC["other_elevator_story"] + stock
    assert set(sentence_keys(STORY)) & set(sentence_keys(other))  # found through the sentence key
    assert distance(fingerprint(STORY), fingerprint(other)) > 2 * LOOSE_THRESHOLD  # but far apart
    assert not related(STORY, other)
    index = ClusterIndex()
    index.add("a", STORY)
    assert index.add("b", other) == "b"
    assert index.add("c", REPRINT) == "a"


def test_sentence_keys_ignore_punctuation_and_keep_the_longest():
    keys = sentence_keys(STORY)
    assert keys == sentence_keys(STORY.replace("，", ",").replace("。", "．。"))
    assert 1 <= len(keys) <= 8 and all(k.startswith("s:") and len(k) == 14 for k in keys)
    assert sentence_keys("电梯又坏了。") == []  # too short to be evidence


def test_related_candidates_join_only_within_the_loose_threshold():
    index = ClusterIndex()
    near = [Candidate("r", (1 << LOOSE_THRESHOLD) - 1, "cluster-r")]  # 14 bits
    far = [Candidate("f", (1 << (LOOSE_THRESHOLD + 1)) - 1, "cluster-f")]  # 15 bits
    assert index.assign("x", 0, [], near) == "cluster-r"
    assert index.assign("y", 0, [], far) == "y"
    assert index.assign("z", 0, near, []) == "z"  # band candidates keep the strict threshold


def test_threshold_is_not_loose_enough_for_a_rewritten_half():
    half = STORY[: len(STORY) // 2] + SAME_TOPIC["other_elevator_story"][len(STORY) // 2:]
    assert not is_near_duplicate(STORY, half)


def test_normalisation_ignores_spacing_punctuation_and_width():
    assert normalize("Ａ Ｂ，电梯  困人！\n") == "ab电梯困人"
    assert fingerprint(STORY) == fingerprint(STORY.replace("，", " , ").replace("。", "．"))


def test_fingerprint_is_stable_64_bit_and_pinned():
    fp = fingerprint(STORY)
    assert 0 <= fp < 2**64
    assert fp == fingerprint(STORY)
    # pinned: stored fingerprints must not change between versions; update only with a migration
    assert fp == PINNED


def test_empty_and_short_texts():
    assert fingerprint("") == 0 and fingerprint(None) == 0 and fingerprint("，。！") == 0
    short_a, short_b = "电梯又坏了", "电梯又坏了！！"
    assert len(normalize(short_a)) < MIN_CHARS
    assert fingerprint(short_a) == fingerprint(short_b)  # identical after normalisation
    assert not is_near_duplicate("电梯又坏了", "电梯又修好了")


def test_band_keys_shape():
    keys = bands(fingerprint(STORY))
    assert len(keys) == 28 and len(set(keys)) == 28
    assert all(len(k) == 7 and k[2] == ":" for k in keys)


@settings(max_examples=300, deadline=None)
@given(st.integers(0, 2**64 - 1), st.sets(st.integers(0, 63), max_size=THRESHOLD))
def test_fingerprints_within_threshold_always_share_a_band(fp, flips):
    other = fp
    for bit in flips:
        other ^= 1 << bit
    assert distance(fp, other) == len(flips) <= THRESHOLD
    assert set(bands(fp)) & set(bands(other))


def test_unrelated_fingerprints_rarely_share_a_band():
    rnd = random.Random(20230305)
    keys = [set(bands(rnd.getrandbits(64))) for _ in range(200)]
    shared = sum(bool(a & b) for a, b in itertools.combinations(keys, 2))
    # 19,900 pairs x 28 keys / 65,536 values per key: about 8.5 expected
    assert shared <= 25


def test_cluster_index_groups_reposts_and_separates_stories():
    index = ClusterIndex()
    assert index.add("a", STORY) == "a"
    for i, text in enumerate(REPOSTS.values()):
        assert index.add(f"r{i}", text) == "a"
    assert index.add("b", SAME_TOPIC["other_elevator_story"]) == "b"
    assert index.add("c", SAME_TOPIC["price_notice"]) == "c"
    assert index.add("a", SAME_TOPIC["price_notice"]) == "a"  # known id: unchanged
    assert len(index) == len(REPOSTS) + 3


def test_cluster_ids_are_deterministic_across_replays():
    stream = [("x1", STORY), ("x2", SAME_TOPIC["price_notice"]), ("x3", REPOSTS["end_cut_off"]),
              ("x4", SAME_TOPIC["other_elevator_story"]), ("x5", REPOSTS["sentence_dropped"])]
    runs = []
    for _ in range(2):
        index = ClusterIndex(prefix="c-")
        runs.append([index.add(doc_id, text) for doc_id, text in stream])
    assert runs[0] == runs[1] == ["c-x1", "c-x2", "c-x1", "c-x4", "c-x1"]


def test_assign_with_store_candidates_picks_nearest_then_smallest_cluster():
    fp = 0
    index = ClusterIndex()
    candidates = [
        Candidate("far", 0b1111111, "cluster-far"),  # 7 bits: outside
        Candidate("near2", 0b11, "cluster-z"),
        Candidate("near1", 0b1, "cluster-y"),
        Candidate("near1b", 0b10, "cluster-b"),
    ]
    assert index.assign("new", fp, candidates) == "cluster-b"  # distance 1, smaller id than cluster-y
    assert index.assign("alone", fp, [Candidate("far", 0b1111111, "cluster-far")]) == "alone"
    assert index.assign("self", fp, [Candidate("self", fp, "zzz")]) == "self"  # its own stored copy


def test_real_pages_calibration():
    """On real article bodies: light edits within the threshold, no two different articles within."""
    ground = DATA / "extraction" / "chinese_web_content_extraction" / "eval" / "cleaned_ground.json"
    if not ground.exists():
        pytest.skip("../shared/data/extraction not present")
    import json

    texts = [v["articleBody"] for v in json.loads(ground.read_text(encoding="utf-8")).values()]
    texts = [t for t in texts if len(normalize(t)) >= 200][:40]
    result = calibrate(texts)
    assert result["pairs_within"] == 0 and result["pairs_related"] == 0
    assert result["pair_min"] > 2 * THRESHOLD and result["pair_min"] > LOOSE_THRESHOLD
    assert result["edit_recall_related"]["删一段+导语"] >= 0.75  # only 13% within THRESHOLD alone
    for name in ("来源/编辑行", "改三字", "标点空白"):
        assert result["edit_recall"][name] >= 0.95, name
    assert min(v for k, v in result["edit_recall"].items() if k != "删一段+导语") >= 0.85


PINNED = 0x58548EB175E983E8


def test_cluster_index_forgets_the_oldest_beyond_capacity():
    index = ClusterIndex(capacity=2)
    index.add("a", STORY)
    index.add("b", SAME_TOPIC["price_notice"])
    index.add("c", SAME_TOPIC["other_elevator_story"])
    assert len(index) == 2 and index.cluster_of("a") is None
    # the story's repost now founds its own cluster: "a" is only in the store any more
    assert index.add("d", REPOSTS["sentence_dropped"]) == "d"
    assert index.add("e", REPOSTS["end_cut_off"]) == "d"
    assert index.candidates(fingerprint(SAME_TOPIC["price_notice"])) == []
    assert index.related(sentence_keys(SAME_TOPIC["price_notice"])) == []  # its sentence keys went too
