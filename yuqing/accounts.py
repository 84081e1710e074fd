"""Dashboard accounts and login sessions, stored in Elasticsearch (indices ``users`` and ``sessions``).

Passwords are argon2id hashes (argon2-cffi). A session is a random token in an HttpOnly cookie; only
its SHA-256 is stored, with an absolute expiry and a CSRF token. A session dies when it expires, when it
is revoked (logout), when its user is disabled, or when the user's password changes after it was made.
The role is read from the user document on every request, so a role change takes effect at once.
"""

from __future__ import annotations

import hashlib
import re
import secrets
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError, VerifyMismatchError

from yuqing.errors import YuqingError

ROLES = {
    "press": "新闻发言人/宣传",
    "analyst": "舆情分析员",
    "leader": "局领导",
    "unit": "责任单位",
    "admin": "管理员",
}
ROLE_BY_LABEL = {label: name for name, label in ROLES.items()} | {"新闻发言人": "press", "宣传": "press"}
USERNAME = re.compile(r"^[\w.\-]{2,32}$")
MIN_PASSWORD = 8
SESSION_HOURS = 8.0
_HASHER = PasswordHasher()  # argon2id with the library's current RFC 9106 low-memory profile
_DUMMY_HASH = _HASHER.hash("timing-equaliser")


class AccountError(YuqingError):
    """A bad user name, role, password or an unknown account (message in Chinese)."""


@dataclass(frozen=True)
class User:
    username: str
    role: str
    display_name: str = ""
    unit: str | None = None
    disabled: bool = False

    @property
    def role_label(self) -> str:
        return ROLES.get(self.role, self.role)

    @property
    def label(self) -> str:
        who = self.display_name or self.username
        return f"{who}（{self.role_label}{'·' + self.unit if self.unit else ''}）"


@dataclass(frozen=True)
class Session:
    token: str  # the cookie value (only its hash is stored)
    csrf: str
    user: User
    expires_at: datetime


def _now() -> datetime:
    return datetime.now(UTC)


def _iso(value: datetime) -> str:
    return value.astimezone(UTC).isoformat(timespec="seconds")


def _parse(value: str | None) -> datetime | None:
    if not value:
        return None
    return datetime.fromisoformat(value)


def normalise_role(role: str) -> str:
    """'analyst' or its Chinese label → 'analyst'; anything else is an AccountError."""
    role = (role or "").strip()
    if role in ROLES:
        return role
    if role in ROLE_BY_LABEL:
        return ROLE_BY_LABEL[role]
    choices = "、".join(f"{k}（{v}）" for k, v in ROLES.items())
    raise AccountError(f"未知角色 “{role}”，可选: {choices}")


def check_username(username: str) -> str:
    username = (username or "").strip()
    if not USERNAME.match(username):
        raise AccountError(f"用户名 “{username}” 不合法：2–32 个字母、数字、汉字或 _ . -")
    return username


def check_password(password: str) -> None:
    if len(password or "") < MIN_PASSWORD:
        raise AccountError(f"密码至少 {MIN_PASSWORD} 个字符")


def _user(doc: dict) -> User:
    return User(doc["username"], doc["role"], doc.get("display_name") or "", doc.get("unit") or None,
                bool(doc.get("disabled")))


def get_user(store, username: str) -> User | None:
    doc = store.get("users", username)
    return _user(doc) if doc else None


def add_user(store, username: str, password: str, role: str, *, unit: str | None = None,
             display_name: str = "") -> User:
    """Create an account; the user name must be new. Role 'unit' needs the unit's name."""
    username = check_username(username)
    role = normalise_role(role)
    check_password(password)
    unit = (unit or "").strip() or None
    if role == "unit" and not unit:
        raise AccountError("责任单位账号必须填写单位名称（--unit）")
    if store.get("users", username) is not None:
        raise AccountError(f"用户 {username} 已存在")
    now = _iso(_now())
    doc = {"id": username, "username": username, "display_name": display_name.strip(), "role": role,
           "unit": unit, "password_hash": _HASHER.hash(password), "disabled": False,
           "created_at": now, "updated_at": now, "password_changed_at": now}
    _write(store, doc)
    return _user(doc)


