"""Who holds an archive's write lock, and waiting for it with backoff.

SQLite in WAL mode takes its write lock as a POSIX lock on byte 120 of the `-shm` file
(WALINDEX_LOCK_OFFSET + WAL_WRITE_LOCK in SQLite's os_unix.c). Linux lists every POSIX lock
in /proc/locks with the holder's pid and the file's device and inode, so the process that
blocks a writer can be named exactly, with its command line from /proc/PID/cmdline. Where
/proc is not there (not Linux), the holder is "another process".
"""
from __future__ import annotations

import logging
import os
import sqlite3
import time
from pathlib import Path
from typing import Callable, TypeVar

logger = logging.getLogger("guifan.archive")
WAL_WRITE_LOCK_BYTE = 120
# Pauses between attempts grow to this; each attempt also waits in SQLite's own busy handler.
MAX_PAUSE = 8.0
FIRST_PAUSE = 0.25
T = TypeVar("T")


def is_busy(exc: sqlite3.Error) -> bool:
    text = str(exc)
    return "locked" in text or "busy" in text


def write_lock_holder(db: str | os.PathLike) -> int | None:
    """The pid holding the WAL write lock of `db`, if /proc/locks says."""
    try:
        st = os.stat(f"{db}-shm")
        with open("/proc/locks", encoding="ascii", errors="replace") as f:
            lines = f.read().splitlines()
    except OSError:
        return None
    where = f"{os.major(st.st_dev):02x}:{os.minor(st.st_dev):02x}:{st.st_ino}"
    for line in lines:
        parts = line.split()
        # "3: POSIX  ADVISORY  WRITE 4242 00:2f:1234 120 120"; waiters are marked "->".
        if "->" in parts or len(parts) < 8 or parts[1] != "POSIX" or parts[3] != "WRITE":
            continue
        if parts[5] == where and _covers(parts[6], parts[7], WAL_WRITE_LOCK_BYTE):
            return int(parts[4]) if parts[4].isdigit() else None
    return None


def _covers(start: str, end: str, byte: int) -> bool:
    try:
        return int(start) <= byte and (end == "EOF" or int(end) >= byte)
    except ValueError:
        return False


def describe_process(pid: int) -> str:
    """`process 4242 (guifan reparse --db a.db)`, or just the pid when /proc is unreadable."""
    try:
        raw = Path(f"/proc/{pid}/cmdline").read_bytes()
    except OSError:
        return f"process {pid}"
    command = " ".join(raw.decode("utf-8", "replace").replace("\0", " ").split())
    if len(command) > 120:
        command = command[:117] + "…"
    return f"process {pid} ({command})" if command else f"process {pid}"


def holder_text(db: str | os.PathLike, runs: Callable[[int], str | None] | None = None) -> str:
    """Who holds the write lock, as words: the process, and its running guifan run if any."""
    pid = write_lock_holder(db)
    if pid is None:
        return "another process"
    run = runs(pid) if runs else None
    return describe_process(pid) + (f", {run}" if run else "")


def wait_for_lock(attempt: Callable[[], T], db: str | os.PathLike, conn: sqlite3.Connection,
                  limit: float, holder: Callable[[], str]) -> T:
    """Run `attempt` (one that takes the write lock) until it stops failing with "locked".

    SQLite's busy handler retries for the connection's timeout; between such attempts we
    pause with exponential backoff, log who holds the lock, and give up after `limit`
    seconds with ArchiveLocked.
    """
    from .errors import ArchiveLocked

    start = time.monotonic()
    pause = FIRST_PAUSE
    while True:
        try:
            return attempt()
        except sqlite3.OperationalError as exc:
            if not is_busy(exc):
                raise
            waited = time.monotonic() - start
            who = holder()
            if waited + pause > limit:
                raise ArchiveLocked(f"archive {db} is locked by {who}; gave up after waiting {waited:.0f} s "
                                    "(GUIFAN_LOCK_WAIT / lock_wait)") from None
            logger.warning("archive %s is locked by %s; waiting (%.0f s so far, at most %.0f s)",
                           db, who, waited, limit)
            time.sleep(pause)
            pause = min(pause * 2, MAX_PAUSE)
