"""The base of every spider: sources from the sources file, requests with per-source limits,
errors counted by kind, article pages through per-source selectors with the general extractor
as fallback.

Arguments (``scrapy crawl news -a source=NAME``): ``source`` (one name or several, comma-separated;
default every enabled source of the spider's kind), ``sources`` (the sources file), ``sandbox``
(the base URL that fills ``{sandbox}``). Settings ``YUQING_SOURCES_FILE`` / ``YUQING_SANDBOX_URL``
do the same for ``yuqing crawl``.
"""

from __future__ import annotations

import logging
import urllib.parse
from datetime import datetime
from typing import Any, Iterable

import scrapy
from parsel import Selector
from scrapy import signals
from scrapy.exceptions import DownloadCancelledError, IgnoreRequest
from scrapy.spidermiddlewares.httperror import HttpError
from twisted.internet.defer import CancelledError

from analysis.surrogates import scrub_text
from crawlers.context import context_for
from crawlers.extraction import decode_html, extract, not_a_page
from crawlers.items import INCOMPLETE, BoardLoader, EngagementLoader, PostItem, PostLoader
from crawlers.middlewares import OutOfScope
from crawlers.sources import Source, is_xpath, load_sources, page_address, sources_path
from crawlers.state import merge_history, state_key

LOGGER = logging.getLogger(__name__)


def pick(selector: Selector, query: str | None) -> list[str]:
    """All strings a CSS or XPath selector picks (text nodes, attributes)."""
    if not query:
        return []
    found = selector.xpath(query) if is_xpath(query) else selector.css(query)
    return [v for v in found.getall() if v is not None]


def resolve(data: Any, dotted: str | None) -> Any:
    """The value at a dotted JSON path ('replyList.0.answerContent'), None when any step is missing."""
    if not dotted:
        return None
    for key in dotted.split("."):
        if isinstance(data, list):
            try:
                data = data[int(key)]
            except (ValueError, IndexError):
                return None
        elif isinstance(data, dict):
            data = data.get(key)
        else:
            return None
        if data is None:
            return None
    return data


ERROR_KINDS = {  # exception class name -> kind (Scrapy 2.19 names first, then Twisted's)
    "DownloadTimeoutError": "timeout",
    "TimeoutError": "timeout",
    "TCPTimedOutError": "timeout",
    "ResponseDataLossError": "data_loss",
    "ResponseFailed": "data_loss",
    "ResponseNeverReceived": "data_loss",
    "ConnectionLost": "data_loss",
    "PartialDownloadError": "data_loss",
    "DownloadConnectionRefusedError": "connection_refused",
    "ConnectionRefusedError": "connection_refused",
    "CannotResolveHostError": "dns",
    "DNSLookupError": "dns",
    "BadGzipFile": "bad_encoding",  # Content-Encoding: gzip on a body that is not
    "DecompressionMaxSizeExceeded": "too_large",
}


def source_names(argument: str | None) -> list[str]:
    """The names of ``-a source=a,b`` (empty: every source of the spider's kind)."""
    return [name.strip() for name in (argument or "").split(",") if name.strip()]


SELECTOR_KEYS = {"title": "title", "content": "body", "published_at": "date"}  # item field -> article selector
FIELD_NAMES = {"title": "标题", "content": "正文", "published_at": "日期"}


def error_kind(failure) -> str:
    """A short name for why a request failed, for the per-source error counts."""
    exc = failure.value
    name = type(exc).__name__
    text = str(exc).lower()
    if isinstance(exc, HttpError):
        return f"http_{exc.response.status}"
    if name in ERROR_KINDS:
        return ERROR_KINDS[name]
    if isinstance(exc, (DownloadCancelledError, CancelledError)):
        return "too_large" if "size" in text else "cancelled"
    if isinstance(exc, OutOfScope):
        return "offsite_redirect" if failure.request.meta.get("redirect_urls") else "offsite_link"
    if isinstance(exc, IgnoreRequest):
        if "robots" in text:
            return "robots_forbidden"
        if "redirect" in text:
            return "redirect_loop"
        return "ignored"
    if "timed out" in text or "took longer than" in text:
        return "timeout"
    if isinstance(exc, ValueError):  # an address Scrapy cannot request (a redirect to javascript:)
        return "bad_link"
    return "request_failed"  # the log line names the exception


