"""Saved pages with their real-looking URL, parsed once, one field per test."""

from __future__ import annotations

import json
from datetime import datetime
from pathlib import Path

import pytest

from crawlers.extraction import Article, extract
from crawlers.extraction.dates import SHANGHAI

FIXTURES = Path(__file__).with_name("fixtures")
NOW = datetime(2024, 6, 1, 12, 0, tzinfo=SHANGHAI)
GOV_URL = "http://scjgj.hdcity.gov.cn/zwgk/tzgg/202305/t20230531_4417.html"
NEWS_URL = "https://www.jcwb.example.com/society/2024/0312/8417.html"
NO_DATE_URL = "http://scjgj.hdcity.gov.cn/hdjl/tsjb/xz.html"


def load(name: str, url: str, encoding: str | None = None) -> Article:
    return extract((FIXTURES / name).read_bytes(), url=url, encoding=encoding, now=NOW)


@pytest.fixture(scope="module")
def gov() -> Article:
    return load("gov_notice_gbk.html", GOV_URL, encoding="gbk")


@pytest.fixture(scope="module")
def news() -> Article:
    return load("news_utf8.html", NEWS_URL, encoding="utf-8")


@pytest.fixture(scope="module")
def undated() -> Article:
    return load("no_date.html", NO_DATE_URL)


# --- GBK government notice --------------------------------------------------------------------
def test_gov_title(gov):
    assert gov.title == "河东市市场监督管理局关于2023年第5期食品安全监督抽检情况的通告"


def test_gov_published_at(gov):
    assert gov.published_at == datetime(2023, 5, 31, 16, 21, tzinfo=SHANGHAI)


def test_gov_author(gov):
    assert gov.author == "食品抽检科"


def test_gov_content_starts_with_first_paragraph(gov):
    assert gov.content.startswith("近期，河东市市场监督管理局组织抽检了粮食加工品")


def test_gov_content_keeps_whole_body(gov):
    assert "特此通告。" in gov.content and "二、不合格产品核查处置情况" in gov.content


def test_gov_content_drops_navigation_and_footer(gov):
    for noise in ("栏目导航", "当前位置", "版权所有", "相关链接", "责任编辑", "浏览次数", "今天是"):
        assert noise not in gov.content


def test_gov_encoding(gov):
    assert gov.encoding == "gb18030"


# --- UTF-8 news page with sidebar, comments, share bar ----------------------------------------
def test_news_title(news):
    assert news.title == "预付卡商家“跑路”后 消费者如何维权？"


def test_news_published_at(news):
    assert news.published_at == datetime(2024, 3, 12, 8, 30, tzinfo=SHANGHAI)


def test_news_author(news):
    assert news.author == "李明 王芳"


def test_news_content_body(news):
    assert news.content.startswith("本报讯（记者 李明 王芳）")
    assert news.content.endswith("实施联合惩戒。")


def test_news_content_keeps_subheading(news):
    assert "多部门联合处置 先行冻结资金" in news.content


def test_news_content_drops_comments(news):
    assert "我也被坑过" not in news.content and "网友评论" not in news.content


def test_news_content_drops_sidebar_and_related(news):
    for noise in ("热点排行", "地铁5号线", "相关新闻", "健身房闭店潮调查", "分享到", "责任编辑"):
        assert noise not in news.content


# --- page without a date ----------------------------------------------------------------------
def test_undated_published_at_is_none(undated):
    assert undated.published_at is None  # "Copyright © 2023" is not a publication date


def test_undated_title(undated):
    assert undated.title == "投诉举报须知"


def test_undated_content(undated):
    assert undated.content.startswith("一、投诉人应当提供真实身份信息")
    assert undated.content.endswith("依法追究刑事责任。")


def test_undated_author_is_none(undated):
    assert undated.author is None


# --- output -----------------------------------------------------------------------------------
def test_to_json_keeps_chinese_and_offset(news):
    data = json.loads(news.to_json())
    assert data["published_at"] == "2024-03-12T08:30:00+08:00"
    assert "预付卡" in news.to_json()


def test_url_date_used_when_page_has_none():
    html = "<html><body><h1>关于开展计量器具检定的通知</h1><p>各有关单位：请按要求开展强制检定工作，确保计量准确。</p></body></html>"
    article = extract(html, url="http://scjgj.hdcity.gov.cn/zwgk/202401/t20240105_9.html", now=NOW)
    assert article.published_at == datetime(2024, 1, 5, tzinfo=SHANGHAI)


@pytest.mark.parametrize("html", ["", "   ", "<html></html>", "<p>", "纯文本，没有标签。", b"\x00\xff\xfe", "<?xml version='1.0' encoding='utf-8'?><html><body><p>内容。</p></body></html>"])
def test_degenerate_input_does_not_raise(html):
    article = extract(html, now=NOW)
    assert isinstance(article.content, str) and article.published_at is None
