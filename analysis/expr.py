"""Boolean keyword expressions: one language for the default categories and the monitoring schemes.

Grammar (columns in errors are 1-based character positions in the expression as written)::

    expr    := or
    or      := and (OR and)*
    and     := unary ([AND] unary)*          # juxtaposition (a space) is AND too
    unary   := NOT unary | atom
    atom    := "(" expr ")" | PHRASE | WORD

    OR   :  |  ｜  OR  或
    AND  :  +  ＋  &  ＆  AND  与  且   (or just a space)
    NOT  :  -  －  !  ！  NOT  非       (prefix; ``a -b`` and ``a-b`` both mean "a and not b")
    ( )  :  ( ) and full-width （ ）
    PHRASE: text in "…", “…”, ＂…＂ or 「…」; operators and spaces inside are literal.
    WORD : a run of other characters.

``AND``/``OR``/``NOT`` are operators only in upper case and as whole words; ``与``/``或``/``且``/``非``
only as whole words standing alone (``食品 或 药品``), never inside a word (``或者`` is a keyword).
``-`` is always an operator outside quotes, as in the usual Chinese systems (``(A|B)+C-D``): quote a
keyword that contains one (``"3-15"``). Commas and 、/； are rejected with a hint, since users mean
either AND or OR by them and guessing wrong is worse than asking.
NOT binds tighter than AND, AND tighter than OR. An expression must be able to match on a keyword:
``-广告`` alone, or ``食品 | -广告``, would match nearly every post and is refused.

Matching: substring semantics on normalised text, which is what users of Chinese monitoring systems
expect (``电梯`` matches ``电梯困人``). Categories match on the post's segmentation
(:meth:`Matcher.match_segmented`): still substrings, but one that straddles a word boundary does not
count (``和服`` is not in 他们和服务员); monitoring schemes keep plain substrings, as their
Elasticsearch form (:func:`to_es_query` on the raw fields) does. Text and keywords are normalised alike: NFKC (full-width to
half-width), lower case, whitespace between two CJK characters removed (extracted pages break lines
mid-sentence) and other whitespace runs collapsed to one space. A keyword that starts or ends with an
ASCII letter or digit must not touch another ASCII letter or digit there (``12315`` does not match
``123156``, ``CCC`` does not match ``CCCP``); CJK keywords have no such boundary.
Traditional characters (:mod:`analysis.hanzi`): a keyword is folded to simplified characters, and
it matches the text in either script. Categories see the segmentation, which is folded already;
monitoring schemes match the text as written, looking for each spelling of the keyword
(:func:`analysis.hanzi.spellings`: 投诉, 投訴), exactly as their Elasticsearch form does on the stored
fields (the node has no character filter that could fold them).
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field

from analysis.hanzi import fold, spellings
from yuqing.errors import YuqingError

__all__ = [
    "And",
    "ExprError",
    "MatchResult",
    "Matcher",
    "Node",
    "Not",
    "Or",
    "Term",
    "compile_expr",
    "normalize",
    "parse",
    "terms_of",
    "to_es_query",
]


class ExprError(YuqingError):
    """An expression that does not parse; ``column`` is 1-based in the expression as written."""

    def __init__(self, message: str, column: int, expression: str = "") -> None:
        super().__init__(f"第 {column} 列: {message}")
        self.column = column
        self.reason = message
        self.expression = expression


# --- normalisation ------------------------------------------------------------------------------

_CJK = r"\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff"
_CJK_GAP = re.compile(rf"(?<=[{_CJK}])\s+(?=[{_CJK}])")
_SPACES = re.compile(r"\s+")


def normalize(text: str) -> str:
    """Text as matched: NFKC, lower case, no whitespace between CJK characters, single spaces."""
    if not text:
        return ""
    text = unicodedata.normalize("NFKC", text).lower()
    text = _CJK_GAP.sub("", text)
    return _SPACES.sub(" ", text).strip()


def _is_ascii_alnum(char: str) -> bool:
    return char.isascii() and char.isalnum()


# --- syntax tree --------------------------------------------------------------------------------


@dataclass(frozen=True)
class Term:
    """A keyword or quoted phrase; ``text`` as written, ``key`` normalised for matching."""

    text: str
    key: str
    column: int
    phrase: bool = False


@dataclass(frozen=True)
class And:
    children: tuple[Node, ...]
    column: int = 1


@dataclass(frozen=True)
class Or:
    children: tuple[Node, ...]
    column: int = 1


@dataclass(frozen=True)
class Not:
    child: Node
    column: int = 1


Node = Term | And | Or | Not


# --- tokenizer ----------------------------------------------------------------------------------

_OPEN = {"(": "(", "（": "("}
_CLOSE = {")": ")", "）": ")"}
_OR_CHARS = {"|", "｜"}
_AND_CHARS = {"+", "＋", "&", "＆"}
_NOT_CHARS = {"-", "－", "!", "！"}
_QUOTES = {'"': '"', "“": "”", "＂": "＂", "「": "」", "”": "”"}
_REJECTED = {",": "，", "，": "，", "、": "、", ";": "；", "；": "；"}
_WORD_OPS = {"OR": "OR", "或": "OR", "AND": "AND", "与": "AND", "且": "AND", "NOT": "NOT", "非": "NOT"}
_SPECIAL = set(_OPEN) | set(_CLOSE) | _OR_CHARS | _AND_CHARS | _NOT_CHARS | set(_QUOTES) | set(_REJECTED)


@dataclass
class _Token:
    kind: str  # WORD, PHRASE, AND, OR, NOT, LPAREN, RPAREN, END
    text: str
    column: int


def _tokenize(source: str) -> list[_Token]:
    tokens: list[_Token] = []
    i, n = 0, len(source)
    while i < n:
        char = source[i]
        column = i + 1
        if char.isspace():
            i += 1
        elif char in _OPEN:
            tokens.append(_Token("LPAREN", char, column))
            i += 1
        elif char in _CLOSE:
            tokens.append(_Token("RPAREN", char, column))
            i += 1
        elif char in _OR_CHARS:
            tokens.append(_Token("OR", char, column))
            i += 1
        elif char in _AND_CHARS:
            tokens.append(_Token("AND", char, column))
            i += 1
        elif char in _NOT_CHARS:
            tokens.append(_Token("NOT", char, column))
            i += 1
        elif char in _REJECTED:
            raise ExprError(
                f"不支持分隔符“{char}”：表示“或”请用 |，表示“与”请用空格或 +", column, source
            )
        elif char in _QUOTES:
            closing = _QUOTES[char]
            end = source.find(closing, i + 1)
            if char == "“" and end < 0:  # some editors close with a straight quote
                end = source.find('"', i + 1)
            if end < 0:
                raise ExprError(f"引号 {char} 没有闭合", column, source)
            text = source[i + 1:end]
            if not normalize(text):
                raise ExprError("引号内为空", column, source)
            tokens.append(_Token("PHRASE", text, column))
            i = end + 1
        else:
            start = i
            while i < n and not source[i].isspace() and source[i] not in _SPECIAL:
                i += 1
            word = source[start:i]
            op = _WORD_OPS.get(word)
            tokens.append(_Token(op, word, column) if op else _Token("WORD", word, column))
    tokens.append(_Token("END", "", n + 1))
    return tokens


# --- parser -------------------------------------------------------------------------------------

_DESCRIBE = {"AND": "“与”运算符", "OR": "“或”运算符", "NOT": "“非”运算符", "RPAREN": "右括号", "END": "表达式结尾"}


class _Parser:
    def __init__(self, source: str) -> None:
        self.source = source
        self.tokens = _tokenize(source)
        self.pos = 0

    def peek(self) -> _Token:
        return self.tokens[self.pos]

    def take(self) -> _Token:
        token = self.tokens[self.pos]
        self.pos += 1
        return token

    def error(self, message: str, column: int) -> ExprError:
        return ExprError(message, column, self.source)

    def parse(self) -> Node:
        if self.peek().kind == "END":
            raise self.error("表达式为空", 1)
        node = self.parse_or()
        token = self.peek()
        if token.kind == "RPAREN":
            raise self.error("多余的右括号", token.column)
        if token.kind != "END":  # pragma: no cover - every other token is consumed above
            raise self.error(f"无法识别“{token.text}”", token.column)
        return node

    def parse_or(self) -> Node:
        first = self.peek()
        children = [self.parse_and()]
        while self.peek().kind == "OR":
            self.take()
            children.append(self.parse_and())
        return children[0] if len(children) == 1 else Or(tuple(children), first.column)

    def parse_and(self) -> Node:
        first = self.peek()
        children = [self.parse_unary()]
        while True:
            kind = self.peek().kind
            if kind == "AND":
                self.take()
                children.append(self.parse_unary())
            elif kind in ("WORD", "PHRASE", "LPAREN", "NOT"):
                children.append(self.parse_unary())  # implicit AND
            else:
                break
        return children[0] if len(children) == 1 else And(tuple(children), first.column)

    def parse_unary(self) -> Node:
        token = self.peek()
        if token.kind == "NOT":
            self.take()
            child = self.parse_unary()
            return Not(child, token.column)
        return self.parse_atom()

    def parse_atom(self) -> Node:
        token = self.take()
        if token.kind == "LPAREN":
            if self.peek().kind == "RPAREN":
                raise self.error("括号内为空", token.column)
            node = self.parse_or()
            closing = self.peek()
            if closing.kind != "RPAREN":
                raise self.error("括号没有闭合", token.column)
            self.take()
            return node
        if token.kind in ("WORD", "PHRASE"):
            key = fold(normalize(token.text))
            return Term(token.text.strip(), key, token.column, token.kind == "PHRASE")
        if token.kind == "END":
            previous = self.tokens[self.pos - 2] if self.pos >= 2 else token
            raise self.error(f"“{previous.text}”后缺少关键词", previous.column)
        raise self.error(f"{_DESCRIBE.get(token.kind, token.text)}前缺少关键词", token.column)


def _has_positive(node: Node) -> bool:
    """Whether every way of matching ``node`` needs some keyword to be present."""
    if isinstance(node, Term):
        return True
    if isinstance(node, Not):
        return False
    if isinstance(node, And):
        return any(_has_positive(c) for c in node.children)
    return all(_has_positive(c) for c in node.children)


def _first_unanchored(node: Node) -> int:
    if isinstance(node, Or):
        for child in node.children:
            if not _has_positive(child):
                return _first_unanchored(child)
    return node.column


def parse(source: str) -> Node:
    """Parse an expression; raise :class:`ExprError` naming the column of the problem."""
    if not isinstance(source, str):
        raise ExprError(f"表达式应为字符串，实际是 {type(source).__name__}", 1, str(source))
    node = _Parser(source).parse()
    if not _has_positive(node):
        raise ExprError(
            "表达式只有排除词（或某个“或”分支只有排除词），会匹配几乎所有内容；请加上要监测的关键词",
            _first_unanchored(node), source,
        )
    return node


# --- matching -----------------------------------------------------------------------------------


def terms_of(node: Node, positive: bool = True) -> list[Term]:
    """Terms in order of appearance; with ``positive`` those not under a NOT, else those under one."""
    found: list[Term] = []

    def walk(n: Node, negated: bool) -> None:
        if isinstance(n, Term):
            if negated != positive:
                found.append(n)
        elif isinstance(n, Not):
            walk(n.child, not negated)
        else:
            for child in n.children:
                walk(child, negated)

    walk(node, False)
    return found


def _contains(text: str, key: str, aligned: Callable[[int, int], bool] | None = None) -> bool:
    """Whether ``key`` occurs in ``text``; with ``aligned``, only occurrences it accepts count."""
    if not key:
        return False
    if aligned is None and not (_is_ascii_alnum(key[0]) or _is_ascii_alnum(key[-1])):
        return key in text
    start = text.find(key)
    while start >= 0:
        end = start + len(key)
        left_ok = not _is_ascii_alnum(key[0]) or start == 0 or not _is_ascii_alnum(text[start - 1])
        right_ok = not _is_ascii_alnum(key[-1]) or end == len(text) or not _is_ascii_alnum(text[end])
        if left_ok and right_ok and (aligned is None or aligned(start, end)):
            return True
        start = text.find(key, start + 1)
    return False


@dataclass(frozen=True)
class MatchResult:
    """Whether the expression matched, and the keywords (as written) of the branches that matched.

    Keywords are in order of appearance in the expression; a keyword that is present in the text
    but sits in a branch that did not match (``电梯`` in ``电梯+困人`` without ``困人``) is left out.
    """

    matched: bool
    keywords: tuple[str, ...] = ()

    def __bool__(self) -> bool:
        return self.matched


@dataclass
class Matcher:
    """A compiled expression; ``match(text)`` normalises, ``match_normalized`` takes normalised text."""

    source: str
    tree: Node
    keys: tuple[str, ...] = field(init=False)
    key_spellings: dict[str, tuple[str, ...]] = field(init=False, repr=False)

    def __post_init__(self) -> None:
        seen: dict[str, None] = {}
        for term in terms_of(self.tree, True) + terms_of(self.tree, False):
            seen.setdefault(term.key, None)
        self.keys = tuple(seen)
        self.key_spellings = {key: spellings(key) for key in self.keys}
        # Keys by their first character: a key can only be in a text that has that character.
        by_first: dict[str, list[str]] = {}
        for key in self.keys:
            if key:
                by_first.setdefault(key[0], []).append(key)
        self._by_first = {first: tuple(keys) for first, keys in by_first.items()}
        self._with_no_key = self._evaluated(frozenset())  # most texts have none of an expression's keys

    @property
    def keywords(self) -> list[str]:
        """Positive keywords as written, deduplicated, in order."""
        return list(dict.fromkeys(t.text for t in terms_of(self.tree, True)))

    @property
    def exclusions(self) -> list[str]:
        """Excluded keywords as written, deduplicated, in order."""
        return list(dict.fromkeys(t.text for t in terms_of(self.tree, False)))

    def match(self, text: str) -> MatchResult:
        return self.match_normalized(normalize(text))

    def match_normalized(self, text: str) -> MatchResult:
        """Match text as written: a keyword is present when any of its spellings is."""
        return self._result({key for key in self.keys if any(_contains(text, s) for s in self.key_spellings[key])})

    def _result(self, present: set[str]) -> MatchResult:
        """The expression evaluated on the set of keys ``present`` in the text."""
        return self._evaluated(present) if present else self._with_no_key

    def _evaluated(self, present: set[str] | frozenset[str]) -> MatchResult:
        hits: list[str] = []
        if not _evaluate(self.tree, present, hits):
            return MatchResult(False)
        return MatchResult(True, tuple(dict.fromkeys(hits)))

    def match_segmented(self, *parts) -> MatchResult:
        """Match on segmented texts (:class:`analysis.segment.Segmented`: ``text`` and ``aligned``):
        a keyword counts where it is whole words or lies inside one word, never where it straddles
        a word boundary (和服 in 和/服务员). Each part (title, content) is matched on its own."""
        # Most keys are absent: only keys whose first character the part has are searched for.
        present: set[str] = set()
        for part in parts:
            for first in self._by_first.keys() & part.chars:
                for key in self._by_first[first]:
                    if key not in present and _contains(part.text, key, part.aligned):
                        present.add(key)
        return self._result(present)

    def straddling(self, *parts) -> list[str]:
        """Positive keywords (as written) that occur in the segmented ``parts`` only across a word
        boundary, so :meth:`match_segmented` does not count them (for rule authors)."""
        found = [t.text for t in terms_of(self.tree, True)
                 if any(t.key in p.text for p in parts) and not any(_contains(p.text, t.key, p.aligned) for p in parts)]
        return list(dict.fromkeys(found))

    def __call__(self, text: str) -> MatchResult:
        return self.match(text)


def _evaluate(node: Node, present: set[str], hits: list[str]) -> bool:
    """Evaluate ``node``; append to ``hits`` the keywords of the branches that made it match."""
    if isinstance(node, Term):
        if node.key in present:
            hits.append(node.text)
            return True
        return False
    if isinstance(node, Not):
        return not _evaluate(node.child, present, [])
    if isinstance(node, And):
        mark = len(hits)
        for child in node.children:
            if not _evaluate(child, present, hits):
                del hits[mark:]
                return False
        return True
    matched = False
    for child in node.children:
        matched = _evaluate(child, present, hits) or matched
    return matched


def compile_expr(source: str) -> Matcher:
    """Parse and compile; raise :class:`ExprError` on a bad expression."""
    return Matcher(source, parse(source))


# --- Elasticsearch ------------------------------------------------------------------------------


def to_es_query(
    expr: str | Node | Matcher,
    fields: Sequence[str] | str,
    *,
    tokenize: Callable[[str], Iterable[str]] | None = None,
    slop: int = 0,
) -> dict:
    """The expression as Elasticsearch query DSL: a bool of ``match_phrase`` clauses on ``fields``.

    Keywords are normalised like the matcher (NFKC, lower case). On fields analysed with the
    ``standard`` analyzer (one token per CJK character, as the store's raw ``title``/``content``),
    a phrase is a substring, so Elasticsearch agrees with :class:`Matcher` on CJK keywords; each
    keyword is asked for in each of its spellings (:func:`analysis.hanzi.spellings`), as the matcher
    does. For
    fields of space-joined tokens (``analysis.segment.index_text`` with the ``whitespace``
    analyzer) pass ``tokenize=analysis.segment.query_tokens`` and a small ``slop`` (2) to step over
    the sub-words that search-mode indexing puts inside long words.
    Pure dict building: nothing here talks to Elasticsearch.
    """
    if isinstance(expr, Matcher):
        tree = expr.tree
    elif isinstance(expr, str):
        tree = parse(expr)
    else:
        tree = expr
    names = [fields] if isinstance(fields, str) else list(fields)
    if not names:
        raise ValueError("to_es_query needs at least one field")

    def phrase(term: Term) -> dict:
        queries = [" ".join(tokenize(term.key))] if tokenize else spellings(term.key)
        clauses = []
        for query in queries:
            for name in names:
                body: dict = {"query": query}
                if slop:
                    body["slop"] = slop
                clauses.append({"match_phrase": {name: body}})
        if len(clauses) == 1:
            return clauses[0]
        return {"bool": {"should": clauses, "minimum_should_match": 1}}

    def build(node: Node) -> dict:
        if isinstance(node, Term):
            return phrase(node)
        if isinstance(node, Not):
            return {"bool": {"must_not": [build(node.child)]}}
        if isinstance(node, Or):
            return {"bool": {"should": [build(c) for c in node.children], "minimum_should_match": 1}}
        must = [build(c) for c in node.children if not isinstance(c, Not)]
        must_not = [build(c.child) for c in node.children if isinstance(c, Not)]
        body = {"must": must}
        if must_not:
            body["must_not"] = must_not
        return {"bool": body}

    return build(tree)
