"""Sentiment of posts: one interface, two models.

* ``domain@4`` (default): SnowNLP's own naive Bayes classifier trained on public-opinion data
  (weibo posts, epidemic-time weibo comments, delivery complaints); see ``MODEL.md``.
* ``snownlp-stock@<version>``: stock SnowNLP, scores identical to ``SnowNLP(text).sentiments``.

``get_model(name)`` returns an object with ``.name``, ``.score(text)`` and ``.score_batch(texts)``;
names may omit the version (``"domain"``). Scores are P(positive) in 0..1; the label is ``"pos"``
when the score is at least 0.5, else ``"neg"``. Text that is empty or whitespace only, text with no
feature the domain model knows, and text with no word stock SnowNLP knows (its score is then exactly
0.5) has no evidence either way: it gets score 0.5 and the label ``"neu"`` (``NEUTRAL``), never an
exception.
"""

from __future__ import annotations

from analysis.sentiment.models import (
    DEFAULT_MODEL,
    MODELS,
    NEUTRAL,
    SentimentModel,
    SentimentResult,
    UnknownModelError,
    get_model,
)

__all__ = [
    "DEFAULT_MODEL",
    "MODELS",
    "NEUTRAL",
    "SentimentModel",
    "SentimentResult",
    "UnknownModelError",
    "get_model",
]
