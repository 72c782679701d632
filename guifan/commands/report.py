"""guifan report [RUN] [--json] [--html OUT]: what one run found, changed, lost or was refused."""
from __future__ import annotations

from pathlib import Path

from guifan.archive.report import MISSING_SHOWN, latest_run, run_report
from guifan.archive.report_html import SITE_COLUMNS, fmt_seconds, render
from guifan.commands.common import (add_db_option, add_format_option, emit, open_archive, refuse_archive_path,
                                   write_atomically)
from guifan.errors import CliError


def add(sub) -> None:
    p = sub.add_parser("report", help="report one run: per-site counts, completeness, errors; --html for charts")
    p.add_argument("run_id", nargs="?", type=int, metavar="RUN", help="run id (default: the latest run)")
    add_format_option(p, ("table", "json", "jsonl"), json_alias="json")
    p.add_argument("--html", metavar="OUT", help="write a self-contained HTML report with charts to OUT")
    add_db_option(p)
    p.set_defaults(handler=run)


def run(args) -> int:
    refuse_archive_path(args.html, args.db)
    with open_archive(args) as archive:
        run_id = args.run_id or latest_run(archive)
        if run_id is None:
            raise CliError(f"no runs in {args.db}")
        report = run_report(archive, run_id)
        if args.html:
            write_html(Path(args.html), render(archive, run_id), args.db)
    if args.format != "table":
        emit(report, args.format)
    elif not args.html:
        print_report(report)
    return 0


def write_html(path: Path, page: str, db) -> None:
    write_atomically(path, lambda f: f.write(page.encode("utf-8")), db)
    print(f"wrote {path}")


def print_report(r: dict) -> None:
    print(f"Run {r['run_id']}: {r['status']}" + (f" — {r['reason']}" if r["reason"] else ""))
    print(f"  started {r['started_at']}, finished {r['finished_at'] or '–'}, duration {fmt_seconds(r['seconds'])}")
    print(f"  {'site':22} " + " ".join(f"{c:>9}" for c in SITE_COLUMNS) + "  completeness")
    for site, s in r["per_site"].items():
        ratio = f"{s['archived'] / s['listed']:.1%}" if s["listed"] else "–"
        print(f"  {site:22} " + " ".join(f"{s[c]:>9}" for c in SITE_COLUMNS) + f"  {ratio}")
    total = r["completeness"]
    if total["listed"]:
        print(f"  completeness: {total['archived']} of {total['listed']} listed documents archived "
              f"({total['ratio']:.1%})")
    print_seen(r)
    for site, s in r["per_site"].items():
        if s["errors"]:
            print(f"  errors ({site}): " + ", ".join(f"{k} ×{n}" for k, n in s["errors"].items()))
        for m in s["missing"]:
            print(f"  missing ({site}): {m['url']}  last attempt: {m['outcome']} {m.get('reason') or ''}".rstrip())
        if s["missing_count"] > MISSING_SHOWN:
            print(f"  … and {s['missing_count'] - MISSING_SHOWN} more missing ({site})")


def seen_line(s: dict) -> str:
    """One site as the run saw it: platform (sniffed or configured), 网站标识码, chosen columns."""
    if s["status"] == "failed":
        return f"failed: {s['failure']}"
    seen = s["seen"]
    parts = [f"platform {seen['platform'] or '(not seen)'}"
             + (f" (sniffed: {seen['platform_evidence']})" if seen["platform_configured"] == "auto" else "")]
    if seen["site_id_code"]:
        flag = (f" ≠ profile {seen['admin_code']}: wrong, moved or shared portal?" if seen["code_mismatch"] else "")
        parts.append(f"网站标识码 {seen['site_id_code']}{flag}")
    for choice in seen["columns"]:
        names = ", ".join(c["name"] for c in choice["columns"]) or "none"
        parts.append(f"columns on {choice['page']}: {names} ({choice['reason']})")
    if seen["shared"]:
        parts.append("shared: " + ", ".join(f"{n} documents archived under {o}" for o, n in seen["shared"].items()))
    return "; ".join(parts)


def print_seen(r: dict) -> None:
    print("  sites as seen:")
    for site, s in r["per_site"].items():
        print(f"  {site:22} {seen_line(s)}")
