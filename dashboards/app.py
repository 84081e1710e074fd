"""The Dash app: pages from ``dashboards/pages``, a navbar from ``dash.page_registry``, login in front.

``gunicorn dashboards.app:server`` (or ``yuqing dashboard``) serves it.
"""

from __future__ import annotations

import functools
import sys
from pathlib import Path

import dash
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
            html.Div("政务舆情监测", className="brand"), html.Nav(id="app-nav", className="nav"),
            html.Div(id="app-user", className="user")]),
        html.Main(dash.page_container, className="content"),
    ])
    auth.install(app, provider, session_hours=session_hours, secure_cookies=secure_cookies)
    _bind_page_modules()
    return app


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
                      className="nav-link active" if page["relative_path"] == pathname else "nav-link")
             for page in auth.allowed_pages(user)]
    who = [html.Span(user.label if user else ""), html.A("退出", href="/logout", className="logout")]
    return links, who


def __getattr__(name: str):
    """``app`` and ``server`` (for gunicorn) are made on first access, so importing this module is cheap."""
    if name in ("app", "server"):
        global app, server
        app = create_app()
        server = app.server
        return globals()[name]
    raise AttributeError(name)
