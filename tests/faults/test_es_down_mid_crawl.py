"""Elasticsearch stops in the middle of a crawl: the crawl goes on and spools, the node comes back on
the same data directory, the next run writes the spool, and the index holds exactly the N posts the
sandbox published, each once. Uses its own node (stopped and restarted), not the session node."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import tempfile
import threading
import time
import urllib.request
import uuid
from collections import Counter
from datetime import timedelta
from pathlib import Path

import pytest

from yuqing import esnode
from yuqing.sandbox import DEFAULT_EPOCH, SandboxClock, SandboxServer
from yuqing.spool import Spool
from yuqing.store import post_id

PROJECT_ROOT = Path(__file__).resolve().parents[2]
SOURCES = ["sandbox_social", "sandbox_news", "sandbox_board_api", "sandbox_portal"]
# Slow and steady, so the node can be stopped while the crawl is still running.
SETTINGS = ["AUTOTHROTTLE_ENABLED=False", "DOWNLOAD_DELAY=0.15", "CONCURRENT_REQUESTS_PER_DOMAIN=1",
            "YUQING_INDEX_BATCH=5", "RETRY_BACKOFF_BASE=0.2", "RETRY_TIMES=1", "LOG_LEVEL=INFO"]


@pytest.fixture(scope="module")
def node():
    base = Path(tempfile.mkdtemp(prefix="yuqing-fault-es-"))
    base.chmod(0o755)
    spec = esnode.NodeSpec(port=esnode.free_port(), home=base / "node", heap="384m")
    try:
        esnode.start(spec, progress=lambda _msg: None)
    except esnode.NodeError as exc:
        shutil.rmtree(base, ignore_errors=True)
        pytest.fail(f"could not start the fault-test Elasticsearch node: {exc}")
    try:
        yield spec
    finally:
        esnode.stop(spec)
        shutil.rmtree(base, ignore_errors=True)


def _crawl(sandbox: str, es_url: str, prefix: str, spool: Path, names: list[str]) -> subprocess.Popen:
    command = [sys.executable, "-m", "crawlers.run", *names, "--sandbox", sandbox, "--json"]
    for setting in [*SETTINGS, f"YUQING_SPOOL_DIR={spool}"]:
        command += ["-s", setting]
    env = {**os.environ, "ES_URL": es_url, "YUQING_INDEX_PREFIX": prefix}
    return subprocess.Popen(command, cwd=PROJECT_ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                            text=True)


def _count(url: str, index: str) -> int:
    try:
        with urllib.request.urlopen(f"{url}/{index}/_count", timeout=3) as response:
            return json.loads(response.read())["count"]
    except Exception:  # noqa: BLE001 - no index yet, or the node is down
        return -1


def test_node_stopped_mid_crawl_then_restarted_stores_exactly_n_posts(node, tmp_path):
    from yuqing.store import connect

    prefix = f"f{uuid.uuid4().hex[:10]}"
    spool_dir = tmp_path / "spool"
    connect(node.url, prefix=prefix).init()
    stopped = threading.Event()
    seen_before_stop: list[int] = []

    def stop_when_some_are_stored(child: subprocess.Popen) -> None:
        deadline = time.monotonic() + 120
        while child.poll() is None and time.monotonic() < deadline:
            count = _count(node.url, f"{prefix}-posts")
            if count > 0:
                seen_before_stop.append(count)
                esnode.stop(node)
                stopped.set()
                return
            time.sleep(0.2)

    with SandboxServer(clock=SandboxClock.manual(DEFAULT_EPOCH + timedelta(days=2))) as server:
        with urllib.request.urlopen(server.url + "/__sandbox/manifest", timeout=10) as response:
            manifest = [r for r in json.loads(response.read())["items"] if r["source"] in SOURCES]
        child = _crawl(server.url, node.url, prefix, spool_dir, SOURCES)
        stopper = threading.Thread(target=stop_when_some_are_stored, args=(child,))
        stopper.start()
        out, err = child.communicate(timeout=240)
        stopper.join()
    assert child.returncode == 0, err[-3000:]
    assert stopped.is_set(), "the crawl ended before any post was stored"
    runs = json.loads(out.strip().splitlines()[-1])
    expected = {post_id({"source": r["source"], "url": r["url"], "board": r.get("board")}) for r in manifest}
    assert len(expected) == len(manifest) > 50
    spooled = sum(run["spooled"] for run in runs)
    assert 0 < seen_before_stop[0] < len(expected) and spooled > 0  # some written, some spooled
    assert sum(run["items"] for run in runs) == len(expected)  # the crawl went on after the stop
    assert Spool(spool_dir).pending("posts") > 0

    # The node comes back on the same data directory; the next run (no sandbox: nothing new) writes the spool.
    esnode.start(node, progress=lambda _msg: None)
    flush = _crawl("http://127.0.0.1:9", node.url, prefix, spool_dir, SOURCES)
    _out, err = flush.communicate(timeout=180)
    assert flush.returncode == 0, err[-3000:]
    store = connect(node.url, prefix=prefix)
    store.refresh("posts")
    docs = list(store.scan("posts"))
    ids = Counter(doc["id"] for doc in docs)
    urls = Counter((doc["source"], doc["url"]) for doc in docs)
    # A post refused while the node shut down is not a bad post: nothing may be set aside as rejected.
    assert Spool(spool_dir).pending("posts-rejected") == 0, err[-3000:]
    assert len(docs) == len(expected), f"{len(docs)} stored, {len(expected)} published"
    assert set(ids) == expected
    assert max(ids.values()) == 1 and max(urls.values()) == 1  # no duplicates
    assert Spool(spool_dir).pending("posts") == 0
