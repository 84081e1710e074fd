"""The extraction evaluation: metric as a pure function, floors pinned, and the real run."""

from __future__ import annotations

import argparse

import pytest

from crawlers.extraction import evaluate

# Floors may rise in floors.yaml, never fall below these (lowering one there fails here).
MINIMUM_FLOORS = {
    "body_f1": 0.956,
    "date_accuracy": 0.941,
    "date_accuracy_corrected": 0.980,
    "robust_content_share": 1.0,
    "heldout_date_accuracy": 1.0,
    "heldout_title_accuracy": 1.0,
    "heldout2_date_accuracy": 1.0,
    "heldout2_title_accuracy": 1.0,
    "title_accuracy": 0.753,
    "author_accuracy": 0.440,
    "heldout_author_accuracy": 0.645,
    "heldout2_author_accuracy": 0.580,
}


def test_bigram_f1_identical_and_disjoint():
    assert evaluate.bigram_f1("市场监管局", "市场 监管局") == 1.0
    assert evaluate.bigram_f1("市场监管", "食品安全") == 0.0
    assert evaluate.bigram_f1("", "食品安全") == 0.0


def test_bigram_f1_partial():
    # 3 predicted bigrams, all among the 5 truth bigrams: P=1, R=3/5, F1=0.75
    assert evaluate.bigram_f1("食品安全", "食品安全抽检") == pytest.approx(0.75)
    # repeated bigrams count as a multiset: 2 of 4 predicted 食品 match the single one in truth
    assert evaluate.bigram_f1("食品食品", "食品") == pytest.approx(2 * (1 / 3) * 1 / (1 / 3 + 1))


def test_truth_day():
    assert evaluate.truth_day("2005-5-7 21:23:57") == "2005-05-07"
    assert evaluate.truth_day("1998-3") is None
    assert evaluate.truth_day("UNKNOWN") is None


def test_floors_file_is_valid_and_not_lowered():
    floors = evaluate.load_floors()
    for key, minimum in MINIMUM_FLOORS.items():
        assert floors[key] >= minimum, f"{key} floor lowered below {minimum}"


def test_floors_file_error_names_file_and_line(tmp_path):
    from yuqing.errors import ConfigError

    bad = tmp_path / "floors.yaml"
    bad.write_text("body_f1: 0.9\ndate_accuracy: 1.7\nrobust_content_share: 0.9\n", encoding="utf-8")
    with pytest.raises(ConfigError, match=r"floors.yaml:2"):
        evaluate.load_floors(bad)


def test_raise_floors_only_moves_up(tmp_path):
    path = tmp_path / "floors.yaml"
    path.write_text("body_f1: 0.900\ndate_accuracy: 0.950\n", encoding="utf-8")
    changed = evaluate.raise_floors({"body_f1": 0.9, "date_accuracy": 0.95}, {"body_f1": 0.9567, "date_accuracy": 0.90}, path)
    assert changed == ["body_f1 0.900 → 0.956"]
    assert path.read_text(encoding="utf-8") == "body_f1: 0.956\ndate_accuracy: 0.950\n"


@pytest.mark.skipif(not evaluate.GROUND_SET.exists(), reason="evaluation data ../shared/data/extraction absent")
def test_evaluation_meets_floors(capsys):
    args = argparse.Namespace(no_baselines=True, details=False, raise_floors=False)
    code = evaluate.run(args)
    out = capsys.readouterr().out
    assert code == 0, out
    assert "全部达标" in out
    assert "留出集一（gne_testpages 每 2 页取 1 页，31 页人工标注；其漏判指导过日期与标题规则）" in out
    assert "第二留出集（另一半 31 页，先人工标注；首测日期 29/31、标题 25/31，其漏判随后指导过规则）" in out
    assert "标题（title_truth.yaml，69 页人工标注；首测 36/69，其漏判随后指导过标题规则）" in out
    assert "作者（author_ground.json，50 页标有作者；首测 4/50，其漏判随后指导过作者规则）" in out
    assert "作者留出集二（另一半 31 页，先人工标注，从未据其调整规则；作者规则之前 7/31）" in out
    assert "未调参" not in out


