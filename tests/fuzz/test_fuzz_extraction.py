"""Fuzz the article extraction, HTML decoding and date parsing with hypothesis: random text and bytes,
and mutations (bytes flipped, cut, tags dropped or doubled, re-encoded) of the project's own fixture
pages and of pages the sandbox renders. No exception may escape; the number of inputs tried is printed
(also under `pytest -q`). Bounded by max_examples so the whole module stays well under a minute."""

from __future__ import annotations

import re
from datetime import datetime, timedelta, timezone
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from crawlers.extraction import Article, decode_html, extract, parse_date
from yuqing.sandbox import DEFAULT_EPOCH, SandboxApp, SandboxClock, build_world

TESTS = Path(__file__).resolve().parents[1]
NOW = datetime(2024, 6, 1, 12, 0, tzinfo=timezone(timedelta(hours=8)))
EXAMPLES = 400
TRIED: dict[str, int] = {}


def _fixture_pages() -> list[bytes]:
    folders = [TESTS / "extraction" / "fixtures", TESTS / "crawlers" / "fixtures"]
    pages = []
    for folder in folders:
        for path in sorted(folder.rglob("*")):
            if path.is_file() and path.suffix not in (".json", ".py") and path.stat().st_size < 300_000:
                pages.append(path.read_bytes())
    return pages


def _sandbox_pages(limit: int = 12) -> list[bytes]:
    at = DEFAULT_EPOCH + timedelta(days=8)
    app = SandboxApp(build_world(), SandboxClock.manual(at))
    pages = []
    for target in ("/", "/news/", "/central/rss.xml", "/sitemap.xml", "/board/"):
        response = app.handle("GET", target)
        if isinstance(response.body, bytes) and response.status == 200:
            pages.append(response.body)
    for post in [p for p in app.world.posts if p.site in ("news", "industry", "portal", "board")][:limit]:
        response = app.render(post, at)
        if isinstance(response.body, bytes):
            pages.append(response.body)
    return pages


SEEDS = _fixture_pages() + _sandbox_pages()
ENCODINGS = ["utf-8", "gbk", "gb18030", "big5", "utf-16", "latin-1", "shift_jis"]
DATE_SEEDS = [
    "2024-05-31 09:30", "2024年5月31日 09:30", "5月31日", "3小时前", "刚刚", "昨天 08:00", "前天",
    "Fri, 31 May 2024 09:30:00 +0800", "1717119000", "20240531", "二〇二四年五月三十一日", "May 31, 2024",
    "发布时间：2024-05-31", "2024/5/31 9:30:00", "31/05/2024", "2099-01-01", "1989-12-31",
]


def _count(name: str) -> None:
    TRIED[name] = TRIED.get(name, 0) + 1


@st.composite
def mutated_pages(draw) -> bytes:
    page = bytearray(draw(st.sampled_from(SEEDS)))
    for _ in range(draw(st.integers(0, 6))):
        op = draw(st.sampled_from(["flip", "cut", "insert", "drop_tag", "double_tag", "reencode", "splice"]))
        if not page:
            break
        at = draw(st.integers(0, len(page) - 1))
        if op == "flip":
            page[at] = draw(st.integers(0, 255))
        elif op == "cut":
            end = min(len(page), at + draw(st.integers(1, 4096)))
            del page[at:end]
        elif op == "insert":
            page[at:at] = draw(st.binary(max_size=64))
        elif op in ("drop_tag", "double_tag"):
            tags = [m.span() for m in re.finditer(rb"<[^<>]{1,200}>", bytes(page))]
            if tags:
                start, end = tags[draw(st.integers(0, len(tags) - 1))]
                page[start:end] = b"" if op == "drop_tag" else page[start:end] * draw(st.integers(2, 50))
        elif op == "reencode":
            text = bytes(page).decode("utf-8", "replace")
            page = bytearray(text.encode(draw(st.sampled_from(ENCODINGS)), "replace"))
        elif op == "splice":
            other = draw(st.sampled_from(SEEDS))
            page[at:] = other[draw(st.integers(0, max(0, len(other) - 1))) :]
    return bytes(page)


pages = st.one_of(mutated_pages(), st.binary(max_size=2048), st.text(max_size=2048).map(lambda t: t.encode()))
declared = st.one_of(st.none(), st.sampled_from(ENCODINGS + ["", "x-unknown", "utf8", "GB2312", "utf-32"]))
FUZZ = settings(max_examples=EXAMPLES, deadline=None, derandomize=True,
                suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])


@FUZZ
@given(page=pages, encoding=declared)
def test_decode_html_never_raises(page, encoding):
    _count("decode_html")
    text, used = decode_html(page, encoding)
    assert isinstance(text, str) and used


@FUZZ
@given(page=pages, encoding=declared, url=st.one_of(st.none(), st.just("http://127.0.0.1/news/2024/05/31/1.html")))
def test_extract_never_raises(page, encoding, url):
    _count("extract")
    article = extract(page, url, encoding, now=NOW)
    assert isinstance(article, Article)
    assert article.published_at is None or article.published_at <= NOW + timedelta(days=2)


@FUZZ
@given(text=st.one_of(
    st.text(max_size=200),
    st.builds(lambda seed, junk, at: seed[:at] + junk + seed[at:], st.sampled_from(DATE_SEEDS),
              st.text(alphabet="0123456789年月日时分秒:-/ .前后天小钟刚昨今", max_size=12), st.integers(0, 30)),
))
def test_parse_date_never_raises(text):
    _count("parse_date")
    value = parse_date(text, NOW)
    assert value is None or value.tzinfo is not None


def test_fuzz_seeds_and_counts_are_reported(capsys):
    """Runs last in this module: the seeds exist and every fuzzed function saw its inputs."""
    assert len(SEEDS) >= 10
    with capsys.disabled():  # shown under `pytest -q` (make test), not only with -s
        print(f"\nfuzz inputs tried: {TRIED} (total {sum(TRIED.values())}, seeds {len(SEEDS)})")
    missing = [name for name in ("decode_html", "extract", "parse_date") if TRIED.get(name, 0) < EXAMPLES // 2]
    if missing and len(TRIED) < 3:
        pytest.skip("run the whole module to see the counts")
    assert not missing, TRIED
