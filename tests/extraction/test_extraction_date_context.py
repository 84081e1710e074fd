"""Where the publication date sits relative to the headline: a date line inside the headline's own
<aside> block, a bare relative date ('昨天') under the headline, and the exact publish timestamp a
page's scripts carry for it. Fixture snippets written for these tests."""

from __future__ import annotations

from datetime import datetime

import pytest

from crawlers.extraction import expressions as X
from crawlers.extraction.dates import SHANGHAI, find_date

NOW = datetime(2024, 3, 15, 10, 0, tzinfo=SHANGHAI)
TITLE = "市场监管局开展电梯安全专项检查"
BODY = (
    '<div class="content"><p>为加强电梯安全监管，保障人民群众乘梯安全，市场监管局近日在全市范围内开展'
    "电梯安全专项检查，重点检查住宅小区、商场和医院的在用电梯。</p></div>"
)
LONG_BODY = BODY + "".join(
    f"<p>检查组第{i}组对辖区内电梯维护保养单位逐一核查，督促整改发现的问题，确保电梯安全运行。</p>" for i in range(8)
)


def at(*parts: int) -> datetime:
    return datetime(*parts, tzinfo=SHANGHAI)


def html(header: str, body: str = BODY, scripts: str = "", foot: str = "") -> str:
    return f"<html><head>{scripts}</head><body>{header}{body}{foot}</body></html>"


# --- the headline's own block is not a sidebar --------------------------------------------------


def test_date_in_the_headlines_aside_is_found():
    page = html(f'<aside class="article-aside"><h1>{TITLE}</h1><span>2023-06-05 11:10 市场监管局</span></aside>')
    assert find_date(page, now=NOW, title=TITLE) == at(2023, 6, 5, 11, 10)


def test_date_in_a_side_box_holding_the_headline_is_found():
    page = html(f'<div class="side-head"><h1>{TITLE}</h1><p>2023-06-05</p></div>')
    assert find_date(page, now=NOW, title=TITLE) == at(2023, 6, 5)


def test_date_in_an_aside_without_the_headline_is_still_skipped():
    page = html(
        f"<aside><ul><li>相关新闻 2023-05-01</li></ul></aside><h1>{TITLE}</h1><p>来源：市场监管局</p>",
        foot="<p>2023-06-05</p>",
    )
    assert find_date(page, now=NOW, title=TITLE) == at(2023, 6, 5)


# --- a bare relative date under the headline ----------------------------------------------------


def test_bare_relative_date_under_the_headline_is_the_date():
    page = html(f'<h2>{TITLE}</h2><div><em id="publish_time">昨天</em> 市场监管局</div>')
    assert find_date(page, now=NOW, title=TITLE) == at(2024, 3, 14)


def test_bare_relative_date_under_headline_beats_a_full_date_in_the_body():
    body = LONG_BODY + "<p>上次检查于2023年5月1日完成。</p>"
    page = html(f'<h2>{TITLE}</h2><span class="timeLabel">前天</span>', body=body)
    assert find_date(page, now=NOW, title=TITLE, body_start="为加强电梯安全监管") == at(2024, 3, 13)


def test_relative_times_away_from_the_headline_are_not_taken():
    comments = "".join(f'<div><span class="time">{n}小时前</span><p>说得好</p></div>' for n in (2, 5))
    page = html(f"<h2>{TITLE}</h2>", body=LONG_BODY, foot=comments)
    assert find_date(page, now=NOW, title=TITLE) is None


# --- the exact publish timestamp in page scripts -------------------------------------------------

# 1710403200 = 2024-03-14 16:00:00 +08:00 (the day before NOW); 1709280000 = 2024-03-01 16:00 +08:00
SCRIPT_CT = '<script>var ct = "1710403200"; var svr_time = "1710468000" * 1;</script>'


