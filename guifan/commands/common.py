"""Options and helpers every archive-reading command shares."""
from __future__ import annotations

import os
import sys
import time

from guifan.archive import Archive

DEFAULT_DB = os.environ.get("GUIFAN_DB", "guifan.db")


def add_db_option(p) -> None:
    p.add_argument("--db", default=DEFAULT_DB,
                   help="archive file (default: $GUIFAN_DB or ./guifan.db; the demo writes ./guifan-demo.db)")


def open_archive(args, readonly: bool = True) -> Archive:
    return Archive(args.db, readonly=readonly)


class Progress:
    """`label 1234/5678` on one terminal line, at most five times a second."""

    def __init__(self, label: str, total: int | None = None):
        self.label, self.total, self.last = label, total, 0.0

    def __call__(self, done: int, total: int | None = None) -> None:
        total = total or self.total
        now = time.monotonic()
        if now - self.last >= 0.2:
            self.last = now
            print(f"\r{self.label} {done}" + (f"/{total}" if total else ""), end="", file=sys.stderr, flush=True)

    def done(self) -> None:
        print("\r\x1b[K", end="", file=sys.stderr, flush=True)


def progress_printer(label: str, total: int | None = None) -> Progress | None:
    """Progress on a terminal only: pipes and logs get no carriage-return noise."""
    return Progress(label, total) if sys.stderr.isatty() else None
