"""`yuqing alerts …` and `yuqing replay` through yuqing.cli.main, against the real node."""

from __future__ import annotations

import json

import pytest

from yuqing.cli import main
from yuqing.store import alerts as sa


def _alert(store, alert_id="al-1", level="Ⅲ", rank=3, **extra) -> dict:
    doc = {"id": alert_id, "event_id": "ev-" + alert_id, "title": f"测试事件{alert_id}", "level": level,
           "level_rank": rank, "color": "黄", "status": "new", "needs_response": True, "rules": ["r"],
           "schemes": [], "silenced": False, "first_alerted_at": "2024-03-12T10:00:00+08:00", "post_count": 3,
           "deadlines": [{"kind": "response", "label": "回应关切", "due_at": "2024-03-14T10:00:00+08:00",
                          "met_at": None, "key": "k1"}], **extra}
    sa.put_doc(store, "alerts", doc)
    return doc


def test_workflow_from_the_command_line(store, capsys):
    _alert(store)
    assert main(["alerts", "list"]) == 0
    assert "al-1" in capsys.readouterr().out
    assert main(["alerts", "ack", "al-1", "--by", "张三"]) == 0
    assert "已确认" in capsys.readouterr().out
    assert main(["alerts", "assign", "al-1", "--by", "张三", "--unit", "食品安全监督管理处", "--type", "重大问题"]) == 0
    assert "已交办" in capsys.readouterr().out
    assert main(["alerts", "respond", "al-1", "--by", "李四", "--channel", "发布权威信息",
                 "--ref", "http://gov.example/1", "--at", "2024-03-12T15:00:00+08:00"]) == 0
    assert main(["alerts", "close", "al-1", "--by", "王五", "--note", "已办结"]) == 0
    capsys.readouterr()
    assert main(["alerts", "show", "al-1"]) == 0
    out = capsys.readouterr().out
    assert "已办结" in out and "食品安全监督管理处" in out
    assert "时限 回应关切: 2024-03-14 10:00 前（已于 2024-03-12 15:00 完成）" in out
    assert [line.split()[4] for line in out.splitlines() if line.startswith("记录")] == \
        ["确认", "交办", "记录回应", "办结"]
    store.refresh("alerts")
    assert main(["alerts", "list", "--status", "closed", "--json"]) == 0
    listed = json.loads(capsys.readouterr().out)
    assert [a["id"] for a in listed] == ["al-1"] and listed[0]["responses"][0]["actor"] == "李四"


def test_the_list_shows_the_first_clock_still_running(store, capsys, monkeypatch):
    import time
    from datetime import datetime

    from yuqing import clock

    _alert(store)
    start = datetime.fromisoformat("2024-03-14T07:30:00+08:00")  # 2.5 hours before the response is due
    monkeypatch.setenv(clock.ENV, clock.SimulatedClock(start, time.time(), 0.0).to_env())  # stands still
    store.refresh("alerts")
    assert main(["alerts", "list"]) == 0
    assert "帖子3  回应关切 剩余 2 小时 30 分  测试事件al-1" in capsys.readouterr().out
    for argv in (["ack", "al-1", "--by", "张三"],
                 ["assign", "al-1", "--by", "张三", "--unit", "办公室", "--type", "重大问题"],
                 ["respond", "al-1", "--by", "李四", "--channel", "发布权威信息", "--ref", "文号1"]):
        assert main(["alerts", *argv]) == 0
    store.refresh("alerts")
    capsys.readouterr()
    assert main(["alerts", "list"]) == 0
    assert "帖子3  测试事件al-1" in capsys.readouterr().out  # met: no clock left to show


def test_the_list_counts_stories_beside_posts(store, capsys):
    """51 posts that are one text reposted read as one story, as on the event page and in the digest."""
    _alert(store, post_count=51, cluster_count=1)
    store.refresh("alerts")
    assert main(["alerts", "list"]) == 0
    assert "帖子51（1个话题）" in capsys.readouterr().out


def test_false_information_handover_from_the_command_line(store, capsys):
    _alert(store)
    for argv in (["ack", "al-1", "--by", "张三"],
                 ["assign", "al-1", "--by", "张三", "--unit", "办公室", "--type", "虚假和不实信息"],
                 ["respond", "al-1", "--by", "张三", "--channel", "接受媒体采访", "--ref", "报道链接"]):
        assert main(["alerts", *argv]) == 0
    assert main(["alerts", "close", "al-1", "--by", "张三"]) == 1
    assert "须先登记移交" in capsys.readouterr().err
    assert main(["alerts", "handover", "al-1", "--by", "张三", "--receiver", "市公安局网安支队",
                 "--ref", "移交函〔2024〕3号"]) == 0
    assert main(["alerts", "close", "al-1", "--by", "张三"]) == 0
    assert sa.get_many(store, "alerts", ["al-1"])["al-1"]["handover"]["receiver"] == "市公安局网安支队"


