"""The measuring stick of analysis.sentiment.ceiling: logistic regression on the model's features."""

from __future__ import annotations

import numpy as np

from analysis.sentiment.ceiling import LogisticRegression, fit_logistic, vectorize
from analysis.sentiment.datasets import Example


def test_vectorize_counts_each_known_feature_once_per_document():
    rows = vectorize([["好", "好", "差", "未知"], [], ["差"]], {"好": 0, "差": 1})
    assert rows.indices.tolist() == [0, 1, 1]
    assert rows.starts.tolist() == [0, 2, 2, 3]
    assert rows.owner.tolist() == [0, 0, 2]


def test_logistic_regression_learns_which_feature_decides():
    # "a" marks positives, "b" negatives, "c" is everywhere: only a and b may carry weight.
    documents = [["a", "c"]] * 20 + [["b", "c"]] * 20
    rows = vectorize(documents, {"a": 0, "b": 1, "c": 2})
    model = LogisticRegression(3)
    model.fit(rows, np.array([1.0] * 20 + [0.0] * 20))
    assert model.weights[0] > 1 > -1 > model.weights[1]
    assert abs(model.weights[2] + model.bias) < 0.5 * model.weights[0]
    assert model.predict(vectorize([["a"], ["b"], ["a", "c"], ["b", "c"]], {"a": 0, "b": 1, "c": 2})) == [1, 0, 1, 0]


def test_regularisation_shrinks_the_weights():
    documents = [["a"]] * 10 + [["b"]] * 10
    labels = np.array([1.0] * 10 + [0.0] * 10)
    rows = vectorize(documents, {"a": 0, "b": 1})
    loose, tight = LogisticRegression(2, l2=0.1), LogisticRegression(2, l2=20.0)
    loose.fit(rows, labels)
    tight.fit(rows, labels)
    assert 0 < tight.weights[0] < loose.weights[0]


def test_fit_logistic_keeps_features_of_at_least_two_texts_like_the_bayes_training():
    examples = [Example("服务很好，点赞", 1), Example("服务很好，满意", 1),
                Example("态度很差，失望", 0), Example("态度很差，生气", 0)]
    model, vocabulary = fit_logistic(examples, featurize=lambda text: text.replace("，", " ").split())
    assert set(vocabulary) == {"服务很好", "态度很差"}
    assert model.predict(vectorize([["服务很好"], ["态度很差"]], vocabulary)) == [1, 0]


def test_bigram_variant_adds_word_and_character_pairs_to_the_model_features():
    from analysis.sentiment.ceiling import with_bigrams
    from analysis.sentiment.features import features, words

    text = "服务 很好"
    tokens = [w for w in words(text) if w.strip()]  # jieba: 服务 / 很 / 好
    extra = with_bigrams(text)[len(features(text)):]
    assert with_bigrams(text)[:len(features(text))] == features(text)
    assert [f for f in extra if f.startswith("W:")] == [f"W:{a}{b}" for a, b in zip(tokens, tokens[1:])]
    assert [f for f in extra if f.startswith("C:")] == ["C:服务", "C:务很", "C:很好"]  # across the space
