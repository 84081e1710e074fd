"""Callback logic as plain functions against the real node, and the pure helpers."""

from __future__ import annotations

import io
import re
from datetime import UTC, datetime, timedelta

import numpy as np
import pandas as pd
import pytest
from dash import html

pytestmark = pytest.mark.usefixtures("dash_app")  # page modules are loaded by the app


def test_highlight_children_marks_only_em_parts_and_keeps_markup_as_text():
    from dashboards.common import highlight_children

    parts = highlight_children("商家<script>x</script>卷走<em>预付卡</em>余额<img src=x onerror=1>")
    assert parts[0] == "商家<script>x</script>卷走"
    assert isinstance(parts[1], html.Mark) and parts[1].children == "预付卡"
    assert parts[2] == "余额<img src=x onerror=1>"


def test_fmt_time_shows_shanghai_time():
    from dashboards.common import fmt_time

    assert fmt_time("2024-03-05T04:56:00Z") == "2024-03-05 12:56"
    assert fmt_time(None) == ""


def test_search_highlights_and_aggregates(dash_store):
    from dashboards.pages import explore

    data = explore.search(dash_store, "预付卡", explore.build_filter())
    assert data["total"] >= 1
    assert any("<em>" in f for h in data["hits"] for f in h.get("highlight", {}).get("title", []) +
               h.get("highlight", {}).get("content", []))
    assert data["trend"][["pos", "neu", "neg"]].to_numpy().sum() == data["total"]
    assert not data["sources"].empty and data["sources"]["count"].sum() <= data["total"]


def test_filters_narrow_the_search(dash_store):
    from dashboards.pages import explore

    everything = explore.search(dash_store, None, explore.build_filter())["total"]
    central = explore.search(dash_store, None, explore.build_filter(media_levels=["中央"]))
    assert 0 < central["total"] < everything
    assert {h["_source"]["media_level"] for h in central["hits"]} == {"中央"}
    negative = explore.search(dash_store, None, explore.build_filter(sentiments=["neg"]))
    assert {h["_source"]["sentiment"]["label"] for h in negative["hits"]} == {"neg"}
    one_day = explore.search(dash_store, None, explore.build_filter(since="2024-03-10", until="2024-03-10"))
    assert one_day["interval"] == "1h"
    assert all(h["_source"]["published_at"].startswith("2024-03-10") for h in one_day["hits"])


def test_render_hit_never_links_javascript_urls():
    from dashboards.pages import explore

    article = explore.render_hit({"_source": {"title": "<b>x</b>", "url": "javascript:alert(1)", "content": "c"}})
    heading = article.children[0].children
    assert not isinstance(heading, html.A)
    assert heading.children == ["<b>x</b>"]


def test_export_csv_and_xlsx_hold_the_matches(dash_store):
    from openpyxl import load_workbook

    from dashboards.pages import explore

    frame = explore.export_frame(dash_store, "预付卡", explore.build_filter())
    assert len(frame) == explore.search(dash_store, "预付卡", explore.build_filter())["total"]
    assert list(frame.columns)[:3] == ["发布时间", "标题", "信源"]
    text = explore.to_csv(frame).decode("utf-8-sig")
    assert text.splitlines()[0].startswith("发布时间,标题,信源")
    sheet = load_workbook(io.BytesIO(explore.to_xlsx(frame))).active
    assert sheet.max_row == len(frame) + 1 and sheet["B1"].value == "标题"


