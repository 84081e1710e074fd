"""Title and author of an article page."""

from __future__ import annotations

import itertools
import re
from collections import Counter
from functools import lru_cache

from analysis.hanzi import fold
from crawlers.extraction import expressions as X

# '标题_频道_网站名' / '标题 - 网站名' / '标题|网站名': segments of a <title>. A hyphen between two ASCII
# letters/digits (SK-II, 13-15) is not a separator. Words after a plain space are checked one by one.
TITLE_SEPARATOR = re.compile(r"\s*(?:[_|｜]+|--+|——|[–—·]|(?<![A-Za-z0-9])-|-(?![A-Za-z0-9]))\s*")
# How site and channel names end ('新华网', '网易新闻', '商业频道', '某某市人民政府', ...).
SITE_NAME = re.compile(
    r"(?:网|新闻|频道|官网|网站|日报|晚报|早报|时报|商报|政府|门户|在线|论坛|社区|博客|blog|\.com|\.cn|\.net)$",
    re.IGNORECASE,
)
# The owner of an institutional site, named after the headline ('… 某某医院', '… 东区办事处').
ORG_NAME = re.compile(r"..(?:医院|大学|学院|研究院|研究所|办事处|委员会|学会|协会|集团|公司)$")
SITE_LINK_MAX = 12  # a <title> piece this short that is also a link text on the page is a site/channel name
CHANNEL_MAX = 8  # a <title> piece this short ending like >= CHANNEL_REPEATS short link texts is a channel
CHANNEL_REPEATS = 3
HEADLINE_MIN = 5  # characters of a headline taken from a block above the body (at most X.HEADLINE_MAX)
# Badges set as separate elements inside a headline ('<span>原创</span>标题').
BADGES = frozenset(
    {"原创", "置顶", "独家", "热", "荐", "推荐", "精", "精华", "新", "顶", "首发", "图", "组图", "视频", "热门", "转载"}
)
BADGE_BRACKETS = "[]【】()（）"
NOT_A_NAME = frozenset(
    {"本站", "本网", "网站", "admin", "管理员", "系统管理员", "佚名", "未知", "匿名", "编辑", "记者", "作者", "搜索", "来源",
     "原创", "网络整理", "综合", "整理"}
)
# What surrounds a name in credits: a staff code (杨倩_NF4425, 韩保林 PK155), a role after it
# (陈智 整合), a role before it (观察者网专栏作者 王文).
STAFF_CODE = re.compile(r"(?:_[A-Za-z]{1,4}\d{3,}|\s+[A-Z]{1,3}\d{3,})$")
ROLE_AFTER = re.compile(r"\s+(?:整合|编译|综合|整理|报道|采写|摄)$")
ROLE_BEFORE = re.compile(r"^[^\s]*?(?:作者|记者|通讯员)\s+(?=\S)")
# A credit that names an outlet, not a person (环球网, 参考消息, 新浪财经-自媒体综合).
OUTLET = re.compile(r"(?:网|报|社|消息|新闻|频道|综合|杂志|周刊|在线|传媒|集团|出版社)$")
LONGEST_NAME = 8  # CJK characters in one name without a space: more is a phrase (a headline in a meta tag)


def _clean(text: str | None) -> str:
    return X.WHITESPACE.sub(" ", text or "").strip()


def _compact(text: str) -> str:
    return X.WHITESPACE.sub("", text)


def text_head(element, limit: int) -> str:
    """``element.text_content()``, or its start once that holds more than ``limit`` characters other
    than whitespace: a heading nested in a heading (unclosed <h2> in a loop) made reading every
    heading's whole text quadratic."""
    parts, size = [], 0
    for piece in element.itertext():
        parts.append(piece)
        size += len(_compact(piece))
        if size > limit:
            break
    return "".join(parts)


BADGE_MAX = 16  # characters of a badge with its brackets ('【原创】'): a longer element is no badge
HEADING_MAX = 120  # characters of a headline in a heading
LONG_HEADING = HEADING_MAX + 2 * BADGE_MAX


