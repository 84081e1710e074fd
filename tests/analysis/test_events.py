from datetime import datetime, timedelta

from analysis.events import EventGrouper, event_document, heat_index, stats_from_posts
from analysis.workdays import SHANGHAI

T = datetime(2024, 3, 12, 12, 0, tzinfo=SHANGHAI)


def _post(pid, minutes, keywords, cluster=None, district="河西区", categories=("食品安全",), **extra):
    return {"id": pid, "published_at": (T + timedelta(minutes=minutes)).isoformat(), "keywords": list(keywords),
            "cluster_id": cluster or pid, "categories": list(categories),
            "region": {"district": district, "path": f"天津市/{district}" if district else "天津市"}, **extra}


def test_cluster_members_share_one_event():
    posts = [_post(f"p{i}", i, ["呕吐", "小学"], cluster="c1") for i in range(50)]
    assignment, touched = EventGrouper().assign(posts)
    assert len(set(assignment.values())) == 1 and len(touched) == 1


def test_linking_needs_shared_keywords_same_district_and_time():
    grouper = EventGrouper()
    first = [_post("a", 0, ["梧桐路小学", "呕吐", "午餐", "学生"])]
    assignment, touched = grouper.assign(first)
    event = assignment["a"]
    linked, _ = grouper.assign([_post("b", 30, ["梧桐路小学", "家长"])], {}, touched.values())
    assert linked["b"] == event  # one leading keyword (counts twice) in the same district
    other_district, _ = grouper.assign([_post("c", 30, ["梧桐路小学", "呕吐"], district="南开区")], {}, touched.values())
    assert other_district["c"] != event
    too_late, _ = grouper.assign([_post("d", 60 * 24 * 5, ["梧桐路小学", "呕吐"])], {}, touched.values())
    assert too_late["d"] != event
    other_category, _ = grouper.assign([_post("e", 30, ["梧桐路小学", "呕吐"], categories=["特种设备"])], {},
                                       touched.values())
    assert other_category["e"] != event


def test_naming_the_shared_district_alone_does_not_link():
    grouper = EventGrouper()
    _, touched = grouper.assign([_post("a", 0, ["南开区", "电梯", "困人", "小区"], district="南开区",
                                       categories=())])
    other, _ = grouper.assign([_post("b", 30, ["南开", "南开区", "煎饼", "店名"], district="南开区", categories=())],
                              {}, touched.values())
    assert other["b"] != next(iter(touched))
    same_story, _ = grouper.assign([_post("c", 30, ["南开区", "电梯", "物业"], district="南开区", categories=())],
                                   {}, touched.values())
    assert same_story["c"] == next(iter(touched))


def test_known_cluster_keeps_its_event():
    assignment, _ = EventGrouper().assign([_post("x", 0, ["无关"], cluster="c9")], {"c9": "ev-old"})
    assert assignment["x"] == "ev-old"


def test_events_that_grow_together_merge_into_the_bigger():
    grouper = EventGrouper()
    words = ["梧桐路小学", "呕吐", "午餐", "学生", "配餐", "送医", "家长"]
    _, small = grouper.assign([_post("s", 0, ["孩子", "吐了"])])
    _, big = grouper.assign([_post(f"b{i}", 10 + i, words, cluster="cb") for i in range(5)], {}, ())
    small_sig = next(iter(small.values()))
    small_sig.keywords = words[:6]
    merges = grouper.merges(big.values(), list(small.values()) + list(big.values()))
    assert merges == {small_sig.id: next(iter(big))}


