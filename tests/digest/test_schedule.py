"""Scheduled delivery: pure due() decisions, config errors, and real delivery to a local SMTP server."""

from __future__ import annotations

import email
import email.policy
import io
import socket
from dataclasses import replace
from datetime import date, datetime, time, timedelta

import pytest

from analysis.workdays import SHANGHAI
from yuqing.digest.schedule import (
    DEFAULT_SCHEDULE,
    Attempts,
    deliver,
    due,
    load_config,
    load_state,
    missed,
    run_pending,
)
from yuqing.errors import ConfigError


def at(day: int, hour: int, minute: int = 0) -> datetime:
    return datetime(2024, 3, day, hour, minute, tzinfo=SHANGHAI)


DAILY_ONLY = replace(DEFAULT_SCHEDULE, kinds={"daily": DEFAULT_SCHEDULE.kinds["daily"]})


# ---------------------------------------------------------------- due(): pure decisions
def test_not_due_before_0830_due_after_for_yesterday():
    sent = {"daily": date(2024, 3, 11)}
    assert due(at(13, 8, 29), sent, DAILY_ONLY) == []
    [slot] = due(at(13, 8, 30), sent, DAILY_ONLY)
    assert (slot.kind, slot.period, slot.scheduled_at) == ("daily", date(2024, 3, 12), at(13, 8, 30))
    assert [s.period for s in due(at(13, 23, 0), sent, DAILY_ONLY)] == [date(2024, 3, 12)]


def test_already_sent_is_not_due_again():
    assert due(at(13, 9, 0), {"daily": date(2024, 3, 12)}, DAILY_ONLY) == []
    assert due(at(13, 9, 0), date(2024, 3, 12), DAILY_ONLY) == []  # a bare date is the daily one


def test_fresh_install_sends_only_todays_digest():
    assert due(at(13, 8, 0), None, DAILY_ONLY) == []
    assert [s.period for s in due(at(13, 8, 30), {}, DAILY_ONLY)] == [date(2024, 3, 12)]


def test_retry_after_failure_waits_the_interval_and_stops_after_the_attempts():
    sent = {"daily": date(2024, 3, 11)}
    failed_once = {"daily:2024-03-12": Attempts(1, at(13, 8, 30))}
    assert due(at(13, 8, 40), sent, DAILY_ONLY, failed_once) == []
    assert [s.key for s in due(at(13, 8, 45), sent, DAILY_ONLY, failed_once)] == ["daily:2024-03-12"]
    exhausted = {"daily:2024-03-12": Attempts(DAILY_ONLY.attempts, at(13, 9, 15))}
    assert due(at(13, 12, 0), sent, DAILY_ONLY, exhausted) == []


def test_catch_up_after_downtime_oldest_first_and_older_ones_are_missed():
    sent = {"daily": date(2024, 3, 5)}
    slots = due(at(13, 10, 0), sent, DAILY_ONLY)
    assert [s.period for s in slots] == [
        date(2024, 3, 9),
        date(2024, 3, 10),
        date(2024, 3, 11),
        date(2024, 3, 12),
    ]
    assert [s.period for s in missed(at(13, 10, 0), sent, DAILY_ONLY)] == [
        date(2024, 3, 6),
        date(2024, 3, 7),
        date(2024, 3, 8),
    ]


def test_weekly_is_due_on_monday_for_the_previous_week():
    sent = {"daily": date(2024, 3, 17), "weekly": date(2024, 3, 4)}
    assert due(at(17, 9, 0), {"daily": date(2024, 3, 16), "weekly": date(2024, 3, 4)}) == []  # Sunday
    slots = due(at(18, 8, 30), sent)
    assert [(s.kind, s.period) for s in slots] == [("weekly", date(2024, 3, 11))]
    assert due(at(19, 9, 0), {"daily": date(2024, 3, 18), "weekly": date(2024, 3, 11)}) == []


def test_due_refuses_naive_time():
    with pytest.raises(ValueError):
        due(datetime(2024, 3, 13, 9), None)


