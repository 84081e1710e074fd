"""RSS 2.0, Atom, sitemaps and robots.txt of the sandbox web."""

from __future__ import annotations

from datetime import datetime
from xml.sax.saxutils import escape

from yuqing.sandbox import dates
from yuqing.sandbox.sites import DISALLOWED, OUTLET_SITES, SITES
from yuqing.sandbox.world import Post

FEED_SIZE = 30


def rss(items: list[Post], base: str, now: datetime) -> str:
    """The news site's RSS 2.0 feed (newest first)."""
    entries = "\n".join(f"""<item>
<title>{escape(p.title)}</title>
<link>{base}{p.path}</link>
<guid isPermaLink="true">{base}{p.path}</guid>
<description>{escape(p.content.split(chr(10), 1)[0])}</description>
<author>{escape(p.author)}</author>
<category>{escape(p.category)}</category>
<pubDate>{dates.rfc822(p.published_at)}</pubDate>
</item>""" for p in items[:FEED_SIZE])
    return f"""<?xml version="1.0" encoding="UTF-8"?>
<rss version="2.0">
<channel>
<title>津门晚报网 - 滚动新闻</title>
<link>{base}/news/</link>
<description>津门晚报网本地民生新闻</description>
<language>zh-cn</language>
<lastBuildDate>{dates.rfc822(now)}</lastBuildDate>
{entries}
</channel>
</rss>
"""


def atom(items: list[Post], base: str, now: datetime) -> str:
    """The central outlet's Atom feed, full content in HTML."""
    entries = "\n".join(f"""<entry>
<title>{escape(p.title)}</title>
<link rel="alternate" type="text/html" href="{base}{p.path}"/>
<id>{base}{p.path}</id>
<published>{dates.iso(p.published_at)}</published>
<updated>{dates.iso(p.published_at)}</updated>
<author><name>{escape(p.author or "民生日报")}</name></author>
<summary>{escape(p.content.split(chr(10), 1)[0])}</summary>
<content type="html">{escape("".join(f"<p>{escape(x)}</p>" for x in p.content.split(chr(10))))}</content>
</entry>""" for p in items[:FEED_SIZE])
    return f"""<?xml version="1.0" encoding="utf-8"?>
<feed xmlns="http://www.w3.org/2005/Atom" xml:lang="zh-CN">
<title>民生日报网 - 地方</title>
<link rel="self" href="{base}/central/atom.xml"/>
<link rel="alternate" href="{base}/central/"/>
<id>{base}/central/</id>
<updated>{dates.iso(items[0].published_at if items else now)}</updated>
{entries}
</feed>
"""


def sitemap(items: list[Post], base: str) -> str:
    urls = "\n".join(f"<url><loc>{base}{escape(p.path)}</loc><lastmod>{dates.iso(p.published_at)}</lastmod>"
                     f"<changefreq>never</changefreq></url>" for p in items)
    return f"""<?xml version="1.0" encoding="UTF-8"?>
<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">
{urls}
</urlset>
"""


def sitemap_index(base: str, now: datetime) -> str:
    maps = "\n".join(f"<sitemap><loc>{base}{SITES[key].prefix}sitemap.xml</loc>"
                     f"<lastmod>{dates.iso(now)}</lastmod></sitemap>" for key in OUTLET_SITES)
    return f"""<?xml version="1.0" encoding="UTF-8"?>
<sitemapindex xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">
{maps}
</sitemapindex>
"""


def robots(base: str) -> str:
    rules = "\n".join(f"Disallow: {path}" for path in DISALLOWED)
    return f"""# 舆情监测沙盒站点
User-agent: *
{rules}
Disallow: /__sandbox/

User-agent: BadBot
Disallow: /

Sitemap: {base}/sitemap.xml
"""
