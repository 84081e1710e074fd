"""The Dispatcher: retries with exponential backoff, results reported once per channel, a submit
that never blocks, a failing channel that stops nobody, and a close that drains or reports."""

from __future__ import annotations

import socket
import subprocess
import sys
import threading
import time

from yuqing.notify import DeliveryResult, Dispatcher, Notice, load_config
from yuqing.notify.config import RetryPolicy


def notice(**overrides) -> Notice:
    values = dict(title="电梯困人", text="- 相关信息：5 条", level="Ⅲ", kind="alert")
    values.update(overrides)
    return Notice(**values)


def closed_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]  # nobody listens once the socket is closed


def make(write_config, channels: str, *, attempts=3, backoff=0.1, factor=2.0, extra="") -> Dispatcher:
    names = [
        line.strip()[:-1]
        for line in channels.splitlines()
        if line.startswith("  ") and not line.startswith("    ")
    ]
    path = write_config(f"""\
retry:
  attempts: {attempts}
  backoff_seconds: {backoff}
  backoff_factor: {factor}
  timeout_seconds: 3
{extra}
channels:
{channels}
routes:
  - channels: [{", ".join(names)}]
""")
    return Dispatcher(load_config(path))


class Results:
    """An on_result callback that collects results and lets the test wait for them."""

    def __init__(self) -> None:
        self.items: list[DeliveryResult] = []
        self.cond = threading.Condition()

    def __call__(self, result: DeliveryResult) -> None:
        with self.cond:
            self.items.append(result)
            self.cond.notify_all()

    def wait(self, count: int, timeout: float = 10.0) -> list[DeliveryResult]:
        with self.cond:
            self.cond.wait_for(lambda: len(self.items) >= count, timeout)
            return list(self.items)


def test_backoff_grows_exponentially_and_is_capped():
    policy = RetryPolicy(attempts=6, backoff_seconds=30, backoff_factor=2, max_backoff_seconds=100)
    assert [policy.delay(n) for n in range(1, 6)] == [30, 60, 100, 100, 100]


def test_retries_after_server_errors_with_growing_waits_then_succeeds(receiver, write_config):
    receiver.answer(status=500, body={"error": "busy"}, times=2)
    d = make(
        write_config,
        f"""\
  hook:
    type: webhook
    url: {receiver.url}/h
""",
        attempts=4,
        backoff=0.2,
    )
    [result] = d.send_now(notice())
    assert result.ok and result.attempts == 3 and result.error is None
    first, second, third = [r.at for r in receiver.requests]
    assert second - first >= 0.19  # backoff_seconds
    assert third - second >= 0.39  # doubled
    assert d.stats["retries"] == 2


def test_platform_error_code_is_retried_and_failure_reported_after_the_last_attempt(receiver, write_config):
    receiver.always(body={"errcode": 130101, "errmsg": "send too fast"})
    d = make(
        write_config,
        f"""\
  ding:
    type: dingtalk
    url: {receiver.url}/robot/send?access_token=t
""",
        attempts=3,
        backoff=0.05,
    )
    results = Results()
    d.submit(notice(), on_result=results)
    [result] = results.wait(1)
    assert not result.ok and result.attempts == 3 and "130101" in result.error
    assert len(receiver.requests) == 3
    d.close()
    assert results.items == [result]  # reported exactly once
    assert result.as_record()["ok"] is False and result.as_record()["channel"] == "ding"


def test_client_errors_are_not_retried(receiver, write_config):
    receiver.always(status=404, body={"error": "no such hook"})
    d = make(
        write_config,
        f"""\
  hook:
    type: webhook
    url: {receiver.url}/missing
""",
        attempts=4,
        backoff=0.01,
    )
    [result] = d.send_now(notice())
    assert not result.ok and result.attempts == 1 and result.error.startswith("HTTP 404")


def test_submit_returns_at_once_while_the_receiver_is_slow(receiver, write_config):
    receiver.always(delay=1.0)
    d = make(
        write_config,
        f"""\
  hook:
    type: webhook
    url: {receiver.url}/slow
""",
    )
    results = Results()
    started = time.monotonic()
    for index in range(3):
        d.submit(notice(title=f"事件{index}"), on_result=results)
    assert time.monotonic() - started < 0.2
    assert results.items == []
    d.close(timeout=10)
    assert len(results.items) == 3 and all(r.ok for r in results.items)


def test_a_failing_channel_does_not_stop_the_others(receiver, write_config):
    d = make(
        write_config,
        f"""\
  dead:
    type: webhook
    url: http://127.0.0.1:{closed_port()}/h
  broken:
    type: log
    path: /nonexistent-dir/notices.jsonl
  good:
    type: webhook
    url: {receiver.url}/ok
""",
        attempts=2,
        backoff=0.05,
    )
    results = d.send_now(notice())
    by_channel = {r.channel: r for r in results}
    assert [r.channel for r in results] == ["dead", "broken", "good"]
    assert by_channel["good"].ok and len(receiver.requests) == 1
    assert (
        not by_channel["dead"].ok
        and by_channel["dead"].attempts == 2
        and "无法连接" in by_channel["dead"].error
    )
    assert not by_channel["broken"].ok and by_channel["broken"].attempts == 1


