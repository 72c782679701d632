"""Extract detail pages in worker processes, so that the crawl's reactor thread keeps fetching.

Extraction is a pure function of (bytes, headers, URL, hints) and takes about as long as
Scrapy's own work per page, so on one thread it halves the crawl rate. This downloader
middleware sends each successful detail response to a process pool before the spider sees
it and leaves the Document (or the ParseError) in `response.meta`; `PortalSpider` uses it
instead of extracting inline (`extracted()`), and extracts inline whenever it is absent.
The worker also judges whether the page is an anti-bot wall (`judge_and_extract`), and
`crawler.antibot`, next in line, takes that verdict instead of decoding the page again.

Attachments go to a pool of their own (GUIFAN_ATTACHMENT_PROCESSES, default 1): reading a
DOC through LibreOffice or a 20-page scan through Tesseract takes seconds to minutes, and
pages must not queue behind it. The worker reads the file (`read_attachment`) and the
FetchResult carries its text to the archive writer, which only stores it. A bad file must
not stop the crawl: the worker stops a read after GUIFAN_ATTACHMENT_TIMEOUT seconds (the file
is then an `error`), runs under a soft address-space limit (GUIFAN_ATTACHMENT_MEMORY_MB: a
runaway allocation is a MemoryError, an `error`), and a worker that dies all the same (a
crash, the out-of-memory killer) is replaced: the files it held are read once more in the new
pool, and one that kills that too is an `error` saying so. Nothing is read in the crawl's
own process when the pool fails.

GUIFAN_EXTRACT_PROCESSES: 0 extracts inline; -1 (default) uses one process per CPU core
but one, and none on a single core.
"""
from __future__ import annotations

import logging
import os
from concurrent.futures import Future, ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool

from scrapy import signals
from scrapy.exceptions import NotConfigured
from scrapy.utils.defer import maybe_deferred_to_future
from twisted.internet.defer import Deferred

from guifan.crawler.antibot import WALL_KEY
from guifan.crawler.helpers import (PerProcess, attachment_settings, exit_with, helper_context, judge_and_extract,
                                    limit_memory, read_attachment)
from guifan.crawler.responses import header_pairs
from guifan.parsers import ParseError
from guifan.parsers.attachment_text import READER_VERSION, AttachmentText
from guifan.parsers.file_kind import sniff_kind

logger = logging.getLogger(__name__)
META_KEY = "guifan_extracted"
ATTACHMENT_KEY = "guifan_attachment_text"
_POOLS = PerProcess()  # (what for, pool size) -> the pool


def extracted(response):
    """The Document the pool extracted for this response, or None; raises its ParseError."""
    found = response.meta.pop(META_KEY, None)
    if isinstance(found, ParseError):
        raise found
    return found


