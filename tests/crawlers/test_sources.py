"""The sources file schema: every mistake is an error naming file:line, and nothing starts."""

from __future__ import annotations

import json
import re
import subprocess
import sys
from pathlib import Path

import pytest

from crawlers.sources import (
    DEFAULT_FILE,
    SANDBOX_FILE,
    check_selector,
    load_sources,
    parse_duration,
    parse_size,
)
from yuqing.errors import ConfigError

from .conftest import PROJECT_ROOT

GOOD = """\
sources:
  - name: city_news
    kind: news
    media_level: 市级
    region: 天津市
    start_urls: ["{sandbox}/news/list/1.html"]
    list:
      links: "ul.news-list li a::attr(href)"
      next: "//div[@class='pages']/a[@class='next']/@href"
    article:
      title: "h1::text"
"""


def _load(tmp_path: Path, text: str, sandbox: str | None = "http://127.0.0.1:1"):
    path = tmp_path / "sources.yaml"
    path.write_text(text, encoding="utf-8")
    return load_sources(path, sandbox), path


def _error(tmp_path: Path, text: str) -> str:
    with pytest.raises(ConfigError) as caught:
        _load(tmp_path, text)
    return str(caught.value)


def test_a_good_file_loads_with_sandbox_filled_in(tmp_path):
    loaded, _path = _load(tmp_path, GOOD)
    source = loaded.get("city_news")
    assert source.start_urls == ["http://127.0.0.1:1/news/list/1.html"]
    assert source.enabled and source.interval == 1800 and source.obey_robots
    assert source.line == 2


@pytest.mark.parametrize(
    "old, new, line, words",
    [
        ("    region: 天津市\n", "    region: 天津市\n    colour: red\n", 6, "未知的键 'colour'"),
        ("    kind: news\n", "    kind: forum\n", 3, "forum"),
        ("    media_level: 市级\n", "    media_level: 县级\n", 4, "县级"),
        (
            '      links: "ul.news-list li a::attr(href)"\n',
            '      links: "ul.news-list li a[href"\n',
            8,
            "CSS 选择器无效",
        ),
        (
            "\"//div[@class='pages']/a[@class='next']/@href\"",
            "\"//div[@class='pages'/a\"",
            9,
            "XPath 选择器无效",
        ),
        ('["{sandbox}/news/list/1.html"]', '["news/list/1.html"]', 6, "地址无效"),
        ("    region: 天津市\n", "    region: 天津市\n    enabled: maybe\n", 6, "布尔值"),
        ("    region: 天津市\n", "    region: 天津市\n    interval: soon\n", 6, "不是时长"),
        ("    region: 天津市\n", "    region: 天津市\n    board_channel: mayor_mailbox\n", 6, "只有留言板类来源"),
        # Values that raised OverflowError, ValueError or LookupError later instead of naming their line:
        ("    region: 天津市\n", "    region: 天津市\n    interval: " + "9" * 60 + "\n", 6, "数值超出范围"),
        ("    region: 天津市\n", "    region: 天津市\n    interval: \"" + "9" * 60 + "d\"\n", 6, "时长过长"),
        ("    region: 天津市\n", "    region: 天津市\n    max_page_bytes: \"" + "9" * 400 + "GB\"\n", 6, "大小过大"),
        ("    region: 天津市\n", "    region: 天津市\n    encoding: klingon\n", 6, "未知的字符集 'klingon'"),
        ('      title: "h1::text"\n', '      title: "h1::text"\n      date_format: "%Q/%m"\n', 12, "%Q 不是 strptime 的格式符"),
        ('      title: "h1::text"\n', '      title: "h1::text"\n      date_format: "2024年"\n', 12, "没有格式符"),
        ("    region: 天津市\n", "    region: 天津市\n    encoding: base64\n", 6, "未知的字符集 'base64'"),
        ('["{sandbox}/news/list/1.html"]', '["http://[abc/"]', 6, "主机名或端口写错了"),
        ('["{sandbox}/news/list/1.html"]', '["http://x.cn:99999/"]', 6, "主机名或端口写错了"),
        ("    list:\n", "    list:\n      max_pages: -3\n", 8, "应至少为 1"),
    ],
)
def test_each_mistake_names_file_line_and_what(tmp_path, old, new, line, words):
    assert old in GOOD
    message = _error(tmp_path, GOOD.replace(old, new))
    assert message.startswith(f"{tmp_path / 'sources.yaml'}:{line}:"), message
    assert words in message


