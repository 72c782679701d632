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
import threading
import time
from urllib.parse import unquote, urlsplit

from guifan.parsers import ParseError, extract
from guifan.parsers.attachment_text import Tools, extract_attachment_text
from guifan.parsers.detect_challenge import block_reason
from guifan.parsers.ocr import OcrSettings

PRELOAD = ["guifan.parsers", "guifan.archive"]


def helper_context():
    """forkserver: helpers inherit none of the reactor's threads and sockets."""
    context = multiprocessing.get_context("forkserver")
    context.set_forkserver_preload(PRELOAD)  # takes effect when the forkserver first starts
    return context


def exit_with(crawl_pid: int, every: float = 2.0) -> None:
    """Pool initializer: end this helper once the crawl that started it is gone.

    A crawl killed with SIGKILL cannot shut its pool down, and a forkserver pool worker
    never sees its task pipe close (it holds a write end itself), so without this it would
    live forever.
    """
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


def read_attachment(body: bytes, url: str, headers: dict, settings: dict, db: str | None = None):
    """What an attachment worker does with a file: (reader, its AttachmentText), or (reader,
    None) when the archive already has the text these tools read from these bytes."""
    tools = attachment_tools(settings)
    reader = tools.signature()
    if _known(db, hashlib.sha256(body).hexdigest(), reader):
        return reader, None
    content_type = next((v for k, v in headers.items() if k.lower() == "content-type"), "")
    name = unquote(urlsplit(url).path.rsplit("/", 1)[-1])
    return reader, extract_attachment_text(body, name, content_type, tools)


def attachment_settings(settings) -> dict:
    """The attachment readers' settings from Scrapy settings (GUIFAN_OFFICE, GUIFAN_OCR*)."""
    ocr = None
    if settings.getbool("GUIFAN_OCR"):
        ocr = {"languages": settings.get("GUIFAN_OCR_LANGUAGES"), "dpi": settings.getint("GUIFAN_OCR_DPI"),
               "max_pages": settings.getint("GUIFAN_OCR_MAX_PAGES")}
    return {"office": settings.getbool("GUIFAN_OFFICE"), "ocr": ocr}


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

    def release(self, key) -> bool:
        helper, users = self.held.pop(key)
        if users > 1:
            self.held[key] = (helper, users - 1)
        return users == 1
