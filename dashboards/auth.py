"""Login, sessions, CSRF and role checks for the Dash app, all enforced on the server.

- Every request except the login page and static files needs a live session (cookie ``yuqing_session``).
- Every POST needs the CSRF token: Dash's renderer sends the ``_csrf_token`` cookie back as the
  ``X-CSRFToken`` header on callback requests; the login form carries it as a hidden field.
- Every callback is registered through :func:`guarded_callback` with the roles that may run it. A POST
  to ``/_dash-update-component`` whose output is not registered, or whose role is not allowed, gets 403
  before any callback code runs; the callback itself checks again.
- Every page layout is wrapped by :func:`guard_layout` and returns a "no access" notice to other roles.
"""

from __future__ import annotations

import functools
import hmac
import secrets
from html import escape
from urllib.parse import urlsplit

import dash
import flask

from yuqing import accounts

ALL_ROLES = frozenset(accounts.ROLES)
SESSION_COOKIE = "yuqing_session"
CSRF_COOKIE = "_csrf_token"
CSRF_HEADER = "X-CSRFToken"
PUBLIC_PATHS = ("/login", "/logout", "/healthz", "/_favicon.ico", "/favicon.ico")
PUBLIC_PREFIXES = ("/assets/", "/_dash-component-suites/")
CALLBACK_ROLES: dict[str, frozenset[str]] = {}  # Dash callback id (its output string) → roles


def guarded_callback(*args, roles=ALL_ROLES, **kwargs):
    """``dash.callback`` that records which roles may run it and checks the role when it runs."""
    allowed = frozenset(roles)
    unknown = allowed - ALL_ROLES
    if unknown:
        raise ValueError(f"unknown roles {sorted(unknown)}")

    def decorate(func):
        @functools.wraps(func)
        def checked(*values, **named):
            require_role(allowed)
            return func(*values, **named)

        from dash._callback import GLOBAL_CALLBACK_MAP

        before = set(GLOBAL_CALLBACK_MAP)
        wrapped = dash.callback(*args, **kwargs)(checked)
        for key in set(GLOBAL_CALLBACK_MAP) - before:
            CALLBACK_ROLES[key] = allowed
        return wrapped

    return decorate


def current_user() -> accounts.User | None:
    session = flask.g.get("yuqing_session") if flask.has_request_context() else None
    return session.user if session else None


def require_role(roles) -> accounts.User:
    user = current_user()
    if user is None:
        flask.abort(401)
    if user.role not in roles:
        flask.abort(403)
    return user


def guard_layout(roles):
    """Wrap a page's ``layout(**query)`` so other roles get a notice instead of the page."""
    allowed = frozenset(roles)

    def decorate(func):
        @functools.wraps(func)
        def layout(**query):
            user = current_user()
            if user is None or user.role not in allowed:
                return denied_notice(allowed)
            return func(**query)

        return layout

    return decorate


def denied_notice(allowed) -> dash.html.Div:
    labels = "、".join(accounts.ROLES[r] for r in accounts.ROLES if r in allowed)
    return dash.html.Div(className="notice notice-denied", id="denied", children=[
        dash.html.H2("无权访问此页面"), dash.html.P(f"此页面仅向以下角色开放：{labels}。如需开通，请联系管理员。")])


# Each role's pages in the order it works through them; its first page is where it lands after login.
NAV_ORDER = {
    "leader": ("digest", "scorecard", "alerts", "explore", "boards"),
    "press": ("alerts", "boards", "explore", "digest", "scorecard", "sources"),
    "analyst": ("explore", "alerts", "boards", "sources", "digest", "scorecard"),
    "unit": ("alerts", "boards"),
    "admin": ("alerts", "explore", "boards", "sources", "digest", "scorecard", "settings"),
}
HOME_FALLBACK = "/alerts"


def page_key(page: dict) -> str:
    """'dashboards.pages.digest' → 'digest'."""
    return page["module"].rsplit(".", 1)[-1]


def allowed_pages(user: accounts.User | None) -> list[dict]:
    if user is None:
        return []
    return [page for page in dash.page_registry.values() if user.role in page.get("roles", ALL_ROLES)]


def nav_pages(user: accounts.User | None) -> list[dict]:
    """The navbar: the pages the role may open (not detail pages such as 事件), in the role's order."""
    order = NAV_ORDER.get(user.role, ()) if user else ()
    pages = [p for p in allowed_pages(user) if p.get("nav", True)]
    rank = {key: i for i, key in enumerate(order)}
    return sorted(pages, key=lambda p: (rank.get(page_key(p), len(rank)), p.get("order") or 0))


def home_path(user: accounts.User | None) -> str:
    """Where ``/`` takes this user: the first page of the role's navbar."""
    pages = nav_pages(user)
    return pages[0]["relative_path"] if pages else HOME_FALLBACK