@pytest.mark.parametrize("page_url, words", [
    ("index_{n}.html", "中的 {n} 不认识"),
    ("index.html", "中没有页码"),
    ("http://[x/index_{page}.html", "主机名或端口写错了"),
    ("index_{page_index} .html", "中有空白"),
    ("//other.example.com/index_{page}.html", "无法使用"),
    ("javascript:go({page})", "无法使用"),
])
def test_a_numbered_page_address_is_checked(tmp_path, page_url, words):
    text = GOOD.replace("    list:\n", f"    list:\n      page_url: \"{page_url}\"\n")
    message = _error(tmp_path, text)
    assert message.startswith(f"{tmp_path / 'sources.yaml'}:8:"), message
    assert words in message


def test_only_news_sources_may_page_their_articles(tmp_path):
    board = GOOD.replace("    kind: news\n", "    kind: board_html\n").replace(
        '      title: "h1::text"\n', '      title: "h1::text"\n      next: "a.next::attr(href)"\n')
    message = _error(tmp_path, board)
    assert message.startswith(f"{tmp_path / 'sources.yaml'}:12:"), message
    assert "只有新闻类来源（news、rss、sitemap）的文章可以分页（article.next）" in message
    loaded, _path = _load(tmp_path, GOOD.replace('      title: "h1::text"\n',
                                                  '      title: "h1::text"\n      next: "a.next::attr(href)"\n'))
    assert loaded.get("city_news").article["next"] == "a.next::attr(href)"


def test_a_numbered_page_address_loads_with_the_sandbox_filled_in(tmp_path):
    text = GOOD.replace("    list:\n", "    list:\n      page_url: \"{sandbox}/news/list/{page}.html\"\n")
    loaded, _path = _load(tmp_path, text)
    assert loaded.get("city_news").list["page_url"] == "http://127.0.0.1:1/news/list/{page}.html"


