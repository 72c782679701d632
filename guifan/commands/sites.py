"""guifan sites: list the sites (hand-made profiles and the registry of every county-level unit),
select them by region, platform and column, count them per province; `guifan sites check NAME`
tries one against the live portal."""
from __future__ import annotations

import sys

from guifan.commands.common import add_db_option, add_format_option, emit
from guifan.crawler.registry.catalog import get_profiles
from guifan.errors import CliError

FIELDS = ("name", "admin_code", "name_zh", "region", "province", "prefecture", "county", "kind", "platform",
          "base_url", "start_urls", "home", "column", "column_label", "home_flags", "column_flags",
          "hand_checked", "demo", "source")
SUMMARY_FIELDS = ("province", "code", "units", "with_home", "with_column", "hand_checked")


def add(sub) -> None:
    p = sub.add_parser("sites", help="list the sites: hand-made profiles and the registry of every county-level unit",
                       description="Without a selection, lists the hand-made profiles; --all or any of --region, "
                                   "--platform, --has-column/--no-column lists from every county-level unit.")
    add_selection_options(p)
    p.add_argument("--all", action="store_true", help="every site: the profiles and every registry unit")
    p.add_argument("--real", action="store_true", help="only real portals (no demo sites)")
    p.add_argument("--summary", action="store_true",
                   help="counts per province: units, with a home page, with a column, hand-checked")
    add_format_option(p, json_alias="jsonl")   # --json: the old flag, one object per line
    p.add_argument("--no-bom", action="store_true", help="csv: no UTF-8 byte order mark")
    add_db_option(p, help_text="an archive whose runs say which platform each site was seen on, if it exists")
    p.set_defaults(handler=run)
    actions = p.add_subparsers(title="actions", metavar="ACTION")
    c = actions.add_parser("check", help="fetch a site's column page and report whether documents are found "
                                         "(needs internet for real portals; a few polite requests)")
    c.add_argument("site", metavar="NAME", help="site profile name")
    c.add_argument("--base-url", help="serve the site from another address (a mirror, the demo portal)")
    c.add_argument("--max-requests", type=int, default=6, help="list requests at most (default 6)")
    c.add_argument("--timeout", type=float, default=20.0, help="seconds per request (default 20)")
    c.set_defaults(handler=check)


def add_selection_options(p) -> None:
    """--region, --platform, --has-column/--no-column: the same selection for `sites` and `crawl`."""
    p.add_argument("--region", metavar="REGION",
                   help="a province, prefecture or county name (安徽省, 宿州市, 砀山县, 安徽) or a code prefix (3411)")
    p.add_argument("--platform", metavar="NAME", help="only sites on this platform (auto: not yet known)")
    column = p.add_mutually_exclusive_group()
    column.add_argument("--has-column", dest="column", action="store_const", const=True,
                        help="only sites whose document column is known")
    column.add_argument("--no-column", dest="column", action="store_const", const=False,
                        help="only sites known by their home page alone")


def selecting(args) -> bool:
    return bool(args.region or args.platform or args.column is not None)


def selected_sites(args, everything: bool = True) -> list:
    """The catalog filtered by the selection options; without a selection and not `everything`,
    the hand-made and demo profiles only."""
    from guifan.crawler.registry.catalog import catalog, select

    sites = catalog()
    if not (everything or selecting(args)):
        sites = [p for p in sites if p.path]
    return select(sites, region=args.region, platform=args.platform, column=args.column)


def run(args) -> int:
    from guifan.crawler.registry.catalog import is_hand_made

    sites = selected_sites(args, everything=args.all or args.summary)
    if args.real:
        sites = [p for p in sites if not p.demo]
    if args.summary:
        emit(summary_rows(sites, is_hand_made), args.format, print_summary_table, columns=SUMMARY_FIELDS,
             bom=not args.no_bom)
    else:
        seen = platforms_seen(args.db)   # platform auto: what runs in the archive sniffed
        emit([site_row(p, is_hand_made) | seen_fields(seen.get(p.name)) for p in sites], args.format, print_table,
             columns=FIELDS + SEEN_FIELDS, bom=not args.no_bom)
        if args.format == "table" and not (args.all or selecting(args)):
            print("(profiles only: --all, --region or --summary for every county-level unit)", file=sys.stderr)
    return 0


def site_row(p, is_hand_made) -> dict:
    from guifan.crawler.registry.catalog import region_parts

    u = p.unit
    province, prefecture, county = region_parts(p)
    return {"name": p.name, "admin_code": p.admin_code, "name_zh": p.name_zh, "region": p.region,
            "province": province, "prefecture": prefecture, "county": county, "kind": u.get("kind", ""),
            "platform": p.platform, "base_url": p.base_url, "start_urls": p.absolute_start_urls(),
            "home": u.get("home") or p.base_url, "column": u.get("column", ""), "column_label": u.get("column_label", ""),
            "home_flags": u.get("home_flags", []), "column_flags": u.get("column_flags", []),
            "hand_checked": is_hand_made(p), "demo": p.demo, "source": p.source}


