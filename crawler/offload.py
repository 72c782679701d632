"""Extract detail pages in worker processes, so that the crawl's reactor thread keeps fetching.

Extraction is a pure function of (bytes, headers, URL, hints) and takes about as long as
Scrapy's own work per page, so on one thread it halves the crawl rate. This downloader
middleware sends each successful detail response to a process pool before the spider sees
it and leaves the Document (or the ParseError) in `response.meta`; `PortalSpider` uses it
instead of extracting inline (`extracted()`), and extracts inline whenever it is absent.

GUIFAN_EXTRACT_PROCESSES: 0 extracts inline; -1 (default) uses one process per CPU core
but one, and none on a single core.
"""
from __future__ import annotations

import logging
import multiprocessing
import os
import threading
import time
from concurrent.futures import Future, ProcessPoolExecutor

from scrapy import signals
from scrapy.exceptions import NotConfigured
from scrapy.utils.defer import maybe_deferred_to_future
from twisted.internet.defer import Deferred

from crawler.responses import header_pairs
from parsers import ParseError, extract

logger = logging.getLogger(__name__)
META_KEY = "guifan_extracted"


def _extract(body: bytes, url: str, headers: dict, hints: dict):
    """In the worker: the Document, or the ParseError to raise in the spider."""
    try:
        return extract(body, url, headers, hints)
    except ParseError as exc:
        return exc


def exit_with(crawl_pid: int, every: float = 2.0) -> None:
    """Pool initializer: end this worker once the crawl that started it is gone.

    A crawl killed with SIGKILL cannot shut its pool down, and a forkserver worker never sees
    its task pipe close (it holds a write end itself), so without this it would live forever.
    """
    def watch():
        while True:
            time.sleep(every)
            try:
                os.kill(crawl_pid, 0)
            except ProcessLookupError:
                os._exit(0)
            except PermissionError:  # the pid now belongs to another user's process: ours is gone
                os._exit(0)

    threading.Thread(target=watch, name="guifan-watch-crawl", daemon=True).start()


def extracted(response):
    """The Document the pool extracted for this response, or None; raises its ParseError."""
    found = response.meta.pop(META_KEY, None)
    if isinstance(found, ParseError):
        raise found
    return found


def pool_size(setting: int) -> int:
    if setting >= 0:
        return setting
    cores = os.cpu_count() or 1
    return cores - 1 if cores > 1 else 0


def as_deferred(future: Future) -> Deferred:
    from twisted.internet import reactor  # imported late: importing it installs a reactor

    d = Deferred()

    def done(f: Future):
        reactor.callFromThread(d.errback if f.exception() else d.callback, f.exception() or f.result())

    future.add_done_callback(done)
    return d


class ExtractInWorkers:
    def __init__(self, crawler, processes: int):
        self.crawler, self.processes = crawler, processes
        self.pool: ProcessPoolExecutor | None = None
        crawler.signals.connect(self.close, signal=signals.spider_closed)

    @classmethod
    def from_crawler(cls, crawler):
        processes = pool_size(crawler.settings.getint("GUIFAN_EXTRACT_PROCESSES", -1))
        if processes <= 0:
            raise NotConfigured
        return cls(crawler, processes)

    def executor(self) -> ProcessPoolExecutor:
        if self.pool is None:  # first detail page: a crawl of list pages alone never starts one
            # forkserver: workers don't inherit the reactor's threads and sockets.
            context = multiprocessing.get_context("forkserver")
            self.pool = ProcessPoolExecutor(self.processes, mp_context=context,
                                            initializer=exit_with, initargs=(os.getpid(),))
        return self.pool

    async def process_response(self, request, response, spider=None):
        spider = spider or self.crawler.spider
        if (not self.processes or request.meta.get("kind") != "detail" or not 200 <= response.status < 300
                or not hasattr(spider, "hints")):
            return response
        list_hints = request.meta.get("list_hints")
        hints = {**spider.hints, "list": list_hints} if list_hints else spider.hints
        headers = dict(header_pairs(response.headers))
        try:
            future = self.executor().submit(_extract, response.body, response.url, headers, hints)
            request.meta[META_KEY] = await maybe_deferred_to_future(as_deferred(future))
        except Exception as exc:  # a broken pool must not lose the page: the spider extracts inline
            logger.warning("extraction in worker processes failed on %s (%s); extracting inline from now on",
                           response.url, exc)
            self.close()
            self.processes = 0
        return response

    def close(self, spider=None, reason=None):
        if self.pool is not None:
            self.pool.shutdown(wait=False, cancel_futures=True)
            self.pool = None
