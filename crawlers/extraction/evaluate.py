"""`yuqing eval extraction`: body bigram F1 and date day-accuracy on real pages, with pinned floors.

Data: ``../shared/data/extraction/chinese_web_content_extraction`` (69 pages, hand-made ground
truth) and ``gne_testpages`` (62 news pages, robustness only). The held-out score: publish day and
headline on 31 of the gne_testpages pages (every 2nd by sorted path), labelled by hand in
``heldout_truth.yaml``; nothing in the extractor was tuned on them. The fresh held-out score: the
same on the other 31 pages (``heldout2_truth.yaml``), labelled before the date rules were
generalised after the first held-out measurement, and never run through the extractor until then.
The floors live in ``floors.yaml`` next to this module; ``--raise-floors`` moves them up to the
measured values (never down). trafilatura and htmldate are measured on the same pages when installed.

Labelled set: body F1 0.957, dates 48/51 (unchanged by the rules below). The three date misses
were checked by hand; in each the page's own evidence supports our answer, so no general rule
should "fix" them. The first two are labels the page proves wrong: ``date_errata.yaml`` corrects
them, with the evidence, and the evaluation prints the accuracy on the corrected labels beside
the shipped figure (50/51 = 0.980; the third stays a miss, being one of two defensible readings):
- 05e98007: truth 2005-05-07 reads '发布日期：7/5/2005 9:23:57 PM' day first, but the body says
  '【看中国2005年07月03日报道】', so only 5 July (our answer, US order) is possible.
- d5bced5e (a wiki page): truth 2020-04-17 is the date stamped on two maintenance banners; we
  return the page's declared JSON-LD datePublished (2011-06-17).
- e8847578 (a government notice): truth 2022-01-27 is the 成文日期; the page's 发布日期 and its
  PubDate meta both say 2022-01-28, which we return (the publication moment is what the
  response clocks need).

Fresh sample from outside ../shared/data (a one-off measurement, not part of this command: the
pages belong to other public repositories and are not copied into the project). 21 real Chinese
article pages from 17 sites, taken from the test fixtures of other extractors' repositories
(newspaper4k, goose3, cx-extractor, cx-extractor-python, GerapyAutoExtractor, PulsarRPA,
readability's gmw page, magic-html's benchmark, a scrapy project's mee.gov.cn page): news
portals 2009-2024, a WordPress blog, a government weekly roundup. Publish day and headline were
labelled by hand before either tool ran. First measurement of each page: days 20/21 = 0.952
(htmldate 17/21 = 0.810), titles 21/21. The first 9 pages were measured before the English-order
date rule and the other 12 after it; the one miss (a blog's '十一月 6th, 2009', a Chinese month name
in an English format) is what that rule reads, so all 21 days are right now.

Held-out, first sample: when first measured 28/31 days (htmldate 29/31), 30/31 titles. Its misses
were of two kinds, which two general date rules now cover (unit tests on hand-written snippets in
tests/extraction/test_extraction_date_context.py; no rule names a site):
- the date line sat in the headline's own <aside> (gamersky), skipped as a sidebar: a noise
  container that holds the headline element is no longer noise for dates;
- the only visible date was a bare relative 昨天 (readhub, wechat) with the exact time in page
  scripts: a relative date standing alone in its element in the byline zone under the headline
  counts, and an inline-script publish timestamp (ct, publish_time, pubDate, publishDate,
  datePublished, create_time, ...) on the same day replaces it (the script timestamp wins outright
  when the fetch time is unknown, and is used when no date is shown at all).
After the change: 31/31 days, 30/31 titles. Remaining miss:
- zsnews title: there is no headline element, and <title> keeps the source unit after the headline.

Held-out, fresh sample (``heldout2_truth.yaml``: the other 31 pages, positions 2, 4, 6, ...),
labelled by hand before the rules above were written and measured once after: 29/31 days
(htmldate 30/31), 25/31 titles -- below the first sample: the never-tuned figures. Misses then:
- baijiahao/3 date: shown as '18-03-08 23:16' (two-digit year), which no rule parses; the meta
  carrying the full date is named dateUpdate, which is not read as a publication date.
- qq/qq date: the shown date is split over separate elements (2019 | 09/07 | 19:02), so no full
  date is found and the first body date (2009-05-14, a death date) wins over the script pubtime.
  Both date misses then guided two more date forms (unit tests in test_extraction_dates.py), so
  the sample now scores 31/31 days and its date figure is no longer a never-tuned one either:
  a two-digit year right after a publication or generic date label ('发布时间：18-03-0823:16';
  never bare in the text), and a year standing before month/day and a time ('2019  09/07  19:02').
- ednchina, gsc titles: the headline is an h4/h5, outside h1-h3; the <title> fallback keeps the
  site name ('-EDN 电子技术设计' without spaces) or is the channel name only ('新闻动态--…').
- sxmu, xinhuanet, zyyfy titles: no heading element; <title> keeps the site after '-' without
  spaces or after a plain space.
- toutiao/2 title: the h2 starts with a 原创 badge (<span>原创</span>) that is taken as headline text.

Titles, after the title rules (metadata.find_title; unit tests in test_extraction_titles.py, no
rule names a site): h1-h6 candidates scored by closeness to og:title/<title> (exact, prefix or
segment beats a substring; a substring must cover half the reference); badge children (原创, 置顶,
独家, ...) dropped from the headline; the <title> fallback splits on _ | ｜ - – — · (not a hyphen
inside ASCII words), drops segments that end like a site name (网, 新闻, 频道, 官网, 日报, 政府,
门户, ...), are one of the page's own link texts, or are short and end like >= 3 short link texts
(工作动态/学术动态 -> 新闻动态), keeps the longest, then drops site/owner words after a plain space
(某某医院, 东区办事处); a <title> that is only site/channel names falls back to the longest heading
that is not a link list. The fresh gne sample's title figure after this change (31/31, first
sample 31/31) is NO LONGER a never-tuned figure: its misses guided these rules. The never-tuned
title measure was the labelled set's title_truth.yaml (69 pages, labelled by hand before the rules
and before our extractor ran on them for titles): 36/69 = 0.522 before, 38/69 = 0.551 after,
measured once (trafilatura's metadata title: 15/69 = 0.217). Those two are its never-tuned
figures; see below for the rule its misses then guided. Side effects of the new titles:
body F1 0.957 -> 0.956 (within its floor); the first held-out sample's zsnews headline (no
heading element) is now found in the page text, and the date opening its body ('2019年2月27日下午，…',
the visit) fell inside the byline zone, which reached 40 characters into the body. The zone now ends
where the body starts (a date that opens the body is the story's), so the 发布日期 below the article
wins again: days 31/31, every other figure unchanged.

The headline above the body (metadata.title_and_support/headline_above_body,
content.Body.above; unit tests on hand-written snippets in test_extraction_titles.py, no
rule names a site). This rule was written from the labelled set's title misses listed then, so
the labelled set's title figure is NO LONGER a never-tuned measure (first measured 36/69, 38/69
after the earlier title rules, both never-tuned). Rule: when no heading matches og:title/<title>
and <title> gives only names -- nothing but site/channel names, a piece shorter than 5
characters, or a piece the page never shows outside <title> (a blog/site name set by the
template) -- take the nearest text block above the body start (the body's first block with a
full stop or longer than 80 characters; short lines at the head of the body count as above it)
that is 5-80 characters, not a link or link list, not a metadata/byline/date/reporter line
(META_LINE, the byline test, REPORTER_LINE, DATE_ONLY_LINE) or breadcrumb/navigation line
(NAV_LINE), not a site name, and emphasised: a headline class/id (title, tit, bt, biaoti,
headline, heading, subject) on its element or a short wrapper, or b/strong/big/h1-h6,
<font size> >= 4 or an inline style with a larger font-size or bold weight around or inside it.
Without such a block the answer is what it was. The date rules keep anchoring on the
heading/<title> headline: on 35687fb1 the new (right) headline moves the byline zone onto a
comment's date (the post's own date, 'Saturday, September 10th, 2005 10:56 am', stands above the
headline, outside the byline zone; English dates are parsed since the fresh sample below), and
the label there is the page header's date. After the change: titles 52/69 =
0.754, body F1 0.956 -> 0.958, dates 48/51; both gne samples still 31/31 titles and 31/31 days.
Remaining title misses:
- 064b591b, b828b656: the headline is a link (postTitle/TitleUrl); links are never taken.
  064b591b takes a sidebar box title (评论排行榜) above the body instead.
- c3f7d079: the report's cover lines sit in the body head; the nearest bold line is the
  author unit (…课题组), above it the headline.
- c2d9f85c, d519ec93: forum thread; the subject row is only coloured (no emphasis) and sits
  below the forum's header row where the body starts.
- c38e2b2d: the bold headline is a link; the body's first line repeats it unemphasised.
- d02c66a2: <title> 'Joel on Software - 标题': the spaced site name is the longest segment.
- 36efbc69: the headline itself holds ' | ' (书记市长这一周 | ...); the longest segment is kept.
- 93498c29: the headline itself holds '—'; the longest segment is kept.
- e3f3b532: <title> '投身外交(3)<U+E004>_读书频道_新浪网' (a private-use character glued to the
  headline) is not shown as such, so the nearest bold line above the body (the book's
  连载/出版社/作者 line) is taken.
- 386d70f8, b70f455d (labelled null): an error page and a chapter page; an error message and a
  bold chapter line are returned.
- 54e89e4e: a comment h4 matches nothing but is taken as the longest plain heading.
- 500b350d: og:title holds literal markup ('<div>——...'), cut at the markup.
- 6dc2d508, a6e8b739: forum subject with a label (主题:) or '<title> :: null'.
- d5bced5e: wiki h1 '金锺国' (3 characters, below the 4-character heading minimum).

Page widgets at the head and foot of the body (``FURNITURE_LINE``, more ``TAIL_STOP`` markers and
the two-line 'outlet over its date' byline in content.trim): found by reading the first and last
lines of the body on all 62 gne_testpages pages, which have no body truth (the body rules had
never looked at them). 25 of 62 bodies began or ended with widgets: 收藏/举报 buttons (toutiao),
推荐99 and +1 counters (ifeng, xinhuanet), 【】【】 and a BOM (zsnews, zyyfy), the author's other
posts and a 设为首页/ICP footer (baijiahao), 特别声明/跟贴 (163), 正文已结束 (qq), 联系我们 and
contact lines (gsc), 主办单位 (gov.cn), app prompts (sina), outlet/writer over a date line
(thepaper), a split date (qq). Measured before and after, on pages the rules were not written
from: the labelled set's body F1 0.958 -> 0.960 (064b591b 0.974 -> 1.000: a blog's 相关内容 and
comment bar; a0cb0242 0.938 -> 0.997: （责任编辑：…）, 【推荐】【关闭】 and a copyright notice; no page
lower). Agreement with GNE's own output on its 20 silver pages (which has errors of its own):
mean bigram F1 0.952 -> 0.967. Guards in tests/extraction/test_extraction_furniture.py keep body
lines that only mention a widget word, and a short name over a paragraph that opens with a date.
Then, from the sandbox's own article pages read back by the general extractor
(tests/extraction/test_extraction_sandbox.py): a paragraph that opens with a label word and goes on
as a sentence ('记者从津门晚报获悉，…') is body, not a 记者 metadata line (it was dropped from the
head of the body); the 当前位置 breadcrumb and a head line that is the headline with a few characters
more ('热点｜' + headline) are not body. Labelled set 0.960 -> 0.961 (f51248cc 0.905 -> 0.980: its
paragraphs opening with 记者; 36efbc69 1.000 -> 0.995: its truth keeps the '栏目 | headline' line and
the date under it, which the body leaves out on every page); sandbox portal pages 0.880 -> 0.986.
"""

