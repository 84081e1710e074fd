"""Crawl-state against the real node: what is stored is not fetched again, by any source."""

from __future__ import annotations

from crawlers.state import CrawlState, state_doc

URL = "http://news.example.cn/2024/0312/1.html"


def _stored(store, docs):
    store.index_docs("crawl-state", docs)
    store.refresh("crawl-state")


def test_an_article_another_source_stored_is_not_fetched_again(store):
    """The site's RSS feed and its listing both link the article: whichever stored it first keeps it
    (fetching it again re-wrote the post under the second source's name)."""
    _stored(store, [
        state_doc({"source": "site_listing", "url": URL}),
        state_doc({"source": "site_listing", "url": "http://news.example.cn/2.html"}),
        state_doc({"source": "other_board", "url": "http://board.example.cn/t/9",
                   "board": {"post_id": "9", "status": "办理中"}}),
    ])
    state = CrawlState.load(store, ["site_rss"])
    assert not state.should_fetch("site_rss", URL + "#comments")  # the same canonical URL
    assert state.stored_by_another("site_rss", URL) == "site_listing"
    assert state.should_fetch("site_rss", "http://news.example.cn/3.html")  # new to everyone
    # board posts are per board: another board's post id says nothing about this one
    assert state.should_fetch("site_rss", "http://board.example.cn/t/9", post_id="9")
    # the source that stored it sees its own entry as before
    own = CrawlState.load(store, ["site_listing"])
    assert not own.should_fetch("site_listing", URL) and own.stored_by_another("site_listing", URL) is None


def test_an_article_stored_earlier_in_the_same_run_by_another_source_is_not_fetched(store):
    state = CrawlState.load(store, ["site_listing", "site_rss"])
    assert state.should_fetch("site_rss", URL)
    state.remember(state_doc({"source": "site_listing", "url": URL}))
    assert not state.should_fetch("site_rss", URL)
