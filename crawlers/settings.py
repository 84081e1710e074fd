"""Scrapy settings for yuqing's spiders (base; environment overrides come from yuqing.settings)."""

BOT_NAME = "yuqing"
SPIDER_MODULES = ["crawlers.spiders"]
COMMANDS_MODULE = "crawlers.commands"  # `scrapy crawl` checks the sources before it starts
NEWSPIDER_MODULE = "crawlers.spiders"

# ASCII only: header values beyond Latin-1 are refused by some servers and firewalls. The product token
# is what robots.txt groups name (User-agent: yuqing-monitor).
USER_AGENT = "yuqing-monitor/0.1 (public opinion monitoring for government; obeys robots.txt)"
ROBOTSTXT_OBEY = True
CONCURRENT_REQUESTS = 16
CONCURRENT_REQUESTS_PER_DOMAIN = 4
AUTOTHROTTLE_ENABLED = True
AUTOTHROTTLE_START_DELAY = 0.5
AUTOTHROTTLE_MAX_DELAY = 30
AUTOTHROTTLE_TARGET_CONCURRENCY = 2.0
RETRY_ENABLED = True
RETRY_TIMES = 3
DOWNLOAD_TIMEOUT = 20
DOWNLOAD_MAXSIZE = 8 * 1024 * 1024
DOWNLOAD_WARNSIZE = 4 * 1024 * 1024
REQUEST_FINGERPRINTER_IMPLEMENTATION = "2.7"
TWISTED_REACTOR = "twisted.internet.asyncioreactor.AsyncioSelectorReactor"
FEED_EXPORT_ENCODING = "utf-8"
LOG_LEVEL = "INFO"
REDIRECT_MAX_TIMES = 5
RETRY_HTTP_CODES = [500, 502, 503, 504, 522, 524, 408, 429]
RETRY_BACKOFF_BASE = 0.5  # seconds before the first retry; doubles each time
RETRY_BACKOFF_MAX = 8.0

DOWNLOADER_MIDDLEWARES = {
    "scrapy.downloadermiddlewares.retry.RetryMiddleware": None,
    "scrapy.downloadermiddlewares.robotstxt.RobotsTxtMiddleware": None,
    "crawlers.middlewares.SourceScopeMiddleware": 50,
    "crawlers.middlewares.RobotsTxtMiddleware": 100,
    "crawlers.middlewares.BackoffRetryMiddleware": 550,
    "crawlers.middlewares.SourceStatsMiddleware": 950,
}
# Sources are web sites: no file:, data:, ftp: or s3: handler, whatever a page links or redirects to.
DOWNLOAD_HANDLERS = {"file": None, "data": None, "ftp": None, "s3": None}
ITEM_PIPELINES = {
    "crawlers.pipelines.NormalizePipeline": 100,
    "crawlers.pipelines.ValidatePipeline": 200,
    "crawlers.pipelines.DedupPipeline": 300,
    "crawlers.pipelines.EnrichPipeline": 400,
    "crawlers.pipelines.IndexPipeline": 900,
}
EXTENSIONS = {"crawlers.extensions.CrawlRunsExtension": 500}

# yuqing settings (also settable with `-s NAME=VALUE`); empty values fall back to the environment.
YUQING_TRIAL = 0  # `yuqing sources try`: article pages per source, one listing page; nothing read from or written to Elasticsearch or the spool (0: off)
YUQING_SOURCES_FILE = None  # default config/sources.yaml (config/sources.sandbox.yaml with a sandbox)
YUQING_SANDBOX_URL = None  # fills {sandbox} in the sources file; the crawl clock follows the sandbox
YUQING_ES_URL = None  # default ES_URL, else the local node
YUQING_INDEX_PREFIX = None  # default YUQING_INDEX_PREFIX
YUQING_SPOOL_DIR = None  # default <data dir>/spool
YUQING_INDEX_BATCH = 100  # posts per enrichment + bulk batch
YUQING_ENRICH = True
