"""Scrapy extensions."""
from __future__ import annotations

import sys
from time import monotonic

from scrapy import signals
from scrapy.exceptions import NotConfigured
from twisted.internet import task


class Progress:
    """Print one line per site every few seconds, so long crawls are never silent; with more
    than MANY sites in the process, one line for all of them instead (a thousand lines every
    five seconds would bury what matters)."""

    MANY = 20
    running: list["Progress"] = []    # the instances of this process whose spider is open

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
        self.running.append(self)
        self.loop = task.LoopingCall(self.report, spider)
        self.loop.start(self.interval, now=False)

    def closed(self, spider, reason):
        if self.loop and self.loop.running:
            self.loop.stop()
        if self in self.running:
            self.running.remove(self)
        if len(self.running) < self.MANY:
            self.report(spider, final=reason)

    def report(self, spider, final: str | None = None):
        if len(self.running) >= self.MANY and not final:
            if self.running[0] is self:     # one line for all, from the first site still running
                total: dict[str, int] = {}
                for other in self.running:
                    for k, v in other.crawler.stats.get_stats().items():
                        if k.startswith("guifan/") and isinstance(v, int):
                            total[k] = total.get(k, 0) + v
                print(f"  {len(self.running)} sites still crawling: {progress_text(total)}", file=sys.stderr,
                      flush=True)
            return
        text = progress_text(self.crawler.stats.get_stats())
        state = f" — {final}" if final else ""
        print(f"  {site_label(spider)}: {text}{state}", file=sys.stderr, flush=True)


def site_label(spider) -> str:
    """The site's name, or for a spider crawling many sites at once how many."""
    sites = getattr(spider, "sites", None)
    return spider.site if not sites or len(sites) == 1 else f"{len(sites)} sites"


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


class DelayFromAnswer:
    """Count a domain's download delay from when its last answer arrived, not from when the
    request was handed to the downloader (Scrapy's rule).

    With Scrapy's rule the site sees two requests closer together than the delay whenever
    the first one leaves this process late (a busy reactor, a slow connect): the gap the
    server measures is the delay minus that lag. Counted from the answer, with one request
    at a time per domain, every request reaches the site at least the delay after the one
    before, whatever this process is doing. DOWNLOAD_DELAY_JITTER then only lengthens the gap
    (delay to delay × (1 + 2 × jitter)), never shortens it below the delay, so a site that
    meters one request per DOWNLOAD_DELAY never refuses us. A slow site is asked a little less
    often (delay + its answer time). GUIFAN_DELAY_FROM_ANSWER = False restores Scrapy's rule.
    """

    def __init__(self, crawler):
        self.crawler = crawler
        crawler.signals.connect(self.answered, signal=signals.response_downloaded)

    @classmethod
    def from_crawler(cls, crawler):
        if not crawler.settings.getbool("GUIFAN_DELAY_FROM_ANSWER", True):
            raise NotConfigured
        return cls(crawler)

    def answered(self, response, request, spider=None):
        downloader = getattr(self.crawler.engine, "downloader", None)
        slot = downloader.slots.get(request.meta.get("download_slot")) if downloader else None
        if slot is not None and slot.delay:
            # Scrapy waits delay × (1 ± jitter) from lastseen; moved on by delay × jitter, the
            # shortest wait is the delay itself: jitter only ever lengthens the gap.
            slot.lastseen = max(slot.lastseen, monotonic() + slot.delay * slot.jitter)