def test_a_raising_callback_does_not_kill_the_worker(receiver, write_config):
    d = make(
        write_config,
        f"""\
  hook:
    type: webhook
    url: {receiver.url}/h
""",
        extra="workers: 1",
    )
    results = Results()

    def explode(_result):
        raise RuntimeError("bookkeeping bug")

    d.submit(notice(title="一"), on_result=explode)
    d.submit(notice(title="二"), on_result=results)
    assert [r.ok for r in results.wait(1)] == [True]
    d.close()
    assert len(receiver.requests) == 2


def test_close_reports_what_cannot_be_delivered_in_time(receiver, write_config):
    receiver.always(status=503, body={"error": "down"})
    d = make(
        write_config,
        f"""\
  hook:
    type: webhook
    url: {receiver.url}/h
""",
        attempts=5,
        backoff=30,
    )
    results = Results()
    d.submit(notice(), on_result=results)
    receiver.wait_for(1)
    started = time.monotonic()
    d.close(timeout=0.5)
    assert time.monotonic() - started < 2
    [result] = results.items
    assert not result.ok and result.attempts == 1
    assert "关闭时仍未送达" in result.error and "HTTP 503" in result.error


def test_submit_after_close_and_a_full_queue_are_reported_not_dropped(receiver, write_config):
    receiver.always(delay=0.5)
    d = make(
        write_config,
        f"""\
  hook:
    type: webhook
    url: {receiver.url}/h
""",
        extra="workers: 1\nqueue_size: 1",
    )
    results = Results()
    d.submit(notice(title="一"), on_result=results)
    d.submit(notice(title="二"), on_result=results)  # queue holds one job
    [full] = results.wait(1, timeout=0.3)
    assert not full.ok and full.error == "通知队列已满" and full.attempts == 0
    d.close()
    d.submit(notice(title="三"), on_result=results)
    assert [r.ok for r in results.items] == [False, True, False]
    assert results.items[-1].error == "通知发送器已关闭"


def test_notices_go_only_where_routes_send_them(receiver, write_config):
    path = write_config(f"""\
retry: {{attempts: 1}}
channels:
  all_alerts:
    type: webhook
    url: {receiver.url}/all
  severe_only:
    type: webhook
    url: {receiver.url}/severe
  digests:
    type: webhook
    url: {receiver.url}/digest
  disabled:
    type: webhook
    enabled: false
    url: {receiver.url}/off
routes:
  - channels: [all_alerts, disabled]
    kinds: [alert]
  - channels: [severe_only]
    kinds: [alert, reminder]
    min_level: Ⅱ
  - channels: [digests]
    kinds: [digest]
""")
    d = Dispatcher(load_config(path))
    assert [r.channel for r in d.send_now(notice(level="Ⅲ"))] == ["all_alerts"]
    assert [r.channel for r in d.send_now(notice(level="Ⅱ"))] == ["all_alerts", "severe_only"]
    assert [r.channel for r in d.send_now(notice(level="Ⅳ", kind="reminder"))] == []
    assert [r.channel for r in d.send_now(notice(level=None, kind="digest"))] == ["digests"]
    assert sorted(r.path for r in receiver.requests) == ["/all", "/all", "/digest", "/severe"]


def test_queued_notices_are_sent_when_the_program_exits_without_close(receiver, write_config, tmp_path):
    receiver.always(delay=0.3)
    path = write_config(f"""\
channels:
  hook:
    type: webhook
    url: {receiver.url}/h
routes:
  - channels: [hook]
""")
    script = tmp_path / "submit_and_exit.py"
    script.write_text(
        "import sys\n"
        "from yuqing.notify import Dispatcher, Notice\n"
        f"d = Dispatcher.from_config({str(path)!r})\n"
        "def record(result):\n"
        "    sys.stdout.write(f'{result.ok} {result.error}\\n')\n"
        "for i in range(3):\n"
        "    d.submit(Notice(title=f'事件{i}', text='正文', level='Ⅲ'), on_result=record)\n",
        encoding="utf-8",
    )
    done = subprocess.run([sys.executable, str(script)], capture_output=True, text=True, timeout=60)
    assert done.returncode == 0, done.stderr
    assert done.stdout.splitlines() == ["True None"] * 3, (done.stdout, done.stderr)
    assert sorted(r.json["title"] for r in receiver.requests) == ["事件0", "事件1", "事件2"]


def test_default_relative_config_path_works_from_any_directory(monkeypatch, tmp_path):
    monkeypatch.chdir(tmp_path)
    assert list(Dispatcher.from_config("config/notify.yaml").config.channels) == ["log"]