def _is_badge(element) -> bool:
    if not isinstance(element.tag, str):
        return False
    text = _compact(text_head(element, BADGE_MAX))
    return len(text) <= BADGE_MAX and text.strip(BADGE_BRACKETS) in BADGES


def headline_text(element) -> str:
    """Text of a heading element without badge children (原创, 置顶, 独家, ...) at its start or end."""
    children = list(element)
    skip = set()
    if children and _is_badge(children[0]) and not (element.text or "").strip():
        skip.add(children[0])
    if children and _is_badge(children[-1]) and not (children[-1].tail or "").strip():
        skip.add(children[-1])
    if not skip:
        return _clean(element.text_content())
    parts = [element.text or ""]
    for child in element:
        if child not in skip and isinstance(child.tag, str):
            parts.append(child.text_content())
        parts.append(child.tail or "")
    return _clean("".join(parts))


class SiteWords:
    """The page's own link texts, and the endings that several short link texts share (the
    channel-name pattern of a site's navigation: 工作动态, 学术动态, 科普动态 -> 动态)."""

    def __init__(self, links=()):
        self.links = {_compact(text) for text in links} - {""}
        endings = Counter(text[-2:] for text in self.links if 2 < len(text) <= CHANNEL_MAX)
        self.endings = {ending for ending, count in endings.items() if count >= CHANNEL_REPEATS}

    def names(self, piece: str) -> bool:
        """A <title> segment naming the site or channel: it ends like a site name, it is one of the
        page's link texts, or it is short and ends like several of them."""
        compact = _compact(piece)
        return bool(compact) and (
            bool(SITE_NAME.search(compact))
            or (len(compact) <= SITE_LINK_MAX and compact in self.links)
            or (len(compact) <= CHANNEL_MAX and compact[-2:] in self.endings)
        )

    def owner(self, word: str) -> bool:
        """A word after a plain space naming the site, channel or owner (某某医院, 东区办事处)."""
        return self.names(word) or bool(ORG_NAME.search(_compact(word)))


def title_headline(text: str, site: SiteWords) -> tuple[str, bool]:
    """The headline part of a <title>/og:title: split on _ | ｜ - – — ·, site/channel segments
    dropped, the longest remaining segment kept, then site-name words after/before a plain space
    dropped. Returns (headline, False when nothing but site names is left)."""
    segments = [s.strip() for s in TITLE_SEPARATOR.split(_clean(text)) if s.strip()]
    kept = [s for s in segments if " " in s or not site.names(s)]  # spaced segments: checked word by word
    if not kept:
        return "", False
    words = max(kept, key=lambda s: len(_compact(s))).split(" ")
    while len(words) > 1 and site.owner(words[-1]):
        words.pop()
    while len(words) > 1 and site.owner(words[0]):
        words.pop(0)
    return " ".join(words), True


@lru_cache(maxsize=64)
def _segments(reference: str) -> frozenset[str]:
    """The pieces of a <title>/og:title, whitespace removed (split once, not once per heading)."""
    return frozenset(_compact(s) for s in TITLE_SEPARATOR.split(reference))


def _heading_score(heading: str, references: list[str]) -> float:
    """How surely a heading is the headline named by <title>/og:title: 0 (not at all) to 3 (exact)."""
    compact = _compact(heading)
    best = 0.0
    for reference in references:
        key = _compact(reference)
        if not key or not compact:
            continue
        segments = _segments(reference)
        if compact == key:
            score = 3.0
        elif key.startswith(compact) or compact in segments:
            score = 2.0 + len(compact) / len(key)
        elif compact in key and len(compact) >= len(key) / 2:
            score = 1.0 + len(compact) / len(key)
        elif key in compact and len(compact) <= 1.5 * len(key) + 6:
            score = 1.0 + len(key) / len(compact)
        else:
            score = 0.0
        best = max(best, score)
    return best


def find_title(tree) -> str:
    """Headline: the h1-h6 that best matches <title>/og:title (badges dropped), else the headline
    part of og:title or <title> (site and channel names dropped), else the first heading."""
    return title_and_support(tree)[0]


