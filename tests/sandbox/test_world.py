"""The corpus and scenario timeline as pure data: volumes, spread, reposts, board status changes."""

from collections import Counter
from datetime import timedelta

from yuqing.sandbox.corpus import CATEGORIES, DISTRICTS
from yuqing.sandbox.world import ANSWERED, IN_PROGRESS, UNANSWERED, build_world


def _shingles(text: str, n: int = 4) -> set[str]:
    return {text[i:i + n] for i in range(max(1, len(text) - n + 1))}


def _jaccard(a: str, b: str) -> float:
    x, y = _shingles(a), _shingles(b)
    return len(x & y) / len(x | y)


def test_world_is_deterministic(world):
    again = build_world()
    assert [(p.id, p.published_at, p.path, p.content) for p in again.posts] == \
           [(p.id, p.published_at, p.path, p.content) for p in world.posts]


def test_a_few_hundred_items_over_all_categories_and_districts(world):
    assert 250 <= len(world.posts) <= 600
    assert set(Counter(p.category for p in world.posts)) == set(CATEGORIES)
    seen = {p.region.removeprefix("天津市") for p in world.posts}
    assert set(DISTRICTS) <= seen
    assert all(p.region.startswith("天津市") for p in world.posts)
    assert len({p.path for p in world.posts}) == len(world.posts)


def test_every_media_level_is_represented(world):
    assert {p.media_level for p in world.posts} == {"中央", "省级", "市级", "行业", "商业", "自媒体"}


def test_every_site_and_scenario_has_items(world):
    sites = Counter(p.site for p in world.posts)
    assert set(sites) == {"news", "central", "industry", "portal", "board_html", "board_api", "social"}
    assert set(Counter(p.scenario for p in world.posts)) == {"food_poisoning", "gym_prepaid", "elevator",
                                                            "background"}


def test_food_poisoning_grows_fast_over_the_first_hours(world):
    start = world.scenarios["food_poisoning"].start
    posts = [p for p in world.posts if p.scenario == "food_poisoning"]
    counts = [sum(p.published_at <= start + timedelta(hours=h) for p in posts) for h in range(0, 9)]
    assert all(b > a for a, b in zip(counts, counts[1:])), counts
    # hours 4–6 bring more new items than hours 0–2: the story accelerates
    assert counts[6] - counts[4] > counts[2] - counts[0]
    assert counts[8] >= 50


def test_food_poisoning_reaches_central_media_the_same_day(world):
    start = world.scenarios["food_poisoning"].start
    central = [p for p in world.posts if p.scenario == "food_poisoning" and p.media_level == "中央"
               and p.site == "central"]
    assert central and min(p.published_at for p in central) - start < timedelta(hours=12)


def test_background_items_are_spread_out(world):
    background = sorted(p.published_at for p in world.posts if p.scenario == "background")
    assert background[-1] - background[0] >= timedelta(days=12)
    # no burst: at most 5 background items in any 6-hour window
    for i, first in enumerate(background):
        window = [t for t in background[i:i + 10] if t - first < timedelta(hours=6)]
        assert len(window) <= 5, first


def test_gym_complaints_span_days_on_both_boards(world):
    posts = [p for p in world.posts if p.scenario == "gym_prepaid" and p.board]
    assert len(posts) >= 25
    assert {p.site for p in posts} == {"board_html", "board_api"}
    times = sorted(p.published_at for p in posts)
    assert times[-1] - times[0] >= timedelta(days=3)
    assert "去年去年" not in "".join(p.content for p in posts)


def test_board_status_moves_from_unanswered_to_answered(world):
    post = next(p for p in world.posts if p.board and p.board.replied_at and p.board.accepted_at
                and p.board.accepted_at < p.board.replied_at)
    board = post.board
    assert board.status(post.published_at) == UNANSWERED
    assert board.status(board.accepted_at) == IN_PROGRESS
    assert board.view(board.accepted_at)["reply"] is None
    answered = board.view(board.replied_at)
    assert answered["status"] == ANSWERED and answered["reply"] and answered["reply_unit"]
    assert answered["reply_at"].endswith("+08:00")


def test_some_board_posts_stay_unanswered(world):
    assert any(p.board and p.board.replied_at is None for p in world.posts)


def test_news_reposts_are_near_duplicates_not_copies(world):
    reposts = [p for p in world.posts if p.repost_of and p.site in ("news", "central", "industry", "portal")]
    assert len(reposts) >= 15
    for repost in reposts:
        original = world.by_id(repost.repost_of)
        assert repost.content != original.content
        assert _jaccard(repost.content, original.content) > 0.5, repost.id
        assert repost.site != original.site


def test_distinct_background_stories_are_not_near_duplicates(world):
    news = [p for p in world.posts if p.scenario == "background" and not p.repost_of and p.title]
    for i, a in enumerate(news):
        for b in news[i + 1:]:
            assert _jaccard(a.content, b.content) < 0.3, (a.id, b.id)


def test_social_reposts_quote_the_original(world):
    original = world.by_id("fp05")
    reposts = [p for p in world.posts if p.repost_of == "fp05"]
    assert len(reposts) >= 30
    assert all(f"//@{original.author}：{original.content}" in p.content for p in reposts)
    late = max(p.published_at for p in reposts)
    assert world.engagement(original, late)["shares"] >= len(reposts)


def test_engagement_grows_with_time(world):
    post = world.by_id("fp05")
    early = world.engagement(post, post.published_at + timedelta(minutes=10))
    later = world.engagement(post, post.published_at + timedelta(hours=6))
    assert later["likes"] > early["likes"] > 0
    assert world.engagement(post, post.published_at - timedelta(minutes=1))["likes"] == 0


def test_portal_pages_use_every_gbk_variant(world):
    encodings = Counter(p.encoding for p in world.posts if p.site == "portal")
    assert set(encodings) == {"gbk", "gbk-undeclared", "gbk-mislabelled"}
    assert all(p.encoding == "utf-8" for p in world.posts if p.site != "portal")
