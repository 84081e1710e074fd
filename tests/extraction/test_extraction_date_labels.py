"""Which of several dates on a page is the publication date: the label before each decides,
and slashed dates are read in the order the page proves. Fixture snippets written for these tests."""

from __future__ import annotations

from datetime import datetime

import pytest

from crawlers.extraction.dates import (
    GENERIC,
    NEVER,
    PUBLICATION,
    SHANGHAI,
    UNLABELLED,
    find_date,
    label_rank,
    parse_date,
)

NOW = datetime(2024, 3, 15, 10, 0, tzinfo=SHANGHAI)
BODY = '<div class="content"><p>为加强食品安全监管，保障人民群众饮食安全，现就有关事项通告如下。</p></div>'


def at(*parts: int) -> datetime:
    return datetime(*parts, tzinfo=SHANGHAI)


def page(title: str, byline: str, body: str = BODY, foot: str = "") -> str:
    return f"<html><body><h1>{title}</h1>{byline}{body}{foot}</body></html>"


@pytest.mark.parametrize(
    ("before", "rank"),
    [
        ("发布时间：", PUBLICATION),
        ("来源：市场监管局 发布日期：", PUBLICATION),
        ("发表于", PUBLICATION),
        ("Posted on", PUBLICATION),
        ("日期：", GENERIC),
        ("发文日期：", GENERIC),
        ("成文日期：", UNLABELLED),
        ("更新时间：", UNLABELLED),
        ("市场监管局", UNLABELLED),
        ("", UNLABELLED),
        ("最后更新时间：", NEVER),
        ("本页面最后修订于", NEVER),
        ("Last edited on", NEVER),
        ("施行日期：", NEVER),
        ("有效期至：", NEVER),
        ("报名截止时间：", NEVER),
        ("（原始内容存档于", NEVER),
    ],
)
def test_label_rank(before, rank):
    assert label_rank(before) == rank


def test_label_rank_reads_label_across_table_cell_padding():
    assert label_rank("</td> 发布日期： \n                         ") == PUBLICATION


def test_most_specific_label_wins_over_its_generic_ending():
    # '最后更新时间：' ends in the generic '时间：' but is a maintenance label
    assert label_rank("最后更新时间：") != label_rank("时间：")


def test_publication_label_beats_earlier_document_date():
    html = page(
        "关于开展食品安全抽检的通告",
        "<table><tr><td>成文日期：</td><td>\n      2023年06月01日\n   </td>"
        "<td>发布日期：</td><td>\n      2023年06月05日\n   </td></tr></table>",
    )
    assert find_date(html, now=NOW, title="关于开展食品安全抽检的通告") == at(2023, 6, 5)


def test_publication_label_beats_earlier_update_label():
    html = page("市场监管局发布消费提示", "<div>更新时间：2023-06-09 10:00 发布时间：2023-06-02 09:30</div>")
    assert find_date(html, now=NOW, title="市场监管局发布消费提示") == at(2023, 6, 2, 9, 30)


def test_effective_date_is_not_publication_date():
    html = page("某市电动自行车管理办法", "<p>施行日期：2023-07-01 发布日期：2023-06-02</p>")
    assert find_date(html, now=NOW, title="某市电动自行车管理办法") == at(2023, 6, 2)


def test_last_edited_date_alone_is_no_publication_date():
    html = page("电梯安全", "", foot="<div>本页面最后修订于2023年6月9日 (星期五) 08:16。</div>")
    assert find_date(html, now=NOW, title="电梯安全") is None


def test_last_edited_date_before_byline_date_is_skipped():
    html = page("电梯安全专项检查", "<div>最后更新：2023-06-09 08:16</div><div>2023-06-02 09:30 来源：市场监管局</div>")
    assert find_date(html, now=NOW, title="电梯安全专项检查") == at(2023, 6, 2, 9, 30)


def test_document_date_still_used_when_page_has_no_other():
    html = page("关于开展食品安全抽检的通告", "<p>成文日期：2023-06-01</p>")
    assert find_date(html, now=NOW, title="关于开展食品安全抽检的通告") == at(2023, 6, 1)


def test_relative_date_after_maintenance_label_is_not_publication():
    html = page("消费提示", "<p>最后更新时间：3小时前</p>")
    assert find_date(html, now=NOW, title="消费提示") is None


def test_slashed_date_is_month_first_without_proof():
    assert parse_date("7/5/2005 9:23:57 PM", NOW) == at(2005, 7, 5, 21, 23, 57)


def test_slashed_date_with_day_above_twelve_first_is_day_first():
    assert parse_date("17/5/2005", NOW) == at(2005, 5, 17)


def test_day_first_date_on_page_decides_ambiguous_one():
    html = page("Notice", "<p>Posted 7/5/2005 9:23 PM</p>", foot="<p>Reply 17/5/2005</p>")
    assert find_date(html, now=NOW, title="Notice") == at(2005, 5, 7, 21, 23)


def test_conflicting_slashed_orders_keep_month_first():
    html = page("Notice", "<p>Posted 7/5/2005</p>", foot="<p>Reply 17/5/2005 and 5/18/2005</p>")
    assert find_date(html, now=NOW, title="Notice") == at(2005, 7, 5)


def test_publication_label_beats_generic_label_in_same_block():
    html = page("消费提示", "<p>日期：2023-06-01</p><p>发布时间：2023-06-05</p>")
    assert find_date(html, now=NOW, title="消费提示") == at(2023, 6, 5)


def test_far_publication_label_does_not_beat_first_labelled_date():
    related = "".join(f"<p>相关通知{i}：请消费者注意保留购物凭证，遇到问题及时投诉。</p>" for i in range(12))
    html = f"<html><body><p>日期：2023-06-01</p>{BODY}{related}<p>发布时间：2023-05-20</p></body></html>"
    assert find_date(html, now=NOW) == at(2023, 6, 1)


def test_labels_in_traditional_characters_rank_like_simplified_ones():
    assert label_rank("發布日期：") == label_rank("发布日期：") == PUBLICATION
    assert label_rank("最後更新時間：") == label_rank("最后更新时间：") == NEVER
    assert label_rank("成文日期：") == UNLABELLED


def test_a_page_in_traditional_characters_gets_its_publication_date():
    body = '<div class="content"><p>本報訊 消費者委員會今日表示，過去一個月共接獲三十二宗有關健身中心突然停業的投訴。</p></div>'
    updated = page("健身中心倒閉", "<div>最後更新：2024-03-10 發佈：2024-03-04</div>", body)
    assert find_date(updated, now=NOW, title="健身中心倒閉") == at(2024, 3, 4)
    relative = page("健身中心倒閉", '<div class="info">發佈時間：3小時前</div>', body)
    assert find_date(relative, now=NOW, title="健身中心倒閉") == at(2024, 3, 15, 7, 0)