def test_export_rows_are_the_newest_matches_with_readable_values(dash_store):
    from dashboards.pages import explore
    from tests.dashboards.conftest import INJECTION_TITLE

    sort = [{"published_at": {"order": "desc", "missing": "_last"}}]
    hits = dash_store.search("posts", None, size=1000, sort=sort, track_total_hits=False)["hits"]["hits"]
    docs = [hit["_source"] for hit in hits]
    frame = explore.export_frame(dash_store, None, explore.build_filter(), body=True)
    assert list(frame.columns) == list(explore.EXPORT_COLUMNS.values())
    assert len(frame) == len(docs) == dash_store.count("posts")
    assert list(frame["正文"]) == [doc.get("content") for doc in docs]
    plain = explore.export_frame(dash_store, None, explore.build_filter())  # without the body by default
    assert list(plain.columns) == [c for c in explore.EXPORT_COLUMNS.values() if c != "正文"]
    assert plain.equals(frame.drop(columns="正文"))
    assert list(frame["链接"]) == [doc.get("url") for doc in docs]  # newest first, nothing lost or repeated
    times = [t for t in frame["发布时间"] if t]
    assert times == sorted(times, reverse=True)
    injected = frame[frame["链接"] == "javascript:window.__pwned=5"].iloc[0]
    assert injected["发布时间"] == "2024-03-10 10:00"  # Asia/Shanghai wall time of 10:00+08:00
    assert injected["标题"] == INJECTION_TITLE and injected["信源"] == "测试微博"
    utc = next(doc for doc in docs if str(doc.get("published_at", "")).endswith(("Z", "+00:00")))
    row = frame[frame["链接"] == utc.get("url")].iloc[0]
    shanghai = pd.Timestamp(utc["published_at"]).tz_convert("Asia/Shanghai").strftime("%Y-%m-%d %H:%M")
    assert row["发布时间"] == shanghai
    several = next(doc for doc in docs if len(doc.get("categories") or []) > 1)
    row = frame[frame["链接"] == several["url"]].iloc[0]
    assert row["分类"] == "、".join(several["categories"])
    labelled = next(doc for doc in docs if (doc.get("sentiment") or {}).get("label") == "neg")
    row = frame[frame["链接"] == labelled["url"]].iloc[0]
    assert row["情感"] == "负面" and row["情感分值"] == labelled["sentiment"]["score"]
    assert set(frame["情感"]) <= {"负面", "中性", "正面", ""}
    board = next(doc for doc in docs if (doc.get("board") or {}).get("status"))
    assert frame[frame["链接"] == board["url"]].iloc[0]["留言状态"] == board["board"]["status"]


def test_export_keeps_only_the_newest_rows_up_to_the_cap(dash_store, monkeypatch):
    from dashboards.pages import explore

    everything = explore.export_frame(dash_store, None, explore.build_filter())
    newest = explore.export_frame(dash_store, None, explore.build_filter(), limit=7)
    assert newest.equals(everything.head(7))
    monkeypatch.setattr(explore, "EXPORT_LIMIT", 5)
    assert len(explore.export_frame(dash_store, None, explore.build_filter())) == 5
    none = explore.export_frame(dash_store, "没有这样的帖子一二三", explore.build_filter())
    header = [c for c in explore.EXPORT_COLUMNS.values() if c != "正文"]
    assert none.empty and list(none.columns) == header
    assert explore.to_csv(none).decode("utf-8-sig") == ",".join(header) + "\n"


def test_export_defuses_spreadsheet_formulas():
    from dashboards.pages import explore

    frame = pd.DataFrame({"标题": ["=HYPERLINK(\"http://x\")", "正常"]})
    assert explore.to_csv(frame).decode("utf-8-sig").splitlines()[1].startswith("\"'=HYPERLINK")


def test_xlsx_holds_the_same_cells_as_pandas_writes_for_the_defused_frame():
    from openpyxl import load_workbook

    from dashboards.pages import explore

    frame = pd.DataFrame({"发布时间": ["2024-03-10 10:00", "", "2024-03-09 08:00"], "标题": ["=1+1", "正常", None],
                          "情感分值": pd.Series([0.25, None, 0.5], dtype=object), "作者": ["@x", True, 3]})
    expected = io.BytesIO()
    frame.map(explore._cell).to_excel(expected, index=False, sheet_name="检索结果")
    got = load_workbook(io.BytesIO(explore.to_xlsx(frame))).active
    want = load_workbook(expected).active
    assert got.title == "检索结果" and got.column_dimensions["B"].width == 40
    assert [[c.value for c in r] for r in got.iter_rows()] == [[c.value for c in r] for r in want.iter_rows()]
    assert got["B2"].value == "'=1+1" and got["B2"].data_type != "f"