def test_title_match_normalizes_width_and_whitespace_only():
    assert evaluate.title_match("运营商 5G 手机促销！", "运营商5G手机促销!")
    assert evaluate.title_match("Ｇａｌａｘｙ　S20", "Galaxy S20")
    assert not evaluate.title_match("市场监管局通报_中山网", "市场监管局通报")  # a site suffix is a miss
    assert not evaluate.title_match("", "")
    assert not evaluate.title_match(None, "市场监管局通报")


@pytest.mark.parametrize("path", [evaluate.HELDOUT_FILE, evaluate.HELDOUT2_FILE], ids=["first", "fresh"])
def test_heldout_truth_file_is_valid(path):
    pages = evaluate.load_heldout(path)
    assert 25 <= len(pages) <= 40
    assert len({p["page"] for p in pages}) == len(pages)
    assert all(p["title"].strip() for p in pages)
    assert all(p["date"] is not None or p["note"] for p in pages)


def test_heldout_null_date_needs_a_note(tmp_path):
    from yuqing.errors import ConfigError

    bad = tmp_path / "heldout.yaml"
    bad.write_text(
        "sample_rule: all\npages:\n  - page: a.html\n    date: null\n    title: 标题\n", encoding="utf-8"
    )
    with pytest.raises(ConfigError, match=r"heldout.yaml:2: pages: date 为 null 的页面须写 note"):
        evaluate.load_heldout(bad)
    bad.write_text(
        "sample_rule: all\npages:\n  - page: a.html\n    date: '2019-9-7'\n    title: 标题\n", encoding="utf-8"
    )
    with pytest.raises(ConfigError, match=r"heldout.yaml:4: pages\[0\].date: 应为 'YYYY-MM-DD'"):
        evaluate.load_heldout(bad)


def test_score_heldout_counts_days_titles_and_null_dates(tmp_path):
    page = "<html><body><h1>市场监管局通报抽检结果</h1><p>发布时间：2019-09-07 10:00</p>" + "<p>正文内容。</p>" * 20
    (tmp_path / "x.html").write_text(page + "</body></html>", encoding="utf-8")
    entry = {"page": "x.html", "fetched_at": None, "note": ""}
    truth = [
        dict(entry, date="2019-09-07", title="市场监管局通报抽检结果"),
        dict(entry, date="2019-09-08", title="另一个标题"),
        dict(entry, date=None, title="市场监管局通报抽检结果", note="no date shown"),
    ]
    result = evaluate.score_heldout(truth, baseline=False, data=tmp_path)
    assert result.pages == 3
    assert (result.day_hits, result.title_hits) == ([True, False, False], [True, False, True])
    assert result.baseline_accuracy is None
    assert result.misses == [
        "x.html 日期 2019-09-08 / 抽得 2019-09-07",
        "x.html 标题 另一个标题 / 抽得 市场监管局通报抽检结果",
        "x.html 日期 无 / 抽得 2019-09-07",
    ]


@pytest.mark.skipif(not evaluate.ROBUSTNESS_SET.exists(), reason="evaluation data ../shared/data absent")
def test_heldout_pages_follow_the_stated_sample_rule():
    assert [p["page"] for p in evaluate.load_heldout()] == evaluate.heldout_sample()


@pytest.mark.skipif(not evaluate.ROBUSTNESS_SET.exists(), reason="evaluation data ../shared/data absent")
def test_fresh_heldout_pages_are_the_other_half():
    fresh = [p["page"] for p in evaluate.load_heldout(evaluate.HELDOUT2_FILE)]
    assert fresh == evaluate.heldout_sample(start=1)
    assert not set(fresh) & {p["page"] for p in evaluate.load_heldout()}


def test_title_truth_file_is_valid():
    titles = evaluate.load_title_truth()
    assert len(titles) == 69
    assert all(t is None or t.strip() for t in titles.values())
    assert sum(t is None for t in titles.values()) <= 5


