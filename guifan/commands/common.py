"""Options and helpers every command shares: one `--db`, one `--format`, one way to print.

* ``--db``: the archive file. Every command that takes it resolves it the same way, in
  this order: the option, then ``$GUIFAN_DB``, then the command's own default
  (``guifan.db``; ``guifan-demo.db`` for the demo).
* ``--format``: machine output means the same in every command. ``json`` is one JSON
  document (an array of records, or one object where the command shows one thing),
  ``jsonl`` one JSON object per line, ``csv`` UTF-8 CSV with a BOM and spreadsheet
  formulas neutralised (as ``guifan export``), ``table`` the human view.
"""
from __future__ import annotations

import argparse
import json
import os
import sys
import time
from pathlib import Path
from typing import Callable, Iterable, TypeVar

from guifan.errors import CliError

DB_ENV = "GUIFAN_DB"
FORMATS = ("table", "json", "jsonl", "csv")
# The files SQLite keeps an archive in: writing over any of them destroys it.
ARCHIVE_FILES = ("", "-wal", "-shm", "-journal")
T = TypeVar("T")


def add_db_option(p, default: str = "guifan.db", help_text: str = "archive file") -> None:
    p.add_argument("--db", default=None, help=f"{help_text} (default: ${DB_ENV} or ./{default})")
    p.set_defaults(db_default=default)


def resolve_db(args: argparse.Namespace) -> None:
    """Fill in `args.db` from $GUIFAN_DB or the command's default: the one place that does."""
    if hasattr(args, "db_default") and getattr(args, "db", None) is None:
        args.db = os.environ.get(DB_ENV) or args.db_default


def add_format_option(p, formats: Iterable[str] = FORMATS, default: str = "table",
                      json_alias: str | None = None) -> None:
    """`--format`; `json_alias` keeps an old `--json` flag working as that format."""
    formats = tuple(formats)
    p.add_argument("--format", choices=formats, default=default,
                   help=f"output: {', '.join(formats)} (default {default}); json is one document, "
                        "jsonl one object per line")
    if json_alias:
        p.add_argument("--json", dest="format", action="store_const", const=json_alias, help=argparse.SUPPRESS)


def emit(records: Iterable[dict] | dict, fmt: str, table: Callable | None = None, *, columns=None,
         bom: bool = True, out=None) -> None:
    """Print `records` (or one record) in `fmt`; `table` renders the human view."""
    out = out or sys.stdout
    single = isinstance(records, dict)
    if fmt == "table":
        table(records)
    elif fmt == "json":
        json.dump(records if single else list(records), out, ensure_ascii=False, indent=2, default=str)
        out.write("\n")
    elif fmt == "jsonl":
        for record in ([records] if single else records):
            out.write(json.dumps(record, ensure_ascii=False, default=str) + "\n")
    elif fmt == "csv":
        write_csv([records] if single else records, out, columns=columns, bom=bom)
    else:
        raise ValueError(f"unknown format {fmt!r}")


def write_csv(records: Iterable[dict], out, columns=None, bom: bool = True) -> None:
    """Excel-safe CSV (the export's rules): BOM, CRLF, formulas made inert, lists as JSON."""
    import csv

    from guifan.archive.export import BOM, neutralise

    rows = iter(records)
    first = next(rows, None)
    header = list(columns or (first.keys() if first else ()))
    if bom:
        out.write(BOM)
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(header)
    for row in ([first] if first is not None else []):
        writer.writerow([neutralise(_cell(row.get(k))) for k in header])
    for row in rows:
        writer.writerow([neutralise(_cell(row.get(k))) for k in header])


def _cell(value):
    return json.dumps(value, ensure_ascii=False) if isinstance(value, (list, dict)) else value


def open_archive(args, mode: str = "read"):
    """The archive named by `--db`, opened by the archive's one `open_archive` (see there)."""
    from guifan.archive import open_archive as open_

    return open_(args.db, mode)


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
