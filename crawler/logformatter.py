"""Scrapy's per-response log lines, made only when they can be shown.

Scrapy builds a DEBUG record for every response ("Crawled (200) …") and every item
("Scraped from …"), and only the log handler drops it. At hundreds of pages a second that
is a few per cent of the reactor thread; below DEBUG these lines are not made at all.
"""
from __future__ import annotations

import logging

from scrapy.logformatter import LogFormatter


def level_number(level) -> int:
    return level if isinstance(level, int) else logging.getLevelName(str(level).upper())


class QuietLogFormatter(LogFormatter):
    def __init__(self, debug: bool):
        super().__init__()
        self.debug = debug

    @classmethod
    def from_crawler(cls, crawler):
        settings = crawler.settings
        return cls(settings.getbool("LOG_ENABLED") and level_number(settings.get("LOG_LEVEL")) <= logging.DEBUG)

    def crawled(self, request, response, spider):
        return super().crawled(request, response, spider) if self.debug else None

    def scraped(self, item, response, spider):
        return super().scraped(item, response, spider) if self.debug else None
