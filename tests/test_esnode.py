"""Managing the local node: clear errors for the usual ways it goes wrong."""

from __future__ import annotations

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
