"""The sources file: every source a crawl may visit, validated at load with file:line errors.

``load_sources(path)`` returns a :class:`SourcesFile` whose sources are plain :class:`Source`
objects; ``{sandbox}`` in any URL is replaced by the sandbox base URL given at run time. Selectors
are CSS (parsel syntax, ``::text`` / ``::attr()``) unless they start with ``/``, ``(`` or an XPath string function such as ``normalize-space(`` (XPath).
JSON field mappings are dotted paths (``replyList.0.answerContent``). A board source's
``board_channel`` is the config/clocks.yaml ``boards`` channel whose reply limit its posts get.
"""

from __future__ import annotations

import logging
import re
from dataclasses import dataclass, field
from functools import cached_property, lru_cache
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from yuqing.config import Field, LocatedDict, Where, load, located
from yuqing.errors import ConfigError

LOGGER = logging.getLogger(__name__)

PROJECT_ROOT = Path(__file__).resolve().parent.parent
DEFAULT_FILE = PROJECT_ROOT / "config" / "sources.yaml"
SANDBOX_FILE = PROJECT_ROOT / "config" / "sources.sandbox.yaml"

KINDS = ("news", "rss", "sitemap", "board_html", "board_api", "social")
MEDIA_LEVELS = ("中央", "省级", "市级", "行业", "商业", "自媒体")
PLATFORMS = {
    "news": "新闻",
    "rss": "新闻",
    "sitemap": "新闻",
    "board_html": "留言板",
    "board_api": "留言板",
    "social": "社交媒体",
}
BOARD_KINDS = ("board_html", "board_api")
BOARD_STATUSES = ("未回复", "办理中", "已办理")
SANDBOX_PLACEHOLDER = "{sandbox}"
_PLACEHOLDER_HOST = "http://sandbox.invalid"

DURATION_RE = re.compile(r"^\s*(?:(\d+)d)?\s*(?:(\d+)h)?\s*(?:(\d+)m)?\s*(?:(\d+)s)?\s*$")
SIZE_RE = re.compile(r"^\s*(\d+(?:\.\d+)?)\s*(B|KB|MB|GB)?\s*$", re.I)
SIZE_UNITS = {"B": 1, "KB": 1024, "MB": 1024**2, "GB": 1024**3}
MAX_DURATION = 366 * 86400.0  # a crawl interval or timeout of more than a year is a typo
MAX_SIZE = 1024**3  # no page we fetch or keep is larger than 1 GB
MAX_URL_LENGTH = 2083  # Scrapy's URLLENGTH_LIMIT, which drops longer links without a word


# ------------------------------------------------------------------ value checks


def parse_duration(value: str | int | float) -> float:
    """'10m', '1h30m', '45s', '2d' or a number of seconds to seconds."""
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        total = value
    else:
        match = DURATION_RE.match(str(value))
        if not match or not any(match.groups()):
            raise ValueError(f"不是时长: {value!r}（例: 10m、1h30m、45s）")
        days, hours, minutes, seconds = (int(g or 0) for g in match.groups())
        total = ((days * 24 + hours) * 60 + minutes) * 60 + seconds
    if not -MAX_DURATION <= total <= MAX_DURATION:  # NaN fails this too
        raise ValueError(f"时长过长: {str(value)[:40]!r}（最长 366 天）")
    return float(total)


def parse_size(value: str | int) -> int:
    """'5MB', '512KB' or a number of bytes to bytes."""
    if isinstance(value, int) and not isinstance(value, bool):
        size = value
    else:
        match = SIZE_RE.match(str(value))
        if not match:
            raise ValueError(f"不是大小: {value!r}（例: 5MB、512KB）")
        size = float(match.group(1)) * SIZE_UNITS[(match.group(2) or "B").upper()]
    if not size <= MAX_SIZE:  # inf and NaN fail this too
        raise ValueError(f"大小过大: {str(value)[:40]!r}（最大 1GB）")
    return int(size)


def _check_encoding(value: str) -> str | None:
    from crawlers.extraction.encoding import normalize_encoding

    if value.strip().lower() == "auto" or normalize_encoding(value):
        return None
    return f"未知的字符集 {value!r}（例: utf-8、gbk、gb18030、big5，或 auto 按内容识别）"


def _check_positive(value: int) -> str | None:
    return None if value >= 1 else f"应至少为 1，实际是 {value}"


