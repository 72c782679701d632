"""The scheduler queue of a crawler of many sites: which site's request goes next.

Scrapy's DownloaderAwarePriorityQueue pops, for every request, the site with the fewest
requests in the downloader, scanning every site (O(sites) per request), round robin among
equals. With a thousand sites and a downloader that has room for fewer of them than want a
request (crawler/extensions.py: DownloaderRoom), the choice decides when the crawl ends: the
sites with the most work left must keep their polite rate, or the crawl lasts until they
catch up. `BacklogFirstQueue` keeps the sites that have work and nothing in the downloader in
a heap, keyed by when the site became ready minus AGE seconds per request of work it is
estimated to have left: its waiting detail pages and attachments, and for each waiting list
page as many documents as its list pages have shown so far (at least PER_LIST), times one
more for each list page the site has had: a site deep in its lists is likely large. So
the largest sites keep their rate, and no site waits more than AGE × the difference in work
behind another. A site whose request has left the downloader sleeps until its download
delay is over (it holds no place in the downloader meanwhile), then goes back in the heap;
a site re-ranks when it gets new work. Within a site, Scrapy's priorities still order its
requests (list pages first: crawler/spiders/portal.py LIST_PRIORITY).
"""
from __future__ import annotations

import heapq
from itertools import count
from time import monotonic

from scrapy import signals
from scrapy.pqueues import DownloaderAwarePriorityQueue

MARK = "_guifan_popped"     # request.meta: popped by which queue (the scheduler has one in
                            # memory and, with JOBDIR, one on disk), not yet out of the downloader
LOST_AFTER = 5.0            # seconds: a popped request not seen leaving since (dropped by a
                            # downloader middleware, e.g. robots.txt) no longer holds its site
SWEEP_EVERY = 1.0           # seconds between two looks for such requests
AGE = 0.25                  # seconds of waiting worth one request of work left
PER_LIST = 20               # documents a list page is taken to show before the site's own tell
EARLY = 0.02                # seconds before its delay is over that a site's request may be handed over


