"""``scrapy crawl <spider>``: Scrapy's own command, with the spider's sources checked before anything
starts. A bad sources file or source name is one Chinese line with the file and line, exit 2 (Scrapy
printed an asyncio traceback around it); a spider with no source to crawl says so."""

from __future__ import annotations

import sys

from scrapy.commands.crawl import Command as ScrapyCrawl

from yuqing.errors import YuqingError


class Command(ScrapyCrawl):
    def run(self, args: list[str], opts) -> None:
        if len(args) == 1 and self.crawler_process is not None:
            from crawlers.spiders.base import SourceSpider, source_names

            try:
                spider_cls = self.crawler_process.spider_loader.load(args[0])
            except KeyError:
                spider_cls = None  # Scrapy says "Spider not found"
            if spider_cls is not None and issubclass(spider_cls, SourceSpider):
                spargs = opts.spargs or {}
                sandbox = spargs.get("sandbox") or self.settings.get("YUQING_SANDBOX_URL") or None
                try:
                    chosen = spider_cls.choose_sources(source_names(spargs.get("source")), spargs.get("sources"),
                                                       sandbox, self.settings)
                except (YuqingError, ValueError) as exc:
                    print(f"错误: {exc}", file=sys.stderr)
                    self.exitcode = 2
                    return
                if not chosen:
                    print(f"没有要抓取的来源：来源文件中没有启用的 {spider_cls.kind} 类来源"
                          "（用 -a source=名称 指定，或在来源文件中启用）", file=sys.stderr)
                    return
        super().run(args, opts)