def attachment_read(response):
    """(reader, AttachmentText or None) the attachment pool read for this response, or None."""
    return response.meta.pop(ATTACHMENT_KEY, None)


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
        self.attachment_processes = max(1, crawler.settings.getint("GUIFAN_ATTACHMENT_PROCESSES", 1))
        self.attachment_pool: ProcessPoolExecutor | None = None
        self.attachment_settings = attachment_settings(crawler.settings)
        self.attachment_memory = crawler.settings.getint("GUIFAN_ATTACHMENT_MEMORY_MB", 0)
        self.db = crawler.settings.get("GUIFAN_DB")
        crawler.signals.connect(self.close, signal=signals.spider_closed)

    @classmethod
    def from_crawler(cls, crawler):
        processes = pool_size(crawler.settings.getint("GUIFAN_EXTRACT_PROCESSES", -1))
        if processes <= 0:
            raise NotConfigured
        return cls(crawler, processes)

    def executor(self) -> ProcessPoolExecutor:
        """The crawl process's pool, shared by every site's crawler; started by the first
        detail page (a crawl of list pages alone never starts one)."""
        if self.pool is None:
            self.pool = _POOLS.acquire(("pages", self.processes), lambda: _new_pool(self.processes))
        return self.pool

    def attachment_executor(self) -> ProcessPoolExecutor:
        if self.attachment_pool is None:
            self.attachment_pool = _POOLS.acquire(self.attachment_key(), self.new_attachment_pool)
        return self.attachment_pool

    def attachment_key(self) -> tuple:
        return ("attachments", self.attachment_processes)

    def new_attachment_pool(self) -> ProcessPoolExecutor:
        return _new_pool(self.attachment_processes, limit_memory, (os.getpid(), self.attachment_memory))

    def renew_attachment_pool(self, broken: ProcessPoolExecutor) -> None:
        """A new pool for the one whose worker died (every crawler sharing it gets the new one)."""
        self.attachment_pool = _POOLS.replace(self.attachment_key(), broken, self.new_attachment_pool)
        if self.attachment_pool is not broken:
            broken.shutdown(wait=False, cancel_futures=True)

    async def read_attachment(self, request, response):
        """The worker's reading of this file into request.meta; its outcome whatever happens."""
        headers = dict(header_pairs(response.headers))
        args = (response.body, response.url, headers, self.attachment_settings, self.db)
        for attempt in (1, 2):
            pool = self.attachment_executor()
            try:
                future = pool.submit(read_attachment, *args)
                request.meta[ATTACHMENT_KEY] = await maybe_deferred_to_future(as_deferred(future))
                return response
            except BrokenProcessPool as exc:   # its worker died on this file or on one before it
                logger.warning("the attachment worker died reading %s or a file before it (%s); %s",
                               response.url, exc, "reading it again in a new one" if attempt == 1 else "giving up")
                self.renew_attachment_pool(pool)
                why = "its reader process died twice reading it (a crash or the out-of-memory killer)"
            except Exception as exc:  # noqa: BLE001 - a failure of the pool itself: the file's outcome says so
                logger.warning("reading the attachment %s in a worker process failed (%s)", response.url, exc)
                why = f"reading it in a worker process failed: {type(exc).__name__}: {exc}"[:300]
                break
        # Stored under a reader signature no worker has, so that the next crawl reads it again.
        content_type = next((v for k, v in headers.items() if k.lower() == "content-type"), "")
        kind = sniff_kind(response.body, response.url.rsplit("/", 1)[-1], content_type.lower())
        request.meta[ATTACHMENT_KEY] = (f"{READER_VERSION};failed", AttachmentText("error", kind, reason=why))
        return response

    async def process_response(self, request, response, spider=None):
        spider = spider or self.crawler.spider
        if request.meta.get("kind") == "attachment" and 200 <= response.status < 300 and self.processes:
            return await self.read_attachment(request, response)
        if (not self.processes or request.meta.get("kind") != "detail" or not 200 <= response.status < 300
                or not hasattr(spider, "hints_for") or request.meta.get("playwright")):
            return response
        list_hints = request.meta.get("list_hints")
        site_hints = spider.hints_for(request)   # the request's site's (a spider may crawl many)
        hints = {**site_hints, "list": list_hints} if list_hints else site_hints
        headers = dict(header_pairs(response.headers))
        try:
            future = self.executor().submit(judge_and_extract, response.status, response.body, response.url,
                                            headers, hints)
            wall, found = await maybe_deferred_to_future(as_deferred(future))
            request.meta[WALL_KEY] = wall  # crawler.antibot takes this verdict instead of judging again
            if found is not None:
                request.meta[META_KEY] = found
        except Exception as exc:  # a broken pool must not lose the page: the spider extracts inline
            logger.warning("extraction in worker processes failed on %s (%s); extracting inline from now on",
                           response.url, exc)
            self.close()
            self.processes = 0
        return response

    def close(self, spider=None, reason=None):
        """This crawler is done with the pools; the last one out shuts each down."""
        if self.pool is not None and _POOLS.release(("pages", self.processes)):
            self.pool.shutdown(wait=False, cancel_futures=True)
        if self.attachment_pool is not None and _POOLS.release(self.attachment_key()):
            self.attachment_pool.shutdown(wait=False, cancel_futures=True)
        self.pool = self.attachment_pool = None


def _new_pool(processes: int, initializer=exit_with, initargs: tuple | None = None) -> ProcessPoolExecutor:
    return ProcessPoolExecutor(processes, mp_context=helper_context(), initializer=initializer,
                               initargs=initargs or (os.getpid(),))
