"""How far the features go: ``python -m analysis.sentiment.ceiling``.

The domain model is SnowNLP's naive Bayes (the engine the sentiment issue fixes). To tell whether
its weibo2018 figure is held down by that classifier or by what bag-of-features models can see at
all, this trains an L2-regularised logistic regression on exactly the same features
(:func:`analysis.sentiment.features.features`, the same cut-off of 2 training texts) and the same
data, and prints both side by side: weibo2018 5-fold cross-validation (the folds of
``train --cv``), with ``--transfer`` each public-opinion set left out of training (as
``train --transfer``: how the models carry to a source unlike their training data) and, with
``--test``, the test sets. ``--bigrams`` adds a regression that also
sees word and character bigrams, context that naive Bayes cannot use. Logistic regression is a
measuring stick here, never shipped. Plain numpy (full-batch Adam on the log loss), 30-90 s per fit.
"""

from __future__ import annotations

import argparse
import functools
import sys
from collections import Counter
from dataclasses import dataclass

import numpy as np

from analysis.sentiment import datasets
from analysis.sentiment.datasets import Example
from analysis.sentiment.features import features, normalize, words
from analysis.sentiment.metrics import scores
from analysis.sentiment.models import DomainModel
from analysis.sentiment.train import MIN_DOCUMENTS, train, training_sets, transfer_splits, weibo_folds

# Chosen on the weibo cross-validation folds: model features 1, 5, 20 -> 0.828, 0.831, 0.817 macro-F1;
# with bigrams 5, 20 -> 0.833, 0.832.
L2 = 5.0
STEPS = 300
LEARNING_RATE = 0.05


@dataclass(frozen=True)
class Rows:
    """Documents as feature-index lists, one slice of ``indices`` per document."""

    indices: np.ndarray
    starts: np.ndarray  # len(documents) + 1 offsets into indices
    owner: np.ndarray  # the document of each entry of indices


def vectorize(documents: list[list[str]], vocabulary: dict[str, int]) -> Rows:
    """Binary bag of known features (each feature once per document, as the Bayes model counts)."""
    indices: list[int] = []
    starts = [0]
    for feats in documents:
        indices.extend(sorted({vocabulary[f] for f in feats if f in vocabulary}))
        starts.append(len(indices))
    offsets = np.array(starts, dtype=np.int64)
    owner = np.repeat(np.arange(len(documents)), np.diff(offsets))
    return Rows(np.array(indices, dtype=np.int64), offsets, owner)


class LogisticRegression:
    """L2-regularised logistic regression over :class:`Rows`, fitted by full-batch Adam."""

    def __init__(self, size: int, l2: float = L2) -> None:
        self.weights = np.zeros(size)
        self.bias = 0.0
        self.l2 = l2

    def margins(self, rows: Rows) -> np.ndarray:
        count = len(rows.starts) - 1
        return np.bincount(rows.owner, weights=self.weights[rows.indices], minlength=count) + self.bias

    def fit(self, rows: Rows, labels: np.ndarray, steps: int = STEPS, rate: float = LEARNING_RATE) -> None:
        count = len(labels)
        params = np.zeros(len(self.weights) + 1)  # weights, then the bias
        first = np.zeros_like(params)
        second = np.zeros_like(params)
        for step in range(1, steps + 1):
            self.weights, self.bias = params[:-1], float(params[-1])
            residual = 1.0 / (1.0 + np.exp(-self.margins(rows))) - labels
            gradient = np.empty_like(params)
            gradient[:-1] = (np.bincount(rows.indices, weights=residual[rows.owner], minlength=len(self.weights))
                             + self.l2 * params[:-1]) / count
            gradient[-1] = residual.sum() / count
            first = 0.9 * first + 0.1 * gradient
            second = 0.999 * second + 0.001 * gradient * gradient
            params = params - rate * (first / (1 - 0.9 ** step)) / (np.sqrt(second / (1 - 0.999 ** step)) + 1e-8)
        self.weights, self.bias = params[:-1], float(params[-1])

    def predict(self, rows: Rows) -> list[int]:
        return [int(m > 0) for m in self.margins(rows)]


