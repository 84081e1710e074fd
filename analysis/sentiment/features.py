"""The tokens the domain sentiment model sees: words, emoticons, negation scope, punctuation runs
and lexicon hits, once each.

Design, chosen on the train/eval splits (see ``MODEL.md``):

* Normalise: NFKC (full-width to half-width), traditional characters folded to simplified ones
  (:mod:`analysis.hanzi`, since domain@4: 態度很差 is 态度很差, [淚] is [泪]), lower case, drop URLs,
  ``@user`` mentions and the ``{%…%}`` topic markup of weibo exports.
* Weibo emoticons such as ``[哈哈]`` or ``[怒]`` carry much of the polarity of short posts: each
  becomes one token ``E:哈哈`` instead of being cut into characters.
* Words come from jieba's precise mode (run compiled by :mod:`analysis.jiebafast`, the same words) with jieba's own dictionary only
  (:func:`analysis.segment.plain_tokenizer`), without SnowNLP's stop-word
  filter (which drops negators such as 没有/不是/不会). Not :func:`analysis.segment.tokens`: the
  project dictionary grows with the keyword work, and every change there would silently change
  the features of a trained model; jieba's dictionary is fixed by the pinned jieba version.
* Negation scope: the ``NEGATION_SCOPE`` words after a negator, up to the next punctuation, are
  marked ``N:`` so 不 满意 yields ``N:满意`` and does not count as praise.
* Topic terms: words that name what 市场监管 public opinion is about (投诉, 举报, 噪音, 12315 …)
  are dropped. Almost every post in this domain mentions them, praise included ("投诉当天就解决了，
  感谢"), so they say nothing about the poster's attitude; in the training data (delivery complaints,
  shopping reviews) they are strongly negative and would push praise of a bureau to negative.
* Punctuation runs: ``!``, ``?``, ``...`` and ``~`` (after NFKC) become ``P:!`` and, for a run of
  two or more (！！, ？？), ``P:!+`` — exclamation and rhetorical questions carry attitude.
* Lexicon: hits of the project's own polarity lexicon (:mod:`analysis.sentiment.lexicon`: 点赞,
  给力, 敷衍, 踢皮球, 不作为 …, negation-aware) add ``L:pos``/``L:neg`` ladder features. They
  help most on data unlike the training sets (MODEL.md, transfer figures).
* Each token counts once per text (binary naive Bayes), which keeps long posts from being
  decided by one repeated word.
"""

from __future__ import annotations

import re
import unicodedata

from analysis.hanzi import fold
from analysis.jiebafast import lcut
from analysis.segment import plain_tokenizer
from analysis.sentiment.lexicon import lexicon_features

NEGATION_SCOPE = 2

NEGATORS = frozenset(
    "不 没 没有 不是 不会 不能 别 无 未 非 不要 不用 不再 毫无 并非 从未 从不 难以 不够 不太 没什么 "
    "不怎么 木有 没啥 不可 不该 不想 不愿".split()
)

# Subject matter of the domain, not attitude: never features (see the module docstring).
TOPIC_TERMS = frozenset(
    "投诉 举报 反映 申诉 维权 信访 诉求 留言 来电 热线 12315 12345 噪音 噪声 市场监管 市场监管局 "
    "市场监督管理局 监管 执法 执法人员 工作人员 商家 消费者".split()
)

_TOPIC_MARKUP = re.compile(r"\{%|%\}")
_URL = re.compile(r"https?://[\w./?=&%#:+~-]+")
_MENTION = re.compile(r"@[\w\u4e00-\u9fff-]{1,30}[:：]?")
_EMOTICON = re.compile(r"\[([^\[\]\s]{1,8})\]")
_PUNCTUATION_RUN = re.compile(r"[!?]+|\.{3,}|…+|~+")
_PUNCTUATION_CHARS = "，。！？!?；;,.、：:…~～“”\"'‘’（）()【】[]《》<>/\\|-—_#*&^%$@+=·"


def words(text: str) -> list[str]:
    """jieba precise-mode words of ``text`` without whitespace tokens."""
    return [w for w in lcut(plain_tokenizer(), text) if not w.isspace()] if text else []


def normalize(text: str) -> str:
    """NFKC, traditional characters folded to simplified, lower case, without URLs, mentions and
    weibo topic markup."""
    text = fold(unicodedata.normalize("NFKC", text))
    text = _TOPIC_MARKUP.sub(" ", text)
    text = _URL.sub(" ", text)
    text = _MENTION.sub(" ", text)
    return text.lower()


def _is_punctuation(word: str) -> bool:
    return not word.strip(_PUNCTUATION_CHARS)


def features(text: str) -> list[str]:
    """The distinct features of ``text`` in first-seen order (empty for empty text)."""
    text = normalize(text or "")
    found = ["E:" + m.group(1) for m in _EMOTICON.finditer(text)]
    scope = 0
    for word in words(_EMOTICON.sub(" ", text)):
        if _is_punctuation(word):
            scope = 0
        elif word in TOPIC_TERMS:
            continue
        elif word in NEGATORS:
            scope = NEGATION_SCOPE
            found.append(word)
        elif scope > 0:
            found.append("N:" + word)
            scope -= 1
        else:
            found.append(word)
    found.extend(punctuation_features(text))
    found.extend(lexicon_features(text))
    return list(dict.fromkeys(found))


def punctuation_features(text: str) -> list[str]:
    """``P:!``, ``P:?``, ``P:…``, ``P:~`` per run in normalised ``text``; ``+`` marks runs of two or more."""
    found = []
    for match in _PUNCTUATION_RUN.finditer(text):
        run = match.group(0)
        mark = "…" if run[0] == "." else run[0]
        found.append("P:" + mark + ("+" if len(run) > 1 else ""))
    return found
