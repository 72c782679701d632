"""guifan serve: browse and search the archive in Datasette (read-only)."""
from __future__ import annotations

import sqlite3
import sys

from guifan.commands.common import add_db_option
from guifan.commands.search import open_search
from guifan.errors import CliError


def add(sub) -> None:
    p = sub.add_parser("serve", help="browse and search the archive in Datasette (read-only)")
    add_db_option(p)
    p.add_argument("--host", default="127.0.0.1", help="address to listen on (default: 127.0.0.1)")
    p.add_argument("-p", "--port", type=int, default=8001, help="port (default 8001; 0 picks a free one)")
    p.add_argument("--no-index", action="store_true",
                   help="do not bring the search index up to date before serving")
    p.set_defaults(handler=run)


def run(args) -> int:
    from guifan.archive import search
    from guifan.archive.datasette import serve

    conn = open_search(args)
    if not args.no_index:
        _index(conn, search)
        _validity(conn)
    conn.close()

    def ready(url: str) -> None:
        print(f"Serving {args.db} read-only at {url}  (search: {url}-/search; Ctrl-C to stop)", flush=True)

    try:
        serve(args.db, args.host, args.port, on_ready=ready)
    except OSError as exc:
        raise CliError(f"cannot listen on {args.host}:{args.port}: {exc.strerror or exc}") from None
    return 0


def _validity(conn) -> None:
    """Computed validity and links, like the index, are brought up to date before serving."""
    from guifan.archive import validity

    warning = validity.ensure_current(conn)
    if warning:
        print(f"guifan: warning: {warning}", file=sys.stderr)


def _index(conn: sqlite3.Connection, search) -> None:
    """The server itself never writes, so new versions become searchable here, before it starts."""
    from guifan.archive import ArchiveError

    try:
        n, warning = search.refresh(conn, in_memory=False)  # Datasette opens connections of its own
    except ArchiveError as exc:  # e.g. read-only media: browsing works, the search page cannot
        print(f"guifan: warning: {exc}; serving without the search page's index", file=sys.stderr)
        return
    if warning:
        print(f"guifan: warning: {warning}", file=sys.stderr)
    elif n:
        print(f"indexed {n} new versions for search", file=sys.stderr)
    _index_reprints(conn)


def _index_reprints(conn: sqlite3.Connection) -> None:
    """The reprint_pair_list and reprint_families views show what the reprint index holds."""
    from guifan.archive import ArchiveError, reprints

    try:
        stats = reprints.refresh_or_warn(conn)
    except ArchiveError as exc:
        print(f"guifan: warning: {exc}; serving without reprint pairs", file=sys.stderr)
        return
    if stats.warning:
        print(f"guifan: warning: {stats.warning}", file=sys.stderr)