def title_and_support(tree) -> tuple[str, bool]:
    """``find_title`` and whether the page supports it: False when no heading matched and the
    <title> gives nothing but names -- only site/channel names, a piece shorter than a headline,
    or a piece the page never shows outside <title> (a blog or site name set by the template)."""
    page_title = _clean(" ".join(tree.xpath(X.TITLE_TAG)))
    meta_title = ""
    for expression in X.TITLE_META:
        values = tree.xpath(expression)
        if values and _clean(values[0]):
            meta_title = _clean(values[0])
            break
    site = SiteWords(a.text_content() for a in tree.xpath(X.LINK_TEXTS))
    # Headings longer than a headline are skipped before their text is read in full (badges
    # dropped by headline_text are at most 2 * BADGE_MAX characters).
    short = [h for h in tree.xpath(X.TITLE_HEADINGS) if len(_compact(text_head(h, LONG_HEADING))) <= LONG_HEADING]
    headings = [headline_text(h) for h in short]
    headings = [h for h in headings if 4 <= len(h) <= HEADING_MAX]
    references = [r for r in (meta_title, page_title) if r]
    best, best_score = "", 0.0
    for heading in headings:
        if SITE_NAME.search(_compact(heading)):
            continue  # the site's logo heading ('松花江网')
        score = _heading_score(heading, references)
        if score > best_score:
            best, best_score = heading, score
    if best:
        return best, True
    for reference in references:
        headline, usable = title_headline(reference, site)
        if usable:
            return headline, _shown(headline, tree)
    # <title> names only the site/channel: the longest heading that is not a link list (nav, breadcrumb)
    plain = [
        headline_text(h)
        for h in short
        if len(_compact(" ".join(a.text_content() for a in h.iter("a")))) * 2 < len(_compact(h.text_content()))
    ]
    plain = [h for h in plain if 4 <= len(h) <= HEADING_MAX and not site.names(h)]
    if plain:
        return max(plain, key=lambda h: len(_compact(h))), False
    if references:
        return title_headline(references[0], site)[0] or references[0], False
    return "", False


def _shown(headline: str, tree) -> bool:
    """A <title> headline of headline length that the page also shows outside <title>."""
    compact = _compact(headline)
    if len(compact) < HEADLINE_MIN:
        return False
    return compact in _compact("".join(tree.xpath(X.VISIBLE_TEXT)))


def headline_above_body(tree, above: list) -> str:
    """The nearest emphasised headline-like block among ``above`` (content.Body.above: the
    blocks right above the body, nearest first): HEADLINE_MIN to X.HEADLINE_MAX characters, not a link
    or link list, not a date/byline, metadata or breadcrumb/navigation line, not a site name, and
    emphasised (see ``emphasised``). Empty when there is none."""
    from crawlers.extraction.content import _is_byline

    site = SiteWords(a.text_content() for a in tree.xpath(X.LINK_TEXTS))
    page_title = _compact(" ".join(tree.xpath(X.TITLE_TAG)))
    for block in above:
        text = _clean(block.text)
        compact = _compact(text)
        if not HEADLINE_MIN <= len(compact) <= X.HEADLINE_MAX or block.link_chars * 2 >= block.size:
            continue
        if X.META_LINE.match(text) or X.REPORTER_LINE.match(text) or X.DATE_ONLY_LINE.match(text):
            continue
        if X.NAV_LINE.search(text) or _is_byline(text):
            continue
        if compact == page_title or site.names(text) or SITE_NAME.search(compact):
            continue
        if emphasised(block.element, compact):
            return text
    return ""


def emphasised(element, key: str) -> bool:
    """The text ``key`` of a block held by ``element`` is set as a headline: the element or one of
    two short wrappers around it, or an inline element inside it holding (most of) the text, has a
    headline class/id (title, tit, bt, biaoti, headline, heading, subject), is b/strong/big/h1-h6,
    a <font size> of 4 and up, or has an inline style with a larger font-size or bold weight."""
    wrappers = [element, *itertools.islice(element.iterancestors(), 2)]
    for node in wrappers:
        if node.tag in ("body", "html") or len(_compact(node.text_content())) > 2 * X.HEADLINE_MAX:
            break
        if _emphasis(node):
            return True
    for node in element.iterdescendants():
        if not isinstance(node.tag, str) or not _emphasis(node):
            continue
        inner = _compact(node.text_content())
        if inner and (key in inner or (inner in key and 2 * len(inner) >= len(key))):
            return True
    return False


