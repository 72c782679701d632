"""guifan verify: recompute every blob's sha256 and report any mismatch (fixity check)."""
from __future__ import annotations

import sys

from guifan.commands.common import add_db_option, add_format_option, emit, open_archive


def add(sub) -> None:
    p = sub.add_parser("verify", help="check the fixity of every stored raw body")
    add_db_option(p)
    add_format_option(p, ("table", "json", "jsonl"))
    p.set_defaults(handler=run)


def run(args) -> int:
    from guifan.archive import blobs

    with open_archive(args) as archive:
        report = blobs.fixity_report(archive.conn)
    emit(report, args.format, print_report)
    if not report["ok"]:
        print("guifan: error: the archive failed verification", file=sys.stderr)
        return 1
    return 0


def print_report(report: dict) -> None:
    for digest, problem in report["mismatches"]:
        print(f"MISMATCH {digest}: {problem}")
    print(f"{report['verified']} of {report['blobs']} blobs verified; "
          f"SQLite integrity_check: {report['integrity_check']}")
