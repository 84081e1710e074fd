"""Pure analysis logic over posts: segmentation, sentiment, categories, regions, near-duplicates, clocks.

Nothing here imports scrapy, dash or elasticsearch, so the crawl pipelines, the replay and the
dashboards all reuse it.
"""
