"""Article body: split the page into text blocks, score them, pick the best container, trim it.

A block is the text between two block-level tags. Its value is its non-link text when it reads
like prose (punctuation, little link text) and negative when it is navigation (mostly links)
or a short label. The container is the element whose blocks sum to the highest value: it takes
in every paragraph of the article and leaves out menus and link lists around it.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from functools import cached_property

from lxml import etree

from analysis.hanzi import fold
from crawlers.extraction import expressions as X

LOGGER = logging.getLogger(__name__)

LINK_HEAVY = 0.5  # a block whose text is more than half link text is navigation
MIN_PROSE = 8
HEAD_BLOCKS = 15  # blocks searched for the headline at the head of the container
HEADLINE_EXTRA = 12  # characters a head line may add to the headline and still be it ('热点｜' + headline)
TAIL_AFTER = 150  # prose characters before a tail marker (责任编辑, 相关新闻, 评论) ends the body
MIN_ENTRIES = 3  # dated entries with prose that make a page a list of posts
ENTRY_PROSE = 100  # prose characters for an entry to count
NOISE_MAX_SHARE = 0.4  # furniture-named elements with more of the page's text than this are kept  # non-link characters for a punctuated block to count as prose


@dataclass
class Block:
    """Text between two block boundaries, with the element that holds it."""

    element: object
    parts: list[str] = field(default_factory=list)
    size: int = 0  # characters other than whitespace
    link_chars: int = 0  # of which inside links

    @cached_property
    def text(self) -> str:
        """The text, whitespace collapsed (read once the block is complete)."""
        return " ".join("".join(self.parts).split())

    @property
    def link_density(self) -> float:
        return self.link_chars / self.size if self.size else 0.0

    @cached_property
    def punctuation(self) -> int:
        return len(X.PUNCTUATION_CHAR.findall("".join(self.parts)))

    def ends_sentence(self) -> bool:
        text = self.text.rstrip("”’\"')）) ")
        return bool(text) and text[-1] in X.SENTENCE_END and not text.endswith(("...", "…"))

    def value(self) -> float:
        """How much this block looks like article prose (negative: navigation or labels)."""
        size = self.size
        if not size:
            return 0.0
        links = self.link_chars
        prose = size - links
        if links / size > LINK_HEAVY:
            return -float(size)
        punct = self.punctuation
        if (punct and prose >= MIN_PROSE) or prose >= 60:
            bonus = 1.0 + min(punct / max(prose, 1) * 10, 1.0)  # dense punctuation: sentences
            return prose * bonus - 2.0 * links
        return -0.5 * prose - links


def remove_noise(tree) -> None:
    """Drop scripts, hidden elements, comment areas, footers and similar furniture, in place."""
    etree.strip_elements(tree, etree.Comment, etree.ProcessingInstruction, *X.DROP_TAGS, with_tail=False)
    for element in list(tree.iter(*X.FURNITURE_TAGS)):
        _drop(element)
    for element in tree.xpath(X.ALL_WITH_STYLE):
        if X.HIDDEN_STYLE.search(element.get("style", "")):
            _drop(element)
    page_size = _size(tree)
    for element in tree.xpath(X.ALL_WITH_CLASS_OR_ID):
        if element.tag in ("html", "body") or element.getparent() is None:
            continue
        attrs = f"{element.get('class', '')} {element.get('id', '')}"
        if X.NOISE_ATTR.search(attrs) and not X.CONTENT_ATTR.search(attrs):
            if _size(element) <= NOISE_MAX_SHARE * page_size:  # a "noise" box holding most text is the page
                _drop(element)


def _size(element) -> int:
    return len(_compact(element.text_content()))


def _compact(text: str) -> str:
    """``text`` without whitespace (str.split() splits on what \\s matches, 5x faster than a regex)."""
    return "".join(text.split())


def _drop(element) -> None:
    """Remove an element but keep its tail text."""
    parent = element.getparent()
    if parent is None:
        return
    tail = element.tail
    previous = element.getprevious()
    parent.remove(element)
    if tail and tail.strip():
        try:
            _append_text(parent, previous, tail)
        except ValueError:  # a control character lxml parsed but refuses to set
            _append_text(parent, previous, X.CONTROL_CHARS.sub("", X.PAGE_BREAKS.sub(" ", tail)))


def _append_text(parent, previous, tail: str) -> None:
    if previous is not None:
        previous.tail = (previous.tail or "") + tail
    else:
        parent.text = (parent.text or "") + tail


def blocks(root) -> list[Block]:
    """Text blocks of ``root`` in document order."""
    out: list[Block] = []
    current = Block(root)
    stack: list[object] = []  # open block elements
    in_link = 0

    def flush(owner) -> None:
        nonlocal current
        if current.size:
            out.append(current)
        current = Block(owner)

    def add(text: str | None) -> None:
        if text:
            current.parts.append(text)
            chars = len(_compact(text))
            current.size += chars
            if in_link:
                current.link_chars += chars

    for event, element in etree.iterwalk(root, events=("start", "end")):
        tag = element.tag if isinstance(element.tag, str) else ""
        if event == "start":
            if tag in X.BLOCK_TAGS:
                flush(element)
                stack.append(element)
            if tag == "a":
                in_link += 1
            add(element.text)
        else:
            if tag == "a":
                in_link -= 1
            if tag in X.BLOCK_TAGS:
                stack.pop()
                flush(stack[-1] if stack else root)
            if element is not root:
                add(element.tail)
    flush(root)
    return out


def best_container(root, page_blocks: list[Block]):
    """The element whose blocks add up to the most prose value."""
    score: dict[object, float] = {}
    for block in page_blocks:
        score[block.element] = score.get(block.element, 0.0) + block.value()
    total: dict[object, float] = {}
    depth: dict[object, int] = {}  # counted on the walk: from the ancestors, quadratic on a deep page
    level = 0
    for event, element in etree.iterwalk(root, events=("start", "end")):
        if event == "start":
            depth[element] = level
            level += 1
            continue
        level -= 1
        value = score.get(element, 0.0)
        for child in element:
            value += total.get(child, 0.0)
        total[element] = value
    if not total:
        return root
    best = max(total, key=lambda e: (total[e], -depth[e]))
    return best


@dataclass
class Body:
    """The page's text blocks and the article's, before trimming: found once per page, then trimmed
    for a headline (``blocks``) or searched above for one (``above``) without scoring the page again."""

    page: list[Block]  # every text block of the page, in order
    candidates: list[Block]  # the best container's blocks without link lists, before trimming
    trimmed: dict[str | None, list[Block]] = field(default_factory=dict, repr=False)

    def blocks(self, title: str | None = None) -> list[Block]:
        """The article body for headline ``title``: head metadata and the tail trimmed."""
        if title not in self.trimmed:
            self.trimmed[title] = trim(self.candidates, title)
        return self.trimmed[title]

    def text(self, title: str | None = None) -> str:
        """Article body text, one paragraph per line."""
        return "\n".join(b.text for b in self.blocks(title))

    def above(self, title: str | None = None, limit: int = HEAD_BLOCKS) -> list[Block]:
        """Up to ``limit`` text blocks right above where the article body starts, nearest first. The
        body starts at its first block that is prose (a full stop, or longer than any headline);
        short lines at the head of the body (a headline the extractor did not know, a byline) are
        above it."""
        start = next((b for b in self.blocks(title) if _is_prose(b)), None)
        if start is None:
            return []
        index = next(i for i, block in enumerate(self.page) if block is start)
        return self.page[max(0, index - limit):index][::-1]


def find_body(root) -> Body:
    """Score the page's blocks once: the best container's blocks, without link lists."""
    page_blocks = blocks(root)
    container = best_container(root, page_blocks)
    inside = set(container.iter())
    chosen = [b for b in page_blocks if b.element in inside]
    kept = [b for b in chosen if not (b.link_density > LINK_HEAVY and b.size < 200)]
    return Body(page_blocks, first_entry(kept))


def _is_prose(block: Block) -> bool:
    return block.size > X.HEADLINE_MAX or "。" in block.text


def trim(kept: list[Block], title: str | None) -> list[Block]:
    """Drop the headline and metadata lines at the head, and everything after a tail marker."""
    title_key = _compact(title or "")
    start = 0
    if title_key:  # the headline inside the container: what precedes it is page furniture
        for index, block in enumerate(kept[:HEAD_BLOCKS]):
            if _compact(block.text) == title_key:
                start = index + 1
                break
    limit = start + 6
    while start < len(kept) and start < limit:
        text = kept[start].text
        key = _compact(text)
        if (title_key and key and (key == title_key or (len(key) > 4 and key in title_key)
                                   or (title_key in key and len(key) <= len(title_key) + HEADLINE_EXTRA))) or (
            _is_meta(text, 120)
        ) or _is_byline(text) or X.BARE_URL.match(text) or is_furniture(text):
            start += 1
            continue
        if start + 1 < len(kept) and _is_source_line(text) and _is_date_line(kept[start + 1].text):
            # 'Outlet/Writer' or an account name over its date line: the byline, two lines long
            start += 2
            continue
        break
    body = kept[start:]
    cut, prose = len(body), 0
    for index, block in enumerate(body):
        if prose >= TAIL_AFTER and len(block.text) < 200 and X.TAIL_STOP.match(fold(block.text)):
            cut = index
            break
        prose += max(block.size - block.link_chars, 0)
    body = body[:cut]
    while body and (_is_meta(body[-1].text, 80) or is_furniture(body[-1].text)):
        body.pop()
    return body


def _is_meta(text: str, limit: int) -> bool:
    """A metadata line ('来源：新华社', '责任编辑 王敏'); not a sentence that opens with a label word
    ('记者从津门晚报获悉，当天中午，…', '图片显示，…'): without a colon after it, a line with a comma or a
    full stop is prose."""
    if len(text) >= limit:
        return False
    match = X.META_LINE.match(fold(text))
    if match is None:
        return False
    label = X.WHITESPACE.sub("", match.group(0)).strip("【[(（")
    if label.endswith((":", "：")) or label not in SENTENCE_OPENERS:
        return True
    return not any(c in "，。" for c in text)


# Label words that also open ordinary sentences ('记者从…获悉，', '时间过得很快，', '图片显示，').
SENTENCE_OPENERS = frozenset({"记者", "图片", "时间", "日期", "来源", "作者", "编辑", "摄影", "阅读", "点击", "浏览",
                              "分享", "转载", "打印", "关闭", "字体"})


def is_furniture(text: str) -> bool:
    """A page widget's line (收藏, 举报, 推荐99, 【】【】, a bare date, an app-download prompt)."""
    key = _compact(text)
    return len(key) <= X.FURNITURE_MAX and bool(X.FURNITURE_LINE.fullmatch(fold(key)))


