"""guifan show DOC [--as-of DATE]: a document as the archive holds it (or held it on a day)."""
from __future__ import annotations

from guifan.archive.history import as_record, find_document, version, version_as_of
from guifan.commands.common import add_db_option, add_format_option, emit
from guifan.errors import CliError
from guifan.parsers.record import RECORD_FIELDS


def add(sub) -> None:
    p = sub.add_parser("show", help="show a document's current (or past) version")
    p.add_argument("doc", metavar="DOC", help="document id (or a unique prefix), or its URL")
    p.add_argument("--as-of", metavar="DATE", help="the version held on DATE (YYYY-MM-DD, end of day UTC)")
    p.add_argument("--version", type=int, help="a specific version number")
    p.add_argument("--validity-as-of", metavar="DATE",
                   help="the day of the computed validity shown (default: --as-of, else today)")
    add_format_option(p, json_alias="json")
    add_db_option(p)
    p.set_defaults(handler=run)


def run(args) -> int:
    from guifan.archive import validity
    from guifan.archive.doc_filters import as_of_day
    from guifan.commands.validity import current_conn

    with current_conn(args) as archive:
        doc = find_document(archive.conn, args.doc)
        if args.version:
            row = version(archive.conn, doc["doc_id"], args.version)
        elif args.as_of:
            row = version_as_of(archive.conn, doc["doc_id"], args.as_of)
            if row is None:
                raise CliError(f"{doc['doc_id']} was not in the archive as a live page on {args.as_of}")
        else:
            row = version(archive.conn, doc["doc_id"], doc["current_version"])
        record = as_record(row)
        # Derived fields and the computed validity (on --as-of, else today), beside the record.
        computed = validity.computed(archive.conn, doc["doc_id"], row["version"], as_of_day(args.validity_as_of or args.as_of))
    record.update({f: computed.get(f) for f in ("effective_date", "expiry_date")},
                  validity_clauses=computed.get("validity_clauses") or [])
    out = {f: record.get(f) for f in RECORD_FIELDS}
    out.update(computed_validity=computed["validity"], validity_as_of=computed["as_of"],
               validity_basis=computed["basis"], validity_conflicts=computed["conflicts"])
    gone = doc["status"] == "gone" and not args.as_of
    emit(out, args.format, lambda _: print_record({**record, **out}, gone), columns=list(out))
    return 0


def print_record(record: dict, gone: bool) -> None:
    print(f"{record['title']}")
    print(f"  {record['doc_id']}  version {record['version']}  valid {record['valid_from']} → "
          f"{record['valid_to'] or ('gone' if gone else 'now')}")
    for name in ("url", "index_no", "doc_number", "issuer", "written_date", "published_date", "validity",
                 "topic", "doc_type", "encoding", "effective_date", "expiry_date"):
        if record.get(name):
            print(f"  {name:15} {record[name]}")
    if record.get("computed_validity"):
        basis = record["validity_basis"]
        print(f"  {'computed':15} {record['computed_validity']} on {record['validity_as_of']} "
              f"(from {basis.get('source')}{': ' + basis['sentence'] if basis.get('sentence') else ''})"
              + (f"; {len(record['validity_conflicts'])} conflicting" if record["validity_conflicts"] else ""))
    for a in record.get("attachments") or []:
        print(f"  attachment      {a['name']}  {a['url']}")
    if record.get("quality_flags"):
        print(f"  quality_flags   {', '.join(record['quality_flags'])}")
    print()
    print(record["body"])
