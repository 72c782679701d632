"""Options and helpers every archive-reading command shares."""
from __future__ import annotations

import os
import sys
import time
from pathlib import Path
from typing import Callable, TypeVar

from guifan.archive import Archive
from guifan.errors import CliError

DEFAULT_DB = os.environ.get("GUIFAN_DB", "guifan.db")
# The files SQLite keeps an archive in: writing over any of them destroys it.
ARCHIVE_FILES = ("", "-wal", "-shm", "-journal")
T = TypeVar("T")


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


def refuse_archive_path(out: str | os.PathLike | None, db: str | os.PathLike) -> None:
    """An output file that is the archive (or its -wal/-shm) would destroy it: refuse it."""
    if out is None:
        return
    for suffix in ARCHIVE_FILES:
        if _same_file(Path(out), Path(f"{db}{suffix}")):
            what = f"the archive's {suffix} file" if suffix else "the archive itself"
            raise CliError(f"refusing to write {out}: it is {what} ({db}); choose another output file")


def _same_file(a: Path, b: Path) -> bool:
    try:
        return os.path.samefile(a, b)              # hard links and symlinks too
    except OSError:                                # one of them does not exist (yet)
        return a.resolve() == b.resolve()


def write_atomically(target: str | os.PathLike, write: Callable[..., T], db: str | os.PathLike | None = None) -> T:
    """Write `target` through `write(binary file)` via a temporary file renamed on success.

    A failed or interrupted export leaves no half file and never replaces a good one; with
    `db`, a target that is the archive is refused before anything is written.
    """
    target = Path(target)
    if db is not None:
        refuse_archive_path(target, db)
    parent = target.resolve().parent
    if not parent.is_dir():
        raise CliError(f"cannot write {target}: directory {parent} does not exist")
    part = target.with_name(f".{target.name}.{os.getpid()}.part")
    try:
        with open(part, "wb") as f:
            result = write(f)
        os.replace(part, target)
    except OSError as exc:
        raise CliError(f"cannot write {target}: {exc.strerror or exc}") from None
    finally:
        part.unlink(missing_ok=True)
    return result