from __future__ import annotations

import argparse
import json
import re
import time
import unicodedata
from collections import Counter
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

from yuqing.columns import ljust, rjust

PROJECT_ROOT = Path(__file__).resolve().parents[2]
DATA_ROOT = PROJECT_ROOT.parent / "shared" / "data" / "extraction"
GROUND_SET = DATA_ROOT / "chinese_web_content_extraction"
ROBUSTNESS_SET = DATA_ROOT / "gne_testpages"
SHARED_DATA = DATA_ROOT.parent
FLOORS_FILE = Path(__file__).with_name("floors.yaml")
HELDOUT_FILE = Path(__file__).with_name("heldout_truth.yaml")
# The fresh sample: the other half of gne_testpages, labelled before the date rules were generalised.
HELDOUT2_FILE = Path(__file__).with_name("heldout2_truth.yaml")
# Headlines of the labelled set (its own ground truth has none), labelled by hand before any title change.
TITLE_TRUTH_FILE = Path(__file__).with_name("title_truth.yaml")
# Authors of all 62 gne_testpages pages, labelled by hand before any author rule was written; the
# first sample (heldout_sample start 0) then guided the rules, the second never did.
AUTHOR_TRUTH_FILE = Path(__file__).with_name("author_truth_gne.yaml")
# Publish days of the labelled set that the page itself proves wrong, with the evidence.
ERRATA_FILE = Path(__file__).with_name("date_errata.yaml")
HELDOUT_STEP = 2  # every 2nd page of gne_testpages by sorted relative path: first sample from the
# first page (positions 1, 3, 5, ...), the fresh sample from the second (positions 2, 4, 6, ...)
# The two hand-labelled gne samples: floor-key prefix, truth file, printed heading, miss label.
AUTHOR_HELDOUTS = (  # the same two samples (heldout_truth.yaml, heldout2_truth.yaml) scored for authors
    ("heldout", "作者留出集一（gne_testpages 每 2 页取 1 页，{pages} 页，先人工标注；首测 7/31，其漏判随后指导过作者规则）"),
    ("heldout2", "作者留出集二（另一半 {pages} 页，先人工标注，从未据其调整规则；作者规则之前 7/31）"),
)
HELDOUT_SAMPLES = (
    ("heldout", HELDOUT_FILE,
     "留出集一（gne_testpages 每 {step} 页取 1 页，{pages} 页人工标注；其漏判指导过日期与标题规则）", "留出集未命中"),
    ("heldout2", HELDOUT2_FILE,
     "第二留出集（另一半 {pages} 页，先人工标注；首测日期 29/31、标题 25/31，其漏判随后指导过规则）", "第二留出集未命中"),
)
DAY = re.compile(r"^\d{4}-\d{2}-\d{2}$")
FULL_DATE = re.compile(r"^\s*(\d{4})-(\d{1,2})-(\d{1,2})")
MIN_CONTENT = 50  # characters of body below which a robustness page counts as empty


