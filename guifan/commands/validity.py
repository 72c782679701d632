"""guifan validity DOC [--as-of DATE]: a document's computed validity with its evidence.

Also `guifan validity --recompute` (no DOC): read clauses and references again and rebuild
every timeline (they are brought up to date before every read anyway).
"""
from __future__ import annotations

from guifan.commands.common import add_db_option, add_format_option, emit, open_archive
from guifan.errors import CliError


def add(sub) -> None:
    p = sub.add_parser("validity", help="a document's computed validity on a day, with its evidence")
    p.add_argument("doc", metavar="DOC", nargs="?", help="document id (or a unique prefix), or its URL")
    p.add_argument("--as-of", metavar="DATE", help="the day (YYYY-MM-DD; default today)")
    p.add_argument("--version", type=int, help="a specific version (default: the current one)")
    p.add_argument("--timeline", action="store_true", help="also print the validity over all of time")
    p.add_argument("--recompute", action="store_true",
                   help="read every version's clauses and references again and rebuild all timelines")
    add_format_option(p, ("table", "json", "jsonl"))
    add_db_option(p)
    p.set_defaults(handler=run)


def current_conn(args, force: bool = False):
    """The archive, with computed validity brought up to date (written if the file allows)."""
    import sys

    from guifan.archive import validity

    archive = open_archive(args, "write" if force else "index")
    if force:
        report = validity.refresh(archive.conn, force=True)
        print(f"read {report.read} versions: {report.refs} references of current versions, {report.linked} linked; "
              f"{report.timelines} timelines", file=sys.stderr)
    else:
        warning = validity.ensure_current(archive.conn)
        if warning:
            print(f"guifan: warning: {warning}", file=sys.stderr)
    return archive


def after_crawl(db) -> None:
    """Documents arrived: compute their clauses, links and validity now (one transaction)."""
    import sys

    from guifan.archive import open_archive as open_
    from guifan.archive import validity

    import sqlite3

    from guifan.archive import ArchiveError

    try:
        with open_(db, "write") as archive:
            report = validity.refresh(archive.conn)
    except (ArchiveError, sqlite3.Error) as exc:  # derived data: the next read computes it again
        print(f"guifan: warning: validity not computed now ({exc}); it will be when next read", file=sys.stderr)
        return
    if not report.skipped:
        print(f"validity: read {report.read} new versions; {report.linked} of {report.refs} references linked",
              file=sys.stderr)


def run(args) -> int:
    from guifan.archive import validity
    from guifan.archive.doc_filters import as_of_day
    from guifan.archive.history import find_document

    if args.doc is None and not args.recompute:
        raise CliError("name a document (DOC), or give --recompute")
    archive = current_conn(args, force=args.recompute)
    with archive:
        if args.doc is None:
            return 0
        doc = find_document(archive.conn, args.doc)
        version = args.version or doc["current_version"]
        result = validity.computed(archive.conn, doc["doc_id"], version, as_of_day(args.as_of))
        if args.timeline or args.format != "table":
            result["timeline"] = validity.timeline_rows(archive.conn, doc["doc_id"], version)
    emit(result, args.format, lambda r: print_validity(r, args.timeline))
    return 0


def _evidence(e: dict) -> str:
    where = f"{e.get('doc_id')} v{e.get('version')}" if e.get("doc_id") else ""
    parts = [e.get("source", ""), where, e.get("date", ""), e.get("note", "")]
    head = " · ".join(p for p in parts if p)
    return head + (f"\n      「{e['sentence']}」" if e.get("sentence") else "")


def print_validity(r: dict, timeline: bool) -> None:
    print(r["title"])
    print(f"  {r['doc_id']}  version {r['version']}")
    print(f"  computed validity on {r['as_of']}: {r['validity']}"
          + (f"   (from {r['since']} to {r['until']})" if r.get("since") else ""))
    print(f"    because: {_evidence(r['basis'])}")
    for c in r["conflicts"]:
        print(f"    CONFLICT ({c.get('validity')}): {_evidence(c)}")
    for name in ("effective_date", "expiry_date", "trial"):
        if r.get(name):
            print(f"  {name:15} {r[name]}")
    for c in r.get("clauses") or []:
        print(f"  clause          {c['field']} = {c['value']}  ({c['how']})\n      「{c['sentence']}」")
    if timeline:
        print("  timeline")
        for t in r["timeline"]:
            print(f"    {t['start']} … {t['end']}  {t['validity']:17} {t['basis'].get('source')}"
                  + ("  CONFLICT" if t["conflicts"] else ""))
