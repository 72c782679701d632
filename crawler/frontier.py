"""The scheduler queue of a crawler of many sites: which site's request goes next.

Scrapy's DownloaderAwarePriorityQueue pops, for every request, the site with the fewest
requests in the downloader, scanning every site (O(sites) per request), round robin among
equals. With a thousand sites and a downloader that has room for fewer of them than want a
request (crawler/extensions.py: DownloaderRoom), the choice decides when the crawl ends: the
sites with the most work left must keep their polite rate, or the crawl lasts until they
catch up. `BacklogFirstQueue` keeps the sites that have work and nothing in the downloader in
a heap, best first: the highest priority waiting (a site's list pages, so every site is
started and sized early), then the most requests waiting. A site goes back in the heap when
its request leaves the downloader, or when it gets new work.
"""
from __future__ import annotations

import heapq
from itertools import count
from time import monotonic

from scrapy import signals
from scrapy.pqueues import DownloaderAwarePriorityQueue

MARK = "_guifan_popped"     # request.meta: popped by this queue, not yet out of the downloader
LOST_AFTER = 5.0            # seconds: a popped request not seen leaving since (dropped by a
                            # downloader middleware, e.g. robots.txt) no longer holds its site
SWEEP_EVERY = 1.0
LOSTLOG = []           # seconds between two looks for such requests


class BacklogFirstQueue(DownloaderAwarePriorityQueue):

    def __init__(self, crawler, downstream_queue_cls, key, slot_startprios=None, *, start_queue_cls=None):
        super().__init__(crawler, downstream_queue_cls, key, slot_startprios, start_queue_cls=start_queue_cls)
        self.heap: list[tuple] = []
        self.version: dict[str, int] = {}
        self.out: dict[str, dict[int, float]] = {}   # slot -> {id(request): when popped}
        self.order = count()
        self.swept = monotonic()
        for slot in self.pqueues:          # resumed from JOBDIR
            self.offer(slot)
        crawler.signals.connect(self.left, signal=signals.request_left_downloader)

    def offer(self, slot: str) -> None:
        """(Re)place the slot in the heap with its current rank, if it has work and is idle."""
        queue = self.pqueues.get(slot)
        if queue is None or self.out.get(slot):
            return
        v = self.version[slot] = self.version.get(slot, 0) + 1
        heapq.heappush(self.heap, (queue.curprio, -len(queue), next(self.order), slot, v))

    def push(self, request) -> None:
        super().push(request)
        self.offer(self._downloader_interface.get_slot_key(request))

    def pop(self):
        request = self.best()
        if request is None and monotonic() - self.swept > SWEEP_EVERY:
            self.free_lost()
            request = self.best()
        return request

    def best(self):
        while self.heap:
            *_, slot, v = heapq.heappop(self.heap)
            if v == self.version.get(slot) and slot in self.pqueues and not self.out.get(slot):
                return self.take(slot)
        return None

    def take(self, slot: str):
        queue = self.pqueues[slot]
        request = queue.pop()
        if len(queue) == 0:
            del self.pqueues[slot]
            queue.close()
        if request is not None:
            request.meta[MARK] = True
            self.out.setdefault(slot, {})[id(request)] = (monotonic(), request.url)
        return request

    def free_lost(self) -> None:
        """Free the sites whose popped request was dropped before the downloader saw it."""
        self.swept = now = monotonic()
        for slot, popped in list(self.out.items()):
            for rid in [rid for rid, (when, _) in popped.items() if now - when > LOST_AFTER]:
                LOSTLOG.append(popped.pop(rid)[1])
            if not popped:
                del self.out[slot]
                self.offer(slot)

    def left(self, request, spider=None):
        if not request.meta.pop(MARK, False):
            return                      # robots.txt and other requests not from this queue
        slot = request.meta.get("download_slot")
        popped = self.out.get(slot)
        if popped is not None:
            popped.pop(id(request), None)
            if not popped:
                del self.out[slot]
                self.offer(slot)

    def peek(self):
        for *_, slot, v in sorted(self.heap):
            if v == self.version.get(slot) and slot in self.pqueues and not self.out.get(slot):
                return self.pqueues[slot].peek()
        return None