def test_csv_is_what_pandas_writes_for_the_defused_frame():
    from dashboards.pages import explore

    frame = pd.DataFrame({"标题": ["=1+1", None, "a,b", 'say "hi"', "two\nlines", "-3", "@x", "\tt", "正常", ""],
                          "情感分值": [0.1 + 0.2, None, 1e-7, 0.5, float("nan"), 1.0, 2.5, 3.0, 4.0, 5.0],
                          "分值": [0.25, 1.5, float("nan"), 2.0, 3.0, 4.0, 5.0, 6.0, 7.0, 8.0],
                          "作者": ["+86", True, 3, "张三", None, "李四", "", "=x", "王五", None]})
    frame["情感分值"] = frame["情感分值"].astype(object)
    expected = frame.map(explore._cell).to_csv(index=False).encode("utf-8-sig")
    assert explore.to_csv(frame) == expected


def test_channel_status_counts(dash_store):
    from dashboards.pages import boards

    frame = boards.channel_status_frame(dash_store)
    test_board = frame[frame["channel"] == "测试留言板"].set_index("status")["count"].to_dict()
    assert test_board == {"未回复": 1, "办理中": 1, "已办理": 1}


def test_pending_posts_in_working_days(dash_store):
    from dashboards.pages import boards

    rows = {r["id"]: r for r in boards.pending_posts(dash_store, datetime.now(UTC))}
    assert rows["jboard1"]["overdue"] and rows["jboard1"]["workdays_left"] < 0  # 20 days old, 5 working days
    assert "已超时" in rows["jboard1"]["countdown"]
    assert not rows["jboard2"]["overdue"] and rows["jboard2"]["workdays_left"] >= 0
    assert "jboard3" not in rows  # replied


def test_pending_summary_counts_every_pending_post_not_just_the_listed_ones(dash_store):
    from dashboards.pages import boards

    now = datetime.now(UTC)
    rows = boards.pending_posts(dash_store, now, limit=10_000)
    summary = boards.pending_summary(dash_store, now)
    assert summary["pending"] == len(rows) >= 2
    assert summary["overdue"] == sum(r["overdue"] for r in rows) >= 1
    assert summary["due_soon"] == sum(1 for r in rows if not r["overdue"] and r["workdays_left"] <= 1)
    assert len(boards.pending_posts(dash_store, now, limit=1)) == 1  # the list is capped; the counts are not
    later = boards.pending_summary(dash_store, now + timedelta(days=60))
    assert later["overdue"] == later["pending"] == summary["pending"]


def test_alerts_page_lists_the_urgent_board_clocks(dash_store):
    from dashboards.pages import alerts

    summary, rows = alerts.board_clock_rows(dash_store, datetime.now(UTC))
    assert summary["overdue"] >= 1 and "jboard1" in {r["id"] for r in rows}  # 20 days old: overdue
    assert all(r["overdue"] or r["workdays_left"] <= 1 for r in rows) and len(rows) <= alerts.BOARD_ITEMS
    overdue = [r["overdue"] for r in rows]
    assert overdue == sorted(overdue, reverse=True)  # overdue ones first (oldest first)


def test_unit_reply_rate_and_mean_time(dash_store):
    from dashboards.pages import boards

    frame = boards.unit_reply_frame(dash_store).set_index("unit")
    food = frame.loc["食品安全监管处"]
    assert (food["total"], food["replied"]) == (2, 1)
    assert food["rate"] == pytest.approx(0.5)
    assert food["mean_hours"] == pytest.approx(48, abs=0.01)


