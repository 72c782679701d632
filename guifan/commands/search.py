"""guifan search QUERY and guifan index: full-text search of the archive and its index.

The filter options are shared with `guifan export` (and mean the same there).
"""
from __future__ import annotations

import argparse
import shutil
import sqlite3
import sys

from guifan.archive import ArchiveError
from guifan.archive.doc_filters import DocFilters, split_list
from guifan.commands.common import add_db_option, add_format_option, emit, open_archive, progress_printer
from guifan.errors import CliError

QUERY_HELP = ("words that must all occur (any script: 規範 finds 规范); A OR B; -word excludes; "
              '"quoted words" form one phrase')


def add(sub) -> None:
    p = sub.add_parser("search", help="full-text search of the archive (Chinese, either script)",
                       description="Search titles, bodies and attachment text. " + QUERY_HELP + ".")
    p.add_argument("query", nargs="+", metavar="QUERY", help=QUERY_HELP)
    add_db_option(p)
    add_filter_options(p)
    add_format_option(p)
    p.add_argument("-n", "--limit", type=int, default=20, help="hits to show (default 20)")
    p.add_argument("--offset", type=int, default=0, help="skip this many hits (paging)")
    p.add_argument("--no-bom", action="store_true", help="csv: no UTF-8 byte order mark")
    p.add_argument("--collapse", action="store_true",
                   help="one hit per reprint family, with its number of copies (see guifan clusters)")
    p.set_defaults(handler=run)

    q = sub.add_parser("index", help="bring the search index up to date (search and serve do it too)")
    add_db_option(q)
    q.add_argument("--check", action="store_true",
                   help="also verify every indexed version (full scan) and rebuild if any changed")
    q.add_argument("--rebuild", action="store_true", help="drop and rebuild the whole index")
    q.set_defaults(handler=run_index)


def add_filter_options(p) -> None:
    g = p.add_argument_group("filters")
    g.add_argument("--site", action="append", metavar="SITE", help="site profile name (repeatable, or a,b)")
    g.add_argument("--region", help="region contains this text, e.g. 示范省 or 青石县")
    g.add_argument("--issuer", help="发文机关 contains this text, e.g. 财政局")
    g.add_argument("--type", dest="doc_type", action="append", metavar="文种",
                   help="文种 (doc_type), e.g. 通知 or 办法,规定 (repeatable)")
    g.add_argument("--validity", action="append", metavar="VALUE",
                   help="computed validity on --as-of: in_force, amended, repealed, expired, not_yet_in_force, "
                        "unknown (or 有效, 已废止, 废止, 失效, 已修订, 尚未生效; repeatable)")
    g.add_argument("--as-of", dest="as_of", metavar="DATE",
                   help="the day --validity (and the export's computed_validity) is judged on (default today)")
    g.add_argument("--validity-label", action="store_true",
                   help="--validity filters by the portal's own 有效性 label as extracted, not the computed validity")
    g.add_argument("--from", dest="date_from", metavar="DATE", help="published on or after (YYYY[-MM[-DD]])")
    g.add_argument("--to", dest="date_to", metavar="DATE", help="published on or before (YYYY[-MM[-DD]])")
    g.add_argument("--all-versions", action="store_true",
                   help="every version of every document, not only the current version of live ones")


def filters_from_args(args: argparse.Namespace) -> DocFilters:
    return DocFilters(sites=split_list(args.site), region=args.region, issuer=args.issuer,
                      doc_types=split_list(args.doc_type), validity=split_list(args.validity),
                      date_from=args.date_from, date_to=args.date_to, all_versions=args.all_versions,
                      as_of=getattr(args, "as_of", None), validity_label=getattr(args, "validity_label", False))


def validity_current(conn, filters: DocFilters, always: bool = False) -> None:
    """Computed validity brought up to date when a filter (or an export column) reads it."""
    if not (always or (filters.validity and not filters.validity_label)):
        return
    from guifan.archive import validity

    warning = validity.ensure_current(conn)
    if warning:
        print(f"guifan: warning: {warning}", file=sys.stderr)


def open_search(args) -> sqlite3.Connection:
    """The archive's connection, tuned for search; the index may be brought up to date in it."""
    from guifan.archive.search import tune_connection

    return tune_connection(open_archive(args, "index").conn)