def _check_duration(value) -> str | None:
    try:
        return None if parse_duration(value) > 0 else "时长应大于 0"
    except ValueError as exc:
        return str(exc)


def _check_size(value) -> str | None:
    try:
        return None if parse_size(value) > 0 else "大小应大于 0"
    except ValueError as exc:
        return str(exc)


XPATH_CALL = re.compile(r"(?:normalize-space|string|substring(?:-before|-after)?|concat|translate)\s*\(")


def is_xpath(selector: str) -> bool:
    """XPath when it starts with / or ( or with one of XPath's string functions (normalize-space(//h1));
    CSS otherwise."""
    text = selector.lstrip()
    return text.startswith(("/", "(")) or XPATH_CALL.match(text) is not None


def check_selector(selector: str) -> str | None:
    """None when the CSS/XPath selector compiles, else the reason (user-facing)."""
    from parsel import Selector

    if not selector.strip():
        return "选择器为空"
    from crawlers.selector_errors import css_problem, xpath_problem

    probe = Selector(text="<html><body></body></html>")
    xpath = is_xpath(selector)
    try:
        if xpath:
            probe.xpath(selector)
        else:
            probe.css(selector)
    except Exception as exc:  # noqa: BLE001 - cssselect and lxml raise many types
        problem = xpath_problem(selector, exc) if xpath else css_problem(selector, exc)
    else:  # lxml compiles an unknown function or a wrong argument count; the crawl would fail on it
        problem = xpath_problem(selector) if xpath else None
    if problem:
        return f"{'XPath' if xpath else 'CSS'} 选择器无效 {selector!r}：{problem}"
    return None


def check_url(url: str) -> str | None:
    filled = url.replace(SANDBOX_PLACEHOLDER, _PLACEHOLDER_HOST)
    try:
        parts = urlsplit(filled)
        parts.port  # noqa: B018 - raises ValueError for a port that is not a number or out of range
    except ValueError:
        return f"地址无效 {url!r}（主机名或端口写错了）"
    if parts.scheme not in ("http", "https") or not parts.netloc or " " in filled:
        return f"地址无效 {url!r}（应为 http(s):// 开头的完整地址，沙盒地址写作 {{sandbox}}/…）"
    return None


def _check_urls(urls: list) -> str | None:
    if not urls:
        return "至少需要一个起始地址"
    for url in urls:
        problem = check_url(url)
        if problem:
            return problem
    return None


def _selectors(schema_keys: tuple[str, ...], **extra: Field) -> dict[str, Field]:
    return {**{key: Field(str, check=check_selector) for key in schema_keys}, **extra}


def _check_path(value: str) -> str | None:
    if not value or any(not part for part in value.split(".")):
        return f"JSON 路径无效 {value!r}（例: resultData.data、replyList.0.answerContent）"
    return None


def _check_url_template(value: str) -> str | None:
    return check_url(re.sub(r"\{(?!sandbox\})\w+\}", "x", value))


STRPTIME_DIRECTIVES = frozenset("aAbBcdfHIjmMpSUwWyYzZ%")  # what a page's date text can hold


def _check_date_format(value: str) -> str | None:
    """A strptime format whose directives exist ('%Y年%m月%d日 %H:%M'); '%Q' was silently ignored."""
    bad = [d for d in re.findall(r"%(.?)", value) if d not in STRPTIME_DIRECTIVES]
    if bad:
        return f"日期格式 {value!r} 中的 %{bad[0]} 不是 strptime 的格式符（可用 %Y %m %d %H %M %S 等）"
    if "%" not in value:
        return f"日期格式 {value!r} 中没有格式符（如 %Y-%m-%d）"
    return None


def _check_host(value: str) -> str | None:
    if not re.fullmatch(r"[A-Za-z0-9.-]+", value or "") or value.startswith(".") or ".." in value:
        return f"主机名无效 {value!r}（只写主机名，如 www.cqn.com.cn，不带 http:// 和路径）"
    return None


def _check_board_channel(value: str | int) -> str | None:
    text = str(value)
    if not text.strip() or text != text.strip() or any(c.isspace() for c in text):
        return f"留言渠道标识无效 {value!r}（应为 config/clocks.yaml boards 中的 channel，如 mayor_mailbox）"
    return None


# ------------------------------------------------------------------ schema