def test_summary_says_when_an_export_is_capped():
    from dashboards.pages import explore

    assert explore.summary_text(12, 12) == "共 12 条"
    assert "导出" not in explore.summary_text(explore.EXPORT_LIMIT, 20)
    assert f"导出仅含最新的 {explore.EXPORT_LIMIT} 条" in explore.summary_text(explore.EXPORT_LIMIT + 1, 20)


def test_source_health(dash_store):
    from dashboards.pages import sources

    frame = sources.source_health(dash_store, datetime.now(UTC)).set_index("source")
    assert frame.loc["sandbox_news", "health"] == "ok"
    assert frame.loc["sandbox_news", "items"] == 12  # the latest run
    assert frame.loc["sandbox_news", "items_7d"] == 12 + 11 + 10
    assert frame.loc["sandbox_portal", "status"] == "失败"
    assert frame.loc["sandbox_portal", "health"] == "stale"  # last success three days ago
    assert frame.loc["sandbox_portal", "error_kinds"] == "HTTP 500×4，超时×2，缺少日期×1"  # the latest run's
    assert frame.loc["sandbox_news", "error_kinds"] == ""  # its latest run had no errors, only advisories:
    assert frame.loc["sandbox_news", "errors"] == 0
    assert frame.loc["sandbox_news", "notices"] == "站外链接（未抓取）×3，附件（非网页）×1"
    assert frame.loc["sandbox_portal", "notices"] == ""
    assert frame.loc["sandbox_portal", "kind"] == "站点地图"


def test_error_kinds_read_in_chinese_and_unknown_kinds_stay_visible():
    from yuqing.crawl_labels import describe_errors

    assert describe_errors({"robots_forbidden": 1, "http_404": 3, "OSError": 1}) == "HTTP 404×3，OSError×1，robots.txt 禁止×1"
    assert describe_errors(None) == describe_errors({}) == ""
    kinds = {"timeout": 1, "selector_miss": 2, "bad_link": 5}
    assert describe_errors(kinds, advisory=False) == "超时×1"
    assert describe_errors(kinds, advisory=True) == "链接无效×5，选择器未命中（已用通用抽取）×2"


def test_source_health_week_follows_the_shared_clock_not_the_node(dash_store):
    from dashboards.pages import sources

    later = sources.source_health(dash_store, datetime.now(UTC) + timedelta(days=30)).set_index("source")
    assert later.loc["sandbox_news", "items_7d"] == 0  # a month on (simulated), last week's runs are out
    assert later.loc["sandbox_news", "health"] == "stale"


def test_save_user_validates_and_updates(dash_store):
    from dashboards.pages import settings
    from yuqing import accounts

    ok, message = settings.save_user(dash_store, "newunit1", "long-enough-1", "unit", "", "")
    assert not ok and "单位名称" in message
    ok, message = settings.save_user(dash_store, "newunit1", "long-enough-1", "unit", "价格监督检查处", "王五")
    assert ok and accounts.get_user(dash_store, "newunit1").unit == "价格监督检查处"
    ok, _ = settings.save_user(dash_store, "newunit1", "", "analyst", None, None)
    assert ok and accounts.get_user(dash_store, "newunit1").role == "analyst"


def test_figures_are_pure_functions():
    from dashboards import figures

    frame = pd.DataFrame({"time": pd.to_datetime(["2024-03-10", "2024-03-11"]), "pos": [1, 0], "neu": [1, 0],
                          "neg": [2, 0]})
    fig = figures.volume_sentiment_trend(frame)
    share = next(t for t in fig.data if t.name == "负面占比")
    assert share.y[0] == pytest.approx(50) and pd.isna(share.y[1])
    top = fig.layout.yaxis2.range[1]  # a 100 % point is drawn whole, not cut at the frame
    assert top > 100 and share.cliponaxis is False and max(fig.layout.yaxis2.tickvals) == 100
    assert figures.volume_sentiment_trend(frame.iloc[0:0]).layout.annotations[0].text == "所选条件下没有帖子"
    bars = figures.top_bar(pd.DataFrame({"key": ["a", "b"], "count": [1, 3]}), "t")
    assert list(bars.data[0].y) == ["a", "b"] and list(bars.data[0].x) == [1, 3]


