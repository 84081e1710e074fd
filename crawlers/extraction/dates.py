"""Chinese publication dates: parse one date string, or find the publication date of a page.

All results are timezone-aware datetimes in Asia/Shanghai. A date that is implausible for a
publication -- later than ``now`` plus ``FUTURE_TOLERANCE`` or earlier than ``EARLIEST`` -- is
never returned: ``parse_date`` and ``find_date`` return None for it (logged at debug level), and
``check_plausible`` raises ``ImplausibleDateError`` for callers that want the reason.
Day-less values ("2017年5月", "1998-3") are not dates of a day and parse to None.
"""

from __future__ import annotations

import logging
import re
from bisect import bisect_left, bisect_right
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone
from email.utils import parsedate_to_datetime
from functools import cached_property
from itertools import accumulate

from lxml import etree
from lxml import html as lxml_html

from analysis.hanzi import fold
from crawlers.extraction import expressions as X

LOGGER = logging.getLogger(__name__)

try:
    from zoneinfo import ZoneInfo

    SHANGHAI = ZoneInfo("Asia/Shanghai")
except Exception:  # pragma: no cover - no tz database: China has had no DST since 1991
    SHANGHAI = timezone(timedelta(hours=8), "Asia/Shanghai")

EARLIEST = datetime(1990, 1, 1, tzinfo=SHANGHAI)
FUTURE_TOLERANCE = timedelta(minutes=15)
_NOT_SPACE = re.compile(r"\S+")
BYLINE_ZONE = 400  # characters after the headline searched for the byline date


class ImplausibleDateError(ValueError):
    """A date that cannot be a publication date (in the future or before 1990)."""


