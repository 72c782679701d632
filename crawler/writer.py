"""The archive pipeline with its SQLite writes on a thread of their own.

`Archive.record_fetch` spends most of its time inside SQLite and zstd, which release the
GIL; on the reactor thread that time is lost to fetching. Here the reactor thread only
queues the item; one writer thread, with its own connection, records items in arrival
order, whatever has queued up in one transaction (`Archive.batch`, each fetch a savepoint),
so a crash loses at most the queued and uncommitted tail (fetched again by the next run)
and never half a fetch.
`close_spider` waits until every queued item is written. A bounded queue holds the crawl
back when the disk cannot keep up.
"""
from __future__ import annotations

import logging
import queue
import threading

from archive import Archive
from crawler.pipelines import ArchivePipeline

logger = logging.getLogger(__name__)
_STOP = object()


class ThreadedArchivePipeline(ArchivePipeline):
    def __init__(self, crawler):
        super().__init__(crawler)
        self.queue: queue.Queue = queue.Queue(maxsize=crawler.settings.getint("GUIFAN_WRITE_QUEUE", 256))
        self.error: BaseException | None = None
        self.thread: threading.Thread | None = None
        self.batch_size = crawler.settings.getint("GUIFAN_WRITE_BATCH", 64)

    def open_spider(self, spider=None):
        super().open_spider(spider)  # opens the run on this thread's connection
        self.thread = threading.Thread(target=self.write_all, name="guifan-archive-writer", daemon=True)
        self.thread.start()

    def process_item(self, item, spider=None):
        if self.error is not None:
            raise self.error
        self.queue.put(item)
        return item

    def write_all(self) -> None:
        archive = Archive(self.db)
        try:
            while True:
                items = self.waiting()
                stop = items[-1] is _STOP
                self.write_batch(archive, items[:-1] if stop else items)
                if stop:
                    return
        finally:
            archive.close()

    def waiting(self) -> list:
        """The next item, and whatever else has queued up meanwhile (up to a batch)."""
        items = [self.queue.get()]
        while items[-1] is not _STOP and len(items) < self.batch_size:
            try:
                items.append(self.queue.get_nowait())
            except queue.Empty:
                break
        return items

    def write_batch(self, archive: Archive, items: list) -> None:
        try:
            if self.error is None and items:
                with archive.batch():  # one commit for the lot; each fetch still atomic
                    for item in items:
                        outcome = archive.record_fetch(int(self.run_id), item)
                        self.crawler.stats.inc_value(f"guifan/outcome/{outcome}")
                        item.body = None  # archived: don't keep the bytes alive
        except BaseException as exc:  # surfaces on the reactor thread at the next item
            logger.error("cannot record a batch of %d fetches: %s", len(items), exc)
            self.error = exc
        finally:
            for _ in items:
                self.queue.task_done()

    def close_spider(self, spider=None):
        if self.thread is not None:
            self.queue.put(_STOP)
            self.thread.join()
        super().close_spider(spider)
        if self.error is not None:
            raise self.error
