"""Bounded load test of the dashboard on loopback: N concurrent logged-in sessions.

Starts its own Elasticsearch node (throwaway directory) unless ES_URL is set, loads the sandbox
scenario posts (enriched) and a replay's alerts, starts `yuqing dashboard` with gunicorn, logs in N
sessions through the real login form and has each do a fixed number of rounds: open the 预警 page,
fetch the Dash layout, and POST the alert-list callback (with the CSRF header). Prints p50/p95
latency, throughput and the error count. Goal: p95 < 1 s and zero errors at 50 sessions.

    .venv/bin/python bench/load.py [--sessions 50] [--rounds 10] [--workers 4]

Only 127.0.0.1 is ever contacted; every loop is bounded in count and time.
"""

from __future__ import annotations

import argparse
import math
import os
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import uuid
from pathlib import Path

import requests

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from yuqing import esnode  # noqa: E402
from yuqing.columns import ljust  # noqa: E402

PASSWORD = "load-test-pass"
REFRESH = {
    "output": "..alerts-list.children...alerts-updated.children..",
    "outputs": [{"id": "alerts-list", "property": "children"}, {"id": "alerts-updated", "property": "children"}],
    "inputs": [{"id": "alerts-tick", "property": "n_intervals", "value": 1},
               {"id": "alerts-changed", "property": "data", "value": 0},
               {"id": "alerts-changed-report", "property": "data", "value": 0},
               {"id": "alerts-show-closed", "property": "value", "value": []}],
    "state": [{"id": "alerts-selected", "property": "data", "value": None}],
    "changedPropIds": ["alerts-tick.n_intervals"],
}



def nearest_rank(ordered: list[float], share: float) -> float:
    """The nearest-rank percentile of sorted values: the smallest value with at least ``share`` of
    them at or below it (with few samples the floor index fell below the median)."""
    return ordered[max(0, min(len(ordered) - 1, math.ceil(share * len(ordered)) - 1))]

def prepare(es_url: str, prefix: str) -> None:
    from yuqing.alerts.replay import replay
    from yuqing import accounts
    from yuqing.store import connect

    store = connect(es_url, prefix=prefix)
    store.init()
    lines = subprocess.run([sys.executable, "-m", "yuqing", "sandbox", "export", "--out", "-"],
                           capture_output=True, text=True, check=True).stdout.splitlines()
    replay(store, lines)
    accounts.add_user(store, "loadpress", PASSWORD, "press")


def login(base: str) -> requests.Session:
    session = requests.Session()
    page = session.get(f"{base}/login", timeout=30)
    token = re.search(r'name="csrf" value="([^"]+)"', page.text).group(1)
    response = session.post(f"{base}/login", data={"csrf": token, "username": "loadpress", "password": PASSWORD,
                                                   "next": "/alerts"}, allow_redirects=False, timeout=30)
    response.raise_for_status()
    return session


def run_session(base: str, rounds: int, latencies: list[tuple[str, float]], errors: list[str],
                lock: threading.Lock, ready: threading.Barrier) -> None:
    session = None
    try:
        session = login(base)
    except Exception as exc:  # noqa: BLE001 - counted
        with lock:
            errors.append(f"登录失败：{exc}")
    try:
        ready.wait(300)  # time the working sessions, not the login storm (argon2 is slow on purpose)
    except threading.BrokenBarrierError:
        pass
    if session is None:
        return
    headers = {"X-CSRFToken": session.cookies.get("_csrf_token", "")}
    for _ in range(rounds):
        for method, path, body in (("GET", "/alerts", None), ("GET", "/_dash-layout", None),
                                   ("POST", "/_dash-update-component", REFRESH)):
            started = time.perf_counter()
            try:
                response = session.request(method, base + path, json=body, headers=headers if body else None,
                                           timeout=30)
                ok = response.status_code == 200
                error = None if ok else f"{method} {path}: HTTP {response.status_code}"
            except requests.RequestException as exc:
                error = f"{method} {path}: {exc}"
            elapsed = time.perf_counter() - started
            with lock:
                latencies.append((path, elapsed))
                if error:
                    errors.append(error)


def wait_up(url: str, timeout: float = 60) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            requests.get(url + "/login", timeout=2)
            return
        except requests.RequestException:
            time.sleep(0.5)
    raise SystemExit(f"看板在 {timeout:.0f} 秒内没有在 {url} 启动")


