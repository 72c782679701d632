"""Options and helpers every archive-reading command shares."""
from __future__ import annotations

import os
import sys

from archive import Archive

DEFAULT_DB = os.environ.get("GUIFAN_DB", "guifan.db")


def add_db_option(p) -> None:
    p.add_argument("--db", default=DEFAULT_DB,
                   help="archive file (default: $GUIFAN_DB or ./guifan.db; the demo writes ./guifan-demo.db)")


def open_archive(args, readonly: bool = True) -> Archive:
    return Archive(args.db, readonly=readonly)


def progress_printer(label: str):
    """A progress callback that draws on a terminal and stays silent in pipes and logs."""
    if not sys.stderr.isatty():
        return None

    def show(done: int, total: int | None = None) -> None:
        of = f"/{total}" if total else ""
        print(f"\r{label}: {done}{of}", end="", file=sys.stderr, flush=True)
        if total and done >= total:
            print(file=sys.stderr)

    return show
