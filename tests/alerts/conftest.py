"""Shared fixtures: the sandbox stream, enriched once per session, and a local notification recorder."""

from __future__ import annotations

import copy
import json
import threading
from datetime import timedelta

import pytest

from yuqing.sandbox import build_world
from yuqing.sandbox.export import export_records


class Recorder:
    """A notifier that keeps what it was given and reports success (a real object, not a mock)."""

    def __init__(self) -> None:
        self.notices: list = []
        self.lock = threading.Lock()

    def submit(self, notice, on_result=None) -> None:
        from datetime import datetime, timezone
        from types import SimpleNamespace

        with self.lock:
            self.notices.append(notice)
        if on_result is not None:
            on_result(SimpleNamespace(channel="recorder", ok=True, at=datetime.now(timezone.utc), error=None,
                                      attempts=1))


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
def replayed(es_url, sandbox_lines, enricher, tmp_path_factory):
    """The whole sandbox stream replayed once into its own prefix (shared by the scenario tests)."""
    import uuid

    from yuqing.alerts.replay import replay
    from yuqing.store import connect

    store = connect(es_url, prefix=f"r{uuid.uuid4().hex[:10]}")
    store.init()
    recorder = Recorder()
    report = replay(store, copy.deepcopy(sandbox_lines), notifier=recorder, enricher=enricher,
                    step=timedelta(minutes=30))
    posts = {p["id"]: p for p in store.scan("posts")}
    yield store, report, recorder, posts
    store.delete_prefix()
