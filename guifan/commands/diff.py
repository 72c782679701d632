"""guifan diff DOC [V1 V2]: what changed between two versions, paragraph by paragraph."""
from __future__ import annotations

from guifan.archive.history import field_changes, find_document, paragraph_diff, version
from guifan.commands.common import add_db_option, open_archive
from guifan.errors import CliError


def add(sub) -> None:
    p = sub.add_parser("diff", help="compare two versions of a document (default: the last two)")
    p.add_argument("doc", metavar="DOC")
    p.add_argument("versions", nargs="*", type=int, metavar="V", help="two version numbers")
    add_db_option(p)
    p.set_defaults(handler=run)


def run(args) -> int:
    with open_archive(args) as archive:
        doc = find_document(archive.conn, args.doc)
        v1, v2 = pick_versions(args.versions, doc["current_version"])
        old, new = version(archive.conn, doc["doc_id"], v1), version(archive.conn, doc["doc_id"], v2)
    print(f"{doc['doc_id']}  v{v1} ({old['valid_from']}) → v{v2} ({new['valid_from']})")
    for change in field_changes(old, new):
        print(f"  {change.field}: {change.old!r} → {change.new!r}")
    lines = paragraph_diff(old["body"] or "", new["body"] or "")
    print("\n".join(lines) if lines else "  body unchanged")
    return 0


def pick_versions(given: list[int], current: int) -> tuple[int, int]:
    if not given:
        if current < 2:
            raise CliError("this document has only one version")
        return current - 1, current
    if len(given) != 2:
        raise CliError("give two version numbers, or none for the last two")
    return given[0], given[1]
