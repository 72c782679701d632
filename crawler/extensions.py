"""Scrapy extensions."""
from __future__ import annotations

import sys

from scrapy import signals
from scrapy.exceptions import NotConfigured
from twisted.internet import task


class Progress:
    """Print one line per site every few seconds, so long crawls are never silent."""

    def __init__(self, crawler, interval: float):
        self.crawler, self.interval, self.loop = crawler, interval, None
        crawler.signals.connect(self.opened, signal=signals.spider_opened)
        crawler.signals.connect(self.closed, signal=signals.spider_closed)

    @classmethod
    def from_crawler(cls, crawler):
        interval = crawler.settings.getfloat("GUIFAN_PROGRESS_INTERVAL")
        if interval <= 0:
            raise NotConfigured
        return cls(crawler, interval)

    def opened(self, spider):
        self.loop = task.LoopingCall(self.report, spider)
        self.loop.start(self.interval, now=False)

    def closed(self, spider, reason):
        if self.loop and self.loop.running:
            self.loop.stop()
        self.report(spider, final=reason)

    def report(self, spider, final: str | None = None):
        stats = self.crawler.stats
        counts = {k.rsplit("/", 1)[1]: v for k, v in stats.get_stats().items() if k.startswith("guifan/outcome/")}
        text = ", ".join(f"{v} {k}" for k, v in sorted(counts.items())) or "nothing yet"
        state = f" — {final}" if final else ""
        print(f"  {spider.site}: {text}{state}", file=sys.stderr, flush=True)
