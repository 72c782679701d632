"""Helper processes of a crawl (extraction workers, the archive writer): how they start, what
the workers run, and how they end.

No Scrapy here: the helpers import only what they run (parsers, archive), preloaded once
in the forkserver so that each new helper starts with them.
"""
from __future__ import annotations

import hashlib
import multiprocessing
import multiprocessing.util
import os
import resource
import signal
import threading
import time
from pathlib import Path
from urllib.parse import unquote, urlsplit

from guifan.parsers import ParseError, extract
from guifan.parsers.attachment_text import AttachmentText, Tools, extract_attachment_text
from guifan.parsers.file_kind import sniff_kind
from guifan.parsers.detect_challenge import block_reason
from guifan.parsers.ocr import OcrSettings

PRELOAD = ["guifan.parsers", "guifan.archive"]


def helper_context():
    """forkserver: helpers inherit none of the reactor's threads and sockets."""
    context = multiprocessing.get_context("forkserver")
    context.set_forkserver_preload(PRELOAD)  # takes effect when the forkserver first starts
    return context


def name_process(name: str) -> None:
    """Name this helper as `ps`, `top` and the benchmarks see it (Linux: /proc/self/comm, at
    most 15 bytes); elsewhere, or if it cannot, it keeps its interpreter's name."""
    try:
        Path("/proc/self/comm").write_text(name[:15], encoding="ascii")
    except OSError:
        pass


def exit_with(crawl_pid: int, every: float = 2.0, name: str = "guifan-extract") -> None:
    """Pool initializer: end this helper once the crawl that started it is gone.

    A crawl killed with SIGKILL cannot shut its pool down, and a forkserver pool worker
    never sees its task pipe close (it holds a write end itself), so without this it would
    live forever.
    """
    name_process(name)

    def watch():
        while True:
            time.sleep(every)
            try:
                os.kill(crawl_pid, 0)
            except (ProcessLookupError, PermissionError):  # gone (or its pid reused by another user)
                os._exit(0)

    threading.Thread(target=watch, name="guifan-watch-crawl", daemon=True).start()


def judge_and_extract(status: int, body: bytes, url: str, headers: dict, hints: dict):
    """What an extraction worker does with a page: (wall reason, None) for an anti-bot wall
    (crawler/antibot.py acts on it), else (None, its Document or the ParseError)."""
    reason = block_reason(status, {k.lower(): v for k, v in headers.items()}, body)
    if reason:
        return reason, None
    try:
        return None, extract(body, url, headers, hints)
    except ParseError as exc:
        return None, exc


# One set of attachment tools per helper process (one LibreOffice, started on first use; the
# OCR settings), and one read-only look into the archive: the worker holds them for all files.
_TOOLS: dict = {}
_LOOKUP: dict = {}


def attachment_tools(settings: dict) -> Tools:
    """This process's tools for these settings (office: bool, ocr: OcrSettings fields or None)."""
    key = repr(sorted(settings.items()))
    if key not in _TOOLS:
        ocr = settings.get("ocr")
        tools = Tools.open(office=settings.get("office", True), ocr=OcrSettings(**ocr) if ocr is not None else False)
        multiprocessing.util.Finalize(tools, tools.close, exitpriority=10)  # ends LibreOffice with the worker
        _TOOLS[key] = tools
    return _TOOLS[key]


def _known(db: str | None, sha256: str, reader: str) -> bool:
    """Has the archive the text of these bytes, read with these tools? (a cheap read-only query)"""
    if not db:
        return False
    try:
        if db not in _LOOKUP:
            from guifan.archive import Archive

            _LOOKUP[db] = Archive(db, readonly=True, migrate=False, timeout=2.0)
        return _LOOKUP[db].attachment_known(sha256, reader)
    except Exception:  # noqa: BLE001 - no archive yet, an older one, locked: read the file then
        return False


class ReadStopped(BaseException):
    """The attachment's read ran past its wall-clock bound. A BaseException so that the
    readers' `except Exception` (damaged files) cannot take it for a reading error."""


