"""设置 (admins): accounts and roles."""

from __future__ import annotations

import dash
from dash import Input, Output, State, dash_table, dcc, html

from dashboards.auth import current_user, guard_layout, guarded_callback
from dashboards.common import card, current_store
from yuqing import accounts

ROLES = ("admin",)
dash.register_page(__name__, path="/settings", name="设置", title="设置 · 政务舆情监测", order=9, roles=ROLES)

ROLE_OPTIONS = [{"label": label, "value": name} for name, label in accounts.ROLES.items()]


def users_rows(store) -> list[dict]:
    return [{"username": u.username, "display_name": u.display_name, "role": u.role_label, "unit": u.unit or "",
             "state": "停用" if u.disabled else "正常"} for u in accounts.list_users(store)]


def save_user(store, username, password, role, unit, display_name) -> tuple[bool, str]:
    """Create the account, or update role/unit/name (and password when given) of an existing one."""
    try:
        username = accounts.check_username(username or "")
        if accounts.get_user(store, username) is None:
            user = accounts.add_user(store, username, password or "", role or "", unit=unit, display_name=display_name or "")
            return True, f"已新增账号 {user.label}"
        user = accounts.update_user(store, username, role=role or None, unit=unit if unit is not None else None,
                                    display_name=display_name)
        if password:
            accounts.set_password(store, username, password)
        return True, f"已更新账号 {user.label}" + ("，密码已修改" if password else "")
    except accounts.AccountError as exc:
        return False, str(exc)


@guard_layout(ROLES)
def layout(**_query):
    return html.Div(id="settings-page", className="page", children=[
        html.H2("设置"),
        card("账号与角色", html.Div(id="settings-users"), html.Div(className="form", children=[
            dcc.Input(id="settings-username", placeholder="用户名", className="input"),
            dcc.Input(id="settings-name", placeholder="显示名（可选）", className="input"),
            dcc.Dropdown(id="settings-role", options=ROLE_OPTIONS, placeholder="角色", className="filter"),
            dcc.Input(id="settings-unit", placeholder="责任单位名称（责任单位账号必填）", className="input"),
            dcc.Input(id="settings-password", type="password", placeholder="密码（新增必填，修改时留空不变）",
                      className="input"),
            html.Button("保存账号", id="settings-save", className="btn btn-primary"),
            html.Button("停用", id="settings-disable", className="btn"),
            html.Button("启用", id="settings-enable", className="btn"),
        ]), html.Div(id="settings-message", className="message")),
        card("监测方案与预警规则", html.P("方案与规则目前在 config/ 下的 YAML 文件中维护，保存前由 yuqing 校验；"
                                     "网页编辑将在后续版本提供。", className="muted")),
    ])


def _table(rows):
    return dash_table.DataTable(id="settings-users-table", data=rows, page_size=20,
                                columns=[{"name": n, "id": i} for i, n in [("username", "用户名"), ("display_name", "显示名"),
                                                                          ("role", "角色"), ("unit", "单位"),
                                                                          ("state", "状态")]],
                                style_cell={"textAlign": "left", "fontSize": 13, "padding": "6px"},
                                style_header={"fontWeight": "600", "backgroundColor": "#f3f6f9"})


@guarded_callback(Output("settings-users", "children"), Output("settings-message", "children"),
                  Input("settings-save", "n_clicks"), Input("settings-disable", "n_clicks"),
                  Input("settings-enable", "n_clicks"), State("settings-username", "value"),
                  State("settings-password", "value"), State("settings-role", "value"),
                  State("settings-unit", "value"), State("settings-name", "value"), roles=ROLES)
def manage(_save, _disable, _enable, username, password, role, unit, name):
    store, message = current_store(), ""
    trigger = dash.ctx.triggered_id
    if trigger == "settings-save":
        _ok, message = save_user(store, username, password, role, unit, name)
    elif trigger in ("settings-disable", "settings-enable"):
        me = current_user()
        if me is not None and username == me.username:
            message = "不能停用或启用自己的账号"
        else:
            try:
                user = accounts.update_user(store, username or "", disabled=trigger == "settings-disable")
                message = f"已{'停用' if user.disabled else '启用'} {user.username}"
            except accounts.AccountError as exc:
                message = str(exc)
    return _table(users_rows(store)), message