# --- patterns ---------------------------------------------------------------------------------
_CN_DIGITS = "〇零○Ｏ一二三四五六七八九十"
_ZONE = r"(?P<tz>\s*(?:Z|[+-](?:0\d|1[0-4]):?[0-5]\d|GMT|UTC))?"  # after a time, Chinese or English
# Each optional part brings its own trailing whitespace, so a date followed by a long whitespace run
# (table layouts pad with hundreds of tabs) is matched in linear time: adjacent optional \s* runs
# backtrack cubically there (1.5 s for one real page before).
_TIME = (
    r"(?:\s*(?:T\s*)?(?:(?P<ampm>上午|下午|中午|晚上|凌晨|早上|AM|PM|am|pm)\s*)?"
    r"(?P<hour>[01]?\d|2[0-3])\s*(?:[:：]|时|点)\s*(?P<minute>[0-5]\d)"
    r"(?:\s*(?:[:：]|分)\s*(?P<second>[0-5]\d)(?:\.\d+)?秒?)?"
    + _ZONE + r")?"
)
YMD = re.compile(
    r"(?<![\d.])(?P<year>(?:19|20)\d\d)\s*(?:(?P<sep>[-/.])|年)\s*(?P<month>1[0-2]|0?[1-9])\s*"
    r"(?:(?P=sep)|月)\s*(?P<day>3[01]|[12]\d|0?[1-9])(?:\s*[日号]|(?!\d))" + _TIME
)
# Day and month separated by slashes before the year: '9/17/2004 5:54:13 AM' (US order, as printed
# by old ASP/IIS sites) or '17/9/2004' (day first). Which is which is decided per text: see
# _slashed_order.
SLASHED = re.compile(
    r"(?<![\d/.])(?P<front>3[01]|[12]\d|0?[1-9])/(?P<middle>3[01]|[12]\d|0?[1-9])/"
    r"(?P<year>(?:19|20)\d\d)(?![\d/])"
    r"(?:\s+(?P<hour>[01]?\d|2[0-3]):(?P<minute>[0-5]\d)(?::(?P<second>[0-5]\d))?"
    r"(?:\s*(?P<ampm>AM|PM|am|pm))?)?"
)
YMD_CN = re.compile(
    rf"(?P<year>[{_CN_DIGITS}]{{4}})\s*年\s*(?P<month>[{_CN_DIGITS}]{{1,2}})\s*月\s*"
    rf"(?P<day>[{_CN_DIGITS}]{{1,3}})\s*[日号]"
)
YMD_COMPACT = re.compile(r"(?<!\d)(?P<year>(?:19|20)\d\d)(?P<month>0[1-9]|1[0-2])(?P<day>0[1-9]|[12]\d|3[01])(?!\d)")
# A two-digit year ('发布时间：18-03-08 23:16', the time sometimes glued on: '18-03-0823:16'): taken
# only right after a publication or generic date label (see iter_dates), never bare in the text,
# where such triples are as often codes or scores.
YMD_SHORT = re.compile(
    r"(?<![\d.:/-])(?P<year>\d\d)-(?P<month>0[1-9]|1[0-2])-(?P<day>0[1-9]|[12]\d|3[01])"
    r"(?:\s*(?P<hour>[01]\d|2[0-3]):(?P<minute>[0-5]\d)(?::(?P<second>[0-5]\d))?)?(?![\d:-])"
)
# The year in its own element before month/day and time: '2019 | 09/07 | 19:02' reads as text
# '2019  09/07  19:02' (a sticker-style byline). The time is required, which keeps a year followed
# by a fraction or a score out.
YEAR_SPLIT = re.compile(
    r"(?<![\d/.:-])(?P<year>(?:19|20)\d\d)\s+(?P<month>1[0-2]|0?[1-9])[/-](?P<day>3[01]|[12]\d|0?[1-9])"
    r"\s+(?P<hour>[01]?\d|2[0-3]):(?P<minute>[0-5]\d)(?::(?P<second>[0-5]\d))?(?![\d/:])"
)
# English-order dates, the month spelt out: 'September 10th, 2005', 'Sep. 10, 2005 9:23 pm',
# '10 September 2005', and the same with a Chinese month name, as Chinese-locale blog software prints
# an English format ('十一月 6th, 2009'). A weekday before them ('Saturday, ') is left out of the match.
_MONTH_NAME = (
    r"(?:jan(?:uary)?|feb(?:ruary)?|mar(?:ch)?|apr(?:il)?|may|june?|july?|aug(?:ust)?|"
    r"sep(?:t(?:ember)?)?|oct(?:ober)?|nov(?:ember)?|dec(?:ember)?|[一二三四五六七八九十]{1,2}月)"
)
_ENGLISH_TIME = (
    r"(?:\s*(?:(?:,|at|@)\s*)?(?P<hour>[01]?\d|2[0-3]):(?P<minute>[0-5]\d)(?::(?P<second>[0-5]\d))?"
    r"(?:\s*(?P<ampm>am|pm|a\.m\.|p\.m\.))?" + _ZONE + r")?"
)
ENGLISH_MDY = re.compile(
    rf"(?<![A-Za-z\u4e00-\u9fff])(?P<month>{_MONTH_NAME})\.?\s*(?P<day>3[01]|[12]\d|0?[1-9])(?:st|nd|rd|th)?"
    rf"(?:\s*,)?\s+(?P<year>(?:19|20)\d\d)(?!\d)" + _ENGLISH_TIME,
    re.I,
)
ENGLISH_DMY = re.compile(
    rf"(?<![\w.:/-])(?P<day>3[01]|[12]\d|0?[1-9])(?:st|nd|rd|th)?\s+(?P<month>{_MONTH_NAME})\.?,?\s+"
    rf"(?P<year>(?:19|20)\d\d)(?!\d)" + _ENGLISH_TIME,
    re.I,
)
_ENGLISH_MONTHS = ("jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec")
MD = re.compile(
    r"(?<![\d年/.-])(?P<month>1[0-2]|0?[1-9])\s*(?:月\s*(?P<day>3[01]|[12]\d|0?[1-9])\s*[日号]"
    r"|-(?P<day2>3[01]|[12]\d|0[1-9])(?=\s+\d{1,2}:\d\d))" + _TIME
)
RELATIVE = re.compile(
    r"(?P<num>\d+|半|[一二两三四五六七八九十]+)\s*(?:个\s*)?(?P<unit>秒钟?|分钟|分|小时|钟头|天|日|周|星期|礼拜|月|年)\s*(?:之)?前"
)
DAY_WORD = re.compile(r"(?P<word>今天|今日|昨天|昨日|前天|大前天)" + _TIME)
JUST_NOW = re.compile(r"^\s*(?:刚刚|刚才|just now)\s*$", re.I)
ONLY_TIME = re.compile(
    r"^\s*(?:(?P<ampm>上午|下午|中午|晚上|凌晨|早上)\s*)?(?P<hour>[01]?\d|2[0-3])\s*[:：]\s*(?P<minute>[0-5]\d)"
    r"(?:[:：](?P<second>[0-5]\d))?\s*$"
)
EPOCH = re.compile(r"^\s*(\d{10})(\d{3})?\s*$")
ENGLISH_MONTH = re.compile(rf"\b(?:{'|'.join(_ENGLISH_MONTHS)})[a-z]*\b", re.I)
URL_DATE = re.compile(
    r"(?<!\d)(?P<year>(?:19|20)\d\d)[/_-]?(?P<month>0[1-9]|1[0-2])[/_-]?(?P<day>0[1-9]|[12]\d|3[01])(?!\d)"
)
URL_YM_D = re.compile(r"/(?P<year>(?:19|20)\d\d)(?P<month>0[1-9]|1[0-2])/(?P<day>0[1-9]|[12]\d|3[01])/")

