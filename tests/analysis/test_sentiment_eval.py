"""`yuqing eval sentiment`: floors file, table, and the pinned floors on the real data."""

from __future__ import annotations

import argparse
from pathlib import Path

import pytest

from analysis.sentiment import datasets, evaluate
from yuqing.errors import ConfigError

# The floors may rise, never silently fall: lowering one in floors.yaml also needs a change here.
MINIMUM_FLOORS = {"weibo2018": 0.83, "smp2020_virus": 0.90, "waimai": 0.86}

needs_data = pytest.mark.skipif(not datasets.available(), reason="../shared/data/sentiment 不存在（用户的克隆）")


def args(**kw) -> argparse.Namespace:
    parser = argparse.ArgumentParser()
    evaluate.add_arguments(parser)
    return parser.parse_args([f"--{k}" if v is True else f"--{k}={v}" for k, v in kw.items()])


def test_floors_file_is_valid_and_never_below_the_recorded_minimum():
    floors = evaluate.load_floors()
    assert floors["model"] == "domain@4"
    for key, minimum in MINIMUM_FLOORS.items():
        assert floors["floors"][key]["macro_f1"] >= minimum, key


def test_bad_floors_file_names_file_and_line(tmp_path):
    path = tmp_path / "floors.yaml"
    text = "model: domain@4\nfloors:\n  weibo2018:\n    accuracy: 1.5\n    macro_f1: 0.8\n"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(ConfigError, match=r"floors.yaml:4:.*0 到 1"):
        evaluate.load_floors(path)


def test_check_floors_reports_each_shortfall():
    floors = {"model": "m", "floors": {"weibo2018": {"accuracy": 0.8, "macro_f1": 0.8}}}
    rows = [evaluate.Row("weibo2018", 10, "m", 0.9, 0.7), evaluate.Row("weibo2018", 10, "other", 0.1, 0.1)]
    failures = evaluate.check_floors(rows, floors)
    assert len(failures) == 1 and "macro_f1 0.700" in failures[0]


def test_majority_labels():
    assert evaluate.majority_labels([1, 0, 1]) == [1, 1, 1]
    assert evaluate.majority_labels([0, 0, 1]) == [0, 0, 0]


@needs_data
def test_domain_model_meets_the_floors_and_beats_stock_and_majority():
    floors = evaluate.load_floors()
    rows = evaluate.evaluate()
    assert evaluate.check_floors(rows, floors) == []
    for key in MINIMUM_FLOORS:
        by_model = {r.model: r.macro_f1 for r in rows if r.dataset == key}
        assert by_model["domain@4"] > max(v for m, v in by_model.items() if m != "domain@4"), key


@needs_data
def test_floors_hold_on_the_test_sets_rewritten_in_traditional_characters(capsys):
    rows = evaluate.evaluate(models=["domain"], traditional=True)
    assert evaluate.check_floors(rows, evaluate.load_floors()) == []
    assert evaluate.run(args(model="domain", traditional=True)) == 0
    assert "繁体字" in capsys.readouterr().out


@needs_data
def test_run_prints_the_table_and_exits_non_zero_when_a_floor_is_not_met(tmp_path, capsys):
    strict = tmp_path / "floors.yaml"
    strict.write_text("model: domain@4\nfloors:\n" + "".join(
        f"  {k}:\n    accuracy: 0.99\n    macro_f1: 0.99\n" for k in MINIMUM_FLOORS), encoding="utf-8")
    assert evaluate.run(args(limit=20, model="domain")) == 0  # --limit: no floor check
    assert evaluate.run(args(floors=strict, model="domain")) == 1
    captured = capsys.readouterr()
    assert "weibo2018 test" in captured.out and "多数类" in captured.out
    assert "未达标" in captured.err


def test_run_skips_with_one_line_when_data_is_absent(monkeypatch, tmp_path, capsys):
    monkeypatch.setattr(datasets, "DATA_ROOT", tmp_path)
    assert evaluate.run(args()) == 0
    assert capsys.readouterr().out.startswith("跳过")


@needs_data
def test_the_shipped_model_is_what_the_training_script_writes(tmp_path):
    # a change of features, lexicon or folding that was not followed by retraining shows here
    from analysis.sentiment import train
    from analysis.sentiment.models import DOMAIN_FILE

    output = tmp_path / DOMAIN_FILE
    assert train.main(["--output", str(output)]) == 0
    assert output.read_bytes() == (Path(train.__file__).with_name(DOMAIN_FILE)).read_bytes()
