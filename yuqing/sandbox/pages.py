"""HTML of the sandbox sites. Each outlet has its own markup, as real sites do.

config/sources.sandbox.yaml names the selectors of this markup; tests/sandbox/test_sources_file.py
checks them against live pages, so change both together.
"""

from __future__ import annotations

from datetime import datetime
from html import escape

from yuqing.sandbox import dates
from yuqing.sandbox.sites import FAULTS, SITES
from yuqing.sandbox.world import ANSWERED, Post

PAGE_SIZE = {"news": 10, "central": 5, "portal": 10, "board_html": 10}


def _paragraphs(text: str, style: str = "") -> str:
    attr = f' style="{style}"' if style else ""
    return "\n".join(f"<p{attr}>{escape(p)}</p>" for p in text.split("\n") if p.strip())


def _summary(text: str, size: int = 80) -> str:
    first = text.split("\n", 1)[0]
    return first[:size] + ("…" if len(first) > size else "")


# --------------------------------------------------------------------------- news (津门晚报网)

def _news_frame(title: str, now: datetime, main: str, hot: list[Post]) -> str:
    hot_items = "".join(f'<li><a href="{p.path}">{escape(p.title)}</a></li>' for p in hot[:6])
    return f"""<!DOCTYPE html>
<html lang="zh-CN">
<head>
<meta charset="utf-8">
<title>{escape(title)}</title>
<link rel="alternate" type="application/rss+xml" title="津门晚报网" href="/news/rss.xml">
</head>
<body>
<div class="top-bar"><span class="today">{dates.cn_day(now)}</span> <a href="/news/">津门晚报网首页</a> | <a href="/news/list/1.html">滚动新闻</a> | <a href="/news/special/">专题</a></div>
<div class="nav"><a href="/news/list/1.html">本地</a> <a href="/news/list/1.html">民生</a> <a href="/news/list/1.html">消费</a> <a href="/news/list/1.html">政务</a></div>
<div class="wrap">
<div class="main">
{main}
</div>
<div class="sidebar"><h3>热点排行</h3><ol class="hot-list">{hot_items}</ol></div>
</div>
<div class="footer">津门晚报网 版权所有 未经授权禁止转载 津ICP备00000000号<br>违法和不良信息举报电话：022-00000000</div>
</body>
</html>
"""


def news_article(post: Post, now: datetime, hot: list[Post], *, with_date: bool = True) -> str:
    date = f'<span class="pubtime">{dates.release(post.published_at)}</span> ' if with_date else ""
    author = f'<span class="author">{escape(post.author)}</span>' if post.author else ""
    editor = post.author.replace("编辑：", "") if post.author.startswith("编辑：") else "李静"
    main = f"""<div class="crumb">您的位置：<a href="/news/">首页</a> &gt; <a href="/news/list/1.html">民生</a> &gt; 正文</div>
<div class="article">
<h1 class="article-title">{escape(post.title)}</h1>
<div class="article-info">{date}<span class="source">来源：{SITES[post.site].outlet if not post.repost_of else escape(_cited(post))}</span> {author}</div>
<div class="article-content" id="articleContent">
{_paragraphs(post.content)}
</div>
<div class="editor">责任编辑：{escape(editor)}</div>
<div class="share">分享到：<a href="#">微信</a> <a href="#">微博</a></div>
</div>"""
    return _news_frame(f"{post.title}_津门晚报网", now, main, hot)


def _cited(post: Post) -> str:
    last = post.content.rsplit("\n", 1)[-1]
    return last.strip("（）").replace("来源：", "") if last.startswith("（来源：") else SITES[post.site].outlet


def _pager(cls: str, page: int, pages: int, href) -> str:
    parts = [f'<a class="first" href="{href(1)}">首页</a>']
    if page > 1:
        parts.append(f'<a class="prev" href="{href(page - 1)}">上一页</a>')
    parts.append(f'<span class="current">{page}</span>')
    if page < pages:
        parts.append(f'<a class="next" href="{href(page + 1)}">下一页</a>')
    parts.append(f'<a class="last" href="{href(pages)}">尾页</a> <span class="total">共{pages}页</span>')
    return f'<div class="{cls}">{" ".join(parts)}</div>'