PAGE_PLACEHOLDERS = ("{page}", "{page_index}")


def page_address(template: str, page: int) -> str:
    """Page ``page`` (2, 3, …) of a numbered listing: ``{page}`` is its number, ``{page_index}`` one less."""
    return template.replace("{page}", str(page)).replace("{page_index}", str(page - 1))


def _check_page_url(value: str) -> str | None:
    """A listing's numbered-page address: absolute, or relative to the start URL, with {page} (2, 3, …)
    or {page_index} (1, 2, … for page 2, 3, …: the index_1.html of TRS-style government sites)."""
    unknown = [m for m in re.findall(r"\{[^{}]*\}", value) if m not in (*PAGE_PLACEHOLDERS, SANDBOX_PLACEHOLDER)]
    if unknown:
        return f"翻页地址 {value!r} 中的 {unknown[0]} 不认识（可用 {{page}}：第几页；{{page_index}}：页码减一）"
    if not any(p in value for p in PAGE_PLACEHOLDERS):
        return f"翻页地址 {value!r} 中没有页码（写 {{page}} 或 {{page_index}}，如 index_{{page_index}}.html）"
    if "://" in value or value.startswith(SANDBOX_PLACEHOLDER):
        return check_url(page_address(value, 2))
    if value.startswith("//") or re.match(r"[A-Za-z][\w+.-]*:", value):
        return (f"翻页地址 {value!r} 无法使用（写完整的 http(s):// 地址，或相对起始地址的路径，"
                "如 index_{page_index}.html）")
    if any(c.isspace() for c in value):
        return f"翻页地址 {value!r} 中有空白"
    return None


LIST_SCHEMA = {
    **_selectors(("rows", "links", "status", "next")),
    "page_url": Field(str, check=_check_page_url,
                      help="页码翻页的地址（JS 生成翻页、没有“下一页”链接时），相对起始地址，如 index_{page_index}.html"),
    "max_pages": Field(int, default=5, help="最多翻页数", check=_check_positive),
    "start_urls": Field(list, item=str, check=_check_urls),
}
ARTICLE_SCHEMA = {
    **_selectors(
        (
            "title",
            "date",
            "author",
            "body",
            "post_id",
            "addressee",
            "type",
            "domain",
            "area",
            "poster",
            "status",
            "reply_unit",
            "reply_at",
            "reply",
            "satisfaction",
            "likes",
            "comments",
            "shares",
            "views",
        )
    ),
    "date_format": Field(str, check=_check_date_format, help="strptime 格式，选择器文本在 '|' 之前的部分按此解析"),
    "reply_at_format": Field(str),
    "next": Field(str, check=check_selector, help="分页文章的“下一页”链接：各页正文依次接在一起"),
    "max_pages": Field(int, check=_check_positive, help="分页文章最多读几页（默认 10）"),
}
SITEMAP_SCHEMA = {
    "index": Field(str, check=check_url),
    "follow": Field(list, item=str, default=list, help="只跟进含这些片段的地址"),
}
REQUEST_SCHEMA = {
    "method": Field(str, default="GET", choices=("GET", "POST")),
    "url": Field(str, required=True, check=_check_url_template),
    "json": Field(dict),
    "items": Field(str, check=_check_path, help="JSON 中条目列表的路径"),
    "cursor": Field(
        dict,
        schema={
            "param": Field(str, required=True, check=_check_path),
            "from_item": Field(str, required=True, check=_check_path),
        },
    ),
    "next_page": Field(str, check=_check_path),
    "max_pages": Field(int, default=5, check=_check_positive),
}
POST_FIELDS = (
    "id",
    "post_id",
    "title",
    "content",
    "author",
    "published_at",
    "status",
    "type",
    "domain",
    "area",
    "addressee",
    "poster",
    "reply",
    "reply_unit",
    "reply_at",
    "satisfaction",
    "likes",
    "comments",
    "shares",
    "views",
    "dislikes",
    "repost_of",
    "url",
)
FIELDS_SCHEMA = {
    key: Field(str, check=(_check_url_template if key == "url" else _check_path)) for key in POST_FIELDS
}