def _floor_check(value) -> str | None:
    return None if 0.0 <= value <= 1.0 else "应在 0 到 1 之间"


def floors_schema():
    from yuqing.config import Field

    def floor(help_text: str) -> Field:
        return Field(float, required=True, check=_floor_check, help=help_text)

    return {
        "body_f1": floor("正文字符二元组 F1 下限（69 页平均）"),
        "date_accuracy": floor("发布日期按日准确率下限（51 页）"),
        "date_accuracy_corrected": floor("按 date_errata.yaml 勘误后的发布日期按日准确率下限"),
        "robust_content_share": floor("gne_testpages 中正文非空（≥50 字）页面比例下限"),
        "heldout_date_accuracy": floor("留出集（gne_testpages 奇数位抽样；其漏判指导过日期与标题规则）发布日期按日准确率下限"),
        "heldout_title_accuracy": floor("留出集标题准确率下限（规范化后完全一致）"),
        "heldout2_date_accuracy": floor("第二留出集（gne_testpages 另一半，先标注后改规则）发布日期按日准确率下限"),
        "heldout2_title_accuracy": floor("第二留出集标题准确率下限"),
        "title_accuracy": floor("标注集 69 页标题准确率下限（title_truth.yaml；其漏判指导过标题规则）"),
        "heldout_author_accuracy": floor("作者留出集一（author_truth_gne.yaml 前一半；其漏判指导过作者规则）作者准确率下限"),
        "heldout2_author_accuracy": floor("作者留出集二（author_truth_gne.yaml 另一半，从未据其调整规则）作者准确率下限"),
        "author_accuracy": floor("标注集标有作者的 50 页作者准确率下限（author_ground.json；其漏判指导过作者规则）"),
    }


