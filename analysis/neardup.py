"""Near-duplicates: reposts and lightly edited copies of one story share a cluster id.

The fingerprint is a one-bit MinHash (64 bits) over the distinct 3-character shingles of the
normalised text (NFKC, lower case, traditional characters folded to simplified, only CJK characters,
letters and digits kept, so punctuation, spacing, full-width and script changes do not count). Bit ``i`` is the lowest bit of the minimum of the
``i``-th hash over the shingles; two texts with Jaccard similarity J differ in about 32·(1−J) bits.
Shingles are coded exactly (three 21-bit code points) and hashed with SplitMix64 under 64 seeds
derived from BLAKE2b, all in numpy (about 6 ms for a 4,000-character page), so fingerprints are
stable across processes and versions and can be stored. (A SimHash over the same shingles was tried first: on the real pages below it needed
10–12 bits for the same recall, too close to the 16 bits that separated different stories.)

Two texts are near-duplicates when their fingerprints differ in at most ``THRESHOLD`` = 6 bits,
i.e. Jaccard ≳ 0.8. ``tests/analysis/test_neardup.py`` holds the justification: reposts with
source lines, a dropped sentence, typo fixes, changed punctuation fall within; different stories on
the same topic (two elevator entrapments in one district, two price notices) fall outside.
``python -m analysis.neardup`` measures it on the real pages in ``../shared/data/extraction``.

Candidate lookup without scanning: the 64 bits are cut into 8 blocks of 8 bits and every pair of
blocks is a band key (28 keys, ``"ij:xxxx"``). Fingerprints within 6 bits differ in at most 6
blocks, so at least two blocks agree and the two share a key: the band lookup finds every pair
within the threshold (pigeonhole), while an unrelated fingerprint shares a given key with
probability 1/65536. The store keeps ``bands(fp)`` in a keyword field, asks for documents sharing
any key, and passes them to :class:`ClusterIndex` with their fingerprints and cluster ids.

Texts shorter than ``MIN_CHARS`` normalised characters carry too few shingles for MinHash to mean
much; their fingerprint hashes the whole text, so they match only an identical normalised text.

Reposts: a social repost is a comment in front of the text it quotes (``评论//@某人：原文``, a chain
``评论//@甲：评论//@乙：原文``, or ``评论 转发：原文``). A 15-character comment in front of an
80-character post is a Jaccard of about 0.75, outside the threshold, so :func:`repost_body` takes
the quoted text (after the last ``//@name:``, or after a ``转发：`` marker near the start) and the
fingerprint is computed on it: every repost of a post gets the post's own fingerprint.

Reprints with a paragraph dropped or the lead rewritten: a 150-character news item that loses its
last paragraph keeps only about 0.6–0.8 Jaccard (9–12 bits) though nearly all of what is left is
the original word for word. The 64-bit fingerprint cannot measure containment, so a second piece of
evidence is stored beside the band keys: :func:`sentence_keys`, hashes of the longest sentences
(at least ``SENTENCE_MIN`` normalised characters). Two documents that share such a sentence are
near-duplicates within ``LOOSE_THRESHOLD`` = 14 bits (Jaccard ≳ 0.55). Different real articles never
came closer than 18 bits, and the sentence requirement keeps two stories on one topic apart even
when one stock sentence (a hotline reminder) is common to both (``test_neardup.py``).
"""

from __future__ import annotations

import hashlib
import itertools
import re
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass, field

import numpy as np

from analysis.hanzi import fold

__all__ = [
    "BLOCKS",
    "LOOSE_THRESHOLD",
    "MIN_CHARS",
    "SENTENCE_MIN",
    "SHINGLE",
    "THRESHOLD",
    "Candidate",
    "ClusterIndex",
    "bands",
    "distance",
    "fingerprint",
    "is_near_duplicate",
    "minhash_bits",
    "normalize",
    "repost_body",
    "sentence_keys",
    "shingles",
]