# Typical selector mistakes: each is said in Chinese (what kind of mistake, and where when it can be
# told), with the file:line it came from; none passes lxml's or cssselect's English through.
SELECTOR_MISTAKES = [
    ("div[", "方括号 [ 后缺少属性名"),
    ("a::atr(href)", "没有伪元素 ::atr()（是不是 ::attr(...)？）"),
    ("p::texts", "没有伪元素 ::texts（是不是 ::text？）"),
    ("a::attr", "::attr 后要用括号写出属性名"),
    ("a::text()", "::text 后面不加括号"),
    ("a::attr()", "::attr() 的括号里应写一个值"),
    ("a:text", "伪元素要写两个冒号"),
    ("a::text::attr(href)", "伪元素 ::text 只能写在选择器最后"),
    ("div >", "结尾的组合符 > 后缺少选择器"),
    ("div,", "结尾的逗号后缺少选择器"),
    ("#", "第 1 个字符的 # 后缺少 id 名"),
    (".a..b", "第 3 个字符的 . 后缺少类名"),
    ("a:nth-child(x)", ":nth-child() 的参数应为 odd、even、数字或 an+b"),
    ("a:first", "不支持伪类 :first（是不是 :first-child？）"),
    ("div'", "第 4 个字符的引号 ' 没有闭合"),
    ("a::attr(href", "第 8 个字符的括号 ( 没有闭合"),
    ("div[x=y", "第 4 个字符的方括号 [ 没有闭合"),
    ("div[x=]", "比较符后缺少值（第 7 个字符 ']'）"),
    ("div[@class]", "CSS 的属性名前不加 @"),
    ("div}", "第 4 个字符 '}' 不能用在 CSS 选择器中"),
    ("a|b", "命名空间前缀 a| 未定义"),
    ("count(//a", "只有以 / 或 ( 或 normalize-space( 等字符串函数开头的才按 XPath 解析"),
    ("//div[", "第 6 个字符的方括号 [ 没有闭合"),
    ("//a/@", "第 5 个字符的 @ 后缺少属性名"),
    ("//p/text(", "第 9 个字符的括号 ( 没有闭合"),
    ("//x:div", "命名空间前缀 x: 未定义"),
    ("//div[@class=]", "第 13 个字符的 = 后缺少值"),
    ("//a[contains(@href, 'x')", "第 4 个字符的方括号 [ 没有闭合"),
    ("//a[position(]", "第 13 个字符的括号 ( 没有闭合，却在第 14 个字符遇到了 ]"),
    ("//div[@class='a]", "第 14 个字符的引号 ' 没有闭合"),
    ("//div]", "第 6 个字符的 ] 是多余的"),
    ("///", "斜杠太多"),
    ("//a/@href/", "第 10 个字符的 / 后缺少节点"),
    ("//div/[1]", "条件 [...] 要跟在节点后"),
    ("//a[@x=1 and]", "and 后缺少值"),
    ("//a/foo::b", "没有 foo:: 这个轴"),
    ("//a[@x = 'it''s']", "两个字符串连在一起"),
    # lxml compiles these and fails only on a page that has the element: caught at load instead.
    ("//a[contans(@href, 'x')]", "没有函数 contans()（是不是 contains()？）"),
    ("//a[ends-with(@href, '.html')]", "只能用 XPath 1.0 的函数"),
    ("//a[contains(@href)]", "函数 contains() 需要 2 个参数，这里给了 1 个"),
    ("//a[last(1)]", "函数 last() 不带参数"),
    ("//a[fn:contains(@href, 'x')]", "前缀 fn: 未定义"),
    ("//a[. = $v]", "不能使用变量 $v"),
]
LIBRARY_WORDS = re.compile(r"Expected|Invalid|Unclosed|unknown|Undefined|Got |got |EOF|XPath error|Unregistered")


@pytest.mark.parametrize("selector, words", SELECTOR_MISTAKES)
def test_each_selector_mistake_is_said_in_chinese_with_file_line(tmp_path, selector, words):
    xpath = selector.startswith("/")
    key, line = ("next", 9) if xpath else ("links", 8)
    old = GOOD.splitlines()[line - 1]
    assert old.startswith(f"      {key}: ")
    message = _error(tmp_path, GOOD.replace(old, f"      {key}: {json.dumps(selector, ensure_ascii=False)}"))
    assert message.startswith(f"{tmp_path / 'sources.yaml'}:{line}:"), message
    assert f"{'XPath' if xpath else 'CSS'} 选择器无效 {selector!r}：" in message
    assert words in message, message
    assert not LIBRARY_WORDS.search(message), message


@pytest.mark.parametrize(
    "selector",
    [
        ":contains(投诉)", "li:nth-child(odd) a", "div.news > a::attr(href)", "div:not(.ad)::text", "a::attr(data-id)",
        "h1, h2", "//td[contains(text(), '来信时间')]/following-sibling::td[1]/text()", "(//a)[1]/@href", "//a/@*",
        "//a[has-class('next')]/@href", "//a[re:test(@href, '\\d+\\.html$')]/@href", "//a[@x = \"it's\"]",
        "//div[@class='a' and(@id)]", "//li[position() mod 2 = 1]", "//li[count(.//a) div 2 > 1]",
        "//a[not(contains(@href, '#'))]/text()", "//a[concat(@a, @b, @c) = 'x']", "//a[substring(., 1, 2) = '通知']",
        "normalize-space(//h1)", "substring-after(//span[@class='time']/text(), '：')",
    ],
)
def test_good_selectors_are_not_taken_for_mistakes(selector):
    assert check_selector(selector) is None


def test_an_xpath_that_opens_with_a_string_function_picks_its_value():
    from parsel import Selector

    from crawlers.spiders.base import pick

    page = Selector(text="<html><body><h1>  关于  开展抽检的通告 </h1><span class='time'>发布时间：2025-11-20</span></body></html>")
    assert pick(page, "normalize-space(//h1)") == ["关于 开展抽检的通告"]
    assert pick(page, "substring-after(//span[@class='time']/text(), '：')") == ["2025-11-20"]


