"""`yuqing run` as a real process, killed with SIGKILL in the middle of an analysis cycle (while its
notices are being delivered) and started again: every alert that should be pushed reaches the local
webhook receiver exactly once per level — none lost, none sent twice — and the stored posts are exactly
the sandbox's manifest for the sources crawled — none lost, none stored twice."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import threading
import time
import urllib.request
import uuid
from collections import Counter
from datetime import timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

import pytest

from yuqing import clock
from yuqing.sandbox import SandboxServer, build_world
from yuqing.sandbox.clock import SandboxClock
from yuqing.store import post_id

PROJECT_ROOT = Path(__file__).resolve().parents[2]
BASE_URL = "http://dashboard.test"
SOURCES = ["sandbox_central", "sandbox_news", "sandbox_social"]


class Receiver:
    """A webhook endpoint on loopback that counts alert notices per (alert id, level)."""

    def __init__(self, delay: float = 0.7) -> None:
        self.counts: Counter = Counter()
        self.lock = threading.Lock()
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self):  # noqa: N802 (http.server naming)
                body = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
                time.sleep(delay)  # slow delivery: the kill lands while notices are in flight
                if body.get("kind") == "alert":
                    link = urlsplit(body.get("url") or "")  # …/alerts/<id> or …/alerts?id=<id>
                    alert_id = parse_qs(link.query).get("id", [link.path.rsplit("/", 1)[-1] or "?"])[0]
                    with receiver.lock:
                        receiver.counts[(alert_id, body.get("level"))] += 1
                self.send_response(200)
                self.end_headers()

            def log_message(self, *_args):
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        threading.Thread(target=self.server.serve_forever, daemon=True).start()
        self.url = f"http://127.0.0.1:{self.server.server_port}/hook"

    def total(self) -> int:
        with self.lock:
            return sum(self.counts.values())


def _notify_file(tmp_path: Path, url: str) -> Path:
    path = tmp_path / "notify.yaml"
    path.write_text(
        f"base_url: {BASE_URL}\nretry:\n  attempts: 3\n  backoff_seconds: 0.2\n  timeout_seconds: 5\n"
        f"workers: 1\nchannels:\n  hook:\n    type: webhook\n    url: {url}\n"
        "routes:\n  - channels: [hook]\n    kinds: [alert]\n    min_level: Ⅳ\n",
        encoding="utf-8",
    )
    return path


def _start(args: list[str], env: dict, log: Path) -> subprocess.Popen:
    return subprocess.Popen([sys.executable, "-m", "yuqing", "run", *args], cwd=PROJECT_ROOT, env=env,
                            stdout=open(log, "ab"), stderr=subprocess.STDOUT, start_new_session=True)


def _recorded(store) -> int:
    store.refresh("alerts")
    return sum(bool(hit["_source"].get("notifications"))
               for hit in store.search("alerts", {"match_all": {}}, size=500)["hits"]["hits"])


def _unrecorded_pushes(store) -> set[tuple[str, str]]:
    """(alert id, level) of every push whose intent is stored but whose delivery was never recorded."""
    store.refresh("alerts")
    levels = ("Ⅰ", "Ⅱ", "Ⅲ", "Ⅳ")
    found = set()
    for hit in store.search("alerts", {"exists": {"field": "notified_rank"}}, size=500)["hits"]["hits"]:
        alert = hit["_source"]
        rank = int(alert["notified_rank"])
        if not any(n.get("kind", "alert") == "alert" and n.get("rank") in (rank, None)
                   for n in alert.get("notifications") or []):
            found.add((alert["id"], levels[rank - 1]))
    return found


def _posts(store) -> int:
    store.refresh("posts")
    return store.count("posts")


def _kill_marked(marker: str) -> None:
    """SIGKILL every process with ``marker`` in its environment (the crawl child runs in its own session)."""
    for proc in Path("/proc").iterdir():
        if not proc.name.isdigit():
            continue
        try:
            if marker.encode() in (proc / "environ").read_bytes():
                os.kill(int(proc.name), signal.SIGKILL)
        except OSError:
            continue


def _wait(condition, timeout: float, step: float = 0.2) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if condition():
            return True
        time.sleep(step)
    return False


def test_kill_9_mid_cycle_and_restart_loses_and_repeats_no_alert(store, tmp_path):
    world = build_world()
    at = world.scenarios["food_poisoning"].start + timedelta(hours=10)
    receiver = Receiver()
    env = {**os.environ, clock.ENV: clock.SimulatedClock(at, anchor=time.time(), speed=0).to_env(),
           "YUQING_DATA_DIR": str(tmp_path / "data"), "YUQING_TEST_MARKER": f"restart-{uuid.uuid4().hex}"}
    log = tmp_path / "run.log"
    with SandboxServer(0, clock=SandboxClock.manual(at), world=world) as sandbox:
        with urllib.request.urlopen(sandbox.url + "/__sandbox/manifest", timeout=10) as response:
            manifest = [r for r in json.loads(response.read())["items"] if r["source"] in SOURCES]
        args = ["--sandbox", sandbox.url, "--notify", str(_notify_file(tmp_path, receiver.url)), "--base-url",
                BASE_URL, "--health-port", "0", "--analysis-interval", "2", "--crawl-interval", "3600",
                *(arg for name in SOURCES for arg in ("--source", name)), "--text-logs"]
        first = _start(args, env, log)
        try:
            assert _wait(lambda: receiver.total() >= 1, 150), log.read_text()[-3000:]
            # Kill once the first push is delivered and recorded, while the service keeps cycling. (A kill in
            # the milliseconds between a receiver accepting a notice and its result being recorded re-sends
            # it after the restart: at-least-once, documented; a push lost in flight before delivery is
            # re-sent once — tests/alerts/test_engine.py.)
            assert _wait(lambda: _recorded(store) >= 1, 60), log.read_text()[-3000:]
            time.sleep(1.0)
        finally:
            os.killpg(first.pid, signal.SIGKILL)  # the service, mid-cycle …
            _kill_marked(env["YUQING_TEST_MARKER"])  # … and its crawl child if it is still running
            first.wait(10)
        killed_at = receiver.total()
        in_flight = _unrecorded_pushes(store)  # pushed (intent stored) but no delivery recorded at the kill
        offset = log.stat().st_size
        second = _start(args, env, log)
        try:
            # The restarted service crawls again (whatever the killed crawl did not store) …
            assert _wait(lambda: _posts(store) >= len(manifest), 120), log.read_text()[-3000:]
            # … and runs a few analysis cycles (delivering what they push).
            _wait(lambda: log.read_bytes()[offset:].count(b"analysis") >= 3, 60)
            time.sleep(4)
        finally:
            second.send_signal(signal.SIGTERM)
            try:
                second.wait(60)
            except subprocess.TimeoutExpired:
                os.killpg(second.pid, signal.SIGKILL)
    receiver.server.shutdown()
    store.refresh("alerts")
    alerts = [hit["_source"] for hit in store.search("alerts", {"match_all": {}}, size=500)["hits"]["hits"]]
    levels = ("Ⅰ", "Ⅱ", "Ⅲ", "Ⅳ")
    should_push = {(a["id"], levels[int(a["notified_rank"]) - 1]) for a in alerts if a.get("notified_rank") is not None}
    assert should_push, "no alert was pushed at all"
    duplicates = {key: n for key, n in receiver.counts.items() if n > 1}
    lost = should_push - set(receiver.counts)
    print(f"\nalerts pushed {len(should_push)}, received {len(receiver.counts)} "
          f"({killed_at} before the kill, in flight at the kill {sorted(in_flight)}), "
          f"duplicates {duplicates}, lost {sorted(lost)}")
    # A delivery recorded before the kill is never repeated. A notice in flight when the process died (the
    # receiver may already have it, the record was never written) is sent again: at-least-once, at most
    # one repeat, only for those.
    assert set(duplicates) <= in_flight and max(duplicates.values(), default=1) <= 2, f"sent twice: {duplicates}"
    assert not lost, f"lost across the restart: {sorted(lost)}"

    store.refresh("posts")
    docs = list(store.scan("posts"))
    expected = {post_id({"source": r["source"], "url": r["url"], "board": r.get("board")}) for r in manifest}
    assert len(expected) == len(manifest) > 0
    stored = Counter(doc["id"] for doc in docs)
    by_url = Counter((doc["source"], doc["url"]) for doc in docs)
    assert set(stored) == expected, (f"missing {sorted(expected - set(stored))[:10]}, "
                                     f"not in the manifest {sorted(set(stored) - expected)[:10]}")
    assert len(docs) == len(expected) and max(by_url.values()) == 1  # none stored twice