_UNIT = {
    "秒": timedelta(seconds=1), "秒钟": timedelta(seconds=1), "分": timedelta(minutes=1),
    "分钟": timedelta(minutes=1), "小时": timedelta(hours=1), "钟头": timedelta(hours=1),
    "天": timedelta(days=1), "日": timedelta(days=1), "周": timedelta(weeks=1),
    "星期": timedelta(weeks=1), "礼拜": timedelta(weeks=1), "月": timedelta(days=30),
    "年": timedelta(days=365),
}
_DAY_OFFSET = {"今天": 0, "今日": 0, "昨天": 1, "昨日": 1, "前天": 2, "大前天": 3}


def _cn_number(text: str) -> int | None:
    """Value of a Chinese numeral: '二〇一七' digit by digit, '三十一' positionally."""
    digits = {c: i for i, c in enumerate("〇一二三四五六七八九")}
    digits.update({"零": 0, "○": 0, "Ｏ": 0, "两": 2})
    if text.isdigit():
        return int(text)
    if "十" in text:
        tens, _, ones = text.partition("十")
        high = digits.get(tens, -1) if tens else 1
        low = digits.get(ones, -1) if ones else 0
        return None if high < 0 or low < 0 else high * 10 + low
    if all(c in digits for c in text):
        return int("".join(str(digits[c]) for c in text))
    return None


def now_shanghai(now: datetime | None = None) -> datetime:
    """``now`` as an aware Asia/Shanghai datetime (naive values are taken as Shanghai time)."""
    if now is None:
        return datetime.now(SHANGHAI)
    if now.tzinfo is None:
        return now.replace(tzinfo=SHANGHAI)
    return now.astimezone(SHANGHAI)


def check_plausible(value: datetime, now: datetime | None = None) -> datetime:
    """Return ``value`` in Asia/Shanghai, or raise ImplausibleDateError if future or pre-1990."""
    value = now_shanghai(value)
    current = now_shanghai(now)
    if value > current + FUTURE_TOLERANCE:
        raise ImplausibleDateError(f"date {value.isoformat()} is in the future (now {current.isoformat()})")
    if value < EARLIEST:
        raise ImplausibleDateError(f"date {value.isoformat()} is before {EARLIEST.date()}")
    return value


def _plausible(value: datetime | None, now: datetime) -> datetime | None:
    if value is None:
        return None
    try:
        return check_plausible(value, now)
    except ImplausibleDateError as exc:
        LOGGER.debug("rejected: %s", exc)
        return None


def _with_time(match: re.Match, year: int, month: int, day: int) -> datetime | None:
    """Build the datetime from a match carrying the optional _TIME groups."""
    hour = minute = second = 0
    groups = match.groupdict()
    if groups.get("hour") is not None:
        hour, minute = int(groups["hour"]), int(groups["minute"])
        second = int(groups["second"] or 0)
        ampm = (groups.get("ampm") or "").lower().replace(".", "")
        if ampm in ("下午", "晚上", "pm") and hour < 12:
            hour += 12
        elif ampm in ("凌晨", "上午", "早上", "am") and hour == 12:
            hour = 0
    try:
        value = datetime(year, month, day, hour, minute, second)
    except ValueError:
        return None
    tz = (groups.get("tz") or "").strip()
    if tz and tz not in ("GMT", "UTC", "Z"):
        sign = 1 if tz[0] == "+" else -1
        digits = tz[1:].replace(":", "")
        offset = timedelta(hours=int(digits[:2]), minutes=int(digits[2:] or 0))
        return value.replace(tzinfo=timezone(sign * offset)).astimezone(SHANGHAI)
    if tz:
        return value.replace(tzinfo=timezone.utc).astimezone(SHANGHAI)
    return value.replace(tzinfo=SHANGHAI)


@dataclass(frozen=True)
class DateMatch:
    """A date found in a text: the value, where it was, and whether it carried a time of day."""

    value: datetime
    start: int
    end: int
    has_time: bool


