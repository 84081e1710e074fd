"""Segmentation: the project dictionary and the gazetteer's place names."""

from __future__ import annotations


def test_district_names_are_one_word():
    from analysis.segment import tokens

    assert tokens("静海区市场监管局通报") == ["静海区", "市场监管局", "通报"]
    assert tokens("蓟州区一家超市")[0] == "蓟州区"