def test_the_investigation_report_after_closing_and_the_record_in_words(store, capsys):
    _alert(store, deadlines=[{"kind": "investigation_report", "label": "报送核实调查报告", "key": "k2",
                              "due_at": "2024-03-14T18:00:00+08:00", "met_at": None}])
    for argv in (["ack", "al-1", "--by", "张三"],
                 ["assign", "al-1", "--by", "张三", "--unit", "办公室", "--type", "重大问题"],
                 ["respond", "al-1", "--by", "李四", "--channel", "发布权威信息", "--ref", "文号1"],
                 ["close", "al-1", "--by", "张三", "--note", "已通报"]):
        assert main(["alerts", *argv]) == 0
    capsys.readouterr()
    assert main(["alerts", "report", "al-1", "--by", "李四", "--ref", "javascript:alert(1)"]) == 1
    assert "http" in capsys.readouterr().err
    assert main(["alerts", "report", "al-1", "--by", "李四", "--ref", "津市监〔2024〕12号",
                 "--at", "2024-03-14 10:00"]) == 0
    capsys.readouterr()
    assert main(["alerts", "show", "al-1"]) == 0
    out = capsys.readouterr().out
    assert "时限 报送核实调查报告: 2024-03-14 18:00 前（已于 2024-03-14 10:00 完成）" in out
    assert "办结时未完成：报送核实调查报告" in out and "['" not in out  # lists read as words, not Python


def test_errors_are_chinese_and_name_the_alert(store, capsys):
    assert main(["alerts", "ack", "al-none", "--by", "张三"]) == 1
    assert "错误: 预警不存在: al-none" in capsys.readouterr().err
    assert main(["alerts", "show", "al-none"]) == 1
    assert "预警不存在" in capsys.readouterr().err
    _alert(store)
    assert main(["alerts", "close", "al-1", "--by", "张三"]) == 1
    assert "不能办结" in capsys.readouterr().err
    with pytest.raises(SystemExit) as info:
        main(["alerts", "assign", "al-1", "--by", "张三", "--unit", "办公室", "--type", "随便"])
    assert info.value.code == 2
    assert sa.get_many(store, "alerts", ["al-1"])["al-1"]["status"] == "new"


@pytest.mark.parametrize("argv", [
    ["alerts", "respond", "al-1", "--by", "李四", "--channel", "发布权威信息", "--ref", "x", "--at", "昨天"],
    ["alerts", "handover", "al-1", "--by", "李四", "--receiver", "公安", "--ref", "x", "--at", "3/12"],
    ["alerts", "silence", "al-1", "--by", "李四", "--until", "明天"],
    ["search", "食品", "--since", "去年"],
])
def test_a_time_that_is_not_a_time_is_refused_with_the_option_and_an_example(argv, capsys):
    # It used to end in a ValueError traceback (or Elasticsearch's parse error for search).
    with pytest.raises(SystemExit) as refused:
        main(argv)
    err = capsys.readouterr().err
    assert refused.value.code == 2 and "Traceback" not in err
    assert f"参数 {argv[-2]}: 时间格式无效: '{argv[-1]}'（示例: 2024-03-12 15:00" in err


def test_list_filters_take_chinese_names_and_refuse_unknown_ones(store, capsys):
    _alert(store)
    store.refresh("alerts")
    assert main(["alerts", "list", "--status", "新预警", "--level", "3"]) == 0
    assert "al-1" in capsys.readouterr().out
    for option, value in (("--status", "bogus"), ("--level", "9")):
        with pytest.raises(SystemExit) as refused:  # used to print 没有预警, as if there were none
            main(["alerts", "list", option, value])
        assert refused.value.code == 2 and f"参数 {option}: 没有这个" in capsys.readouterr().err


def test_a_time_may_be_written_with_a_space_and_without_a_zone(store, capsys):
    _alert(store)
    for argv in (["ack", "al-1", "--by", "张三"],
                 ["assign", "al-1", "--by", "张三", "--unit", "办公室", "--type", "重大问题"],
                 ["respond", "al-1", "--by", "李四", "--channel", "发布权威信息", "--ref", "x",
                  "--at", "2024-03-12 15:00"]):
        assert main(["alerts", *argv]) == 0
    met = sa.get_many(store, "alerts", ["al-1"])["al-1"]["responses"][0]["at"]
    assert met == "2024-03-12T15:00:00+08:00"  # Beijing time


def test_a_silenced_alert_is_listed_marked_as_on_the_dashboard(store, capsys):
    # Silencing stops pushes only; the list hid the alert (and the dashboard showed it), so the two
    # disagreed while its clocks still ran.
    _alert(store, "al-1")
    _alert(store, "al-2", level="Ⅱ", rank=2)
    store.refresh("alerts")
    assert main(["alerts", "silence", "al-2", "--by", "张三", "--until", "2030-01-01T00:00:00+08:00"]) == 0
    capsys.readouterr()
    assert main(["alerts", "list"]) == 0
    lines = capsys.readouterr().out.splitlines()
    assert [line.split()[0] for line in lines] == ["al-2", "al-1"]
    assert lines[0].endswith("[推送已静默]") and not lines[1].endswith("[推送已静默]")
    assert main(["alerts", "list", "--hide-silenced"]) == 0
    assert [line.split()[0] for line in capsys.readouterr().out.splitlines()] == ["al-1"]