def load_floors(path: Path = FLOORS_FILE) -> dict:
    from yuqing.config import load

    return load(path, floors_schema())


def bigrams(text: str) -> Counter:
    """Character bigrams of ``text`` with all whitespace removed."""
    compact = re.sub(r"\s+", "", text or "")
    return Counter(compact[i:i + 2] for i in range(len(compact) - 1))


def bigram_f1(predicted: str, truth: str) -> float:
    """F1 of the character-bigram multisets of two texts (0 when either is empty)."""
    pred, gold = bigrams(predicted), bigrams(truth)
    overlap = sum((pred & gold).values())
    if not overlap:
        return 0.0
    precision, recall = overlap / sum(pred.values()), overlap / sum(gold.values())
    return 2 * precision * recall / (precision + recall)


def truth_day(value: str) -> str | None:
    """'2005-5-7 21:23:57' -> '2005-05-07'; partial or unknown dates -> None."""
    match = FULL_DATE.match(value or "")
    if not match:
        return None
    return f"{int(match[1]):04d}-{int(match[2]):02d}-{int(match[3]):02d}"


def _mean(values: list[float] | list[bool]) -> float:
    return sum(values) / len(values) if values else 0.0


@dataclass
class Scores:
    """Per-system results over the ground-truth set."""

    f1: list[float] = field(default_factory=list)
    day_hits: list[bool] = field(default_factory=list)
    corrected_hits: list[bool] = field(default_factory=list)  # against the labels with date_errata.yaml
    titles: dict[str, str | None] = field(default_factory=dict)  # page id -> our headline (for score_titles)
    authors: dict[str, str | None] = field(default_factory=dict)  # page id -> our author (for score_authors)
    seconds: float = 0.0

    @property
    def body_f1(self) -> float:
        return _mean(self.f1)

    @property
    def date_accuracy(self) -> float:
        return _mean(self.day_hits)

    @property
    def corrected_date_accuracy(self) -> float:
        return _mean(self.corrected_hits)

    def score_day(self, found: str | None, page: dict) -> None:
        """Count a found day against the shipped label and against the corrected one."""
        if page["day"]:
            self.day_hits.append(found == page["day"])
        if page["corrected_day"]:
            self.corrected_hits.append(found == page["corrected_day"])


def errata_schema():
    from yuqing.config import Field

    page = {
        "page": Field(str, required=True, help="chinese_web_content_extraction/original 下的页面 id（不含 .html）"),
        "labelled": Field(str, required=True, check=_day_check, help="原标注的发布日"),
        "corrected": Field(str, required=True, check=_day_check, help="页面证明的发布日"),
        "evidence": Field(str, required=True, help="页面中的证据"),
    }
    return {"pages": Field(list, required=True, item=page)}


def load_errata(path: Path = ERRATA_FILE) -> dict[str, dict]:
    """The date corrections: page id -> {labelled, corrected, evidence}."""
    from yuqing.config import load

    return {p["page"]: p for p in load(path, errata_schema())["pages"]}


def apply_errata(pages: list[dict], errata: dict[str, dict]) -> None:
    """Set each page's ``corrected_day``; an erratum whose page or label is not as stated is an error."""
    from yuqing.errors import YuqingError

    by_id = {page["id"]: page for page in pages}
    for page_id, fix in errata.items():
        page = by_id.get(page_id)
        if page is None or page["day"] != fix["labelled"]:
            found = "页面不存在" if page is None else f"原标注为 {page['day']}"
            raise YuqingError(f"{ERRATA_FILE.name}: {page_id} 的勘误与数据不符（{found}，勘误写 {fix['labelled']}）")
    for page in pages:
        fix = errata.get(page["id"])
        page["corrected_day"] = fix["corrected"] if fix else page["day"]


def load_ground(root: Path = GROUND_SET) -> list[dict]:
    """Pages with their truth: id, raw bytes, body, day (or None) and author; ``corrected_day`` is
    the day after date_errata.yaml (set by :func:`apply_errata`, the shipped day until then)."""
    bodies = json.loads((root / "eval" / "cleaned_ground.json").read_text(encoding="utf-8"))
    dates = json.loads((root / "eval" / "date_ground.json").read_text(encoding="utf-8"))
    authors = json.loads((root / "eval" / "author_ground.json").read_text(encoding="utf-8"))
    pages = []
    for page_id in sorted(bodies):
        path = root / "original" / f"{page_id}.html"
        if not path.exists():
            continue
        day = truth_day(dates.get(page_id, {}).get("articleBody", ""))
        pages.append({
            "id": page_id,
            "raw": path.read_bytes(),
            "body": bodies[page_id]["articleBody"],
            "day": day,
            "corrected_day": day,
            "author": authors.get(page_id, {}).get("articleBody", "").strip(),
        })
    return pages


