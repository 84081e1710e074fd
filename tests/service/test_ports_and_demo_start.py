"""A busy port or a broken configuration stops `yuqing run` and `yuqing demo` with one clear message before
anything starts (the demo's own fixed ports are never used here: every port is a free or a held one)."""

from __future__ import annotations

import argparse
import os
import socket
import subprocess
import sys
from pathlib import Path

import pytest

from analysis.rules import RULES_PATH
from yuqing import esnode
from yuqing.cli import main
from yuqing.cli.demo import earlier_demo, validate_config
from yuqing.errors import ConfigError

PROJECT_ROOT = Path(__file__).resolve().parents[2]
UNREACHABLE_ES = "http://127.0.0.1:9"


@pytest.fixture
def busy_port():
    with socket.socket() as holder:
        holder.bind(("127.0.0.1", 0))
        holder.listen()
        yield holder.getsockname()[1]


def _broken_rules(tmp_path: Path) -> tuple[Path, int]:
    path = tmp_path / "rules.yaml"
    text = RULES_PATH.read_text(encoding="utf-8") + "\n  - name: 坏规则\n    type: 不存在的类型\n"
    path.write_text(text + "    level: Ⅲ\n", encoding="utf-8")
    return path, len(text.splitlines())


def _demo_args(**ports) -> list[str]:
    free = {name: ports.get(name) or esnode.free_port() for name in ("sandbox", "dashboard", "health")}
    return ["demo", "--sandbox-port", str(free["sandbox"]), "--dashboard-port", str(free["dashboard"]),
            "--health-port", str(free["health"])]


def test_yuqing_run_on_a_busy_health_port_exits_with_one_line_naming_the_port(busy_port, tmp_path):
    env = {**os.environ, "ES_URL": UNREACHABLE_ES, "YUQING_DATA_DIR": str(tmp_path / "data")}
    command = [sys.executable, "-m", "yuqing", "run", "--health-port", str(busy_port), "--sandbox", UNREACHABLE_ES]
    result = subprocess.run(command, cwd=PROJECT_ROOT, env=env, capture_output=True, text=True, timeout=60)
    assert result.returncode != 0
    assert "Traceback" not in result.stderr
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and f"127.0.0.1:{busy_port}" in lines[0] and "占用" in lines[0], result.stderr
    # The port was checked before Elasticsearch was contacted (an unreachable ES_URL would be exit code 3).
    assert result.returncode == 1


def test_demo_config_validation_names_the_broken_rules_file_and_line(tmp_path):
    path, line = _broken_rules(tmp_path)
    args = argparse.Namespace(sandbox_port=esnode.free_port(), dashboard_port=esnode.free_port(),
                              health_port=esnode.free_port())
    with pytest.raises(ConfigError) as caught:
        validate_config(args, rules_path=path)
    assert str(caught.value).startswith(f"{path}:{line}:")
    validate_config(args).dispatcher.close()  # the shipped configuration passes


def test_yuqing_demo_refuses_a_broken_rules_file_before_starting_anything(tmp_path, monkeypatch, capsys):
    path, line = _broken_rules(tmp_path)
    monkeypatch.setattr("analysis.rules.RULES_PATH", path)
    monkeypatch.setenv("ES_URL", UNREACHABLE_ES)  # reached only if validation were skipped (exit code 3)
    monkeypatch.setenv("YUQING_DATA_DIR", str(tmp_path / "data"))
    code = main(_demo_args())
    out, err = capsys.readouterr()
    assert code == ConfigError.exit_code and f"{path}:{line}:" in err
    assert "[1/6]" not in out and not (tmp_path / "data").exists()


@pytest.mark.parametrize("which", ["sandbox", "dashboard", "health"])
def test_yuqing_demo_on_a_busy_port_names_it_before_starting_anything(which, busy_port, tmp_path, monkeypatch,
                                                                      capsys):
    monkeypatch.setenv("ES_URL", UNREACHABLE_ES)
    monkeypatch.setenv("YUQING_DATA_DIR", str(tmp_path / "data"))
    code = main(_demo_args(**{which: busy_port}))
    out, err = capsys.readouterr()
    assert code == 1 and f"127.0.0.1:{busy_port} 已被其他程序占用" in err and "Traceback" not in err
    assert "[1/6]" not in out and not (tmp_path / "data").exists()


def test_a_second_demo_resumes_from_where_the_sandbox_posts_of_the_first_one_end(store):
    assert earlier_demo(store) == (0, None)  # a fresh index: the scenario starts from its beginning

    def post(n: int, source: str, crawled_at: str) -> dict:
        return {"id": f"p{n}", "source": source, "url": f"http://127.0.0.1/{n}", "title": f"帖子 {n}",
                "content": "正文", "crawled_at": crawled_at}

    assert not store.index_posts([
        post(1, "sandbox_news", "2024-03-12T13:05:00+08:00"),
        post(2, "sandbox_board", "2024-03-13T12:14:58+08:00"),
        post(3, "city_news", "2026-12-07T09:00:00+08:00"),  # a real source's post is not the demo's clock
    ], refresh=True).failed
    left, reached = earlier_demo(store)
    assert left == 2 and reached.isoformat() == "2024-03-13T12:14:58+08:00"


def test_the_demo_tells_another_terminal_how_to_share_its_clock_and_node(monkeypatch):
    # `yuqing alerts list` beside the demo ran on the real clock and showed "已超时 1000 天".
    from yuqing.cli.demo import _cli_environment

    value = "start=2024-03-12T08:00:00+08:00;anchor=1765000000.000;speed=120"
    monkeypatch.setenv("YUQING_CLOCK", value)
    monkeypatch.setenv("ES_URL", "http://127.0.0.1:9200")
    monkeypatch.setenv("YUQING_INDEX_PREFIX", "demo2")  # a demo on its own indices: the CLI must read those
    line = _cli_environment()
    shown = subprocess.run(["bash", "-c", f'{line}; printf "%s|%s|%s" "$YUQING_CLOCK" "$ES_URL" "$YUQING_INDEX_PREFIX"'],
                           capture_output=True, text=True, env={"PATH": "/usr/bin:/bin"}, check=True).stdout
    assert shown == f"{value}|http://127.0.0.1:9200|demo2"


def test_the_demo_status_line_names_open_alerts_only(store, capsys):
    # After the food-poisoning alert was closed the line kept printing 预警: 红Ⅰ 梧桐路小学… for a day.
    from yuqing.cli.demo import _report
    from yuqing.store import alerts as sa

    for alert_id, status, title in (("al-open", "assigned", "健身房闭店"), ("al-done", "closed", "梧桐路小学")):
        sa.put_doc(store, "alerts", {"id": alert_id, "title": title, "status": status, "level": "Ⅲ", "color": "黄",
                                     "level_rank": 3, "first_alerted_at": "2024-03-12T10:00:00+08:00"}, refresh=True)
    _report(store)
    line = capsys.readouterr().out
    assert "未办结预警: 黄Ⅲ 健身房闭店" in line and "梧桐路小学" not in line
