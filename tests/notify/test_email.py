"""Email against a local SMTP server (aiosmtpd): subject, Chinese bodies, HTML alternative,
attachments, recipients per unit and route, login, STARTTLS and implicit TLS."""

from __future__ import annotations

import email
import email.policy

import pytest

from yuqing.notify import Dispatcher, Notice, load_config

DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"


def email_config(
    write_config, port: int, extra: str = "", attempts: int = 1, routes: str = "", security: str = "none"
) -> Dispatcher:
    path = write_config(f"""\
retry:
  attempts: {attempts}
  backoff_seconds: 0.05
  timeout_seconds: 5
channels:
  mail:
    type: email
    host: 127.0.0.1
    port: {port}
    security: {security}
    sender: 舆情监测系统 <yuqing@example.gov.cn>
{extra}
routes:
{routes or "  - channels: [mail]"}
units:
  食品安全协调处:
    emails: [spxt@example.gov.cn]
""")
    return Dispatcher(load_config(path))


def parse(raw: bytes) -> email.message.EmailMessage:
    return email.message_from_bytes(raw, policy=email.policy.default)


def test_alert_email_with_chinese_body_html_and_attachment(smtp_server, write_config):
    d = email_config(write_config, smtp_server.port, "    recipients: [duty@example.gov.cn]")
    attachment = b"PK\x03\x04 fake docx \xe4\xb8\xad"
    notice = Notice(
        title="某校食堂疑似食物中毒",
        text="- 相关信息：**37 条**\n- 发布权威信息：2026-05-09 19:30 前",
        level="Ⅰ",
        url="http://dash.example/alerts?id=a1",
        unit="食品安全协调处",
        attachments=[("舆情专报-食物中毒.docx", attachment, DOCX)],
    )
    [result] = d.send_now(notice)
    assert result.ok, result.error
    [(mail_from, rcpt_tos, raw)] = smtp_server.messages
    assert mail_from == "yuqing@example.gov.cn"
    assert rcpt_tos == ["duty@example.gov.cn", "spxt@example.gov.cn"]
    message = parse(raw)
    assert message["Subject"] == "【红色预警·Ⅰ级】某校食堂疑似食物中毒"
    assert message["From"].addresses[0].display_name == "舆情监测系统"
    plain = message.get_body(("plain",)).get_content()
    assert "相关信息：37 条" in plain and "**" not in plain
    assert "红色预警 · Ⅰ级（特别重大）" in plain and "查看详情：http://dash.example/alerts?id=a1" in plain
    html = message.get_body(("html",)).get_content()
    assert "#d7191c" in html and "<strong>37 条</strong>" in html and "<li>" in html
    [part] = list(message.iter_attachments())
    assert part.get_filename() == "舆情专报-食物中毒.docx"
    assert part.get_content_type() == DOCX
    assert part.get_content() == attachment


def test_digest_goes_to_the_route_recipients(smtp_server, write_config):
    d = email_config(
        write_config,
        smtp_server.port,
        routes="""\
  - channels: [mail]
    kinds: [digest]
    recipients: [leader@example.gov.cn, office@example.gov.cn]""",
    )
    pdf = b"%PDF-1.4 test"
    notice = Notice(
        title="舆情日报（2026-05-09）",
        text="今日共监测到相关信息 120 条。",
        kind="digest",
        attachments=[("舆情日报-20260509.pdf", pdf, "application/pdf")],
    )
    assert d.send_now(notice)[0].ok
    [(_from, rcpt_tos, raw)] = smtp_server.messages
    assert rcpt_tos == ["leader@example.gov.cn", "office@example.gov.cn"]
    message = parse(raw)
    assert message["Subject"] == "【简报】舆情日报（2026-05-09）"
    assert [p.get_content() for p in message.iter_attachments()] == [pdf]


def test_no_recipient_is_a_failure_without_retries(smtp_server, write_config):
    d = email_config(write_config, smtp_server.port, attempts=3)
    [result] = d.send_now(Notice(title="t", text="正文", level="Ⅳ"))
    assert not result.ok and result.attempts == 1 and "没有收件人" in result.error
    assert smtp_server.messages == []


def test_starttls(smtp_factory, tls_context, write_config):
    server = smtp_factory(tls_context=tls_context, require_starttls=True)
    d = email_config(
        write_config,
        server.port,
        """\
    verify_tls: false
    recipients: [duty@example.gov.cn]""",
        security="starttls",
    )
    [result] = d.send_now(Notice(title="加密测试", text="正文", level="Ⅱ"))
    assert result.ok, result.error
    assert parse(server.messages[0][2])["Subject"] == "【橙色预警·Ⅱ级】加密测试"


def test_starttls_refused_by_a_server_without_it(smtp_server, write_config):
    d = email_config(
        write_config,
        smtp_server.port,
        "    recipients: [duty@example.gov.cn]",
        attempts=3,
        security="starttls",
    )
    [result] = d.send_now(Notice(title="t", text="正文"))
    assert not result.ok and result.attempts == 1 and "STARTTLS" in result.error


def test_unreachable_server_is_retried(write_config):
    import socket

    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    d = email_config(write_config, port, "    recipients: [duty@example.gov.cn]", attempts=2)
    [result] = d.send_now(Notice(title="t", text="正文"))
    assert not result.ok and result.attempts == 2 and f"127.0.0.1:{port}" in result.error


@pytest.mark.parametrize("password, ok", [("right-口令", True), ("wrong", False)])
def test_smtp_login(smtp_factory, write_config, monkeypatch, password, ok):
    from aiosmtpd.smtp import AuthResult, LoginPassword

    def authenticator(_server, _session, _envelope, _mechanism, data):
        good = (
            isinstance(data, LoginPassword)
            and data.login == b"yuqing"
            and data.password == "right-口令".encode()
        )
        return AuthResult(success=good, handled=False)  # not handled: the server answers 535

    server = smtp_factory(authenticator=authenticator, auth_require_tls=False)
    monkeypatch.setenv("TEST_SMTP_PASSWORD", password)
    d = email_config(
        write_config,
        server.port,
        """\
    username: yuqing
    password_env: TEST_SMTP_PASSWORD
    recipients: [duty@example.gov.cn]""",
        attempts=3,
    )
    [result] = d.send_now(Notice(title="t", text="正文"))
    assert result.ok is ok
    if not ok:
        assert result.attempts == 1 and "登录失败" in result.error
    assert len(server.messages) == (1 if ok else 0)


def test_implicit_tls(smtp_factory, tls_context, write_config):
    server = smtp_factory(ssl_context=tls_context)
    d = email_config(
        write_config,
        server.port,
        """\
    verify_tls: false
    recipients: [duty@example.gov.cn]""",
        security="ssl",
    )
    [result] = d.send_now(Notice(title="SSL 测试", text="正文"))
    assert result.ok, result.error
    assert len(server.messages) == 1


def test_certificate_is_verified_by_default(smtp_factory, tls_context, write_config):
    server = smtp_factory(ssl_context=tls_context)
    d = email_config(
        write_config, server.port, "    recipients: [duty@example.gov.cn]", security="ssl", attempts=1
    )
    [result] = d.send_now(Notice(title="t", text="正文"))
    assert not result.ok and "CERTIFICATE_VERIFY_FAILED" in result.error
    assert server.messages == []