def iter_dates(text: str, now: datetime | None = None) -> list[DateMatch]:
    """Every absolute full date (year, month, day) in ``text``, plausible ones only, in order.
    ``text`` comes folded (:func:`analysis.hanzi.fold`) from :func:`parse_date` and :func:`find_date`."""
    current = now_shanghai(now)
    found: list[DateMatch] = []
    for match in YMD.finditer(text):
        value = _plausible(_with_time(match, int(match["year"]), int(match["month"]), int(match["day"])), current)
        if value is not None:
            found.append(DateMatch(value, match.start(), match.end(), match["hour"] is not None))
    slashed = list(SLASHED.finditer(text))
    day_first = _slashed_order(slashed)
    for match in slashed:
        front, middle = int(match["front"]), int(match["middle"])
        month, day = (middle, front) if front > 12 or (day_first and middle <= 12) else (front, middle)
        value = _plausible(_with_time(match, int(match["year"]), month, day), current)
        if value is not None:
            found.append(DateMatch(value, match.start(), match.end(), match["hour"] is not None))
    for match in YMD_CN.finditer(text):
        parts = [_cn_number(match[g]) for g in ("year", "month", "day")]
        if None in parts:
            continue
        value = _plausible(_with_time(match, *parts), current)  # type: ignore[arg-type]
        if value is not None:
            found.append(DateMatch(value, match.start(), match.end(), False))
    for match in YEAR_SPLIT.finditer(text):
        value = _plausible(_with_time(match, int(match["year"]), int(match["month"]), int(match["day"])), current)
        if value is not None:
            found.append(DateMatch(value, match.start(), match.end(), True))
    for pattern in (ENGLISH_MDY, ENGLISH_DMY):
        for match in pattern.finditer(text):
            month = _month_number(match["month"])
            if month is None:
                continue
            value = _plausible(_with_time(match, int(match["year"]), month, int(match["day"])), current)
            if value is not None:
                found.append(DateMatch(value, match.start(), match.end(), match["hour"] is not None))
    for match in YMD_SHORT.finditer(text):
        if label_rank(text[max(0, match.start() - LABEL_WINDOW):match.start()]) < GENERIC:
            continue
        year = 2000 + int(match["year"])
        value = _plausible(_with_time(match, year, int(match["month"]), int(match["day"])), current)
        if value is not None:
            found.append(DateMatch(value, match.start(), match.end(), match["hour"] is not None))
    found.sort(key=lambda m: m.start)
    return found


def _month_number(name: str) -> int | None:
    """1-12 for an English month name or abbreviation, or a Chinese one ('十一月'); else None."""
    if name.endswith("月"):
        number = _cn_number(name[:-1])
        return number if number is not None and 1 <= number <= 12 else None
    prefix = name[:3].lower()
    return _ENGLISH_MONTHS.index(prefix) + 1 if prefix in _ENGLISH_MONTHS else None


def _slashed_order(matches: list[re.Match]) -> bool:
    """True when the slashed dates of one text are day first ('17/9/2004').

    A site prints all its dates in one order, so one date whose first number cannot be a month
    (above 12) proves day-first for the whole text, unless another one proves month-first
    (second number above 12), in which case each ambiguous date keeps the month-first reading.
    Without such proof: month first, the order of the US-locale servers that print this form
    on Chinese pages.
    """
    day_first = any(int(m["front"]) > 12 >= int(m["middle"]) for m in matches)
    month_first = any(int(m["middle"]) > 12 >= int(m["front"]) for m in matches)
    return day_first and not month_first


def parse_date(text: str, now: datetime | None = None) -> datetime | None:
    """Parse the first date in ``text`` (absolute, relative to ``now``, ISO, RFC 2822, epoch)."""
    if not text or not text.strip():
        return None
    current = now_shanghai(now)
    text = fold(text.strip())  # 3分鐘前 is 3分钟前
    if JUST_NOW.match(text):
        return current
    match = EPOCH.match(text)
    if match:
        value = datetime.fromtimestamp(int(match.group(1)), SHANGHAI)
        return _plausible(value, current)
    if ENGLISH_MONTH.search(text):
        value = _parse_rfc2822(text)  # before iter_dates, which would drop zone names such as EST
        if value is not None:
            return _plausible(value, current)
    dates = iter_dates(text, current)
    if dates:
        return dates[0].value
    if any(p.search(text) for p in (YMD, YMD_CN, SLASHED, ENGLISH_MDY, ENGLISH_DMY)):
        return None  # a full date was there but is implausible: never fall through to guesses
    value = _parse_relative(text, current)
    if value is not None:
        return _plausible(value, current)
    match = YMD_COMPACT.fullmatch(text)
    if match:
        return _plausible(_with_time(match, int(match["year"]), int(match["month"]), int(match["day"])), current)
    return None


def _parse_relative(text: str, current: datetime) -> datetime | None:
    """'3分钟前', '昨天 12:30', '前天', '05-31 16:21', '5月31日' (year inferred), '16:21' (today);
    ``text`` folded by the caller."""
    if "刚刚" in text or "刚才" in text:
        return current
    match = RELATIVE.search(text)
    if match:
        num = 0.5 if match["num"] == "半" else _cn_number(match["num"])
        if num is None:
            return None
        try:
            return current - _UNIT[match["unit"]] * num
        except OverflowError:  # '3000年前' (before year 1), '99999999999天前'
            return None
    match = DAY_WORD.search(text)
    if match:
        day = (current - timedelta(days=_DAY_OFFSET[match["word"]])).date()
        if match["hour"] is None:
            return datetime(day.year, day.month, day.day, tzinfo=SHANGHAI)
        return _with_time(match, day.year, day.month, day.day)
    match = MD.search(text)
    if match:
        month, day = int(match["month"]), int(match["day"] or match["day2"])
        value = _with_time(match, current.year, month, day)
        if value is not None and value > current + FUTURE_TOLERANCE:
            value = _with_time(match, current.year - 1, month, day)  # last year's "12月31日" seen in January
        return value
    match = ONLY_TIME.match(text)
    if match:
        return _with_time(match, current.year, current.month, current.day)
    return None


