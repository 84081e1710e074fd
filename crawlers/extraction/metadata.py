"""Title and author of an article page."""

from __future__ import annotations

import re

from crawlers.extraction import expressions as X

# '标题_频道_网站名' / '标题 - 网站名' / '标题|网站名': site suffixes after these separators.
TITLE_SEPARATORS = re.compile(r"\s*(?:[_|｜]|\s[-–—]\s|--|——)\s*")
NOT_A_NAME = frozenset(
    {"本站", "本网", "网站", "admin", "管理员", "佚名", "未知", "匿名", "编辑", "记者", "作者", "搜索", "来源", "原创"}
)


def _clean(text: str | None) -> str:
    return X.WHITESPACE.sub(" ", text or "").strip()


def find_title(tree) -> str:
    """Headline: a heading that the <title> starts with, else og:title, else the <title> head."""
    page_title = _clean(" ".join(tree.xpath(X.TITLE_TAG)))
    meta_title = ""
    for expression in X.TITLE_META:
        values = tree.xpath(expression)
        if values and _clean(values[0]):
            meta_title = _clean(values[0])
            break
    reference = meta_title or page_title
    headings = [_clean(h.text_content()) for h in tree.xpath(X.HEADINGS)]
    headings = [h for h in headings if 4 <= len(h) <= 120]
    key = X.WHITESPACE.sub("", reference)
    for heading in headings:
        compact = X.WHITESPACE.sub("", heading)
        if compact and (key.startswith(compact) or compact in key or (key and key in compact)):
            return heading
    if meta_title:
        return TITLE_SEPARATORS.split(meta_title)[0] or meta_title
    if page_title:
        parts = [p for p in TITLE_SEPARATORS.split(page_title) if p]
        return max(parts[:2], key=len) if parts else page_title
    return headings[0] if headings else ""


def find_author(tree, text_near_top: str, body: str) -> str | None:
    """Author: meta tag, then a labelled name (作者：/记者：) near the headline or in the body's first lines."""
    site_title = _clean(" ".join(tree.xpath(X.TITLE_TAG)))
    headline = find_title(tree)
    for expression in X.AUTHOR_META:
        for value in tree.xpath(expression):
            name = _clean(str(value))
            if name and name in site_title and name not in headline:
                continue  # the site's name ('网易', 'CSDN.NET'), not a person
            if _plausible_name(name):
                return name
    for text in (text_near_top, body[:300]):
        for match in X.AUTHOR_LABEL.finditer(text):
            found = X.AUTHOR_VALUE.match(text, match.end())
            if found:
                name = _clean(found.group(1))
                if _plausible_name(name):
                    return name
        match = X.REPORTER_PAREN.search(text)
        if match and _plausible_name(_clean(match.group(1))):
            return _clean(match.group(1))
    return None


def _plausible_name(name: str) -> bool:
    if not name or len(name) > 40 or name.lower() in NOT_A_NAME or "@" in name or "email" in name.lower():
        return False
    return not re.fullmatch(r"[\d\s:：\-/.]+", name)