SHINGLE = 3  # characters per shingle (fixed: fingerprints encode 3 code points exactly)
THRESHOLD = 6  # max differing bits for a near-duplicate
BLOCKS = 8  # band blocks of 64 / BLOCKS bits
MIN_CHARS = 30  # below this, only identical normalised texts are near-duplicates
LOOSE_THRESHOLD = 14  # max differing bits for documents that share a sentence key
SENTENCE_MIN = 20  # normalised characters for a sentence to count as evidence
SENTENCES = 8  # sentence keys per document (the longest)
_BLOCK_BITS = 64 // BLOCKS
_HEX_DIGITS = _BLOCK_BITS // 4  # of one block
_KEEP = re.compile(r"[^0-9a-z\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]+")
_PAIRS = list(itertools.combinations(range(BLOCKS), BLOCKS - THRESHOLD))
_PAIR_NAMES = ["".join(str(i) for i in combo) + ":" for combo in _PAIRS]  # '0123:' ...


def normalize(text: str | None) -> str:
    """NFKC, lower case, traditional characters folded to simplified, only CJK characters, ASCII
    letters and digits (a reprint in traditional characters is the same story)."""
    if not text:
        return ""
    return _KEEP.sub("", fold(unicodedata.normalize("NFKC", text).lower()))


# "//@name:" of a weibo-style repost chain; the text after the last one is the quoted original
_CHAIN = re.compile(r"//\s*@[^\s:：/@]{1,30}\s*[:：]")
# "转发：" / "转发自@name：" / "转@name：" near the start (not a bare "转：", as in "病情好转："), after an optional short comment
_FORWARD = re.compile(r"^.{0,60}?(?:转发自?(?:\s*@[^\s:：@]{1,30})?|转\s*@[^\s:：@]{1,30})\s*[:：]", re.S)
_SENTENCE_END = re.compile(r"[。！？!?；;\n]+")


def repost_body(text: str | None) -> str:
    """The quoted original of a repost (``评论//@某人：原文``, ``评论 转发：原文``), else ``text`` itself."""
    if not text:
        return ""
    last = None
    for last in _CHAIN.finditer(text):
        pass
    if last is not None and normalize(text[last.end():]):
        return text[last.end():]
    forward = _FORWARD.match(text)
    if forward and len(normalize(text[forward.end():])) >= MIN_CHARS:
        return text[forward.end():]
    return text


def sentence_keys(text: str | None, limit: int = SENTENCES) -> list[str]:
    """Keys (``"s:" + 12 hex``) of the ``limit`` longest sentences of at least ``SENTENCE_MIN`` characters.

    Sentences are normalised like the text, so punctuation and spacing do not count; a repost's
    keys are those of the text it quotes.
    """
    pieces = {normalize(p) for p in _SENTENCE_END.split(repost_body(text))}
    long = sorted((p for p in pieces if len(p) >= SENTENCE_MIN), key=lambda p: (-len(p), p))[:limit]
    return sorted("s:" + hashlib.blake2b(p.encode("utf-8"), digest_size=6).hexdigest() for p in long)


def shingles(text: str | None, size: int = SHINGLE) -> set[str]:
    """Distinct character ``size``-grams of the normalised text (the whole text if shorter), for inspection."""
    norm = normalize(text)
    if len(norm) <= size:
        return {norm} if norm else set()
    return {norm[i:i + size] for i in range(len(norm) - size + 1)}


def _hash64(shingle: str) -> bytes:
    return hashlib.blake2b(shingle.encode("utf-8"), digest_size=8).digest()


def _seeds() -> np.ndarray:
    """64 fixed 64-bit seeds derived from BLAKE2b, so fingerprints never depend on numpy's RNG."""
    return np.array(
        [int.from_bytes(hashlib.blake2b(f"yuqing-minhash-{i}".encode(), digest_size=8).digest(), "big")
         for i in range(64)],
        dtype=np.uint64,
    )


_SEEDS = _seeds()
_C1 = np.uint64(0xBF58476D1CE4E5B9)
_C2 = np.uint64(0x94D049BB133111EB)


def _mix(values: np.ndarray) -> np.ndarray:
    """SplitMix64 finaliser: a bijective, well-mixing 64-bit hash (wrapping uint64 arithmetic)."""
    z = values
    z = (z ^ (z >> np.uint64(30))) * _C1
    z = (z ^ (z >> np.uint64(27))) * _C2
    return z ^ (z >> np.uint64(31))


