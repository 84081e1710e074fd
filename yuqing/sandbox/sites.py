"""The sandbox's sites: one URL prefix each, so sources can be configured per site."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Site:
    key: str
    name: str          # the site's own name, shown in its header
    outlet: str        # how others cite it (来源：…)
    prefix: str        # URL prefix, leading and trailing slash
    media_level: str   # 中央/省级/市级/行业/商业/自媒体
    source: str        # source name in config/sources.sandbox.yaml
    source_kind: str   # news/rss/sitemap/board_html/board_api/social


SITES: dict[str, Site] = {
    site.key: site
    for site in (
        Site("news", "津门晚报网", "津门晚报", "/news/", "市级", "sandbox_news", "news"),
        Site("central", "民生日报网", "民生日报", "/central/", "中央", "sandbox_central", "rss"),
        Site("industry", "市场监管导报网", "市场监管导报", "/industry/", "行业", "sandbox_industry", "news"),
        Site("portal", "津城在线", "津城在线", "/portal/", "商业", "sandbox_portal", "sitemap"),
        Site("board_html", "津门民声·领导留言板", "津门民声", "/board/", "省级", "sandbox_board", "board_html"),
        Site("board_api", "领导留言板", "领导留言板", "/lyb/", "中央", "sandbox_board_api", "board_api"),
        Site("social", "微言", "微言", "/social/", "自媒体", "sandbox_social", "social"),
    )
}
OUTLET_SITES = ("news", "central", "industry", "portal")

# Paths a polite crawler must not fetch (robots.txt); hits are counted in /__sandbox/stats.
DISALLOWED = ("/news/preview/", "/board/admin/")

# Faults on the news site, listed on /news/special/ with the ordinary listing markup.
FAULTS = {
    "/news/a/error.html": "always answers 500",
    "/news/a/flaky.html": "answers 503 twice, then 200",
    "/news/a/slow.html": "sleeps longer than the configured limit before answering",
    "/news/a/truncated.html": "HTML cut off mid-paragraph (Content-Length matches)",
    "/news/a/cut-off.html": "Content-Length larger than the bytes sent; the connection closes early",
    "/news/a/moved.html": "redirect loop: moved.html -> moved-1.html -> moved.html",
    "/news/a/nodate.html": "article with no date anywhere",
    "/news/a/huge.html": "a 10 MB article page",
    "/news/a/attachment.pdf": "a notice's PDF attachment linked beside the articles (not a page: never fetched)",
    "/news/a/scan.html": "a scanned report served as PDF bytes behind a page address",
}
