"""Every XPath expression, class/id pattern and text pattern the extractor uses, in one place."""

from __future__ import annotations

import re

# --- encoding ---------------------------------------------------------------------------------
# <meta charset="gbk"> or <meta http-equiv="Content-Type" content="text/html; charset=gb2312">
META_CHARSET = re.compile(rb"""<meta[^>]+charset\s*=\s*["']?\s*([a-zA-Z0-9_\-:.]+)""", re.I)
XML_DECLARATION = re.compile(r"^\s*<\?xml[^>]*\?>", re.I)
# Browsers ignore </body> and </html> in mid-page (server-side includes); libxml2 stops there.
CLOSING_ROOT = re.compile(r"</(?:html|body)\s*>", re.I)
# What is not text in a page: C0 and C1 control characters other than tab, line feed and carriage
# return (vertical tab and form feed read as spaces; both cleaned out of the extracted fields), and
# lone surrogates (a str that was never valid Unicode: replaced before parsing).
CONTROL_CHARS = re.compile(r"[\x00-\x08\x0e-\x1f\x7f-\x9f]+")
PAGE_BREAKS = re.compile(r"[\x0b\x0c]")
SURROGATES = re.compile(r"[\ud800-\udfff]")
# A start or end tag, for counting how deep a page nests before parsing it.
TAG = re.compile(r"<(?P<closing>/?)(?P<name>[A-Za-z][^\s/>]*)[^>]*>")

# --- cleaning ---------------------------------------------------------------------------------
# Elements that never hold article text.
DROP_TAGS = (
    "script", "style", "noscript", "iframe", "object", "embed", "svg", "canvas", "select", "option",
    "textarea", "button", "input", "map", "template", "head", "link", "meta", "audio", "video",
)
# Elements that are page furniture whatever their class says.
FURNITURE_TAGS = ("nav", "footer", "aside", "menu")
# class/id values that mark page furniture (matched as whole words inside the attribute).
NOISE_ATTR = re.compile(
    r"(?:^|[\s_\-])(?:comments?|cmt|reply|replies|respond|discuss|footer|foot|sidebar|side|"
    r"sidenav|navbar|nav|menu|breadcrumbs?|crumbs?|share|sharing|bdshare|social|related|"
    r"relate|recommend|recommended|hot|hotnews|rank|ranking|tags?|copyright|banner|ad|ads|"
    r"advert|advertisement|adv|gg|login|search|toolbar|pager|pagination|subscribe|qrcode|"
    r"erweima|weixin|wechat|friendlink|links?|xgwz|xgxw|tuijian|pinglun|rightbar|leftbar)"
    r"(?:$|[\s_\-\d])",
    re.I,
)
# class/id values that mark the article itself; they veto NOISE_ATTR.
CONTENT_ATTR = re.compile(
    r"article|content|main|post|entry|text|body|detail|zoom|news_?con|conn?tent|"
    r"TRS_Editor|Custom_UnionStyle|zhengwen|wenzhang",
    re.I,
)
ALL_WITH_CLASS_OR_ID = "//*[@class or @id]"
HIDDEN_STYLE = re.compile(r"display\s*:\s*none|visibility\s*:\s*hidden", re.I)
ALL_WITH_STYLE = "//*[@style]"

# Elements that start a new text block.
BLOCK_TAGS = frozenset(
    "address article aside blockquote body center dd div dl dt fieldset figcaption figure footer "
    "form h1 h2 h3 h4 h5 h6 header hr li main nav ol p pre section table tbody td tfoot th thead "
    "tr ul br html font_block".split()
)
HEADING_TAGS = ("h1", "h2", "h3")

