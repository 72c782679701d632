"""The scheduler queue of a crawler of many sites: one queue per download slot (host), popped
from the slot with the fewest requests in the downloader and, among those, the one with the
most requests still waiting.

Scrapy's DownloaderAwarePriorityQueue breaks ties between slots by name (round robin): every
site progresses at the same pace, and when the crawl process cannot keep every site at its
delay (a busy machine), the largest sites fall behind with the rest and the crawl lasts as
long as they need at that slower pace. Served first, the sites with the longest backlog keep
to their delay and the crawl ends when the largest one would have ended anyway; the small
ones, which have time to spare, absorb the wait. Requests of a slot with fewer in the
downloader still go first, so no site waits behind another's backlog.
"""
from __future__ import annotations

from scrapy.pqueues import DownloaderAwarePriorityQueue


class BacklogFirstQueue(DownloaderAwarePriorityQueue):
    # Overrides the slot choice of Scrapy's class (a private method since Scrapy 2.6; where a
    # later Scrapy no longer calls it, the queue is Scrapy's round robin, no worse than that).
    def _next_slot(self, stats, *, update_state: bool) -> str:
        best, best_key = None, None
        for active, slot in stats:
            key = (active, -len(self.pqueues[slot]))
            if best_key is None or key < best_key:
                best, best_key = slot, key
        return best
