"""guifan show DOC [--as-of DATE]: a document as the archive holds it (or held it on a day)."""
from __future__ import annotations

from guifan.archive.history import as_record, find_document, version, version_as_of
from guifan.commands.common import add_db_option, add_format_option, emit, open_archive
from guifan.errors import CliError
from guifan.parsers.record import RECORD_FIELDS


def add(sub) -> None:
    p = sub.add_parser("show", help="show a document's current (or past) version")
    p.add_argument("doc", metavar="DOC", help="document id (or a unique prefix), or its URL")
    p.add_argument("--as-of", metavar="DATE", help="the version held on DATE (YYYY-MM-DD, end of day UTC)")
    p.add_argument("--version", type=int, help="a specific version number")
    add_format_option(p, json_alias="json")
    add_db_option(p)
    p.set_defaults(handler=run)


def run(args) -> int:
    with open_archive(args) as archive:
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
    gone = doc["status"] == "gone" and not args.as_of
    emit({f: record.get(f) for f in RECORD_FIELDS}, args.format, lambda _: print_record(record, gone),
         columns=RECORD_FIELDS)
    return 0


def print_record(record: dict, gone: bool) -> None:
    print(f"{record['title']}")
    print(f"  {record['doc_id']}  version {record['version']}  valid {record['valid_from']} → "
          f"{record['valid_to'] or ('gone' if gone else 'now')}")
    for name in ("url", "index_no", "doc_number", "issuer", "written_date", "published_date", "validity",
                 "topic", "doc_type", "encoding"):
        if record.get(name):
            print(f"  {name:15} {record[name]}")
    for a in record.get("attachments") or []:
        print(f"  attachment      {a['name']}  {a['url']}")
    if record.get("quality_flags"):
        print(f"  quality_flags   {', '.join(record['quality_flags'])}")
    print()
    print(record["body"])
