"""Email over SMTP: plain text with an HTML alternative, attachments (digests send DOCX/PDF)."""

from __future__ import annotations

import base64
import html
import re
import smtplib
import ssl
from email.message import EmailMessage
from email.utils import formatdate, make_msgid

from yuqing.config import Field
from yuqing.notify.channels import Channel, DeliveryError, register_channel
from yuqing.notify.notice import COLOUR_HEX, Notice, plain_text

_LINK = re.compile(r"\[([^\]]+)\]\(([^)\s]+)\)")
_BOLD = re.compile(r"\*\*(.+?)\*\*")
_ADDRESS = re.compile(r"^[^@\s<>]+@[^@\s<>]+\.[^@\s<>]+$")


def check_address(value: str) -> str | None:
    address = value.rsplit("<", 1)[-1].rstrip(">").strip()
    return None if _ADDRESS.match(address) else f"不是合法的邮件地址: {value!r}"


def inline_html(text: str) -> str:
    """Escape one line and turn **bold** and [text](url) into HTML."""
    escaped = html.escape(text, quote=False)
    escaped = _BOLD.sub(r"<strong>\1</strong>", escaped)
    return _LINK.sub(lambda m: f'<a href="{html.escape(m.group(2))}">{m.group(1)}</a>', escaped)


def body_html(notice: Notice) -> str:
    """The notice as a small HTML document: a coloured level badge, paragraphs and lists."""
    parts = ["<html><body style=\"font-family:'Microsoft YaHei','PingFang SC',sans-serif;font-size:14px\">"]
    badge = notice.badge()
    if badge:
        colour = COLOUR_HEX.get(notice.color or "", "#666666")
        parts.append(
            f'<p><span style="background:{colour};color:#ffffff;padding:2px 8px;border-radius:3px">'
            f"{html.escape(badge)}</span></p>"
        )
    parts.append(f"<h3>{html.escape(notice.title)}</h3>")
    in_list = False
    for line in notice.text.splitlines():
        stripped = line.strip()
        if stripped.startswith(("- ", "* ")):
            if not in_list:
                parts.append("<ul>")
                in_list = True
            parts.append(f"<li>{inline_html(stripped[2:])}</li>")
            continue
        if in_list:
            parts.append("</ul>")
            in_list = False
        if stripped:
            parts.append(f"<p>{inline_html(stripped)}</p>")
    if in_list:
        parts.append("</ul>")
    if notice.unit and f"责任单位：{notice.unit}" not in notice.text:
        parts.append(f"<p>责任单位：{html.escape(notice.unit)}</p>")
    if notice.url:
        parts.append(f'<p><a href="{html.escape(notice.url)}">查看详情</a></p>')
    parts.append('<p style="color:#888888;font-size:12px">本邮件由舆情监测系统自动发送，请勿直接回复。</p>')
    parts.append("</body></html>")
    return "\n".join(parts)


def body_text(notice: Notice) -> str:
    lines = []
    if notice.badge():
        lines.append(notice.badge())
    lines += [notice.title, "", plain_text(notice.text).strip()]
    if notice.unit and f"责任单位：{notice.unit}" not in notice.text:
        lines.append(f"责任单位：{notice.unit}")
    if notice.url:
        lines += ["", f"查看详情：{notice.url}"]
    lines += ["", "——本邮件由舆情监测系统自动发送，请勿直接回复。"]
    return "\n".join(lines) + "\n"


def build_message(notice: Notice, sender: str, recipients: list[str]) -> EmailMessage:
    """The MIME message: text/plain + text/html alternative, then one part per attachment."""
    message = EmailMessage()
    message["Subject"] = notice.subject()
    message["From"] = sender
    message["To"] = ", ".join(recipients)
    message["Date"] = formatdate(localtime=True)
    message["Message-ID"] = make_msgid(domain=sender.rsplit("@", 1)[-1].rstrip(">").strip() or None)
    message.set_content(body_text(notice))
    message.add_alternative(body_html(notice), subtype="html")
    for filename, content, mime in notice.attachments:
        maintype, _, subtype = (mime or "application/octet-stream").partition("/")
        message.add_attachment(
            content, maintype=maintype, subtype=subtype or "octet-stream", filename=filename
        )
    return message


