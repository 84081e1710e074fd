"""Several crawler workers share the sources by rendezvous hashing (crawlers/sharding.py): the shards
are disjoint, cover every source and move little when a worker is added; two real `yuqing crawl
--worker i/2` processes on one machine split the sandbox sources and together store everything once."""

from __future__ import annotations

import os
import subprocess
import sys
import uuid
from collections import Counter
from datetime import timedelta

import pytest

from crawlers.sharding import Worker, assignment, owner, parse_worker, select
from yuqing.errors import YuqingError
from yuqing.sandbox import DEFAULT_EPOCH, SandboxClock, SandboxServer
from yuqing.store import post_id

from .conftest import PROJECT_ROOT, fetch_json

NAMES = [f"source_{i}" for i in range(200)]


@pytest.mark.parametrize("count", [1, 2, 3, 5, 8])
def test_shards_are_disjoint_and_cover_every_source(count):
    shards = assignment(NAMES, count)
    flat = [name for names in shards.values() for name in names]
    assert sorted(flat) == sorted(NAMES)
    assert len(flat) == len(set(flat))
    assert all(len(names) > len(NAMES) / count / 2 for names in shards.values())  # roughly balanced


def test_assignment_is_stable_and_keeps_the_given_order():
    assert select(NAMES, Worker(2, 3)) == select(list(NAMES), Worker(2, 3))
    mine = select(NAMES, Worker(1, 3))
    assert mine == [n for n in NAMES if n in set(mine)]
    assert owner("sandbox_news", 4) == owner("sandbox_news", 4)


def test_adding_a_worker_moves_only_its_share():
    before = {name: owner(name, 4) for name in NAMES}
    after = {name: owner(name, 5) for name in NAMES}
    moved = [name for name in NAMES if before[name] != after[name]]
    assert all(after[name] == 5 for name in moved)  # sources only move to the new worker
    assert len(moved) < len(NAMES) / 5 * 1.6


def test_one_worker_takes_everything():
    assert select(NAMES, Worker(1, 1)) == NAMES
    assert select(NAMES, None) == NAMES


@pytest.mark.parametrize("text", ["", "1", "0/2", "3/2", "a/b", "1/0", "-1/2"])
def test_bad_worker_values_are_refused_with_a_clear_message(text):
    with pytest.raises(YuqingError, match="I/N|无效"):
        parse_worker(text)


def test_worker_values_parse():
    assert parse_worker(" 2 / 3 ") == Worker(2, 3)
    assert str(parse_worker("1/2")) == "1/2"


def test_two_workers_split_the_sandbox_sources_and_store_everything_once(es_url, tmp_path):
    from yuqing.store import connect

    prefix = f"w{uuid.uuid4().hex[:10]}"
    store = connect(es_url, prefix=prefix)
    store.init()
    # Test speed: the project's settings without AutoThrottle delays (SCRAPY_SETTINGS_MODULE).
    (tmp_path / "fast_settings.py").write_text(
        "from crawlers.settings import *  # noqa\nAUTOTHROTTLE_ENABLED = False\nRETRY_BACKOFF_BASE = 0.2\n"
        "CONCURRENT_REQUESTS_PER_DOMAIN = 8\n",
        encoding="utf-8",
    )
    env = {
        **os.environ,
        "ES_URL": es_url,
        "YUQING_INDEX_PREFIX": prefix,
        "YUQING_DATA_DIR": str(tmp_path / "data"),
        "SCRAPY_SETTINGS_MODULE": "fast_settings",
        "PYTHONPATH": os.pathsep.join([str(tmp_path), str(PROJECT_ROOT), os.environ.get("PYTHONPATH", "")]),
    }
    try:
        with SandboxServer(clock=SandboxClock.manual(DEFAULT_EPOCH + timedelta(days=2))) as server:
            manifest = fetch_json(server.url + "/__sandbox/manifest")["items"]
            workers = [
                subprocess.Popen(
                    [sys.executable, "-m", "yuqing", "crawl", "--sandbox", server.url, "--quiet", "--worker", w],
                    cwd=PROJECT_ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                )
                for w in ("1/2", "2/2")
            ]
            outputs = [w.communicate(timeout=180) for w in workers]
        for worker, (out, err) in zip(workers, outputs):
            assert worker.returncode == 0, err[-3000:]
        for name in ("posts", "crawl-runs"):
            store.refresh(name)
        runs = [hit["_source"] for hit in store.search("crawl-runs", {"match_all": {}}, size=100)["hits"]["hits"]]
        crawled = Counter(run["source"] for run in runs)
        sources = sorted({r["source"] for r in manifest})
        assert sorted(crawled) == sources and set(crawled.values()) == {1}  # each source by one worker
        shards = assignment(sources, 2)
        assert shards[1] and shards[2]
        for index, (out, _err) in enumerate(outputs, 1):
            printed = {s for s in sources if s in out}
            assert printed == set(shards[index])
        ids = [doc["id"] for doc in store.scan("posts")]
        expected = {post_id({"source": r["source"], "url": r["url"], "board": r.get("board")}) for r in manifest}
        assert len(ids) == len(set(ids)) == len(expected)
        assert set(ids) == expected
        assert sum(run["items"] for run in runs) == len(expected)  # no item written by both workers
    finally:
        store.delete_prefix()
