"""guifan history DOC: when a document appeared, changed, was repealed, vanished, came back."""
from __future__ import annotations

import json

from guifan.archive.history import events, find_document, validity_events, versions
from guifan.commands.common import add_db_option, add_format_option, emit, open_archive


def add(sub) -> None:
    p = sub.add_parser("history", help="a document's versions and events over time")
    p.add_argument("doc", metavar="DOC", help="document id (or a unique prefix), or its URL")
    add_format_option(p, ("table", "json", "jsonl"), json_alias="json")
    add_db_option(p)
    p.set_defaults(handler=run)


def run(args) -> int:
    with open_archive(args) as archive:
        doc = find_document(archive.conn, args.doc)
        rows = versions(archive.conn, doc["doc_id"])
        evs = events(archive.conn, doc["doc_id"])
        validity = validity_events(archive.conn, doc["doc_id"])
    if args.format != "table":
        emit({
            "doc_id": doc["doc_id"], "url": doc["url"], "status": doc["status"],
            "first_seen": doc["first_seen"], "last_seen": doc["last_seen"],
            "events": [dict(e) for e in evs], "validity_events": [dict(v) for v in validity],
            "versions": [{k: v[k] for k in ("version", "valid_from", "valid_to", "last_confirmed",
                                            "changed_fields", "validity", "title")} for v in rows],
        }, args.format)
        return 0
    print(f"{doc['doc_id']}  {doc['url']}")
    print(f"  status {doc['status']}, first seen {doc['first_seen']}, last seen {doc['last_seen']}")
    changes = {(v["version"]): f"{v['validity_before']} → {v['validity_after']}" for v in validity}
    for e in evs:
        detail = ", ".join(json.loads(e["detail"])) if e["event"] in ("changed", "reappeared") else (e["detail"] or "")
        extra = f"  有效性 {changes[e['version']]}" if e["event"] != "gone" and e["version"] in changes else ""
        print(f"  {e['at']}  {e['event']:10} v{e['version']}  {detail}{extra}")
    return 0
