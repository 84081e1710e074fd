"""`extract`: one saved or downloaded page in, one Article (title, body, author, date) out."""

from __future__ import annotations

import copy
import json
import logging
import re
from dataclasses import asdict, dataclass
from datetime import datetime

from lxml import html as lxml_html
from lxml.etree import ParserError

from crawlers.extraction import expressions as X
from crawlers.extraction.content import find_body, remove_noise
from crawlers.extraction.dates import PageText, find_date
from crawlers.extraction.encoding import decode_html
from crawlers.extraction.metadata import find_author, headline_above_body, title_and_support

LOGGER = logging.getLogger(__name__)
BYLINE_WINDOW = 300  # characters after the headline searched for 作者：/记者：
TAIL_BEFORE, TAIL_WINDOW = 80, 160  # characters before and after the end of the body searched for credits
TAIL_LINES = 5  # last lines of the body tried, from the end, to find where it ends on the page


@dataclass
class Article:
    """What the extractor found on a page; empty strings/None where the page has nothing."""

    title: str
    content: str
    author: str | None
    published_at: datetime | None
    url: str | None = None
    encoding: str | None = None

    def to_dict(self) -> dict:
        data = asdict(self)
        data["published_at"] = self.published_at.isoformat() if self.published_at else None
        return data

    def to_json(self, **kwargs) -> str:
        """JSON with Chinese kept readable and the date in ISO 8601 with its +08:00 offset."""
        kwargs.setdefault("ensure_ascii", False)
        return json.dumps(self.to_dict(), **kwargs)


def parse_tree(text: str):
    """lxml tree of an HTML text (XML declarations stripped; empty input gives an empty page).

    NUL characters are dropped and lone surrogates replaced first (lxml stops reading a str at
    the first surrogate). A page nested deeper than libxml2 allows (it stops there and drops the
    rest of the page) is parsed again with its deepest tags removed."""
    text = X.CLOSING_ROOT.sub("", X.XML_DECLARATION.sub("", _valid_unicode(text)))
    if not text.strip():
        return lxml_html.document_fromstring("<html/>")
    tree, too_deep = _parse(text)
    if too_deep:
        LOGGER.debug("page nested deeper than the parser allows: flattened to %d levels", MAX_DEPTH)
        tree = _parse(flatten(text))[0]
    return tree


def _valid_unicode(text: str) -> str:
    """``text`` without NUL characters and with lone surrogates (a str that was never valid
    Unicode) replaced by U+FFFD; both checks are cheap on the common clean page."""
    if "\x00" in text:
        text = text.replace("\x00", "")
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        text = X.SURROGATES.sub("\ufffd", text)
    return text


def clean_field(text: str) -> str:
    """A title, body or author without control characters (vertical tab and form feed read as spaces)."""
    return X.CONTROL_CHARS.sub("", X.PAGE_BREAKS.sub(" ", text))


def _parse(text: str):
    """(tree, whether libxml2 stopped at its depth limit)."""
    parser = lxml_html.HTMLParser(huge_tree=True)  # one per call: a parser is not thread-safe
    try:
        tree = lxml_html.document_fromstring(text, parser=parser)
    except (ParserError, ValueError):
        return lxml_html.document_fromstring("<html/>"), False
    return tree, any(error.type_name == "ERR_RESOURCE_LIMIT" for error in parser.error_log)


MAX_DEPTH = 512  # open elements kept when flattening (libxml2 stops at 2048 with huge_tree)
VOID_TAGS = frozenset("area base br col embed hr img input link meta param source track wbr".split())


