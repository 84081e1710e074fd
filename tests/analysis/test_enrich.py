"""Enrichment of a batch: every field the index expects, reposts in one cluster, one bad post contained."""

from __future__ import annotations

from dataclasses import replace

import pytest

from analysis import neardup
from analysis.enrich import Enricher
from analysis.identity import post_id

STORY = ("3月12日中午，和平区某小学食堂供应午餐后，陆续有学生出现呕吐、腹痛等症状，已有32名学生被送往医院观察治疗，"
         "目前均无生命危险。区市场监管局已对食堂进行封存，并对留样食品进行抽检，具体原因正在调查中。")


@pytest.fixture(scope="module")
def enricher():
    return Enricher()


@pytest.fixture(autouse=True)
def forget_earlier_batches(enricher):
    """Each test starts from an empty memory of earlier batches (the enricher is shared)."""
    enricher.recent = neardup.ClusterIndex()


def post(url: str, title: str, content: str, **extra) -> dict:
    return {"url": url, "title": title, "content": content, **extra}


def test_every_enriched_field_is_set(enricher):
    [item] = enricher.enrich([post("http://a.cn/1", "和平区一小学食堂疑似食物中毒", STORY)])
    assert item["sentiment"]["label"] == "neg" and item["sentiment"]["model"].startswith("domain@")
    assert 0 <= item["sentiment"]["score"] <= 1
    assert "食品安全" in item["categories"] and item["matched_keywords"]
    assert item["region"]["path"] == "天津市/和平区"
    assert "食堂" in item["keywords"]
    assert "食品安全" not in item["title_seg"] and "食物中毒" in item["title_seg"].split()
    fp = int(item["simhash"], 16)
    assert len(item["simhash"]) == 16
    assert item["simhash_bands"] == neardup.bands(fp) + neardup.sentence_keys(item["title"] + "\n" + STORY)
    assert any(k.startswith("s:") for k in item["simhash_bands"])
    assert item["cluster_id"] == post_id(item)


def test_reposts_in_one_batch_share_the_first_posts_cluster(enricher):
    first = post("http://a.cn/1", "和平区一小学食堂疑似食物中毒", STORY)
    repost = post("http://b.cn/9", "转发：和平区一小学食堂疑似食物中毒", "据津门晚报消息，" + STORY + "（来源：津门晚报）")
    other = post("http://c.cn/2", "东丽区一小区电梯困人", "东丽区某小区电梯故障停在两层之间，5名居民被困，消防员半小时将其救出。")
    enriched = enricher.enrich([first, repost, other])
    assert enriched[0]["cluster_id"] == enriched[1]["cluster_id"] == post_id(first)
    assert enriched[2]["cluster_id"] == post_id(other)


def test_stored_posts_found_by_lookup_give_their_cluster(enricher):
    stored = neardup.Candidate("stored-1", neardup.fingerprint("t\n" + STORY), "cluster-from-yesterday")
    calls = []

    def lookup(keys):
        calls.append(keys)
        return [stored]

    [item] = enricher.enrich([post("http://d.cn/3", "t", STORY)], lookup=lookup)
    assert item["cluster_id"] == "cluster-from-yesterday"
    assert calls and set(calls[0]) >= set(neardup.bands(stored.fingerprint))


def test_a_recrawled_post_keeps_its_stored_cluster(enricher):
    item = post("http://e.cn/4", "t", STORY)
    stored = neardup.Candidate(post_id(item), neardup.fingerprint("t\n" + STORY), "old-cluster")
    [again] = enricher.enrich([item], lookup=lambda keys: [stored])
    assert again["cluster_id"] == "old-cluster"


def test_praise_mentioning_complaints_is_positive(enricher):
    [item] = enricher.enrich([post("http://f.cn/5", "点赞市场监管局",
                                   "上周投诉的噪音问题，市场监管局第二天就派人处理了，效率很高，非常满意！")])
    assert item["sentiment"]["label"] == "pos"


def test_empty_post_gets_neutral_sentiment_and_no_categories(enricher):
    [item] = enricher.enrich([post("http://g.cn/6", "", "")])
    assert item["sentiment"]["label"] == "neu" and item["categories"] == []


def test_one_bad_post_does_not_stop_the_batch(enricher):
    good = post("http://h.cn/7", "超市电子秤缺斤短两", "南开区某超市电子秤称量不准。")
    bad = post("http://h.cn/8", 12345, "正文")
    before = len(enricher.stats.errors)
    result = enricher.enrich([bad, good])
    assert result[1]["categories"] == ["计量/标准/认证/检验检测"]
    assert len(enricher.stats.errors) == before + 1


def _store(stored: list[tuple[neardup.Candidate, list[str]]]):
    """A lookup over ``(candidate, simhash_bands)`` pairs, as the store's terms query answers it."""
    calls = []

    def lookup(keys):
        calls.append(list(keys))
        return [replace(cand, keys=frozenset(indexed)) for cand, indexed in stored if set(indexed) & set(keys)]

    return lookup, calls


