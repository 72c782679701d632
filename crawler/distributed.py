"""Distributed crawling on scrapy-redis: workers anywhere share one queue; one ingester writes.

Per site, a *run* lives in Redis while it is crawled (keys `guifan:run:<key>:*`): a priority
queue of requests, a duplicate filter and the leases of requests being worked on. The first
worker to arrive creates the run (so each scheduled re-crawl starts with a fresh duplicate
filter) and seeds it with the start requests; the others join it.

A worker takes a request by moving it from the queue into the lease hash (atomically, in
Lua) and releases the lease only when Scrapy has finished with it: downloaded, its callback
run and everything it yielded pushed (items to the item list, requests to the queue). Every
worker keeps a heartbeat key alive; when one dies (even SIGKILL) its leases go back into the
queue, so no document is lost. A run is done when it was seeded and its queue and leases
are both empty; the worker that sees it first tells the ingester, in the same Lua step.

Politeness is shared: a site's *gate* in Redis (`guifan:gate:<host>`) holds the earliest time,
on Redis' clock, its next request may leave any worker. A worker's downloader opens it (in
Lua, atomically) just before it sends a request, shutting it for the site's delay, and shuts
it again for the delay from each answer; so however many workers crawl a site, it sees one
request per delay, counted as in one process (crawler/extensions.py: DelayFromAnswer).

Items (FetchResult with the raw body) travel through one Redis list to `guifan ingest`, the
only writer of the SQLite archive: `start` (opens an archive run), `fetch`, `done` (closes it).
"""
from __future__ import annotations

import base64
import json
import logging
import os
import socket
import time
import uuid
from dataclasses import fields

import redis
from scrapy import signals
from scrapy.core.downloader import Downloader
from scrapy.utils.asyncio import call_later
from scrapy.utils.defer import _schedule_coro
from scrapy_redis.dupefilter import RFPDupeFilter
from scrapy_redis.queue import PriorityQueue
from scrapy_redis.scheduler import Scheduler

from guifan.archive.models import FetchResult, utc_now
from guifan.parsers.attachment_text import AttachmentText
from guifan.archive.runs import close_run, open_run
from guifan.parsers.record import Document

logger = logging.getLogger(__name__)
ITEMS = "guifan:items"              # the ingester's inbox
INGESTING = "guifan:items:ingesting"  # the message being written (re-read after an ingester crash)
RUN_IDS = "guifan:ingest:runs"       # run key -> archive run id
WORKER = "guifan:worker:"            # + worker id: heartbeat
GATE = "guifan:gate:"                # + download slot (host): when its next request may leave
STATS = "guifan:stats"               # counters across workers (e.g. leases put back)
SEP = b"\n"

CREATE_RUN = """
-- KEYS: pointer, creator; ARGV: new key, worker id, start message
if redis.call('SET', KEYS[1], ARGV[1], 'NX') then
  redis.call('SET', 'guifan:run:' .. ARGV[1] .. ':creator', ARGV[2])
  redis.call('RPUSH', KEYS[2], ARGV[3])
  return {1, ARGV[1]}
end
return {0, redis.call('GET', KEYS[1])}
"""

POP_LEASE = """
-- KEYS: queue, leases; ARGV: lease field
local r = redis.call('ZRANGE', KEYS[1], 0, 0)
if #r == 0 then return false end
redis.call('ZREMRANGEBYRANK', KEYS[1], 0, 0)
redis.call('HSET', KEYS[2], ARGV[1], r[1])
return r[1]
"""

