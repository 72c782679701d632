"""Helper processes of a crawl (extraction workers, the archive writer): how they start, what
the workers run, and how they end.

No Scrapy here: the helpers import only what they run (parsers, archive), preloaded once
in the forkserver so that each new helper starts with them.
"""
from __future__ import annotations

import multiprocessing
import os
import threading
import time

from guifan.parsers import ParseError, extract
from guifan.parsers.detect_challenge import block_reason

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
