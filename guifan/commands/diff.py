"""guifan diff DOC [V1 V2]: what changed between two versions, paragraph by paragraph."""
from __future__ import annotations

from guifan.archive.history import field_changes, find_document, paragraph_diff, version
from guifan.commands.common import add_db_option, add_format_option, emit, open_archive
from guifan.errors import CliError


def add(sub) -> None:
    p = sub.add_parser("diff", help="compare two versions of a document (default: the last two)")
    p.add_argument("doc", metavar="DOC")
    p.add_argument("versions", nargs="*", type=int, metavar="V", help="two version numbers")
    add_db_option(p)
    add_format_option(p, ("table", "json", "jsonl"))
    p.set_defaults(handler=run)


def run(args) -> int:
    with open_archive(args) as archive:
        doc = find_document(archive.conn, args.doc)
        v1, v2 = pick_versions(args.versions, doc["current_version"])
        old, new = version(archive.conn, doc["doc_id"], v1), version(archive.conn, doc["doc_id"], v2)
    changes = field_changes(old, new)
    lines = paragraph_diff(old["body"] or "", new["body"] or "")
    attached = paragraph_diff(attachment_text(old), attachment_text(new))
    record = {"doc_id": doc["doc_id"], "from": {"version": v1, "valid_from": old["valid_from"]},
              "to": {"version": v2, "valid_from": new["valid_from"]},
              "fields": [{"field": c.field, "old": c.old, "new": c.new} for c in changes], "body_diff": lines,
              "attachment_diff": attached}

    def table(_):
        print(f"{doc['doc_id']}  v{v1} ({old['valid_from']}) → v{v2} ({new['valid_from']})")
        for change in changes:
            print(f"  {change.field}: {change.old!r} → {change.new!r}")
        print("\n".join(lines) if lines else "  body unchanged")
        if attached:  # the attachments' texts as each version had them (the rest of the full text)
            print("attachments:\n" + "\n".join(attached))
    emit(record, args.format, table)
    return 0


def attachment_text(row) -> str:
    return (row["attachment_text"] if "attachment_text" in row.keys() else None) or ""


def pick_versions(given: list[int], current: int) -> tuple[int, int]:
    if not given:
        if current < 2:
            raise CliError("this document has only one version")
        return current - 1, current
    if len(given) != 2:
        raise CliError("give two version numbers, or none for the last two")
    return given[0], given[1]