def news_listing(items: list[Post], page: int, pages: int, now: datetime, hot: list[Post],
                 previews: list[Post] = (), heading: str = "滚动新闻") -> str:
    rows = "\n".join(
        f'<li><a href="{p.path}" title="{escape(p.title)}">{escape(p.title)}</a>'
        f'<span class="time">{dates.listing(p.published_at, now)}</span></li>' for p in items)
    preview = ""
    if previews:
        links = "".join(f'<li><a href="/news/preview/{p.number}.html">[待发] {escape(p.title)}</a></li>'
                        for p in previews)
        preview = f'<div class="preview-box"><h4>编辑预览</h4><ul>{links}</ul></div>'
    main = f"""<h2 class="list-title">{escape(heading)}</h2>
<ul class="news-list">
{rows}
</ul>
{_pager("pages", page, pages, lambda n: f"/news/list/{n}.html")}
{preview}"""
    return _news_frame(f"{heading}_津门晚报网", now, main, hot)


def special_listing(now: datetime, hot: list[Post]) -> str:
    titles = {
        "/news/a/error.html": "市场监管部门发布春季消费提示",
        "/news/a/flaky.html": "我市启动“3·15”系列宣传活动",
        "/news/a/slow.html": "一季度全市消费投诉情况分析",
        "/news/a/truncated.html": "食品安全“你点我检”活动开始报名",
        "/news/a/cut-off.html": "特种设备安全知识进社区",
        "/news/a/moved.html": "老字号品牌保护座谈会召开",
        "/news/a/nodate.html": "市场监管服务热线使用指南",
        "/news/a/huge.html": "全市市场监管工作会议材料汇编",
        "/news/a/attachment.pdf": "关于开展食品安全监督抽检的通告（附件）",
        "/news/a/scan.html": "政府信息公开工作年度报告（扫描件）",
    }
    rows = "\n".join(f'<li><a href="{path}" title="{escape(t)}">{escape(t)}</a><span class="time">专题</span></li>'
                     for path, t in titles.items() if path in FAULTS)
    main = f"""<h2 class="list-title">专题报道</h2>
<ul class="news-list">
{rows}
</ul>
{_pager("pages", 1, 1, lambda n: "/news/special/")}"""
    return _news_frame("专题报道_津门晚报网", now, main, hot)


FAULT_ARTICLE = Post(
    id="fault", site="news", title="市场监管服务热线使用指南",
    content=("市民在消费过程中遇到问题，可以拨打12315热线或登录全国12315平台进行投诉举报。\n"
             "热线受理范围包括消费者投诉、市场监管领域违法行为举报以及相关政策咨询。\n"
             "工作人员提示，投诉时请说明经营者名称、地址、事发经过和具体诉求，并保留好购物凭证。"),
    author="", published_at=datetime(2024, 3, 1), category="消费维权/12315", region="天津市",
    scenario="fault")


def fault_article(now: datetime, hot: list[Post], *, title: str | None = None, with_date: bool = True) -> str:
    post = FAULT_ARTICLE
    if title:
        post = Post(**{**post.__dict__, "title": title})
    if with_date:
        post = Post(**{**post.__dict__, "published_at": now.replace(hour=9, minute=0, second=0, microsecond=0)})
    return news_article(post, now, hot, with_date=with_date)


def huge_article_parts(now: datetime, size: int) -> tuple[bytes, bytes, bytes]:
    """Head, one repeated paragraph and tail of the 10 MB page; the server streams head + n×para + tail."""
    page = fault_article(now, [], title="全市市场监管工作会议材料汇编")
    head, tail = page.split('<div class="editor">', 1)
    paragraph = ("<p>会议要求，各区各部门要坚持问题导向，聚焦群众反映强烈的食品安全、特种设备安全、"
                 "预付式消费等突出问题，强化日常监管和专项整治，切实维护市场秩序和消费者合法权益。</p>\n")
    return head.encode("utf-8"), paragraph.encode("utf-8"), ('<div class="editor">' + tail).encode("utf-8")


# --------------------------------------------------------------------------- central (民生日报网)

def _central_frame(title: str, now: datetime, main: str, site: str = "central") -> str:
    s = SITES[site]
    return f"""<!DOCTYPE html>
<html>
<head>
<meta http-equiv="Content-Type" content="text/html; charset=UTF-8">
<meta name="viewport" content="width=device-width">
<title>{escape(title)}</title>
<link rel="alternate" type="application/atom+xml" href="{s.prefix}atom.xml">
</head>
<body>
<div class="headingNav"><a href="{s.prefix}">{s.name}</a> &gt;&gt; <a href="{s.prefix}list.html">地方</a> <span class="date">{dates.cn_day(now)}</span></div>
{main}
<div class="footer"><p>{s.outlet}社概况 | 关于{s.name} | 网站声明</p><p>{s.name}版权所有，未经书面授权禁止使用</p></div>
</body>
</html>
"""