def _parse_rfc2822(text: str) -> datetime | None:
    """RFC 2822 ('Wed, 31 May 2017 16:21:00 GMT', as feeds print it). Other English forms
    ('May 31, 2017', '10 Sep 2005') are ENGLISH_MDY / ENGLISH_DMY in iter_dates."""
    try:
        value = parsedate_to_datetime(text)
    except (TypeError, ValueError, IndexError, OverflowError):
        return None
    if value is None:
        return None
    return value.replace(tzinfo=SHANGHAI) if value.tzinfo is None else value.astimezone(SHANGHAI)


def date_from_url(url: str | None, now: datetime | None = None) -> datetime | None:
    """Day encoded in a URL path: /2017/05/31/, /201705/31/, t20170531_123.html, 2017-05-31."""
    if not url:
        return None
    path = url.split("?", 1)[0].split("://", 1)[-1]
    path = path[path.find("/"):] if "/" in path else ""
    current = now_shanghai(now)
    for pattern in (URL_YM_D, URL_DATE):
        for match in pattern.finditer(path):
            try:
                value = datetime(int(match["year"]), int(match["month"]), int(match["day"]), tzinfo=SHANGHAI)
            except ValueError:
                continue
            value = _plausible(value, current)
            if value is not None:
                return value
    return None


# --- finding the publication date of a page ---------------------------------------------------


def _as_tree(source) -> lxml_html.HtmlElement:
    if isinstance(source, lxml_html.HtmlElement):
        return source
    if isinstance(source, bytes):
        from crawlers.extraction.encoding import decode_html

        source = decode_html(source)[0]
    from crawlers.extraction.article import parse_tree

    return parse_tree(source)


def _date_meta_elements(tree):
    """A small tree of the page's elements that DATE_META and JSON_LD read (in page order, with
    their attributes and text), or None without any: one walk of the page, then the expressions
    run on the small tree (on the page, each one walked it all: 1 s for a page of 8 MB)."""
    found = tree.xpath(X.ANY_DATE_META)
    if not found:
        return None
    root = etree.Element("html")
    for element in found:
        # meta, time and script are matched by name; any other tag only by its itemprop
        copy = etree.SubElement(root, element.tag if element.tag in ("meta", "time", "script") else "span")
        for name in X.DATE_META_ATTRIBUTES.intersection(element.attrib):
            copy.set(name, _settable(element.get(name)))
        copy.text = _settable(element.text)
    return root


def _settable(text: str | None) -> str | None:
    """``text`` without the control characters lxml parses but refuses to set."""
    return X.CONTROL_CHARS.sub("", X.PAGE_BREAKS.sub(" ", text)) if text else text


def _meta_date(tree, current: datetime) -> datetime | None:
    tree = _date_meta_elements(tree)
    if tree is None:
        return None
    for expression in X.DATE_META:
        for raw in tree.xpath(expression):
            value = parse_date(str(raw), current)
            if value is not None:
                return value
    for raw in tree.xpath(X.JSON_LD):
        for found in X.JSON_LD_DATE.findall(str(raw)):
            value = parse_date(found, current)
            if value is not None:
                return value
    return None


class NoiseCheck:
    """Whether an element is inside comments, sidebars or footers (by tag or class/id). Containers
    in ``keep`` (those holding the headline: a headline block laid out as an <aside> or 'side' box)
    are not noise. Each ancestor is judged once per page (asking each element's ancestors anew was
    quadratic on a deep page: 2,000 levels times 20,000 dates)."""

    def __init__(self, keep: frozenset = frozenset()) -> None:
        self.keep = keep
        self.inside: dict[object, bool] = {}  # element -> whether an ancestor of it is furniture

    def __call__(self, element) -> bool:
        path = []
        node = element
        while node not in self.inside:
            parent = node.getparent()
            if parent is None:
                self.inside[node] = False
                break
            path.append((node, parent))
            node = parent
        for node, parent in reversed(path):
            self.inside[node] = self.inside[parent] or self._furniture(parent)
        return self.inside[element]

    def _furniture(self, node) -> bool:
        if not isinstance(node.tag, str) or node in self.keep:
            return False
        if node.tag in X.FURNITURE_TAGS:
            return True
        attrs = f"{node.get('class', '')} {node.get('id', '')}"
        return bool(attrs.strip() and X.NOISE_ATTR.search(attrs) and not X.CONTENT_ATTR.search(attrs))