def test_replay_writes_alerts_and_reports_bad_lines_with_file_and_line(store, repost_records, tmp_path, capsys):
    path = tmp_path / "posts.jsonl"
    lines = [json.dumps(r, ensure_ascii=False) for r in repost_records]
    lines[3:3] = ["{不是 JSON", json.dumps({"content": "没有时间"}, ensure_ascii=False)]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    out = tmp_path / "alerts.jsonl"
    assert main(["replay", str(path), "--step", "30", "--prefix", store.prefix, "--out", str(out)]) == 1
    err = capsys.readouterr().err
    assert f"{path}:4:" in err and f"{path}:5: 缺少 published_at" in err
    assert "回放 50 条帖子" in err and "产生 1 条预警" in err
    (alert,) = [json.loads(line) for line in out.read_text(encoding="utf-8").splitlines()]
    assert alert["post_count"] == 50 and alert["level"] in ("Ⅰ", "Ⅱ")
    assert {d["kind"] for d in alert["deadlines"]} >= {"authoritative_info", "press_conference"}
    assert alert["first_alerted_at"] and alert["clock_start"] and alert["rules"]


def test_replay_refuses_a_missing_file_and_a_bad_speed(tmp_path, capsys):
    assert main(["replay", str(tmp_path / "none.jsonl")]) == 1
    assert "无法读取帖子文件" in capsys.readouterr().err
    path = tmp_path / "posts.jsonl"
    path.write_text("", encoding="utf-8")
    assert main(["replay", str(path), "--speed", "0"]) == 1
    assert "--speed 应为正数" in capsys.readouterr().err


def test_silence_a_whole_scheme_from_the_command_line(store, capsys):
    from datetime import datetime, timedelta, timezone

    from yuqing.alerts.engine import scheme_silences

    assert main(["alerts", "silence", "--scheme", "校园食品安全", "--by", "张三",
                 "--until", "2030-01-01T00:00:00+08:00"]) == 0
    out = capsys.readouterr().out
    assert "已静默监测方案「校园食品安全」" in out and "2030-01-01" in out
    now = datetime(2029, 12, 31, tzinfo=timezone(timedelta(hours=8)))
    assert scheme_silences(store, now) == {"校园食品安全"}
    assert scheme_silences(store, now + timedelta(days=2)) == set()  # the silence ends at --until
    store.refresh("audit")
    (record,) = [h["_source"] for h in store.search("audit", {"term": {"action": "silence_scheme"}})["hits"]["hits"]]
    assert record["actor"] == "张三" and record["details"]["scheme"] == "校园食品安全"
    # an alert id or a scheme, not both and not neither
    assert main(["alerts", "silence", "--by", "张三"]) == 1
    assert "二选一" in capsys.readouterr().err
    assert main(["alerts", "silence", "al-1", "--scheme", "校园食品安全", "--by", "张三"]) == 1
    assert "二选一" in capsys.readouterr().err


def test_ack_reports_a_raised_level_from_the_command_line(store, capsys):
    _alert(store, level="Ⅱ", rank=2, status="assigned", acknowledged_at="2024-03-12T10:10:00+08:00",
           deadlines=[{"kind": "report_leaders", "label": "报告局领导", "due_at": "2024-03-12T12:00:00+08:00",
                       "met_at": "2024-03-12T10:10:00+08:00"},
                      {"kind": "report_area_leaders", "label": "报告区领导（重大敏感）",
                       "due_at": "2024-03-12T16:00:00+08:00", "met_at": None}])
    assert main(["alerts", "ack", "al-1", "--by", "张三"]) == 0
    out = capsys.readouterr().out
    assert "已报告：报告区领导（重大敏感）（Ⅱ级）" in out and "已交办" in out
    deadlines = {d["kind"]: d for d in sa.get_many(store, "alerts", ["al-1"])["al-1"]["deadlines"]}
    assert deadlines["report_area_leaders"]["met_at"]
    assert deadlines["report_leaders"]["met_at"] == "2024-03-12T10:10:00+08:00"
    assert main(["alerts", "ack", "al-1", "--by", "张三"]) == 1  # reported: nothing left to confirm
    assert "不能确认" in capsys.readouterr().err


def test_unsilence_from_the_command_line_brings_the_alert_back_to_the_list(store, capsys):
    _alert(store)
    assert main(["alerts", "silence", "al-1", "--by", "张三"]) == 0
    assert main(["alerts", "unsilence", "al-1", "--by", "张三"]) == 0
    store.refresh("alerts")
    capsys.readouterr()
    assert main(["alerts", "list"]) == 0
    assert "al-1" in capsys.readouterr().out
    assert main(["alerts", "unsilence", "al-1", "--by", "张三"]) == 1
    assert "没有静默" in capsys.readouterr().err
