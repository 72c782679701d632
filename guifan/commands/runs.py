"""guifan runs: the crawl runs in the archive, newest first, one line each."""
from __future__ import annotations

from guifan.archive.report import runs
from guifan.archive.report_html import fmt_seconds
from guifan.commands.common import add_db_option, add_format_option, emit, open_archive

COLUMNS = ("pages", "new", "changed", "unchanged", "not_modified", "gone", "failed", "blocked")


def add(sub) -> None:
    p = sub.add_parser("runs", help="list crawl runs with their counts")
    p.add_argument("--limit", type=int, default=20, help="how many of the newest runs (0: all; default 20)")
    add_format_option(p, json_alias="jsonl")
    add_db_option(p)
    p.set_defaults(handler=run)


def run(args) -> int:
    with open_archive(args) as archive:
        rows = runs(archive, args.limit or None)
    if args.format != "table":
        emit(rows, args.format)
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
