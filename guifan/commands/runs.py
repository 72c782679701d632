"""guifan runs: the crawl runs in the archive, newest first, one line each."""
from __future__ import annotations

import json

from guifan.archive.report import runs
from guifan.archive.report_html import fmt_seconds
from guifan.commands.common import add_db_option, open_archive

COLUMNS = ("pages", "new", "changed", "unchanged", "not_modified", "gone", "failed", "blocked")


def add(sub) -> None:
    p = sub.add_parser("runs", help="list crawl runs with their counts")
    p.add_argument("--limit", type=int, default=20, help="how many of the newest runs (0: all; default 20)")
    p.add_argument("--json", action="store_true", help="one JSON object per run")
    add_db_option(p)
    p.set_defaults(handler=run)


def run(args) -> int:
    with open_archive(args) as archive:
        rows = runs(archive, args.limit or None)
    if args.json:
        for row in rows:
            print(json.dumps(row, ensure_ascii=False))
        return 0
    if not rows:
        print("no runs yet")
        return 0
    print(f"{'run':>4}  {'status':11} {'started (UTC)':24} {'duration':>10}  " + " ".join(f"{c:>7.7}" for c in COLUMNS)
          + "  sites")
    for r in rows:
        counts = " ".join(f"{r[c]:>7}" for c in COLUMNS)
        print(f"{r['run_id']:>4}  {r['status']:11} {r['started_at']:24} {fmt_seconds(r['seconds']):>10}  {counts}  "
              f"{', '.join(r['sites'])}")
    return 0