# --- metadata ---------------------------------------------------------------------------------
TITLE_META = (
    "//meta[@property='og:title']/@content",
    "//meta[@name='ArticleTitle']/@content",
    "//meta[@name='twitter:title']/@content",
    "//meta[@name='title']/@content",
)
TITLE_TAG = "//title//text()"
HEADINGS = "//h1|//h2|//h3"
# Headline candidates for the title (h4-h6 too: some sites set the headline in an h4/h5). The date
# rules keep HEADINGS.
TITLE_HEADINGS = "//h1|//h2|//h3|//h4|//h5|//h6"
LINK_TEXTS = "//a"
VISIBLE_TEXT = "//body//text()[not(ancestor::title or ancestor::script or ancestor::style)]"
# Headline above the body, for pages whose headline is in no heading and whose <title> only names
# the site: class/id words that mark a headline box (whole words or camelCase parts for the short
# ones: 'bt_title', 'post-title', 'postTitle', 'tit1', 'Heading', 'biaoti'; not 'btn', 'debt').
HEADLINE_ATTR = re.compile(
    r"(?i:title|headline|heading|subject|biaoti)|(?:(?<![A-Za-z])|(?<=[a-z])(?=[A-Z]))(?:[Tt]it|TIT|[Bb]t|BT)(?![a-z])"
)
# Inline tags that set a headline in bold or large type; <font size> and inline styles are checked apart.
EMPHASIS_TAGS = frozenset(("b", "strong", "big", "h1", "h2", "h3", "h4", "h5", "h6"))
HEADLINE_MAX = 80  # characters: a longer block is body text, never a headline (content and metadata)
FONT_SIZE_MIN = 4  # <font size="4"> and up (or a relative '+1') is larger than body text
# An inline style that enlarges or bolds the text: font-size >= 16px / 12pt, > 1em / 100%, large.
STYLE_SIZE = re.compile(r"font-size\s*:\s*(?P<value>[\d.]+)\s*(?P<unit>px|pt|em|rem|%)|font-size\s*:\s*(?:x*-?large|larger)", re.I)
STYLE_BOLD = re.compile(r"font-weight\s*:\s*(?:bold|bolder|[6-9]00)", re.I)
# Breadcrumb and navigation lines ('您的位置：首页 > 新闻', '首页 >> 汽车', '首页 » 博客').
# A reporter line without a colon ('本报记者 王某 李某', '本报实习生 刘某') and a bare date ('2003年5月').
REPORTER_LINE = re.compile(r"^\s*(?:本报|本刊|本台|本网)?(?:特约|特派|实习)?(?:记者|通讯员|实习生)")
DATE_ONLY_LINE = re.compile(r"^[\d\s年月日号./\-:：()（）]+$")
NAV_LINE = re.compile(r"(?:位置|导航)\s*[:：]|>|»|›|→|^\s*(?:首页|主页|返回)", re.I)
AUTHOR_META = (
    "//meta[@name='author']/@content",
    "//meta[@name='Author']/@content",
    "//meta[@property='article:author']/@content",
    "//meta[@name='dc.creator']/@content",
    "//meta[@name='byline']/@content",
)
# Dates declared by the publisher, most specific first.
DATE_META = (
    "//meta[@property='article:published_time']/@content",
    "//meta[@name='article:published_time']/@content",
    "//meta[@property='og:release_date']/@content",
    "//meta[@itemprop='datePublished']/@content",
    "//meta[@name='PubDate']/@content",
    "//meta[@name='pubdate']/@content",
    "//meta[@name='publishdate']/@content",
    "//meta[@name='PublishDate']/@content",
    "//meta[@name='firstpublishedtime']/@content",
    "//meta[@name='publish_time']/@content",
    "//meta[@name='dc.date']/@content",
    "//meta[@name='DC.date']/@content",
    "//meta[@name='dcterms.created']/@content",
    "//meta[@name='weibo: article:create_at']/@content",
    "//*[@itemprop='datePublished']/@datetime",
    "//*[@itemprop='datePublished']/@content",
    "//time[@pubdate]/@datetime",
)
JSON_LD = "//script[@type='application/ld+json']/text()"
# Any element DATE_META or JSON_LD could read, in one walk of the tree (a union walks it once per
# part), and the attributes they read.
ANY_DATE_META = "//*[self::meta or self::time or @itemprop or self::script[@type='application/ld+json']]"
DATE_META_ATTRIBUTES = frozenset(re.findall(r"@([\w:-]+)", " ".join((*DATE_META, JSON_LD))))
JSON_LD_DATE = re.compile(r'"datePublished"\s*:\s*"([^"]+)"')
TIME_ELEMENTS = "//time/@datetime"
INLINE_SCRIPTS = "//script[not(@src)]/text()"
# A publish timestamp carried by a page script (JS variable or inline JSON key): 'var ct = "1581517074"',
# '"publishDate": "2019-09-07T05:51:23.000Z"', "publish_time: '2019-09-08 11:42:03'". Update and
# modification times are not publication and are not matched; template placeholders have no value.
SCRIPT_DATE = re.compile(
    r"""(?<![\w.$])["']?(?:(?:publish|pub|release)[_\-]?(?:time|date)|date[_\-]?published|"""
    r"""create[_\-]?(?:time|date)|created[_\-]?at|[cp]time|ct)["']?\s*[:=]\s*["']?"""
    r"""(?P<value>\d{10}(?:\d{3})?(?!\d)|(?:19|20)\d\d-\d{1,2}-\d{1,2}(?:[T ]\d{1,2}:\d\d(?::\d\d)?(?:\.\d+)?)?"""
    r"""(?:Z|[+-]\d\d:?\d\d)?)""",
    re.I,
)
# Element whose class/id says it holds the publication time.
DATE_ATTR = re.compile(r"time|date|pub|info|source|meta|byline|attr|fbsj|sj\b", re.I)

