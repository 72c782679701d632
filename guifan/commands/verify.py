"""guifan verify: recompute every blob's sha256 and report any mismatch (fixity check)."""
from __future__ import annotations

import sys

from guifan.archive import blobs
from guifan.commands.common import add_db_option, open_archive


def add(sub) -> None:
    p = sub.add_parser("verify", help="check the fixity of every stored raw body")
    add_db_option(p)
    p.set_defaults(handler=run)


def run(args) -> int:
    with open_archive(args) as archive:
        total = archive.conn.execute("SELECT count(*) FROM blobs").fetchone()[0]
        bad = list(blobs.verify(archive.conn))
        integrity = archive.conn.execute("PRAGMA integrity_check").fetchone()[0]
    for digest, problem in bad:
        print(f"MISMATCH {digest}: {problem}")
    print(f"{total - len(bad)} of {total} blobs verified; SQLite integrity_check: {integrity}")
    if bad or integrity != "ok":
        print("guifan: error: the archive failed verification", file=sys.stderr)
        return 1
    return 0
