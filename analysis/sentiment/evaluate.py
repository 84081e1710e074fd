"""`yuqing eval sentiment`: the domain model vs stock SnowNLP vs the majority class, per test set.

Reads the test sets from ``../shared/data/sentiment`` (skips with one line when absent), prints
accuracy and macro-F1 side by side and checks the domain model against the floors pinned in
``floors.yaml``; the exit code is 1 when a floor is not met. Floors may rise, never silently fall.
"""

from __future__ import annotations

import argparse
import sys
import time
from dataclasses import dataclass
from pathlib import Path

from yuqing.columns import ljust, rjust

FLOORS_FILE = Path(__file__).with_name("floors.yaml")


def _unit_interval(value: float) -> str | None:
    return None if 0.0 <= value <= 1.0 else f"应在 0 到 1 之间，实际是 {value}"


def floors_schema() -> dict:
    from yuqing.config import Field

    from analysis.sentiment.datasets import TEST_SETS

    floor = {
        "accuracy": Field(float, required=True, check=_unit_interval, help="准确率下限"),
        "macro_f1": Field(float, required=True, check=_unit_interval, help="macro-F1 下限"),
    }
    return {
        "model": Field(str, required=True, help="下限适用的模型（带版本）"),
        "floors": Field(
            dict,
            required=True,
            schema={key: Field(dict, required=True, schema=floor) for key in TEST_SETS},
            help="每个评测集的下限",
        ),
    }


def load_floors(path: Path = FLOORS_FILE) -> dict:
    """The validated floors file (raises ConfigError naming file:line)."""
    from yuqing.config import load

    return load(path, floors_schema())


@dataclass(frozen=True)
class Row:
    """One model on one test set."""

    dataset: str
    size: int
    model: str
    accuracy: float
    macro_f1: float


def majority_labels(gold: list[int]) -> list[int]:
    """Every prediction the test set's most frequent label (ties: positive)."""
    label = 1 if 2 * sum(gold) >= len(gold) else 0
    return [label] * len(gold)


def evaluate(limit: int | None = None, models: list[str] | None = None, traditional: bool = False) -> list[Row]:
    """Rows for every test set and model (domain, stock, then 多数类); with ``traditional``, every text
    is first rewritten in traditional characters (:func:`analysis.hanzi.to_traditional`)."""
    from analysis.hanzi import to_traditional
    from analysis.sentiment import MODELS, get_model
    from analysis.sentiment.datasets import TEST_SETS
    from analysis.sentiment.metrics import scores

    rows = []
    for key, (_title, loader) in TEST_SETS.items():
        examples = loader()
        if limit is not None:
            examples = examples[:limit]
        gold = [e.label for e in examples]
        texts = [to_traditional(e.text) if traditional else e.text for e in examples]
        for name in models or list(MODELS):
            model = get_model(name)
            predicted = [1 if r.label == "pos" else 0 for r in model.score_batch(texts)]
            rows.append(Row(key, len(examples), model.name, *scores(gold, predicted)))
        rows.append(Row(key, len(examples), "多数类", *scores(gold, majority_labels(gold))))
    return rows


def check_floors(rows: list[Row], floors: dict) -> list[str]:
    """Failures of ``floors['model']`` against its floors, one message each (empty when all are met)."""
    failures = []
    for row in rows:
        if row.model != floors["model"]:
            continue
        floor = floors["floors"][row.dataset]
        for metric in ("accuracy", "macro_f1"):
            value = getattr(row, metric)
            if value < floor[metric]:
                failures.append(f"{row.dataset}: {row.model} 的 {metric} {value:.3f} 低于下限 {floor[metric]:.3f}")
    return failures


def format_table(rows: list[Row], floors: dict | None) -> str:
    from analysis.sentiment.datasets import TEST_SETS

    header = [ljust("评测集", 20), rjust("条数", 6), "  ", ljust("模型", 22), rjust("准确率", 8),
              rjust("macro-F1", 10)]
    lines = ["".join(header) + "  下限(准确率/macro-F1)"]
    previous = None
    for row in rows:
        title = TEST_SETS[row.dataset][0] if row.dataset != previous else ""
        size = str(row.size) if row.dataset != previous else ""
        previous = row.dataset
        floor = ""
        if floors and row.model == floors["model"]:
            f = floors["floors"][row.dataset]
            met = row.accuracy >= f["accuracy"] and row.macro_f1 >= f["macro_f1"]
            floor = f"{f['accuracy']:.3f}/{f['macro_f1']:.3f} {'达标' if met else '未达标'}"
        cells = [ljust(title, 20), rjust(size, 6), "  ", ljust(row.model, 22),
                 f"{row.accuracy:>8.3f}", f"{row.macro_f1:>10.3f}"]
        lines.append("".join(cells) + (f"  {floor}" if floor else ""))
    return "\n".join(lines)


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--limit", type=int, metavar="N", help="每个评测集只用前 N 条（快速检查，此时不检查下限）")
    parser.add_argument("--model", action="append", dest="models", metavar="NAME",
                        help="只评测这个模型（可重复；默认全部）")
    parser.add_argument("--floors", type=Path, default=FLOORS_FILE,
                        help="下限文件（默认 analysis/sentiment/floors.yaml）")
    parser.add_argument("--traditional", action="store_true",
                        help="先把每条文本逐字改写成繁体字再评测（繁体帖子的稳健性；下限照样检查）")


def run(args: argparse.Namespace) -> int:
    from analysis.sentiment import datasets

    if args.limit is not None and args.limit < 1:
        from yuqing.errors import YuqingError

        raise YuqingError(f"--limit 应为正整数，实际是 {args.limit}")
    if not datasets.available():
        print(f"跳过: 找不到评测数据目录 {datasets.DATA_ROOT}")
        return 0
    floors = load_floors(args.floors)
    started = time.perf_counter()
    rows = evaluate(args.limit, args.models, args.traditional)
    if args.traditional:
        print("各评测集已逐字改写为繁体字（analysis.hanzi.to_traditional）")
    print(format_table(rows, floors))
    print(f"用时 {time.perf_counter() - started:.1f} 秒")
    if args.limit is not None:
        print(f"只用了每个评测集的前 {args.limit} 条，不检查下限")
        return 0
    failures = check_floors(rows, floors)
    for failure in failures:
        print(f"未达标: {failure}", file=sys.stderr)
    return 1 if failures else 0