ATTACHMENTS = frozenset({
    "pdf", "ofd", "ceb", "caj", "doc", "docx", "wps", "rtf", "xls", "xlsx", "et", "csv", "ppt", "pptx",
    "dps", "txt", "zip", "rar", "7z", "gz", "tgz", "tar", "bz2", "jpg", "jpeg", "png", "gif", "bmp",
    "tif", "tiff", "webp", "mp3", "wav", "mp4", "avi", "flv", "wmv", "mov", "swf", "apk", "exe",
})


def attachment_type(url: str) -> str | None:
    """The file type of a link to an attachment (``pdf`` for …/P020240314.pdf, …/b.pdf;jsessionid=…),
    else None: government listings link notices' PDFs, OFDs and spreadsheets beside their articles.
    An address that names its file only in the query (download.jsp?file=a.pdf) is fetched, and its
    bytes tell (``not_a_page``)."""
    name = urllib.parse.urlsplit(url).path.rsplit("/", 1)[-1].split(";", 1)[0]
    suffix = name.rpartition(".")[2].lower() if "." in name else ""
    return suffix if suffix in ATTACHMENTS else None


def failure_message(kind: str, failure) -> str:
    """Why a request failed, in Chinese; the exception's own words only for the kinds no phrase covers
    (they name an address, or a cause nobody foresaw)."""
    meta = failure.request.meta
    if kind.startswith("http_"):
        return f"服务器返回 HTTP {kind[5:]}"
    limit = meta.get("download_maxsize") or 0
    size = f"{limit / 1048576:.3g} MB" if limit >= 1048576 else f"{limit / 1024:.3g} KB"
    phrases = {
        "timeout": f"超过 {meta.get('download_timeout', 0):g} 秒没有响应",
        "too_large": f"页面超过大小上限 {size}（max_page_bytes），未下载" if limit else "页面超过大小上限，未下载",
        "redirect_loop": "重定向次数超过上限（重定向循环）",
        "data_loss": "传输中连接断开，页面不完整",
        "connection_refused": "连接被拒绝（服务器没有在该端口提供服务）",
        "dns": "域名无法解析",
        "robots_forbidden": "robots.txt 禁止抓取此页",
        "bad_encoding": "声明了压缩（Content-Encoding），内容却不是有效的压缩数据",
    }
    if kind in phrases:
        return phrases[kind]
    text = failure.getErrorMessage()
    if isinstance(failure.value, OutOfScope):
        return text[:300]  # said in Chinese where it is raised
    if kind == "bad_link":  # Scrapy refused the address itself (a redirect to mailto:, a broken host)
        return "不是 http(s) 地址，无法请求" if "scheme" in text.lower() else "地址格式错误，无法请求"
    if "SSL" in text or "TLS" in text:
        return f"HTTPS 握手失败（证书或加密协议不被接受：{text[-160:]}）"
    return f"{type(failure.value).__name__}: {text[:200]}"


def is_truncated_html(body: bytes) -> bool:
    """An HTML document cut off before its end: it opens <html>/<body> but closes neither.

    Servers that cut a page and send a matching Content-Length give no transport error; the only sign
    is the markup. Closing tags are ASCII in every encoding the crawler reads (UTF-8, GBK, GB18030).
    """
    lowered = body.lower()
    if b"<html" not in lowered and b"<body" not in lowered:
        return False  # a fragment or not HTML at all: nothing to judge by
    return b"</html" not in lowered and b"</body" not in lowered


def _is_header_today(value: datetime | None, now: datetime) -> bool:
    """A page's only date being today at 00:00 is the header's date line (2024年3月14日 星期四)."""
    return (
        value is not None
        and value.astimezone(now.tzinfo).date() == now.date()
        and (value.hour, value.minute, value.second) == (0, 0, 0)
    )