COMMON = {
    "interval": Field((str, int), check=_check_duration, help="抓取间隔，如 10m"),
    "obey_robots": Field(bool),
    "download_timeout": Field((str, int), check=_check_duration),
    "max_page_bytes": Field((str, int), check=_check_size),
}
SOURCE_SCHEMA = {
    "name": Field(
        str,
        required=True,
        check=lambda v: (
            None if re.fullmatch(r"[a-z][a-z0-9_]*", v) else f"来源名 {v!r} 只能用小写字母、数字和下划线"
        ),
    ),
    "title": Field(str, help="来源的中文名称"),
    "kind": Field(str, required=True, choices=KINDS),
    "enabled": Field(bool, default=True),
    "untested": Field(bool, default=False, help="未在真实网站上验证过的选择器"),
    "media_level": Field(str, required=True, choices=MEDIA_LEVELS),
    "region": Field(str),
    "encoding": Field(str, help="utf-8、gbk… 或 auto（按内容识别）", check=_check_encoding),
    "start_urls": Field(list, item=str, check=_check_urls),
    "list": Field(dict, schema=LIST_SCHEMA),
    "article": Field(dict, schema=ARTICLE_SCHEMA),
    "sitemap": Field(dict, schema=SITEMAP_SCHEMA),
    "list_alternative": Field(dict, schema=LIST_SCHEMA),
    "list_request": Field(dict, schema=REQUEST_SCHEMA),
    "detail_request": Field(dict, schema=REQUEST_SCHEMA),
    "request": Field(dict, schema=REQUEST_SCHEMA),
    "fields": Field(dict, schema=FIELDS_SCHEMA),
    "recrawl_until_status": Field(str, choices=BOARD_STATUSES),
    "allowed_hosts": Field(
        list, item=str, check=lambda hosts: next(filter(None, map(_check_host, hosts)), None),
        help="来源网站以外也可抓取的主机（含其子域名），如 www.cqn.com.cn",
    ),
    "board_channel": Field(
        (str, int),
        check=_check_board_channel,
        help="留言渠道，即 config/clocks.yaml boards 中的 channel（决定答复时限）",
    ),
    **COMMON,
}
FILE_SCHEMA = {
    "defaults": Field(dict, schema=COMMON, default=dict),
    "sources": Field(list, required=True, item=SOURCE_SCHEMA),
}

# What each kind needs besides the common keys.
REQUIRED_BY_KIND = {
    "news": ("start_urls", "list"),
    "rss": ("start_urls",),
    "sitemap": ("start_urls",),
    "board_html": ("start_urls", "list", "article"),
    "board_api": ("list_request", "detail_request", "fields"),
    "social": ("request", "fields"),
}
DEFAULTS = {"interval": "30m", "obey_robots": True, "download_timeout": "20s", "max_page_bytes": "8MB"}


@dataclass
class Source:
    """One configured source, with ``{sandbox}`` already filled in."""

    name: str
    kind: str
    media_level: str
    title: str = ""
    enabled: bool = True
    untested: bool = False
    region: str | None = None
    encoding: str | None = None
    start_urls: list[str] = field(default_factory=list)
    allowed_hosts: list[str] = field(default_factory=list)
    list: dict = field(default_factory=dict)
    article: dict = field(default_factory=dict)
    sitemap: dict = field(default_factory=dict)
    list_request: dict = field(default_factory=dict)
    detail_request: dict = field(default_factory=dict)
    request: dict = field(default_factory=dict)
    fields: dict = field(default_factory=dict)
    recrawl_until_status: str | None = None
    board_channel: str | None = None
    interval: float = 1800.0
    obey_robots: bool = True
    download_timeout: float = 20.0
    max_page_bytes: int = 8 * 1024 * 1024
    line: int = 0

    @property
    def platform(self) -> str:
        return PLATFORMS[self.kind]

    @property
    def display_name(self) -> str:
        return self.title or self.name

    @property
    def channel(self) -> str:
        """The channel board posts are filed under: ``board_channel`` (a clocks.yaml key), else the name."""
        return self.board_channel or self.display_name

    @property
    def final_status(self) -> str:
        return self.recrawl_until_status or "已办理"

    @cached_property
    def sites(self) -> tuple[str, ...]:
        """The sites the crawl may fetch from: those of the configured URLs (their registrable domain,
        so www.samr.gov.cn allows www.samr.gov.cn and samr.gov.cn's other hosts) and ``allowed_hosts``."""
        urls = [*self.start_urls, self.sitemap.get("index")]
        urls += [spec.get("url") for spec in (self.list_request, self.detail_request, self.request)]
        urls.append(self.fields.get("url"))
        found = [site_of(urlsplit(url).hostname or "") for url in urls if url]
        found += [host.lower() for host in self.allowed_hosts]
        return tuple(dict.fromkeys(site for site in found if site))

    def out_of_scope(self, url: str) -> tuple[str, str] | None:
        """Why the crawl must not fetch ``url``, as (error kind, reason): ``bad_link`` (not an http(s)
        address, broken, too long) or ``offsite_link`` (not on the source's sites); None when it may."""
        try:
            parts = urlsplit(url)
            host = parts.hostname
            parts.port  # noqa: B018 - raises ValueError for a port that is not a number or out of range
        except ValueError:
            return "bad_link", "地址无效"
        if len(url) > MAX_URL_LENGTH:
            return "bad_link", f"地址过长（{len(url)} 个字符，最多 {MAX_URL_LENGTH}）"
        if parts.scheme not in ("http", "https"):
            return "bad_link", f"不是 http(s) 地址（{parts.scheme or '没有协议'}）"
        if not host:
            return "bad_link", "地址没有主机名"
        sites = self.sites
        if not any(host == site or host.endswith("." + site) for site in sites):
            return "offsite_link", f"主机 {host} 不属于来源的网站（{'、'.join(sites)}；其他主机可写入 allowed_hosts）"
        return None


