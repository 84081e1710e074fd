"""Market-supervision categories: keyword rules from ``config/categories.yaml`` applied to posts.

Each category has ``keywords`` (a post belongs to it when any item matches), an optional ``require``
(an expression that must also match) and optional ``exclude`` items (any match removes the post from
that category). Every item is an expression of :mod:`analysis.expr`, so a weak keyword carries its
own context and exclusions, e.g. ``电梯 + (困人|故障) - (电梯房|户型)``. A post gets zero or more
categories, each with the keywords that matched. Title and content are matched together (an AND may
take one keyword from each). Keywords match on the post's segmentation (:mod:`analysis.segment`,
computed once by the enrichment): a keyword counts where it is whole words or inside one word, not
where it straddles a word boundary (和服 is not in 他们/和/服务员; nor, the price of it, 困人 in
被困/人员 — rules name 被困 too). ``python -m analysis.categories 标题 正文`` names such keywords.

``python -m analysis.categories 标题 正文`` prints the categories of one post; without arguments it
prints, per THUCNews class, the share of titles that get a category (the noise on news outside our
domain).
"""

from __future__ import annotations

import logging
import os
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from analysis.expr import And, ExprError, Matcher, Node, Not, Or, parse
from analysis.segment import Segmented, segment
from yuqing.config import Field, LocatedDict, Where, read_yaml, validate
from yuqing.errors import ConfigError

LOGGER = logging.getLogger(__name__)

PROJECT_ROOT = Path(__file__).resolve().parents[1]
DEFAULT_PATH = PROJECT_ROOT / "config" / "categories.yaml"

CATEGORY_SCHEMA = {
    "name": Field(str, required=True, help="分类名称"),
    "description": Field(str, default="", help="分类说明"),
    "keywords": Field(list, required=True, item=str, help="命中任一即归入该类的关键词表达式"),
    "require": Field(str, default="", help="还必须满足的表达式（可选）"),
    "exclude": Field(list, default=list, item=str, help="命中任一即不归入该类的表达式（可选）"),
}
FILE_SCHEMA = {
    "version": Field(int, default=1, choices=(1,), help="文件格式版本"),
    "categories": Field(list, required=True, help="分类列表，顺序即展示顺序"),
}


@dataclass(frozen=True)
class CategoryMatch:
    """One category of a post and the keywords (as written in the rules) that put it there."""

    name: str
    keywords: tuple[str, ...]


@dataclass(frozen=True)
class Category:
    """A compiled category rule."""

    name: str
    description: str
    matcher: Matcher
    line: int = 0


def _compile_item(text: Any, where: Where) -> Node:
    if not isinstance(text, str):
        raise where.error(f"应为字符串（关键词表达式），实际是 {text!r}")
    try:
        return parse(text)
    except ExprError as exc:
        raise where.error(f"表达式错误: {exc}（表达式: {text.strip()}）") from None


def _compile_category(raw: LocatedDict, where: Where) -> Category:
    spec = validate(raw, CATEGORY_SCHEMA, where)
    name = spec["name"].strip()
    if not name:
        raise where.child("name", raw.line_of("name")).error("分类名称不能为空")
    if not spec["keywords"]:
        raise where.child("keywords", raw.line_of("keywords")).error("至少需要一个关键词表达式")

    def items(key: str) -> list[Node]:
        values = raw.get(key) or []
        line_of = getattr(values, "line_of", lambda _i: raw.line_of(key))
        base = where.child(key, raw.line_of(key))
        return [_compile_item(v, base.child(i, line_of(i))) for i, v in enumerate(values)]

    keywords = items("keywords")
    tree: Node = keywords[0] if len(keywords) == 1 else Or(tuple(keywords))
    parts: list[Node] = [tree]
    if spec["require"].strip():
        parts.append(_compile_item(spec["require"], where.child("require", raw.line_of("require"))))
    excludes = items("exclude")
    if excludes:
        parts.append(Not(excludes[0] if len(excludes) == 1 else Or(tuple(excludes))))
    if len(parts) > 1:
        tree = And(tuple(parts))
    return Category(name, spec["description"].strip(), Matcher(name, tree), where.line)