class SourceSpider(scrapy.Spider):
    """A spider for every configured source of one kind."""

    kind: str = ""
    custom_settings: dict = {}

    def __init__(
        self,
        source: str | None = None,
        sources: str | None = None,
        sandbox: str | None = None,
        *args,
        **kwargs,
    ) -> None:
        super().__init__(*args, **kwargs)
        self.source_names = source_names(source)
        self.sources_file = sources
        self.sandbox = sandbox
        self.sources: dict[str, Source] = {}
        # article key -> the source that requested it in this run (article_request); shared by the
        # spiders of one `yuqing crawl` (crawlers.run), so a listing and a feed do not both fetch it
        self.requested: dict = {}
        self.listed: dict[str, set] = {}  # per source, the links its listing pages showed in this run

    @classmethod
    def from_crawler(cls, crawler, *args, **kwargs):
        spider = super().from_crawler(crawler, *args, **kwargs)
        settings = crawler.settings
        spider.sandbox = spider.sandbox or settings.get("YUQING_SANDBOX_URL") or None
        if spider.sandbox and not settings.get("YUQING_SANDBOX_URL"):
            frozen, settings.frozen = settings.frozen, False  # -a sandbox=URL: the clock follows it
            settings.set("YUQING_SANDBOX_URL", spider.sandbox, priority="spider")
            settings.frozen = frozen
        chosen = cls.choose_sources(spider.source_names, spider.sources_file, spider.sandbox, settings)
        spider.sources = {s.name: s for s in chosen}
        spider.context = context_for(crawler)
        shared = getattr(crawler, "yuqing_requested", None)
        if shared is not None:
            spider.requested = shared
        crawler.signals.connect(spider._on_spider_error, signal=signals.spider_error)
        return spider

    @classmethod
    def choose_sources(cls, names: list[str], sources_file: str | None, sandbox: str | None, settings) -> list[Source]:
        """The sources this spider crawls: ``names`` (all of this spider's kind when empty) from the
        sources file (-a sources=, YUQING_SOURCES_FILE, the sandbox file with -a sandbox=, else the
        default). Raises ConfigError for a bad file or name and ValueError for a source of another kind."""
        path = sources_path(sources_file or settings.get("YUQING_SOURCES_FILE"), sandbox)
        chosen = load_sources(path, sandbox).select(names or None)
        wrong = [s.name for s in chosen if s.kind != cls.kind]
        if wrong and names:
            raise ValueError(f"来源 {', '.join(wrong)} 不是 {cls.kind} 类型，不能用爬虫 {cls.name} 抓取")
        return [s for s in chosen if s.kind == cls.kind]

    # -------------------------------------------------------------- helpers
    def now(self) -> datetime:
        return self.context.clock.now()

    async def start(self):
        self.context.load_state(list(self.sources))
        for source in self.sources.values():
            if source.untested:
                LOGGER.warning(
                    "来源 %s 标为未经实测：其选择器从未在真实网站上检验过",
                    source.name,
                )
            for request in self.start_source(source):
                yield request

    start_callback = "parse_listing"  # the method that parses a start URL's response

    def start_source(self, source: Source) -> Iterable[scrapy.Request]:
        """One request per start URL, as page 1, to ``start_callback`` (spiders override when needed)."""
        callback = getattr(self, self.start_callback)
        for url in source.start_urls:
            yield self.request(url, callback, source, meta={"page": 1})

    def links_of(self, page, query: str | None) -> list[str]:
        """The non-blank strings a link selector picks (a string-function XPath gives '' on no match)."""
        return [value.strip() for value in pick(page, query) if value.strip()]

    def next_listing(self, response, page, source: Source) -> scrapy.Request | None:
        """The request for a listing's next page, up to ``list.max_pages``, or None: the ``list.next``
        link, else the ``list.page_url`` address numbered for the next page (listings whose page links
        are written by JavaScript, as on TRS-style government sites: index.html, index_1.html, …),
        resolved against page one's address after its redirects."""
        number = response.meta.get("page", 1)
        if number >= source.list.get("max_pages", 5):
            return None
        start = response.url if number == 1 else response.meta.get("list_start", response.url)
        meta = {"page": number + 1, "list_start": start}
        following = self.links_of(page, source.list.get("next"))
        url = self.follow(response, following[0], source) if following else None
        if url is None and source.list.get("page_url"):  # none, or a javascript: pager link
            address = page_address(source.list["page_url"], number + 1)
            url = self.follow(response, urllib.parse.urljoin(start, address), source)
            # past the last page such sites answer 404 (or send page one again): the end, not an error
            meta.update(numbered=True, handle_httpstatus_list=[404])
        if url is None or state_key(url) == state_key(response.url):
            return None
        if self.trial:  # one listing page; the next is only named
            self.note_trial(source, "next_page", url)
            return None
        return self.request(url, self.parse_listing, source, meta=meta)

    def listing_ended(self, response, source: Source) -> bool:
        """A numbered listing page past the last one: a 404, or a redirect elsewhere (to page one, to a
        "no such page" page). The listing ended on the page before; nothing is counted."""
        redirected = response.meta.get("redirect_urls") or []
        moved = bool(redirected) and urllib.parse.urlsplit(redirected[0]).path != urllib.parse.urlsplit(response.url).path
        if response.status != 404 and not (response.meta.get("numbered") and moved):
            return False
        LOGGER.info("%s：列表在第 %d 页结束（%s 不存在）", source.name, response.meta.get("page", 1) - 1,
                    redirected[0] if redirected else response.url)
        return True

    def nothing_new(self, response, source: Source, urls: list[str]) -> bool:
        """True when a numbered listing page lists no link the listing has not shown already (a site
        that answers every page number with page one, or with an empty page): the listing ended."""
        keys = {state_key(url) for url in urls}
        listed = self.listed.setdefault(source.name, set())
        repeat = response.meta.get("numbered") and keys <= listed
        listed.update(keys)
        if repeat:
            LOGGER.info("%s：列表在第 %d 页结束（第 %d 页没有新链接）", source.name,
                        response.meta.get("page", 1) - 1, response.meta.get("page", 1))
        return bool(repeat)

    @property
    def trial(self) -> int:
        """YUQING_TRIAL (`yuqing sources try`): article pages per run, one listing page; 0 otherwise."""
        return self.context.trial

    def note_trial(self, source: Source, what: str, value) -> None:
        """Something a trial shows besides the posts: the next listing page, what it left unread."""
        self.context.trial_notes.setdefault(source.name, {}).setdefault(what, value)

    def trial_is_full(self) -> bool:
        """A trial has requested as many article pages as it shows."""
        return bool(self.trial) and len(self.requested) >= self.trial

    def follow(self, response, link: str, source: Source) -> str | None:
        """The absolute URL of a link found on ``response`` when the crawl may fetch it; else None and
        the link counted: ``bad_link`` (javascript:, mailto:, file:, data:, a broken address) or
        ``offsite_link`` (a host outside the source's sites and its ``allowed_hosts``)."""
        try:
            url = response.urljoin(link.strip())
        except ValueError:
            url = link
        problem = source.out_of_scope(url)
        if problem is None:
            return url
        kind, reason = problem
        self.context.error(source.name, kind, f"{response.url}: 跳过链接 {link.strip()[:200]!r}：{reason}")
        return None

    def request(
        self, url: str, callback, source: Source, *, dont_filter: bool = False, **kwargs
    ) -> scrapy.Request:
        meta = {
            "source": source.name,
            "download_timeout": source.download_timeout,
            "download_maxsize": source.max_page_bytes,
            "download_warnsize": 0,
            **kwargs.pop("meta", {}),
        }
        if not source.obey_robots:
            meta["dont_obey_robotstxt"] = True
        return scrapy.Request(
            url, callback=callback, errback=self.on_error, meta=meta, dont_filter=dont_filter, **kwargs
        )

    def source_of(self, response_or_request) -> Source:
        return self.sources[response_or_request.meta["source"]]

    def article_request(
        self, url: str, source: Source, callback=None, *, post_id: str | None = None, **meta
    ) -> scrapy.Request | PostItem | None:
        """A request for an article page, or None when it is already stored (and final), or already
        requested in this run (linked from several listing pages, or by two sources). Requests keep
        ``dont_filter``: a redirect loop must run into Scrapy's redirect limit to be counted.

        A link to an attachment (…/P020240314.pdf) is not fetched: a feed entry's own title and date
        are the post (returned as it is), and without them the link is only counted."""
        hints = meta.get("hints") or {}
        kind = attachment_type(url)
        if kind and not hints.get("title"):
            self.context.error(source.name, "not_a_page", f"{url}: 链接指向附件（{kind}），不是网页，未抓取")
            return None
        if not self.context.state.should_fetch(source.name, url, post_id):
            self.context.count(source.name, "skipped")
            return None
        key = (source.name, state_key(None, post_id)) if post_id else state_key(url)
        owner = self.requested.get(key)
        if owner is not None:  # another source asked first keeps it, as across runs
            if owner != source.name:
                self.context.count(source.name, "skipped")
            return None
        if self.trial_is_full():
            return None
        self.requested[key] = source.name
        if kind:
            self.context.error(source.name, "not_a_page", f"{url}: 链接指向附件（{kind}），未下载，保留订阅源给出的标题和日期")
            return self.hinted_item(source, url, hints)
        return self.request(url, callback or self.parse_article, source, dont_filter=True, meta=meta)

    def hinted_item(self, source: Source, url: str, hints: dict) -> PostItem:
        """The post a feed entry itself gives (title, author, date) for a link with no page to read."""
        loader = self.loader(source, url)
        for key in ("title", "author", "published_at"):
            if hints.get(key):
                loader.add_value(key, hints[key])
        return loader.load_item()

    def on_error(self, failure):
        request = failure.request
        source = request.meta.get("source")
        kind = error_kind(failure)
        self.context.error(source, kind, f"{request.url}: {failure_message(kind, failure)}")

    def _on_spider_error(self, failure, response, spider) -> None:
        if spider is self:
            self.context.error(
                response.meta.get("source"),
                "parse_error",
                f"{response.url}: {failure.getErrorMessage()[:200]}",
                level=logging.ERROR,
            )

    def json_id(self, source: Source, url: str, row, path: str | None) -> str | None:
        """The id at ``path`` of a JSON row as text (a string or an integer), else None and the row
        counted as ``bad_json``: a missing id, or one that is an object, array, boolean or fraction."""
        value = resolve(row, path)
        if isinstance(value, str) and value.strip():
            return scrub_text(value.strip())
        if isinstance(value, int) and not isinstance(value, bool):
            return str(value)
        if value is None or value == "":
            self.context.error(source.name, "bad_json", f"{url}: 条目缺少 {path}")
        else:
            self.context.error(
                source.name, "bad_json", f"{url}: 条目的 {path} 应为字符串或整数，实际是 {str(value)[:60]!r}"
            )
        return None

    def report_for(self, source: Source, url: str):
        def report(kind: str, message: str) -> None:
            self.context.error(source.name, kind, message)

        return report

    def loader(
        self, source: Source, url: str, selector: Selector | None = None, date_format: str | None = None
    ) -> PostLoader:
        loader = PostLoader(
            item=PostItem(),
            selector=selector,
            now=self.now(),
            date_format=date_format,
            report=self.report_for(source, url),
            url=url,
        )
        loader.add_value("url", url)
        loader.add_value("source", source.name)
        return loader

    @staticmethod
    def content_type(response) -> str:
        return response.headers.get("Content-Type", b"").decode("latin-1")

    def non_page(self, response) -> str | None:
        """What the response is when it is no web page (a PDF, an image …), else None."""
        return not_a_page(response.body, self.content_type(response))

    def extracted(self, response, source: Source):
        """The general extractor's reading of the page (the source's encoding override as a hint)."""
        encoding = None if source.encoding in (None, "auto") else source.encoding
        return extract(response.body, response.url, encoding, now=self.now())

    def decoded(self, response, source: Source) -> Selector:
        """The page as text: the source's encoding override, else the server's, corrected by the bytes."""
        declared = source.encoding if source.encoding and source.encoding != "auto" else None
        if declared is None:
            header = self.content_type(response)
            if "charset=" in header:
                declared = header.split("charset=")[-1].split(";")[0].strip()
        text, _used = decode_html(response.body, declared)
        if is_truncated_html(response.body):
            self.context.error(
                source.name,
                "truncated_html",
                f"{response.url}: 页面被截断（truncated：没有 </body> 或 </html> 结尾），保存已提取的部分",
            )
        return Selector(text=text)

    # -------------------------------------------------------------- articles
    def parse_article(self, response, **hints) -> Iterable[PostItem]:
        source = self.source_of(response)
        hints = {**response.meta.get("hints", {}), **hints}
        what = self.non_page(response)
        if what is None:
            page = self.decoded(response, source)
            item = self.article_item(response, source, hints, page)
            following = self.article_next_page(response, page, source, item, [response.url])
            if following is None and (source.article or {}).get("next"):
                self.complete(item)
            yield item if following is None else following
            return
        # An attachment (a notice's PDF, a scanned image): nothing to extract; a feed entry's own
        # title and date still tell that it was published, so that much is kept.
        kept = "，保留订阅源给出的标题和日期" if hints.get("title") else "，未保存"
        self.context.error(source.name, "not_a_page", f"{response.url}: 链接指向{what}，不是网页{kept}")
        if hints.get("title"):
            yield self.hinted_item(source, response.url, hints)

    # An article split over several pages (第1页 2 3 下一页): ``article.next`` names the link to the next
    # page; each page's body is appended in turn, up to ``article.max_pages`` pages. The title, date
    # and author are page one's. A page that fails keeps what the pages before it gave, tagged
    # INCOMPLETE so the next crawl fetches the article again.
    def article_next_page(self, response, page, source: Source, item: PostItem, seen: list[str], read: int = 1):
        """The request for the next page of a multi-page article (``read`` pages read so far, ``seen``
        their addresses, before and after redirects), or None when it has no more."""
        spec = source.article or {}
        links = self.links_of(page, spec.get("next"))
        if not links or read >= (spec.get("max_pages") or 10):
            return None
        url = self.follow(response, links[0], source)
        if url is None or state_key(url) in {state_key(u) for u in seen}:
            return None  # the last page's "下一页" leads back, or nowhere
        kind = attachment_type(url)
        if kind:
            self.context.error(source.name, "not_a_page", f"{url}: 分页文章的下一页链接指向附件（{kind}），未抓取")
            return None
        meta = {"article": item, "article_pages": [*seen, url], "article_read": read}
        request = self.request(url, self.parse_article_page, source, dont_filter=True, meta=meta)
        return request.replace(errback=self.on_article_page_error)

    def parse_article_page(self, response):
        source = self.source_of(response)
        item, seen = response.meta["article"], response.meta["article_pages"]
        if state_key(response.url) in {state_key(u) for u in seen[:-1]}:
            yield self.complete(item)  # redirected back to a page already read
            return
        what = self.non_page(response)
        if what is not None:
            self.context.error(source.name, "not_a_page", f"{response.url}: 分页文章的下一页是{what}，不是网页，未拼接")
            yield self.complete(item)
            return
        page = self.decoded(response, source)
        paragraphs = pick(page, (source.article or {}).get("body"))
        if not "".join(paragraphs).strip():
            paragraphs = self.extracted(response, source).content.split("\n")
        loader = self.loader(source, response.url)
        loader.add_value("content", paragraphs)
        more = loader.get_output_value("content")
        if more:
            item.content = f"{item.content}\n{more}" if item.content else more
        self.context.count(source.name, "article_pages")
        read = response.meta.get("article_read", 1) + 1
        following = self.article_next_page(response, page, source, item, [*seen, response.url], read)
        yield self.complete(item) if following is None else following

    @staticmethod
    def complete(item: PostItem) -> PostItem:
        """A multi-page article read to its end: an empty tag list, written over the INCOMPLETE tag an
        earlier crawl stored (a stored field the new crawl leaves out keeps its value)."""
        if item.tags is None:
            item.tags = []
        return item

    def on_article_page_error(self, failure):
        """A later page of an article failed: counted, and the article kept as far as it goes, tagged
        INCOMPLETE (its state is then not final: the next crawl fetches it again)."""
        self.on_error(failure)
        item = failure.request.meta["article"]
        item.tags = [*(item.tags or []), INCOMPLETE]
        self.context.error(item.source, "article_incomplete",
                           f"{item.url}: 分页文章的第 {failure.request.meta.get('article_read', 1) + 1} 页没有取到，"
                           "保存前面各页的正文，下次抓取时重取")
        return [item]

    def article_item(
        self, response, source: Source, hints: dict | None = None, page: Selector | None = None
    ) -> PostItem:
        """Per-source selectors first; the general extractor fills title/body/author/date they miss."""
        hints = hints or {}
        page = page if page is not None else self.decoded(response, source)
        spec = source.article or {}
        loader = self.loader(source, response.url, page, spec.get("date_format"))
        values = {
            "title": pick(page, spec.get("title")),
            "content": pick(page, spec.get("body")),
            "author": pick(page, spec.get("author")),
            "published_at": pick(page, spec.get("date"))[:1],
        }
        missing = [k for k in ("title", "content", "published_at") if not "".join(values[k]).strip()]
        for key in missing:
            selector = spec.get(SELECTOR_KEYS[key])
            if selector:  # configured but matched nothing: the site may have changed its pages
                self.context.error(source.name, "selector_miss",
                                   f"{response.url}: {FIELD_NAMES[key]}选择器 {selector!r} 没有匹配，已用通用抽取")
        if not spec.get("author"):
            missing.append("author")
        for key in missing:
            if hints.get(key):
                values[key] = [hints[key]]
        still = [k for k in missing if not "".join(map(str, values[k])).strip()]
        if still:
            article = self.extracted(response, source)
            fallback = {
                "title": article.title,
                "content": article.content.split("\n") if article.content else [],
                "author": article.author,
                "published_at": article.published_at,
            }
            if _is_header_today(article.published_at, self.now()):
                fallback["published_at"] = None  # the site header's "today" line, not a publication date
            for key in still:
                if fallback[key]:
                    values[key] = fallback[key] if isinstance(fallback[key], list) else [fallback[key]]
                    self.context.count(source.name, f"fallback/{key}")
        for key, value in values.items():
            loader.add_value(key, value)
        if not values["published_at"]:
            self.context.error(source.name, "date_missing", f"{response.url}: 页面上没有发布时间")
        if not "".join(map(str, values["content"])).strip():  # kept: the feed's title and date still tell
            self.context.error(source.name, "empty_body", f"{response.url}: 页面上没有正文")
        engagement = self.engagement_from(page, spec, source, response.url)
        if engagement:
            loader.add_value("engagement", engagement)
        return loader.load_item()

    def engagement_from(self, page: Selector, spec: dict, source: Source, url: str) -> dict | None:
        keys = [k for k in ("likes", "comments", "shares", "views") if spec.get(k)]
        if not keys:
            return None
        return self.engagement(source, url, {key: pick(page, spec[key]) for key in keys})

    def engagement(self, source: Source, url: str, values: dict) -> dict | None:
        """The cleaned counts (likes, comments…) of raw page or JSON values; None when none is left."""
        loader = EngagementLoader(report=self.report_for(source, url), url=url)
        for key, value in values.items():
            loader.add_value(key, value)
        return loader.load_item() or None

    # -------------------------------------------------------------- boards
    def board_object(
        self,
        source: Source,
        url: str,
        values: dict,
        *,
        published_at: datetime | None,
        date_format: str | None = None,
    ) -> dict:
        """The cleaned board object with its status history carried over from earlier runs."""
        board = BoardLoader(
            now=self.now(), date_format=date_format, report=self.report_for(source, url), url=url
        )
        for key, value in values.items():
            board.add_value(key, value)
        board.add_value("channel", source.channel)
        data = board.load_item()
        status = data.get("status")
        if status != source.final_status:
            for key in ("reply", "reply_unit", "reply_at", "satisfaction"):
                data.pop(key, None)
        previous = self.context.state.get(source.name, url, data.get("post_id"))
        data["status_history"] = merge_history(
            previous.status_history if previous else [],
            status,
            self.now(),
            published_at=published_at,
            reply_at=data.get("reply_at"),
        )
        return data