class PageText:
    """The visible text of a page as one string, with a map from offsets back to elements."""

    SKIP = frozenset(("script", "style", "noscript", "head", "title", "textarea", "select", "option"))

    def __init__(self, tree) -> None:
        """``text`` marks the boundaries of block elements with a space (for the date rules),
        ``lines`` the same text with a newline there (where a boundary must end a name); offsets
        are the same in both, and in ``folded``."""
        parts: list[str] = []
        blocks: list[int] = []  # indexes in parts of the boundary marks
        owners: list[tuple[int, object]] = []
        offset = 0

        def add(chunk: str, owner) -> None:
            nonlocal offset
            owners.append((offset, owner))
            parts.append(chunk)
            offset += len(chunk)

        skipping = 0  # depth inside elements whose text is not shown
        # Comments and processing instructions are events too: their tails are page text.
        for event, element in etree.iterwalk(tree, events=("start", "end", "comment", "pi")):
            if event == "start":
                if element.tag in self.SKIP:
                    skipping += 1
                elif not skipping:
                    if element.tag in X.BLOCK_TAGS:
                        add(" ", element)
                        blocks.append(len(parts) - 1)
                    if element.text:
                        add(element.text, element)
                continue
            if event == "end":
                if element.tag in self.SKIP:
                    skipping -= 1
                elif element.tag in X.BLOCK_TAGS and not skipping:
                    add(" ", element)
                    blocks.append(len(parts) - 1)
                if element is tree:
                    continue
            if element.tail and not skipping:  # after an element's end, a comment or a processing instruction
                add(element.tail, element.getparent())
        self.owners = owners
        self.text = "".join(parts)
        self._parts, self._blocks = parts, blocks

    @cached_property
    def lines(self) -> str:
        """``text`` with a newline at each block boundary."""
        parts = list(self._parts)
        for index in self._blocks:
            parts[index] = "\n"
        return "".join(parts)

    @cached_property
    def folded(self) -> str:
        """``text`` with traditional characters read as simplified ones (labels such as 發佈時間)."""
        return fold(self.text)

    def locate(self, needle: str | None, start: int = 0, min_chars: int = 4) -> int | None:
        """Offset of ``needle`` (or of its first 12 characters) at or after ``start``, whitespace ignored."""
        if not needle:
            return None
        if not hasattr(self, "_compact"):
            # The text without whitespace, and for each run of non-space characters where it starts
            # in ``text`` and in the compact text (one entry per run, not per character: a 10 MB page).
            runs = list(_NOT_SPACE.finditer(self.text))  # \S is exactly what str.isspace() is not
            self._compact = "".join(run.group() for run in runs)
            self._run_starts = [run.start() for run in runs]
            self._run_compact = list(accumulate((run.end() - run.start() for run in runs), initial=0))
        needle = X.WHITESPACE.sub("", needle)
        begin = self._compact_offset(start)
        for probe in (needle, needle[:12]):
            if len(probe) >= min_chars:
                at = self._compact.find(probe, begin)
                if at >= 0:
                    run = bisect_right(self._run_compact, at) - 1
                    return self._run_starts[run] + at - self._run_compact[run]
        return None

    def _compact_offset(self, start: int) -> int:
        """How many non-space characters of ``text`` stand before offset ``start``."""
        run = bisect_right(self._run_starts, start) - 1
        if run < 0:
            return 0
        length = self._run_compact[run + 1] - self._run_compact[run]
        return self._run_compact[run] + min(start - self._run_starts[run], length)

    def offset_of(self, element) -> int | None:
        """Offset where the text of ``element`` (or of a descendant) starts."""
        inside = set(element.iter())
        for offset, owner in self.owners:
            if owner in inside:
                return offset
        return None

    def owner(self, offset: int):
        """Element whose text contains ``offset``."""
        if not self.owners:
            return None
        if not hasattr(self, "_offsets"):
            self._offsets = [start for start, _ in self.owners]
        return self.owners[max(bisect_right(self._offsets, offset) - 1, 0)][1]


