"""Shared fixtures: one store per session wiped before each test, the sandbox stream, a notification recorder.

Creating and deleting indices costs seconds on a busy node, so the alerts tests share one index prefix
with only the indices they use, and each test starts from empty indices (documents deleted by id).
"""

from __future__ import annotations

import copy
import json
import threading
import uuid
from datetime import datetime, timedelta, timezone
from types import SimpleNamespace

import pytest

from yuqing.sandbox import build_world
from yuqing.sandbox.export import export_records

USED_INDICES = ("posts", "events", "alerts", "audit", "alert-state")
REPLAY_STEP = timedelta(minutes=60)


class Recorder:
    """A notifier that keeps what it was given and reports success (a real object, not a mock)."""

    def __init__(self) -> None:
        self.notices: list = []
        self.lock = threading.Lock()

    def submit(self, notice, on_result=None) -> None:
        with self.lock:
            self.notices.append(notice)
        if on_result is not None:
            on_result(SimpleNamespace(channel="recorder", ok=True, at=datetime.now(timezone.utc), error=None,
                                      attempts=1))


def wipe(store) -> None:
    """Delete every document of the used indices (the node has no delete-by-query)."""
    from yuqing.store import alerts as sa

    sa.refresh_all(store, *USED_INDICES)
    for name in USED_INDICES:
        ids = [hit["_id"] for hit in store.search(name, size=10_000, source=False,
                                                  track_total_hits=False)["hits"]["hits"]]
        if ids:
            assert sa.delete_docs(store, name, ids) == 0
    sa.refresh_all(store, *USED_INDICES)


@pytest.fixture(scope="session")
def alerts_store(es_url):
    from yuqing.store import connect
    from yuqing.store.schema import INDICES

    instance = connect(es_url, prefix=f"a{uuid.uuid4().hex[:10]}")
    instance.init([INDICES[name] for name in USED_INDICES])
    yield instance
    instance.delete_prefix()


@pytest.fixture
def store(alerts_store, es_url, monkeypatch):
    """The session's alerts store, emptied; ES_URL and the prefix are set for code that connects itself."""
    monkeypatch.setenv("ES_URL", es_url)
    monkeypatch.setenv("YUQING_INDEX_PREFIX", alerts_store.prefix)
    wipe(alerts_store)
    return alerts_store


T0 = datetime(2024, 3, 12, 13, 0, tzinfo=timezone(timedelta(hours=8)))


def _reposts(n: int = 50) -> list[dict]:
    base = "河西区梧桐路小学今天中午多名学生午餐后出现呕吐、腹痛，数十名学生被送医，家长怀疑食物中毒，供餐公司是谁？"
    comments = ["转发", "太吓人了", "希望尽快查清", "心疼孩子", "等官方通报"]
    return [{"id": f"rp{i:02d}", "source": "sandbox_social", "source_kind": "social", "platform": "社交媒体",
             "media_level": "自媒体", "url": f"http://127.0.0.1/s/{i}", "title": "",
             "content": f"{comments[i % 5]}//@河西宝妈圈：{base}",
             "published_at": (T0 + timedelta(minutes=i)).isoformat(),
             "region": {"province": "天津市", "city": "天津市", "district": "河西区", "path": "天津市/河西区"}}
            for i in range(n)]


@pytest.fixture(scope="session")
def repost_records() -> list[dict]:
    """Fifty reposts of one food-poisoning story, one a minute from T0 (not enriched; copy before changing)."""
    return _reposts()


@pytest.fixture(scope="session")
def sandbox_lines() -> list[str]:
    return [json.dumps(r, ensure_ascii=False) for r in export_records(build_world())]


@pytest.fixture(scope="session")
def enricher():
    from analysis.enrich import Enricher

    return Enricher()


@pytest.fixture
def recorder() -> Recorder:
    return Recorder()


@pytest.fixture(scope="session")
def replayed(es_url, sandbox_lines, enricher):
    """The whole sandbox stream replayed once into its own prefix (shared by the scenario tests)."""
    from yuqing.alerts.replay import replay
    from yuqing.store import connect
    from yuqing.store.schema import INDICES

    store = connect(es_url, prefix=f"r{uuid.uuid4().hex[:10]}")
    store.init([INDICES[name] for name in USED_INDICES])
    recorder = Recorder()
    report = replay(store, copy.deepcopy(sandbox_lines), notifier=recorder, enricher=enricher, step=REPLAY_STEP)
    posts = {p["id"]: p for p in store.scan("posts")}
    yield store, report, recorder, posts
    store.delete_prefix()