def test_an_xpath_that_loads_but_selects_nothing_gets_a_warning_with_its_line(tmp_path):
    text = GOOD.replace('      title: "h1::text"\n',
                        '      title: "//h1.title/text()"\n      date: "//span[class=\'time\']/text"\n')
    loaded, path = _load(tmp_path, text)
    assert loaded.get("city_news").article["title"] == "//h1.title/text()"  # it loads
    assert [text for _name, text in loaded.warnings] == [
        f"{path}:11: sources[0].article.title: 'h1.title' 在 XPath 中是一个名为 h1.title 的元素（这是 CSS 的写法），"
        "应写作 //h1[@class='title']",
        f"{path}:12: sources[0].article.date: [class…] 选的是名为 class 的子元素；属性要加 @，写作 [@class…]",
        f"{path}:12: sources[0].article.date: 末尾的 text 选的是名为 text 的元素；取文本写 text()",
    ]
    result = subprocess.run([sys.executable, "-m", "yuqing", "sources", "check", str(path)], cwd=PROJECT_ROOT,
                            capture_output=True, text=True, timeout=60)
    assert result.returncode == 0 and "配置有效（3 条提示）" in result.stdout
    assert f"提示：{path}:11: sources[0].article.title:" in result.stderr
    assert _load(tmp_path, GOOD)[0].warnings == []


def test_a_kind_missing_what_it_needs_names_the_entry(tmp_path):
    text = GOOD + "  - name: api_board\n    kind: board_api\n    media_level: 中央\n"
    message = _error(tmp_path, text)
    assert "sources.yaml:12:" in message and "list_request" in message


def test_duplicate_names_are_rejected(tmp_path):
    text = GOOD + GOOD.split("sources:\n", 1)[1]
    assert "重复" in _error(tmp_path, text)


def test_shipped_files_are_valid():
    sandbox = load_sources(SANDBOX_FILE, "http://127.0.0.1:1")
    assert {s.kind for s in sandbox.enabled()} == {
        "news",
        "rss",
        "sitemap",
        "board_html",
        "board_api",
        "social",
    }
    real = load_sources(DEFAULT_FILE)
    assert real.sources and all(s.untested and not s.enabled for s in real.sources)
    assert {"board_api", "news", "board_html"} <= {s.kind for s in real.sources}


def test_every_untested_entry_says_why_in_a_comment():
    lines = DEFAULT_FILE.read_text(encoding="utf-8").splitlines()
    flagged = [line for line in lines if line.strip().startswith("untested: true")]
    assert flagged and all("#" in line for line in flagged)


def test_durations_and_sizes():
    assert parse_duration("1h30m") == 5400 and parse_duration(45) == 45
    assert parse_size("5MB") == 5 * 1024 * 1024 and parse_size("512KB") == 512 * 1024
    assert parse_duration("366d") == 366 * 86400 and parse_size("1GB") == 1024**3
    with pytest.raises(ValueError):
        parse_duration("soon")
    for bad in ("367d", float("nan"), 10**30):
        with pytest.raises(ValueError, match="时长过长"):
            parse_duration(bad)
    for bad in ("1.5GB", "9" * 400, 2**40):
        with pytest.raises(ValueError, match="大小过大"):
            parse_size(bad)


def test_cli_check_reports_file_line_and_exits_2(tmp_path):
    path = tmp_path / "bad.yaml"
    path.write_text(GOOD.replace("kind: news", "kind: forum"), encoding="utf-8")
    result = subprocess.run(
        [sys.executable, "-m", "yuqing", "sources", "check", str(path)],
        cwd=PROJECT_ROOT,
        capture_output=True,
        text=True,
    )
    assert result.returncode == 2
    assert f"{path}:3:" in result.stderr


def test_cli_check_accepts_the_shipped_file():
    result = subprocess.run(
        [sys.executable, "-m", "yuqing", "sources", "check"], cwd=PROJECT_ROOT, capture_output=True, text=True
    )
    assert result.returncode == 0 and "配置有效" in result.stdout


