"""guifan demo: serve the bundled demo portal and crawl every demo site."""
from __future__ import annotations

import sys
from urllib.parse import urlsplit

from guifan.crawler.profiles import all_profiles
from guifan.commands.crawl import add_crawl_options, check_writable, crawl_profiles, crawl_settings
from guifan.commands.common import add_db_option
from guifan.errors import CliError
from guifan.summary import print_summary


def add(sub) -> None:
    p = sub.add_parser("demo", help="serve the bundled demo portal and crawl it into an archive")
    add_db_option(p, default="guifan-demo.db")
    p.add_argument("--day", type=int, default=1, choices=(1, 2, 3),
                   help="the demo portal's day: on day 2 documents change, one is repealed, one vanishes")
    p.add_argument("--free-ports", action="store_true",
                   help="serve on any free ports instead of the profiles' fixed ones (documents then get "
                        "other URLs, so don't mix such runs with earlier ones in one archive)")
    add_crawl_options(p)
    p.set_defaults(handler=run)


def run(args) -> int:
    from guifan.demo_portal import DemoPortal

    profiles = [p for p in all_profiles().values() if p.demo and not p.demo_group]
    if not profiles:
        raise CliError("no demo site profiles found (crawler/sites/demo-*.toml)")
    settings = crawl_settings(args)  # every argument checked before the archive is touched
    check_writable(args.db)
    print(f"Serving the demo portal (day {args.day}) on 127.0.0.1 and crawling {len(profiles)} sites "
          f"into {args.db} …", file=sys.stderr)
    # Fixed ports keep URLs, and so document ids, the same from one demo day to the next.
    ports = {} if args.free_ports else {p.name: urlsplit(p.base_url).port for p in profiles}
    try:
        portal = DemoPortal(day=args.day, ports=ports).start()
    except OSError as exc:
        raise CliError(f"cannot serve the demo portal on ports {sorted(ports.values())}: {exc.strerror}; "
                       "is another demo running? (or use --free-ports)") from None
    with portal:
        profiles = [p.with_base_url(portal.base_url(p.name)) for p in profiles]
        run_id = crawl_profiles(profiles, args, settings)
    status, reason = print_summary(args.db, run_id, demo=True)
    if status == "completed":
        from guifan.commands.validity import after_crawl

        after_crawl(args.db)
    if status != "completed":
        raise CliError(f"run {run_id} {status}: {reason}")
    return 0
