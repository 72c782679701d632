"""guifan links DOC: what a document cites, repeals, amends, extends — and what does so to it."""
from __future__ import annotations

from guifan.commands.common import add_db_option, add_format_option, emit
from guifan.parsers.vocabulary import LINK_KINDS


def add(sub) -> None:
    p = sub.add_parser("links", help="a document's links: cites, cited by, repeals, repealed by, amends, extended by")
    p.add_argument("doc", metavar="DOC", help="document id (or a unique prefix), or its URL")
    p.add_argument("--unresolved", action="store_true", help="also list references not linked (with candidates)")
    add_format_option(p, ("table", "json", "jsonl", "csv"))
    add_db_option(p)
    p.set_defaults(handler=run)


def _kind(ref: dict) -> str:
    return "cites" if ref["kind"] == "citation" else ref["type"]


def rows(data: dict) -> list[dict]:
    """One row per link: direction, the link's name (LINK_KINDS), the other document, the evidence."""
    out = []
    for r in data["outgoing"]:
        out.append({"direction": "out", "link": LINK_KINDS[_kind(r)][0], "type": r["type"], "status": r["status"],
                    "doc_id": r["target_doc_id"], "title": r["target_title"] or r["title"],
                    "site": r.get("target_site"), "text": r["text"], "candidates": r["candidates"],
                    "match": r["match"]})
    for r in data["incoming"]:
        out.append({"direction": "in", "link": LINK_KINDS[_kind(r)][1], "type": r["type"], "status": r["status"],
                    "doc_id": r["doc_id"], "title": r["source_title"], "site": r.get("source_site"),
                    "text": r["text"], "candidates": [], "match": r["match"]})
    return out


def run(args) -> int:
    from guifan.archive import validity
    from guifan.archive.history import find_document
    from guifan.commands.validity import current_conn

    with current_conn(args) as archive:
        doc = find_document(archive.conn, args.doc)
        data = validity.links(archive.conn, doc["doc_id"])
    found = [r for r in rows(data) if args.unresolved or r["status"] == "linked"]
    emit(found, args.format, lambda rs: print_links(doc["doc_id"], rs))
    return 0


def print_links(doc_id: str, found: list[dict]) -> None:
    if not found:
        print(f"{doc_id}: no links")
    for r in found:
        if r["status"] == "linked":
            print(f"{r['link']:15} {r['doc_id']}  {r['title']}")
        else:
            print(f"{r['link']:15} ({r['status']}: {r['match']})  {r['title'] or r['text']}")
            for c in r["candidates"]:
                print(f"{'':15}   candidate {c}")
        print(f"{'':15}   「{r['text']}」 ({r['type']})")