def fingerprint(text: str | None) -> int:
    """64-bit fingerprint of ``text`` (0 for empty text). Stable across runs, machines and versions.

    A repost is fingerprinted by the text it quotes (:func:`repost_body`).
    """
    norm = normalize(repost_body(text))
    if not norm:
        return 0
    if len(norm) < MIN_CHARS:
        # too short for MinHash to mean much: hash the whole text, so only identical texts coincide
        return int.from_bytes(_hash64("\x00" + norm), "big")
    return minhash_bits(_shingle_codes(norm))


def _shingle_codes(norm: str) -> np.ndarray:
    """Distinct 3-character shingles as exact 63-bit codes (three 21-bit code points side by side)."""
    points = np.frombuffer(norm.encode("utf-32-le"), dtype="<u4").astype(np.uint64)
    codes = (points[:-2] << np.uint64(42)) | (points[1:-1] << np.uint64(21)) | points[2:]
    return np.unique(codes)


def minhash_bits(codes: np.ndarray) -> int:
    """One-bit MinHash of a set of 64-bit feature codes.

    Bit ``i`` is the lowest bit of the minimum of hash function ``i`` (SplitMix64 of the code XOR a
    fixed seed) over the set. Two sets with Jaccard similarity J agree on each bit with probability
    J + (1 - J) / 2, so the expected distance is 32·(1 − J) bits: 0 when identical, 32 when unrelated.
    """
    if len(codes) == 0:
        return 0
    with np.errstate(over="ignore"):
        mins = _mix(codes[:, None] ^ _SEEDS[None, :]).min(axis=0)
    value = 0
    for bit in (mins & np.uint64(1)):
        value = (value << 1) | int(bit)
    return value


def bands(fp: int) -> list[str]:
    """Band keys for candidate lookup: every fingerprint within ``THRESHOLD`` bits shares one."""
    digits = f"{fp & ((1 << 64) - 1):0{BLOCKS * _HEX_DIGITS}x}"  # the 64 bits in hex, high block first
    blocks = [digits[i * _HEX_DIGITS:(i + 1) * _HEX_DIGITS] for i in range(BLOCKS)]
    return [name + "".join([blocks[i] for i in combo]) for name, combo in zip(_PAIR_NAMES, _PAIRS)]


def distance(a: int, b: int) -> int:
    """Hamming distance between two fingerprints."""
    return (a ^ b).bit_count()


def is_near_duplicate(a: int | str, b: int | str, threshold: int = THRESHOLD) -> bool:
    """Whether two fingerprints (or texts) are near-duplicates."""
    fa = fingerprint(a) if isinstance(a, str) else a
    fb = fingerprint(b) if isinstance(b, str) else b
    return distance(fa, fb) <= threshold


@dataclass(frozen=True)
class Candidate:
    """A stored document that shares a band key with a new one."""

    doc_id: str
    fingerprint: int
    cluster_id: str
    keys: frozenset[str] = frozenset()  # its stored band and sentence keys (``simhash_bands``), when known


