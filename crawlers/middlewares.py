"""Downloader middlewares: the source's sites only, page counts per source, retries with exponential
backoff, robots.txt."""

from __future__ import annotations

import asyncio
import logging

from scrapy.downloadermiddlewares.retry import RetryMiddleware
from scrapy.exceptions import IgnoreRequest
from scrapy.downloadermiddlewares.robotstxt import RobotsTxtMiddleware as _RobotsTxtMiddleware
from scrapy.utils.httpobj import urlparse_cached
from twisted.internet.defer import Deferred

from crawlers.context import context_for

LOGGER = logging.getLogger(__name__)


class OutOfScope(IgnoreRequest):
    """A request for an address the source may not be fetched from (another site, not http(s))."""


class SourceScopeMiddleware:
    """Every request of a source stays on the source's sites (``Source.out_of_scope``): a redirect to
    another host or to file:, data:, javascript: is refused before anything is fetched from there,
    robots.txt included. The spider's errback counts it (``offsite_redirect``)."""

    def __init__(self, crawler) -> None:
        self.crawler = crawler

    @classmethod
    def from_crawler(cls, crawler):
        return cls(crawler)

    def process_request(self, request, spider=None):
        spider = spider or self.crawler.spider
        source = getattr(spider, "sources", {}).get(request.meta.get("source"))
        if source is None:
            return None
        problem = source.out_of_scope(request.url)
        if problem is not None:
            came_from = (request.meta.get("redirect_urls") or [None])[0]
            raise OutOfScope(f"{problem[1]}，不抓取" + (f"（由 {came_from} 重定向而来）" if came_from else ""))
        return None


class SourceStatsMiddleware:
    """Counts every downloaded page (any status) per source, and HTTP statuses per source."""

    def __init__(self, crawler) -> None:
        self.crawler = crawler

    @classmethod
    def from_crawler(cls, crawler):
        return cls(crawler)

    def process_response(self, request, response, spider=None):
        source = request.meta.get("source")
        if source:
            context = context_for(self.crawler)
            context.count(source, "pages")
            context.count(source, f"http/{response.status}")
        return response


def backoff_delay(retry_times: int, base: float, cap: float) -> float:
    """Seconds to wait before retry number ``retry_times`` (1-based): base, 2×base, 4×base… up to cap."""
    return min(cap, base * (2 ** max(0, retry_times - 1)))


def _given_up(record: logging.LogRecord) -> bool:
    """Scrapy's English 'Gave up retrying …' line: the failure that follows is counted and logged in
    Chinese with its kind (SourceSpider.on_error), so the line is dropped, never shown twice."""
    return not str(record.msg).startswith("Gave up retrying")


class BackoffRetryMiddleware(RetryMiddleware):
    """Scrapy's retry policy (RETRY_TIMES, RETRY_HTTP_CODES), waiting ``backoff_delay`` before each retry.

    The wait is an asyncio sleep (the project runs the asyncio reactor), so other requests go on.
    """

    def __init__(self, settings) -> None:
        super().__init__(settings)
        self.base = settings.getfloat("RETRY_BACKOFF_BASE", 0.5)
        self.cap = settings.getfloat("RETRY_BACKOFF_MAX", 8.0)
        retry_log = logging.getLogger("scrapy.downloadermiddlewares.retry")
        if _given_up not in retry_log.filters:
            retry_log.addFilter(_given_up)

    async def process_response(self, request, response, spider=None):
        if request.meta.get("dont_retry", False) or response.status not in self.retry_http_codes:
            return response
        reason = f"HTTP {response.status}"
        retry = self._retry(request, reason)
        if retry is None:
            return response
        await asyncio.sleep(backoff_delay(retry.meta.get("retry_times", 1), self.base, self.cap))
        return retry

    async def process_exception(self, request, exception, spider=None):
        if not isinstance(exception, self.exceptions_to_retry) or request.meta.get("dont_retry", False):
            return None
        retry = self._retry(request, exception)
        if retry is None:
            return None
        await asyncio.sleep(backoff_delay(retry.meta.get("retry_times", 1), self.base, self.cap))
        return retry


class RobotsTxtMiddleware(_RobotsTxtMiddleware):
    """Scrapy's robots.txt middleware, without its race: requests that wait on the robots.txt download
    share one Deferred, and all but the first waiter receive None ("no robots.txt": everything allowed).
    A waiter that gets None while a parser is cached uses the cached parser."""

    async def robot_parser(self, request):
        parser = await super().robot_parser(request)
        if parser is None:
            cached = self._parsers.get(urlparse_cached(request).netloc)
            if cached is not None and not isinstance(cached, Deferred):
                return cached
        return parser