# Labels that introduce metadata lines in Chinese pages.
LABEL_SEP = r"\s*[:：]?\s*"
# What the label printed just before a date says the date is. Each pattern is matched against
# the end of the text before the date (whitespace collapsed to single spaces); the most specific
# (longest) label wins, so '最后更新时间：' is maintenance, not the generic '时间：'.
# dates.label_rank turns the class into a rank; see there for the order and why.
_SUFFIX = r"(?:\s?(?:时\s?间|日\s?期)\s?[:：]?|于|\s?[:：])\s?$"
# The moment the page went public.
PUBLICATION_LABEL = re.compile(
    r"(?:发\s?布|发\s?表|发\s?稿|刊\s?发|刊\s?登|刊\s?出|登\s?载|首\s?发|上\s?传|录\s?入|出\s?版|公\s?布|推\s?送)"
    + _SUFFIX
    + r"|\b(?:posted|published|publish(?:ed)?\s?(?:date|time)|release\s?date|pub\s?date)(?:\s?on)?\s?:?\s?$",
    re.I,
)
# A bare 时间/日期 (and 发文日期, which government pages use both for the document's date and for
# its publication): probably the publication date, less surely than a publication label.
GENERIC_DATE_LABEL = re.compile(r"(?:发\s?文\s?)?(?:时\s?间|日\s?期)\s?[:：]?\s?$|\bdate\s?:\s?$", re.I)
# A real date in the document's life close to its publication (written, signed, printed,
# updated): kept as a candidate but never preferred to a publication or generic label.
SECONDARY_DATE_LABEL = re.compile(
    r"(?:成\s?文|印\s?发|签\s?发|签\s?署|制\s?发|通\s?过|批\s?准|更\s?新|修\s?改|修\s?订|编\s?辑)" + _SUFFIX
    + r"|\b(?:updated|modified|revised)(?:\s?on)?\s?:?\s?$",
    re.I,
)
# Dates that are never the publication date: the page's maintenance (last edited), when rules
# take or lose effect, deadlines and events the article announces, and citation access dates.
NOT_PUBLICATION_LABEL = re.compile(
    r"(?:最\s?后\s?(?:更\s?新|修\s?改|修\s?订|编\s?辑)|最\s?近\s?(?:更\s?新|修\s?改|修\s?订|编\s?辑)"
    r"|生\s?效|施\s?行|实\s?施|有\s?效\s?期\s?(?:至|到)?|有\s?效|失\s?效|废\s?止|截\s?止|到\s?期"
    r"|活\s?动|报\s?名|开\s?始|结\s?束|举\s?办|举\s?行|开\s?幕|会\s?议|考\s?试|出\s?生|成\s?立"
    r"|存\s?档|访\s?问|引\s?用|检\s?索|获\s?取|抓\s?取|采\s?集)" + _SUFFIX
    + r"|\b(?:last\s?(?:edited|modified|updated|revised|changed)|retrieved|accessed|archived)"
    r"(?:\s?(?:on|at))?\s?:?\s?$",
    re.I,
)
DATE_LABEL_CLASSES = (
    ("not_publication", NOT_PUBLICATION_LABEL),
    ("secondary", SECONDARY_DATE_LABEL),
    ("publication", PUBLICATION_LABEL),
    ("generic", GENERIC_DATE_LABEL),
)
# Where a label may start, for labelled relative dates ('发布时间：3小时前').
ANY_DATE_LABEL = re.compile(r"(?:时\s?间|日\s?期)\s*[:：]?|(?:发布|发表|发稿|更新|录入)于\s*[:：]?")
AUTHOR_LABEL = re.compile(
    r"(?:作\s*者|记\s*者|撰\s*稿|撰\s*文|文\s*字|文|通讯员|编\s*辑|撰稿人|发布人|发布者|投稿人|楼\s*主|"
    r"博\s*主|By|by)\s*[:：/／]\s*"
)
# Name after a label: Chinese or Latin words, several names separated by space/、/,.
AUTHOR_VALUE = re.compile(r"([\u4e00-\u9fffA-Za-z·•][\u4e00-\u9fffA-Za-z0-9_·•\-. ]{0,30}?(?:[ 、，,](?!责任|编辑|来源|发布|时间|日期)[\u4e00-\u9fffA-Za-z·•]{2,12})*)(?=$|[\s　|｜/（(】\]）)，,。;；]|来源|发布|时间|日期|编辑|责任)")
# '本报讯（记者 张三 李四）' / '新华社北京5月31日电（记者 张三）'
REPORTER_PAREN = re.compile(r"[（(]\s*[\u4e00-\u9fff·]{0,8}?记者\s*([\u4e00-\u9fff ·、]{2,30}?)\s*[）)]")
# Credits without a colon: '光明日报记者 王建宏 张文攀', '新京报记者 彭冲 山东冠县报道', '河南商报记者马俊峰/文'.
# Names are 2-4 characters and must end at a boundary, so '记者从市场监管局获悉' names nobody; a word
# that is a role or a note ('通讯员', '待续') or a place before 报道 is not a name.
_NOT_NAME = r"(?!通讯员|实习生|摄影|编辑|责编|来源|发自|报道|完|待续|未完|全文|本文|图片|供图|[\u4e00-\u9fff]{2,4}报道)"
_NAMES = rf"({_NOT_NAME}[\u4e00-\u9fff·]{{2,4}}(?:[ 、]{_NOT_NAME}[\u4e00-\u9fff·]{{2,4}})*)"
# The credit stands on a byline line: before 记者 only labelled fields ('来源：本报 ') and a short
# outlet name or a time (no sentence, no label glued to it as in '第A04版：小记者训练营'), and after
# the names nothing but a place + 报道, a slash or a bracket.
REPORTER_CREDIT = re.compile(r"(?:^|\n)(?:[^\n\s：:]{1,8}[：:][^\n\s]{0,24}\s+)*[^\n：，,。]{0,24}?记者[ \t]*[:：]?[ \t]*" + _NAMES
                             + r"(?=[ \t]*(?:[\u4e00-\u9fff]{2,6}报道)?[ \t]*(?:$|\n|[/／）)】\]]|报道|摄|采写))")
