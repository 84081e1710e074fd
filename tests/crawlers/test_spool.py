"""The on-disk spool: appended documents survive until a writer takes them; nothing is dropped."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone

from yuqing.spool import Spool

DOCS = [
    {"id": str(n), "published_at": datetime(2024, 3, 12, tzinfo=timezone(timedelta(hours=8)))}
    for n in range(5)
]


def test_append_then_replay_writes_everything_once(tmp_path):
    spool = Spool(tmp_path)
    assert spool.append("posts", DOCS) == 5 and spool.pending("posts") == 5
    seen = []
    assert spool.replay("posts", lambda docs: seen.extend(docs) or []) == (5, 0)
    assert [d["id"] for d in seen] == ["0", "1", "2", "3", "4"]
    assert seen[0]["published_at"] == "2024-03-12T00:00:00+08:00"
    assert spool.pending("posts") == 0


def test_rejected_documents_stay_in_the_spool(tmp_path):
    spool = Spool(tmp_path)
    spool.append("posts", DOCS)
    written, left = spool.replay("posts", lambda docs: [(d, "mapping error") for d in docs if d["id"] == "3"])
    assert (written, left) == (4, 1)
    assert [d["id"] for d in spool.read("posts")] == ["3"]


def test_a_writer_that_fails_keeps_the_rest(tmp_path):
    spool = Spool(tmp_path)
    spool.append("posts", DOCS)

    def down(docs):
        raise ConnectionError("store down")

    assert spool.replay("posts", down, batch=2) == (0, 5)
    assert spool.pending("posts") == 5


def test_a_corrupt_line_is_set_aside_not_fatal(tmp_path):
    spool = Spool(tmp_path)
    spool.append("posts", DOCS[:1])
    with open(spool.path("posts"), "a", encoding="utf-8") as handle:
        handle.write("{not json\n")
    spool.append("posts", DOCS[1:2])
    assert spool.replay("posts", lambda docs: []) == (2, 0)
    assert (tmp_path / "posts.corrupt").read_text(encoding="utf-8") == "{not json\n"


_REPLAY_THEN_HANG = """
import sys, time
from yuqing.spool import Spool
def hang(docs):
    print("claimed", flush=True)
    time.sleep(600)
    return []
Spool(sys.argv[1]).replay("posts", hang)
"""


def test_a_replay_killed_midway_is_taken_over_by_the_next_one(tmp_path):
    # The crawl is killed (OOM, kill -9, power) while it writes the spool back: the documents it had
    # moved aside are not lost, and are not taken from a replay that is still running.
    import subprocess
    import sys

    spool = Spool(tmp_path)
    spool.append("posts", DOCS)
    child = subprocess.Popen([sys.executable, "-c", _REPLAY_THEN_HANG, str(tmp_path)], stdout=subprocess.PIPE,
                             text=True)
    try:
        assert child.stdout.readline().strip() == "claimed"
        assert not spool.path("posts").exists()
        assert spool.replay("posts", lambda docs: []) == (0, 0)  # a live replay keeps its documents
        assert spool.pending("posts") == 0
    finally:
        child.kill()
        child.wait()
    spool.append("posts", [{"id": "5"}])
    assert spool.pending("posts") == 6 and spool.names() == ["posts"]
    seen = []
    assert spool.replay("posts", lambda docs: seen.extend(docs) or []) == (6, 0)
    assert sorted(d["id"] for d in seen) == ["0", "1", "2", "3", "4", "5"]
    assert spool.pending("posts") == 0 and sorted(p.name for p in tmp_path.iterdir()) == [".lock"]


def test_documents_appended_while_another_spool_replays_are_all_written(tmp_path):
    # Each spider of a crawl has its own Spool on the same directory: one appends while another
    # moves the file aside to replay it. Every document must end up written or still pending.
    import threading

    appender, replayer = Spool(tmp_path), Spool(tmp_path)
    seen: list[dict] = []
    done = threading.Event()

    def append_all():
        for n in range(1500):
            appender.append("posts", [{"id": str(n)}])
        done.set()

    thread = threading.Thread(target=append_all)
    thread.start()
    while not done.is_set():
        replayer.replay("posts", lambda docs: seen.extend(docs) or [])
    thread.join()
    replayer.replay("posts", lambda docs: seen.extend(docs) or [])
    assert sorted(int(d["id"]) for d in seen) == list(range(1500))


def test_a_line_cut_short_by_a_crash_costs_only_itself(tmp_path):
    spool = Spool(tmp_path)
    spool.append("posts", DOCS[:1])
    with open(spool.path("posts"), "a", encoding="utf-8") as handle:
        handle.write('{"id": "half-writ')  # the process died in the middle of a write
    spool.append("posts", DOCS[1:3])
    seen = []
    assert spool.replay("posts", lambda docs: seen.extend(docs) or []) == (3, 0)
    assert [d["id"] for d in seen] == ["0", "1", "2"]
    assert (tmp_path / "posts.corrupt").read_text(encoding="utf-8") == '{"id": "half-writ\n'
    assert spool.corrupt() == {"posts.corrupt": 1}  # shown by yuqing spool


def test_a_lone_surrogate_does_not_cost_the_batch(tmp_path):
    # A JSON feed's "\ud800" escape decodes to a lone surrogate, which UTF-8 cannot encode: the
    # whole batch raised and nothing was spooled while Elasticsearch was down.
    spool = Spool(tmp_path)
    docs = [{"id": "a", "title": "好"}, {"id": "b", "title": "坏\ud800字"}]
    assert spool.append("posts", docs) == 2
    assert [d["title"] for d in spool.read("posts")] == ["好", "坏\ufffd字"]


def test_the_tests_never_share_the_machines_spool():
    # A crawl-run spooled by a developer's own `yuqing crawl` (no node running) was replayed into a
    # test's store; tests/conftest.py gives the session its own data directory.
    assert Spool().directory.parent.name.startswith("yuqing-test-data-")
