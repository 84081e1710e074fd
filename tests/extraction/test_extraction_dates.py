"""Chinese date parsing: every form the spiders meet, relative to an explicit `now`."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone

import pytest

from crawlers.extraction.dates import (
    SHANGHAI,
    ImplausibleDateError,
    check_plausible,
    date_from_url,
    find_date,
    parse_date,
)

NOW = datetime(2024, 3, 15, 10, 0, tzinfo=SHANGHAI)


def at(*parts: int) -> datetime:
    return datetime(*parts, tzinfo=SHANGHAI)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("2017年05月31日 16:21", at(2017, 5, 31, 16, 21)),
        ("2017年5月31日", at(2017, 5, 31)),
        ("2017年5月31日16时21分", at(2017, 5, 31, 16, 21)),
        ("2017年5月31日 下午3:20", at(2017, 5, 31, 15, 20)),
        ("发布日期：2017-09-05", at(2017, 9, 5)),
        ("发布时间：2022-02-13 09:57:12 来源：新华网", at(2022, 2, 13, 9, 57, 12)),
        ("2017/9/5", at(2017, 9, 5)),
        ("2017.09.05", at(2017, 9, 5)),
        ("2017-9-5 8:05", at(2017, 9, 5, 8, 5)),
        ("二〇一七年五月三十一日", at(2017, 5, 31)),
        ("9/17/2004 5:54:13 AM", at(2004, 9, 17, 5, 54, 13)),
        ("7/5/2005 9:23:57 PM", at(2005, 7, 5, 21, 23, 57)),
        ("20170905", at(2017, 9, 5)),
        ("1496218860", at(2017, 5, 31, 16, 21)),
        ("Wed, 31 May 2017 08:21:00 GMT", at(2017, 5, 31, 16, 21)),
        # whitespace around the T and the 上午/下午 marker, and a long padding run after the date
        ("2017-05-31 T 16:21", at(2017, 5, 31, 16, 21)),
        ("2017年5月31日 下午 3:20", at(2017, 5, 31, 15, 20)),
        ("2022年02月13日" + "\t" * 300 + "往期", at(2022, 2, 13)),
    ],
)
def test_absolute_forms(text, expected):
    assert parse_date(text, NOW) == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("刚刚", NOW),
        ("3分钟前", NOW - timedelta(minutes=3)),
        ("5小时前", NOW - timedelta(hours=5)),
        ("半小时前", NOW - timedelta(minutes=30)),
        ("2天前", NOW - timedelta(days=2)),
        ("两天前", NOW - timedelta(days=2)),
        ("30秒前", NOW - timedelta(seconds=30)),
        ("昨天 12:30", at(2024, 3, 14, 12, 30)),
        ("前天", at(2024, 3, 13)),
        ("今天 08:00", at(2024, 3, 15, 8, 0)),
        ("08:21", at(2024, 3, 15, 8, 21)),
        ("3月10日", at(2024, 3, 10)),
        ("03-10 16:21", at(2024, 3, 10, 16, 21)),
        # as Hong Kong and Taiwan sites print them, in traditional characters
        ("剛剛", NOW),
        ("3分鐘前", NOW - timedelta(minutes=3)),
        ("5小時前", NOW - timedelta(hours=5)),
        ("兩天前", NOW - timedelta(days=2)),
    ],
)
def test_relative_forms_use_now(text, expected):
    assert parse_date(text, NOW) == expected


def test_month_day_after_now_is_last_year():
    assert parse_date("12月31日 08:00", NOW) == at(2023, 12, 31, 8, 0)


def test_result_is_timezone_aware_shanghai():
    value = parse_date("2017-09-05 16:21", NOW)
    assert value.utcoffset() == timedelta(hours=8)


def test_explicit_utc_offset_converted_to_shanghai():
    assert parse_date("2017-09-05T08:21:00Z", NOW) == at(2017, 9, 5, 16, 21)
    assert parse_date("2017-09-05T16:21:00+08:00", NOW).hour == 16


def test_naive_now_taken_as_shanghai():
    assert parse_date("3分钟前", datetime(2024, 3, 15, 10, 0)) == at(2024, 3, 15, 9, 57)


def test_future_date_rejected():
    assert parse_date("2024-03-16", NOW) is None


def test_future_within_tolerance_accepted():
    assert parse_date("2024-03-15 10:05", NOW) == at(2024, 3, 15, 10, 5)


def test_time_today_later_than_now_rejected():
    assert parse_date("23:59", NOW) is None


def test_pre_1990_rejected():
    assert parse_date("1989年6月1日", NOW) is None
    assert parse_date("1985-01-01", NOW) is None


def test_implausible_full_date_does_not_fall_through_to_relative():
    assert parse_date("2099年1月1日 3小时前", NOW) is None


def test_check_plausible_raises_specific_error():
    with pytest.raises(ImplausibleDateError):
        check_plausible(at(2030, 1, 1), NOW)
    with pytest.raises(ImplausibleDateError):
        check_plausible(at(1980, 1, 1), NOW)
    assert check_plausible(datetime(2020, 1, 1, tzinfo=timezone.utc), NOW).tzinfo == SHANGHAI


@pytest.mark.parametrize("text", ["", "   ", "没有日期的文字", "2017年5月", "第13期", "2017-13-45"])
def test_not_a_date(text):
    assert parse_date(text, NOW) is None


@pytest.mark.parametrize(
    ("url", "expected"),
    [
        ("http://scjgj.example.gov.cn/zwgk/tzgg/202305/t20230531_4417.html", at(2023, 5, 31)),
        ("https://news.example.com/2017/05/31/c_1121.htm", at(2017, 5, 31)),
        ("https://news.example.com/a/20240312/008417.htm", at(2024, 3, 12)),
        ("https://www.example.com/about.html", None),
    ],
)
def test_date_from_url(url, expected):
    assert date_from_url(url, NOW) == expected


def test_find_date_prefers_byline_over_copyright_and_sidebar():
    html = """<html><body><div class="side"><li>2023-01-01 旧闻</li></div>
    <h1>某市开展电梯安全专项检查</h1><div class="info">2023年06月02日 09:30 来源：市场监管局</div>
    <div><p>为切实加强电梯安全管理，近日，市场监管局开展了专项检查。</p></div>
    <div class="footer">Copyright 2012-2023</div></body></html>"""
    assert find_date(html, now=NOW, title="某市开展电梯安全专项检查") == at(2023, 6, 2, 9, 30)


def test_find_date_meta_tag():
    html = '<html><head><meta property="article:published_time" content="2023-06-02T09:30:00+08:00"></head><body></body></html>'
    assert find_date(html, now=NOW) == at(2023, 6, 2, 9, 30)


def test_find_date_ignores_future_dates_in_page():
    html = "<html><body><h1>通告</h1><p>发布时间：2031-01-01</p><p>本通告自2031年1月1日起施行。</p></body></html>"
    assert find_date(html, now=NOW, title="通告") is None


def test_find_date_reads_text_after_html_comment():
    html = "<html><body><font><!--StartFragment -->2005年1月2日 <br/></font><p>正文内容。</p></body></html>"
    assert find_date(html, now=NOW) == at(2005, 1, 2)


def test_find_date_labelled_relative_date():
    html = "<html><body><h1>消费提示</h1><div>发布时间：5小时前</div><p>近期气温升高，注意食品储存。</p></body></html>"
    assert find_date(html, now=NOW, title="消费提示") == at(2024, 3, 15, 5, 0)


def test_find_date_labelled_year_less_date():
    html = "<html><body><h1>消费提示</h1><div>发布时间：03-0812:00</div><p>近期气温升高，注意食品储存。</p></body></html>"
    assert find_date(html, now=NOW, title="消费提示") == at(2024, 3, 8, 12, 0)


def test_two_digit_year_counts_only_after_a_date_label():
    from crawlers.extraction.dates import iter_dates

    now = datetime(2020, 3, 1, 12, 0, tzinfo=SHANGHAI)
    [found] = iter_dates("体育教科书  发布时间：18-03-0823:16  水洗工艺", now)
    assert found.value == datetime(2018, 3, 8, 23, 16, tzinfo=SHANGHAI) and found.has_time
    assert iter_dates("发布时间：18-03-08 23:16", now)[0].value.date().isoformat() == "2018-03-08"
    assert iter_dates("比分 18-03-08，货号 20-11-05", now) == []  # bare triples are not dates
    assert iter_dates("发布时间：25-03-08", now) == []  # 2025 would be in the future


def test_year_in_its_own_element_before_month_day_and_time():
    from crawlers.extraction.dates import iter_dates

    now = datetime(2020, 3, 1, 12, 0, tzinfo=SHANGHAI)
    [found] = iter_dates("标题\n  2019  09/07  19:02   扬眼 分享", now)
    assert found.value == datetime(2019, 9, 7, 19, 2, tzinfo=SHANGHAI)
    assert iter_dates("全年2019 3/4 的企业", now) == []  # no time: not a date


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Saturday, September 10th, 2005 \xa0 10:56 am", at(2005, 9, 10, 10, 56)),
        ("Sep. 10, 2005 9:23 p.m.", at(2005, 9, 10, 21, 23)),
        ("10 September 2005", at(2005, 9, 10)),
        ("posted on May 5, 2011 at 12:02 am", at(2011, 5, 5, 0, 2)),
        # Chinese-locale blog software printing an English format with Chinese month names
        ("十一月 6th, 2009", at(2009, 11, 6)),
        ("发表于 十二月 31, 2008", at(2008, 12, 31)),
    ],
)
def test_english_order_dates_with_month_names(text, expected):
    from crawlers.extraction.dates import iter_dates

    [found] = iter_dates(text, NOW)
    assert found.value == expected
    assert parse_date(text, NOW) == expected


@pytest.mark.parametrize("text", ["May 2009", "Mayday 5, 2011", "二十月 5, 2011", "十一月的5, 2009", "版本 3 march"])
def test_month_names_without_a_full_date_are_not_dates(text):
    from crawlers.extraction.dates import iter_dates

    assert iter_dates(text, NOW) == []


def test_english_date_in_the_byline_is_found():
    html = """<html><body><h2>阿里巴巴：制造孤独的CEO</h2><div class="postmeta">十一月 6th, 2009 作者 支付志</div>
    <div class="entry"><p>2008年3月28日、29日两天，公司在杭州召开了年会，会上宣布了新的组织架构。</p></div></body></html>"""
    assert find_date(html, now=NOW, title="阿里巴巴：制造孤独的CEO") == at(2009, 11, 6)