def _stop_reading(signum, frame):
    raise ReadStopped


def read_attachment(body: bytes, url: str, headers: dict, settings: dict, db: str | None = None):
    """What an attachment worker does with a file: (reader, its AttachmentText), or (reader,
    None) when the archive already has the text these tools read from these bytes.

    `settings["timeout"]` bounds the whole read (the tools' own per-page and per-file
    timeouts bound only their part): past it the file is an `error` and the worker goes on.
    """
    tools = attachment_tools(settings)
    reader = tools.signature()
    if _known(db, hashlib.sha256(body).hexdigest(), reader):
        return reader, None
    content_type = next((v for k, v in headers.items() if k.lower() == "content-type"), "")
    name = unquote(urlsplit(url).path.rsplit("/", 1)[-1])
    seconds = settings.get("timeout") or 0
    if not seconds or threading.current_thread() is not threading.main_thread():  # signals: main thread only
        return reader, extract_attachment_text(body, name, content_type, tools)
    previous = signal.signal(signal.SIGALRM, _stop_reading)
    signal.setitimer(signal.ITIMER_REAL, seconds)
    try:
        return reader, extract_attachment_text(body, name, content_type, tools)
    except ReadStopped:
        _TOOLS.pop(repr(sorted(settings.items())), None)
        tools.close()   # LibreOffice may be mid-answer: the next file starts a new one
        return reader, AttachmentText("error", sniff_kind(body, name, content_type.lower()), reason=(
            f"reading stopped after {seconds:g} s (GUIFAN_ATTACHMENT_TIMEOUT); the bytes are kept"))
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)


def limit_memory(crawl_pid: int, megabytes: int) -> None:
    """Attachment pool initializer: `exit_with`, and a soft address-space limit, so that a file
    that makes a reader allocate without end is a MemoryError (status `error`) in this worker
    rather than the out-of-memory killer's pick on the crawl's host. Only the soft limit: the
    sandboxed tools set their own (LibreOffice maps 4 GiB)."""
    exit_with(crawl_pid, name="guifan-attach")
    if megabytes > 0:
        _, hard = resource.getrlimit(resource.RLIMIT_AS)
        soft = megabytes << 20
        resource.setrlimit(resource.RLIMIT_AS, (soft if hard == resource.RLIM_INFINITY else min(soft, hard), hard))


def attachment_settings(settings) -> dict:
    """The attachment readers' settings from Scrapy settings (GUIFAN_OFFICE, GUIFAN_OCR*)."""
    ocr = None
    if settings.getbool("GUIFAN_OCR"):
        ocr = {"languages": settings.get("GUIFAN_OCR_LANGUAGES"), "dpi": settings.getint("GUIFAN_OCR_DPI"),
               "max_pages": settings.getint("GUIFAN_OCR_MAX_PAGES")}
    return {"office": settings.getbool("GUIFAN_OFFICE"), "ocr": ocr,
            "timeout": settings.getfloat("GUIFAN_ATTACHMENT_TIMEOUT", 0)}


class PerProcess:
    """One helper per key in a crawl process, shared by its crawlers (one per site).

    `acquire` makes it for the first crawler and counts the others; `release` says whether
    the caller was the last one, who then shuts it down.
    """

    def __init__(self):
        self.held: dict = {}  # key -> (helper, crawlers using it)

    def acquire(self, key, make):
        helper, users = self.held.get(key) or (make(), 0)
        self.held[key] = (helper, users + 1)
        return helper

    def replace(self, key, old, make):
        """The helper for `key` instead of `old` (broken): a new one, made once however many
        of its users ask."""
        helper, users = self.held[key]
        if helper is old:
            helper = make()
            self.held[key] = (helper, users)
        return helper

    def release(self, key) -> bool:
        helper, users = self.held.pop(key)
        if users > 1:
            self.held[key] = (helper, users - 1)
        return users == 1
