"""Chinese labels for what the crawler records per source and run (crawl-runs): source kinds, run
statuses and error kinds. Shared by the 信源 page and `yuqing crawl`'s summary table."""

from __future__ import annotations

STATUS_LABELS = {"ok": "正常", "partial": "部分失败", "failed": "失败"}
KIND_LABELS = {"news": "新闻列表", "rss": "RSS/Atom", "sitemap": "站点地图", "board_html": "留言板（网页）",
               "board_api": "留言板（接口）", "social": "社交媒体"}  # crawlers/sources.py KINDS
ERROR_LABELS = {  # the crawler's error kinds (crawlers/context.py counts them per source and run)
    "timeout": "超时", "data_loss": "连接中断", "connection_refused": "连接被拒", "dns": "域名解析失败",
    "too_large": "页面过大", "cancelled": "下载取消", "robots_forbidden": "robots.txt 禁止",
    "redirect_loop": "重定向循环", "ignored": "请求被忽略", "parse_error": "解析出错",
    "truncated_html": "页面被截断", "date_missing": "缺少日期", "date_rejected": "日期不合理",
    "invalid_item": "条目无效", "empty_listing": "列表为空", "empty_feed": "订阅源为空",
    "bad_json": "JSON 有误", "bad_sitemap": "站点地图有误", "index_rejected": "索引拒收",
    "flush_failed": "写入失败", "enrich_unavailable": "未做分析", "enrich_failed": "分析失败",
    "bad_link": "链接无效", "offsite_link": "站外链接（未抓取）", "offsite_redirect": "重定向到站外",
    "count_rejected": "计数不合理", "bad_feed": "订阅源有误", "bad_encoding": "压缩或编码有误",
    "request_failed": "请求失败", "selector_miss": "选择器未命中（已用通用抽取）", "empty_body": "正文为空",
    "not_a_page": "附件（非网页）", "article_incomplete": "分页文章缺页",
}


def kind_label(kind: str | None) -> str:
    """``sitemap`` -> ``站点地图``; a kind without a label as it is."""
    return KIND_LABELS.get(kind or "", kind or "")


# Counted and shown, but not faults of the run (crawl-runs ``errors`` leaves them out; the run stays 正常):
# a link the crawl must not follow (another site's, or javascript:/mailto:, common in listings), a
# per-source selector that matched nothing on a page the general extractor then read (the first sign
# of a site redesign; the post itself is complete), and a link to an attachment rather than a page.
ADVISORY_KINDS = frozenset({"offsite_link", "bad_link", "selector_miss", "not_a_page"})


def error_label(kind: str) -> str:
    """``http_500`` -> ``HTTP 500``, ``timeout`` -> ``超时``; a kind without a label as it is."""
    if kind.startswith("http_") and kind[5:].isdigit():
        return f"HTTP {kind[5:]}"
    return ERROR_LABELS.get(kind, kind)


def describe_errors(kinds: dict | None, advisory: bool | None = None) -> str:
    """``{"http_500": 4, "timeout": 2}`` -> ``HTTP 500×4，超时×2`` (most frequent first); ``advisory``
    True or False: only the advisory kinds, or only the others."""
    chosen = {k: n for k, n in (kinds or {}).items() if advisory is None or (k in ADVISORY_KINDS) == advisory}
    counted = sorted(((error_label(k), int(n)) for k, n in chosen.items() if n), key=lambda kv: (-kv[1], kv[0]))
    return "，".join(f"{name}×{n}" for name, n in counted)