def run(args) -> int:
    from guifan.archive import search as engine

    if args.limit < 1 or args.offset < 0:
        raise CliError("--limit must be at least 1 and --offset at least 0")
    conn = open_search(args)
    filters = filters_from_args(args)
    validity_current(conn, filters)
    wanted = (args.limit + args.offset) * COLLAPSE_WIDEN if args.collapse else args.limit
    results = engine.search(conn, " ".join(args.query), filters, limit=wanted,
                            offset=0 if args.collapse else args.offset, count=args.format == "table",
                            marks=_marks(args.format))
    if results.warning:
        print(f"guifan: warning: {results.warning}", file=sys.stderr)
    if args.collapse:
        _collapse(conn, results, args)
    hits = [hit.as_dict() for hit in results.hits]
    emit(hits, args.format, lambda _: _print_table(results, args), bom=not args.no_bom,
         columns=None if hits else ("doc_id", "version", "title", "score", "snippet"))
    return 0


COLLAPSE_WIDEN = 5      # hits fetched per hit shown when collapsing: copies of one family rank together


def _collapse(conn, results, args) -> None:
    """Keep the best hit of each reprint family, with its family's id and number of copies."""
    from guifan.archive import reprints

    stats = reprints.refresh_or_warn(conn)
    if stats.warning:
        print(f"guifan: warning: {stats.warning}", file=sys.stderr)
    families = reprints.cluster_ids(conn, [h.fields["doc_id"] for h in results.hits])
    seen, kept = set(), []
    for hit in results.hits:
        cluster, copies = families.get(hit.fields["doc_id"], (hit.fields["doc_id"], 1))
        if cluster in seen:
            continue
        seen.add(cluster)
        hit.fields.update(cluster_id=cluster if copies > 1 else None, copies=copies)
        kept.append(hit)
    results.hits = kept[args.offset:args.offset + args.limit]


def _marks(fmt: str) -> tuple[str, str]:
    if fmt == "table" and sys.stdout.isatty():
        return "\x1b[1;31m", "\x1b[0m"
    return "【", "】"


def _print_table(results, args) -> None:
    from guifan.archive.cjk_text import display_width

    total = results.total or 0
    shown = f"{args.offset + 1}–{args.offset + len(results.hits)}" if results.hits else "none"
    what = "versions" if args.all_versions else "documents"
    if results.total_is_estimate:
        print(f"{total} versions contain these words; best matching {what} first (showing {shown})")
    else:
        print(f"{total} matching {what} (showing {shown})")
    if getattr(args, "collapse", False):
        print("one hit per reprint family (the count above counts every copy)")
    width = shutil.get_terminal_size((120, 24)).columns
    for i, hit in enumerate(results.hits, args.offset + 1):
        f = hit.fields
        version = f" v{f['version']}" + ("" if f["version"] == f["current_version"] else " (old)")
        meta = " · ".join(x for x in (f["published_date"], f["doc_type"], f["validity"], f["issuer"],
                                      f["doc_number"]) if x)
        print(f"\n{i:>3}. {f['title']}")
        print(f"     {meta}")
        print(f"     {_clip(hit.snippet, width - 5, display_width)}")
        print(f"     {f['doc_id']}{version}  {f['url']}")
        if f.get("copies", 1) > 1:
            print(f"     {f['copies']} copies in reprint family {f['cluster_id']} (guifan reprints {f['doc_id']})")


def _clip(text: str, width: int, display_width) -> str:
    out, used = [], 0
    for ch in text:
        used += display_width(ch) if ch != "\x1b" else 0
        if used > width:
            out.append("…")
            break
        out.append(ch)
    return "".join(out) + ("\x1b[0m" if "\x1b" in text else "")


def run_index(args) -> int:
    from guifan.archive import search as engine

    conn = open_search(args)
    progress = progress_printer("indexing")
    try:
        if args.rebuild:
            n = engine.rebuild_index(conn, progress=progress)
        else:
            n = engine.ensure_index(conn, progress=progress)
            if args.check:
                bad = engine.stale(conn)
                if bad:
                    print(f"{bad} indexed versions changed since indexing; rebuilding", file=sys.stderr)
                    n = engine.rebuild_index(conn, progress=progress)
    except sqlite3.OperationalError as exc:
        raise ArchiveError(f"cannot update the search index of {args.db}: {exc}") from None
    if progress:
        progress.done()
    total = engine.indexed_count(conn)
    print(f"indexed {n} new versions; {total} versions searchable in {args.db}")
    return 0
