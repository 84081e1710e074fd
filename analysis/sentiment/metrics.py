"""Accuracy and macro-F1 for binary labels (1 = positive, 0 = negative)."""

from __future__ import annotations

from typing import Sequence


def f1_of(gold: Sequence[int], predicted: Sequence[int], cls: int) -> float:
    """F1 of class ``cls``; 0.0 when the class is never predicted or never present."""
    tp = sum(1 for g, p in zip(gold, predicted) if g == cls and p == cls)
    fp = sum(1 for g, p in zip(gold, predicted) if g != cls and p == cls)
    fn = sum(1 for g, p in zip(gold, predicted) if g == cls and p != cls)
    return 2 * tp / (2 * tp + fp + fn) if tp else 0.0


def scores(gold: Sequence[int], predicted: Sequence[int]) -> tuple[float, float]:
    """(accuracy, macro-F1 over the two classes)."""
    if len(gold) != len(predicted):
        raise ValueError(f"{len(gold)} gold labels but {len(predicted)} predictions")
    if not gold:
        raise ValueError("no examples")
    accuracy = sum(1 for g, p in zip(gold, predicted) if g == p) / len(gold)
    return accuracy, (f1_of(gold, predicted, 0) + f1_of(gold, predicted, 1)) / 2
