"""The archive pipeline with its SQLite writes in a process of their own.

`Archive.record_fetch` costs about a quarter of what Scrapy spends on a page; on the crawl
process it competes with the reactor thread for the GIL and for the core. Here the
reactor thread only pickles the item (≈ 0.02 ms) and writes it to a pipe; one writer
process per crawl process, with its own connection, records items in arrival order and
commits those that arrive within LINGER of each other (up to GUIFAN_WRITE_BATCH) in one
transaction (`Archive.batch`, each fetch a savepoint). It sends back the outcome counts of
each batch (for `crawler.stats` and the progress lines) and, at the end, any error.

A crash loses at most the queued and uncommitted tail (fetched again by the next run),
never half a fetch: a message cut short by a killed crawl is never read, and a crawl that
dies leaves the writer an end of file, on which it commits what it has and exits.
A full pipe holds the crawl back when the disk cannot keep up.
"""
from __future__ import annotations

import contextlib
import fcntl
import logging
import pickle
import signal
from collections import Counter

from guifan.archive import Archive
from guifan.crawler.helpers import PerProcess, helper_context, name_process
from guifan.crawler.pipelines import ARCHIVE_ERROR, ARCHIVE_ERROR_KIND, ArchivePipeline, count_fetch

logger = logging.getLogger(__name__)
STOP = b""                 # the message that ends the writer
FLUSH = b"flush"           # ... that asks it to commit and report all it has had so far
PIPE_BYTES = 1024 * 1024   # Linux's default limit for unprivileged pipes: room for ~100 pages
# A commit costs as much as several fetches' writes: wait this long for the next item before
# committing, so batches fill while the crawl runs (a kill loses at most this much more).
LINGER = 0.02
# crawler.stats keys and the finish reason of a crawl stopped because its fetches cannot be written.
ARCHIVE_ERROR_REASON = "archive_error"


def enlarge(connection) -> None:
    """Let the pipe hold many pages, so the crawl rarely waits on a commit."""
    with contextlib.suppress(AttributeError, OSError):  # not Linux, or over the system's limit
        fcntl.fcntl(connection.fileno(), fcntl.F_SETPIPE_SZ, PIPE_BYTES)


def next_batch(inbox, size: int, linger: float = LINGER) -> tuple[list, bytes | None]:
    """The next item, whatever else arrives within `linger` seconds of the one before (up to
    `size`), and STOP or FLUSH if one of those came next."""
    items: list = []
    while len(items) < size and (not items or inbox.poll(linger)):
        try:
            raw = inbox.recv_bytes()
        except EOFError:  # the crawl process is gone: keep what arrived whole, then stop
            return items, STOP
        if raw in (STOP, FLUSH):
            return items, raw
        items.append(pickle.loads(raw))
    return items, None


def write_all(db: str, run_id: int, inbox, outbox, batch_size: int, lock_wait: float = 600.0) -> None:
    """The writer process: record batches until told to stop, report outcomes and errors.

    A batch that cannot be written (disk full, the lock held past `lock_wait`) ends the
    writer: the error goes back to the crawl, which stops and ends the run with its reason.
    """
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # Ctrl-C is the crawl's to handle; it sends STOP
    name_process("guifan-writer")
    # Lines like the crawl's own log (a forkserver child has no handler): the lock warnings.
    logging.basicConfig(format="%(asctime)s [%(name)s] %(levelname)s: %(message)s", datefmt="%Y-%m-%d %H:%M:%S")
    archive = None
    try:
        archive = Archive(db, lock_wait=lock_wait)
        while True:
            items, command = next_batch(inbox, batch_size)
            counts: Counter = Counter()
            if items:
                with archive.batch():  # one commit for the lot; each fetch still atomic
                    for item in items:
                        outcome = archive.record_fetch(run_id, item)
                        counts[(item.site, item.kind, outcome, item.status is not None)] += 1
                tell(outbox, "counts", counts)
            if command == FLUSH:
                tell(outbox, "flushed")
            elif command == STOP:
                return
    except BaseException as exc:
        tell(outbox, "error", portable(exc))
    finally:
        if archive is not None:
            archive.close()
        tell(outbox, "done")


def tell(outbox, kind: str, data=None) -> None:
    with contextlib.suppress(OSError):  # nobody is listening any more: the crawl was killed
        outbox.send((kind, data))


def portable(exc: BaseException) -> BaseException:
    """The exception itself if it survives pickling, else a RuntimeError with its text."""
    try:
        pickle.loads(pickle.dumps(exc))
        return exc
    except Exception:
        return RuntimeError(f"{type(exc).__name__}: {exc}")


