"""Who wrote the article: labels near the headline, credits at the foot of the body, in either
script. Fixture snippets written for these tests."""

from __future__ import annotations

import pytest

from crawlers.extraction import extract

BODY = ("<p>为加强食品安全监管，保障人民群众饮食安全，区市场监管局近日对辖区内学校食堂开展专项检查，"
        "共检查食堂四十二家，发现问题十一处，已全部责令整改。</p>"
        "<p>检查中，执法人员重点查看了食品原料进货查验、留样记录和从业人员健康证明等情况。</p>")


def page(byline: str = "", foot: str = "", body: str = BODY, after: str = "") -> str:
    return (f"<html><head><title>学校食堂专项检查</title></head><body><h1>区市场监管局开展学校食堂专项检查</h1>"
            f"<div class='info'>2024-03-12 10:20 {byline}</div><div class='content'>{body}{foot}</div>{after}"
            "<div class='footer'>相关新闻</div></body></html>")


def author(html: str) -> str | None:
    return extract(html, url="http://news.example.cn/a/1.html").author


@pytest.mark.parametrize(("byline", "expected"), [
    ("记者：陈大文", "陈大文"),
    ("光明日报记者 王建宏 张文攀", "王建宏 张文攀"),
    ("新京报记者 彭冲 山东冠县报道", "彭冲"),
    ("河南商报记者马俊峰/文", "马俊峰"),
    ("記者：陳大文", "陳大文"),  # traditional characters: matched folded, returned as written
    ("新京報記者 彭沖", "彭沖"),
])
def test_byline_under_the_headline(byline, expected):
    assert author(page(byline=byline)) == expected


def test_a_name_ends_at_the_end_of_its_block():
    # the body's first words in the next block are not more names
    assert author(page(byline="记者：陈大文", body="<p>本报讯 区市场监管局今日表示，" + BODY[3:])) == "陈大文"


@pytest.mark.parametrize(("foot", "expected"), [
    ("<p>记者 刘涛</p>", "刘涛"),
    ("<p>检查将持续到月底。（总台记者 张倩）</p>", "张倩"),
    ("<p>检查将持续到月底。（常书香 马丹阳 ）</p>", "常书香 马丹阳"),
    ("<p>检查将持续到月底。（姚峰 上海报道）</p>", "姚峰"),
    ("<p>（责任编辑：魏喆）</p>", "魏喆"),
    # no writer named: the editor, never '未知 责任' (the label after the space is not a second name)
    ("<p>相关资讯请关注:食品安全专区</p><p>作者：未知&nbsp;&nbsp;&nbsp;&nbsp;责任编辑：王敏</p>", "王敏"),
    ("<p>作者：陈大文 编辑：王敏</p>", "陈大文"),
])
def test_credit_at_the_foot_of_the_article(foot, expected):
    assert author(page(foot=foot)) == expected


def test_the_writer_wins_over_the_editor_at_the_foot():
    after = "<div>编辑：<span>金金</span></div><div>来源：<span>21世纪经济报道</span></div><div>作者：宋怡 杨志华</div>"
    assert author(page(after=after)) == "宋怡 杨志华"


@pytest.mark.parametrize("text", [
    "<p>记者从区市场监管局获悉，检查将持续到月底。</p>",  # the reporter learned: a sentence, not a credit
    "<p>检查将持续到月底。（待续）</p>",
    "<p>《学校食品安全管理办法（试行）》</p>",
])
def test_sentences_and_notes_name_nobody(text):
    assert author(page(foot=text)) is None


def test_a_nav_item_about_young_reporters_is_not_a_credit():
    html = page().replace("<body>", "<body><div class='nav'>第A04版：小记者训练营</div>")
    assert author(html) is None


@pytest.mark.parametrize(("foot", "expected"), [
    ("<p>责任编辑：杨倩_NF4425</p>", "杨倩"),  # a staff code after the name
    ("<p>责任编辑：韩保林 PK155</p>", "韩保林"),
    ("<p>文/陈智 整合</p>", "陈智"),  # a role word after it
])
def test_what_surrounds_a_name_in_a_credit_is_dropped(foot, expected):
    assert author(page(foot=foot)) == expected


@pytest.mark.parametrize(("meta", "expected"), [
    ("观察者网专栏作者 王文", "王文"),
    ("环球网", None),  # an outlet
    ("新浪财经-自媒体综合", None),
    ("把新时代改革开放推向前进的根本要求", None),  # a phrase, not a name
])
def test_author_meta_tags_name_people_only(meta, expected):
    html = page().replace("<head>", f'<head><meta name="author" content="{meta}">')
    assert author(html) == expected


def test_a_big5_page_in_traditional_characters_is_extracted_like_a_simplified_one():
    from datetime import datetime, timedelta

    from crawlers.extraction.dates import SHANGHAI

    html = ("<html><head><title>健身中心倒閉 會員預付款無法退還 - 本地新聞</title></head><body>"
            "<div class='nav'>首頁 | 本地 | 財經</div><h1>健身中心倒閉 會員預付款無法退還</h1>"
            "<div class='info'>發佈時間：3小時前　來源：本報　記者 陳大文</div><div class='content'>"
            "<p>本報訊 消費者委員會今日表示，過去一個月共接獲三十二宗有關健身中心突然停業的投訴，涉及金額逾五十萬元。</p>"
            "<p>消委會呼籲市民在預繳會費前，應留意商戶的經營狀況，並盡量避免一次過繳付大額款項。</p></div>"
            "<div class='footer'>責任編輯：李小明</div></body></html>")
    now = datetime(2024, 3, 12, 12, 0, tzinfo=SHANGHAI)
    article = extract(html.encode("big5"), url="http://news.example.hk/a/1.html", now=now)
    assert article.encoding == "big5"
    assert article.title == "健身中心倒閉 會員預付款無法退還"
    assert article.content.startswith("本報訊")  # the byline line is not body
    assert article.author == "陳大文"  # the writer, not the editor at the foot
    assert article.published_at == now - timedelta(hours=3)


def test_a_block_inside_hidden_markup_never_blanks_the_visible_text_before_it():
    """A block element inside <noscript>/<select> is not shown, so it marks no line break: before,
    it turned the text right before it into a line break in ``lines`` (here the author credit)."""
    from crawlers.extraction.article import parse_tree
    from crawlers.extraction.dates import PageText

    html = ("<html><body><h1>市场监管局通报一起食品安全事件</h1><p>记者 张三<noscript><div>请开启脚本</div>"
            "</noscript></p><p>正文第一段，内容足够长，说明事件经过。</p></body></html>")
    page = PageText(parse_tree(html))
    assert "记者 张三" in page.lines and len(page.lines) == len(page.text)
    assert extract(html).author == "张三"
