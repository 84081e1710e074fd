"""The layout the design promises: one owner of Elasticsearch, analysis as pure logic."""

from __future__ import annotations

import ast
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def imported_modules(path: Path) -> set[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
    names: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names.update(alias.name.split(".")[0] for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names.add(node.module.split(".")[0])
    return names


def python_files(*folders: str):
    for folder in folders:
        yield from (ROOT / folder).rglob("*.py")


def test_only_the_store_imports_elasticsearch():
    offenders = [str(p.relative_to(ROOT)) for p in python_files("yuqing", "analysis", "crawlers", "dashboards", "bench")
                 if "elasticsearch" in imported_modules(p) and "yuqing/store" not in p.as_posix()]
    assert offenders == []


def test_analysis_is_pure_logic():
    forbidden = {"scrapy", "dash", "elasticsearch", "twisted", "flask"}
    offenders = {str(p.relative_to(ROOT)): sorted(imported_modules(p) & forbidden) for p in python_files("analysis")}
    assert {k: v for k, v in offenders.items() if v} == {}