REAP_AND_CHECK = """
-- KEYS: queue, leases, seeded, done, creator, pointer, items, dupefilter
-- ARGV: worker key prefix, run key, done message
-- Returns 1 if this call finished the run, 2 if it is finished, 3 if it was orphaned, 0 if not done.
if redis.call('EXISTS', KEYS[4]) == 1 then return 2 end
local leases = redis.call('HGETALL', KEYS[2])
for i = 1, #leases, 2 do
  local worker = string.match(leases[i], '^([^|]+)|')
  if worker and redis.call('EXISTS', ARGV[1] .. worker) == 0 then
    redis.call('ZADD', KEYS[1], 0, leases[i + 1])
    redis.call('HDEL', KEYS[2], leases[i])
    redis.call('HINCRBY', 'guifan:stats', 'requeued', 1)
  end
end
if redis.call('EXISTS', KEYS[3]) == 0 then
  local creator = redis.call('GET', KEYS[5])
  if creator and redis.call('EXISTS', ARGV[1] .. creator) == 0 then
    if redis.call('GET', KEYS[6]) == ARGV[2] then redis.call('DEL', KEYS[6]) end
    redis.call('SET', KEYS[4], 'orphaned', 'EX', 86400)
    return 3
  end
  return 0
end
if redis.call('ZCARD', KEYS[1]) == 0 and redis.call('HLEN', KEYS[2]) == 0 then
  redis.call('SET', KEYS[4], 'done', 'EX', 86400)
  if redis.call('GET', KEYS[6]) == ARGV[2] then redis.call('DEL', KEYS[6]) end
  redis.call('DEL', KEYS[8], KEYS[1], KEYS[2], KEYS[3], KEYS[5])
  redis.call('RPUSH', KEYS[7], ARGV[3])
  return 1
end
return 0
"""

# The site gate. Times are Redis' own (TIME), so workers on machines whose clocks differ agree.
# A gate key expires at its time: a site with no gate is open. Sending shuts it for the *hold*:
# with one request at a time per site (the polite default) until the request is answered (at
# most DOWNLOAD_TIMEOUT, in case its worker dies), so that like one process the site sees the
# next request the delay after the last answer, however late a busy worker's request leaves;
# with several at a time, for the delay only.
OPEN_GATE = """
-- KEYS: gate, stats; ARGV: hold (ms), worker id.
-- 0: go (the gate shuts for the hold, and the worker's count of sent requests grows); else the ms to wait.
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
local opens = tonumber(redis.call('GET', KEYS[1]) or '0')
if now < opens then return opens - now end
redis.call('SET', KEYS[1], now + tonumber(ARGV[1]), 'PX', tonumber(ARGV[1]))
redis.call('HINCRBY', KEYS[2], 'sent:' .. ARGV[2], 1)
return 0
"""

ANSWERED = """
-- KEYS: gate; ARGV: delay (ms). A request left the downloader (answered or failed): the site's
-- next request not before now + delay.
local t = redis.call('TIME')
local opens = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000) + tonumber(ARGV[1])
redis.call('SET', KEYS[1], opens, 'PX', tonumber(ARGV[1]) + 1000)
return 0
"""


def run_key(run: str, part: str) -> str:
    return f"guifan:run:{run}:{part}"


def site_pointer(site: str) -> str:
    return f"guifan:site:{site}:run"


def connect(url: str) -> redis.Redis:
    return redis.Redis.from_url(url, socket_timeout=30, socket_connect_timeout=10, health_check_interval=30)


# -- messages -------------------------------------------------------------------------------

def message(kind: str, run: str, **data) -> bytes:
    return json.dumps({"type": kind, "run": run, **data}, ensure_ascii=False).encode("utf-8") + SEP


def encode_fetch(run: str, fetch: FetchResult) -> bytes:
    """JSON header (every field but the body), a newline, then the raw body bytes untouched."""
    header = {f.name: getattr(fetch, f.name) for f in fields(FetchResult)
              if f.name not in ("body", "document", "attachment_text")}
    header["document"] = fetch.document.to_dict() if fetch.document is not None else None
    header["attachment_text"] = fetch.attachment_text.to_dict() if fetch.attachment_text is not None else None
    header["hops"] = [{**h, "body": base64.b64encode(h.get("body") or b"").decode("ascii")} for h in fetch.hops]
    header["has_body"] = fetch.body is not None
    head = json.dumps({"type": "fetch", "run": run, "fetch": header}, ensure_ascii=False).encode("utf-8")
    return head + SEP + (fetch.body or b"")