def _emphasis(node) -> bool:
    if not isinstance(node.tag, str):
        return False
    if node.tag in X.EMPHASIS_TAGS:
        return True
    if X.HEADLINE_ATTR.search(f"{node.get('class', '')} {node.get('id', '')}"):
        return True
    size = (node.get("size") or "").strip() if node.tag == "font" else ""
    if size.startswith("+") and size.strip("+0"):
        return True
    if size.isdigit() and int(size) >= X.FONT_SIZE_MIN:
        return True
    style = node.get("style") or ""
    if X.STYLE_BOLD.search(style):
        return True
    match = X.STYLE_SIZE.search(style)
    if not match:
        return False
    if match["value"] is None:
        return True  # large, x-large, larger
    value, unit = float(match["value"]), match["unit"].lower()
    return {"px": value >= 16, "pt": value >= 12, "em": value > 1, "rem": value > 1, "%": value > 100}[unit]


def find_author(tree, text_near_top: str, body: str, headline: str | None = None, tail: str = "") -> str | None:
    """Author: meta tag, then a labelled name (作者：/记者：) near the headline or in the body's first
    lines, then a credit at the foot of the article (``tail``: 记者 张三, （总台记者 李四）, 王五/文,
    责任编辑：赵六)."""
    site_title = _clean(" ".join(tree.xpath(X.TITLE_TAG)))
    headline = find_title(tree) if headline is None else headline
    for expression in X.AUTHOR_META:
        for value in tree.xpath(expression):
            name = _person(str(value))
            if name and name in site_title and name not in headline:
                continue  # the site's name ('网易', 'CSDN.NET'), not a person
            if _plausible_name(name):
                return name
    for text in (text_near_top, body[:300]):
        folded = fold(text)
        name = (_labelled(text, folded, editors=None)
                or _first_name(text, folded, (X.REPORTER_PAREN, X.REPORTER_CREDIT, X.WRITER_SLASH)))
        if name:
            return name
    return _credited(tail) if tail else None


# Labels and credits are matched on ``folded``, the text with traditional characters folded (記者 is
# 记者, one character for one), and the name is taken from ``text``, as written.


def _first_name(text: str, folded: str, patterns) -> str | None:
    for pattern in patterns:
        for match in pattern.finditer(folded):
            name = _person(text[match.start(1):match.end(1)])
            if _plausible_name(name):
                return name
    return None


def _labelled(text: str, folded: str, editors: bool | None) -> str | None:
    """The name after the first label (作者：, 编辑：) in ``text``: writer labels only, editor labels
    only (``editors``), or either (None)."""
    for match in X.AUTHOR_LABEL.finditer(folded):
        if editors is not None and bool(X.EDITOR_LABEL.search(match.group(0))) != editors:
            continue
        found = X.AUTHOR_VALUE.match(folded, match.end())
        if found:
            name = _person(text[found.start(1):found.end(1)])
            if _plausible_name(name):
                return name
    return None


def _credited(tail: str) -> str | None:
    """The writer credited at the foot of an article, else its editor."""
    folded = fold(tail)
    return (_first_name(tail, folded, (X.REPORTER_PAREN, X.REPORTER_CREDIT, X.WRITER_SLASH, X.PAREN_CREDIT))
            or _labelled(tail, folded, editors=False) or _labelled(tail, folded, editors=True))


def _person(text: str) -> str:
    """A credited name without what surrounds it in credits (staff code, role words)."""
    name = _clean(text)
    name = STAFF_CODE.sub("", name)
    name = ROLE_AFTER.sub("", name)
    return ROLE_BEFORE.sub("", name).strip()


def _plausible_name(name: str) -> bool:
    if not name or len(name) > 40 or name.lower() in NOT_A_NAME or "@" in name or "email" in name.lower():
        return False
    if OUTLET.search(name) or any(X.CJK.match(word) and len(word) > LONGEST_NAME for word in name.split()):
        return False
    return not re.fullmatch(r"[\d\s:：\-/.]+", name)