def central_article(post: Post, now: datetime) -> str:
    site = SITES[post.site]
    source = site.outlet if not post.repost_of else escape(_cited(post))
    main = f"""<div class="layout rm_txt cf">
<div class="col col-1 fl">
<h3 class="pre"></h3>
<h1>{escape(post.title)}</h1>
<p class="author">{escape(post.author)}</p>
<div class="channel cf"><div class="col-1-1 fl">{dates.cn_full(post.published_at)} | 来源：<a href="{site.prefix}">{source}</a></div></div>
<div class="rm_txt_con cf">
{_paragraphs(post.content, "text-indent: 2em;")}
<p class="edit">(责编：杨柳、陈思)</p>
</div>
</div>
</div>"""
    return _central_frame(f"{post.title}--{site.name}", now, main, post.site)


def central_listing(items: list[Post], page: int, pages: int, now: datetime, site: str = "central") -> str:
    prefix = SITES[site].prefix
    rows = "\n".join(f'<li><a href="{p.path}" target="_blank">{escape(p.title)}</a>'
                     f'<em>{p.published_at:%Y-%m-%d %H:%M}</em></li>' for p in items)
    main = f"""<div class="ej_list_box clear">
<ul class="list_16 mt10">
{rows}
</ul>
</div>
{_pager("page_n", page, pages, lambda n: f"{prefix}list.html?page={n}")}"""
    return _central_frame(f"地方--{SITES[site].name}", now, main, site)


# --------------------------------------------------------------------------- portal (津城在线, GBK)

def portal_meta(encoding: str) -> str:
    if encoding == "gbk":
        return '<meta http-equiv="Content-Type" content="text/html; charset=gb2312">\n'
    if encoding == "gbk-mislabelled":
        return '<meta charset="utf-8">\n'
    return ""


def _portal_frame(title: str, now: datetime, main: str, encoding: str) -> str:
    return f"""<html>
<head>
{portal_meta(encoding)}<title>{escape(title)}</title>
<link href="/portal/css/style.css" rel="stylesheet" type="text/css">
</head>
<body>
<table width="980" border="0" align="center" cellpadding="0" cellspacing="0" class="top">
<tr><td><a href="/portal/">津城在线</a> - 天津城市生活门户</td><td align="right">{dates.cn_day(now)}</td></tr>
</table>
{main}
<table width="980" align="center" class="bottom"><tr><td>Copyright &copy; 津城在线 All Rights Reserved 本站转载稿件，版权归原作者所有</td></tr></table>
</body>
</html>
"""


def portal_article(post: Post, now: datetime) -> str:
    source = _cited(post) if post.repost_of else "津城在线"
    main = f"""<table width="980" align="center" class="content">
<tr><td class="weizhi">当前位置：<a href="/portal/">首页</a> &gt;&gt; <a href="/portal/list_1.html">新闻中心</a></td></tr>
<tr><td class="biaoti">{escape(post.title)}</td></tr>
<tr><td class="laiyuan">时间：<span id="pubtime">{dates.slash(post.published_at)}</span>&nbsp;&nbsp;来源：<span id="source">{escape(source)}</span>&nbsp;&nbsp;作者：<span id="author">{escape(post.author)}</span></td></tr>
<tr><td><div id="zoom">
{_paragraphs(post.content)}
</div></td></tr>
<tr><td class="fanhui">【<a href="javascript:window.print()">打印本页</a>】【<a href="javascript:window.close()">关闭窗口</a>】</td></tr>
</table>"""
    return _portal_frame(f"{post.title}-津城在线", now, main, post.encoding)


def portal_listing(items: list[Post], page: int, pages: int, now: datetime) -> str:
    rows = "\n".join(f'<tr><td class="title">·<a href="{p.path}" target="_blank">{escape(p.title)}</a></td>'
                     f'<td class="date">[{dates.slash(p.published_at, with_time=False)}]</td></tr>' for p in items)
    main = f"""<table width="980" align="center" class="list">
{rows}
</table>
{_pager("fenye", page, pages, lambda n: f"/portal/list_{n}.html")}"""
    return _portal_frame("新闻中心-津城在线", now, main, "gbk")