def decode(raw: bytes) -> tuple[dict, bytes]:
    head, _, body = raw.partition(SEP)
    return json.loads(head), body


def decode_fetch(header: dict, body: bytes) -> FetchResult:
    data = dict(header)
    document = data.pop("document")
    has_body = data.pop("has_body")
    text = data.pop("attachment_text", None)
    data["attachment_text"] = AttachmentText.from_dict(text) if text is not None else None
    for name in ("request_headers", "response_headers"):
        data[name] = [tuple(pair) for pair in data[name]]
    data["hops"] = [{**h, "body": base64.b64decode(h["body"]), "headers": [tuple(p) for p in h["headers"]]}
                    for h in data.get("hops", [])]
    return FetchResult(**data, body=body if has_body else None,
                       document=Document.from_dict(document) if document is not None else None)


# -- the worker side ------------------------------------------------------------------------

class Worker:
    """This process in the cluster: its id and the heartbeat that keeps its leases its own."""

    def __init__(self, server: redis.Redis, ttl: float):
        self.server, self.ttl = server, max(2.0, ttl)
        self.id = f"{socket.gethostname()}-{os.getpid()}-{uuid.uuid4().hex[:6]}".replace("|", "-")
        self.loop = None
        self.leases = 0
        self.users = 0   # spiders of this process using this identity

    def beat(self) -> None:
        self.server.set(WORKER + self.id, utc_now(), px=int(self.ttl * 1000))

    def start(self) -> None:
        from twisted.internet import task  # late: importing the reactor installs one

        self.users += 1
        self.beat()
        if self.loop is None:
            self.loop = task.LoopingCall(self.beat)
            self.loop.start(self.ttl / 3, now=False)

    def stop(self) -> None:
        self.users -= 1
        if self.users > 0:
            return
        if self.loop is not None and self.loop.running:
            self.loop.stop()
        self.loop = None
        self.server.delete(WORKER + self.id)

    def lease_field(self) -> str:
        self.leases += 1
        return f"{self.id}|{self.leases}"


_workers: dict[str, Worker] = {}


def worker_for(url: str, ttl: float) -> Worker:
    """One worker identity per process, shared by the spiders (one per site) it runs."""
    if url not in _workers:
        _workers[url] = Worker(connect(url), ttl)
    return _workers[url]


class LeasedQueue(PriorityQueue):
    """scrapy-redis' priority queue, but a popped request stays leased until released."""

    def __init__(self, server, spider, key, serializer=None):
        super().__init__(server, spider, key, serializer)
        self.leases_key = spider.run_keys["leases"]
        self.worker: Worker = spider.worker
        self.pop_script = server.register_script(POP_LEASE)
        self.open: dict[str, object] = {}   # lease field -> request

    def pop(self, timeout=0):
        lease = self.worker.lease_field()
        data = self.pop_script(keys=[self.key, self.leases_key], args=[lease])
        if not data:
            return None
        request = self._decode_request(data)
        self.open[lease] = request
        return request

    def release(self, busy) -> None:
        """Release the leases of requests Scrapy no longer holds (`busy`: requests in progress)."""
        done = [lease for lease, request in self.open.items() if request not in busy]
        if done:
            self.server.hdel(self.leases_key, *done)
            for lease in done:
                del self.open[lease]


class RunScheduler(Scheduler):
    """scrapy-redis' scheduler on the keys of the site's current run, with leases."""

    @classmethod
    def from_crawler(cls, crawler):
        settings = crawler.settings
        instance = cls(server=connect(settings.get("REDIS_URL")), persist=True,
                       queue_cls="guifan.crawler.distributed.LeasedQueue",
                       dupefilter_cls="scrapy_redis.dupefilter.RFPDupeFilter")
        instance.stats, instance.crawler = crawler.stats, crawler
        return instance

    def open(self, spider):
        spider.join_run(self.server)
        self.queue_key = spider.run_keys["queue"]
        self.df = RFPDupeFilter(self.server, key=spider.run_keys["dupefilter"],
                                debug=spider.settings.getbool("DUPEFILTER_DEBUG"))
        super().open(spider)

    def in_progress(self) -> set:
        # The engine keeps a request in its slot until its callback's output is all handled.
        slot = getattr(self.crawler.engine, "_slot", None)
        return getattr(slot, "inprogress", set()) if slot is not None else set()

    def release(self) -> None:
        self.queue.release(self.in_progress())

    def next_request(self):
        self.release()
        return super().next_request()

    def close(self, reason):
        self.release()