def _write(store, doc: dict) -> None:
    report = store.index_docs("users", [doc], refresh=True)
    if report.failed:
        raise AccountError(f"保存用户 {doc['username']} 失败: {report.failed[0][1]}")


def _require(store, username: str) -> dict:
    doc = store.get("users", username)
    if doc is None:
        raise AccountError(f"用户 {username} 不存在")
    return doc


def set_password(store, username: str, password: str) -> None:
    """Change a password; every session made before the change stops working."""
    check_password(password)
    doc = _require(store, username)
    now = _now()
    doc.update(password_hash=_HASHER.hash(password), updated_at=_iso(now),
               password_changed_at=now.astimezone(UTC).isoformat(timespec="microseconds"))
    _write(store, doc)


def update_user(store, username: str, *, role: str | None = None, unit: str | None = None,
                display_name: str | None = None, disabled: bool | None = None) -> User:
    doc = _require(store, username)
    if role is not None:
        doc["role"] = normalise_role(role)
    if unit is not None:
        doc["unit"] = unit.strip() or None
    if display_name is not None:
        doc["display_name"] = display_name.strip()
    if disabled is not None:
        doc["disabled"] = bool(disabled)
    if doc["role"] == "unit" and not doc.get("unit"):
        raise AccountError("责任单位账号必须填写单位名称")
    if doc["role"] != "unit":
        doc["unit"] = None
    doc["updated_at"] = _iso(_now())
    _write(store, doc)
    return _user(doc)


def list_users(store) -> list[User]:
    result = store.search("users", size=1000, sort=[{"username": "asc"}],
                          source=["username", "role", "display_name", "unit", "disabled"])
    return [_user(hit["_source"]) for hit in result["hits"]["hits"]]


def authenticate(store, username: str, password: str) -> User | None:
    """The user when the password matches and the account is enabled; None otherwise (same timing)."""
    doc = store.get("users", username) if USERNAME.match(username or "") else None
    if doc is None:
        try:
            _HASHER.verify(_DUMMY_HASH, password or "")
        except VerificationError:
            pass
        return None
    try:
        _HASHER.verify(doc["password_hash"], password or "")
    except (VerifyMismatchError, VerificationError, InvalidHashError):
        return None
    if doc.get("disabled"):
        return None
    if _HASHER.check_needs_rehash(doc["password_hash"]):
        doc["password_hash"] = _HASHER.hash(password)
    doc["last_login_at"] = _iso(_now())
    _write(store, doc)
    return _user(doc)


def _token_id(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


def create_session(store, user: User, hours: float = SESSION_HOURS, now: datetime | None = None) -> Session:
    now = now or _now()
    token, csrf = secrets.token_urlsafe(32), secrets.token_urlsafe(32)
    expires = now + timedelta(hours=hours)
    store.index_docs("sessions", [{"id": _token_id(token), "username": user.username, "csrf": csrf,
                                   "created_at": now.astimezone(UTC).isoformat(timespec="microseconds"),
                                   "expires_at": _iso(expires), "revoked": False}], refresh=True)
    return Session(token, csrf, user, expires)


def load_session(store, token: str | None, now: datetime | None = None) -> Session | None:
    """The live session for a cookie token, or None (unknown, expired, revoked, disabled, password changed)."""
    if not token or len(token) > 200:
        return None
    doc = store.get("sessions", _token_id(token))
    if not doc or doc.get("revoked"):
        return None
    now = now or _now()
    expires = _parse(doc.get("expires_at"))
    if expires is None or expires <= now:
        return None
    user_doc = store.get("users", doc["username"])
    if not user_doc or user_doc.get("disabled"):
        return None
    changed = _parse(user_doc.get("password_changed_at"))
    created = _parse(doc.get("created_at"))
    if changed and created and created < changed:
        return None
    return Session(token, doc["csrf"], _user(user_doc), expires)


def revoke_session(store, token: str | None) -> None:
    if not token:
        return
    doc = store.get("sessions", _token_id(token))
    if doc:
        doc["revoked"] = True
        store.index_docs("sessions", [doc], refresh=True)


ACCOUNT_INDEX_NAMES = ("users", "sessions")
