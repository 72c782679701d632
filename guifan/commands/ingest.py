"""guifan ingest --redis URL --db PATH: write what distributed workers fetched into the archive.

The only writer of the SQLite archive in distributed mode: it opens a run when a site's
crawl starts, records every fetch in order, and closes the run when the workers are done.
"""
from __future__ import annotations

import redis

from guifan.archive import open_archive
from guifan.crawler.distributed import Ingester, connect
from guifan.commands.common import add_db_option
from guifan.errors import CliError


def add(sub) -> None:
    p = sub.add_parser("ingest", help="write items from distributed workers (Redis) into the archive")
    p.add_argument("--redis", required=True, metavar="URL", help="the workers' Redis, e.g. redis://host:6379/0")
    add_db_option(p)
    p.add_argument("--runs", type=int, metavar="N", help="exit after N runs have finished")
    p.add_argument("--idle-exit", type=float, metavar="SECONDS", help="exit after this long without messages")
    p.add_argument("--gone-after", type=int, default=3,
                   help="tombstone documents no list showed in this many runs (default 3; 0: never)")
    p.set_defaults(handler=run)


def run(args) -> int:
    server = connect(args.redis)
    try:
        server.ping()
    except redis.RedisError as exc:
        raise CliError(f"cannot reach Redis at {args.redis}: {exc}") from None
    with open_archive(args.db, "write") as archive:
        ingester = Ingester(server, archive, args.gone_after, say=lambda text: print(text, flush=True))
        enough = (lambda i: len(i.finished) >= args.runs) if args.runs else (lambda i: False)
        ingester.serve(until=enough, idle_exit=args.idle_exit)
    print(f"ingested {ingester.handled} messages; runs finished: {', '.join(map(str, ingester.finished)) or 'none'}")
    return 0