class SiteGate:
    """Every worker's view of the sites' shared gates (see OPEN_GATE and ANSWERED)."""

    def __init__(self, server: redis.Redis, worker: str):
        self.worker = worker
        self.open_script = server.register_script(OPEN_GATE)
        self.answered_script = server.register_script(ANSWERED)

    def wait(self, slot: str, hold: float) -> float:
        """0 if a request may go to `slot` now (the gate then shuts for `hold`), else the seconds to wait."""
        return int(self.open_script(keys=[GATE + slot, STATS], args=[max(1, int(hold * 1000)), self.worker])) / 1000

    def answered(self, slot: str, delay: float) -> None:
        self.answered_script(keys=[GATE + slot], args=[int(delay * 1000)])


class GatedDownloader(Downloader):
    """Scrapy's downloader, but a slot with a delay also waits for its site's shared gate.

    A request leaves when this worker's own rules allow it (the slot's delay, AutoThrottle,
    backoff: they only lengthen gaps) *and* the site's gate is open; the gate shuts when it
    goes and opens the delay after it leaves the downloader. Slots without a delay (the
    loopback fast lane) are not gated. GUIFAN_SHARED_POLITENESS = False: each worker on its
    own. Written against Scrapy 2.19's Downloader._process_queue (its one hook between a
    request's queueing and its sending).
    """

    def __init__(self, crawler):
        super().__init__(crawler)
        self.gate = None
        self.timeout = crawler.settings.getfloat("DOWNLOAD_TIMEOUT", 180)
        if crawler.settings.getbool("GUIFAN_SHARED_POLITENESS", True):
            url = crawler.settings.get("REDIS_URL")
            worker = worker_for(url, crawler.settings.getfloat("GUIFAN_REDIS_HEARTBEAT", 15))
            self.gate = SiteGate(worker.server, worker.id)
            crawler.signals.connect(self.left, signal=signals.request_left_downloader)

    def left(self, request, spider=None):
        key = request.meta.get(self.DOWNLOAD_SLOT)
        slot = self.slots.get(key)
        if slot is not None and slot.delay:
            self.gate.answered(key, slot.delay)

    def _process_queue(self, slot) -> None:
        if self.gate is None or not slot.delay:
            return super()._process_queue(slot)
        if slot.latercall or not slot.queue or slot.free_transfer_slots() <= 0:
            return
        now = time.monotonic()
        wait = slot.download_delay() - now + slot.lastseen
        if wait <= 0:   # this worker would send now: ask the gate last, since asking shuts it
            hold = self.timeout if slot.concurrency == 1 else slot.delay
            # While the site's request is in flight the gate's time is only a bound: look again
            # within the delay (it opens the delay after the answer).
            wait = min(slot.delay, self.gate.wait(slot.queue[0][0].meta[self.DOWNLOAD_SLOT], hold))
        if wait > 0:
            slot.latercall = call_later(wait, self._latercall, slot)
            return
        slot.lastseen = now
        request, queued = slot.queue.popleft()
        _schedule_coro(self._wait_for_download(slot, request, queued))
        self._process_queue(slot)   # the next one waits for the delay


class RedisItemPipeline:
    """Send each FetchResult, raw body included, to the ingester's list."""

    def __init__(self, crawler):
        self.crawler = crawler
        self.server = connect(crawler.settings.get("REDIS_URL"))

    @classmethod
    def from_crawler(cls, crawler):
        return cls(crawler)

    def process_item(self, item, spider=None):
        spider = spider or self.crawler.spider
        self.server.rpush(ITEMS, encode_fetch(spider.run, item))
        self.crawler.stats.inc_value("guifan/outcome/sent")
        item.body = None
        return item