class WriterProcess:
    """One writer process for all spiders of a crawl process (they share the db and run)."""

    def __init__(self, db: str, run_id: int, batch_size: int, lock_wait: float = 600.0):
        context = helper_context()
        inbox, self.outbox = context.Pipe(duplex=False)
        self.replies, replies_out = context.Pipe(duplex=False)
        enlarge(self.outbox)
        self.process = context.Process(target=write_all, name="guifan-archive-writer", daemon=True,
                                       args=(db, run_id, inbox, replies_out, batch_size, lock_wait))
        self.process.start()
        inbox.close()
        replies_out.close()
        self.stats: dict[str, object] = {}  # site -> that spider's crawler.stats
        self.error: BaseException | None = None
        self.finished = False
        self.sent = 0

    def send(self, item) -> None:
        self.sent += 1
        if self.sent % 16 == 0:  # replies come a batch at a time: no need to look for them every item
            self.collect()
        if self.error is not None:
            raise self.error
        try:
            self.outbox.send_bytes(pickle.dumps(item, protocol=pickle.HIGHEST_PROTOCOL))
        except BrokenPipeError:  # the writer stopped: say why
            self.collect(until="done")
            raise self.error or RuntimeError("the archive writer process stopped") from None

    def flush(self) -> None:
        """Wait until everything sent so far is committed and counted."""
        if not self.finished:
            self.outbox.send_bytes(FLUSH)
            self.collect(until="flushed")

    def collect(self, until: str | None = None) -> None:
        """Apply what the writer has reported; with `until`, wait for that reply (or the end)."""
        while not self.finished and (until or self.replies.poll()):
            try:
                kind, data = self.replies.recv()
            except EOFError:
                self.process.join()
                self.error = self.error or RuntimeError(
                    f"the archive writer process died (exit code {self.process.exitcode})")
                self.finished = True
                return
            if kind == "counts":
                for (site, kind, outcome, answered), n in data.items():
                    if site in self.stats:
                        count_fetch(self.stats[site], kind, outcome, answered, n)
            elif kind == "error":
                self.error = data
            elif kind == "done":
                self.finished = True
            if kind == until:
                return

    def close(self) -> None:
        if not self.finished:
            with contextlib.suppress(OSError):
                self.outbox.send_bytes(STOP)
            self.collect(until="done")
        self.process.join()
        self.outbox.close()
        self.replies.close()


class ProcessArchivePipeline(ArchivePipeline):
    writers = PerProcess()  # (db, run) -> its writer

    def open_spider(self, spider=None):
        super().open_spider(spider)  # opens the run (a bare `scrapy crawl`) on this connection
        self.key = (str(self.db), int(self.run_id))
        settings = self.crawler.settings
        batch = settings.getint("GUIFAN_WRITE_BATCH", 64)
        lock_wait = settings.getfloat("GUIFAN_LOCK_WAIT", 600.0)
        self.writer = self.writers.acquire(
            self.key, lambda: WriterProcess(str(self.db), int(self.run_id), batch, lock_wait))
        for site in (spider or self.crawler.spider).sites:   # a spider may crawl many sites
            self.writer.stats[site] = self.crawler.stats

    def process_item(self, item, spider=None):
        if self.write_failed():
            return item  # the run is failing; what is not written is fetched again by the next run
        try:
            self.writer.send(item)
        except Exception as exc:
            self.stop_crawl(exc)
        item.body = None  # on its way to the archive: don't carry the bytes through the rest of Scrapy
        return item

    def close_spider(self, spider=None):
        writer = self.writer
        if self.writers.release(self.key):
            writer.close()
        else:  # the other spiders go on; this one's counts must be complete now
            writer.flush()
        self.write_failed()
        super().close_spider(spider)

    def write_failed(self) -> bool:
        """Has the writer failed? The first time, stop the crawl and say why."""
        if self.writer.error is not None and not self.crawler.stats.get_value(ARCHIVE_ERROR):
            self.stop_crawl(self.writer.error)
        return self.writer.error is not None

    def stop_crawl(self, exc: BaseException) -> None:
        """One line, not one traceback per item; the runner ends the run with this reason."""
        stats = self.crawler.stats
        if stats.get_value(ARCHIVE_ERROR):
            return
        stats.set_value(ARCHIVE_ERROR, str(exc))
        stats.set_value(ARCHIVE_ERROR_KIND, type(exc).__name__)
        logger.error("cannot record fetches in the archive, stopping the crawl: %s", exc)
        engine = self.crawler.engine
        if engine is not None and getattr(engine, "spider", None) is not None:
            close = getattr(engine, "close_spider_async", None)
            if close is not None:  # Scrapy >= 2.14
                from scrapy.utils.defer import deferred_from_coro

                deferred_from_coro(close(reason=ARCHIVE_ERROR_REASON))
            else:
                engine.close_spider(engine.spider, ARCHIVE_ERROR_REASON)