class Categorizer:
    """Assigns categories to posts; build it once and reuse it."""

    def __init__(self, categories: Sequence[Category]) -> None:
        self.categories = list(categories)

    @classmethod
    def from_file(cls, path: str | os.PathLike = DEFAULT_PATH, text: str | None = None) -> Categorizer:
        """Load and validate a categories file; errors are ConfigError naming file:line."""
        data = read_yaml(path, text)
        name = str(path)
        if data is None:
            raise ConfigError(f"{name}:1: 文件为空，缺少 categories")
        top = validate(data, FILE_SCHEMA, Where(name, getattr(data, "line", 1) or 1))
        raw_list = data["categories"]
        base = Where(name, data.line_of("categories"), "categories")
        line_of = getattr(raw_list, "line_of", lambda _i: base.line)
        categories: list[Category] = []
        seen: dict[str, int] = {}
        for index, raw in enumerate(top["categories"]):
            where = base.child(index, line_of(index))
            if not isinstance(raw, dict):
                raise where.error(f"应为映射（name/keywords/…），实际是 {raw!r}")
            category = _compile_category(raw, where)
            if category.name in seen:
                raise where.error(f"分类名称 '{category.name}' 重复（第 {seen[category.name]} 行已定义）")
            seen[category.name] = where.line
            categories.append(category)
        if not categories:
            raise base.error("至少需要一个分类")
        return cls(categories)

    @property
    def names(self) -> list[str]:
        return [c.name for c in self.categories]

    def categorize(self, title: str | None, content: str | None = "") -> list[CategoryMatch]:
        """Categories of a post in configuration order, each with the keywords that matched."""
        return self.categorize_segmented(segment(title), segment(content))

    def straddling(self, title: str | None, content: str | None = "") -> dict[str, list[str]]:
        """Per category, the keywords present only across a word boundary (for rule authors: 困人 in
        被困/人员 is not counted, so a rule that should catch it needs 被困 too)."""
        parts = (segment(title), segment(content))
        found = {c.name: c.matcher.straddling(*parts) for c in self.categories}
        return {name: keys for name, keys in found.items() if keys}

    def categorize_segmented(self, *parts: Segmented) -> list[CategoryMatch]:
        """Categories from a post's segmentation (title, content), as the enrichment computed it once:
        a keyword counts where it is whole words or inside one word, not across a word boundary."""
        matches = []
        for category in self.categories:
            result = category.matcher.match_segmented(*parts)
            if result.matched:
                matches.append(CategoryMatch(category.name, result.keywords))
        return matches


def _noise_report(categorizer: Categorizer, root: Path) -> None:
    """Share of THUCNews titles per class that get any category (out-of-domain classes = noise)."""
    from yuqing.columns import ljust

    folder = root / "news" / "thucnews_titles"
    classes = (folder / "class.txt").read_text(encoding="utf-8").split()
    totals = [0] * len(classes)
    hits = [0] * len(classes)
    for name in ("dev.txt", "test.txt"):
        for line in (folder / name).read_text(encoding="utf-8").splitlines():
            title, _, label = line.rpartition("\t")
            if label.isdigit():
                totals[int(label)] += 1
                hits[int(label)] += bool(categorizer.categorize(title, ""))
    print("THUCNews 新闻标题被归入任一分类的比例（体育/游戏/娱乐等领域外类别即误报率上限）:")
    for cls, total, hit in zip(classes, totals, hits):
        print(f"  {ljust(cls, 14)}{hit:>5}/{total:<6}{hit / max(total, 1):.2%}")


def _main(argv: list[str] | None = None) -> int:
    import sys

    args = sys.argv[1:] if argv is None else argv
    categorizer = Categorizer.from_file()
    if args:
        title, content = args[0], " ".join(args[1:])
        for match in categorizer.categorize(title, content):
            print(f"{match.name}: {'、'.join(match.keywords)}")
        for name, keys in categorizer.straddling(title, content).items():
            print(f"（{name}: {'、'.join(keys)} 只在跨词边界处出现，未计入；需要时请把完整的词写进规则）")
        return 0
    root = PROJECT_ROOT / ".." / "shared" / "data"
    if not (root / "news" / "thucnews_titles" / "class.txt").exists():
        print(f"未找到评测数据: {root}", file=sys.stderr)
        return 1
    _noise_report(categorizer, root)
    return 0


__all__ = ["DEFAULT_PATH", "Categorizer", "Category", "CategoryMatch"]

if __name__ == "__main__":
    raise SystemExit(_main())