# ---------------------------------------------------------------- configuration
def test_shipped_config_defaults():
    schedule = load_config()
    assert schedule.kinds["daily"].at.strftime("%H:%M") == "08:30"
    assert schedule.kinds["daily"].formats == ("docx", "pdf") and schedule.recipients == "局领导"
    assert str(schedule.tz) == "Asia/Shanghai"


@pytest.mark.parametrize(
    "text, where, words",
    [
        ("daily:\n  time: '8h30'\n", ":2:", "时刻格式无效"),
        ("daily:\n  formats: [docx, odt]\n", ":2:", "odt"),
        ("weekly:\n  weekday: 8\n", ":2:", "weekday"),
        ("retry:\n  interval: soon\n", ":2:", "时长格式无效"),
        ("timezone: Mars/Base\n", ":1:", "未知的时区"),
        ("dayly: {}\n", ":1:", "未知的键"),
    ],
)
def test_config_errors_name_file_and_line(text, where, words):
    with pytest.raises(ConfigError) as error:
        load_config("digest.yaml", text=text)
    assert f"digest.yaml{where}" in str(error.value) and words in str(error.value)


# ---------------------------------------------------------------- delivery through the real dispatcher
class Inbox:
    """aiosmtpd handler keeping each message."""

    def __init__(self) -> None:
        self.messages: list[tuple[list[str], bytes]] = []

        self.refuse = False  # answer every message with a permanent failure
        self.refused = 0

    async def handle_DATA(self, server, session, envelope):  # noqa: N802 - aiosmtpd naming
        if self.refuse:
            self.refused += 1
            return "554 5.7.1 Message refused"
        self.messages.append((list(envelope.rcpt_tos), envelope.content))
        return "250 OK"


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.fixture
def smtp():
    from aiosmtpd.controller import Controller

    inbox = Inbox()
    controller = Controller(inbox, hostname="127.0.0.1", port=_free_port())
    controller.start()
    inbox.port = controller.port
    try:
        yield inbox
    finally:
        controller.stop()


def notify_yaml(tmp_path, port: int, log_path=None):
    """A notify.yaml routing digests to a local SMTP port (and, with ``log_path``, to a log channel too)."""
    path = tmp_path / "notify.yaml"
    log = f"  log:\n    type: log\n    path: {log_path}\n" if log_path else ""
    path.write_text(
        f"""\
retry:
  attempts: 1
  backoff_seconds: 0.05
  timeout_seconds: 5
channels:
{log}  mail:
    type: email
    host: 127.0.0.1
    port: {port}
    security: none
    sender: 舆情监测系统 <yuqing@example.gov.cn>
routes:
  - channels: [{"log, " if log_path else ""}mail]
    kinds: [digest]
units:
  局领导:
    emails: [leader@example.gov.cn]
""",
        encoding="utf-8",
    )
    return path


def dispatcher_for(tmp_path, port: int, log_path=None):
    from yuqing.notify import Dispatcher
    from yuqing.notify import load_config as load_notify

    return Dispatcher(load_notify(notify_yaml(tmp_path, port, log_path)))


FAST = replace(DAILY_ONLY, kinds={"daily": replace(DAILY_ONLY.kinds["daily"], formats=("docx", "html"))})


@pytest.fixture
def loaded_store(store, scenario_data):
    records, events, alerts = scenario_data
    store.index_posts(records, refresh=True)
    store.index_docs("events", events, refresh=True)
    store.index_docs("alerts", alerts, refresh=True)
    return store