def _optional(module: str):
    """A baseline module, or None when it is not installed."""
    import importlib

    try:
        return importlib.import_module(module)
    except ImportError:
        return None


def _htmldate_day(htmldate, raw: bytes) -> str | None:
    """htmldate's publish day for a page, as our evaluation runs it; a baseline crash is no date."""
    try:
        return htmldate.find_date(raw, original_date=True, extensive_search=True)
    except Exception:  # noqa: BLE001 - a baseline crash counts as a miss
        return None


def _day_of(article) -> str | None:
    return article.published_at.date().isoformat() if article.published_at else None


def score_ours(pages: list[dict], details: list | None = None) -> Scores:
    from crawlers.extraction import extract

    scores = Scores()
    started = time.perf_counter()
    for page in pages:
        article = extract(page["raw"])
        f1 = bigram_f1(article.content, page["body"])
        scores.f1.append(f1)
        day = _day_of(article)
        scores.score_day(day, page)
        scores.titles[page["id"]] = article.title
        scores.authors[page["id"]] = article.author
        if details is not None:
            details.append((page["id"], f1, page["day"], day))
    scores.seconds = time.perf_counter() - started
    return scores


def score_baselines(pages: list[dict]) -> tuple[Scores | None, Scores | None]:
    """trafilatura (favor_recall=True) body F1 and htmldate day accuracy, when installed."""
    trafilatura, htmldate = _optional("trafilatura"), _optional("htmldate")
    traf = hd = None
    if trafilatura is not None:
        traf = Scores()
        started = time.perf_counter()
        for page in pages:
            traf.f1.append(bigram_f1(trafilatura.extract(page["raw"], favor_recall=True) or "", page["body"]))
        traf.seconds = time.perf_counter() - started
    if htmldate is not None:
        hd = Scores()
        started = time.perf_counter()
        for page in pages:
            if page["day"]:  # corrected_day is set exactly when day is (an erratum corrects a label)
                hd.score_day(_htmldate_day(htmldate, page["raw"]), page)
        hd.seconds = time.perf_counter() - started
    return traf, hd


@dataclass
class Robustness:
    """Extractor behaviour on pages without ground truth."""

    pages: int = 0
    errors: list[str] = field(default_factory=list)
    with_title: int = 0
    with_content: int = 0
    with_date: int = 0
    with_author: int = 0
    future_dates: int = 0

    @property
    def content_share(self) -> float:
        return self.with_content / self.pages if self.pages else 0.0


def robustness(root: Path = ROBUSTNESS_SET) -> Robustness:
    from crawlers.extraction import extract

    result = Robustness()
    for path in sorted((root / "tests").rglob("*.html")):
        result.pages += 1
        try:
            article = extract(path.read_bytes())
        except Exception as exc:  # noqa: BLE001 - counted and reported, the run goes on
            result.errors.append(f"{path.relative_to(root)}: {type(exc).__name__}: {exc}")
            continue
        result.with_title += bool(article.title)
        result.with_content += len(article.content) >= MIN_CONTENT
        result.with_date += article.published_at is not None
        result.with_author += bool(article.author)
    return result


def _day_check(value) -> str | None:
    return None if DAY.match(value) else "应为 'YYYY-MM-DD'（上海时间的发布日）"


def _instant_check(value) -> str | None:
    from datetime import datetime

    try:
        return None if datetime.fromisoformat(value).tzinfo else "应带时区，如 2020-02-13T22:37:46+08:00"
    except ValueError:
        return "应为 ISO 8601 时间，如 2020-02-13T22:37:46+08:00"


def _null_dates_explained(pages) -> str | None:
    unexplained = [p["page"] for p in pages if p["date"] is None and not p["note"]]
    return f"date 为 null 的页面须写 note 说明原因: {unexplained[0]}" if unexplained else None


def heldout_schema():
    from yuqing.config import Field

    page = {
        "page": Field(str, required=True, help="页面路径，相对于 ../shared/data"),
        "date": Field(str, check=_day_check, help="页面显示的发布日（上海时间），无则 null 并写 note"),
        "title": Field(str, required=True, help="页面上文章的大标题"),
        "fetched_at": Field(str, check=_instant_check, help="页面自身记录的保存时间，作为 now 传给抽取器"),
        "note": Field(str, default="", help="标注依据"),
    }
    return {
        "sample_rule": Field(str, required=True, help="抽样规则"),
        "pages": Field(list, required=True, item=page, check=_null_dates_explained),
    }


def load_heldout(path: Path = HELDOUT_FILE) -> list[dict]:
    """The hand-labelled held-out pages: page (relative to ../shared/data), date, title, fetched_at."""
    from yuqing.config import load

    return load(path, heldout_schema())["pages"]


def _null_titles_explained(pages) -> str | None:
    unexplained = [p["id"] for p in pages if p["title"] is None and not p["note"]]
    if unexplained:
        return f"title 为 null 的页面须写 note 说明原因: {unexplained[0]}"
    ids = [p["id"] for p in pages]
    repeated = sorted({i for i in ids if ids.count(i) > 1})
    return f"页面 id 重复: {repeated[0]}" if repeated else None