REPRINT_TITLE = "和平区一小学32名学生午餐后呕吐 已送医观察"
# retitled, the last clause cut, a source line: 10 bits from the original, its first sentence intact
REPRINT = STORY.replace("，并对留样食品进行抽检，具体原因正在调查中。", "。") + "\n（来源：津门晚报）"


def test_a_reprint_that_dropped_the_end_joins_the_stored_original_through_a_shared_sentence(enricher):
    text = "和平区一小学食堂疑似食物中毒\n" + STORY
    fp = neardup.fingerprint(text)
    original = neardup.Candidate("stored-1", fp, "cluster-original")
    lookup, calls = _store([(original, neardup.bands(fp) + neardup.sentence_keys(text))])
    item = post("http://f.cn/5", REPRINT_TITLE, REPRINT)
    assert neardup.distance(fp, neardup.fingerprint(REPRINT_TITLE + "\n" + REPRINT)) > neardup.THRESHOLD
    [item] = enricher.enrich([item], lookup=lookup)
    assert item["cluster_id"] == "cluster-original"
    assert len(calls) == 2 and all(k.startswith("s:") for k in calls[1])  # bands first, then sentences


def test_a_reprint_joins_its_original_in_the_same_batch(enricher):
    first = post("http://a.cn/1", "和平区一小学食堂疑似食物中毒", STORY)
    reprint = post("http://g.cn/6", REPRINT_TITLE, REPRINT)
    lookup, calls = _store([])
    enriched = enricher.enrich([first, reprint], lookup=lookup)
    assert enriched[1]["cluster_id"] == enriched[0]["cluster_id"] == post_id(first)


def test_a_batch_asks_the_store_twice_whatever_its_size(enricher):
    first = post("http://a.cn/1", "和平区一小学食堂疑似食物中毒", STORY)
    repost = post("http://h.cn/7", "", "家长们注意//@津门晚报：" + "和平区一小学食堂疑似食物中毒\n" + STORY)
    lookup, calls = _store([])
    enriched = enricher.enrich([first, repost], lookup=lookup)
    assert enriched[1]["cluster_id"] == post_id(first)
    assert enriched[1]["simhash"] == enriched[0]["simhash"]  # the repost is fingerprinted by its quote
    assert len(calls) == 2  # one batch look-up by band, one by sentence, not one per post


def test_a_batch_finds_the_previous_batch_before_the_store_shows_it(enricher):
    first = post("http://i.cn/8", "和平区一小学食堂疑似食物中毒", STORY)
    reprint = post("http://j.cn/9", REPRINT_TITLE, REPRINT)
    [first] = enricher.enrich([first], lookup=lambda keys: [])  # written, not yet searchable
    [reprint] = enricher.enrich([reprint], lookup=lambda keys: [])
    assert reprint["cluster_id"] == first["cluster_id"]


def test_each_text_is_segmented_once_for_index_keywords_and_categories(enricher, monkeypatch):
    from analysis import segment

    seen: list[str] = []
    real = segment.lcut
    monkeypatch.setattr(segment, "lcut", lambda tok, text: seen.append(text) or real(tok, text))
    [item] = enricher.enrich([post("http://a.cn/seg", "和平区一小学食堂疑似食物中毒", STORY)])
    assert "食品安全" in item["categories"] and "食物中毒" in item["title_seg"].split()
    assert sorted(seen) == sorted([segment.segment("和平区一小学食堂疑似食物中毒").text, segment.segment(STORY).text])


def test_warming_up_leaves_no_trace_in_counts_or_clusters():
    warm = Enricher()
    warm.warm_up()
    assert warm.stats.posts == 0 and not warm.stats.errors
    cold = Enricher()
    [a] = warm.enrich([post("http://w.cn/1", "和平区一小学食堂疑似食物中毒", STORY)])
    [b] = cold.enrich([post("http://w.cn/1", "和平区一小学食堂疑似食物中毒", STORY)])
    assert a == b and warm.stats.posts == 1


def test_a_board_posts_own_area_is_closer_than_the_boards_region():
    """A 领导留言板 post's 地区 (天津市河西区) gives its district although the text names none and the
    board's own region is the city."""
    from analysis.enrich import text_fields
    from analysis.categories import Categorizer

    board_post = {"title": "小区门口超市卖过期面包", "content": "多次反映没有人管。", "region": {"province": "天津市", "city": "天津市", "district": None, "path": "天津市"},
                  "board": {"area": "天津市河西区", "status": "未回复"}}
    assert text_fields(board_post, Categorizer.from_file())["region"]["path"] == "天津市/河西区"
    unknown = {**board_post, "board": {"area": "某某新区"}}  # not in the gazetteer: the board's region stands
    assert text_fields(unknown, Categorizer.from_file())["region"]["path"] == "天津市"
