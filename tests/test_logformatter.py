"""Per-page log lines (crawler/logformatter.py) are made at DEBUG and skipped above it."""
from __future__ import annotations

from types import SimpleNamespace

import pytest
from scrapy import Request, Spider
from scrapy.http import HtmlResponse
from scrapy.utils.misc import load_object
from scrapy.utils.test import get_crawler

from guifan.crawler.logformatter import QuietLogFormatter
from guifan.crawler.runner import project_settings


@pytest.mark.parametrize("level, shown", [("DEBUG", True), (10, True), ("INFO", False), ("WARNING", False)])
def test_per_page_lines_only_when_they_can_be_shown(level, shown):
    crawler = get_crawler(Spider, {"LOG_LEVEL": level})
    formatter = QuietLogFormatter.from_crawler(crawler)
    request = Request("http://127.0.0.1:8701/zwgk/t20240105_1.html")
    response = HtmlResponse(request.url, request=request, body=b"<html></html>")
    assert (formatter.crawled(request, response, None) is not None) is shown
    assert (formatter.scraped({"url": request.url}, response, None) is not None) is shown


def test_guifan_crawls_use_it():
    settings = project_settings()
    formatter = load_object(settings["LOG_FORMATTER"]).from_crawler(SimpleNamespace(settings=settings))
    assert isinstance(formatter, QuietLogFormatter) and not formatter.debug
