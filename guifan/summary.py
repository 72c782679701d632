"""The short summary printed after a crawl."""
from __future__ import annotations

import os
import shutil
import sys

from guifan.archive import open_archive
from guifan.archive.schema import EXAMPLE_QUERY

NEXT_STEPS = """\
Try next:
  {prog} search 管理 --db {db}            # Chinese full-text search (規範 finds 规范 too)
  {prog} demo --day 2 --db {db}           # the portal a day later: changes, a repeal, a vanished page
  {prog} report --db {db} --html report.html
  {prog} serve --db {db}                  # browse it in Datasette
  sqlite3 {db} "{query}\""""


def program() -> str:
    """How the user can call guifan again: `.venv/bin/guifan` after `make demo` (not on PATH)."""
    path = sys.argv[0]
    if os.path.basename(path) != "guifan" or shutil.which("guifan") == os.path.abspath(path):
        return "guifan"
    return min(os.path.relpath(path), os.path.abspath(path), key=len)


def print_summary(db: str, run_id: int, demo: bool = False) -> tuple[str, str | None]:
    with open_archive(db) as archive:
        s = archive.run_summary(run_id)
    outcomes = s["outcomes"]
    print(f"Run {run_id}: {s['status']}" + (f" — {s['reason']}" if s["reason"] else ""))
    print(f"  sites:          {len(s['sites'])} ({', '.join(s['sites'])})")
    kinds = {k: sum(v.values()) for k, v in s["outcomes_by_kind"].items()}
    parts = ", ".join(f"{kinds[k]} {label}" for k, label in
                      (("list", "list pages"), ("detail", "detail pages"), ("attachment", "attachments")) if k in kinds)
    print(f"  pages fetched:  {s['pages_fetched']} ({parts} attempted)")
    docs = ", ".join(f"{outcomes.get(k, 0)} {k}" for k in ("new", "changed", "unchanged", "not_modified", "gone"))
    print(f"  documents:      {s['documents']} in the archive ({docs} this run)")
    for site, n in s["documents_by_site"].items():
        print(f"      {site:22} {n}")
    failures = ", ".join(f"{reason} ×{n}" for reason, n in s["failures"].items()) or "none"
    print(f"  failed/blocked: {failures}")
    print(f"  archive:        {db}")
    if demo and s["status"] == "completed":
        print(NEXT_STEPS.format(db=db, prog=program(), query=EXAMPLE_QUERY))
    return s["status"], s["reason"]
