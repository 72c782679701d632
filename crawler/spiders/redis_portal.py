"""The portal spider as a distributed worker: fed by the site's shared Redis queue.

`scrapy crawl portal_redis -a site=NAME -s REDIS_URL=redis://…` (with the settings of
`crawler.distributed.worker_settings`) or `guifan worker --redis URL SITE…`. The first worker
of a run seeds it with the site's start requests; every worker then takes requests from the
shared queue, and closes when the run is done (see crawler/distributed.py).
"""
from __future__ import annotations

import time
import uuid

from scrapy import signals
from scrapy.exceptions import DontCloseSpider

from guifan.crawler.distributed import (CREATE_RUN, ITEMS, REAP_AND_CHECK, WORKER, done_message, fetch_at_once, run_key,
                                 site_pointer, start_message, worker_for)
from guifan.crawler.spiders.portal import PortalSpider
from guifan import __version__

RUN_PARTS = ("queue", "leases", "dupefilter", "seeded", "done", "creator")


class RedisPortalSpider(PortalSpider):
    name = "portal_redis"

    @classmethod
    def update_settings(cls, settings):
        super().update_settings(settings)
        # Below the command line: `--set`/`-s CONCURRENT_REQUESTS=…` still wins.
        settings.set("CONCURRENT_REQUESTS", fetch_at_once(settings), priority="spider")

    @classmethod
    def from_crawler(cls, crawler, *args, **kwargs):
        spider = super().from_crawler(crawler, *args, **kwargs)
        crawler.signals.connect(spider.check_done, signal=signals.spider_idle)
        crawler.signals.connect(spider.leave, signal=signals.spider_closed)
        return spider

    def join_run(self, server) -> None:
        """Join the site's current run, or create (and later seed) a new one. Called by RunScheduler.open."""
        self.server = server
        self.worker = worker_for(self.settings.get("REDIS_URL"), self.settings.getfloat("GUIFAN_REDIS_HEARTBEAT", 15))
        self.worker.start()
        new = f"{self.site}:{time.strftime('%Y%m%dT%H%M%SZ', time.gmtime())}:{uuid.uuid4().hex[:6]}"
        hello = start_message(new, self.site, self.profile.to_dict(), __version__)
        created, key = server.register_script(CREATE_RUN)(keys=[site_pointer(self.site), ITEMS],
                                                         args=[new, self.worker.id, hello])
        self.run, self.creator = key.decode(), bool(created)
        self.run_keys = {part: run_key(self.run, part) for part in RUN_PARTS}
        self.logger.info("%s run %s of %s", "created" if self.creator else "joined", self.run, self.site)

    async def start(self):
        if not self.creator:
            return
        async for request in super().start():
            yield request
        # Every start request is in the queue now: from here an empty queue means done.
        self.server.set(self.run_keys["seeded"], self.worker.id)

    def check_done(self):
        """When idle: put dead workers' leases back, and close once the run is done."""
        self.crawler.engine.scheduler.release()
        keys = [self.run_keys[p] for p in ("queue", "leases", "seeded", "done", "creator")]
        keys += [site_pointer(self.site), ITEMS, self.run_keys["dupefilter"]]
        state = self.server.register_script(REAP_AND_CHECK)(
            keys=keys, args=[WORKER, self.run, done_message(self.run, self.site, self.worker.id)])
        if state == 0:
            raise DontCloseSpider
        self.logger.info("run %s of %s is %s", self.run, self.site, {1: "done", 2: "done", 3: "orphaned"}[state])

    def leave(self, spider=None, reason=None):
        self.worker.stop()
