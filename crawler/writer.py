"""The archive pipeline with its SQLite writes on a thread of their own.

`Archive.record_fetch` spends most of its time inside SQLite and zstd, which release the
GIL; on the reactor thread that time is lost to fetching. Here the reactor thread only
queues the item; one writer thread, with its own connection, records items in arrival
order, each in its own transaction as before, so a crash loses at most the queued tail
(fetches not yet recorded are fetched again by the next run) and never half a fetch.
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
            while (item := self.queue.get()) is not _STOP:
                try:
                    if self.error is None:
                        outcome = archive.record_fetch(int(self.run_id), item)
                        self.crawler.stats.inc_value(f"guifan/outcome/{outcome}")
                        item.body = None  # archived: don't keep the bytes alive
                except BaseException as exc:  # surfaces on the reactor thread at the next item
                    logger.error("cannot record %s: %s", getattr(item, "url", item), exc)
                    self.error = exc
                finally:
                    self.queue.task_done()
        finally:
            archive.close()

    def close_spider(self, spider=None):
        if self.thread is not None:
            self.queue.put(_STOP)
            self.thread.join()
        super().close_spider(spider)
        if self.error is not None:
            raise self.error
