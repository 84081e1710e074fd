"""The daily paragraph's sentences from small digests (pure functions, no store)."""

from __future__ import annotations

from datetime import datetime, timedelta

from analysis.workdays import SHANGHAI
from yuqing.digest.model import Digest, DueItem
from yuqing.digest.prose import daily_prose

START = datetime(2024, 3, 12, 0, 0, tzinfo=SHANGHAI)
END = START + timedelta(days=1)


def _met(label: str, state: str, title: str = "校园餐安全再引关注") -> DueItem:
    due = START + timedelta(hours=15)
    met = due + (timedelta(hours=1) if state == "met_late" else -timedelta(hours=1))
    return DueItem("al-1", "ev-1", title, "Ⅱ", "橙", "河西区市场监管局", "responded", label, label, due, met,
                   state, "")


def _digest(met: list[DueItem]) -> Digest:
    return Digest(kind="daily", start=START, end=END, as_of=END, generated_at=END, mentions=0, stories=0,
                  platforms=[], media_levels=[], sentiment=[], volume=[], top_events=[], negative_items=[],
                  due_items=[], overdue_items=[], met_items=met, board_due=[], board_overdue=[], board_replied=0)


def test_every_late_item_is_named():
    text = daily_prose(_digest([_met("报告区领导", "met"), _met("报告局领导", "met_late"),
                                _met("发布权威信息", "met_late")]))
    assert "期间完成时限3项，其中逾期完成2项（报告局领导、发布权威信息）。" in text


def test_a_clock_late_on_two_alerts_is_counted():
    text = daily_prose(_digest([_met("报告局领导", "met_late"), _met("报告局领导", "met_late", "电梯困人"),
                                _met("发布权威信息", "met_late")]))
    assert "逾期完成3项（报告局领导2项、发布权威信息1项）" in text


def test_many_late_clocks_are_summed_up():
    labels = ["报告局领导", "报告区领导", "发布权威信息", "召开新闻发布会"]
    text = daily_prose(_digest([_met(label, "met_late") for label in labels]))
    assert "逾期完成4项（报告局领导等4项）" in text


def test_all_on_time():
    assert "期间完成时限1项，均按时完成。" in daily_prose(_digest([_met("报告局领导", "met")]))