def test_alert_deadline_rows_turn_overdue():
    from dashboards.pages import alerts

    now = datetime(2024, 3, 10, 12, tzinfo=UTC)
    alert = {"deadlines": [
        {"kind": "authoritative", "label": "发布权威信息", "due_at": (now - timedelta(hours=1)).isoformat()},
        {"kind": "press", "label": "新闻发布会", "due_at": (now + timedelta(hours=19)).isoformat()},
        {"kind": "x", "label": "回应", "due_at": now.isoformat(), "met_at": (now - timedelta(hours=2)).isoformat()}]}
    rows = alerts.deadline_rows(alert, now)
    assert [r["state"] for r in rows] == ["overdue", "met", "remaining"]  # earliest due first
    assert rows[0]["text"].startswith("发布权威信息已超时1小时")


def test_xlsx_keeps_a_row_with_control_characters_and_cuts_cells_at_excels_limit():
    import zipfile

    from openpyxl import load_workbook

    from dashboards import xlsx
    from dashboards.pages import explore

    long_body = "长" * 40_000
    frame = pd.DataFrame({"标题": ["页面里有\x0b控制符\x00", "正常", "a<b & \"c\""], "正文": [long_body, "短", "x"],
                          "情感分值": pd.Series([np.float64(0.25), np.nan, 7], dtype=object)})
    data = explore.to_xlsx(frame)
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        assert archive.testzip() is None
    sheet = load_workbook(io.BytesIO(data)).active
    rows = [[c.value for c in r] for r in sheet.iter_rows()]
    assert rows[0] == ["标题", "正文", "情感分值"] and sheet["A1"].font.b
    assert rows[1][0] == "页面里有控制符" and len(rows[1][1]) == xlsx.MAX_CELL and rows[1][1].endswith("…")
    assert rows[2] == ["正常", "短", None] and rows[3] == ["a<b & \"c\"", "x", 7]
    assert rows[1][2] == 0.25 and sheet.freeze_panes == "A2"
    assert pd.read_excel(io.BytesIO(data)).shape == (3, 3)  # pandas reads it too
    assert [xlsx.column_letter(i) for i in (0, 25, 26, 701, 702)] == ["A", "Z", "AA", "ZZ", "AAA"]


def test_streamed_csv_is_the_export_and_pages_join_without_gaps(dash_store):
    from dashboards.pages import explore

    for text, body in ((None, False), ("预付卡", True)):
        flt = explore.build_filter()
        streamed = b"".join(explore.csv_chunks(dash_store, text, flt, body=body))
        assert streamed == explore.to_csv(explore.export_frame(dash_store, text, flt, body=body))
    sort = explore.EXPORT_SORT
    pages = list(dash_store.iter_source_pages("posts", None, size=50, sort=sort, source=["url"], page=7))
    assert [len(p) for p in pages] == [7] * 7 + [1]
    assert [d for p in pages for d in p] == dash_store.fetch_sources("posts", None, size=50, sort=sort, source=["url"])


def test_export_link_query_reads_back_as_the_same_filter():
    from urllib.parse import parse_qsl

    from werkzeug.datastructures import MultiDict

    from dashboards.pages import explore

    form = ("2024-03-01", "2024-03-31", ["src1", "src 2"], ["市级"], ["食品安全", "价格收费"], ["天津市/和平区"],
            ["neg"], ["未回复"])
    query = explore.export_query(" 预付卡 & 退费 ", True, *form)
    text, flt, body = explore.filter_from_args(MultiDict(parse_qsl(query)))
    assert (text, body) == ("预付卡 & 退费", True) and flt == explore.build_filter(*form)
    assert explore.filter_from_args(MultiDict(parse_qsl(explore.export_query(None, False))))[1:] == \
        (explore.build_filter(), False)


