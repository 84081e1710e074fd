"""bench/load.py's percentile: with few samples its p95 fell below its median."""

from __future__ import annotations

import importlib.util
import statistics
from pathlib import Path

import pytest

SPEC = importlib.util.spec_from_file_location("bench_load", Path(__file__).resolve().parents[1] / "bench" / "load.py")
load = importlib.util.module_from_spec(SPEC)
SPEC.loader.exec_module(load)


@pytest.mark.parametrize("values", [[0.2, 0.9], [0.5], [0.1, 0.2, 0.3], [x / 100 for x in range(1, 101)]])
def test_p95_is_a_sample_never_below_the_median(values):
    p95 = load.nearest_rank(sorted(values), 0.95)
    assert p95 in values and p95 >= statistics.median(values)


def test_p95_of_a_hundred_samples_is_the_ninety_fifth():
    assert load.nearest_rank(list(range(1, 101)), 0.95) == 95