def test_crawl_refuses_a_bad_file_before_anything_starts(tmp_path):
    path = tmp_path / "bad.yaml"
    path.write_text(GOOD.replace('li a::attr(href)"', 'li a::attr(href"'), encoding="utf-8")
    result = subprocess.run(
        [sys.executable, "-m", "yuqing", "crawl", "--sources", str(path), "--sandbox", "http://127.0.0.1:9"],
        cwd=PROJECT_ROOT,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 2 and f"{path}:8:" in result.stderr
    assert "Scrapy" not in result.stderr


def test_due_sources_are_those_whose_interval_has_passed(tmp_path):
    from datetime import datetime, timedelta, timezone

    from crawlers.run import due

    loaded, _path = _load(
        tmp_path,
        GOOD
        + GOOD.split("sources:\n", 1)[1]
        .replace("city_news", "other_news")
        .replace("    region: 天津市\n", "    region: 天津市\n    interval: 2h\n"),
    )
    now = datetime(2024, 3, 20, 8, tzinfo=timezone.utc)
    last = {"city_news": now - timedelta(minutes=31), "other_news": now - timedelta(minutes=90)}
    assert [s.name for s in due(loaded.sources, last, now)] == ["city_news"]
    assert [s.name for s in due(loaded.sources, {}, now)] == ["city_news", "other_news"]


BOARD = """\
sources:
  - name: city_board
    kind: board_api
    media_level: 省级
    board_channel: BOARD_CHANNEL
    interval: 1m
    list_request: {method: POST, url: "{sandbox}/lyb/list", items: data}
    detail_request: {url: "{sandbox}/lyb/content?tid={tid}"}
    fields: {post_id: tid}
"""


def test_a_board_source_names_its_clocks_channel_and_polls_every_minute(tmp_path):
    loaded, _path = _load(tmp_path, BOARD.replace("BOARD_CHANNEL", '"12345"'))
    source = loaded.get("city_board")
    assert source.board_channel == "12345" and source.channel == "12345"
    assert source.interval == 60
    unquoted, _path = _load(tmp_path, BOARD.replace("BOARD_CHANNEL", "12345"))
    assert unquoted.get("city_board").channel == "12345"
    unset, _path = _load(tmp_path, BOARD.replace("    board_channel: BOARD_CHANNEL\n", "").replace(
        "    media_level: 省级\n", "    media_level: 省级\n    title: 城市留言板\n"))
    assert unset.get("city_board").channel == "城市留言板"  # unset: the display name, as before


def test_a_bad_board_channel_names_file_and_line(tmp_path):
    message = _error(tmp_path, BOARD.replace("BOARD_CHANNEL", '"mayor mailbox"'))
    assert message.startswith(f"{tmp_path / 'sources.yaml'}:5:"), message
    assert "留言渠道标识无效" in message


def test_every_shipped_board_source_resolves_to_its_clocks_channel():
    from analysis.clocks import load_policy

    policy = load_policy()  # config/clocks.yaml, as the alerts engine, digests and dashboards load it
    boards = [
        source
        for path, sandbox in ((SANDBOX_FILE, "http://127.0.0.1:1"), (DEFAULT_FILE, None))
        for source in load_sources(path, sandbox).sources
        if source.kind in ("board_html", "board_api")
    ]
    assert {s.name for s in boards} >= {"sandbox_board", "sandbox_board_api", "people_leader_board",
                                         "tianjin_mayor_mailbox"}
    for source in boards:
        assert source.board_channel, f"{source.name} has no board_channel"
        found = policy.find_board(source.channel)
        assert found is not None and found.channel == source.board_channel, source.name
    channels = {s.name: policy.find_board(s.channel) for s in boards}
    assert channels["tianjin_mayor_mailbox"].limits[0].working_days == 10  # not the default 5


def test_hot_boards_are_polled_every_minute():
    for path, sandbox in ((SANDBOX_FILE, "http://127.0.0.1:1"), (DEFAULT_FILE, None)):
        for source in load_sources(path, sandbox).sources:
            if source.kind in ("board_html", "board_api"):
                assert source.interval == 60, source.name