@pytest.mark.es
def test_deliver_emails_the_rendered_digest(loaded_store, smtp, tmp_path):
    import docx

    report = deliver(
        loaded_store, dispatcher_for(tmp_path, smtp.port), date(2024, 3, 12), schedule=FAST, now=at(13, 8, 30)
    )
    assert report.ok, report.error
    [(rcpt, raw)] = smtp.messages
    assert rcpt == ["leader@example.gov.cn"]
    message = email.message_from_bytes(raw, policy=email.policy.default)
    assert "舆情日报（2024年3月12日）" in message["subject"]
    files = {part.get_filename(): part.get_payload(decode=True) for part in message.iter_attachments()}
    assert set(files) == {"舆情日报-2024-03-12.docx", "舆情日报-2024-03-12.html"}
    document = docx.Document(io.BytesIO(files["舆情日报-2024-03-12.docx"]))
    assert document.paragraphs[0].text == "舆情日报（2024年3月12日）"
    body = message.get_body(("plain",)).get_content()
    assert "河西区梧桐路小学学生午餐后集体呕吐" in body and "3月13日 12:50" in body


@pytest.mark.es
def test_run_pending_retries_a_failed_send_and_records_every_attempt(loaded_store, smtp, tmp_path):
    down = dispatcher_for(tmp_path, _free_port())  # nothing listens there
    first = run_pending(loaded_store, down, at(13, 8, 30), FAST)
    assert [(r.key, r.ok, r.stage) for r in first] == [("daily:2024-03-12", False, "send")]
    state = load_state(loaded_store)
    assert state.attempts["daily:2024-03-12"].count == 1 and "daily" not in state.last_sent
    assert run_pending(loaded_store, down, at(13, 8, 40), FAST) == []  # waits the retry interval
    up = dispatcher_for(tmp_path, smtp.port)
    second = run_pending(loaded_store, up, at(13, 8, 46), FAST)
    assert [(r.key, r.ok) for r in second] == [("daily:2024-03-12", True)]
    assert len(smtp.messages) == 1
    assert run_pending(loaded_store, up, at(13, 12, 0), FAST) == []  # already sent
    audit = loaded_store.search("audit", {"term": {"action": "digest"}}, size=10, sort=[{"at": "asc"}])
    statuses = [h["_source"]["details"]["status"] for h in audit["hits"]["hits"]]
    assert statuses == ["retrying", "sent"]


@pytest.mark.es
def test_render_failure_is_reported_and_final_failure_recorded(loaded_store, smtp, tmp_path, monkeypatch):
    monkeypatch.setenv("YUQING_CHROMIUM", "/bin/false")
    once = replace(
        DAILY_ONLY, attempts=1, kinds={"daily": replace(DAILY_ONLY.kinds["daily"], formats=("docx", "pdf"))}
    )
    [report] = run_pending(loaded_store, dispatcher_for(tmp_path, smtp.port), at(13, 8, 30), once)
    assert not report.ok and report.stage == "render" and "PDF" in report.error
    assert smtp.messages == []
    audit = loaded_store.search("audit", {"term": {"action": "digest"}}, size=10)["hits"]["hits"]
    assert [h["_source"]["details"]["status"] for h in audit] == ["failed"]
    assert run_pending(loaded_store, dispatcher_for(tmp_path, smtp.port), at(13, 10, 0), once) == []


@pytest.mark.es
def test_no_recipients_is_a_failure_not_a_silent_success(loaded_store, tmp_path):
    from yuqing.notify import Dispatcher
    from yuqing.notify import load_config as load_notify

    path = tmp_path / "log-only.yaml"
    path.write_text(
        "channels:\n  log:\n    type: log\nroutes:\n  - channels: [log]\n    kinds: [alert]\n",
        encoding="utf-8",
    )
    report = deliver(
        loaded_store, Dispatcher(load_notify(path)), date(2024, 3, 12), schedule=FAST, now=at(13, 8, 30)
    )
    assert not report.ok and report.stage == "send"
    assert "收件人" in report.error or "通知渠道" in report.error


def test_slot_keys_are_stable():
    [slot] = due(at(13, 8, 30), {"daily": date(2024, 3, 11)}, DAILY_ONLY)
    assert slot.key == "daily:2024-03-12"
    assert timedelta(0) <= at(13, 8, 30) - slot.scheduled_at


# ---------------------------------------------------------------- audit fixes: history, channels, clock, claims
def _statuses(store) -> list[str]:
    audit = store.search("audit", {"term": {"action": "digest"}}, size=100, sort=[{"at": "asc"}])
    return [h["_source"]["details"]["status"] for h in audit["hits"]["hits"]]


