"""设置 (admins): accounts and roles; monitoring schemes and alert rules, validated before they are saved.

A scheme or rule file is saved only when ``analysis.rules`` loads it (schemes and the rules that use them
together); the previous file is kept as ``<name>.yaml.bak``. Errors name the file and line, in Chinese.
"""

from __future__ import annotations

import os
import shutil
import tempfile
from pathlib import Path

import dash
from dash import Input, Output, State, dash_table, dcc, html

from analysis import rules as rule_config
from dashboards.auth import current_user, guard_layout, guarded_callback
from dashboards.common import card, current_store, dropdown
from yuqing import accounts
from yuqing.errors import ConfigError

ROLES = ("admin",)
dash.register_page(__name__, path="/settings", name="设置", title="设置 · 政务舆情监测", order=9, roles=ROLES)

ROLE_OPTIONS = [{"label": label, "value": name} for name, label in accounts.ROLES.items()]
CONFIG_FILES = {"schemes": "监测方案（config/schemes.yaml）", "rules": "预警规则（config/rules.yaml）"}
CONFIG_ROOT = rule_config.PROJECT_ROOT


def config_paths(root: Path | None = None) -> dict[str, Path]:
    root = Path(root or CONFIG_ROOT)
    return {"schemes": root / "config" / "schemes.yaml", "rules": root / "config" / "rules.yaml"}


def _shown(path: Path, root: Path) -> str:
    """The path as errors show it: relative to the project ('config/rules.yaml')."""
    try:
        return str(path.relative_to(root))
    except ValueError:
        return str(path)


def check_config(kind: str, text: str, root: Path | None = None) -> str:
    """Load ``text`` as the schemes or rules file (with the saved other one); ConfigError names file:line.

    Schemes are checked together with the saved rules, which may refer to them by name.
    Returns a Chinese summary of what the text defines.
    """
    root = Path(root or CONFIG_ROOT)
    paths = config_paths(root)
    if kind not in CONFIG_FILES:
        raise ConfigError(f"未知的配置文件: {kind}")
    if not (text or "").strip():
        raise ConfigError(f"{_shown(paths[kind], root)}:1: 内容为空")
    if kind == "schemes":
        schemes = rule_config.load_schemes(_shown(paths["schemes"], root), text=text)
        ruleset = rule_config.load_rules(_shown(paths["rules"], root), schemes=schemes,
                                         text=paths["rules"].read_text(encoding="utf-8"))
    else:
        schemes = rule_config.load_schemes(_shown(paths["schemes"], root),
                                           text=paths["schemes"].read_text(encoding="utf-8"))
        ruleset = rule_config.load_rules(_shown(paths["rules"], root), schemes=schemes, text=text)
    return f"{len(schemes)} 个监测方案、{len(ruleset.rules)} 条启用的预警规则"


def save_config(kind: str, text: str, root: Path | None = None) -> tuple[bool, str]:
    """Validate, keep the old file as ``.bak`` and write the new one (atomically); nothing is written on error."""
    root = Path(root or CONFIG_ROOT)
    try:
        summary = check_config(kind, text, root)
    except ConfigError as exc:
        return False, f"校验未通过，未保存：{exc}"
    path = config_paths(root)[kind]
    if path.exists():
        shutil.copy2(path, path.with_name(path.name + ".bak"))
    handle, temp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    with os.fdopen(handle, "w", encoding="utf-8") as out:
        out.write(text if text.endswith("\n") else text + "\n")
    os.replace(temp, path)
    return True, f"已保存 {_shown(path, root)}（{summary}），原文件备份为 {path.name}.bak。运行中的预警服务在下一个分析周期自动载入（无需重启）。"


def read_config(kind: str, root: Path | None = None) -> str:
    path = config_paths(root).get(kind)
    return path.read_text(encoding="utf-8") if path and path.exists() else ""


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
            dropdown(id="settings-role", options=ROLE_OPTIONS, placeholder="角色", className="filter"),
            dcc.Input(id="settings-unit", placeholder="责任单位名称（责任单位账号必填）", className="input"),
            dcc.Input(id="settings-password", type="password", placeholder="密码（新增必填，修改时留空不变）",
                      className="input"),
            html.Button("保存账号", id="settings-save", className="btn btn-primary"),
            html.Button("停用", id="settings-disable", className="btn"),
            html.Button("启用", id="settings-enable", className="btn"),
        ]), html.Div(id="settings-message", className="message")),
        card("监测方案与预警规则", html.Div(className="form", children=[
            dcc.RadioItems(id="settings-config-kind", value="schemes", inline=True, className="radio",
                           options=[{"label": f" {label}", "value": kind} for kind, label in CONFIG_FILES.items()]),
            dcc.Textarea(id="settings-config-text", className="config-editor", spellCheck=False),
            html.Div(className="row", children=[
                html.Div(className="exports", children=[
                    html.Button("校验", id="settings-config-check", className="btn"),
                    html.Button("校验并保存", id="settings-config-save", className="btn btn-primary")]),
                html.Span("保存前自动校验；原文件保留为 .bak", className="muted")]),
            html.Pre(id="settings-config-message", className="message config-message")])),
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


@guarded_callback(Output("settings-config-text", "value"), Input("settings-config-kind", "value"), roles=ROLES)
def load_config(kind):
    return read_config(kind or "schemes")


@guarded_callback(Output("settings-config-message", "children"), Output("settings-config-message", "className"),
                  Input("settings-config-check", "n_clicks"), Input("settings-config-save", "n_clicks"),
                  State("settings-config-kind", "value"), State("settings-config-text", "value"),
                  roles=ROLES, prevent_initial_call=True)
def edit_config(_check, _save, kind, text):
    if dash.ctx.triggered_id == "settings-config-save":
        ok, message = save_config(kind, text or "")
    else:
        try:
            ok, message = True, f"校验通过：{check_config(kind, text or '')}（尚未保存）"
        except ConfigError as exc:
            ok, message = False, f"校验未通过：{exc}"
    return message, "message config-message " + ("ok" if ok else "error")
