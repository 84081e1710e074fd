"""Accounts and sessions against the real node, and the `yuqing users` commands."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from yuqing import accounts


def test_add_and_authenticate(store):
    user = accounts.add_user(store, "zhang", "s3cret-pass", "舆情分析员", display_name="张三")
    assert user.role == "analyst" and user.label == "张三（舆情分析员）"
    assert accounts.authenticate(store, "zhang", "s3cret-pass") == user
    assert accounts.authenticate(store, "zhang", "wrong-pass!") is None
    assert accounts.authenticate(store, "nobody", "s3cret-pass") is None
    assert store.get("users", "zhang")["password_hash"].startswith("$argon2id$")


@pytest.mark.parametrize("args, message", [
    (("x", "long-enough", "analyst"), "用户名"),
    (("okname", "short", "analyst"), "至少 8"),
    (("okname", "long-enough", "boss"), "未知角色"),
    (("okname", "long-enough", "unit"), "单位名称"),
])
def test_bad_accounts_are_refused(store, args, message):
    with pytest.raises(accounts.AccountError, match=message):
        accounts.add_user(store, *args)


def test_duplicate_user_is_refused(store):
    accounts.add_user(store, "li", "long-enough", "leader")
    with pytest.raises(accounts.AccountError, match="已存在"):
        accounts.add_user(store, "li", "long-enough", "admin")


def test_sessions_expire_and_are_revoked(store):
    user = accounts.add_user(store, "wang", "long-enough", "press")
    now = datetime.now(UTC)
    session = accounts.create_session(store, user, hours=1, now=now)
    assert accounts.load_session(store, session.token, now=now + timedelta(minutes=59)).user == user
    assert accounts.load_session(store, session.token, now=now + timedelta(minutes=61)) is None
    assert accounts.load_session(store, "forged-token") is None
    accounts.revoke_session(store, session.token)
    assert accounts.load_session(store, session.token, now=now) is None


def test_disabling_a_user_ends_their_sessions(store):
    user = accounts.add_user(store, "zhao", "long-enough", "unit", unit="价格监督检查处")
    session = accounts.create_session(store, user)
    accounts.update_user(store, "zhao", disabled=True)
    assert accounts.load_session(store, session.token) is None
    assert accounts.authenticate(store, "zhao", "long-enough") is None


def test_role_change_applies_to_live_sessions(store):
    user = accounts.add_user(store, "sun", "long-enough", "analyst")
    session = accounts.create_session(store, user)
    accounts.update_user(store, "sun", role="leader")
    assert accounts.load_session(store, session.token).user.role == "leader"


def test_users_cli(store, capsys, monkeypatch):
    from yuqing.cli import main

    monkeypatch.setenv("YUQING_NEW_PASSWORD", "cli-password-1")
    assert main(["users", "add", "chen", "--role", "unit", "--unit", "食品安全监管处", "--name", "陈六"]) == 0
    assert main(["users", "list"]) == 0
    out = capsys.readouterr().out
    assert "chen" in out and "责任单位" in out and "食品安全监管处" in out
    assert accounts.authenticate(store, "chen", "cli-password-1") is not None
    monkeypatch.setenv("YUQING_NEW_PASSWORD", "cli-password-2")
    assert main(["users", "passwd", "chen"]) == 0
    assert accounts.authenticate(store, "chen", "cli-password-2") is not None
    assert main(["users", "add", "chen2", "--role", "boss"]) == 1
    assert "未知角色" in capsys.readouterr().err


def test_dashboard_cli_builds_the_gunicorn_command():
    import argparse

    from yuqing.cli.dashboard import gunicorn_argv
    from yuqing.errors import YuqingError

    argv = gunicorn_argv(argparse.Namespace(port=8099, host="127.0.0.1", workers=3, timeout=60))
    assert argv[1:3] == ["-m", "gunicorn"] and "127.0.0.1:8099" in argv and argv[-1] == "dashboards.app:server"
    with pytest.raises(YuqingError, match="端口"):
        gunicorn_argv(argparse.Namespace(port=0, host="127.0.0.1", workers=1, timeout=60))
