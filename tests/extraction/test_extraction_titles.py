"""Title rules on hand-written snippets: h1-h6 matched to <title>, <title> site names dropped, badges."""

from __future__ import annotations

from crawlers.extraction.article import parse_tree
from crawlers.extraction.metadata import find_title


def title_of(html: str) -> str:
    return find_title(parse_tree(html))


def test_h5_headline_matching_the_title_is_read():
    page = "<title>市场监管局通报抽检结果-某某电子技术设计</title><body><h3>新闻推荐</h3><h5>市场监管局通报抽检结果</h5></body>"
    assert title_of(page) == "市场监管局通报抽检结果"


def test_title_site_name_after_dash_without_spaces_is_dropped():
    assert title_of("<title>市场监管局通报抽检结果-某某新闻</title><body><p>x</p></body>") == "市场监管局通报抽检结果"


def test_title_site_name_after_plain_space_is_dropped():
    assert title_of("<title>顺德区 开展调研工作 某某网</title><body><p>x</p></body>") == "顺德区 开展调研工作"
    assert title_of("<title>开展调研工作 东区办事处_某某网</title><body><p>x</p></body>") == "开展调研工作"


def test_title_segment_that_is_a_link_text_is_a_channel():
    page = "<title>要闻云南 - 产品入选国家绿色制造名单</title><body><a href='/'>要闻云南</a></body>"
    assert title_of(page) == "产品入选国家绿色制造名单"


def test_channel_only_title_falls_back_to_the_longest_plain_heading():
    links = "".join(f"<a href='/{i}'>{w}动态</a>" for i, w in enumerate(("工作", "学术", "科普")))
    page = (
        f"<title>新闻动态--某某学会官网</title><body>{links}<h3><a href='/'>首页</a></h3>"
        "<h5>年度学术年会在重庆成功举行</h5><h4>联系我们</h4></body>"
    )
    assert title_of(page) == "年度学术年会在重庆成功举行"


def test_badge_child_of_the_headline_is_not_headline_text():
    page = "<title>运营商手机促销开始了_某某网</title><body><h2><span>原创</span>运营商手机促销开始了</h2></body>"
    assert title_of(page) == "运营商手机促销开始了"


def test_hyphen_inside_ascii_words_is_not_a_separator():
    assert title_of("<title>SK-II广告属于虚假宣传</title><body><p>x</p></body>") == "SK-II广告属于虚假宣传"


def test_short_heading_inside_the_title_is_not_the_headline():
    page = "<title>年会在重庆成功举行--某某地理学会官网</title><body><h5>某某地理</h5><h2>年会在重庆成功举行</h2></body>"
    assert title_of(page) == "年会在重庆成功举行"


# --- headline above the body, when no heading matches and <title> only names the site --------
from crawlers.extraction import extract  # noqa: E402

BODY = "<p>" + "市政府召开常务会议，研究部署下一阶段的重点工作，会议强调要抓好落实。" * 4 + "</p>"


def test_title_class_cell_above_the_body_is_the_headline():
    page = f"<title>某某市人民政府</title><body><table><tr><td class='bt_title'>常务会议部署重点工作</td></tr><tr><td>{BODY}</td></tr></table></body>"
    assert extract(page).title == "常务会议部署重点工作"


def test_bold_font_block_above_the_body_is_the_headline():
    page = f"<title>谢谢您访问本站</title><body><div><b><font size='3'>常务会议部署重点工作</font></b></div>{BODY}</body>"
    assert extract(page).title == "常务会议部署重点工作"


def test_large_font_and_styled_blocks_are_emphasised():
    big = f"<title>显示</title><body><p><font size='5'>常务会议部署重点工作</font></p>{BODY}</body>"
    styled = f"<title>显示</title><body><p style='font-size:20px'>常务会议部署重点工作</p>{BODY}</body>"
    small = f"<title>显示</title><body><p style='font-size:12px'>常务会议部署重点工作</p>{BODY}</body>"
    assert extract(big).title == "常务会议部署重点工作"
    assert extract(styled).title == "常务会议部署重点工作"
    assert extract(small).title == "显示"  # not emphasised: what the <title> gives, as before


def test_title_that_the_page_never_shows_is_a_template_name():
    page = f"<title>海姑娘 | blog.example.com</title><body><span class='biaoti'>湘菜粤菜 兵分两路</span>{BODY}</body>"
    assert extract(page).title == "湘菜粤菜 兵分两路"


def test_breadcrumb_date_and_byline_above_the_body_are_not_taken():
    page = (
        "<title>某某网</title><body><div class='tit'>常务会议部署重点工作</div>"
        "<div class='title'><b>您的位置：首页 > 新闻中心 > 要闻</b></div>"
        "<div class='subject'><b>2023年5月</b></div><p><strong>本报记者 张三 李四</strong></p>"
        f"<p><b>发布时间：2023-05-12 10:00</b></p>{BODY}</body>"
    )
    assert extract(page).title == "常务会议部署重点工作"


def test_nav_line_above_the_body_is_not_the_headline():
    nav = "".join(f"<a href='/{i}'><b>{w}</b></a> " for i, w in enumerate(("首页", "新闻中心", "政务公开", "办事服务")))
    page = f"<title>某某区人民政府</title><body><div class='title'>{nav}</div>{BODY}</body>"
    assert extract(page).title == "某某区人民政府"  # no emphasised headline: what the <title> gives


def test_link_headline_is_not_taken():
    page = f"<title>某某网</title><body><div class='title'><a href='/a'>常务会议部署重点工作</a></div>{BODY}</body>"
    assert extract(page).title == "某某网"


def test_nearest_emphasised_block_wins_and_headings_matching_the_title_still_come_first():
    page = (
        f"<title>某某网</title><body><div class='title'>新闻中心栏目</div><p><strong>常务会议部署重点工作</strong></p>{BODY}</body>"
    )
    assert extract(page).title == "常务会议部署重点工作"
    matched = f"<title>常务会议部署重点工作_某某网</title><body><div class='bt'>另一条新闻标题</div><h2>常务会议部署重点工作</h2>{BODY}</body>"
    assert extract(matched).title == "常务会议部署重点工作"


def test_headline_above_the_body_is_not_repeated_as_body_text():
    page = f"<title>某某网</title><body><div class='bt'>常务会议部署重点工作</div>{BODY}</body>"
    article = extract(page)
    assert article.title == "常务会议部署重点工作"
    assert article.content.startswith("市政府召开常务会议")