def _sent_record(period: date, at_: datetime) -> dict:
    return {
        "id": f"digest-daily-{period.isoformat()}-{at_:%Y%m%dT%H%M%S}",
        "alert_id": None,
        "event_id": None,
        "action": "digest",
        "actor": "digest-scheduler",
        "at": at_.isoformat(),
        "details": {"kind": "daily", "period": period.isoformat(), "ok": True, "status": "sent", "attempt": 1},
    }


@pytest.mark.es
def test_a_long_history_does_not_hide_the_latest_send(store, smtp, tmp_path):
    first = date(2020, 1, 1)
    days = [first + timedelta(days=i) for i in range(1100)]
    old = [_sent_record(day, datetime.combine(day + timedelta(days=1), time(8, 30), SHANGHAI)) for day in days]
    assert old[-1]["details"]["period"] < "2024-01-01"
    recent = _sent_record(date(2024, 3, 12), at(13, 8, 30))
    assert not store.index_docs("audit", old + [recent], refresh=True).failed
    assert load_state(store).last_sent == {"daily": date(2024, 3, 12)}
    assert run_pending(store, dispatcher_for(tmp_path, smtp.port), at(13, 9, 0), FAST) == []
    assert smtp.messages == [] and store.count("audit") == 1101  # nothing re-sent, nothing recorded as missed


@pytest.mark.es
def test_a_failed_email_is_not_masked_by_the_log_channel_and_only_it_is_retried(loaded_store, smtp, tmp_path):
    log = tmp_path / "notices.jsonl"
    smtp.refuse = True
    [report] = run_pending(loaded_store, dispatcher_for(tmp_path, smtp.port, log), at(13, 8, 30), FAST)
    assert not report.ok and report.stage == "send" and "mail" in report.error
    assert report.delivered == ["log"] and smtp.refused == 1
    state = load_state(loaded_store)
    assert "daily" not in state.last_sent and state.attempts["daily:2024-03-12"].count == 1
    assert state.delivered["daily:2024-03-12"] == {"log"}
    assert len(log.read_text(encoding="utf-8").splitlines()) == 1

    smtp.refuse = False
    [retry] = run_pending(loaded_store, dispatcher_for(tmp_path, smtp.port, log), at(13, 8, 46), FAST)
    assert retry.ok, retry.error
    assert [r["channel"] for r in retry.results] == ["mail"] and retry.delivered == ["log", "mail"]
    assert len(smtp.messages) == 1
    assert len(log.read_text(encoding="utf-8").splitlines()) == 1  # the log channel already had it
    assert _statuses(loaded_store) == ["retrying", "sent"]
    assert run_pending(loaded_store, dispatcher_for(tmp_path, smtp.port, log), at(13, 12, 0), FAST) == []


@pytest.mark.es
def test_run_pending_and_digest_send_default_to_the_shared_clock(loaded_store, smtp, tmp_path, monkeypatch):
    import time as real_time

    from yuqing.cli import main
    from yuqing.clock import ENV, SimulatedClock

    monkeypatch.setenv(ENV, SimulatedClock(at(13, 8, 31), real_time.time(), 1.0).to_env())
    [report] = run_pending(loaded_store, dispatcher_for(tmp_path, smtp.port), schedule=FAST)
    assert report.ok and report.key == "daily:2024-03-12"
    assert at(13, 8, 31) <= report.at < at(13, 8, 40)

    config = tmp_path / "digest.yaml"
    config.write_text("daily:\n  formats: [html]\n", encoding="utf-8")
    code = main(
        ["digest", "send", "daily", "--date", "2024-03-11", "--config", str(config),
         "--notify-config", str(notify_yaml(tmp_path, smtp.port))]
    )
    assert code == 0 and len(smtp.messages) == 2
    audit = loaded_store.search("audit", {"term": {"action": "digest"}}, size=10, sort=[{"at": "asc"}])
    assert [h["_source"]["at"][:13] for h in audit["hits"]["hits"]] == ["2024-03-13T08"] * 2


