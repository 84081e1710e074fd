"""A node with security on and a file-realm user: right credentials work, wrong ones fail clearly."""

from __future__ import annotations

import shutil
import tempfile
from pathlib import Path

import pytest

from yuqing import esnode
from yuqing.cli import main
from yuqing.errors import StoreError
from yuqing.store import connect


@pytest.fixture(scope="module")
def secured_url():
    base = Path(tempfile.mkdtemp(prefix="yuqing-test-es-sec-"))
    base.chmod(0o755)
    spec = esnode.NodeSpec(port=esnode.free_port(), home=base / "node", security=True,
                           users=[("yuqing_admin", "s3cret-pass", "superuser")])
    try:
        esnode.start(spec, progress=lambda _m: None)
        yield spec.url
    finally:
        esnode.stop(spec)
        shutil.rmtree(base, ignore_errors=True)


def test_client_authenticates_with_the_right_credentials(secured_url):
    store = connect(secured_url, username="yuqing_admin", password="s3cret-pass", prefix="sec")
    assert store.health()["status"] in ("green", "yellow")
    store.init()
    store.index_posts([{"url": "http://a.example.cn/1", "title": "电梯困人", "content": "电梯困人"}], refresh=True)
    assert store.count("posts") == 1


def test_wrong_password_gives_a_clear_error(secured_url):
    with pytest.raises(StoreError) as info:
        connect(secured_url, username="yuqing_admin", password="wrong")
    assert "认证失败" in str(info.value)
    assert "ES_PASSWORD" in str(info.value)


def test_cli_reports_wrong_credentials_without_a_traceback(secured_url, monkeypatch, capsys):
    monkeypatch.setenv("ES_URL", secured_url)
    monkeypatch.setenv("ES_USERNAME", "nobody")
    monkeypatch.setenv("ES_PASSWORD", "nothing")
    assert main(["init"]) == StoreError.exit_code
    err = capsys.readouterr().err
    assert "认证失败" in err and "Traceback" not in err
