"""Article extraction for Chinese pages: encoding, body, title, author and publication date.

Pure parsing on lxml; never imports scrapy (the CLI and the evaluation reuse it).
"""

from crawlers.extraction.article import Article, extract
from crawlers.extraction.dates import ImplausibleDateError, find_date, parse_date
from crawlers.extraction.encoding import decode_html, not_a_page

__all__ = ["Article", "ImplausibleDateError", "decode_html", "extract", "not_a_page", "find_date", "parse_date"]