@pytest.mark.es
def test_two_schedulers_on_one_elasticsearch_send_one_email(loaded_store, smtp, tmp_path, es_url):
    import threading

    from yuqing.store import connect

    stores = [loaded_store, connect(es_url, prefix=loaded_store.prefix)]
    barrier = threading.Barrier(2)
    reports: list = []

    def worker(store) -> None:
        dispatcher = dispatcher_for(tmp_path, smtp.port)
        barrier.wait()
        reports.extend(run_pending(store, dispatcher, at(13, 8, 30), FAST))

    threads = [threading.Thread(target=worker, args=(s,)) for s in stores]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(120)
    assert [(r.key, r.ok) for r in reports] == [("daily:2024-03-12", True)]
    assert len(smtp.messages) == 1 and _statuses(loaded_store) == ["sent"]


@pytest.mark.es
def test_a_scheduler_with_stale_state_loses_the_claim(loaded_store, smtp, tmp_path, monkeypatch):
    from yuqing.digest import schedule

    down = dispatcher_for(tmp_path, _free_port())
    stale = load_state(loaded_store)  # the second worker read the audit before the first one sent
    assert [r.ok for r in run_pending(loaded_store, down, at(13, 8, 30), FAST)] == [False]
    monkeypatch.setattr(schedule, "load_state", lambda _store, limit=1000: stale)
    assert run_pending(loaded_store, dispatcher_for(tmp_path, smtp.port), at(13, 8, 30), FAST) == []
    assert smtp.messages == []
    monkeypatch.undo()
    # the failed attempt is retried after the interval: attempt 2 is claimed by one worker only
    stale = load_state(loaded_store)
    [retry] = run_pending(loaded_store, dispatcher_for(tmp_path, smtp.port), at(13, 8, 46), FAST)
    assert retry.ok
    monkeypatch.setattr(schedule, "load_state", lambda _store, limit=1000: stale)
    assert run_pending(loaded_store, dispatcher_for(tmp_path, smtp.port), at(13, 8, 47), FAST) == []
    assert len(smtp.messages) == 1 and _statuses(loaded_store) == ["retrying", "sent"]


@pytest.mark.es
def test_an_attempt_whose_process_died_is_retried_after_the_interval(loaded_store, smtp, tmp_path):
    from yuqing.digest.schedule import Slot, claim

    [slot] = due(at(13, 8, 30), {"daily": date(2024, 3, 11)}, DAILY_ONLY)
    assert claim(loaded_store, slot, 1, at(13, 8, 30))  # claimed, then the process died
    assert not claim(loaded_store, slot, 1, at(13, 8, 30))
    up = dispatcher_for(tmp_path, smtp.port)
    assert run_pending(loaded_store, up, at(13, 8, 31), FAST) == []  # maybe still sending
    [retry] = run_pending(loaded_store, up, at(13, 8, 46), FAST)
    assert retry.ok and len(smtp.messages) == 1
    audit = loaded_store.search("audit", {"term": {"action": "digest"}}, size=10)["hits"]["hits"]
    assert [h["_source"]["details"]["attempt"] for h in audit] == [2]

    # the last allowed attempt dying is recorded as a failure, once
    once = replace(FAST, attempts=1)
    next_day = Slot("daily", date(2024, 3, 13), at(14, 8, 30))
    assert claim(loaded_store, next_day, 1, at(14, 8, 30))
    assert run_pending(loaded_store, up, at(14, 8, 50), once) == []
    assert run_pending(loaded_store, up, at(14, 9, 50), once) == []
    records = loaded_store.search("audit", {"term": {"action": "digest"}}, size=10, sort=[{"at": "asc"}])
    last = [h["_source"]["details"] for h in records["hits"]["hits"]][-1]
    assert (last["period"], last["status"], last["attempt"]) == ("2024-03-13", "failed", 1)
    assert "中断" in last["error"] and _statuses(loaded_store) == ["sent", "failed"]