_EXTRACT = None


@lru_cache(maxsize=4096)
def site_of(host: str) -> str:
    """The registrable domain of a host (news.enorth.com.cn -> enorth.com.cn, from the public suffix
    list shipped with tldextract, never fetched); an IP address or a bare name as it is."""
    global _EXTRACT
    if _EXTRACT is None:
        import tldextract

        _EXTRACT = tldextract.TLDExtract(suffix_list_urls=(), cache_dir=None)
    host = host.lower().rstrip(".")
    return _EXTRACT(host).top_domain_under_public_suffix or host


@dataclass
class SourcesFile:
    path: str
    sources: list[Source]
    # (source name, "file:line: where: what") for selectors that load but most likely select nothing
    warnings: list[tuple[str, str]] = field(default_factory=list)

    def get(self, name: str) -> Source:
        for source in self.sources:
            if source.name == name:
                return source
        known = "、".join(s.name for s in self.sources)
        raise ConfigError(f"{self.path}: 没有名为 {name!r} 的来源（已配置: {known}）")

    def enabled(self) -> list[Source]:
        return [s for s in self.sources if s.enabled]

    def select(self, names: list[str] | None = None, kind: str | None = None) -> list[Source]:
        """The named sources (enabled or not), else every enabled one; optionally of one kind."""
        chosen = [self.get(n) for n in names] if names else self.enabled()
        return [s for s in chosen if kind is None or s.kind == kind]


def fill_sandbox(value: Any, sandbox: str | None) -> Any:
    """Replace ``{sandbox}`` in every string of a nested value."""
    if isinstance(value, str):
        if SANDBOX_PLACEHOLDER in value:
            if not sandbox:
                return value
            return value.replace(SANDBOX_PLACEHOLDER, sandbox.rstrip("/"))
        return value
    if isinstance(value, dict):
        return {k: fill_sandbox(v, sandbox) for k, v in value.items()}
    if isinstance(value, list):
        return [fill_sandbox(v, sandbox) for v in value]
    return value


def sources_path(sources_file: str | Path | None, sandbox: str | None) -> str | Path:
    """The sources file a command reads: the one given, else the sandbox's with a sandbox, else the default."""
    return sources_file or (SANDBOX_FILE if sandbox else DEFAULT_FILE)


