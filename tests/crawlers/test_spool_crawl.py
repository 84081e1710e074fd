"""Elasticsearch down never loses a crawled item: a crawl against a dead port spools every post,
and the next run against the real node writes exactly those posts (and their crawl state)."""

from __future__ import annotations

import json
from datetime import timedelta

from yuqing.sandbox import DEFAULT_EPOCH, SandboxClock, SandboxServer
from yuqing.spool import Spool

from .conftest import fetch_json, run_crawl

DEAD_ES = "http://127.0.0.1:9"  # discard port: nothing listens


def test_items_crawled_while_elasticsearch_is_down_are_written_on_the_next_run(
    module_store, es_url, tmp_path
):
    spool_dir = tmp_path / "spool"
    with SandboxServer(clock=SandboxClock.manual(DEFAULT_EPOCH + timedelta(days=8))) as server:
        expected = [
            r
            for r in fetch_json(server.url + "/__sandbox/manifest")["items"]
            if r["source"] == "sandbox_industry"
        ]
        runs = run_crawl(
            server.url, ["sandbox_industry"], es_url=DEAD_ES, prefix=module_store.prefix, spool=spool_dir
        )
    spool = Spool(spool_dir)
    assert runs[0]["items"] == runs[0]["spooled"] == len(expected) == spool.pending("posts")
    assert spool.pending("crawl-state") == len(expected)
    assert spool.pending("crawl-runs") == 1
    assert "Elasticsearch 不可用" in run_crawl.last_log
    spooled_urls = {json.loads(line)["url"] for line in spool.path("posts").read_text().splitlines()}
    assert spooled_urls == {r["url"] for r in expected}
    assert module_store.count("posts") == 0

    # Next run: the sandbox is gone (nothing new is crawled), the node is back.
    run_crawl(
        "http://127.0.0.1:9", ["sandbox_industry"], es_url=es_url, prefix=module_store.prefix, spool=spool_dir
    )
    module_store.refresh("posts")
    module_store.refresh("crawl-state")
    assert module_store.count("posts") == len(expected)
    assert module_store.count("crawl-state") == len(expected)
    assert module_store.count("crawl-runs") >= 2
    assert spool.pending("posts") == spool.pending("crawl-state") == spool.pending("crawl-runs") == 0
