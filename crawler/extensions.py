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
        stats = self.crawler.stats.get_stats()
        text = progress_text(stats)
        state = f" — {final}" if final else ""
        print(f"  {spider.site}: {text}{state}", file=sys.stderr, flush=True)


KIND_LABELS = (("list", "list pages"), ("detail", "detail pages"), ("attachment", "attachments"))
DOCUMENT_OUTCOMES = ("new", "changed", "unchanged", "not_modified", "gone")


def progress_text(stats: dict) -> str:
    """The site's fetches so far in the run summary's words and counts (guifan/summary.py):
    pages the servers answered, attempts by kind, outcomes of detail pages, failures."""
    fetched: dict[str, dict[str, int]] = {}
    for key, n in stats.items():
        if key.startswith("guifan/fetched/"):
            kind, outcome = key.split("/")[2:4]
            fetched.setdefault(kind, {})[outcome] = n
    if not fetched:  # a distributed worker only sends; or nothing recorded yet
        counts = {k.rsplit("/", 1)[1]: v for k, v in stats.items() if k.startswith("guifan/outcome/")}
        return ", ".join(f"{v} {k}" for k, v in sorted(counts.items())) or "nothing yet"
    kinds = ", ".join(f"{sum(fetched[k].values())} {label}" for k, label in KIND_LABELS if k in fetched)
    detail = fetched.get("detail", {})
    docs = ", ".join(f"{detail.get(k, 0)} {k}" for k in DOCUMENT_OUTCOMES)
    failed = sum(o.get("failed", 0) + o.get("blocked", 0) for o in fetched.values())
    return (f"{stats.get('guifan/answered', 0)} pages fetched ({kinds} attempted); documents {docs}; "
            f"{failed} failed/blocked")