def test_streamed_csv_reads_its_first_page_before_sending_anything(dash_store):
    from elasticsearch import Elasticsearch

    from dashboards.pages import explore
    from yuqing.errors import StoreError
    from yuqing.esnode import free_port
    from yuqing.store import Store

    url = f"http://127.0.0.1:{free_port()}"  # nothing listens there: Elasticsearch is down
    down = Store(Elasticsearch(url, request_timeout=2, max_retries=0), prefix=dash_store.prefix, url=url)
    with pytest.raises(StoreError):
        explore.csv_chunks(down, None, explore.build_filter())  # raises at once, not on the first chunk
    page = explore.export_failed_page("无法连接 <b>Elasticsearch</b>")
    assert "导出失败：无法连接 &lt;b&gt;Elasticsearch&lt;/b&gt;" in page and 'href="/explore"' in page
    chunks = explore.csv_chunks(dash_store, None, explore.build_filter())
    next(chunks)
    chunks.close()  # a browser that stops reading


def test_a_unit_sees_posts_addressed_to_its_leaders_and_answered_by_it(store):
    # The demo's unit account 河西区市场监管局 saw none of the posts to 河西区市场监管局局长.
    from datetime import datetime

    from analysis.workdays import SHANGHAI
    from dashboards.pages import boards

    def post(n, addressee, reply_unit=None):
        board = {"post_id": str(n), "channel": "mayor_mailbox", "addressee": addressee, "status": "办理中"}
        if reply_unit:
            board["reply_unit"] = reply_unit
        return {"url": f"http://b.example.cn/{n}", "title": f"留言{n}", "source_kind": "board_html",
                "published_at": "2024-03-11T09:00:00+08:00", "board": board}

    store.index_posts([post(1, "河西区市场监管局局长"), post(2, "河西区市场监管局"),
                       post(3, "南开区市场监管局局长"), post(4, "天津市市场监管委主任", reply_unit="河西区市场监管局"),
                       post(5, "河东区市场监管局局长")], refresh=True)
    now = datetime(2024, 3, 12, 9, tzinfo=SHANGHAI)
    seen = boards.pending_posts(store, now, boards.unit_scope_query("河西区市场监管局"))
    assert sorted(row["title"] for row in seen) == ["留言1", "留言2", "留言4"]
    assert [row["title"] for row in boards.pending_posts(store, now, boards.unit_scope_query("南开区市场监管局"))] == ["留言3"]


@pytest.mark.parametrize("text", ["电梯 故障", "健身 退费", "食物  中毒"])
def test_every_word_of_a_multi_word_query_is_marked(dash_store, text):
    from dashboards.pages import explore

    data = explore.search(dash_store, text, explore.build_filter())
    assert data["total"] >= 1
    marks = set()
    for hit in data["hits"]:
        marked = " ".join(f for fragments in hit.get("highlight", {}).values() for f in fragments)
        assert "<em>" in marked, hit["_source"].get("title")
        marks.update(re.findall(r"<em>(.*?)</em>", marked))
    for word in text.split():  # each word is marked somewhere, not only the words side by side
        assert any(word in m for m in marks), (word, marks)


def _texts(components) -> list[str]:
    return [c.children for c in components]


def test_header_names_the_user_and_the_role_once():
    from dashboards.app import user_badge
    from yuqing.accounts import User

    assert _texts(user_badge(User("press", "press", "新闻发言人"))) == ["新闻发言人/宣传"]
    assert _texts(user_badge(User("analyst", "analyst", "舆情分析员"))) == ["舆情分析员"]
    assert _texts(user_badge(User("unit", "unit", "责任单位", unit="河西区市场监管局"))) == \
        ["责任单位 · 河西区市场监管局"]
    assert _texts(user_badge(User("zhang", "analyst", "张三"))) == ["张三", "舆情分析员"]
    assert _texts(user_badge(User("li", "leader"))) == ["li", "局领导"]
    assert user_badge(None) == []


