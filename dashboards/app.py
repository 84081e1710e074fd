"""The Dash app: pages from ``dashboards/pages``, a navbar from ``dash.page_registry``, login in front.

``gunicorn dashboards.app:server`` (or ``yuqing dashboard``) serves it.
"""

from __future__ import annotations

import functools
import sys
from pathlib import Path

import dash
import flask
from dash import Input, Output, dcc, html

from dashboards import auth


def create_app(store=None, *, session_hours: float = 8.0, secure_cookies: bool = False) -> dash.Dash:
    """The app over ``store`` (a yuqing Store), or over ``yuqing.store.connect()`` made on first use."""
    provider = (lambda: store) if store is not None else functools.lru_cache(maxsize=1)(_connect)
    app = dash.Dash("dashboards", use_pages=True, pages_folder=str(Path(__file__).parent / "pages"),
                    title="政务舆情监测", update_title=None, suppress_callback_exceptions=True,
                    serve_locally=True)
    app.server.config["YUQING_STORE"] = provider
    app.layout = html.Div(className="shell", children=[
        dcc.Location(id="app-location"),
        html.Header(className="topbar", children=[
            html.A("政务舆情监测", href="/", className="brand"), html.Nav(id="app-nav", className="nav"),
            html.Div(id="app-user", className="user")]),
        html.Main(dash.page_container, className="content"),
    ])
    # On a phone the nav scrolls sideways: keep the current page's link in view, also when the nav's width
    # changes later (the page's scrollbar appearing). Only the nav scrolls, never the window. The inline
    # script's hash is in the CSP (app.csp_hashes).
    app.clientside_callback(
        """function (links) {
            var nav = document.getElementById('app-nav');
            var show = function () {
                var link = nav.querySelector('.nav-link.active');
                if (!link) { return; }
                var r = link.getBoundingClientRect(), b = nav.getBoundingClientRect();
                if (r.right > b.right) { nav.scrollLeft += r.right - b.right + 8; }
                else if (r.left < b.left) { nav.scrollLeft -= b.left - r.left + 8; }
            };
            if (!nav.dataset.follows && window.ResizeObserver) {
                new ResizeObserver(show).observe(nav);
                nav.dataset.follows = '1';
            }
            window.requestAnimationFrame(show);
            return window.dash_clientside.no_update;
        }""",
        Output("app-nav", "title"), Input("app-nav", "children"))
    auth.install(app, provider, session_hours=session_hours, secure_cookies=secure_cookies)
    app.server.before_request(_landing)  # after auth's hook: the session is known
    _bind_page_modules()
    from dashboards.pages import explore

    explore.install_export(app.server)  # the 检索 downloads: plain GET routes behind the same login
    return app


def _landing():
    """``/`` opens each role's own first page: leaders the 日报, press officers 预警, analysts 检索."""
    if flask.request.path != "/" or flask.request.method != "GET":
        return None
    user = auth.current_user()
    target = auth.home_path(user)
    query = flask.request.query_string.decode("latin-1")
    return flask.redirect(target + (f"?{query}" if query else ""))


def _bind_page_modules() -> None:
    """Dash loads the page modules by file; bind them to the package so ``import dashboards.pages.x`` works."""
    import dashboards.pages as package

    for name, module in list(sys.modules.items()):
        if name.startswith("dashboards.pages.") and name.count(".") == 2:
            setattr(package, name.rsplit(".", 1)[1], module)


def _connect():
    from yuqing.store import connect

    return connect(check=False)


@auth.guarded_callback(Output("app-nav", "children"), Output("app-user", "children"),
                       Input("app-location", "pathname"))
def navbar(pathname):
    user = auth.current_user()
    links = [dcc.Link(page["name"], href=page["relative_path"], id=f"app-nav-{page['module'].rsplit('.', 1)[-1]}",
                      className="nav-link active" if _is_current(page, pathname) else "nav-link")
             for page in auth.nav_pages(user)]
    return links, [*user_badge(user), html.A("退出", href="/logout", className="logout")]


def user_badge(user) -> list:
    """The user's name, then the role (and unit), each once: a demo account named after its role
    (新闻发言人, role 新闻发言人/宣传) shows the role alone, not 「新闻发言人（新闻发言人/宣传）」."""
    if user is None:
        return []
    name, role = user.display_name.strip() or user.username, user.role_label
    role_parts = {part for part in role.replace("、", "/").split("/") if part}
    if name == role or name in role_parts:
        name = role
    place = f"{role} · {user.unit}" if user.unit else role
    if name == role:
        return [html.Span(place, className="user-name", title=user.username)]
    return [html.Span(name, className="user-name", title=f"{user.username} · {place}"),
            html.Span(place, className="user-role")]


def _is_current(page: dict, pathname: str | None) -> bool:
    path = page["relative_path"]
    return bool(pathname) and (pathname == path or pathname.startswith(path.rstrip("/") + "/"))


def __getattr__(name: str):
    """``app`` and ``server`` (for gunicorn) are made on first access, so importing this module is cheap."""
    if name in ("app", "server"):
        global app, server
        app = create_app()
        server = app.server
        return globals()[name]
    raise AttributeError(name)
