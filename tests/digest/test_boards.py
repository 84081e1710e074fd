"""board_items: unanswered posts are always listed, however old; the lookback bounds answered ones only."""

from __future__ import annotations

from datetime import datetime, timedelta

import pytest

from analysis.clocks import load_policy
from analysis.workdays import SHANGHAI
from yuqing.digest.model import board_items

pytestmark = pytest.mark.es

AS_OF = datetime(2024, 6, 20, 9, 0, tzinfo=SHANGHAI)


def board_post(post_id: str, posted: datetime, reply_at: datetime | None = None) -> dict:
    board = {"post_id": post_id, "channel": "人民网《领导留言板》", "addressee": "市市场监管局",
             "status": "已回复" if reply_at else "未回复", "reply_at": reply_at}
    return {"id": post_id, "source": "sandbox_board", "source_kind": "board_html", "platform": "留言板",
            "url": f"http://127.0.0.1/board/{post_id}", "title": f"留言 {post_id}", "content": "多次反映无人处理。",
            "published_at": posted.isoformat(), "board": board}


def test_old_unanswered_posts_stay_overdue_and_the_lookback_bounds_answered_ones(store):
    posts = [
        board_post("old-open", AS_OF - timedelta(days=120)),  # unanswered for four months
        board_post("old-late-reply", AS_OF - timedelta(days=90), reply_at=AS_OF + timedelta(days=1)),
        board_post("old-answered", AS_OF - timedelta(days=90), reply_at=AS_OF - timedelta(hours=5)),
        board_post("recent-answered", AS_OF - timedelta(days=10), reply_at=AS_OF - timedelta(hours=5)),
        board_post("answered-before-since", AS_OF - timedelta(days=10), reply_at=AS_OF - timedelta(days=3)),
    ]
    assert not store.index_posts(posts, refresh=True).failed
    items = {b.post_id: b for b in board_items(store, AS_OF, load_policy(), since=AS_OF - timedelta(days=1))}
    assert set(items) == {"old-open", "old-late-reply", "recent-answered"}
    assert items["old-open"].state == "overdue" and items["old-open"].reply_at is None
    assert items["old-late-reply"].state == "overdue"  # unanswered at as_of
    wide = board_items(store, AS_OF, load_policy(), since=AS_OF - timedelta(days=1), lookback_days=365)
    assert {b.post_id for b in wide} == {"old-open", "old-late-reply", "recent-answered", "old-answered"}


def test_posts_due_at_the_same_time_keep_one_order_oldest_first(store):
    # Two openings of the same day's 日报 listed posts with the same reply deadline in different orders.
    day = AS_OF - timedelta(days=3)
    posts = [board_post(f"same-day-{n}", day.replace(hour=9 + n)) for n in (3, 1, 2, 0)]
    assert not store.index_posts(posts, refresh=True).failed
    items = board_items(store, AS_OF, load_policy())
    assert len({b.due_at for b in items}) == 1  # one reply deadline for the four
    assert [b.post_id for b in items] == ["same-day-0", "same-day-1", "same-day-2", "same-day-3"]
