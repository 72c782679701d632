"""guifan parse FILE...: extract saved pages, one JSON object per line per file.

`guifan parse --list FILE...` reads saved home, column or list pages as a crawl would (see
crawler/platforms/inspect.py): document links, next pages, columns, hints, sniffed platform."""
from __future__ import annotations

import json
import sys
from pathlib import Path


def add(sub) -> None:
    p = sub.add_parser("parse", help="extract saved pages to JSON, one line per file")
    p.add_argument("files", nargs="+", metavar="FILE")
    p.add_argument("--url", default="", help="the URL the page was served from (resolves links)")
    p.add_argument("--platform", default=None,
                   help="optional platform hint, e.g. trs, hanweb; with --list: the adapter, or auto "
                        "(the default: sniffed from the page)")
    p.add_argument("--list", action="store_true",
                   help="read each file as a home, column or list page: document links, next pages or list "
                        "requests, columns, per-document hints and the sniffed platform")
    p.set_defaults(handler=run)


def run(args) -> int:
    failures = 0
    hints = {"platform": args.platform} if args.platform else None
    for name in args.files:
        line = list_one(name, args.url, args.platform or "auto") if args.list else parse_one(name, args.url, hints)
        if "error" in line:
            failures += 1
            print(f"guifan: error: {name}: {line['error']}", file=sys.stderr)
        print(json.dumps(line, ensure_ascii=False), flush=True)
    return 1 if failures else 0


def parse_one(name: str, url: str, hints) -> dict:
    """The record for one file, or {path, error}: batch evaluation never loses its place."""
    from guifan.parsers import ParseError, extract
    from guifan.parsers.record import RECORD_FIELDS

    try:
        doc = extract(Path(name).read_bytes(), url, None, hints).to_dict()
    except OSError as exc:
        return {"path": name, "error": exc.strerror or str(exc)}
    except ParseError as exc:
        return {"path": name, "error": str(exc)}
    return {"path": name, **{f: doc[f] for f in RECORD_FIELDS}}


def list_one(name: str, url: str, platform: str) -> dict:
    """What the adapter reads from one saved list page, or {path, error}."""
    from guifan.crawler.platforms import PLATFORMS
    from guifan.crawler.platforms.inspect import inspect_list

    if platform != "auto" and platform not in PLATFORMS:
        return {"path": name, "error": f"unknown platform {platform!r}; known: auto, {', '.join(PLATFORMS)}"}
    try:
        body = Path(name).read_bytes()
    except OSError as exc:
        return {"path": name, "error": exc.strerror or str(exc)}
    return {"path": name, **inspect_list(body, url, platform)}
