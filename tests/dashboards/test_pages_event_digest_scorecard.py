"""事件, 日报 and 考核 callback logic as plain functions against the real node (the shared sandbox store)."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest
from dash import html

pytestmark = pytest.mark.usefixtures("dash_app")  # page modules are loaded by the app


def texts(component) -> list[str]:
    """Every string in a Dash component tree (what the browser shows as text)."""
    if isinstance(component, str):
        return [component]
    if isinstance(component, (list, tuple)):
        return [t for c in component for t in texts(c)]
    children = getattr(component, "children", None)
    return texts(children) if children is not None else []


# --------------------------------------------------------------------------- 事件
def test_event_summary_counts_timeline_splits_and_clusters(dash_store):
    from dashboards.pages import event

    data = event.event_posts_summary(dash_store, "ev-food")
    assert data["total"] == dash_store.count("posts", {"term": {"event_id": "ev-food"}}) > 50
    assert data["timeline"][["pos", "neu", "neg"]].to_numpy().sum() == data["total"]
    assert data["platforms"]["count"].sum() == data["total"]
    assert data["levels"]["count"].sum() <= data["total"]
    sizes = [p["cluster_size"] for p in data["representatives"]]
    assert sizes == sorted(sizes, reverse=True) and sizes[0] > 1  # reposts and rewrites form clusters
    assert len({p["cluster_id"] for p in data["representatives"]}) == len(sizes)  # one post per cluster
    assert sum(sizes) <= data["total"]


def test_representative_is_the_clusters_earliest_post(dash_store):
    from dashboards.pages import event

    top = event.event_posts_summary(dash_store, "ev-food")["representatives"][0]
    members = dash_store.search("posts", {"bool": {"filter": [{"term": {"event_id": "ev-food"}},
                                                              {"term": {"cluster_id": top["cluster_id"]}}]}},
                                size=500, track_total_hits=True)
    assert members["hits"]["total"]["value"] == top["cluster_size"]
    assert top["published_at"] == min(h["_source"]["published_at"] for h in members["hits"]["hits"])


def test_unknown_event_has_no_posts(dash_store):
    from dashboards.pages import event

    data = event.event_posts_summary(dash_store, "ev-none")
    assert data["total"] == 0 and data["representatives"] == [] and data["negative_share"] is None


def test_event_alert_record_and_effect(dash_store):
    from dashboards.pages import event
    from yuqing.alerts import effect, workflow

    alert = event.event_alert(dash_store, "ev-food")
    assert alert["id"] == "a-food"
    rows = event.record_rows(alert, workflow.audit_trail(dash_store, "a-food"))
    assert [r["what"] for r in rows] == ["确认", "交办", "回应（发布权威信息）", "办结"]
    assert rows[2]["detail"] == "https://scjg.example.gov.cn/notice/1" and rows[2]["at"] == "2024-03-12 20:00"
    measured = event.response_effect(dash_store, alert)
    assert measured == effect(dash_store, "a-food") and measured.before_posts > 0
    text = event.effect_text(measured, event.first_response_at(alert), datetime(2024, 3, 14, tzinfo=UTC))
    assert f"回应前24小时 {measured.before_posts} 条" in text and "负面占比" in text
    assert event.effect_text(None).startswith("尚未记录回应")
    assert event.response_effect(dash_store, event.event_alert(dash_store, "ev-gym")) is None  # never responded


def test_unit_member_opens_only_their_units_events():
    from dashboards.pages import event
    from yuqing.accounts import User

    mine, theirs = {"owner_unit": "食品安全监管处"}, {"owner_unit": "消费者权益保护处"}
    unit = User("unit1", "unit", unit="食品安全监管处")
    assert event.may_open(unit, mine) and not event.may_open(unit, theirs) and not event.may_open(unit, None)
    assert event.may_open(User("leader1", "leader"), theirs)


def test_representative_post_shows_markup_as_text_and_no_javascript_link():
    from dashboards.pages import event

    article = event.render_post({"title": "<script>x</script>", "url": "javascript:alert(1)", "content": "c",
                                 "cluster_size": 3})
    heading = article.children[0].children
    assert isinstance(heading, html.Span) and heading.children == "<script>x</script>"
    assert "相似 3 条" in texts(article)


# --------------------------------------------------------------------------- 日报
def test_default_digest_day_is_yesterday_in_the_morning():
    from dashboards.pages import digest
    from yuqing.clock import SHANGHAI
    from yuqing.digest.model import default_day

    assert default_day(datetime(2024, 3, 13, 8, 30, tzinfo=SHANGHAI)) == date(2024, 3, 12)
    assert default_day(datetime(2024, 3, 13, 15, 0, tzinfo=SHANGHAI)) == date(2024, 3, 13)
    assert digest.parse_day("not-a-date", datetime(2024, 3, 13, 15, 0, tzinfo=SHANGHAI)) == date(2024, 3, 13)


def test_digest_page_shows_the_documents_blocks(dash_store):
    from dashboards.pages import digest
    from yuqing.clock import SHANGHAI
    from yuqing.digest import layout

    document = digest.build_document(dash_store, date(2024, 3, 12), datetime(2024, 3, 13, 9, tzinfo=SHANGHAI))
    assert "2024年3月12日" in document.title or "2024-03-12" in document.title
    shown = "\n".join(texts(digest.document_children(document)))
    for block in document.blocks:  # every paragraph, bullet and table cell of the documents is on the page
        if isinstance(block, layout.Paragraph):
            assert block.text in shown
        elif isinstance(block, layout.Bullets):
            assert all(item in shown for item in block.items)
        elif isinstance(block, layout.Table):
            assert all(cell in shown for row in block.rows for cell in row)
    assert any(isinstance(b, layout.Figure) for b in document.blocks)
    images = [c for c in digest.block_children(next(b for b in document.blocks if isinstance(b, layout.Figure)))]
    assert images[0].children[0].src.startswith("data:image/png;base64,")


def test_digest_downloads_render_the_same_document(dash_store):
    from dashboards.pages import digest
    from yuqing.clock import SHANGHAI
    from yuqing.digest.render import file_name, render

    document = digest.build_document(dash_store, date(2024, 3, 12), datetime(2024, 3, 13, 9, tzinfo=SHANGHAI))
    content, _ = render(document, "html")
    assert document.title in content.decode("utf-8")
    assert file_name(document, "2024-03-12", "docx") == "舆情日报-2024-03-12.docx"


# --------------------------------------------------------------------------- 考核
def test_scorecard_rates_and_flags_per_unit(dash_store):
    from dashboards.pages import scorecard
    from yuqing.clock import SHANGHAI

    since, until = scorecard.period("2024-03-12", "2024-03-16", date(2024, 3, 20))
    assert (since.isoformat(), until.isoformat()) == ("2024-03-12T00:00:00+08:00", "2024-03-17T00:00:00+08:00")
    scores = scorecard.unit_scores(dash_store, since, until, datetime(2024, 3, 20, tzinfo=SHANGHAI))
    frame, columns = scorecard.scorecard_frame(scores)
    rows = frame.set_index("unit")
    food, gym = rows.loc["食品安全监管处"], rows.loc["消费者权益保护处"]
    assert food["alerts"] == 1 and food["report_hours"] == "0.5"
    assert food["rate_authoritative_info"] == "0%（0/1）" and food["rate_report_leaders"] == "100%（1/1）"
    assert (food["late_report"], food["ineffective"]) == (0, 1)  # authoritative information an hour late
    assert gym["rate_report_leaders"] == "0%（0/1）" and gym["late_report"] == 1
    assert gym["ineffective"] == 1 and gym["rate_response"] == "0%（0/1）"  # no response by the 48 h clock
    assert food["rate_response"] == "—"  # a-food has no plain 48 h clock
    names = dict(columns)
    assert names["rate_authoritative_info"] == "发布权威信息按时率" and names["late_report"] == "报告不及时"


def test_scorecard_is_judged_as_of_now_not_the_period_end(dash_store):
    from dashboards.pages import scorecard
    from yuqing.clock import SHANGHAI

    since, until = scorecard.period("2024-03-12", "2024-03-31", date(2024, 3, 31))
    early = scorecard.unit_scores(dash_store, since, until, datetime(2024, 3, 12, 17, tzinfo=SHANGHAI))
    assert [s.unit for s in early] == ["食品安全监管处"]  # a-gym is raised only on 13 March
    food = early[0]
    assert food.due == {"report_leaders": 1}  # the 19:00 clock is not due yet at 17:00
    assert food.ineffective == 0


def test_period_defaults_to_the_last_30_days():
    from dashboards.pages import scorecard

    since, until = scorecard.period(None, None, date(2024, 3, 31))
    assert (since.date(), until.date()) == (date(2024, 3, 2), date(2024, 4, 1))
    swapped = scorecard.period("2024-03-10", "2024-03-01", date(2024, 3, 31))
    assert swapped[0].date() == date(2024, 3, 1)


def test_empty_scorecard_frame():
    from dashboards.pages import scorecard

    frame, columns = scorecard.scorecard_frame([])
    assert frame.empty and [c for c, _ in columns][:3] == ["unit", "alerts", "report_hours"]


def test_alert_card_links_to_its_event(dash_store):
    from dashboards.pages import alerts

    red = next(a for a in alerts.visible_alerts(dash_store, None) if a["id"] == "a-red")
    article = alerts.render_alert(red, datetime.now(UTC), can_ack=False, selected="a-red")
    links = [c for c in article.children[0].children[1].children if getattr(c, "href", None)]
    assert links[0].href == "/event/ev-a-red" and "selected" in article.className


def test_effect_text_gives_no_verdict_before_the_after_window_is_over():
    from datetime import timedelta

    from analysis.accountability import Effect
    from dashboards.pages import event

    responded = datetime(2024, 3, 12, 20, 40, tzinfo=UTC)
    early = Effect(52, 0, 1.0, 0.0)
    text = event.effect_text(early, responded, responded + timedelta(minutes=30))
    assert "回应后统计窗口未满：已过 0.5 小时/24小时" in text
    assert "回应前24小时 52 条（负面占比 100%）" in text and "回应后至今 0 条（负面占比 —）" in text
    assert "下降" not in text and "上升" not in text and "0%" not in text.replace("100%", "")
    # once the window is over the comparison is given, and an empty window still has no share
    late = event.effect_text(early, responded, responded + timedelta(hours=24))
    assert "回应后24小时 0 条（下降 100%）" in late and "负面占比 100% → —" in late
    assert "百分点" not in late  # no share after the response: nothing to compare


def test_effect_text_compares_full_windows():
    from datetime import timedelta

    from analysis.accountability import Effect
    from dashboards.pages import event

    responded = datetime(2024, 3, 12, 20, 40, tzinfo=UTC)
    text = event.effect_text(Effect(40, 10, 0.75, 0.5), responded, responded + timedelta(hours=30))
    assert text == "回应前24小时 40 条，回应后24小时 10 条（下降 75%）；负面占比 75% → 50%（下降 25 个百分点）。"
    nothing_before = event.effect_text(Effect(0, 3, 0.0, 1.0), responded, responded + timedelta(days=2))
    assert "负面占比 — → 100%" in nothing_before and "百分点" not in nothing_before


def test_audit_details_read_as_chinese_labels_and_short_times():
    from dashboards.pages import event
    from yuqing.alerts import audit

    alert = {"deadlines": [{"kind": "report_area_leaders", "label": "报告区领导（重大敏感）"}]}
    ack = {"action": "acknowledge", "actor": "press", "at": "2024-03-12T19:15:59.220371+08:00",
           "details": {"level": "Ⅱ", "reported": ["report_area_leaders", "report_leaders"],
                       "effective_at": "2024-03-12T19:15:59.220371+08:00"}}
    rows = event.record_rows(alert, [ack])
    assert rows[0]["detail"] == "Ⅱ级；已报告：报告区领导（重大敏感）、报告局领导"
    assert rows[0]["at"] == "2024-03-12 19:15" and rows[0]["what"] == "确认"
    assign = {"action": "assign", "at": "2024-03-12T19:20:00+08:00",
              "details": {"owner_unit": "食品安全监管处", "handling_type": "重大问题", "previous_owner": None,
                          "effective_at": "2024-03-12T16:00:00+08:00"}}
    assert audit.describe(assign) == "责任单位：食品安全监管处；处置类型：重大问题；发生于 2024-03-12 16:00"
    close = {"action": "close", "at": "2024-03-12T20:00:00+08:00",
             "details": {"note": "已发布通报", "unmet": ["报送核实调查报告"]}}
    assert audit.describe(close) == "已发布通报；办结时未完成：报送核实调查报告"
    report = {"action": "investigation_report", "at": "2024-03-13T09:00:00+08:00",
              "details": {"reference": "津市监〔2024〕12号", "effective_at": "2024-03-13T09:00:00+08:00"}}
    assert audit.describe(report) == "津市监〔2024〕12号"
    assert "[" not in rows[0]["detail"] and "T19" not in audit.describe(assign)
    long_unit = {"action": "assign", "at": "2024-03-12T19:20:00+08:00", "details": {"owner_unit": "长" * 1800}}
    assert len(audit.describe(long_unit)) <= audit.DETAIL_CHARS + 1


def test_only_http_references_become_links_in_the_record():
    from dashboards.pages import event

    table = event.record_table([{"at": "", "what": "回应", "who": "p", "detail": "javascript:alert(document.cookie)"},
                                {"at": "", "what": "回应", "who": "p", "detail": "https://gov.example/n/1"}])
    cells = [row.children[3].children for row in table.children[1].children]
    assert cells[0] == "javascript:alert(document.cookie)"
    assert isinstance(cells[1], html.A) and cells[1].href == "https://gov.example/n/1"