# '张三/文' ('文/张三' is AUTHOR_LABEL's '文/')
WRITER_SLASH = re.compile(r"(?:^|(?<=[\s·]))" + _NAMES + r"\s*[/／]\s*文(?![\u4e00-\u9fff])")
# '（常书香 马丹阳）', '（姚峰 上海报道）' closing the last paragraph of an article
PAREN_CREDIT = re.compile(r"[（(]\s*" + _NAMES + r"\s*(?:[\u4e00-\u9fff]{2,6}报道)?\s*[）)][ \t]*(?=\n|$)")
# Labels that credit an editor rather than the writer: the last resort at the foot of an article.
EDITOR_LABEL = re.compile(r"编\s*辑|责\s*编")
# Lines at the head or tail of an article that are metadata, not body.
META_LINE = re.compile(
    r"^\s*[【\[(（]?\s*(?:来\s*源|作\s*者|记\s*者|编\s*辑|责任编辑|责编|校\s*对|审\s*核|审\s*校|签\s*发|"
    r"发布时间|发布日期|发表时间|时\s*间|日\s*期|点击(?:数|量|率)?|浏览(?:次数|量)?|阅读(?:数|量)?|"
    r"字号|打印|关闭|分享到?|扫一扫|字体|【?打印本页|【?关闭窗口|返回顶部|上一篇|下一篇|相关(?:新闻|文章|链接|阅读)|"
    r"原标题|供\s*稿|摄\s*影|图\s*片|本文来源|信息来源|文章来源|转载|版权|Copyright|©)"
    r"\s*[:：]?",
    re.I,
)
BARE_URL = re.compile(r"^\s*(?:https?://|www\.)\S*\s*$", re.I)
# Trailing lines that end the article body (everything from here on is furniture).
TAIL_STOP = re.compile(
    r"^\s*[【\[]?\s*(?:责任编辑|责编|编辑\s*[:：]|相关(?:新闻|文章|链接|阅读|报道)|延伸阅读|推荐阅读|热门推荐|"
    r"上一篇|下一篇|网友评论|我要评论|发表评论|评论\s*[(（]|分享到|打印本页|关闭窗口|【\s*打印|"
    r"版权所有|Copyright|免责声明|声明\s*[:：]|发表于|Posted\s+(?:by|at|on)|"
    r"(?:网友|相关|最新|热门)?评论(?:列表|区)?\s*$|Post\s*Comments?|Comments?\s*$|我来说两句|查看评论|"
    r"相关(?:内容|资讯|推荐)|作者最新文章|特别声明|正文已结束|主办单位|设为首页|联系我们\s*$|猜你喜欢|"
    r"转载请注明|"
    r"[^\n。！？]{0,30}?责任编辑\s*[:：])",
    re.I,
)
# Short lines that are page widgets, not prose: share/report/like buttons, counters, tag and
# loading labels, empty link brackets, app-download prompts, site contact lines, and lines of
# digits, dates or symbols alone (a date list's '12-2718:40', a split '2019' '09/07').
FURNITURE_LINE = re.compile(
    r"(?:收藏|举报|点赞|赞|推荐\d*|标签|图集|正在加载\S*|加载更多|"
    r"(?:返回|回到)(?:顶部|首页|列表)|字号\S{0,8}|打印|关闭|"
    r"(?:当前位置|您的位置|您现在的位置|现在位置|所在位置)[:：].{0,50}|"
    r"分享(?:到|至)\S{0,20}|用微信扫\S{0,20}|扫一扫\S{0,20}|\S{0,12}(?:[+＋])?更多[+＋>›»]?|"
    r"\S{0,30}(?:【(?:下载地址|点击下载|立即下载)】|(?:下载|安装)\S{0,12}客户端\S{0,30})|"
    r"(?:主办|承办|运行维护|技术支持)单位\s*[:：].{0,60}|\S{0,12}ICP\S{0,4}[备证].{0,30}|"
    r"[\W_\d]*)",
    re.I,
)
FURNITURE_MAX = 60  # characters: a longer line is never a widget (matched with whitespace removed)

# --- text statistics --------------------------------------------------------------------------
PUNCTUATION = frozenset("，。！？；：、“”‘’（）《》—…,.!?;:\"'()")
PUNCTUATION_CHAR = re.compile("[" + re.escape("".join(sorted(PUNCTUATION))) + "]")
SENTENCE_END = frozenset("。！？!?…；;")
SENTENCE_END_CHAR = re.compile("[" + re.escape("".join(sorted(SENTENCE_END))) + "]")
CJK = re.compile(r"[\u4e00-\u9fff]")
CJK_RUN = re.compile(r"[\u4e00-\u9fff]+")
WHITESPACE = re.compile(r"\s+")
