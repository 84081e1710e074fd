"""Crawl the whole sandbox over real HTTP into the real node, twice, and check what was stored
against the sandbox's own manifest: every field of every kind of source, board status changes
after the clock moves, no article fetched twice, every fault survived and counted, robots.txt obeyed."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

import pytest

from crawlers.sources import SANDBOX_FILE, load_sources
from yuqing.sandbox import DEFAULT_EPOCH, SandboxClock, SandboxServer, build_world
from yuqing.store import canonical_url, post_id

from .conftest import fetch_json, run_crawl, test_sources_file

T1 = DEFAULT_EPOCH + timedelta(days=2)
T2 = DEFAULT_EPOCH + timedelta(days=8)
FORBIDDEN = {
    "name": "sandbox_forbidden",
    "title": "robots 测试",
    "kind": "news",
    "media_level": "市级",
    "start_urls": ["{sandbox}/board/admin/review", "{sandbox}/news/preview/1.html"],
    "list": {"links": "a::attr(href)"},
}
ARTICLE_PREFIXES = ("/news/system/", "/central/n1/", "/industry/n1/", "/portal/news/", "/board/thread/")
KIND_SOURCES = {
    "news": ["sandbox_news", "sandbox_industry"],
    "rss": ["sandbox_central"],
    "sitemap": ["sandbox_portal"],
    "board_html": ["sandbox_board"],
    "board_api": ["sandbox_board_api"],
    "social": ["sandbox_social"],
}
# The board channel each board source files its posts under (board_channel: a config/clocks.yaml key).
CHANNELS = {s.name: s.channel for s in load_sources(SANDBOX_FILE, "http://127.0.0.1:1").sources
            if s.kind in ("board_html", "board_api")}


@dataclass
class Crawl:
    runs: dict
    manifest: list[dict]
    docs: dict
    stats: dict
    log: str


def _doc_key(record: dict) -> str:
    return post_id({"source": record["source"], "url": record["url"], "board": record.get("board")})


@pytest.fixture(scope="module")
def crawls(module_store, es_url, tmp_path_factory):
    tmp = tmp_path_factory.mktemp("crawl")
    sources_file = test_sources_file(tmp, extra=[FORBIDDEN])
    result = []
    with SandboxServer(world=build_world(), clock=SandboxClock.manual(T1), slow_seconds=60) as server:
        for when in (T1, T2):
            server.clock.set(when)
            fetch_json(server.url + "/__sandbox/stats", {})  # reset the request counts
            manifest = fetch_json(server.url + "/__sandbox/manifest")["items"]
            runs = run_crawl(
                server.url,
                [],
                es_url=es_url,
                prefix=module_store.prefix,
                spool=tmp / "spool",
                sources_file=sources_file,
            )
            stats = fetch_json(server.url + "/__sandbox/stats")
            docs = {doc["id"]: doc for doc in module_store.scan("posts")}
            result.append(Crawl({r["source"]: r for r in runs}, manifest, docs, stats, run_crawl.last_log))
    return result


def _compare(record: dict, doc: dict) -> list[str]:
    """Differences between a manifest record and the stored document (empty list: all fields agree)."""
    problems = []
    for key in ("source", "source_name", "source_kind", "platform", "media_level", "content", "author"):
        if (doc.get(key) or "") != (record[key] or ""):
            problems.append(f"{key}: {doc.get(key)!r} != {record[key]!r}")
    if (doc.get("title") or "") != (record["title"] or ""):
        problems.append(f"title: {doc.get('title')!r} != {record['title']!r}")
    if doc.get("url") != canonical_url(record["url"]):
        problems.append(f"url: {doc.get('url')} != {record['url']}")
    stored = datetime.fromisoformat(doc["published_at"]) if doc.get("published_at") else None
    expected = datetime.fromisoformat(record["published_at"])
    # Social feeds print '2小时前': the hour is all the page says.
    slack = timedelta(hours=1) if record["source_kind"] == "social" else timedelta(0)
    if stored is None or not (expected <= stored <= expected + slack):
        problems.append(f"published_at: {stored} vs {expected}")
    if record["board"]:
        board = doc.get("board") or {}
        for key, value in record["board"].items():
            if key == "channel":  # the manifest names the site; the crawler files it under board_channel
                value = CHANNELS[record["source"]]
            if isinstance(value, str):
                value = value.strip()  # the corpus keeps a trailing newline after some replies
            if (board.get(key) or None) != value:
                problems.append(f"board.{key}: {board.get(key)!r} != {value!r}")
    if record["source_kind"] == "social":
        engagement = doc.get("engagement") or {}
        for key, value in record["engagement"].items():
            if engagement.get(key) != value:
                problems.append(f"engagement.{key}: {engagement.get(key)} != {value}")
    if not doc.get("crawled_at"):
        problems.append("crawled_at missing")
    return problems


@pytest.mark.parametrize("kind", list(KIND_SOURCES))
@pytest.mark.parametrize("crawl_no", [0, 1])
def test_every_field_of_every_post_matches_the_manifest(crawls, kind, crawl_no):
    crawl = crawls[crawl_no]
    records = [r for r in crawl.manifest if r["source"] in KIND_SOURCES[kind]]
    assert records
    problems = {}
    for record in records:
        doc = crawl.docs.get(_doc_key(record))
        found = _compare(record, doc) if doc else ["not stored"]
        if found:
            problems[record["url"]] = found
    assert not problems, f"{len(problems)} of {len(records)} differ: {list(problems.items())[:3]}"


def test_nothing_else_is_stored(crawls):
    crawl = crawls[1]
    expected = {_doc_key(r) for r in crawl.manifest}
    extra = {d["url"] for key, d in crawl.docs.items() if key not in expected}
    # Fault pages that are articles (flaky after retries, truncated, no date) are stored too.
    assert extra == {f"{_base(crawls)}/news/a/{name}.html" for name in ("flaky", "truncated", "nodate")}


def _base(crawls) -> str:
    url = crawls[0].manifest[0]["url"]
    return url.split("/", 3)[0] + "//" + url.split("/", 3)[2]


def test_enrichment_ran_on_stored_posts(crawls):
    crawl = crawls[1]
    docs = list(crawl.docs.values())
    assert all(d.get("sentiment") and d.get("simhash") and d.get("cluster_id") for d in docs)
    assert all(d["sentiment"].get("model") and d["sentiment"].get("label") for d in docs)
    assert sum(1 for d in docs if d.get("categories")) > len(docs) / 2
    assert all(d.get("keywords") for d in docs if d.get("content"))

    # region: a post whose text names its district is placed in that district
    named = 0
    for record in crawl.manifest:
        district = (record.get("region") or {}).get("district")
        if not district or district not in (record["title"] or "") + (record["content"] or ""):
            continue
        doc = crawl.docs[_doc_key(record)]
        assert (doc.get("region") or {}).get("district") == district, (record["url"], doc.get("region"))
        named += 1
    assert named >= 20

    # reposts land in their original's near-duplicate cluster (most of them: see the next test)
    pairs, apart = _reposts_apart(crawl)
    assert len(pairs) >= 10
    assert len(apart) <= len(pairs) / 4, f"{len(apart)} of {len(pairs)} reposts apart: {apart[:3]}"


def test_a_post_written_in_traditional_characters_is_stored_as_written_and_analysed_as_simplified(crawls):
    crawl = crawls[1]
    record = next(r for r in crawl.manifest if r["id"] == "bs20")
    doc = crawl.docs[_doc_key(record)]
    assert "紅橋區" in doc["content"] and "計量器具" in doc["content"]  # the stored text is never changed
    assert doc["categories"] == ["计量/标准/认证/检验检测"] and "计量器具" in doc["matched_keywords"]
    assert doc["region"]["district"] == "红桥区"
    assert doc["sentiment"]["label"] == "pos"
    assert "红桥区" in doc["content_seg"].split()


def _reposts_apart(crawl: Crawl) -> tuple[list, list]:
    """(repost, original) manifest pairs, and the (repost URL, original URL) pairs in different clusters."""
    by_id = {r["id"]: r for r in crawl.manifest}
    pairs = [(r, by_id[r["repost_of"]]) for r in crawl.manifest if r.get("repost_of") in by_id]
    apart = [
        (repost["url"], original["url"])
        for repost, original in pairs
        if crawl.docs[_doc_key(repost)]["cluster_id"] != crawl.docs[_doc_key(original)]["cluster_id"]
    ]
    return pairs, apart


def test_every_repost_shares_its_originals_cluster(crawls):
    pairs, apart = _reposts_apart(crawls[1])
    assert pairs and not apart, f"{len(apart)} of {len(pairs)} reposts apart: {apart[:3]}"


def test_board_posts_get_their_channels_reply_limit(crawls):
    from analysis.clocks import load_policy, post_reply_deadlines

    policy = load_policy()
    boards = [d for d in crawls[1].docs.values() if d.get("board")]
    assert {d["source"] for d in boards} == set(CHANNELS)
    for doc in boards:
        channel = doc["board"]["channel"]
        assert channel == CHANNELS[doc["source"]]
        found = policy.find_board(channel)
        assert found is not None and found.channel == channel  # not the unconfigured-channel default
        posted = datetime.fromisoformat(doc["published_at"])
        deadline = post_reply_deadlines(posted, channel, policy)[0]
        assert deadline.basis == found.limits[0].basis and "未配置渠道" not in deadline.basis


def test_board_status_changes_are_recorded_with_their_time(crawls):
    first, second = crawls
    before = {_doc_key(r): r for r in first.manifest if r["board"]}
    changed = 0
    for record in second.manifest:
        old = before.get(_doc_key(record))
        if not old or old["board"]["status"] == record["board"]["status"]:
            continue
        changed += 1
        history = second.docs[_doc_key(record)]["board"]["status_history"]
        statuses = [h["status"] for h in history]
        assert statuses[0] == "未回复" and statuses[-1] == record["board"]["status"], history
        assert old["board"]["status"] in statuses
        times = [datetime.fromisoformat(h["at"]) for h in history]
        assert times == sorted(times)
        if record["board"]["status"] == "已办理":
            assert history[-1]["at"] == record["board"]["reply_at"]
        else:
            assert times[-1] == T2
    assert changed >= 5


def test_incremental_recrawl_fetches_no_article_twice(crawls):
    first, second = crawls
    fetched_before = {p for p in first.stats["paths"] if p.startswith(ARTICLE_PREFIXES)}
    fetched_again = {p for p in second.stats["paths"] if p.startswith(ARTICLE_PREFIXES)} & fetched_before
    unfinished = {
        r["url"].split("/", 3)[3]
        for r in first.manifest
        if r["source"] == "sandbox_board" and r["board"]["status"] != "已办理"
    }
    assert fetched_again == {"/" + u for u in unfinished}
    assert all(
        count == 1 for path, count in second.stats["paths"].items() if path.startswith(ARTICLE_PREFIXES)
    )
    assert second.runs["sandbox_news"]["skipped"] >= len(
        [r for r in first.manifest if r["source"] == "sandbox_news"]
    )


def test_every_fault_is_survived_logged_and_counted(crawls):
    run = crawls[0].runs["sandbox_news_faults"]
    kinds = run["errors_by_kind"]
    assert kinds.get("http_500") == 1
    assert kinds.get("timeout") == 1
    assert kinds.get("data_loss") == 1  # cut-off: Content-Length larger than the bytes sent
    assert kinds.get("redirect_loop") == 1
    assert kinds.get("too_large") == 1
    assert kinds.get("date_missing") == 1  # nodate: the header's "today" line is not taken for a date
    assert kinds.get("date_rejected") == 2  # flaky and truncated print 09:00 today; the clock says 08:00
    assert kinds.get("truncated_html") == 1  # truncated: Content-Length matches, the HTML never closes
    assert kinds.get("not_a_page") == 2  # attachment.pdf by its address (never fetched), scan.html by its bytes
    assert run["items"] == 3  # flaky (after two 503s), truncated, nodate
    for name in ("error", "slow", "truncated", "cut-off", "moved", "huge", "nodate", "attachment", "scan"):
        assert f"/news/a/{name}" in crawls[0].log
    assert "/news/a/attachment.pdf" not in crawls[0].stats["paths"]
    assert "/news/a/scan.html" in crawls[0].stats["paths"]
    assert all(crawls[0].runs[s]["errors"] == 0 for s in ("sandbox_news", "sandbox_board", "sandbox_social"))


def test_fault_pages_that_are_articles_are_stored_as_far_as_they_go(crawls):
    docs = {d["url"].rsplit("/", 1)[-1]: d for d in crawls[0].docs.values() if "/news/a/" in d["url"]}
    assert docs["flaky.html"]["title"] == "我市启动“3·15”系列宣传活动"
    assert docs["truncated.html"]["title"] == "食品安全“你点我检”活动开始报名"
    assert docs["truncated.html"]["content"]
    assert "published_at" not in docs["nodate.html"]


def test_robots_disallowed_pages_are_never_fetched(crawls):
    for crawl in crawls:
        assert crawl.stats["disallowed"] == []
    assert crawls[0].runs["sandbox_forbidden"]["errors_by_kind"] == {"robots_forbidden": 2}


def test_crawl_runs_are_stored_per_source(crawls, module_store):
    runs = list(module_store.scan("crawl-runs", {"term": {"source": "sandbox_board"}}))
    assert len(runs) == 2
    assert all(r["pages"] > 0 and r["items"] > 0 and r["status"] == "ok" for r in runs)
    faults = list(module_store.scan("crawl-runs", {"term": {"source": "sandbox_news_faults"}}))
    assert faults[0]["status"] == "partial" and faults[0]["errors"] >= 6


def test_the_rss_2_feed_is_crawled_over_http(es_url, tmp_path):
    """sandbox_news_rss (RSS 2.0, disabled beside sandbox_news: the same articles) crawled on its own."""
    import uuid

    from yuqing.store import connect

    store = connect(es_url, prefix=f"r{uuid.uuid4().hex[:10]}")
    store.init()
    try:
        with SandboxServer(world=build_world(), clock=SandboxClock.manual(T1)) as server:
            manifest = fetch_json(server.url + "/__sandbox/manifest")["items"]
            runs = run_crawl(server.url, ["sandbox_news_rss"], es_url=es_url, prefix=store.prefix,
                             spool=tmp_path / "spool")
            stats = fetch_json(server.url + "/__sandbox/stats")
        docs = {doc["url"]: doc for doc in store.scan("posts")}
    finally:
        store.delete_prefix()
    (run,) = runs
    assert run["source"] == "sandbox_news_rss" and run["errors"] == 0, run
    assert "/news/rss.xml" in stats["paths"]
    records = {canonical_url(r["url"]): r for r in manifest if r["source"] == "sandbox_news"}
    assert len(docs) == min(30, len(records)) == run["items"]  # the feed lists the newest 30
    problems = {}
    for url, doc in docs.items():
        record = records.get(url)
        if record is None:
            problems[url] = ["not in the manifest"]
            continue
        record = {**record, "source": "sandbox_news_rss", "source_name": "津门晚报网 RSS", "source_kind": "rss"}
        found = _compare(record, doc)
        if found:
            problems[url] = found
    assert not problems, f"{len(problems)} of {len(docs)} differ: {list(problems.items())[:3]}"