def load_sources(path: str | Path | None = None, sandbox: str | None = None) -> SourcesFile:
    """Read and validate a sources file; raise ConfigError naming file:line on the first problem."""
    path = Path(path) if path else DEFAULT_FILE
    data = load(path, FILE_SCHEMA)
    from yuqing.config import read_yaml

    raw = read_yaml(path)  # line numbers of the entries (validate returns plain dicts)
    raw_sources = raw.get("sources") if isinstance(raw, LocatedDict) else None
    _line, line_of = located(raw_sources)
    defaults = {**DEFAULTS, **{k: v for k, v in data["defaults"].items() if v is not None}}
    sources: list[Source] = []
    warnings: list[str] = []
    seen: dict[str, int] = {}
    for index, entry in enumerate(data["sources"]):
        line = line_of(index)
        where = Where(str(path), line, f"sources[{index}]")
        raw_entry = raw_sources[index] if raw_sources is not None else {}
        for key in REQUIRED_BY_KIND[entry["kind"]]:
            if not entry.get(key):
                raise where.error(f"类型为 {entry['kind']} 的来源 {entry['name']!r} 缺少 '{key}'")
        if entry["name"] in seen:
            raise where.error(f"来源名 {entry['name']!r} 重复（第 {seen[entry['name']]} 行已定义）")
        seen[entry["name"]] = line
        if entry.get("board_channel") is not None:
            if entry["kind"] not in BOARD_KINDS:
                line_at = raw_entry.line_of("board_channel") if isinstance(raw_entry, LocatedDict) else line
                raise Where(str(path), line_at, f"sources[{index}].board_channel").error(
                    f"只有留言板类来源（{'、'.join(BOARD_KINDS)}）可以设置 board_channel，"
                    f"{entry['name']!r} 的类型是 {entry['kind']}"
                )
            entry["board_channel"] = str(entry["board_channel"])
        if entry["kind"] not in ("news", "rss", "sitemap") and (entry.get("article") or {}).get("next"):
            sub = raw_entry.get("article") if isinstance(raw_entry, dict) else None
            line_at = sub.line_of("next") if isinstance(sub, LocatedDict) else line
            raise Where(str(path), line_at, f"sources[{index}].article.next").error(
                f"只有新闻类来源（news、rss、sitemap）的文章可以分页（article.next），{entry['name']!r} 的类型是 {entry['kind']}"
            )
        if entry["kind"] in ("news", "board_html") and entry["list"] and not entry["list"].get("links"):
            sub = raw_entry.get("list") if isinstance(raw_entry, dict) else None
            raise Where(str(path), getattr(sub, "line", line), f"sources[{index}].list").error(
                "列表页需要 'links' 选择器"
            )
        common = {key: entry[key] if entry.get(key) is not None else defaults[key] for key in DEFAULTS}
        values = {
            k: v for k, v in entry.items() if k not in DEFAULTS and k != "list_alternative" and v is not None
        }
        source = Source(**values, line=line)
        source.interval = parse_duration(common["interval"])
        source.download_timeout = parse_duration(common["download_timeout"])
        source.max_page_bytes = parse_size(common["max_page_bytes"])
        source.obey_robots = bool(common["obey_robots"])
        sources.append(fill_sandbox_source(source, sandbox))
        warnings.extend(_selector_doubts(path, index, entry, raw_entry, line))
    return SourcesFile(str(path), sources, warnings)


def _selector_doubts(path, index: int, entry: dict, raw_entry, line: int) -> list[tuple[str, str]]:
    """Warnings for the XPath selectors of one entry that compile but most likely select nothing."""
    from crawlers.selector_errors import xpath_doubts

    found = []
    for part in ("list", "article"):
        values = entry.get(part) or {}
        raw_part = raw_entry.get(part) if isinstance(raw_entry, dict) else None
        for key, value in values.items():
            if not isinstance(value, str) or not is_xpath(value):
                continue
            at = raw_part.line_of(key) if isinstance(raw_part, LocatedDict) else line
            found += [(entry["name"], f"{path}:{at}: sources[{index}].{part}.{key}: {doubt}")
                      for doubt in xpath_doubts(value)]
    return found


def fill_sandbox_source(source: Source, sandbox: str | None) -> Source:
    for name in (
        "start_urls",
        "list",
        "article",
        "sitemap",
        "list_request",
        "detail_request",
        "request",
        "fields",
    ):
        setattr(source, name, fill_sandbox(getattr(source, name), sandbox))
    return source


def needs_sandbox(source: Source) -> bool:
    text = repr(
        [
            source.start_urls,
            source.sitemap,
            source.list_request,
            source.detail_request,
            source.request,
            source.fields,
        ]
    )
    return SANDBOX_PLACEHOLDER in text


__all__ = [
    "Source",
    "SourcesFile",
    "load_sources",
    "check_selector",
    "check_url",
    "parse_duration",
    "parse_size",
    "KINDS",
    "MEDIA_LEVELS",
    "PLATFORMS",
    "DEFAULT_FILE",
    "SANDBOX_FILE",
    "needs_sandbox",
]
