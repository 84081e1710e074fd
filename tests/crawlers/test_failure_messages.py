"""Why a request failed, as the crawl logs and counts it: Chinese, with the source's limits in it."""

from __future__ import annotations

import pytest
from scrapy import Request
from scrapy.exceptions import IgnoreRequest
from twisted.python.failure import Failure

from crawlers.middlewares import OutOfScope
from crawlers.spiders.base import error_kind, failure_message


def failed(exc: Exception, **meta) -> Failure:
    try:
        raise exc
    except Exception:  # noqa: BLE001 - a Failure is built from the exception being handled
        failure = Failure()
    failure.request = Request("http://127.0.0.1/a.html", meta=meta)
    return failure


@pytest.mark.parametrize("exc, meta, said", [
    (ValueError("Missing scheme in request url: mailto:a@b.c"), {}, "不是 http(s) 地址，无法请求"),
    (ValueError("Invalid IPv6 URL"), {}, "地址格式错误，无法请求"),
    (IgnoreRequest("max redirections reached"), {}, "重定向次数超过上限（重定向循环）"),
    (OutOfScope("主机 127.0.0.2 不属于来源的网站"), {}, "主机 127.0.0.2 不属于来源的网站"),
])
def test_failures_are_said_in_chinese(exc, meta, said):
    failure = failed(exc, **meta)
    message = failure_message(error_kind(failure), failure)
    assert message == said
    assert "Error" not in message and "OutOfScope" not in message


def test_the_size_limit_is_said_in_the_unit_it_was_set_in():
    assert "20 KB" in failure_message("too_large", failed(IgnoreRequest("size"), download_maxsize=20 * 1024))
    assert "8 MB" in failure_message("too_large", failed(IgnoreRequest("size"), download_maxsize=8 * 1048576))