@register_channel
class EmailChannel(Channel):
    """SMTP with optional STARTTLS or implicit TLS and optional login."""

    type_name = "email"
    label = "邮件"
    secrets = ("password",)
    takes_recipients = True
    options = {
        "host": Field(str, required=True, help="SMTP 服务器"),
        "port": Field(int, help="端口（默认: ssl 465，starttls 587，none 25）"),
        "security": Field(str, default="starttls", choices=("starttls", "ssl", "none"), help="加密方式"),
        "verify_tls": Field(bool, default=True, help="校验服务器证书"),
        "username": Field(str, help="登录用户名；不需要登录时省略"),
        "password": Field(str, help="登录密码（建议用 password_env）"),
        "sender": Field(
            str, required=True, check=check_address, help="发件人，如 舆情监测 <yuqing@example.gov.cn>"
        ),
        "recipients": Field(list, item=str, default=[], help="收件人（另加责任单位的邮箱）"),
    }

    @classmethod
    def check_config(cls, config):
        for address in config.get("recipients") or []:
            problem = check_address(address)
            if problem:
                return problem
        if config.get("username") and not (config.get("password") or config.get("password_env")):
            return "设置了 username 时需要 password 或 password_env"
        return None

    def setup(self) -> None:
        if not self.config.get("port"):
            self.config["port"] = {"ssl": 465, "starttls": 587, "none": 25}[
                self.config.get("security") or "starttls"
            ]

    def _context(self) -> ssl.SSLContext:
        context = ssl.create_default_context()
        if not self.config.get("verify_tls", True):
            context.check_hostname = False
            context.verify_mode = ssl.CERT_NONE
        return context

    def send(self, notice, recipients=None):
        to = list(dict.fromkeys([*(self.config.get("recipients") or []), *(recipients or [])]))
        if not to:
            raise DeliveryError("没有收件人（recipients 与责任单位邮箱均为空）", retryable=False)
        message = build_message(notice, self.config["sender"], to)
        host, port, security = self.config["host"], int(self.config["port"]), self.config.get("security")
        try:
            if security == "ssl":
                client: smtplib.SMTP = smtplib.SMTP_SSL(
                    host, port, timeout=self.timeout, context=self._context()
                )
            else:
                client = smtplib.SMTP(host, port, timeout=self.timeout)
            with client:
                if security == "starttls":
                    client.starttls(context=self._context())
                if self.config.get("username"):
                    login(client, self.config["username"], self.config.get("password") or "")
                refused = client.send_message(message, to_addrs=to)
        except smtplib.SMTPAuthenticationError as exc:
            raise DeliveryError(f"SMTP 登录失败: {exc.smtp_code}", retryable=False) from None
        except smtplib.SMTPNotSupportedError as exc:
            what = "STARTTLS" if "STARTTLS" in str(exc) else "登录（AUTH PLAIN/LOGIN）"
            raise DeliveryError(f"SMTP 服务器 {host}:{port} 不支持 {what}", retryable=False) from None
        except smtplib.SMTPRecipientsRefused as exc:
            raise DeliveryError(f"收件人全部被拒收: {', '.join(exc.recipients)}", retryable=False) from None
        except smtplib.SMTPResponseException as exc:
            retryable = exc.smtp_code >= 400 and exc.smtp_code < 500
            raise DeliveryError(
                f"SMTP 错误 {exc.smtp_code}: {_decode(exc.smtp_error)}", retryable=retryable
            ) from None
        except (smtplib.SMTPException, OSError) as exc:
            raise DeliveryError(f"无法通过 {host}:{port} 发送邮件: {exc}") from None
        if refused:
            raise DeliveryError(f"部分收件人被拒收: {', '.join(refused)}", retryable=False)


def login(client: smtplib.SMTP, username: str, password: str) -> None:
    """SMTP login; smtplib encodes credentials as ASCII, so non-ASCII ones use AUTH PLAIN (or LOGIN)
    with UTF-8 (RFC 4616) here."""
    if (username + password).isascii():
        client.login(username, password)
        return
    client.ehlo_or_helo_if_needed()
    methods = (client.esmtp_features.get("auth") or "").upper().split()
    if "PLAIN" in methods:
        token = base64.b64encode(b"\0" + username.encode() + b"\0" + password.encode()).decode("ascii")
        code, response = client.docmd("AUTH", f"PLAIN {token}")
    elif "LOGIN" in methods:
        code, response = client.docmd("AUTH", "LOGIN " + base64.b64encode(username.encode()).decode("ascii"))
        if code == 334:
            code, response = client.docmd(base64.b64encode(password.encode()).decode("ascii"))
    else:
        raise smtplib.SMTPNotSupportedError("AUTH PLAIN/LOGIN")
    if code not in (235, 503):
        raise smtplib.SMTPAuthenticationError(code, response)


def _decode(value: bytes | str) -> str:
    return value.decode("utf-8", "replace") if isinstance(value, bytes) else str(value)