@pytest.mark.skipif(not evaluate.GROUND_SET.exists(), reason="evaluation data ../shared/data absent")
def test_title_truth_covers_the_labelled_set_exactly():
    pages = sorted(p.stem for p in (evaluate.GROUND_SET / "original").glob("*.html"))
    assert sorted(evaluate.load_title_truth()) == pages


def test_title_truth_null_needs_a_note_and_ids_are_unique(tmp_path):
    from yuqing.errors import ConfigError

    bad = tmp_path / "titles.yaml"
    bad.write_text("pages:\n  - id: a\n    title: null\n", encoding="utf-8")
    with pytest.raises(ConfigError, match=r"titles.yaml:1: pages: title 为 null 的页面须写 note"):
        evaluate.load_title_truth(bad)
    bad.write_text("pages:\n  - id: a\n    title: 标题\n  - id: a\n    title: 标题\n", encoding="utf-8")
    with pytest.raises(ConfigError, match=r"页面 id 重复: a"):
        evaluate.load_title_truth(bad)


def test_errata_correct_only_the_named_pages_and_check_the_shipped_label():
    from yuqing.errors import YuqingError

    pages = [{"id": "a", "day": "2005-05-07", "corrected_day": "2005-05-07"},
             {"id": "b", "day": "2022-01-27", "corrected_day": "2022-01-27"}]
    errata = {"a": {"labelled": "2005-05-07", "corrected": "2005-07-05", "evidence": "US order"}}
    evaluate.apply_errata(pages, errata)
    assert [p["corrected_day"] for p in pages] == ["2005-07-05", "2022-01-27"]
    assert [p["day"] for p in pages] == ["2005-05-07", "2022-01-27"]  # the shipped figure is untouched

    scores = evaluate.Scores()
    for found, page in zip(["2005-07-05", "2022-01-28"], pages):
        scores.score_day(found, page)
    assert scores.date_accuracy == 0.0 and scores.corrected_date_accuracy == 0.5

    stale = {"b": {"labelled": "2022-01-28", "corrected": "2022-01-27", "evidence": "x"}}
    with pytest.raises(YuqingError, match="b 的勘误与数据不符"):
        evaluate.apply_errata(pages, stale)
    with pytest.raises(YuqingError, match="页面不存在"):
        evaluate.apply_errata(pages, {"zz": stale["b"]})


def test_errata_file_is_valid_and_every_entry_has_evidence():
    errata = evaluate.load_errata()
    assert len(errata) == 2
    assert all(len(fix["evidence"]) > 40 and fix["labelled"] != fix["corrected"] for fix in errata.values())
    if evaluate.GROUND_SET.exists():  # the shipped labels are as the errata say
        evaluate.apply_errata(evaluate.load_ground(), errata)


def test_author_match_compares_the_names_in_order_whatever_the_separators():
    assert evaluate.author_match("伊琳 李清芬", "伊琳  李清芬")
    assert evaluate.author_match("赵延东 风笑天", "赵延东、风笑天")
    assert not evaluate.author_match("王燕平 方云凤", "刘国栋 王燕平 方云凤")
    assert not evaluate.author_match(None, "张三")
    assert evaluate.author_match(None, None) and not evaluate.author_match("张三", None)


def test_author_truth_file_is_valid_and_covers_every_gne_page():
    truth = evaluate.load_author_truth()
    assert len(truth) == 62
    if evaluate.ROBUSTNESS_SET.exists():
        assert set(truth) == set(evaluate.heldout_sample(start=0)) | set(evaluate.heldout_sample(start=1))


def test_author_truth_roles_must_agree_with_authors(tmp_path):
    from yuqing.errors import ConfigError

    bad = tmp_path / "authors.yaml"
    bad.write_text("pages:\n  - page: a.html\n    author: 张三\n    role: null\n", encoding="utf-8")
    with pytest.raises(ConfigError, match="author 与 role"):
        evaluate.load_author_truth(bad)