def title_truth_schema():
    from yuqing.config import Field

    page = {
        "id": Field(str, required=True, help="chinese_web_content_extraction/original 下的页面 id（不含 .html）"),
        "title": Field(str, help="页面上文章的大标题；页面没有文章标题时为 null 并写 note"),
        "note": Field(str, default="", help="标注依据"),
    }
    return {"pages": Field(list, required=True, item=page, check=_null_titles_explained)}


def load_title_truth(path: Path = TITLE_TRUTH_FILE) -> dict[str, str | None]:
    """Hand-labelled headlines of the labelled set: page id -> title (None: the page shows none)."""
    from yuqing.config import load

    return {p["id"]: p["title"] for p in load(path, title_truth_schema())["pages"]}


def heldout_sample(root: Path = ROBUSTNESS_SET, start: int = 0) -> list[str]:
    """The sampling rule, applied: every HELDOUT_STEP-th page by sorted path from index ``start``
    (0: the first sample, 1: the fresh one), relative to ../shared/data."""
    paths = sorted(str(p.relative_to(root.parent.parent)) for p in (root / "tests").rglob("*.html"))
    return paths[start::HELDOUT_STEP]


def normalize_title(text: str | None) -> str:
    """NFKC (full-width ASCII forms fold to ASCII) with all whitespace removed; nothing else."""
    import unicodedata

    return re.sub(r"\s+", "", unicodedata.normalize("NFKC", text or ""))


def title_match(found: str | None, truth: str) -> bool:
    """A hit is an exact match after ``normalize_title``: a site suffix or a missing word is a miss."""
    return bool(found) and normalize_title(found) == normalize_title(truth)


@dataclass
class HeldOut:
    """Publish day and title on hand-labelled pages the extractor was never tuned on."""

    day_hits: list[bool] = field(default_factory=list)
    title_hits: list[bool] = field(default_factory=list)
    baseline_hits: list[bool] | None = None
    misses: list[str] = field(default_factory=list)
    authors: dict[str, str | None] = field(default_factory=dict)  # page -> our author (for score_heldout_authors)

    @property
    def pages(self) -> int:
        return len(self.day_hits)

    @property
    def date_accuracy(self) -> float:
        return _mean(self.day_hits)

    @property
    def title_accuracy(self) -> float:
        return _mean(self.title_hits)

    @property
    def baseline_accuracy(self) -> float | None:
        return None if self.baseline_hits is None else _mean(self.baseline_hits)


def score_heldout(truth: list[dict], baseline: bool = True, data: Path = SHARED_DATA) -> HeldOut:
    """Same-day date accuracy (a page labelled ``date: null`` is a hit only when no date is found)
    and title accuracy (``title_match``) of our extractor; htmldate's day accuracy when installed."""
    from datetime import datetime

    from crawlers.extraction import extract

    htmldate = _optional("htmldate") if baseline else None
    result = HeldOut(baseline_hits=[] if htmldate is not None else None)
    for entry in truth:
        raw = (data / entry["page"]).read_bytes()
        now = datetime.fromisoformat(entry["fetched_at"]) if entry["fetched_at"] else None
        article = extract(raw, now=now)
        day = _day_of(article)
        result.day_hits.append(day == entry["date"])
        result.title_hits.append(title_match(article.title, entry["title"]))
        result.authors[entry["page"]] = article.author
        name = entry["page"].removeprefix("extraction/gne_testpages/tests/")
        if day != entry["date"]:
            result.misses.append(f"{name} 日期 {entry['date'] or '无'} / 抽得 {day or '无'}")
        if not result.title_hits[-1]:
            result.misses.append(f"{name} 标题 {entry['title']} / 抽得 {article.title or '无'}")
        if htmldate is not None:
            result.baseline_hits.append(_htmldate_day(htmldate, raw) == entry["date"])
    return result


@dataclass
class Hits:
    """Accuracy of one labelled field (headlines, authors) over its pages, ours and the baseline's;
    a page labelled null is a hit only when nothing is found."""

    hits: list[bool] = field(default_factory=list)
    baseline_hits: list[bool] | None = None
    misses: list[str] = field(default_factory=list)

    @property
    def accuracy(self) -> float:
        return _mean(self.hits)

    @property
    def baseline_accuracy(self) -> float | None:
        return None if self.baseline_hits is None else _mean(self.baseline_hits)


def _title_hit(found: str | None, truth: str | None) -> bool:
    return not found if truth is None else title_match(found, truth)


@lru_cache(maxsize=256)
def _trafilatura_metadata(trafilatura, raw: bytes):
    """trafilatura's metadata of a page, read once for its title and author baselines (None on a crash)."""
    try:
        return trafilatura.extract_metadata(raw)
    except Exception:  # noqa: BLE001 - a baseline crash counts as a miss
        return None


def _field_hits(rows, match, label: str, attribute: str, baseline: bool) -> Hits:
    """Accuracy of one labelled field: ``rows`` are (page name, expected, ours, a function giving the
    page's bytes); trafilatura's metadata ``attribute``, when installed and ``baseline``, beside ours."""
    trafilatura = _optional("trafilatura") if baseline else None
    result = Hits(baseline_hits=[] if trafilatura is not None else None)
    for name, expected, found, raw in rows:
        result.hits.append(match(found, expected))
        if not result.hits[-1]:
            result.misses.append(f"{name} {label} {expected or '无'} / 抽得 {found or '无'}")
        if trafilatura is not None:
            metadata = _trafilatura_metadata(trafilatura, raw())
            result.baseline_hits.append(match(getattr(metadata, attribute, None), expected))
    return result


