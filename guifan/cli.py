"""The `guifan` command: one CLI for crawling, the demo, parsing saved pages and sites."""
from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

from archive import ArchiveError
from crawler.profiles import ProfileError, all_profiles, get_profiles
from guifan import __version__
from guifan.summary import print_summary


class CliError(Exception):
    """A user-facing error: printed as one line, exit status 1."""


def main(argv: list[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    if not getattr(args, "handler", None):
        parser.print_help()
        return 2
    try:
        return args.handler(args) or 0
    except (CliError, ArchiveError, ProfileError) as exc:
        print(f"guifan: error: {exc}", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        print("guifan: interrupted", file=sys.stderr)
        return 130


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="guifan", description=__doc__)
    parser.add_argument("--version", action="version", version=f"guifan {__version__}")
    sub = parser.add_subparsers(title="commands", metavar="COMMAND")
    for add in (add_demo, add_crawl, add_parse, add_sites):
        add(sub)
    return parser


# -- demo -------------------------------------------------------------------------------

def add_demo(sub) -> None:
    p = sub.add_parser("demo", help="serve the bundled demo portal and crawl it into an archive")
    p.add_argument("--db", default="guifan-demo.db", help="archive file (default: ./guifan-demo.db)")
    p.add_argument("--day", type=int, default=1, choices=(1, 2, 3),
                   help="the demo portal's day: on day 2 documents change, one is repealed, one vanishes")
    add_crawl_options(p)
    p.set_defaults(handler=run_demo)


def run_demo(args) -> int:
    from demo_portal import DemoPortal

    profiles = [p for p in all_profiles().values() if p.demo]
    if not profiles:
        raise CliError("no demo site profiles found (crawler/sites/demo-*.toml)")
    check_writable(args.db)
    print(f"Serving the demo portal (day {args.day}) on 127.0.0.1 and crawling {len(profiles)} sites "
          f"into {args.db} …", file=sys.stderr)
    with DemoPortal(day=args.day) as portal:
        profiles = [p.with_base_url(portal.base_url(p.name)) for p in profiles]
        run_id = crawl_profiles(profiles, args)
    print_summary(args.db, run_id, demo=True)
    return 0


# -- crawl ------------------------------------------------------------------------------

def add_crawl(sub) -> None:
    p = sub.add_parser("crawl", help="crawl configured sites into the archive")
    p.add_argument("sites", nargs="+", metavar="SITE", help="site profile names (see `guifan sites`)")
    p.add_argument("--db", default="guifan.db", help="archive file (default: ./guifan.db)")
    p.add_argument("--base-url", action="append", default=[], metavar="[SITE=]URL",
                   help="serve a site from another address, e.g. a local mirror (repeatable)")
    add_crawl_options(p)
    p.set_defaults(handler=run_crawl)


def add_crawl_options(p) -> None:
    p.add_argument("-v", "--verbose", action="store_true", help="show Scrapy's log")
    p.add_argument("-s", "--set", action="append", default=[], metavar="NAME=VALUE",
                   help="override a Scrapy/guifan setting, e.g. -s DOWNLOAD_DELAY=2")


def run_crawl(args) -> int:
    profiles = get_profiles(args.sites)
    overrides = parse_pairs(args.base_url, "--base-url", default_key=args.sites[0] if len(args.sites) == 1 else None)
    unknown = set(overrides) - set(args.sites)
    if unknown:
        raise CliError(f"--base-url names a site not being crawled: {', '.join(sorted(unknown))}")
    profiles = [p.with_base_url(overrides[p.name]) if p.name in overrides else p for p in profiles]
    check_writable(args.db)
    run_id = crawl_profiles(profiles, args)
    status = print_summary(args.db, run_id)
    return 0 if status == "completed" else 1


def crawl_profiles(profiles, args) -> int:
    from crawler.runner import crawl

    settings = {"LOG_LEVEL": "INFO" if args.verbose else "WARNING", "GUIFAN_PROGRESS_INTERVAL": 5}
    settings.update(parse_pairs(args.set, "--set"))
    return crawl(profiles, args.db, **settings)


def parse_pairs(items: list[str], option: str, default_key: str | None = None) -> dict[str, str]:
    pairs = {}
    for item in items:
        key, sep, value = item.partition("=")
        if not sep and default_key and "://" in item:
            key, value = default_key, item
        elif not sep or not key or not value:
            raise CliError(f"{option} takes NAME=VALUE, got {item!r}")
        pairs[key] = value
    return pairs


def check_writable(db: str) -> None:
    from archive import Archive

    Archive(db).close()  # raises ArchiveError with the reason, before any crawling starts


# -- parse ------------------------------------------------------------------------------

def add_parse(sub) -> None:
    p = sub.add_parser("parse", help="extract saved pages to JSON, one line per file")
    p.add_argument("files", nargs="+", metavar="FILE")
    p.add_argument("--url", default="", help="the URL the page was served from (resolves links)")
    p.add_argument("--platform", default=None, help="optional platform hint, e.g. trs, hanweb")
    p.set_defaults(handler=run_parse)


def run_parse(args) -> int:
    from parsers import ParseError, extract
    from parsers.record import RECORD_FIELDS

    failures = 0
    hints = {"platform": args.platform} if args.platform else None
    for name in args.files:
        try:
            body = Path(name).read_bytes()
            doc = extract(body, args.url, None, hints).to_dict()
            line = {"path": name, **{f: doc[f] for f in RECORD_FIELDS}}
        except (OSError, ParseError) as exc:
            failures += 1
            message = exc.strerror if isinstance(exc, OSError) else str(exc)
            line = {"path": name, "error": message}
            print(f"guifan: error: {name}: {message}", file=sys.stderr)
        print(json.dumps(line, ensure_ascii=False), flush=True)
    return 1 if failures else 0


# -- sites ------------------------------------------------------------------------------

def add_sites(sub) -> None:
    p = sub.add_parser("sites", help="list the site profiles")
    p.set_defaults(handler=run_sites)


def run_sites(args) -> int:
    for profile in all_profiles().values():
        tag = " (demo)" if profile.demo else ""
        print(f"{profile.name:24} {profile.admin_code}  {profile.platform:8} {profile.name_zh}{tag}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
