"""Collection: Scrapy spiders for every configured source, and the pipelines that store what they find.

- ``sources.py``  the sources file schema (``config/sources*.yaml``), validated with file:line errors
- ``items.py``    ``PostItem`` (the posts index's fields) and the item loaders that clean values
- ``spiders/``    one spider per source kind: news, rss, sitemap, board_html, board_api, social
- ``pipelines.py`` normalize -> validate -> dedup -> enrich (batched) -> index (batched bulk; spooled
  to disk while Elasticsearch is down)
- ``state.py``    incremental crawling (crawl-state), board status history, the crawl clock
- ``middlewares.py`` / ``extensions.py``  backoff retries, robots.txt, page counts, crawl-runs statistics
- ``run.py``      run configured sources once in one process (``yuqing crawl``)
- ``extraction/`` the general article extractor and Chinese date parser (no Scrapy)
"""