# --------------------------------------------------------------------------- request hooks
def install(app: dash.Dash, store_provider, *, session_hours: float = accounts.SESSION_HOURS,
            secure_cookies: bool = False) -> None:
    """Add the login routes and the per-request session, CSRF and role checks to ``app.server``."""
    server = app.server
    internal: set[str] = set()

    def store():
        return store_provider()

    @server.before_request
    def check_request():
        path = flask.request.path
        if path in PUBLIC_PATHS or path.startswith(PUBLIC_PREFIXES):
            return None
        session = accounts.load_session(store(), flask.request.cookies.get(SESSION_COOKIE))
        if session is None:
            if flask.request.method == "GET" and not path.startswith("/_dash"):
                return flask.redirect("/login?next=" + _safe_next(flask.request.full_path))
            return _error(401, "登录已过期，请刷新页面重新登录")
        flask.g.yuqing_session = session
        if flask.request.method not in ("GET", "HEAD", "OPTIONS"):
            sent = flask.request.headers.get(CSRF_HEADER, "")
            if not sent or not hmac.compare_digest(sent, session.csrf):
                return _error(403, "CSRF 校验失败，请刷新页面")
        if path == "/_dash-update-component":
            body = flask.request.get_json(silent=True) or {}
            output = str(body.get("output", ""))
            if not internal:
                internal.update(k for k in app.callback_map if k not in CALLBACK_ROLES and _is_pages_internal(k))
            if output in internal:
                return None
            roles = CALLBACK_ROLES.get(output)
            if roles is None or session.user.role not in roles:
                return _error(403, "无权执行此操作")
        return None

    @server.after_request
    def security_headers(response):
        response.headers.setdefault("X-Content-Type-Options", "nosniff")
        response.headers.setdefault("X-Frame-Options", "DENY")
        response.headers.setdefault("Referrer-Policy", "same-origin")
        response.headers.setdefault("Content-Security-Policy", _csp(app))
        if flask.request.path.startswith("/_dash-update-component") or flask.request.path == "/login":
            response.headers.setdefault("Cache-Control", "no-store")
        return response

    @server.route("/login", methods=["GET", "POST"])
    def login():
        token = flask.request.cookies.get("_login_csrf") or secrets.token_urlsafe(24)
        error = ""
        next_url = _safe_next(flask.request.values.get("next", "/"))
        if flask.request.method == "POST":
            form = flask.request.form
            sent, expected = form.get("csrf", ""), flask.request.cookies.get("_login_csrf", "")
            if not sent or not expected or not hmac.compare_digest(sent, expected):
                error = "页面已过期，请重新提交"
            else:
                user = accounts.authenticate(store(), form.get("username", "").strip(), form.get("password", ""))
                if user is None:
                    error = "用户名或密码错误"
                else:
                    session = accounts.create_session(store(), user, hours=session_hours)
                    response = flask.redirect(next_url)
                    max_age = int(session_hours * 3600)
                    response.set_cookie(SESSION_COOKIE, session.token, max_age=max_age, httponly=True,
                                        samesite="Lax", secure=secure_cookies)
                    response.set_cookie(CSRF_COOKIE, session.csrf, max_age=max_age, httponly=False,
                                        samesite="Strict", secure=secure_cookies)
                    response.delete_cookie("_login_csrf")
                    return response
        response = flask.make_response(_login_page(token, next_url, error), 401 if error else 200)
        response.set_cookie("_login_csrf", token, httponly=True, samesite="Strict", secure=secure_cookies)
        return response

    @server.route("/logout", methods=["POST", "GET"])
    def logout():
        accounts.revoke_session(store(), flask.request.cookies.get(SESSION_COOKIE))
        response = flask.redirect("/login")
        response.delete_cookie(SESSION_COOKIE)
        response.delete_cookie(CSRF_COOKIE)
        return response

    @server.route("/healthz")
    def healthz():
        return "ok"


def _is_pages_internal(key: str) -> bool:
    """Dash Pages' own callbacks (page routing); the page layouts they call are guarded separately."""
    return "_pages_" in key and "-" not in key.split(".")[0].lstrip(".")


def _safe_next(value: str) -> str:
    """Only same-site relative paths: never redirect to another host after login."""
    value = (value or "/").rstrip("?")
    parts = urlsplit(value)
    if parts.scheme or parts.netloc or not value.startswith("/") or value.startswith("//") or "\\" in value:
        return "/"
    return value


def _error(status: int, message: str):
    response = flask.jsonify({"error": message})
    response.status_code = status
    return response


_CSP_CACHE: dict[int, str] = {}


def _csp(app: dash.Dash) -> str:
    if id(app) not in _CSP_CACHE:
        hashes = " ".join(app.csp_hashes())  # already quoted: 'sha256-…'
        _CSP_CACHE[id(app)] = ("default-src 'self'; "
                               f"script-src 'self' {hashes}; "
                               "style-src 'self' 'unsafe-inline'; img-src 'self' data: blob:; "
                               "font-src 'self' data:; connect-src 'self'; object-src 'none'; "
                               "base-uri 'self'; frame-ancestors 'none'; form-action 'self'")
    return _CSP_CACHE[id(app)]


def _login_page(token: str, next_url: str, error: str) -> str:
    message = f'<p class="login-error" id="login-error">{escape(error)}</p>' if error else ""
    return f"""<!DOCTYPE html>
<html lang="zh-CN"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width,initial-scale=1">
<title>登录 · 政务舆情监测</title><link rel="stylesheet" href="/assets/style.css"></head>
<body class="login-body"><main class="login-card">
<h1>政务舆情监测</h1><p class="login-sub">市场监管舆情工作台</p>{message}
<form method="post" action="/login" id="login-form">
<input type="hidden" name="csrf" value="{escape(token)}"><input type="hidden" name="next" value="{escape(next_url)}">
<label for="login-username">用户名</label><input id="login-username" name="username" autocomplete="username" required autofocus>
<label for="login-password">密码</label><input id="login-password" name="password" type="password" autocomplete="current-password" required>
<button type="submit" id="login-submit">登录</button>
</form></main></body></html>"""