def test_script_timestamp_gives_the_exact_time_of_a_relative_date_on_its_day():
    page = html(f'<h2>{TITLE}</h2><div><em id="publish_time">昨天</em></div>', scripts=SCRIPT_CT)
    assert find_date(page, now=NOW, title=TITLE) == at(2024, 3, 14, 16, 0)


def test_script_timestamp_of_another_day_loses_to_the_shown_relative_date():
    script = '<script>var ct = "1709280000";</script>'
    page = html(f'<h2>{TITLE}</h2><div><em id="publish_time">昨天</em></div>', scripts=script)
    assert find_date(page, now=NOW, title=TITLE) == at(2024, 3, 14)


def test_labelled_relative_date_takes_the_script_time_of_its_day():
    script = '<script>window.DATA = {"publishDate": "2024-03-15T01:20:00.000Z"};</script>'
    page = html(f"<h1>{TITLE}</h1><p>发布时间：3小时前</p>", scripts=script)
    assert find_date(page, now=NOW, title=TITLE) == at(2024, 3, 15, 9, 20)


def test_without_a_fetch_time_the_script_timestamp_beats_a_relative_date():
    # '昨天' relative to the clock says nothing about a page saved at an unknown time
    page = html(f'<h2>{TITLE}</h2><span class="timeLabel">昨天</span>', scripts=SCRIPT_CT)
    assert find_date(page, title=TITLE) == at(2024, 3, 14, 16, 0)


def test_script_timestamp_is_used_when_no_date_is_shown():
    script = "<script>var DETAIL = {publish_time: '2023-06-02 09:30:00', update_time: '2023-06-09 10:00:00'};</script>"
    page = html(f"<h1>{TITLE}</h1><p>来源：市场监管局</p>", scripts=script)
    assert find_date(page, now=NOW, title=TITLE) == at(2023, 6, 2, 9, 30)


def test_shown_full_date_beats_script_timestamp():
    page = html(f"<h1>{TITLE}</h1><p>发布时间：2023-06-05</p>", scripts=SCRIPT_CT)
    assert find_date(page, now=NOW, title=TITLE) == at(2023, 6, 5)


def test_update_time_in_scripts_is_not_a_publish_time():
    script = '<script>var info = {"update_time": "2023-06-09 10:00:00", "modifyDate": "2023-06-10"};</script>'
    page = html(f"<h1>{TITLE}</h1><p>来源：市场监管局</p>", scripts=script)
    assert find_date(page, now=NOW, title=TITLE) is None


@pytest.mark.parametrize(
    ("script", "value"),
    [
        ('var ct = "1581517074";', "1581517074"),
        ('"publishDate": "2019-09-07T05:51:23.000Z",', "2019-09-07T05:51:23.000Z"),
        ("publish_time: '2019-09-08 11:42:03',", "2019-09-08 11:42:03"),
        ('"pubtime": "2019-09-07 19:02:26"', "2019-09-07 19:02:26"),
        ('"datePublished":"2020-06-05T20:35:00+08:00"', "2020-06-05T20:35:00+08:00"),
        ('"create_time": 1581517074123', "1581517074123"),
        ('"ct:"+ap.network()', None),
        ("@@=value.publish_time$$", None),
        ("bds.comm.ct = 1581517074", None),
        ('update_time = "2019-01-01"', None),
    ],
)
def test_script_date_pattern(script, value):
    match = X.SCRIPT_DATE.search(script)
    assert (match["value"] if match else None) == value


# --- a date that opens the body is the story's ----------------------------------------------------


def test_a_date_opening_the_body_does_not_beat_the_publish_date_below_it():
    story = "2019年2月27日下午，区市场监管局一行到众创金融街开展调研，走访企业并听取汇报。"
    page = html(f'<div class="tit">{TITLE}</div>',
                body=f"<p>{story}</p>" + LONG_BODY + "<p>发布日期：2019-03-06</p>")
    assert find_date(page, now=NOW, title=TITLE, body_start=story[:12]) == at(2019, 3, 6)
