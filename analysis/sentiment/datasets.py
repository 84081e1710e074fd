"""Readers for the third-party polarity sets in ``../shared/data/sentiment`` (never copied here).

Every reader returns ``list[Example]`` with the binary mapping used throughout: 1 = positive,
0 = negative. Sets without a published split are split deterministically by a hash of the text,
so the same review always lands in the same part whatever the file order.
"""

from __future__ import annotations

import csv
import hashlib
import json
from dataclasses import dataclass
from pathlib import Path

PROJECT_ROOT = Path(__file__).resolve().parents[2]
DATA_ROOT = PROJECT_ROOT.parent / "shared" / "data" / "sentiment"

# smp2020: happy is positive; angry, sad and fear are negative; neutral and surprise are dropped.
SMP_LABELS = {"happy": 1, "angry": 0, "sad": 0, "fear": 0}
SMP_FILES = {"train": "virus_train.txt", "eval": "virus_eval_labeled.txt", "test": "virus_test_labeled.txt"}

# Hash buckets (of 10) for sets that have no split of their own.
WEIBO_DEV_BUCKETS = {0}  # carved out of weibo2018 train for model selection
WAIMAI_TEST_BUCKETS = {0}  # held out for evaluation, never trained on
WAIMAI_DEV_BUCKETS = {1}  # for model selection


@dataclass(frozen=True)
class Example:
    """One labelled text: ``label`` is 1 for positive, 0 for negative."""

    text: str
    label: int


def available(root: Path | None = None) -> bool:
    """Whether the shared sentiment data is present (it is absent in a user's clone)."""
    root = root or DATA_ROOT
    return (root / "weibo2018" / "test.txt").is_file()


def bucket(text: str) -> int:
    """A stable bucket 0..9 for ``text`` (md5, independent of Python's hash seed)."""
    return hashlib.md5(text.encode("utf-8")).digest()[0] % 10


def weibo2018(split: str, root: Path | None = None) -> list[Example]:
    """weibo2018 ``train`` (minus dev buckets), ``dev`` (carved from train), ``full`` train or ``test``."""
    root = root or DATA_ROOT
    name = "test.txt" if split == "test" else "train.txt"
    examples = []
    with open(root / "weibo2018" / name, encoding="utf-8") as handle:
        for line in handle:
            parts = line.rstrip("\n").split(",", 2)
            if len(parts) != 3 or parts[1] not in ("0", "1"):
                continue
            examples.append(Example(parts[2], int(parts[1])))
    if split == "train":
        return [e for e in examples if bucket(e.text) not in WEIBO_DEV_BUCKETS]
    if split == "dev":
        return [e for e in examples if bucket(e.text) in WEIBO_DEV_BUCKETS]
    if split in ("full", "test"):
        return examples
    raise ValueError(f"unknown weibo2018 split {split!r}")


def smp2020_virus(split: str, root: Path | None = None) -> list[Example]:
    """smp2020 EWECT virus ``train``, ``eval`` or ``test``, neutral and surprise dropped."""
    root = root or DATA_ROOT
    if split not in SMP_FILES:
        raise ValueError(f"unknown smp2020_virus split {split!r}")
    with open(root / "smp2020_virus" / SMP_FILES[split], encoding="utf-8") as handle:
        rows = json.load(handle)
    return [Example(r["content"], SMP_LABELS[r["label"]]) for r in rows if r.get("label") in SMP_LABELS]


def waimai(split: str, root: Path | None = None) -> list[Example]:
    """waimai_10k by text hash: ``test`` (10 %), ``dev`` (10 %) or ``train`` (the remaining 80 %)."""
    root = root or DATA_ROOT
    examples = []
    with open(root / "waimai_10k" / "waimai_10k.csv", encoding="utf-8", newline="") as handle:
        for row in csv.DictReader(handle):
            if row.get("label") in ("0", "1") and row.get("review"):
                examples.append(Example(row["review"], int(row["label"])))
    if split == "test":
        return [e for e in examples if bucket(e.text) in WAIMAI_TEST_BUCKETS]
    if split == "dev":
        return [e for e in examples if bucket(e.text) in WAIMAI_DEV_BUCKETS]
    if split == "train":
        return [e for e in examples if bucket(e.text) not in WAIMAI_TEST_BUCKETS | WAIMAI_DEV_BUCKETS]
    raise ValueError(f"unknown waimai split {split!r}")


# The sets the evaluation reports, in order: (key, display name, loader).
TEST_SETS = {
    "weibo2018": ("weibo2018 test", lambda: weibo2018("test")),
    "smp2020_virus": ("smp2020 virus test", lambda: smp2020_virus("test")),
    "waimai": ("waimai_10k 留出集", lambda: waimai("test")),
}
