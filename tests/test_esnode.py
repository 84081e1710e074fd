"""Managing the local node: clear errors for the usual ways it goes wrong."""

from __future__ import annotations

import os
import shutil
import socket
import tempfile
from pathlib import Path

import pytest

from yuqing import esnode, settings
from yuqing.cli import main
from yuqing.errors import StoreError
from yuqing.store import connect


def test_port_in_use_is_reported_before_anything_starts(tmp_path):
    with socket.socket() as busy:
        busy.bind(("127.0.0.1", 0))
        busy.listen()
        spec = esnode.NodeSpec(port=busy.getsockname()[1], home=tmp_path / "node")
        with pytest.raises(esnode.NodeError) as info:
            esnode.start(spec, progress=lambda _m: None)
    assert "已被其他程序占用" in str(info.value)
    assert not (tmp_path / "node").exists()


def test_missing_java_says_what_to_install(tmp_path, monkeypatch):
    monkeypatch.setenv("PATH", str(tmp_path))
    monkeypatch.setenv("ES_JAVA_HOME", str(tmp_path / "nojdk"))
    monkeypatch.delenv("JAVA_HOME", raising=False)
    with pytest.raises(esnode.NodeError) as info:
        esnode.find_java(jvm_root=tmp_path / "jvm")
    assert "openjdk-17" in str(info.value)


def test_java_17_is_found_on_this_machine():
    home = esnode.find_java()
    assert esnode._java_major(home) >= 17


def test_status_exits_non_zero_when_nothing_runs(tmp_path, monkeypatch, capsys):
    monkeypatch.delenv("ES_URL", raising=False)
    assert main(["es", "status", "--port", str(esnode.free_port()), "--data-dir", str(tmp_path)]) == 1
    assert "未运行" in capsys.readouterr().out


def test_status_exits_zero_for_a_healthy_node(es_url, monkeypatch):
    monkeypatch.setenv("ES_URL", es_url)
    assert main(["es", "status"]) == 0


def test_unreachable_cluster_is_a_clear_error(monkeypatch, capsys):
    url = f"http://127.0.0.1:{esnode.free_port()}"
    with pytest.raises(StoreError) as info:
        connect(url)
    assert "无法连接 Elasticsearch" in str(info.value)
    monkeypatch.setenv("ES_URL", url)
    assert main(["init"]) == StoreError.exit_code
    err = capsys.readouterr().err
    assert "无法连接" in err and "Traceback" not in err


@pytest.fixture
def open_dir():
    path = Path(tempfile.mkdtemp(prefix="yuqing-test-node-"))
    path.chmod(0o755)
    yield path
    shutil.rmtree(path, ignore_errors=True)


def test_a_node_that_fails_to_start_shows_its_log(open_dir):
    spec = esnode.NodeSpec(port=esnode.free_port(), home=open_dir / "node", extra={"no.such.setting": "1"})
    with pytest.raises(esnode.NodeError) as info:
        esnode.start(spec, timeout=120, progress=lambda _m: None)
    assert "no.such.setting" in str(info.value)
    assert esnode.running_pid(spec) is None


@pytest.mark.skipif(not settings.is_root(), reason="only root hands the node to an unprivileged user")
def test_a_data_dir_the_node_user_cannot_reach_is_refused_with_a_hint(tmp_path):
    private = tmp_path / "private"
    private.mkdir(mode=0o700)
    spec = esnode.NodeSpec(port=esnode.free_port(), home=private / "node")
    with pytest.raises(esnode.NodeError) as info:
        esnode.start(spec, progress=lambda _m: None)
    assert "--data-dir" in str(info.value)


FAKE_MVN = """#!/usr/bin/env python3
# A stand-in for Maven that serves only the versions listed in SERVED (the mirror does not have the others).
import sys, zipfile
args = dict(a[2:].split("=", 1) for a in sys.argv[1:] if a.startswith("-D"))
version = args["artifact"].split(":")[2]
if version not in {served}:
    print("[ERROR] Could not find artifact elasticsearch:" + version)
    sys.exit(1)
with zipfile.ZipFile(args["outputDirectory"] + "/elasticsearch-" + version + ".zip", "w") as z:
    z.writestr("elasticsearch-" + version + "/bin/elasticsearch", "#!/bin/sh\\n")
"""


@pytest.fixture
def fake_maven(tmp_path, monkeypatch):
    def serve(*versions: str) -> Path:
        bin_dir = tmp_path / "bin"
        bin_dir.mkdir(exist_ok=True)
        mvn = bin_dir / "mvn"
        mvn.write_text(FAKE_MVN.format(served=set(versions)))
        mvn.chmod(0o755)
        monkeypatch.setenv("PATH", f"{bin_dir}:{os.environ['PATH']}")
        monkeypatch.setenv("YUQING_CACHE_DIR", str(tmp_path / "cache"))
        return tmp_path / "cache" / "elasticsearch"
    return serve


def test_fetch_falls_back_to_an_older_patch_release_the_mirror_serves(fake_maven):
    cache = fake_maven(esnode.FALLBACK_VERSIONS[2])
    messages = []
    home = esnode.fetch(esnode.FALLBACK_VERSIONS[0], messages.append, fallback=True)
    assert home == cache / f"elasticsearch-{esnode.FALLBACK_VERSIONS[2]}"
    assert (home / "bin" / "elasticsearch").exists()
    assert sum("改试下一个版本" in m for m in messages) == 2
    assert esnode.fetch(esnode.FALLBACK_VERSIONS[0], messages.append, fallback=True) == home  # cached: no download


def test_a_version_the_user_pinned_is_not_replaced(fake_maven, monkeypatch):
    fake_maven(esnode.FALLBACK_VERSIONS[1])
    monkeypatch.setenv("YUQING_ES_VERSION", esnode.FALLBACK_VERSIONS[0])
    spec = esnode.default_spec(port=9299)
    assert spec.pinned
    with pytest.raises(esnode.DownloadError) as info:
        esnode.fetch(spec.version, lambda _m: None, fallback=not spec.pinned)
    assert esnode.FALLBACK_VERSIONS[0] in str(info.value)


def test_nothing_served_names_every_version_tried(fake_maven):
    fake_maven()
    with pytest.raises(esnode.NodeError) as info:
        esnode.fetch(esnode.FALLBACK_VERSIONS[0], lambda _m: None, fallback=True)
    assert all(v in str(info.value) for v in esnode.FALLBACK_VERSIONS)