DESCRIPTION = """\
看板负载测试（仅限本机回环）：N 个已登录会话并发访问看板。

未设置 ES_URL 时自行启动一个 Elasticsearch 节点（临时目录，用完删除），写入沙盒场景帖子（已分析）\
和一次回放产生的预警，用 gunicorn 启动 yuqing dashboard，通过真实登录表单登录 N 个会话，每个会话\
做固定轮数：打开预警页、取 Dash 布局、POST 预警列表回调（带 CSRF 头）。输出 p50/p95 延迟、吞吐量\
和错误数。目标：50 个会话时 p95 < 1 秒且零错误。

只访问 127.0.0.1；每个循环的次数和时间都有上限。"""


def main() -> int:
    from yuqing.cli._format import HelpFormatter, speak_chinese

    speak_chinese()  # argparse's own words (用法, 选项) too
    parser = argparse.ArgumentParser(description=DESCRIPTION, formatter_class=HelpFormatter)
    parser.add_argument("--sessions", type=int, default=50, help="并发的已登录会话数（默认 50）")
    parser.add_argument("--rounds", type=int, default=10, help="每个会话的轮数，每轮三个请求（默认 10）")
    parser.add_argument("--workers", type=int, default=4, help="gunicorn 工作进程数（默认 4）")
    args = parser.parse_args()

    node = None
    base_dir = None
    es_url = os.environ.get("ES_URL")
    if not es_url:
        base_dir = Path(tempfile.mkdtemp(prefix="yuqing-load-"))
        base_dir.chmod(0o755)
        node = esnode.NodeSpec(port=esnode.free_port(), home=base_dir / "node", heap="1g")
        es_url = esnode.start(node, progress=lambda m: print(m, flush=True))
    prefix = f"load{uuid.uuid4().hex[:8]}"
    port = esnode.free_port()
    dashboard = None
    try:
        print("准备数据（沙盒回放）…", flush=True)
        prepare(es_url, prefix)
        env = dict(os.environ, ES_URL=es_url, YUQING_INDEX_PREFIX=prefix)
        dashboard = subprocess.Popen([sys.executable, "-m", "yuqing", "dashboard", "--port", str(port), "--workers",
                                      str(args.workers)], env=env, stdout=subprocess.DEVNULL,
                                     stderr=subprocess.DEVNULL, start_new_session=True)
        base = f"http://127.0.0.1:{port}"
        wait_up(base)
        latencies: list[float] = []
        errors: list[str] = []
        lock = threading.Lock()
        started_at: list[float] = []
        ready = threading.Barrier(args.sessions, action=lambda: started_at.append(time.perf_counter()))
        threads = [threading.Thread(target=run_session, args=(base, args.rounds, latencies, errors, lock, ready))
                   for _ in range(args.sessions)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(600)
        wall = time.perf_counter() - (started_at[0] if started_at else time.perf_counter())
        print(f"会话 {args.sessions} 个，每个 {args.rounds} 轮，{wall:.1f} 秒内共 {len(latencies)} 个请求"
              f"（{len(latencies) / max(wall, 1e-9):.1f} req/s），gunicorn 工作进程 {args.workers} 个")
        for label, subset in [("全部请求", [t for _, t in latencies])] + [
                (path, [t for p, t in latencies if p == path]) for path in dict.fromkeys(p for p, _ in latencies)]:
            subset.sort()
            if subset:
                print(f"  {ljust(label, 26)} p50 {statistics.median(subset) * 1000:6.0f} ms   "
                      f"p95 {nearest_rank(subset, 0.95) * 1000:6.0f} ms   最大 {subset[-1] * 1000:6.0f} ms")
        print(f"错误 {len(errors)} 个")
        for error in errors[:5]:
            print("  ", error)
        return 0 if not errors else 1
    finally:
        if dashboard is not None:
            dashboard.terminate()
            dashboard.wait(20)
        try:
            from yuqing.store import connect

            connect(es_url, prefix=prefix).delete_prefix()
        except Exception:  # noqa: BLE001 - best effort clean-up
            pass
        if node is not None:
            esnode.stop(node)
            shutil.rmtree(base_dir, ignore_errors=True)


if __name__ == "__main__":
    raise SystemExit(main())
