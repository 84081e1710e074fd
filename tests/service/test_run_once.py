"""`yuqing run --once` end to end: a crawl child process, analysis on the stored posts, health data."""

from __future__ import annotations

import time
from datetime import timedelta

import pytest

from yuqing import clock
from yuqing.cli import main
from yuqing.sandbox import SandboxServer, build_world
from yuqing.sandbox.clock import SandboxClock


@pytest.fixture
def sandbox(monkeypatch):
    world = build_world()
    at = world.scenarios["food_poisoning"].start + timedelta(hours=10)
    monkeypatch.setenv(clock.ENV, clock.SimulatedClock(at, anchor=time.time(), speed=0).to_env())
    server = SandboxServer(0, clock=SandboxClock.manual(at), world=world).start()
    try:
        yield server
    finally:
        server.stop()


def test_run_once_crawls_analyses_and_reports_each_job(store, sandbox, capsys):
    code = main(["run", "--once", "--text-logs", "--sandbox", sandbox.url, "--health-port", "0",
                 "--source", "sandbox_central", "--source", "sandbox_news"])
    out = capsys.readouterr().out
    assert code == 0, out
    assert "crawl: 成功" in out and "analysis: 成功" in out
    store.refresh("posts")
    manifest_titles = {p.title for p in build_world().posts if p.site in ("central", "news")}
    stored = {hit["_source"]["title"] for hit in store.search("posts", size=500)["hits"]["hits"]}
    assert stored and stored <= manifest_titles
    runs = store.search("crawl-runs", size=10)["hits"]["hits"]
    assert {r["_source"]["source"] for r in runs} == {"sandbox_central", "sandbox_news"}
    enriched = store.search("posts", {"exists": {"field": "sentiment.model"}}, size=0)["hits"]["total"]["value"]
    total = store.count("posts")
    assert enriched == total and store.count("posts", {"exists": {"field": "cluster_id"}}) == total
    assert store.count("events") >= 1


def test_run_refuses_a_broken_sources_file_before_starting_anything(store, tmp_path, capsys):
    bad = tmp_path / "sources.yaml"
    bad.write_text("sources:\n  - name: x\n    kind: news\n    colour: red\n", encoding="utf-8")
    code = main(["run", "--once", "--text-logs", "--sources", str(bad), "--health-port", "0"])
    err = capsys.readouterr().err
    assert code != 0 and f"{bad}:" in err
    assert store.count("crawl-runs") == 0
