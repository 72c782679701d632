"""guifan export: stream document versions to CSV (opens cleanly in Excel) or JSON Lines."""
from __future__ import annotations

import os
import sys
from pathlib import Path

from guifan.archive.doc_filters import split_list
from guifan.archive.export import FORMATS
from guifan.commands.common import (add_db_option, open_archive, progress_printer, refuse_archive_path,
                                   write_atomically)
from guifan.commands.search import add_filter_options, filters_from_args, open_search, validity_current
from guifan.errors import CliError


def add(sub) -> None:
    p = sub.add_parser("export", help="export document versions as CSV, JSON, JSON Lines or WARC",
                       description="CSV is UTF-8 with a byte order mark (Excel needs it), RFC 4180 quoted; "
                                   "cells that a spreadsheet would run as formulas are prefixed with '.")
    add_db_option(p)
    p.add_argument("--format", choices=(*FORMATS, "warc"), default="csv",
                   help="csv (default), json (one array), jsonl (one object per line), or warc (the raw captures as WARC 1.1; needs --out, "
                        "gzipped when it ends in .gz; only --site filters apply)")
    p.add_argument("--out", "-o", metavar="FILE", help="write here (default: standard output)")
    p.add_argument("--no-bom", action="store_true", help="csv without the UTF-8 byte order mark (for scripts)")
    p.add_argument("--query", "-q", metavar="QUERY", help="only versions matching this search (as `guifan search`)")
    add_filter_options(p)
    p.set_defaults(handler=run)


def run(args) -> int:
    if args.format == "warc":
        return run_warc(args)
    from guifan.archive import export, search

    refuse_archive_path(args.out, args.db)
    conn = open_search(args)
    filters = filters_from_args(args)
    validity_current(conn, filters, always=True)      # the computed_validity column reads it
    match = None
    if args.query:
        warning = search.refresh(conn)[1]
        if warning:
            print(f"guifan: warning: {warning}", file=sys.stderr)
        match = search.parse_query(args.query).fts()
    progress = _progress(conn, filters, match, export)
    target = Path(args.out) if args.out else None
    if target is None:
        try:
            n = export.export(conn, sys.stdout.buffer, args.format, filters, match=match, bom=not args.no_bom,
                              progress=progress)
            sys.stdout.flush()
        except BrokenPipeError:
            # The reader stopped early (`| head`): not an error; silence the flush at exit too.
            os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
            return 0
    else:
        n = write_atomically(target, lambda f: export.export(conn, f, args.format, filters, match=match,
                                                             bom=not args.no_bom, progress=progress), args.db)
    if progress:
        progress.done()
    if target is not None or not sys.stdout.isatty():
        print(f"exported {n} rows" + (f" to {target}" if target else ""), file=sys.stderr)
    return 0


def run_warc(args) -> int:
    from guifan.archive.warc import write_warc

    if not args.out:
        raise CliError("--format warc writes a file: give --out FILE.warc.gz")
    ignored = [name for name in ("query", "region", "issuer", "doc_type", "validity", "date_from", "date_to", "as_of")
               if getattr(args, name, None)]
    if ignored or args.all_versions:
        raise CliError("--format warc exports captures; of the filters only --site applies")
    target = Path(args.out)
    refuse_archive_path(target, args.db)
    with open_archive(args) as archive:
        sites = split_list(args.site)
        n = write_atomically(target, lambda f: write_warc(archive, f, target.name, sites,
                                                          progress_printer("exporting")), args.db)
    print(f"exported {n} exchanges to {target}", file=sys.stderr)
    return 0


def _progress(conn, filters, match, export):
    """Progress on a terminal only (counting rows costs a query, so only then)."""
    if not sys.stderr.isatty():
        return None
    return progress_printer("exporting", export.count_rows(conn, filters, match))
