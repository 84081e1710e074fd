"""`yuqing sandbox export`: JSON lines named like the posts index, cut at --until."""

import json
import re

from yuqing.cli import main

KINDS = {"news", "rss", "sitemap", "board_html", "board_api", "social"}
LEVELS = {"中央", "省级", "市级", "行业", "商业", "自媒体"}


def _export(tmp_path, *extra) -> list[dict]:
    out = tmp_path / "posts.jsonl"
    assert main(["sandbox", "export", "--out", str(out), *extra]) == 0
    return [json.loads(line) for line in out.read_text(encoding="utf-8").splitlines()]


def test_export_fields(tmp_path, world):
    records = _export(tmp_path)
    assert len(records) == len(world.posts)
    for record in records:
        assert record["source_kind"] in KINDS and record["media_level"] in LEVELS
        assert re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\+08:00", record["published_at"])
        assert record["url"].startswith("http://127.0.0.1:8765/")
        assert record["region"]["province"] == "天津市"
        assert set(record["engagement"]) == {"likes", "comments", "shares", "views"}
        assert record["scenario"] in {"food_poisoning", "gym_prepaid", "elevator", "background"}
        assert record["content"]
    boards = [r["board"] for r in records if r["board"]]
    assert boards and set(boards[0]) >= {"post_id", "addressee", "type", "domain", "area", "status", "reply",
                                         "reply_unit", "reply_at", "satisfaction"}
    assert {b["status"] for b in boards} >= {"已办理"}


def test_export_until_cuts_posts_and_board_state(tmp_path):
    early = _export(tmp_path, "--until", "2024-03-12T14:00:00+08:00")
    full = _export(tmp_path)
    assert 0 < len(early) < len(full)
    assert max(r["published_at"] for r in early) <= "2024-03-12T14:00:00+08:00"
    fp04 = next(r for r in early if r["id"] == "fp04")
    assert fp04["board"]["status"] == "未回复" and fp04["board"]["reply"] is None
    assert next(r for r in full if r["id"] == "fp04")["board"]["status"] == "已办理"


def test_export_rejects_a_bad_instant(tmp_path, capsys):
    assert main(["sandbox", "export", "--out", str(tmp_path / "x.jsonl"), "--until", "明天"]) != 0
    assert "--until" in capsys.readouterr().err


def test_export_writes_to_standard_output_by_default(capsys):
    """Like `yuqing replay` and `sentiment`, the export pipes: `yuqing sandbox export | yuqing load -`."""
    assert main(["sandbox", "export", "--until", "2024-03-12 09:00"]) == 0
    lines = capsys.readouterr().out.splitlines()
    assert lines and all(json.loads(line)["url"].startswith("http") for line in lines)