def fetch_at_once(settings) -> int:
    """How many requests a worker's crawler (one site) may hold: as many as it can fetch at once.

    Scrapy takes requests from the scheduler until CONCURRENT_REQUESTS are in its downloader,
    most of them waiting out the site's download delay; from a shared queue that would lease
    a worker's share of the run to it alone, and a worker that joins later would find the
    queue empty. A worker leases only what the site's politeness lets it fetch now.
    """
    per_site = settings.getint("CONCURRENT_REQUESTS_PER_DOMAIN") or 1
    if settings.getbool("GUIFAN_RELAX_LOOPBACK"):
        per_site = max([per_site, *(s.get("concurrency", 0) for s in settings.getdict("DOWNLOAD_SLOTS").values())])
    return per_site


def worker_settings(redis_url: str) -> dict:
    return {
        "REDIS_URL": redis_url,
        "SCHEDULER": "guifan.crawler.distributed.RunScheduler",
        "DUPEFILTER_CLASS": "scrapy_redis.dupefilter.RFPDupeFilter",
        "ITEM_PIPELINES": {"guifan.crawler.distributed.RedisItemPipeline": 500},
        "DOWNLOADER": "guifan.crawler.distributed.GatedDownloader",
        "GUIFAN_DB": "",        # workers never touch SQLite
        "JOBDIR": None,         # the run's state is in Redis
    }


# -- the ingester -----------------------------------------------------------------------------

class Ingester:
    """Pop messages from Redis and write them to the archive, the only writer."""

    def __init__(self, server: redis.Redis, archive, gone_after: int = 3, say=print):
        self.server, self.archive, self.gone_after, self.say = server, archive, gone_after, say
        self.finished: list[int] = []
        self.handled = 0

    def recover(self) -> None:
        """A message taken but not written when the last ingester stopped is written now."""
        for raw in self.server.lrange(INGESTING, 0, -1):
            self.handle(raw)
            self.server.lrem(INGESTING, 1, raw)

    def step(self, timeout: float = 1.0) -> bool:
        raw = self.server.blmove(ITEMS, INGESTING, timeout, "LEFT", "RIGHT")
        if raw is None:
            return False
        self.handle(raw)
        self.server.lrem(INGESTING, 1, raw)
        return True

    def run_id(self, run: str) -> int | None:
        value = self.server.hget(RUN_IDS, run)
        return int(value) if value is not None else None

    def handle(self, raw: bytes) -> None:
        header, body = decode(raw)
        kind, run = header["type"], header["run"]
        if kind == "start":
            if self.run_id(run) is None:
                run_id = open_run(self.archive, [header["profile"]], header.get("version", ""))
                self.server.hset(RUN_IDS, run, run_id)
                self.say(f"run {run_id}: started ({header['site']}, distributed run {run})")
        elif kind == "fetch":
            run_id = self.run_id(run)
            if run_id is None:
                logger.warning("fetch for unknown run %s dropped", run)
                return
            self.archive.record_fetch(run_id, decode_fetch(header["fetch"], body))
        elif kind == "done":
            self.close(run, header.get("reason", "finished"))
        self.handled += 1

    def close(self, run: str, reason: str) -> None:
        run_id = self.run_id(run)
        if run_id is None:
            return
        status = close_run(self.archive, run_id, [reason], self.gone_after)
        self.server.hdel(RUN_IDS, run)
        self.finished.append(run_id)
        self.say(f"run {run_id}: {status}")

    def serve(self, until=lambda ingester: False, idle_exit: float | None = None) -> None:
        self.recover()
        idle_since = time.monotonic()
        while not until(self):
            if self.step():
                idle_since = time.monotonic()
            elif idle_exit is not None and time.monotonic() - idle_since >= idle_exit:
                return


def start_message(run: str, site: str, profile: dict, version: str) -> bytes:
    return message("start", run, site=site, profile=profile, version=version)


def done_message(run: str, site: str, worker: str) -> bytes:
    return message("done", run, site=site, worker=worker, reason="finished")