def find_date(
    source,
    url: str | None = None,
    now: datetime | None = None,
    *,
    title: str | None = None,
    body_start: str | None = None,
    page: PageText | None = None,
) -> datetime | None:
    """Publication date of a page (lxml tree, HTML text or bytes), or None when it has none.
    ``page``: the tree's :class:`PageText`, when the caller has built it already.

    Order: publisher metadata; a date introduced by a label such as 发布时间：; the first
    date after the headline; a date in an element named like a date/byline; the date in the
    URL; the first date on the page. ``title``/``body_start`` (from the extractor) locate the
    headline and the article; comment areas, sidebars and footers are skipped. Where labels
    compete, ``label_rank`` decides: a publication label (发布日期) beats a generic one (日期),
    a document or update date (成文日期, 更新时间) counts as unlabelled, and a date labelled as
    maintenance, effect, deadline or event (最后修订于, 施行日期, 截止时间) is never taken.
    """
    known_now = now is not None
    current = now_shanghai(now)
    tree = _as_tree(source)
    url_date = date_from_url(url, current)
    meta = _meta_date(tree, current)
    if meta is not None and (url_date is None or meta.date() == url_date.date()):
        return meta
    page = page or PageText(tree)
    text = page.folded
    heading = _headline_element(tree, title)
    keep = frozenset(heading.iterancestors()) if heading is not None else frozenset()
    is_noise = NoiseCheck(keep)
    anchor = page.offset_of(heading) if heading is not None else None
    if anchor is None and title:
        anchor = page.locate(title)

    def relative() -> datetime | None:
        """A relative or year-less date shown for the article, made exact by a script timestamp."""
        shown = _labelled_relative(page, current, is_noise) or _byline_relative(page, anchor, current, is_noise)
        return _with_script_time(shown, _script_dates(tree, current), known_now)

    # Whether a date stands in page furniture and what its label says are decided lazily, once per
    # date and only for the dates a rule looks at: a page of 100,000 dates (an archive list) took
    # seconds when every one was judged up front.
    found_dates = iter_dates(text, current)
    noise: dict[int, bool] = {}
    ranks: dict[int, int] = {}

    def shown(m: DateMatch) -> bool:
        if m.start not in noise:
            noise[m.start] = is_noise(page.owner(m.start))
        return not noise[m.start]

    def rank(m: DateMatch) -> int:
        if m.start not in ranks:
            ranks[m.start] = label_rank(text[max(0, m.start - LABEL_WINDOW):m.start])
        return ranks[m.start]

    def usable(candidates: list[DateMatch]) -> Iterator[DateMatch]:
        """The dates outside furniture whose label does not rule them out, in page order."""
        return (m for m in candidates if shown(m) and rank(m) != NEVER)

    if not any(shown(m) for m in found_dates):
        return meta or url_date or relative()
    if url_date is not None:
        same_day = [m for m in found_dates if m.value.date() == url_date.date() and shown(m)]
        if same_day:
            return max(same_day, key=lambda m: m.has_time).value
        return meta or url_date
    body_at = page.locate(body_start, anchor or 0)
    first = next(usable(found_dates), None)
    if first is None:
        return meta or relative()

    def best_labelled(candidates: list[DateMatch]) -> DateMatch | None:
        """The first labelled date, or a better labelled one in the same metadata block."""
        block: list[DateMatch] = []
        for m in usable(candidates):
            if block and m.start - block[0].start > METADATA_BLOCK:
                break
            if rank(m) >= GENERIC:
                block.append(m)
        if not block:
            return None
        return max(block, key=rank)  # max keeps the first of equals

    after = [m for m in found_dates if anchor is None or m.start >= anchor]  # still to be judged
    first_after = next(usable(after), None)
    # 1. the byline zone between the headline and the body: the best labelled date, else the first
    if anchor is not None:
        if body_at is not None and body_at > anchor:
            # up to the body's first line: a date that opens the body ('2月27日下午，…') is the
            # story's, not the page's (a 发布日期 below the article then wins in step 2)
            zone = [m for m in usable(after[:bisect_left(after, body_at, key=_start)])]
        else:
            zone = [m for m in usable(after[:bisect_right(after, anchor + BYLINE_ZONE + 40, key=_start)])]
        found = best_labelled(zone)
        if found is not None:
            return found.value
        if zone:
            return zone[0].value
        # only a relative date ('昨天') under the headline: it beats full dates further down
        shown_relative = _byline_relative(page, anchor, current, is_noise)
        if shown_relative is not None:
            return _with_script_time(shown_relative, _script_dates(tree, current), known_now)
    # 2. the best labelled date after the headline (anywhere, without a headline)
    found = best_labelled(after)
    if found is not None:
        return found.value
    # 3. a date in an element whose class/id says date/time/byline
    for m in usable(after if first_after is not None else found_dates):
        owner = page.owner(m.start)
        attrs = f"{owner.get('class', '')} {owner.get('id', '')}" if owner is not None else ""
        if X.DATE_ATTR.search(attrs):
            return m.value
    # 4. the best labelled date anywhere
    found = best_labelled(found_dates)
    if found is not None:
        return found.value
    if meta is not None:
        return meta
    # 5. first date after the headline, else the first on the page
    return (first_after or first).value


def _start(match: DateMatch) -> int:
    return match.start


# --- what the label before a date says ---------------------------------------------------------
# A page often shows several labelled dates (成文日期 and 发布日期 on government pages, 发布时间
# and 更新时间 on news pages, 最后修订于 at the foot of a wiki). The label decides, by rank:
PUBLICATION = 3  # 发布/发表/刊发/登载/公布/首发… , 'Posted', 'Published': the page went public then
GENERIC = 2  # a bare 时间：/日期：/发文日期：: probably the publication, less surely
UNLABELLED = 1  # no label, or a secondary one: 成文/印发/签发/更新/修订 (a real date of the document,
# close to its publication but not it) never beats a publication or generic label
NEVER = 0  # 最后修订/最后更新/last edited (maintenance), 生效/施行/有效期/截止 (effect and deadlines),
# 活动/报名/举办 (events announced), 存档/访问/引用 (citations): never a publication date
_RANK = {"publication": PUBLICATION, "generic": GENERIC, "secondary": UNLABELLED, "not_publication": NEVER}
# The last character of every date label (X.DATE_LABEL_CLASSES), other than an English word's letter.
LABEL_ENDINGS = frozenset("间期于:：")
LABEL_WINDOW = 48  # characters before a date searched for its label (tables pad with whitespace)
# A better label only wins within this many characters of the first labelled date (one metadata
# block); further down, a publication label is likely a related article's or a quoted notice's.
METADATA_BLOCK = 300


