"""Page widgets around an article body (share and report buttons, counters, app prompts, the
author's other posts, site contact blocks) are not body text; the body's own lines stay."""

from __future__ import annotations

from datetime import datetime

import pytest

from crawlers.extraction import extract
from crawlers.extraction.content import is_furniture
from crawlers.extraction.dates import SHANGHAI

NOW = datetime(2024, 6, 1, 12, 0, tzinfo=SHANGHAI)
PARAGRAPHS = [
    "3月12日上午，市市场监管局联合区教育局对辖区中小学校食堂开展食品安全专项检查，重点查看原料进货查验、留样和餐具消毒。",
    "检查发现，个别学校食堂存在留样记录不全、冷藏设施温度记录缺失等问题，执法人员当场责令整改，并约谈了两家供餐企业负责人。",
    "下一步，市市场监管局将建立校园食品安全“红黑榜”，对整改不到位的单位依法从严处理，欢迎家长和社会各界监督。",
]
BODY = "".join(f"<p>{p}</p>" for p in PARAGRAPHS)


def page(head: str = "", tail: str = "") -> str:
    return (
        "<html><head><title>市市场监管局开展校园食堂专项检查</title></head><body>"
        "<h1>市市场监管局开展校园食堂专项检查</h1>"
        f"<div class='article'>{head}{BODY}{tail}</div></body></html>"
    )


def lines(html: str) -> list[str]:
    return extract(html, now=NOW).content.splitlines()


@pytest.mark.parametrize("tail", [
    "<div>收藏</div><div>举报</div>",  # a social platform's buttons
    "<div>推荐99</div>",
    "<div>+1</div>",
    "<p>【】【】</p>",  # link brackets left empty by the cleaning
    "<p>\ufeff</p>",  # a stray byte-order mark
    "<div>标签</div>",
    "<p>作者最新文章</p><p>12-2718:40</p><p>12-2717:52</p><p>设为首页© 某平台 京ICP证030173号</p>",
    "<p>特别声明：以上内容为自媒体平台用户上传并发布，本平台仅提供信息存储服务。</p><p>跟贴 19 参与 206</p>",
    "<p>正文已结束，您可以按alt+4进行评论</p>",
    "<p>相关资讯请关注:食品安全专区</p><p>作者：未知 责任编辑：王敏</p><p>热门专题+更多</p><p>正在加载</p>",
    "<p>发布日期：2024-03-12 责任编辑：龙慧</p><p>【】【】</p>",
    "<p>联系我们</p><p>地 址：河东市建设路18号</p><p>邮政编码：100101</p><p>电 话：0312-5551234</p>",
    "<p>扫一扫在手机打开当前页</p><p>主办单位：河东市人民政府办公室 运行维护单位：河东市大数据中心</p>",
    "<p>转载请注明:原文链接</p><p>猜你喜欢:</p><p>市场监管局开展春节市场检查</p>",
])
def test_tail_furniture_is_not_body(tail):
    assert lines(page(tail=tail)) == PARAGRAPHS


@pytest.mark.parametrize("head", [
    "<div>用微信扫描二维码</div><div>分享至好友和朋友圈</div>",
    "<p>安装某某财经客户端第一时间接收最全面的市场资讯→【下载地址】</p>",
    "<p>石佳/河东日报</p><p>2024-03-12 09:10</p>",  # outlet/writer over the date line
    "<p>河东新闻网记者 李明</p><p>2024-03-12 10:08 来源：河东新闻网</p>",
    "<p>新华社</p><p>2024-03-12 18:13</p>",
    "<p>2024</p><p>03/12</p>",  # a date split over elements
    "<p>图集</p>",
])
def test_head_furniture_is_not_body(head):
    assert lines(page(head=head)) == PARAGRAPHS


def test_a_name_over_a_dated_paragraph_keeps_the_paragraph():
    """A short line over a clause that opens with a date is not a two-line byline: the clause is body."""
    opening = "【河东日报2024年03月10日报道】三月初，我在河东区一家健身房办了年卡"
    html = page(head=f"<p>茉莉</p><p>{opening}</p>")
    assert opening in lines(html)


@pytest.mark.parametrize("tail", [
    "<p>咨询电话：12315。</p>",  # the notice's own contact line is a sentence of the body
    "<p>市场监管部门提醒：消费者要保留好票据，需要帮助的可以拨打12315投诉举报。</p>",
    "<p>期待更多家长参与监督。</p>",
])
def test_body_lines_that_mention_widget_words_stay(tail):
    text = lines(page(tail=tail))
    assert text[-1] == tail[3:-4]


@pytest.mark.parametrize("line, furniture", [
    ("收藏", True), ("推荐 0", True), ("热门H5手游+更多", True), ("新闻排行榜 更多+", True),
    ("12-2921:35", True), ("【】【】", True), ("主办单位：国务院办公厅", True),
    ("市场监管局收藏了这批证据。", False), ("推荐理由：价格透明", False), ("2024年3月12日，检查开始。", False),
    ("请扫一扫下方二维码参与调查，并在问卷中写明您所在的街道和小区名称，以便我们核实处理并及时回复您的诉求。", False),
])
def test_is_furniture(line, furniture):
    assert is_furniture(line) is furniture
