"""guifan sites: list the site profiles; `guifan sites check NAME` tries one against the live portal."""
from __future__ import annotations

import json

from guifan.crawler.profiles import all_profiles, get_profiles
from guifan.commands.common import add_db_option
from guifan.errors import CliError


def add(sub) -> None:
    p = sub.add_parser("sites", help="list the site profiles, or check one against its portal")
    p.add_argument("--real", action="store_true", help="only real portals (no demo sites)")
    p.add_argument("--json", action="store_true", help="one JSON object per profile")
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


def run(args) -> int:
    profiles = [p for p in all_profiles().values() if not (args.real and p.demo)]
    seen = platforms_seen(args.db)
    for profile in profiles:
        if args.json:
            fields = ("name", "name_zh", "region", "admin_code", "platform", "base_url", "start_urls", "source")
            print(json.dumps({k: getattr(profile, k) for k in fields} | seen_fields(seen.get(profile.name)),
                             ensure_ascii=False))
            continue
        tag = " (demo)" if profile.demo else ""
        print(f"{profile.name:24} {profile.admin_code}  {platform_shown(profile, seen):{16 if seen else 8}} {profile.name_zh}{tag}")
    return 0


def print_seen(seen: dict, profile) -> None:
    from guifan.commands.report import seen_line

    if seen:
        status = {"status": "crawled", "seen": {"platform_configured": profile.platform,
                                                "admin_code": profile.admin_code,
                                                "columns": [], "shared": {}, "site_id_code": None,
                                                "platform_evidence": None, "platform": None, **seen}}
        print(f"  seen: {seen_line(status)}")


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


# -- what archived runs saw (platform `auto`) -------------------------------------------------

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


def platform_shown(profile, seen: dict) -> str:
    """`trs`, or for a profile with platform auto what was sniffed: `auto→trs` (`auto` if never crawled)."""
    found = seen.get(profile.name, {}).get("platform")
    shown = f"{profile.platform}→{found}" if found and found != profile.platform else profile.platform
    return shown + (" (code≠)" if seen.get(profile.name, {}).get("code_mismatch") else "")
