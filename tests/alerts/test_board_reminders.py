"""Board reply reminders: one before the working-day deadline and one at overdue, to the owing unit."""

from __future__ import annotations

import copy
from datetime import datetime, timedelta

from analysis import clocks
from analysis.workdays import SHANGHAI
from yuqing.alerts.boards import due_board_reminders, notice_text, state_id
from yuqing.alerts.engine import AlertEngine

# Monday 2024-03-11 10:00; people_board allows 5 working days: due Monday 2024-03-18 23:59:59,
# reminded on Friday 2024-03-15 at 09:00 (one working day before the due day).
POSTED = datetime(2024, 3, 11, 10, 0, tzinfo=SHANGHAI)
DUE = datetime(2024, 3, 18, 23, 59, 59, tzinfo=SHANGHAI)
REMIND = datetime(2024, 3, 15, 9, 0, tzinfo=SHANGHAI)


def board_post(post_id: str = "b1", **board) -> dict:
    fields = {"post_id": post_id, "channel": "people_board", "addressee": "市市场监管局",  # crawlers store the key
              "status": "未回复", **board}
    return {"id": post_id, "source": "sandbox_board", "source_kind": "board_html", "platform": "留言板",
            "url": f"http://127.0.0.1/board/{post_id}", "title": "小区门口餐馆油烟扰民",
            "content": "多次反映无人处理。", "published_at": POSTED.isoformat(), "board": fields}


def test_the_channel_is_found_by_its_display_name():
    deadline = clocks.post_reply_deadlines(POSTED, "人民网《领导留言板》", clocks.load_policy())[0]
    assert deadline.due_at == DUE and deadline.working_days == 5


def test_an_unconfigured_channel_gets_the_default_working_days():
    deadline = clocks.post_reply_deadlines(POSTED, "某区政务留言", clocks.load_policy())[0]
    assert deadline.working_days == clocks.DEFAULT_BOARD_WORKING_DAYS and "默认" in deadline.basis


def test_a_due_time_the_channel_published_wins_and_moves_the_reminder():
    stored = datetime(2024, 3, 13, 17, 0, tzinfo=SHANGHAI)  # Wednesday
    deadline = clocks.post_reply_deadlines(POSTED, "people_board", clocks.load_policy(), due_at=stored)[0]
    assert deadline.due_at == stored
    assert [p.fire_at for p in deadline.reminder_points] == [datetime(2024, 3, 12, 9, 0, tzinfo=SHANGHAI), stored]


def test_nothing_is_due_before_the_reminder_point():
    assert due_board_reminders([board_post()], clocks.load_policy(), REMIND - timedelta(minutes=1), {}) == []


def test_the_reminder_names_the_owing_unit_and_covers_what_it_sends():
    [item] = due_board_reminders([board_post(reply_unit="河西区市场监管局")], clocks.load_policy(), REMIND, {})
    assert item.unit == "河西区市场监管局" and item.post_id == "b1"
    assert item.channel == "人民网《领导留言板》"  # the key is shown by its display name
    assert "渠道：人民网《领导留言板》" in notice_text(item)
    assert item.reminder.point.name == "before:1wd" and "【提醒】" in item.reminder.text
    assert due_board_reminders([board_post()], clocks.load_policy(), REMIND,
                               {"b1": item.reminder.covers}) == []


def test_a_late_first_look_sends_only_the_overdue_reminder_covering_the_earlier_one():
    [item] = due_board_reminders([board_post()], clocks.load_policy(), DUE + timedelta(hours=1), {})
    assert item.reminder.point.name == "overdue" and "【超时】" in item.reminder.text
    assert len(item.reminder.covers) == 2
    assert item.unit == "市市场监管局"  # no reply unit: the addressee owes the reply


def _index(store, posts):
    assert not store.index_posts(copy.deepcopy(posts), refresh=True).failed


def _board_notices(recorder):
    return [n for n in recorder.notices if n.title.startswith("【留言答复提醒】")]


def test_engine_reminds_once_before_and_once_at_overdue_across_restarts(store, recorder):
    _index(store, [board_post("b1"), board_post("b2", reply_unit="河西区市场监管局")])
    assert AlertEngine(store, notifier=recorder).cycle(REMIND - timedelta(hours=1)).board_reminders == 0
    assert AlertEngine(store, notifier=recorder).cycle(REMIND + timedelta(minutes=1)).board_reminders == 2
    assert AlertEngine(store, notifier=recorder).cycle(REMIND + timedelta(hours=2)).board_reminders == 0
    sent = _board_notices(recorder)
    assert sorted(n.unit for n in sent) == ["市市场监管局", "河西区市场监管局"]
    assert all(n.kind == "reminder" and "答复留言剩余" in n.text for n in sent)
    assert AlertEngine(store, notifier=recorder).cycle(DUE + timedelta(minutes=1)).board_reminders == 2
    assert all("超时" in n.text for n in _board_notices(recorder)[2:])
    state = store.get("alert-state", state_id("b1"))
    assert len(state["details"]["sent"]) == 2 and state["deliveries"][-1]["ok"] is True


def test_a_replied_post_gets_no_reminder(store, recorder):
    _index(store, [board_post("b1", status="已办理", reply_at=(POSTED + timedelta(days=1)).isoformat()),
                   board_post("b2", status="办理中")])
    assert AlertEngine(store, notifier=recorder).cycle(DUE + timedelta(minutes=1)).board_reminders == 1
    assert [n.title for n in _board_notices(recorder)] == ["【留言答复提醒】小区门口餐馆油烟扰民"]