def flatten(text: str, limit: int = MAX_DEPTH) -> str:
    """``text`` with the tags of elements nested deeper than ``limit`` removed (their text kept).
    Depth is counted over the raw tags, in one pass; implied end tags (<p>, <li>) are not seen,
    so the count only errs towards removing more."""
    depth = 0
    parts: list[str] = []
    last = 0
    for match in X.TAG.finditer(text):
        closing, name = match["closing"], match["name"].lower()
        if name in VOID_TAGS or match.group().endswith("/>"):
            continue
        if closing:
            drop = depth > limit
            depth = max(depth - 1, 0)
        else:
            depth += 1
            drop = depth > limit
        if drop:
            parts.append(text[last:match.start()])
            parts.append(" ")
            last = match.end()
    parts.append(text[last:])
    return "".join(parts)


def extract(
    html: bytes | str,
    url: str | None = None,
    encoding: str | None = None,
    *,
    now: datetime | None = None,
) -> Article:
    """Extract the article of a page. ``encoding`` is the charset the server declared (a hint:
    bytes that do not fit it are decoded as what they are); ``now`` resolves relative dates."""
    used = None
    if isinstance(html, bytes):
        html, used = decode_html(html, encoding)
    tree = parse_tree(html)
    title, supported = title_and_support(tree)
    date_title = title
    body_tree = copy.deepcopy(tree)
    remove_noise(body_tree)
    body = find_body(body_tree)
    if not supported:  # no heading matched and <title> names only the site: the headline above the body
        title = headline_above_body(tree, body.above(title)) or title
    content = body.text(title)
    # The date rules still anchor on the heading/<title> headline: on one labelled page (35687fb1)
    # the headline found above the body moves the byline zone onto a comment's date, because the
    # post's own date ('Saturday, September 10th, 2005 10:56 am', parsed since) stands above the
    # headline, outside the zone.
    page = PageText(tree)  # one walk of the page for the date and the author
    published = find_date(tree, url, now, title=date_title, body_start=content[:40], page=page)
    lines = _page_lines(page)
    end = _body_end(lines, content)
    author = find_author(tree, _text_after(lines, title, end), content, headline=title, tail=_text_at_end(lines, end))
    title, content = clean_field(title), clean_field(content)
    author = clean_field(author) or None if author else author
    return Article(title=title, content=content, author=author, published_at=published, url=url, encoding=used)


_SPACES = re.compile(r"[^\S\n]+")
_LINE_BREAKS = re.compile(r"\s*\n\s*")


def _page_lines(page: PageText) -> str:
    """Visible text with block boundaries as line breaks (a name never runs across one) and other
    whitespace collapsed to single spaces."""
    return _LINE_BREAKS.sub("\n", _SPACES.sub(" ", page.lines)).strip()


def _text_after(page: str, title: str, stop: int | None = None) -> str:
    """Page text right after the headline (the byline zone), up to ``stop`` (the end of the body:
    a short article's foot is the tail's); empty without a headline."""
    at = page.find(title[:12]) if len(title) >= 4 else -1
    if at < 0:
        return ""
    start = at + len(title[:12])
    end = start + BYLINE_WINDOW
    if stop is not None and start < stop < end:
        end = stop
    return page[start:end]


def _body_end(page: str, content: str) -> int | None:
    """Offset in ``page`` just after the body's last line that stands on the page as it is
    (whitespace ignored; a line the body cleaning changed, such as link furniture emptied to 【】,
    is stepped over), or None."""
    for line in reversed(content.splitlines()[-TAIL_LINES:]):
        probe = "".join(line[-64:].split())[-16:]  # the line's last 16 characters, whitespace left out
        if len(probe) < 16:
            probe = "".join(line.split())[-16:]
        if len(probe) < 6:
            continue
        last = None
        for last in re.finditer(r"\s*".join(map(re.escape, probe)), page):
            pass
        if last is not None:
            return last.end()
    return None


def _text_at_end(page: str, end: int | None) -> str:
    """The last lines of the body and the page text right after it (where 记者 张三 and 责任编辑：李四
    stand at the foot of an article); empty when the body's end is not found on the page."""
    return "" if end is None else page[max(0, end - TAIL_BEFORE):end + TAIL_WINDOW]
