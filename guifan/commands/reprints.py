"""guifan reprints DOC | --pairs, and guifan clusters: near-copies across the archive (docs/reprints.md)."""
from __future__ import annotations

import sys

from guifan.commands.common import add_db_option, add_format_option, emit, open_archive, progress_printer
from guifan.errors import CliError

ROLE_LABELS = {"source": "earlier copy", "copy": "later copy", "forwards": "forwarded by this",
               "forwarded_by": "forwards this"}


def add(sub) -> None:
    p = sub.add_parser("reprints", help="a document's reprints and near-copies across sites, in order",
                       description="List the reprints, 转发 and adapted copies of a document and the documents "
                                   "it shares passages with, earliest first; or every pair (--pairs).")
    p.add_argument("doc", nargs="?", metavar="DOC", help="document id, unique id prefix, or URL")
    add_db_option(p)
    add_format_option(p)
    p.add_argument("--pairs", action="store_true",
                   help="every pair in the archive (doc_a, doc_b, kind, similarity, shared characters, first seen…)")
    p.add_argument("--kind", action="append", metavar="KIND",
                   help="with --pairs: exact, forward, adapted, partial (repeatable, or a,b)")
    p.add_argument("--region", help="with --pairs: a copy's region contains this text")
    p.add_argument("--update", action="store_true", help="only bring the reprint index up to date")
    p.add_argument("--rebuild", action="store_true", help="drop and rebuild the reprint index")
    p.add_argument("--no-bom", action="store_true", help="csv: no UTF-8 byte order mark")
    p.set_defaults(handler=run)

    q = sub.add_parser("clusters", help="reprint families (exact, 转发 and adapted copies) across sites",
                       description="Families of near-copies, largest first, each with its copies in order.")
    add_db_option(q)
    add_format_option(q)
    q.add_argument("--region", help="families with a copy whose region contains this text, e.g. 示范省")
    q.add_argument("--min-sites", type=int, default=1, metavar="N", help="families on at least N sites (default 1)")
    q.add_argument("-n", "--limit", type=int, default=50, help="families to show (default 50; 0: all)")
    q.add_argument("--no-bom", action="store_true", help="csv: no UTF-8 byte order mark")
    q.set_defaults(handler=run_clusters)


def _index(args):
    from guifan.archive import reprints

    archive = open_archive(args, "index")
    conn = archive.conn
    if getattr(args, "rebuild", False):
        stats = reprints.rebuild(conn, progress=progress_printer("comparing"))
    else:
        stats = reprints.refresh_or_warn(conn)
    if stats.warning:
        print(f"guifan: warning: {stats.warning}", file=sys.stderr)
    return conn, stats


def run(args) -> int:
    from guifan.archive import reprints
    from guifan.archive.doc_filters import split_list
    from guifan.archive.history import find_document

    if not (args.doc or args.pairs or args.update or args.rebuild):
        raise CliError("name a document (guifan reprints DOC), or give --pairs, --update or --rebuild")
    conn, stats = _index(args)
    if args.update or args.rebuild:
        print(f"compared {stats.indexed} documents; {stats.pairs} pairs in {args.db}")
        if not (args.doc or args.pairs):
            return 0
    if args.pairs:
        kinds = split_list(args.kind)
        bad = [k for k in kinds or () if k not in reprints.rt.KINDS]
        if bad:
            raise CliError(f"unknown kind {bad[0]!r}; kinds: {', '.join(reprints.rt.KINDS)}")
        rows = reprints.pair_rows(conn, kinds, args.region)
        emit(rows, args.format, _pairs_table, columns=reprints.PAIR_COLUMNS, bom=not args.no_bom)
        return 0
    doc = find_document(conn, args.doc)
    relations = reprints.reprints_of(conn, doc["doc_id"])
    records = [_record(conn, doc["doc_id"], r, args.format) for r in relations]
    emit(records, args.format, lambda rs: _doc_table(conn, doc, relations), bom=not args.no_bom,
         columns=RECORD_COLUMNS)
    return 0


RECORD_COLUMNS = ("doc_id", "role", "kind", "similarity", "shared_chars", "order_basis", "evidence", "site",
                  "title", "written_date", "published_date", "first_seen", "url", "status")


def _record(conn, doc_id: str, r, fmt: str) -> dict:
    from guifan.archive import reprints

    out = {k: r.other.get(k) for k in ("doc_id",)}
    out.update(role=r.role, kind=r.kind, similarity=r.similarity, shared_chars=r.shared_chars,
               order_basis=r.order_basis, evidence=r.evidence)
    out.update({k: r.other.get(k) for k in RECORD_COLUMNS[7:]})
    if fmt in ("json", "jsonl"):
        out["passages"] = r.passages
        out["shared_text"] = reprints.passage_texts(conn, doc_id, r.passages)
    return out


def _doc_table(conn, doc, relations) -> None:
    from guifan.archive import reprints

    print(f"{doc['doc_id']}  {doc['url']}")
    family = reprints.family_of(conn, doc["doc_id"])
    if family:
        sites = len({m["site"] for m in family})
        print(f"family {family[0]['cluster_id']}: {len(family)} copies on {sites} sites; this is copy "
              f"{next(m['position'] for m in family if m['doc_id'] == doc['doc_id'])}")
    if not relations:
        print("no reprints or near-copies found")
        return
    for r in relations:
        o = r.other
        when = o.get("written_date") or o.get("published_date") or (o.get("first_seen") or "")[:10]
        print(f"\n  {r.kind:8} {ROLE_LABELS[r.role]:18} similarity {r.similarity:.2f}, {r.shared_chars} characters "
              f"shared (order: {r.order_basis})")
        print(f"    {o['doc_id']}  {when}  {o.get('title') or ''}")
        for text in reprints.passage_texts(conn, doc["doc_id"], r.passages, limit=1):
            print(f"    shared: {text}")


def _pairs_table(rows) -> None:
    n = 0
    for r in rows:
        n += 1
        print(f"{r['kind']:8} {r['similarity']:.2f} {r['shared_chars']:>6}  {r['doc_a']} → {r['doc_b']}  "
              f"({r['order_basis']})")
    print(f"{n} pairs")


def run_clusters(args) -> int:
    from guifan.archive import reprints

    if args.min_sites < 1 or args.limit < 0:
        raise CliError("--min-sites must be at least 1 and --limit at least 0")
    conn, _ = _index(args)
    families = reprints.clusters(conn, region=args.region, min_sites=args.min_sites)
    if args.limit:
        families = families[:args.limit]
    if args.format == "csv":
        rows = [{"cluster_id": f["cluster_id"], "copies": f["copies"], "sites": f["sites"], **m}
                for f in families for m in f["members"]]
        emit(rows, "csv", columns=("cluster_id", "copies", "sites", "position", "doc_id", "site", "region", "title",
                                   "written_date", "published_date", "first_seen"), bom=not args.no_bom)
        return 0
    emit(families, args.format, _clusters_table)
    return 0


def _clusters_table(families) -> None:
    if not families:
        print("no reprint families")
    for f in families:
        print(f"\n{f['cluster_id']}: {f['copies']} copies on {f['sites']} sites — {f['title']}")
        for m in f["members"]:
            when = m["written_date"] or m["published_date"] or (m["first_seen"] or "")[:10]
            print(f"  {m['position']:>3}. {when:10}  {m['site']:16} {m['doc_id']}  {m['title'] or ''}")