def score_titles(
    pages: list[dict], truth: dict[str, str | None], ours: dict[str, str | None], baseline: bool = True
) -> Hits:
    """Our headlines (``ours``: page id -> title, from :func:`score_ours`) and trafilatura's metadata
    title, when installed, against title_truth.yaml."""
    rows = [(page["id"][:8], truth[page["id"]], ours[page["id"]], lambda page=page: page["raw"])
            for page in pages if page["id"] in truth]
    return _field_hits(rows, _title_hit, "标题", "title", baseline)


def normalize_author(text: str | None) -> str:
    """Names compared as a set of words: NFKC, separators (spaces, 、，,) alike."""
    return " ".join(re.split(r"[\s、，,;；]+", unicodedata.normalize("NFKC", text or "").strip())).strip()


def author_match(found: str | None, truth: str | None) -> bool:
    """A hit is the same names in the same order (a missing or an extra name is a miss); a page
    without a credited author (``truth`` None) is a hit only when none is returned."""
    return not found if truth is None else normalize_author(found) == normalize_author(truth)


def score_authors(pages: list[dict], ours: dict[str, str | None], baseline: bool = True) -> Hits:
    """Our authors (``ours``: page id -> author, from :func:`score_ours`) and trafilatura's metadata
    author against author_ground.json, on the pages that name one (``UNKNOWN`` pages are left out)."""
    rows = [(page["id"][:8], page["author"], ours[page["id"]], lambda page=page: page["raw"])
            for page in pages if page["author"] and page["author"].upper() != "UNKNOWN"]
    return _field_hits(rows, author_match, "作者", "author", baseline)


def _author_roles(pages) -> str | None:
    for page in pages:
        if page["role"] not in (None, "writer", "editor"):
            return f"{page['page']}: role 应为 writer、editor 或 null，实际是 {page['role']!r}"
        if (page["author"] is None) != (page["role"] is None):
            return f"{page['page']}: author 与 role 须同为 null 或同不为 null"
    return None


def author_truth_schema():
    from yuqing.config import Field

    page = {
        "page": Field(str, required=True, help="相对 ../shared/data 的页面路径"),
        "author": Field(str, help="署名的作者（多人以空格分隔）；无作者署名时为责任编辑；都没有时为 null"),
        "role": Field(str, help="writer（作者/记者）、editor（编辑）或 null"),
        "note": Field(str, default="", help="标注依据"),
    }
    return {"pages": Field(list, required=True, item=page, check=_author_roles)}


def load_author_truth(path: Path = AUTHOR_TRUTH_FILE) -> dict[str, str | None]:
    """Hand-labelled authors of gne_testpages: page path (relative to ../shared/data) -> author."""
    from yuqing.config import load

    return {p["page"]: p["author"] for p in load(path, author_truth_schema())["pages"]}


def score_heldout_authors(truth: dict[str, str | None], ours: dict[str, str | None], baseline: bool = True,
                          data: Path = SHARED_DATA) -> Hits:
    """Our authors (``ours``: page -> author, from :func:`score_heldout`) and trafilatura's metadata
    author against ``truth``."""
    rows = [(path.removeprefix("extraction/gne_testpages/tests/"), truth[path], found,
             lambda path=path: (data / path).read_bytes()) for path, found in ours.items()]
    return _field_hits(rows, author_match, "作者", "author", baseline)


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--no-baselines", action="store_true", help="不运行 trafilatura/htmldate 对比")
    parser.add_argument("--details", action="store_true", help="逐页打印 F1 与日期")
    parser.add_argument(
        "--raise-floors", action="store_true", help="把 floors.yaml 中的下限提高到本次测得值（只升不降）"
    )


def print_hits(heading: str, hits: Hits, miss_label: str, details: bool) -> None:
    """One line: accuracy beside trafilatura's; with ``details`` the misses below it."""
    versus = "" if hits.baseline_accuracy is None else f"（trafilatura {hits.baseline_accuracy:.3f}）"
    print(f"{heading}: 准确率 {hits.accuracy:.3f}{versus}")
    if details:
        for line in hits.misses:
            print(f"  {miss_label}: {line}")