def test_summary_counts_title_and_heat():
    posts = [_post("n1", 0, ["食品"], media_level="中央", platform="新闻", title="央媒报道标题",
                   sentiment={"label": "neg"}, engagement={"likes": 10, "comments": 5, "shares": 1}),
             _post("s1", 5, ["食品"], media_level="自媒体", platform="社交媒体", content="家长反映孩子呕吐",
                   sentiment={"label": "neu"})]
    stats = stats_from_posts("ev-1", posts, {"neg": lambda p: p["sentiment"]["label"] == "neg"})
    assert stats.post_count == 2 and stats.negative_share == 0.5 and stats.filter_hits == {"neg": 1}
    doc = event_document(stats, T + timedelta(hours=1))
    assert doc["title"] == "央媒报道标题" and doc["media_levels"] == ["中央", "自媒体"]
    assert doc["representative_post_ids"] == ["n1", "s1"]
    more = stats_from_posts("ev-1", posts + [_post(f"m{i}", 10 + i, ["食品"], media_level="自媒体") for i in range(20)])
    assert heat_index(more, T + timedelta(hours=1)) > heat_index(stats, T + timedelta(hours=1)) > 0


def _merges_by_full_scan(grouper, touched, open_events):
    """Reference: compare every touched event with every event, as the linking rule reads."""
    events = {e.id: e for e in open_events}
    events.update({e.id: e for e in touched})
    merged = {}
    latest = datetime.max.replace(tzinfo=SHANGHAI)
    for event in sorted(touched, key=lambda e: (-e.post_count, e.first_seen or latest)):
        for other in list(events.values()):
            if other.id == event.id or other.id in merged or event.id in merged:
                continue
            if not grouper._compatible(event, other):
                continue
            big, small = sorted((event, other), key=lambda e: (-e.post_count, e.first_seen or latest, e.id))
            if not grouper._should_merge(big, small):
                continue
            merged[small.id] = big.id
            grouper._absorb(big, small)
    return merged


def test_hearsay_naming_no_district_merges_into_the_incident_only_on_a_strong_overlap():
    from analysis.events import EventSignature

    incident = EventSignature("ev-main", ["午餐", "河西区", "呕吐", "学校", "小学", "学生", "梧桐", "家长", "孩子"],
                              {"食品安全"}, "河西区", T, T + timedelta(hours=8), 90)
    hearsay = EventSignature("ev-side", ["孩子", "学生", "家长", "急诊", "学校", "小学", "梧桐", "午饭"],
                             {"食品安全"}, None, T + timedelta(hours=1), T + timedelta(hours=5), 11)
    grouper = EventGrouper()
    assert grouper.merges([hearsay], [incident, hearsay]) == {"ev-side": "ev-main"}
    assert incident.post_count == 101 and incident.district == "河西区"
    weak = EventSignature("ev-weak", ["孩子", "学校", "天气"], {"食品安全"}, None, T, T + timedelta(hours=1), 3)
    other = EventSignature("ev-main2", ["午餐", "河西区", "呕吐", "学校", "小学"], {"食品安全"}, "河西区",
                           T, T + timedelta(hours=8), 90)
    assert EventGrouper().merges([weak], [other, weak]) == {}


def test_indexed_merges_equal_the_full_scan():
    import copy
    import random

    from analysis.events import EventSignature

    rng = random.Random(7)
    words = [f"w{i}" for i in range(20)]
    nontrivial = 0
    for _ in range(300):
        signatures = []
        for i in range(rng.randrange(2, 25)):
            first = T + timedelta(hours=rng.randrange(120))
            signatures.append(EventSignature(
                f"e{i}", rng.sample(words, rng.randrange(1, 12)), set(rng.sample(["食品安全", "特种设备"], rng.randrange(2))),
                rng.choice([None, "河西区", "南开区"]), first, first + timedelta(hours=rng.randrange(30)),
                rng.randrange(1, 20)))
        touched = rng.randrange(1, len(signatures) + 1)
        shared = rng.choice([2, 4, 6])
        grouper = EventGrouper(merge_shared=shared, merge_shared_regionless=shared + rng.choice([0, 2]))
        a, b = copy.deepcopy(signatures), copy.deepcopy(signatures)
        expected = _merges_by_full_scan(grouper, a[:touched], a)
        assert grouper.merges(b[:touched], b) == expected
        nontrivial += bool(expected)
    assert nontrivial > 100
