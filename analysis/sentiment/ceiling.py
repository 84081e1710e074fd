"""How far the features go: ``python -m analysis.sentiment.ceiling``.

The domain model is SnowNLP's naive Bayes (the engine the sentiment issue fixes). To tell whether
its weibo2018 figure is held down by that classifier or by what bag-of-features models can see at
all, this trains an L2-regularised logistic regression on exactly the same features
(:func:`analysis.sentiment.features.features`, the same cut-off of 2 training texts) and the same
data, and prints both side by side: weibo2018 5-fold cross-validation (the folds of
``train --cv``) and, with ``--test``, the test sets. Logistic regression is a measuring stick
here, never shipped. Plain numpy (full-batch Adam on the log loss), about 30 s per fit.
"""

from __future__ import annotations

import argparse
import sys
from collections import Counter
from dataclasses import dataclass

import numpy as np

from analysis.sentiment import datasets
from analysis.sentiment.datasets import Example
from analysis.sentiment.features import features
from analysis.sentiment.metrics import scores
from analysis.sentiment.models import DomainModel
from analysis.sentiment.train import MIN_DOCUMENTS, train, training_sets, weibo_folds

L2 = 5.0  # chosen on the cross-validation folds among 1, 5 and 20 (0.828, 0.831, 0.817 macro-F1)
STEPS = 300
LEARNING_RATE = 0.05


@dataclass(frozen=True)
class Rows:
    """Documents as feature-index lists, one slice of ``indices`` per document."""

    indices: np.ndarray
    starts: np.ndarray  # len(documents) + 1 offsets into indices

    @property
    def owner(self) -> np.ndarray:
        """The document of each entry of ``indices``."""
        return np.repeat(np.arange(len(self.starts) - 1), np.diff(self.starts))


def vectorize(documents: list[list[str]], vocabulary: dict[str, int]) -> Rows:
    """Binary bag of known features (each feature once per document, as the Bayes model counts)."""
    indices: list[int] = []
    starts = [0]
    for feats in documents:
        indices.extend(sorted({vocabulary[f] for f in feats if f in vocabulary}))
        starts.append(len(indices))
    return Rows(np.array(indices, dtype=np.int64), np.array(starts, dtype=np.int64))


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
        count, owner = len(labels), rows.owner
        params = np.zeros(len(self.weights) + 1)  # weights, then the bias
        first = np.zeros_like(params)
        second = np.zeros_like(params)
        for step in range(1, steps + 1):
            self.weights, self.bias = params[:-1], float(params[-1])
            residual = 1.0 / (1.0 + np.exp(-self.margins(rows))) - labels
            gradient = np.empty_like(params)
            gradient[:-1] = (np.bincount(rows.indices, weights=residual[owner], minlength=len(self.weights))
                             + self.l2 * params[:-1]) / count
            gradient[-1] = residual.sum() / count
            first = 0.9 * first + 0.1 * gradient
            second = 0.999 * second + 0.001 * gradient * gradient
            params = params - rate * (first / (1 - 0.9 ** step)) / (np.sqrt(second / (1 - 0.999 ** step)) + 1e-8)
        self.weights, self.bias = params[:-1], float(params[-1])

    def predict(self, rows: Rows) -> list[int]:
        return [int(m > 0) for m in self.margins(rows)]


def fit_logistic(examples: list[Example], featurize=features) -> tuple[LogisticRegression, dict[str, int]]:
    """Logistic regression on the features the Bayes model would keep for ``examples``."""
    documents = [featurize(e.text) for e in examples]
    counts = Counter(f for feats in documents for f in set(feats))
    vocabulary = {f: i for i, f in enumerate(sorted(f for f, n in counts.items() if n >= MIN_DOCUMENTS))}
    model = LogisticRegression(len(vocabulary))
    model.fit(vectorize(documents, vocabulary), np.array([e.label for e in examples], dtype=float))
    return model, vocabulary


def trained(examples: list[Example]):
    """A function giving the predictions of naive Bayes and of logistic regression, both trained on ``examples``."""
    bayes = DomainModel(train(examples))
    logistic, vocabulary = fit_logistic(examples)

    def predict(held: list[Example]) -> tuple[list[int], list[int]]:
        texts = [e.text for e in held]
        return ([int(r.label == "pos") for r in bayes.score_batch(texts)],
                logistic.predict(vectorize([features(t) for t in texts], vocabulary)))

    return predict


def line(name: str, gold: list[int], bayes: list[int], logistic: list[int]) -> str:
    b_acc, b_f1 = scores(gold, bayes)
    l_acc, l_f1 = scores(gold, logistic)
    return f"{name}: 朴素贝叶斯 {b_acc:.3f} / {b_f1:.3f}   逻辑回归 {l_acc:.3f} / {l_f1:.3f}   ({len(gold)} 条)"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m analysis.sentiment.ceiling",
                                     description=__doc__.split("\n")[0])
    parser.add_argument("--test", action="store_true", help="也在测试集上对比（训练数据同 domain 模型）")
    args = parser.parse_args(argv)
    if not datasets.available():
        print(f"跳过: 找不到评测数据 {datasets.DATA_ROOT}", file=sys.stderr)
        return 2
    print("同一特征、同一数据；准确率 / macro-F1")
    gold: list[int] = []
    bayes: list[int] = []
    logistic: list[int] = []
    for held, rest in weibo_folds():
        b, lr = trained(rest)(held)
        gold += [e.label for e in held]
        bayes += b
        logistic += lr
    print(line("weibo2018 train 5 折交叉验证", gold, bayes, logistic), flush=True)
    if args.test:
        predict = trained([e for part in training_sets(select=False).values() for e in part])
        for _key, (title, loader) in datasets.TEST_SETS.items():
            examples = loader()
            print(line(title, [e.label for e in examples], *predict(examples)), flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