def summary_rows(sites, is_hand_made) -> list[dict]:
    """Per province: distinct units (admin codes), and how many have a home page, a column, a hand-made profile."""
    from guifan.crawler.registry.catalog import has_column, region_parts

    rows: dict[str, dict] = {}
    for p in sites:
        province = region_parts(p)[0]
        row = rows.setdefault(province, {"province": province, "code": p.admin_code[:2], "units": set(),
                                         "with_home": set(), "with_column": set(), "hand_checked": set()})
        row["units"].add(p.admin_code)
        for key, yes in (("with_home", p.unit.get("home") or p.base_url), ("with_column", has_column(p)),
                         ("hand_checked", is_hand_made(p))):
            if yes:
                row[key].add(p.admin_code)
    out = [{k: len(v) if isinstance(v, set) else v for k, v in r.items()} for r in rows.values()]
    out.sort(key=lambda r: r["code"])
    total = {"province": "total", "code": ""} | {k: sum(r[k] for r in out) for k in SUMMARY_FIELDS[2:]}
    return out + [total] if len(out) > 1 else out


def print_table(rows) -> None:
    for r in rows:
        if r["hand_checked"] or r["demo"]:
            what = r["name_zh"] + (" (demo)" if r["demo"] else "")
        elif r["column"] and not r["column_flags"]:
            what = f"{r['region']}  column: {r['column_label'] or '(no label)'}"
        elif r["home"]:
            what = f"{r['region']}  home page only" + (f" (column flagged: {', '.join(r['column_flags'])})"
                                                       if r["column_flags"] else "")
        else:
            what = f"{r['region']}  no portal known"
        flags = f"  [home: {', '.join(r['home_flags'])}]" if r["home_flags"] else ""
        print(f"{r['name']:24} {r['admin_code']}  {platform_shown(r):8} {what}{flags}")


def print_summary_table(rows) -> None:
    print(f"{'province':14} code  {'units':>6} {'home':>6} {'column':>7} {'hand':>5}")
    for r in rows:
        name = r["province"] + "　" * max(0, 7 - len(r["province"]))  # full-width pad: CJK is two columns wide
        print(f"{name} {r['code']:4}  {r['units']:6} {r['with_home']:6} {r['with_column']:7} {r['hand_checked']:5}")


def check(args) -> int:
    from guifan.crawler.site_check import check_site

    if args.max_requests < 1:
        raise CliError("--max-requests must be at least 1")
    profile = get_profiles([args.site])[0]
    if args.base_url:
        profile = profile.with_base_url(args.base_url)
    report = check_site(profile, max_requests=args.max_requests, timeout=args.timeout)
    print(f"{report.site} ({report.platform}):")
    print_seen(report.seen, profile)   # platform `auto`: what was sniffed, and the portal's code
    for url, status in report.fetched:
        print(f"  {status:>5}  {url}")
    if report.ok:
        print(f"ok: {len(report.details)} document links found")
        if report.sample:
            s = report.sample
            print(f"  first document: {s['title'] or '(no title)'} | {s['doc_number'] or '-'} | "
                  f"{s['published_date'] or '-'} | validity {s['validity']} | {s['body_chars']} characters of body")
    for problem in report.problems:
        print(f"  problem: {problem}")
    if not report.ok:
        print("no documents found")
    return 0 if report.ok else 1


def print_seen(seen: dict, profile) -> None:
    from guifan.commands.report import seen_line

    if seen:
        status = {"status": "crawled", "seen": {"platform_configured": profile.platform,
                                                "admin_code": profile.admin_code,
                                                "columns": [], "shared": {}, "site_id_code": None,
                                                "platform_evidence": None, "platform": None, **seen}}
        print(f"  seen: {seen_line(status)}")


# -- what archived runs saw (platform `auto`) -------------------------------------------------

SEEN_FIELDS = ("platform_seen", "platform_seen_run", "site_id_code", "code_mismatch")


def platforms_seen(db: str | None) -> dict[str, dict]:
    """Each site's latest sniffed platform and 网站标识码 in the archive, if there is one."""
    from pathlib import Path

    if not db or not Path(db).exists():
        return {}
    from guifan.archive import Archive

    with Archive(db, readonly=True) as archive:
        return archive.last_seen_of_sites()


def seen_fields(seen: dict | None) -> dict:
    seen = seen or {}
    return {"platform_seen": seen.get("platform"), "platform_seen_run": seen.get("run_id"),
            "site_id_code": seen.get("site_id_code"), "code_mismatch": seen.get("code_mismatch")}


def platform_shown(row: dict) -> str:
    """`trs`, or for a site with platform auto what a run sniffed: `auto→trs` (`auto` if never crawled)."""
    found = row.get("platform_seen")
    shown = f"{row['platform']}→{found}" if found and found != row["platform"] else row["platform"]
    return shown + (" (code≠)" if row.get("code_mismatch") else "")