@dataclass
class ClusterIndex:
    """Assigns cluster ids incrementally; a new story's id is its first document's id.

    ``assign(doc_id, fp, candidates, related)`` joins the cluster of the nearest candidate within
    the threshold, or of a ``related`` one (sharing a sentence key) within ``loose_threshold``
    (ties: the smaller cluster id), else founds a cluster named ``prefix + doc_id``.
    The result depends only on the order documents arrive in and on the candidates given, so
    replaying the same stream gives the same ids. Without ``candidates``, the index looks them up
    among the documents it has seen (in memory, by band key). Assigning a known ``doc_id`` again
    returns its cluster unchanged. Memory holds the latest ``capacity`` documents (oldest dropped
    first); the store is the long-term memory.
    """

    threshold: int = THRESHOLD
    loose_threshold: int = LOOSE_THRESHOLD
    prefix: str = ""
    capacity: int | None = 50_000
    _clusters: dict[str, str] = field(default_factory=dict)  # doc_id -> cluster_id
    _fingerprints: dict[str, int] = field(default_factory=dict)
    _bands: dict[str, list[str]] = field(default_factory=dict)  # band key -> doc_ids
    _sentence_keys: dict[str, list[str]] = field(default_factory=dict)  # doc_id -> sentence keys
    _sentences: dict[str, list[str]] = field(default_factory=dict)  # sentence key -> doc_ids

    def __len__(self) -> int:
        return len(self._clusters)

    def cluster_of(self, doc_id: str) -> str | None:
        return self._clusters.get(doc_id)

    def candidates(self, fp: int) -> list[Candidate]:
        """Documents seen so far that share a band key with ``fp``."""
        seen: dict[str, None] = {}
        for key in bands(fp):
            for doc_id in self._bands.get(key, ()):
                seen.setdefault(doc_id, None)
        return [Candidate(d, self._fingerprints[d], self._clusters[d]) for d in seen]

    def related(self, keys: Iterable[str]) -> list[Candidate]:
        """Documents seen so far that share a sentence key."""
        seen: dict[str, None] = {}
        for key in keys:
            for doc_id in self._sentences.get(key, ()):
                seen.setdefault(doc_id, None)
        return [Candidate(d, self._fingerprints[d], self._clusters[d]) for d in seen]

    def match(self, doc_id: str, fp: int, candidates: Iterable[Candidate],
              related: Iterable[Candidate] = ()) -> str | None:
        """The cluster a new document joins, or None: nearest first, then the smaller cluster id."""
        best: tuple[int, str] | None = None
        for pool, limit in ((candidates, self.threshold), (related, self.loose_threshold)):
            for cand in pool:
                if cand.doc_id == doc_id:
                    continue
                d = distance(fp, cand.fingerprint)
                if d <= limit and (best is None or (d, cand.cluster_id) < best):
                    best = (d, cand.cluster_id)
        return best[1] if best else None

    def assign(self, doc_id: str, fp: int, candidates: Iterable[Candidate] | None = None,
               related: Iterable[Candidate] | None = None, keys: Iterable[str] = ()) -> str:
        """The cluster id of a new document, remembering it (and its sentence ``keys``) for later lookups.

        Without ``candidates`` (and ``related``), they are looked up among the documents seen so far.
        """
        if doc_id in self._clusters:
            return self._clusters[doc_id]
        keys = list(keys)
        pool = self.candidates(fp) if candidates is None else list(candidates)
        near = self.related(keys) if related is None else list(related)
        cluster_id = self.match(doc_id, fp, pool, near) or f"{self.prefix}{doc_id}"
        self._clusters[doc_id] = cluster_id
        self._fingerprints[doc_id] = fp
        for key in bands(fp):
            self._bands.setdefault(key, []).append(doc_id)
        if keys:
            self._sentence_keys[doc_id] = keys
            for key in keys:
                self._sentences.setdefault(key, []).append(doc_id)
        if self.capacity is not None:
            while len(self._fingerprints) > self.capacity:
                self._forget(next(iter(self._fingerprints)))
        return cluster_id

    def _forget(self, doc_id: str) -> None:
        fp = self._fingerprints.pop(doc_id)
        del self._clusters[doc_id]
        for index, keys in ((self._bands, bands(fp)), (self._sentences, self._sentence_keys.pop(doc_id, ()))):
            for key in keys:
                members = index.get(key)
                if members is not None:
                    members.remove(doc_id)
                    if not members:
                        del index[key]

    def add(self, doc_id: str, text: str) -> str:
        """Fingerprint ``text`` and assign it (in-memory candidates, band and sentence keys)."""
        return self.assign(doc_id, fingerprint(text), keys=sentence_keys(text))


# --- calibration on real pages: python -m analysis.neardup [DATA_DIR] ----------------------------


