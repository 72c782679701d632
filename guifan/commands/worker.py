"""guifan worker --redis URL SITE...: crawl as one of many workers sharing a Redis queue.

Start it on as many machines as you like, with the same sites; the first creates each
site's run, the others join it, and each exits when the run is done. Items go to Redis,
to be written by `guifan ingest`, the only writer of the archive.
"""
from __future__ import annotations

from guifan.crawler.registry.catalog import get_profiles
from guifan.commands.crawl import add_crawl_options, parse_pairs
from guifan.errors import CliError


def add(sub) -> None:
    p = sub.add_parser("worker", help="crawl as a distributed worker (scrapy-redis); see `guifan ingest`")
    p.add_argument("sites", nargs="+", metavar="SITE", help="site profile names")
    p.add_argument("--redis", required=True, metavar="URL", help="Redis shared by the workers, e.g. redis://host:6379/0")
    p.add_argument("--base-url", action="append", default=[], metavar="[SITE=]URL",
                   help="serve a site from another address (repeatable)")
    add_crawl_options(p)
    p.set_defaults(handler=run)


def run(args) -> int:
    from guifan.crawler.runner import work

    profiles = get_profiles(args.sites)
    overrides = parse_pairs(args.base_url, "--base-url", default_key=args.sites[0] if len(args.sites) == 1 else None)
    profiles = [p.with_base_url(overrides[p.name]) if p.name in overrides else p for p in profiles]
    settings = {"LOG_LEVEL": "INFO" if args.verbose else "WARNING", "GUIFAN_PROGRESS_INTERVAL": 5}
    settings.update(parse_pairs(args.set, "--set"))
    reasons = work(profiles, args.redis, **settings)
    stopped = [r for r in reasons if r != "finished"]
    if stopped:
        raise CliError(f"worker stopped early: {', '.join(map(str, stopped))}")
    return 0