def run(args: argparse.Namespace) -> int:
    from yuqing.errors import YuqingError

    if not GROUND_SET.exists():
        raise YuqingError(f"评测数据不存在: {GROUND_SET}", hint="评测数据位于项目目录旁的 ../shared/data")
    floors = load_floors()
    pages = load_ground()
    errata = load_errata()
    apply_errata(pages, errata)
    details: list = []
    ours = score_ours(pages, details if args.details else None)
    traf, hd = (None, None) if args.no_baselines else score_baselines(pages)
    titles = score_titles(pages, load_title_truth(), ours.titles, baseline=not args.no_baselines)
    authors = score_authors(pages, ours.authors, baseline=not args.no_baselines)
    robust = robustness() if ROBUSTNESS_SET.exists() else None
    heldouts = [
        (key, path, heading, miss, score_heldout(load_heldout(path), baseline=not args.no_baselines))
        for key, path, heading, miss in HELDOUT_SAMPLES
    ] if ROBUSTNESS_SET.exists() else []
    author_truth = load_author_truth() if heldouts else {}
    author_headings = dict(AUTHOR_HELDOUTS)
    heldout_authors = [  # the authors score_heldout extracted from the same pages
        (key, author_headings[key], score_heldout_authors(author_truth, sample.authors, baseline=not args.no_baselines))
        for key, _path, _heading, _miss, sample in heldouts
    ]

    if args.details:
        for page_id, f1, truth, found in details:
            mark = "" if truth is None else ("✓" if truth == found else "✗")
            print(f"{page_id[:8]}  F1 {f1:.3f}  日期 {truth or '-'} / {found or '-'} {mark}")
    dated = len(ours.day_hits)
    print(f"正文抽取评测（chinese_web_content_extraction，{len(pages)} 页；日期按日计，{dated} 页有完整日期）")
    def row(*cells) -> str:
        return ljust(cells[0], 24) + rjust(cells[1], 10) + rjust(cells[2], 14) + rjust(cells[3], 10)

    print(row("系统", "正文 F1", "日期准确率", "耗时(秒)"))
    print(row("yuqing", f"{ours.body_f1:.3f}", f"{ours.date_accuracy:.3f}", f"{ours.seconds:.1f}"))
    if traf is not None:
        print(row("trafilatura(召回优先)", f"{traf.body_f1:.3f}", "-", f"{traf.seconds:.1f}"))
    if hd is not None:
        print(row("htmldate", "-", f"{hd.date_accuracy:.3f}", f"{hd.seconds:.1f}"))
    versus = "" if hd is None else f"（htmldate {hd.corrected_date_accuracy:.3f}）"
    print(
        f"勘误后日期准确率（{ERRATA_FILE.name} 按页面自身证据更正 {len(errata)} 页标注，其余照原标注）: "
        f"{ours.corrected_date_accuracy:.3f}{versus}"
    )
    print_hits(f"标题（title_truth.yaml，{len(titles.hits)} 页人工标注；首测 36/69，其漏判随后指导过标题规则）",
               titles, "标题未命中", args.details)
    print_hits(f"作者（author_ground.json，{len(authors.hits)} 页标有作者；首测 4/50，其漏判随后指导过作者规则）",
               authors, "作者未命中", args.details)
    if robust is not None:
        print(
            f"稳健性（gne_testpages，{robust.pages} 页，无人工标注）: 异常 {len(robust.errors)}，"
            f"有标题 {robust.with_title}，正文≥{MIN_CONTENT}字 {robust.with_content}，"
            f"有日期 {robust.with_date}，有作者 {robust.with_author}"
        )
        for line in robust.errors:
            print(f"  异常: {line}")
    for _key, _path, heading, miss, sample in heldouts:
        versus = "" if sample.baseline_accuracy is None else f"（htmldate {sample.baseline_accuracy:.3f}）"
        print(
            f"{heading.format(pages=sample.pages, step=HELDOUT_STEP)}: "
            f"日期按日准确率 {sample.date_accuracy:.3f}{versus}，标题准确率 {sample.title_accuracy:.3f}"
        )
        if args.details:
            for line in sample.misses:
                print(f"  {miss}: {line}")
    for _key, heading, sample in heldout_authors:
        print_hits(heading.format(pages=len(sample.hits)), sample, "作者未命中", args.details)

    measured = {
        "body_f1": ours.body_f1,
        "date_accuracy": ours.date_accuracy,
        "date_accuracy_corrected": ours.corrected_date_accuracy,
        "title_accuracy": titles.accuracy,
        "author_accuracy": authors.accuracy,
    }
    if robust is not None:
        measured["robust_content_share"] = robust.content_share
    for key, _path, _heading, _miss, sample in heldouts:
        measured[f"{key}_date_accuracy"] = sample.date_accuracy
        measured[f"{key}_title_accuracy"] = sample.title_accuracy
    for key, _heading, sample in heldout_authors:
        measured[f"{key}_author_accuracy"] = sample.accuracy
    failures = [
        f"{key} {value:.3f} 低于下限 {floors[key]:.3f}" for key, value in measured.items() if value < floors[key]
    ]
    if robust is not None and robust.errors:
        failures.append(f"gne_testpages 有 {len(robust.errors)} 页抛出异常")
    print("下限（floors.yaml）: " + "，".join(f"{k} ≥ {v:.3f}" for k, v in floors.items()))
    if args.raise_floors and not failures:
        raised = raise_floors(floors, measured)
        print("已提高下限: " + ("，".join(raised) if raised else "无变化"))
    if failures:
        for line in failures:
            print(f"未达标: {line}")
        return 1
    print("全部达标")
    return 0


def raise_floors(floors: dict, measured: dict, path: Path = FLOORS_FILE) -> list[str]:
    """Rewrite floors.yaml with each floor moved up to the measured value rounded down; never down."""
    changed = []
    text = path.read_text(encoding="utf-8")
    for key, value in measured.items():
        new = int(value * 1000) / 1000
        if new > floors[key]:
            text = re.sub(rf"(?m)^{key}:\s*[0-9.]+", f"{key}: {new:.3f}", text)
            changed.append(f"{key} {floors[key]:.3f} → {new:.3f}")
    path.write_text(text, encoding="utf-8")
    return changed