def test_one_day_of_trend_is_one_bar_among_its_neighbouring_days():
    from dashboards import figures

    frame = pd.DataFrame({"time": [datetime(2024, 3, 12)], "pos": [1], "neu": [0], "neg": [0]})
    fig = figures.volume_sentiment_trend(frame, interval="1d")
    axis = fig.layout.xaxis
    assert axis.type == "date" and axis.dtick == figures.DAY_MS  # one tick a day: no date labelled twice
    low, high = (pd.Timestamp(v) for v in axis.range)
    assert high - low >= pd.Timedelta(days=2)  # the bar does not fill the chart
    assert all(bar.width == 0.8 * figures.DAY_MS for bar in fig.data if bar.type == "bar")
    assert fig.layout.yaxis.dtick == 1  # one post: no 0.2 steps of a post


def test_two_days_of_trend_without_an_interval_are_read_as_days():
    from dashboards import figures

    frame = pd.DataFrame({"time": [datetime(2024, 3, 11), datetime(2024, 3, 12)], "pos": [1, 2],
                          "neu": [0, 1], "neg": [3, 0]})
    fig = figures.volume_sentiment_trend(frame)
    assert fig.layout.xaxis.dtick == figures.DAY_MS and fig.layout.xaxis.tickformat == "%Y-%m-%d"
    hourly = figures.volume_sentiment_trend(frame.assign(time=[datetime(2024, 3, 11, 9), datetime(2024, 3, 11, 10)]))
    assert "%H:%M" in hourly.layout.xaxis.tickformat and hourly.data[0].width == 0.8 * figures.BUCKET_MS["1h"]


def test_a_reversed_date_range_is_recognised():
    from dashboards.pages import explore

    assert explore.dates_reversed("2024-03-12", "2024-03-01")
    assert explore.dates_reversed("2024-03-12T00:00:00", "2024-03-11")
    assert not explore.dates_reversed("2024-03-12", "2024-03-12")
    assert not explore.dates_reversed(None, "2024-03-01") and not explore.dates_reversed("2024-03-01", None)


def test_load_more_reaches_every_hit_without_gaps_or_repeats(dash_store):
    from dashboards.pages import explore

    flt = explore.build_filter()
    first = explore.search(dash_store, None, flt)
    ids, total = [h["_id"] for h in first["hits"]], first["total"]
    assert total > 2 * explore.PAGE_SIZE
    while len(ids) < total:
        hits, again = explore.more_hits(dash_store, None, flt, len(ids))
        assert hits and again == total
        ids += [h["_id"] for h in hits]
    assert len(ids) == len(set(ids)) == total
    assert explore.more_hidden(total, len(ids)) and not explore.more_hidden(total, explore.PAGE_SIZE)
    assert explore.summary_text(total, explore.PAGE_SIZE) == f"共 {total} 条，已显示 {explore.PAGE_SIZE} 条"


def test_a_post_without_a_title_is_linked_by_the_start_of_its_text():
    from dashboards.pages import explore

    text = "<b>小区</b>电梯\n又坏了，" + "物业一直不修" * 10
    article = explore.render_hit({"_source": {"title": "", "url": "https://weibo.example/1", "content": text}})
    link = article.children[0].children
    assert link.children == [explore.untitled_label(text)]
    assert link.children[0].startswith("<b>小区</b>电梯 又坏了，") and link.children[0].endswith("…")
    assert len(link.children[0]) == explore.TITLE_FROM_CONTENT + 1
    assert explore.untitled_label("") == "（无标题）"


def test_every_dropdown_is_built_with_the_chinese_labels():
    # dcc.Dropdown's own search box says "Search"; pages use dashboards.common.dropdown instead.
    from pathlib import Path

    pages = Path(__file__).resolve().parents[2] / "dashboards"
    direct = [f"{path.name}:{number}" for path in pages.rglob("*.py") if path.name != "common.py"
              for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1)
              if "dcc.Dropdown(" in line]
    assert direct == []