# --------------------------------------------------------------------------- board (津门民声·领导留言板)

def _board_frame(title: str, now: datetime, main: str) -> str:
    return f"""<!DOCTYPE html>
<html lang="zh-CN">
<head>
<meta charset="utf-8">
<title>{escape(title)}</title>
</head>
<body>
<div class="board-header"><h2>津门民声·领导留言板</h2><span class="today">{dates.cn_day(now)}</span>
<a href="/board/list">留言列表</a> <a href="/board/admin/review">后台审核</a></div>
{main}
<div class="board-footer">留言须遵守国家法律法规，办理结果以相关部门正式答复为准。</div>
</body>
</html>
"""


def board_listing(items: list[Post], page: int, pages: int, now: datetime) -> str:
    rows = "\n".join(
        f'<tr><td class="msg-id">{p.board.post_id}</td>'
        f'<td class="msg-title"><a href="{p.path}">{escape(p.title)}</a></td>'
        f'<td class="msg-type">{p.board.type}</td><td class="msg-addressee">{escape(p.board.addressee)}</td>'
        f'<td class="msg-status">{p.board.status(now)}</td>'
        f'<td class="msg-date">{p.published_at:%Y-%m-%d}</td></tr>' for p in items)
    main = f"""<table class="msg-list">
<tr><th>编号</th><th>标题</th><th>类型</th><th>留言对象</th><th>状态</th><th>留言时间</th></tr>
{rows}
</table>
{_pager("pager", page, pages, lambda n: f"/board/list?page={n}")}"""
    return _board_frame("留言列表_津门民声", now, main)


def board_thread(post: Post, now: datetime) -> str:
    board = post.board
    status = board.status(now)
    reply = ""
    if status == ANSWERED:
        reply = f"""<div class="reply">
<div class="reply-unit">答复单位：{escape(board.reply_unit or "")}</div>
<div class="reply-time">回复时间：{board.replied_at:%Y-%m-%d %H:%M}</div>
<div class="reply-content">{_paragraphs(board.reply or "")}</div>
<div class="satisfaction">满意度：<span>{board.satisfaction}</span></div>
</div>"""
    elif status == "办理中":
        reply = '<div class="reply reply-pending">留言已转交相关部门办理，请耐心等待答复。</div>'
    main = f"""<div class="msg-detail">
<h1 class="msg-title">{escape(post.title)}</h1>
<dl class="msg-fields">
<dt>留言编号</dt><dd class="post-id">{board.post_id}</dd>
<dt>留言对象</dt><dd class="addressee">{escape(board.addressee)}</dd>
<dt>留言类型</dt><dd class="type">{board.type}</dd>
<dt>留言领域</dt><dd class="domain">{escape(board.domain)}</dd>
<dt>所属地区</dt><dd class="area">{escape(board.area)}</dd>
<dt>留言人</dt><dd class="poster">{escape(board.poster)}</dd>
<dt>留言时间</dt><dd class="post-time">{dates.cn_full(post.published_at)}</dd>
<dt>办理状态</dt><dd class="status">{status}</dd>
</dl>
<div class="msg-content">{_paragraphs(post.content)}</div>
{reply}
</div>"""
    return _board_frame(f"{post.title}_津门民声", now, main)


def board_admin() -> str:
    return ("<!DOCTYPE html><html><head><meta charset=\"utf-8\"><title>后台审核</title></head>"
            "<body><h1>留言审核后台</h1><p>待审核留言：内部数据，禁止抓取。</p></body></html>")


# --------------------------------------------------------------------------- shared

def home(now: datetime) -> str:
    links = "".join(f'<li><a href="{s.prefix}">{s.name}</a>（{s.media_level}）</li>' for s in SITES.values())
    return f"""<!DOCTYPE html>
<html lang="zh-CN"><head><meta charset="utf-8"><title>舆情监测沙盒站点</title></head>
<body><h1>舆情监测沙盒站点</h1><p>模拟时间：{dates.cn_full(now)}</p><ul>{links}</ul>
<p><a href="/sitemap.xml">sitemap.xml</a> · <a href="/robots.txt">robots.txt</a> · <a href="/__sandbox/manifest">manifest</a></p>
</body></html>
"""


def error_page(status: int, message: str) -> str:
    return (f'<!DOCTYPE html><html><head><meta charset="utf-8"><title>{status} 错误</title></head>'
            f"<body><h1>{status}</h1><p>{escape(message)}</p></body></html>")
