"""Test-session fixtures: one real Elasticsearch node per session, on a free port, in a throwaway dir.

No mocks of Elasticsearch anywhere. Tests that need the node ask for `store` (a fresh index prefix,
initialised, removed afterwards) or `es_url`.
"""

from __future__ import annotations

import os
import shutil
import tempfile
import uuid
from pathlib import Path

import pytest

from yuqing import esnode

PROJECT_ROOT = Path(__file__).resolve().parent.parent
SHARED_DATA = PROJECT_ROOT.parent / "shared" / "data"


@pytest.fixture(scope="session")
def es_node():
    """A real single-node Elasticsearch for the whole session (or ES_TEST_URL when given)."""
    external = os.environ.get("ES_TEST_URL")
    if external:
        yield external
        return
    base = Path(tempfile.mkdtemp(prefix="yuqing-test-es-"))
    base.chmod(0o755)
    spec = esnode.NodeSpec(port=esnode.free_port(), home=base / "node", heap="512m")
    try:
        esnode.start(spec, progress=lambda _msg: None)
    except esnode.NodeError as exc:
        shutil.rmtree(base, ignore_errors=True)
        pytest.fail(f"could not start the test Elasticsearch node: {exc}")
    try:
        yield spec.url
    finally:
        esnode.stop(spec)
        shutil.rmtree(base, ignore_errors=True)


@pytest.fixture(scope="session")
def es_url(es_node) -> str:
    return es_node


@pytest.fixture
def store(es_url, monkeypatch):
    """An initialised Store under a unique index prefix, deleted after the test."""
    from yuqing.store import connect

    prefix = f"t{uuid.uuid4().hex[:10]}"
    monkeypatch.setenv("ES_URL", es_url)
    monkeypatch.setenv("YUQING_INDEX_PREFIX", prefix)
    instance = connect(es_url, prefix=prefix)
    instance.init()
    try:
        yield instance
    finally:
        instance.delete_prefix()


def require_tools(*commands: str) -> None:
    """Skip when a system tool is missing on a developer's machine; fail under CI (`.ci/run` sets CI),
    where `make setup` installs them, so a missing package can never turn the checks into skips."""
    missing = [command for command in commands if shutil.which(command) is None]
    if missing:
        message = f"system tools missing: {', '.join(missing)} (make setup installs them)"
        if os.environ.get("CI"):
            pytest.fail(message)
        pytest.skip(message)


@pytest.fixture(scope="session")
def tools():
    return require_tools


@pytest.fixture
def shared_data() -> Path:
    if not SHARED_DATA.is_dir():
        pytest.skip("../shared/data is absent (third-party evaluation data is not shipped)")
    return SHARED_DATA
