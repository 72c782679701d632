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


class RoundTrips:
    """Each site's round trips: from Scrapy's hand-over of the request (it sets slot.lastseen
    then; DelayFromAnswer moves it afterwards, hence DownloaderRoom runs first) to its answer."""

    def __init__(self):
        self.sites: dict[str, list] = {}    # slot -> [answers, fastest round trip]

    def add(self, key: str, slot) -> tuple[float, float, int]:
        """This answer's round trip, the site's fastest so far, and its number of answers."""
        trip = monotonic() - slot.lastseen
        seen = self.sites.setdefault(key, [0, float("inf")])
        seen[0] += 1
        seen[1] = min(seen[1], trip)
        return trip, seen[1], seen[0]


class DelayFromAnswer:
    """Count a domain's download delay from when its last request reached the site, as well as
    this process can tell, not from when the request was handed to the downloader (Scrapy's rule).

    With Scrapy's rule the site sees two requests closer together than the delay whenever
    the first one leaves this process late (a busy reactor, a slow connect): the gap the
    server measures is the delay minus that lag. The moment a request reached the site is not
    seen here, but it is bounded: it left no earlier than it was handed over and arrived no
    later than the answer, and the answer came back at least the site's fastest round trip
    after it arrived. So the delay counts from the answer minus the site's fastest round trip
    so far (for its first FIRST_ANSWERS answers, from the answer itself: one slow early round
    trip would pass for the site's own time). A request that left late has a long round trip
    and its successor waits that much longer; a site slow to answer (0.5 s a page) is still
    asked once a delay, not once per delay + answer. DOWNLOAD_DELAY_JITTER only lengthens the
    gap (delay to delay × (1 + 2 × jitter)), so a site that meters one request per
    DOWNLOAD_DELAY never refuses us. GUIFAN_DELAY_FROM_ANSWER = False restores Scrapy's rule.
    """

    FIRST_ANSWERS = 3

    def __init__(self, crawler, tolerance: float = 0.0):
        self.crawler, self.tolerance = crawler, tolerance
        self.trips = RoundTrips()
        self.due: dict[str, float] = {}     # slot -> when the site's next request is due
        crawler.signals.connect(self.answered, signal=signals.response_downloaded)

    @classmethod
    def from_crawler(cls, crawler):
        if not crawler.settings.getbool("GUIFAN_DELAY_FROM_ANSWER", True):
            raise NotConfigured
        tolerance = crawler.settings.getfloat("GUIFAN_DELAY_TOLERANCE")
        if not 0 <= tolerance < 1:
            raise ValueError(f"GUIFAN_DELAY_TOLERANCE must be at least 0 and below 1, not {tolerance}")
        return cls(crawler, tolerance)

    def answered(self, response, request, spider=None):
        downloader = getattr(self.crawler.engine, "downloader", None)
        key = request.meta.get("download_slot")
        slot = downloader.slots.get(key) if downloader else None
        if slot is not None and slot.delay:
            # The site's schedule: one request per delay from the first, a late one restarting it.
            due = self.due[key] = max(self.due.get(key, 0.0), self.arrived(key, slot)) + slot.delay
            # Scrapy waits delay × (1 ± jitter) from lastseen; moved on by delay × jitter, the
            # shortest wait ends at `due` less the tolerance: jitter only ever lengthens the gap.
            slot.lastseen = due - self.tolerance * slot.delay - slot.delay + slot.delay * slot.jitter

    def arrived(self, key: str, slot) -> float:
        """When the request just answered reached the site, at the latest."""
        now = monotonic()
        if slot.concurrency != 1:   # lastseen is then another request's hand-over
            return now
        _, fastest, answers = self.trips.add(key, slot)
        return now if answers <= self.FIRST_ANSWERS else now - fastest


class DownloaderRoom:
    """With many sites in one crawler, let into the downloader only as many requests as this
    process answers without queueing them, so that the scheduler's choice of the next site
    (crawler/frontier.py: the sites with the most work left) decides who is served.

    A thousand sites each allowed a request a second ask for more than one process can answer
    (~400 requests/s on two cores). With room for all, every site, the largest too, gets the
    same share, and the crawl lasts until the largest have caught up. Every second this
    extension looks at how much longer the round trips of the last second were than each
    site's fastest (the time a request waited in this process: a busy reactor answers late)
    and narrows the room (CONCURRENT_REQUESTS) by a tenth while the median is above
    GUIFAN_ROOM_LAG seconds, widens it by a tenth while it is below half that; never below
    GUIFAN_ROOM_MIN, never above the room the runner gave (a request per site).
    """

    INTERVAL = 1.0

    def __init__(self, crawler, lag: float, least: int, start: int):
        self.crawler, self.lag, self.least, self.start = crawler, lag, least, start
        self.trips = RoundTrips()
        self.excess: list[float] = []
        self.most, self.loop = None, None
        crawler.signals.connect(self.opened, signal=signals.spider_opened)
        crawler.signals.connect(self.closed, signal=signals.spider_closed)
        crawler.signals.connect(self.answered, signal=signals.response_downloaded)

    @classmethod
    def from_crawler(cls, crawler):
        s = crawler.settings
        if not s.getbool("GUIFAN_ROOM_BY_LAG"):
            raise NotConfigured
        return cls(crawler, s.getfloat("GUIFAN_ROOM_LAG"), s.getint("GUIFAN_ROOM_MIN"), s.getint("GUIFAN_ROOM_START"))

    def opened(self, spider):
        downloader = self.crawler.engine.downloader
        self.most = downloader.total_concurrency
        # Start narrow and widen: let in at first every site's first request, and its
        # robots.txt and home page queue in this process, not in the scheduler's order.
        downloader.total_concurrency = min(self.most, self.start)
        self.loop = task.LoopingCall(self.adjust)
        self.loop.start(self.INTERVAL, now=False)

    def closed(self, spider, reason):
        if self.loop and self.loop.running:
            self.loop.stop()

    def answered(self, response, request, spider=None):
        key = request.meta.get("download_slot")
        slot = self.crawler.engine.downloader.slots.get(key)
        if slot is None or slot.concurrency != 1:
            return
        trip, fastest, _ = self.trips.add(key, slot)
        self.excess.append(trip - fastest)

    def adjust(self):
        samples, self.excess = sorted(self.excess), []
        if len(samples) < 20 or not self.most:
            return
        downloader = self.crawler.engine.downloader
        lag, room = samples[len(samples) // 2], downloader.total_concurrency
        if lag > self.lag:
            room = max(self.least, int(room * (0.7 if lag > 4 * self.lag else 0.9)))
        elif lag < self.lag / 2:
            room = min(self.most, int(room * 1.1) + 1)
        downloader.total_concurrency = room
        self.crawler.stats.set_value("guifan/room/now", room)
        self.crawler.stats.min_value("guifan/room/min", room)
        self.crawler.stats.set_value("guifan/room/lag", round(lag, 4))