class BacklogFirstQueue(DownloaderAwarePriorityQueue):

    def __init__(self, crawler, downstream_queue_cls, key, slot_startprios=None, *, start_queue_cls=None):
        super().__init__(crawler, downstream_queue_cls, key, slot_startprios, start_queue_cls=start_queue_cls)
        self.heap: list[tuple] = []          # sites allowed a request now, best first
        self.sleeping: list[tuple] = []      # (when allowed, version, slot): sites within their delay
        self.allowed: dict[str, float] = {}  # slot -> when its delay is over (absent: now)
        self.crawler, self.timer = crawler, None
        self.version: dict[str, int] = {}
        self.out: dict[str, dict[int, float]] = {}   # slot -> {id(request): when popped}
        self.order = count()
        self.ready: dict[str, float] = {}    # slot -> when it last became ready (work, none out)
        self.lists: dict[str, int] = {}      # slot -> list requests waiting
        self.seen: dict[str, list[int]] = {}  # slot -> [list requests taken, other requests pushed]
        self.swept = monotonic()
        for slot in self.pqueues:          # resumed from JOBDIR
            self.offer(slot)
        crawler.signals.connect(self.left, signal=signals.request_left_downloader)

    def offer(self, slot: str) -> None:
        """(Re)place the slot in the heap with its current rank, if it has work and is idle;
        among the sleepers while its download delay lasts."""
        queue = self.pqueues.get(slot)
        if queue is None or self.out.get(slot):
            return
        v = self.version[slot] = self.version.get(slot, 0) + 1
        allowed = self.allowed.get(slot, 0.0)
        if allowed > monotonic() + EARLY:
            heapq.heappush(self.sleeping, (allowed, v, slot))
            return
        since = self.ready.setdefault(slot, monotonic())
        heapq.heappush(self.heap, (since - AGE * self.work_left(slot, len(queue)), next(self.order), slot, v))

    def wake(self) -> None:
        """Move the sites whose delay is over from the sleepers to the heap."""
        horizon = monotonic() + EARLY
        while self.sleeping and self.sleeping[0][0] <= horizon:
            _, v, slot = heapq.heappop(self.sleeping)
            if v == self.version.get(slot):
                self.allowed.pop(slot, None)
                self.offer(slot)

    def call_engine_at(self, when: float) -> None:
        """Have the engine ask for a request when the next sleeper wakes: it asks on its own
        only when a download ends, or every 5 s."""
        from twisted.internet import reactor
        if self.timer is not None and self.timer.active() and self.timer.getTime() <= when:
            return
        if self.timer is not None and self.timer.active():
            self.timer.cancel()
        slot = getattr(self.crawler.engine, "_slot", None)   # Scrapy has no public "ask now"
        if slot is not None:
            self.timer = reactor.callLater(max(0.0, when - monotonic()), slot.nextcall.schedule)

    def work_left(self, slot: str, waiting: int) -> float:
        lists = self.lists.get(slot, 0)
        taken, found = self.seen.get(slot, (0, 0))
        # A list page stands for as many documents as the site's list pages showed so far,
        # and for more the deeper its lists go: a site on its fourth list page is likely large.
        per_list = max(PER_LIST, found / taken) if taken else PER_LIST
        return waiting - lists + lists * per_list * (1 + taken)

    def push(self, request) -> None:
        super().push(request)
        slot = self._downloader_interface.get_slot_key(request)
        if request.meta.get("kind") == "list":
            self.lists[slot] = self.lists.get(slot, 0) + 1
        else:
            self.seen.setdefault(slot, [0, 0])[1] += 1
        self.offer(slot)

    def pop(self):
        self.wake()
        request = self.best()
        if request is None and monotonic() - self.swept > SWEEP_EVERY:
            self.free_lost()
            request = self.best()
        if request is None and self.sleeping:
            self.call_engine_at(self.sleeping[0][0])
        return request

    def current(self, slot: str, v: int) -> bool:
        """Whether a heap entry still stands: its site's latest, with work and nothing out."""
        return v == self.version.get(slot) and slot in self.pqueues and not self.out.get(slot)

    def best(self):
        while self.heap:
            *_, slot, v = heapq.heappop(self.heap)
            if self.current(slot, v):
                return self.take(slot)
        return None

    def take(self, slot: str):
        queue = self.pqueues[slot]
        request = queue.pop()
        if len(queue) == 0:
            del self.pqueues[slot]
            queue.close()
        self.ready.pop(slot, None)
        if request is None:
            return None
        if request.meta.get("kind") == "list" and self.lists.get(slot):
            self.lists[slot] -= 1
            self.seen.setdefault(slot, [0, 0])[0] += 1
        request.meta[MARK] = (id(self), slot)
        self.out.setdefault(slot, {})[id(request)] = monotonic()
        return request

    def free_lost(self) -> None:
        """Free the sites whose popped request was dropped before the downloader saw it."""
        self.swept = now = monotonic()
        for slot, popped in list(self.out.items()):
            for rid in [rid for rid, when in popped.items() if now - when > LOST_AFTER]:
                popped.pop(rid)
            if not popped:
                del self.out[slot]
                self.offer(slot)

    def left(self, request, spider=None):
        mark = request.meta.get(MARK)
        if not mark or mark[0] != id(self):
            return                      # robots.txt, and requests from the scheduler's other queue
        del request.meta[MARK]
        slot = mark[1]                  # a middleware may since have given it another download_slot
        popped = self.out.get(slot)
        if popped is not None:
            popped.pop(id(request), None)
            if not popped:
                del self.out[slot]
                self.allowed[slot] = self.delay_over(slot)
                self.offer(slot)

    def delay_over(self, key: str) -> float:
        """When the site may be asked again (crawler/extensions.py DelayFromAnswer has moved
        the slot's lastseen to the answer). The downloader still enforces the delay itself:
        this only keeps a site that must wait out of the downloader's room."""
        slot = self.crawler.engine.downloader.slots.get(key)
        return slot.lastseen + slot.delay if slot is not None and slot.delay else 0.0

    def peek(self):
        entry = min((e for e in self.heap if self.current(e[-2], e[-1])), default=None)
        return self.pqueues[entry[-2]].peek() if entry else None