def _light_edits(text: str, seed: int) -> dict[str, str]:
    """Repost-style edits of ``text``: added source lines, a dropped sentence, typos, a cut end."""
    import random

    rnd = random.Random(seed)
    sentences = [s for s in re.split(r"(?<=[。！？!?\n])", text) if s.strip()]
    dropped = list(sentences)
    if len(dropped) > 3:
        dropped.pop(rnd.randrange(len(dropped)))
    chars = list(text)
    for _ in range(3):
        chars[rnd.randrange(len(chars))] = "某"
    header = "来源：人民网-天津频道 2023年03月05日 10:20\n{}\n（责任编辑：王小明）"
    return {
        "来源/编辑行": header.format(text),
        "删一句": "".join(dropped),
        "改三字": "".join(chars),
        "标点空白": text.replace("，", ",").replace("。", ". ").replace("\n", "  "),
        "截去末尾10%": text[: int(len(text) * 0.9)],
        "组合": header.format("".join(dropped[:-1]) + "".join(chars[-20:])),
        "删一段+导语": "据人民网报道，" + "".join(sentences[: max(1, len(sentences) * 2 // 3)]) + "\n（来源：人民网）",
    }


def related(a: str, b: str, fa: int | None = None, fb: int | None = None) -> bool:
    """The full rule: within ``THRESHOLD``, or sharing a sentence key and within ``LOOSE_THRESHOLD``."""
    d = distance(fingerprint(a) if fa is None else fa, fingerprint(b) if fb is None else fb)
    return d <= THRESHOLD or (d <= LOOSE_THRESHOLD and bool(set(sentence_keys(a)) & set(sentence_keys(b))))


def calibrate(texts: list[str], threshold: int = THRESHOLD) -> dict:
    """Share of light edits within ``threshold``, and distances between different texts."""
    fps = [fingerprint(t) for t in texts]
    keys = [set(sentence_keys(t)) for t in texts]
    within: dict[str, list[int]] = {}
    joined: dict[str, list[bool]] = {}  # by the full rule (sentence keys and LOOSE_THRESHOLD too)
    for index, (text, fp) in enumerate(zip(texts, fps)):
        for name, edited in _light_edits(text, index).items():
            fe = fingerprint(edited)
            within.setdefault(name, []).append(distance(fp, fe))
            joined.setdefault(name, []).append(related(text, edited, fp, fe))
    pairs = sorted(distance(fps[i], fps[j]) for i, j in itertools.combinations(range(len(texts)), 2))
    shared = [distance(fps[i], fps[j]) for i, j in itertools.combinations(range(len(texts)), 2)
              if keys[i] & keys[j]]
    return {
        "texts": len(texts),
        "edit_recall": {k: sum(d <= threshold for d in v) / len(v) for k, v in within.items()},
        "edit_max": {k: max(v) for k, v in within.items()},
        "edit_recall_related": {k: sum(v) / len(v) for k, v in joined.items()},
        "pairs": len(pairs),
        "pairs_within": sum(d <= threshold for d in pairs),
        "pairs_related": sum(d <= threshold for d in pairs) + sum(threshold < d <= LOOSE_THRESHOLD for d in shared),
        "pairs_sharing_sentence": len(shared),
        "pair_min": pairs[0] if pairs else None,
    }


def _main(argv: list[str] | None = None) -> int:
    import json
    import sys
    from pathlib import Path

    args = sys.argv[1:] if argv is None else argv
    root = Path(args[0]) if args else Path(__file__).resolve().parents[1] / ".." / "shared" / "data"
    extraction = root / "extraction"
    texts: list[str] = []
    ground = extraction / "chinese_web_content_extraction" / "eval" / "cleaned_ground.json"
    silver = extraction / "gne_testpages" / "gne_own_output_silver.json"
    if ground.exists():
        texts += [v.get("articleBody", "") for v in json.loads(ground.read_text(encoding="utf-8")).values()]
    if silver.exists():
        texts += [v.get("content", "") for v in json.loads(silver.read_text(encoding="utf-8")).values()]
    texts = [t for t in texts if len(normalize(t)) >= 200]
    if not texts:
        print(f"未找到评测数据: {extraction}", file=sys.stderr)
        return 1
    result = calibrate(texts)
    print(f"阈值 {THRESHOLD} 位，{result['texts']} 篇真实网页正文（长度≥200字）")
    for name, share in result["edit_recall"].items():
        print(f"  轻度改动[{name}] 判为近重复: {share:.1%}（最大距离 {result['edit_max'][name]}）；"
              f"加共有句≤{LOOSE_THRESHOLD}位: {result['edit_recall_related'][name]:.1%}")
    print(f"  不同文章 {result['pairs']} 对: 判为近重复 {result['pairs_within']} 对，最小距离 {result['pair_min']}；"
          f"共有句子 {result['pairs_sharing_sentence']} 对，按完整规则判为近重复 {result['pairs_related']} 对")
    return 0


if __name__ == "__main__":
    raise SystemExit(_main())