def label_rank(before: str) -> int:
    """Rank of the label ending ``before`` (the text just before a date); the most specific
    (longest) label wins, so '最后更新时间：' is maintenance although it ends in '时间：'."""
    last = before.rstrip()[-1:]
    if not last or not (fold(last) in LABEL_ENDINGS or (last.isascii() and last.isalpha())):
        return UNLABELLED  # every label ends so (checked first: most dates have no label)
    tail = X.WHITESPACE.sub(" ", fold(before)).rstrip()
    best, best_start = UNLABELLED, len(tail)
    for name, pattern in X.DATE_LABEL_CLASSES:
        match = pattern.search(tail)
        if match is not None and match.start() < best_start:
            best, best_start = _RANK[name], match.start()
    return best


def _headline_element(tree, title: str | None):
    """The heading element (h1-h3) whose text is the headline, or None."""
    if not title:
        return None
    from crawlers.extraction.metadata import text_head

    key = X.WHITESPACE.sub("", title)
    for heading in tree.xpath(X.HEADINGS):
        if X.WHITESPACE.sub("", text_head(heading, len(key))) == key:
            return heading
    return None


def _labelled_relative(page: PageText, current: datetime, is_noise: NoiseCheck | None = None) -> datetime | None:
    """A year-less or relative date after a label: '发布时间：3小时前', '发布时间：10-08 12:00'."""
    text = page.folded
    is_noise = is_noise or NoiseCheck()
    for match in X.ANY_DATE_LABEL.finditer(text):
        if label_rank(text[max(0, match.end() - LABEL_WINDOW):match.end()]) < GENERIC:
            continue
        chunk = text[match.end():match.end() + 24]
        if is_noise(page.owner(match.start())):
            continue
        chunk = re.sub(r"^(\d{1,2}-\d{1,2})(\d{1,2}:\d\d)", r"\1 \2", chunk.strip())  # '10-0812:00'
        value = _parse_relative(chunk.split("  ")[0], current)
        value = _plausible(value, current)
        if value is not None:
            return value
    return None


RELATIVE_ONLY = re.compile(r"^\s*(?:" + RELATIVE.pattern + "|" + DAY_WORD.pattern + r"|刚刚|刚才)\s*$")


def _byline_relative(page: PageText, anchor: int | None, current: datetime, is_noise: NoiseCheck) -> datetime | None:
    """A relative date standing alone in its element ('<em id="publish_time">昨天</em>') in the
    byline zone right after the headline: the article's date, shown relative to the fetch time.
    Unlabelled relative dates elsewhere (comment times, related lists) are never taken."""
    from crawlers.extraction.metadata import text_head

    if anchor is None:
        return None
    for offset, owner in page.owners:
        if offset < anchor:
            continue
        if offset > anchor + BYLINE_ZONE:
            break
        if owner is None or is_noise(owner):
            continue
        text = fold(text_head(owner, 24)) if isinstance(owner.tag, str) else ""  # longer: never a date alone
        if len(text) <= 24 and RELATIVE_ONLY.match(text):
            return _plausible(_parse_relative(text.strip(), current), current)
    return None


def _script_dates(tree, current: datetime) -> list[datetime]:
    """Publish timestamps in the page's inline scripts (JS variables, inline JSON), in page order."""
    found = []
    for script in tree.xpath(X.INLINE_SCRIPTS):
        for match in X.SCRIPT_DATE.finditer(str(script)):
            value = parse_date(match["value"], current)
            if value is not None:
                found.append(value)
    return found


def _with_script_time(shown: datetime | None, scripts: list[datetime], known_now: bool) -> datetime | None:
    """The exact publish time for a relative or year-less date shown on the page.

    Such a date was rendered from the publisher's timestamp at fetch time, and page scripts
    often still carry that timestamp: the first one falling on the shown day is returned. When
    the fetch time is unknown (no ``now``), the shown date cannot be resolved at all, so the
    first script timestamp is the only absolute evidence; with nothing shown, it is used too.
    """
    if shown is None:
        return scripts[0] if scripts else None
    for value in scripts:
        if value.date() == shown.date():
            return value
    if not known_now and scripts:
        return scripts[0]
    return shown