def fit_logistic(examples: list[Example], featurize=features,
                 l2: float = L2) -> tuple[LogisticRegression, dict[str, int]]:
    """Logistic regression on the features the Bayes model would keep for ``examples``."""
    documents = [featurize(e.text) for e in examples]
    counts = Counter(f for feats in documents for f in set(feats))
    vocabulary = {f: i for i, f in enumerate(sorted(f for f, n in counts.items() if n >= MIN_DOCUMENTS))}
    model = LogisticRegression(len(vocabulary), l2)
    model.fit(vectorize(documents, vocabulary), np.array([e.label for e in examples], dtype=float))
    return model, vocabulary


@functools.cache
def model_features(text: str) -> tuple[str, ...]:
    """:func:`features` of ``text``, computed once a run: every text is trained on in four of the
    five folds and in the transfer splits, by naive Bayes and by each regression."""
    return tuple(features(text))


def with_bigrams(text: str) -> list[str]:
    """The model's features plus word bigrams (``W:``) and character bigrams (``C:``) of the
    normalised text: context naive Bayes cannot use (MODEL.md: they cost it weibo −0.01), since
    they overlap the words and it counts every feature as independent evidence."""
    normalised = normalize(text)
    tokens = [w for w in words(normalised) if w.strip()]
    chars = [c for c in normalised if not c.isspace()]
    return (list(model_features(text)) + [f"W:{a}{b}" for a, b in zip(tokens, tokens[1:])]
            + [f"C:{a}{b}" for a, b in zip(chars, chars[1:])])


# name printed, features
LOGISTIC_VARIANTS = {
    "逻辑回归": model_features,
    "逻辑回归+二元组": with_bigrams,
}


def trained(examples: list[Example], variants: list[str]):
    """A function giving the predictions of naive Bayes and of each logistic regression variant,
    all trained on ``examples``."""
    bayes = DomainModel(train(examples, featurize=model_features))
    fitted = {name: (LOGISTIC_VARIANTS[name], *fit_logistic(examples, LOGISTIC_VARIANTS[name])) for name in variants}

    def predict(held: list[Example]) -> dict[str, list[int]]:
        texts = [e.text for e in held]
        out = {"朴素贝叶斯": [int(r.label == "pos") for r in bayes.score_batch(texts)]}
        for name, (featurize, model, vocabulary) in fitted.items():
            out[name] = model.predict(vectorize([featurize(t) for t in texts], vocabulary))
        return out

    return predict


def line(name: str, gold: list[int], predictions: dict[str, list[int]]) -> str:
    figures = "   ".join(f"{model} {acc:.3f} / {f1:.3f}"
                         for model, (acc, f1) in ((m, scores(gold, p)) for m, p in predictions.items()))
    return f"{name}: {figures}   ({len(gold)} 条)"


def main(argv: list[str] | None = None) -> int:
    from yuqing.cli._format import speak_chinese

    speak_chinese()  # argparse's own words (用法, 选项) too
    parser = argparse.ArgumentParser(prog="python -m analysis.sentiment.ceiling",
                                     description=__doc__.split("\n")[0])
    parser.add_argument("--test", action="store_true", help="也在测试集上对比（训练数据同 domain 模型）")
    parser.add_argument("--transfer", action="store_true",
                        help="也做迁移对比：依次留出一个数据集不训练，在它的选模部分上打分（同 train --transfer）")
    parser.add_argument("--bigrams", action="store_true",
                        help="再加一列：特征加上词二元组与字二元组的逻辑回归")
    args = parser.parse_args(argv)
    if not datasets.available():
        print(f"跳过: 找不到评测数据 {datasets.DATA_ROOT}", file=sys.stderr)
        return 2
    variants = list(LOGISTIC_VARIANTS) if args.bigrams else ["逻辑回归"]
    print("同一数据；准确率 / macro-F1")
    gold: list[int] = []
    pooled: dict[str, list[int]] = {}
    for held, rest in weibo_folds():
        gold += [e.label for e in held]
        for name, predicted in trained(rest, variants)(held).items():
            pooled.setdefault(name, []).extend(predicted)
    print(line("weibo2018 train 5 折交叉验证", gold, pooled), flush=True)
    if args.transfer:
        for left_out, dev_name, dev, rest in transfer_splits():
            print(line(f"不用 {left_out} 训练 -> {dev_name}", [e.label for e in dev], trained(rest, variants)(dev)),
                  flush=True)
    if args.test:
        predict = trained([e for part in training_sets(select=False).values() for e in part], variants)
        for _key, (title, loader) in datasets.TEST_SETS.items():
            examples = loader()
            print(line(title, [e.label for e in examples], predict(examples)), flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
