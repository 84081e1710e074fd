"""The extraction evaluation: metric as a pure function, floors pinned, and the real run."""

from __future__ import annotations

import argparse

import pytest

from crawlers.extraction import evaluate

# Floors may rise in floors.yaml, never fall below these (lowering one there fails here).
MINIMUM_FLOORS = {"body_f1": 0.956, "date_accuracy": 0.941, "robust_content_share": 1.0}


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