SOURCE_LINE_MAX = 20  # characters of an outlet or account name ('新华社', '石佳/中国青年报')


def _is_date_line(text: str) -> bool:
    """A labelled metadata line, or a short date line with no clause in it ('2019-09-24 09:10',
    '2020-06-06 10:08 来源：澎湃新闻'; not '【看中国2005年07月03日报道】一九八九年四月，…')."""
    return _is_meta(text, 80) or (len(text) <= 40 and _is_byline(text) and not any(c in "，,、" for c in text))


def _is_source_line(text: str) -> bool:
    """A short line with no sentence in it, such as an outlet or account name above a date line."""
    key = _compact(text)
    return 0 < len(key) <= SOURCE_LINE_MAX and not any(c in X.PUNCTUATION for c in key.replace("/", ""))


def first_entry(page_blocks: list[Block]) -> list[Block]:
    """On a list of dated entries (blog front page, forum thread) keep the first entry only.

    An entry starts at a short byline carrying a date and a time of day; the page is a list
    when at least ``MIN_ENTRIES`` entries with distinct timestamps each hold real prose.
    """
    from crawlers.extraction.dates import YMD

    bylines, stamps = [], set()
    for index, block in enumerate(page_blocks):
        match = YMD.search(block.text) if len(block.text) < 80 else None
        if match and match["hour"] is not None and _is_byline(block.text):
            bylines.append(index)
            stamps.add(match.group(0))
    if len(bylines) < MIN_ENTRIES or len(stamps) < MIN_ENTRIES:
        return page_blocks
    bounds = bylines + [len(page_blocks)]
    full = 0
    for begin, end in zip(bounds, bounds[1:]):
        prose = sum(b.size - b.link_chars for b in page_blocks[begin + 1:end] if b.value() > 0)
        full += prose >= ENTRY_PROSE
    if full < MIN_ENTRIES:
        return page_blocks
    end = bylines[1]
    while end > bylines[0] + 1 and page_blocks[end - 1].size < 60 and not page_blocks[end - 1].ends_sentence():
        end -= 1  # the next entry's headline and footer
    return page_blocks[:end]


def _is_byline(text: str) -> bool:
    """A short line made of a date and labels, such as '2022-02-13 09:57  来源：新华网'."""
    from crawlers.extraction.dates import YMD

    return len(text) < 80 and not X.SENTENCE_END_CHAR.search(text) and bool(YMD.search(text))


def extract_content(root, title: str | None = None) -> str:
    """Article body text, one paragraph per line."""
    return find_body(root).text(title)


def score_debug(block: Block) -> str:  # pragma: no cover - debugging aid
    return f"{block.value():8.1f} ld={block.link_density:.2f} p={block.punctuation} {block.text[:40]!r}"

