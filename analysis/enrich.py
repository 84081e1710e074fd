"""Enrichment: everything analysis adds to a post before it is indexed, done in batches.

Segmentation runs once per post (:func:`analysis.segment.segment`); its words feed the keywords, its
search-mode expansion feeds the index fields and its word boundaries the category keywords. Sentiment is scored for the whole batch in one call. Near-duplicate clusters are
assigned against the batch itself and against stored posts that share a band key (``lookup``, one
call per batch). ``simhash_bands`` holds the sentence keys too (:func:`analysis.neardup.sentence_keys`):
a post that matches nothing within the threshold looks among stored posts sharing one of its
sentences (fetched once per batch, by all the batch's sentence keys) and joins one within
``LOOSE_THRESHOLD`` (a reprint that dropped a paragraph).
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from typing import Callable, Iterable

from analysis import neardup
from analysis.categories import Categorizer
from analysis.identity import post_id
from analysis.keywords import TITLE_WEIGHT, keyword_weights_from_tokens
from analysis.regions import default_gazetteer, detect_region
from analysis.segment import join_for_index, segment
from analysis.sentiment import get_model

LOGGER = logging.getLogger(__name__)

KEYWORDS_PER_POST = 10
# Posts of earlier batches kept in memory: the store shows a bulk write only after its next refresh
# (1 s), so a batch enriched right after another must find its neighbours here.
RECENT_POSTS = 20_000

# Given band keys, return stored posts sharing any of them (doc id, fingerprint, cluster id).
CandidateLookup = Callable[[list[str]], Iterable[neardup.Candidate]]


@dataclass
class EnrichStats:
    posts: int = 0
    errors: list[tuple[str, str]] = field(default_factory=list)  # (post, reason)


def fingerprint_hex(fp: int) -> str:
    return f"{fp:016x}"


class Enricher:
    """Adds sentiment, categories, matched keywords, region, keywords, fingerprint and cluster id."""

    def __init__(self, sentiment_model: str | None = None, categorizer: Categorizer | None = None) -> None:
        self.model = get_model(sentiment_model)
        self.categorizer = categorizer or Categorizer.from_file()
        self.stats = EnrichStats()
        self.recent = neardup.ClusterIndex(capacity=RECENT_POSTS)

    def warm_up(self) -> None:
        """Load what the first batch would otherwise load (both jieba dictionaries, the IDF table):
        a few seconds of work that should not stall the first batch of a crawl. The post has no url,
        so it gets no id and joins no cluster; only the count has to be taken back."""
        self.enrich([{"title": "预热", "content": "市场监管局接到投诉后及时处理。"}])
        self.stats = EnrichStats()

    def enrich(self, posts: list[dict], lookup: CandidateLookup | None = None) -> list[dict]:
        """Enrich ``posts`` in place and return them. A post that fails keeps what it had and is counted."""
        texts = [scoring_text(p) for p in posts]
        scores = self.model.score_batch(texts)
        fingerprints: list[int | None] = []
        sentences: list[list[str]] = []
        for post, text, score in zip(posts, texts, scores):
            try:
                self._enrich_one(post, score)
                fp = neardup.fingerprint(text)
                keys = neardup.sentence_keys(text)
                post["simhash"] = fingerprint_hex(fp)
                post["simhash_bands"] = neardup.bands(fp) + keys
                fingerprints.append(fp)
                sentences.append(keys)
            except Exception as exc:  # noqa: BLE001 - one bad post never stops a batch
                LOGGER.warning("enrichment failed for %s: %s", post.get("url"), exc)
                self.stats.errors.append((str(post.get("url") or post.get("title"))[:100], repr(exc)))
                fingerprints.append(None)
                sentences.append([])
        self._assign_clusters(posts, fingerprints, lookup, sentences)
        self.stats.posts += len(posts)
        return posts

    def _enrich_one(self, post: dict, score) -> None:
        post["sentiment"] = sentiment_field(score)
        post.update(text_fields(post, self.categorizer))

    def _assign_clusters(self, posts: list[dict], fingerprints: list[int | None],
                         lookup: CandidateLookup | None, sentences: list[list[str]] | None = None) -> None:
        sentences = sentences or [[]] * len(posts)
        keys = sorted({k for fp in fingerprints if fp is not None for k in neardup.bands(fp)})
        stored = list(lookup(keys)) if lookup and keys else []
        stored_by_id = {cand.doc_id: cand for cand in stored}
        by_key: dict[str, list[neardup.Candidate]] = {}
        for cand in stored:
            for key in neardup.bands(cand.fingerprint):
                by_key.setdefault(key, []).append(cand)
        # Stored posts sharing a sentence with any post of the batch: one look-up for the whole batch
        # (each candidate names its keys, so a post only sees the ones sharing one of its sentences).
        sentence_keys = sorted({k for post_keys in sentences for k in post_keys})
        by_sentence: dict[str, list[neardup.Candidate]] = {}
        for cand in (lookup(sentence_keys) if lookup and sentence_keys else ()):
            for key in cand.keys:
                by_sentence.setdefault(key, []).append(cand)
        index = self.recent  # this batch and the latest ones before it
        for post, fp, keys in zip(posts, fingerprints, sentences):
            if fp is None:
                continue
            try:
                doc_id = post.get("id") or post_id(post)
            except ValueError:
                continue
            known = stored_by_id.get(doc_id)
            if known is not None:  # a re-crawled post keeps its cluster, and batch siblings may join it
                post["cluster_id"] = index.assign(doc_id, fp, [neardup.Candidate("", fp, known.cluster_id)], [], keys)
                continue
            seen = {c.doc_id: c for key in neardup.bands(fp) for c in by_key.get(key, ())}
            candidates = list(seen.values()) + index.candidates(fp)
            related: list[neardup.Candidate] = []
            if keys and index.match(doc_id, fp, candidates) is None:
                related = index.related(keys) + [c for key in keys for c in by_sentence.get(key, ())]
            post["cluster_id"] = index.assign(doc_id, fp, candidates, related, keys)


# The fields text_fields computes: what a change of dictionary, gazetteer or category rules changes.
TEXT_FIELDS = ("title_seg", "content_seg", "categories", "matched_keywords", "keywords", "region")


def text_fields(post: dict, categorizer: Categorizer) -> dict:
    """The fields derived from a post's text, from one segmentation of its title and content: the index
    tokens, categories with the keywords that matched, region and top keywords. ``region`` is left out
    when none is found. Pure: the post is not changed (``yuqing reanalyze`` applies this to stored
    posts after the rules or the dictionary change)."""
    title, content = post.get("title") or "", post.get("content") or ""
    title_seg, content_seg = segment(title), segment(content)
    title_words, content_words = title_seg.words, content_seg.words
    matches = categorizer.categorize_segmented(title_seg, content_seg)
    out = {
        "title_seg": join_for_index(title_words),
        "content_seg": join_for_index(content_words),
        "categories": [m.name for m in matches],
        "matched_keywords": sorted({k for m in matches for k in m.keywords}),
    }
    hint = post.get("region") or post.get("source_region")
    if isinstance(hint, dict) and not hint.get("path"):
        hint = None
    area = (post.get("board") or {}).get("area") if isinstance(post.get("board"), dict) else None
    place = default_gazetteer().find(area) if isinstance(area, str) else None
    if place is not None:
        hint = place.path  # the poster's own 地区 on a board is closer than the board's region
    region = detect_region(title, content, hint)
    if region:
        out["region"] = region
    words = title_words * TITLE_WEIGHT + content_words
    out["keywords"] = [w for w, _ in keyword_weights_from_tokens(words, KEYWORDS_PER_POST)]
    return out


def sentiment_field(score) -> dict:
    """A post's stored ``sentiment``: score (6 decimals), label and model@version."""
    return {"score": round(float(score.score), 6), "label": score.label, "model": score.model}


def scoring_text(post: dict) -> str:
    """The text sentiment is scored on: title and content, one line apart."""
    title, content = post.get("title") or "", post.get("content") or ""
    return f"{title}\n{content}" if title and content else title or content
