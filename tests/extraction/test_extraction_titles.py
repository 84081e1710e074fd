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
