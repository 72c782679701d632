"""guifan parse FILE...: extract saved pages, one JSON object per line per file."""
from __future__ import annotations

import json
import os
import stat
import sys
from pathlib import Path

from guifan.crawler.settings import DOWNLOAD_MAXSIZE


def add(sub) -> None:
    p = sub.add_parser("parse", help="extract saved pages to JSON, one line per file")
    p.add_argument("files", nargs="+", metavar="FILE")
    p.add_argument("--url", default="", help="the URL the page was served from (resolves links)")
    p.add_argument("--platform", default=None, help="optional platform hint, e.g. trs, hanweb")
    p.add_argument("--format", choices=("jsonl", "json"), default="jsonl",
                   help="jsonl (default): one object per line as each file is done; json: one array at the end")
    p.add_argument("--max-size", type=int, default=DOWNLOAD_MAXSIZE, metavar="BYTES",
                   help=f"larger inputs get a too_large error line, as the crawler refuses them "
                        f"(default {DOWNLOAD_MAXSIZE}, the crawler's DOWNLOAD_MAXSIZE)")
    p.set_defaults(handler=run)


def run(args) -> int:
    failures, lines = 0, []
    hints = {"platform": args.platform} if args.platform else None
    for name in args.files:
        line = parse_one(name, args.url, hints, args.max_size)
        if "error" in line:
            failures += 1
            print(f"guifan: error: {name}: {line['error']}", file=sys.stderr)
        if args.format == "jsonl":
            print(json.dumps(line, ensure_ascii=False), flush=True)
        else:
            lines.append(line)
    if args.format == "json":
        print(json.dumps(lines, ensure_ascii=False, indent=2))
    return 1 if failures else 0


def parse_one(name: str, url: str, hints, max_size: int = DOWNLOAD_MAXSIZE) -> dict:
    """The record for one file, or {path, error}: batch evaluation never loses its place."""
    from guifan.parsers import ParseError, extract
    from guifan.parsers.record import RECORD_FIELDS

    try:
        doc = extract(read_bounded(Path(name), max_size), url, None, hints).to_dict()
    except TooLarge as exc:
        return {"path": name, "error": str(exc)}
    except OSError as exc:
        return {"path": name, "error": exc.strerror or str(exc)}
    except ParseError as exc:
        return {"path": name, "error": str(exc)}
    return {"path": name, **{f: doc[f] for f in RECORD_FIELDS}}


class TooLarge(Exception):
    pass


def read_bounded(path: Path, limit: int) -> bytes:
    """The file's bytes, never more than `limit` of them in memory (/dev/zero, a 3 GB file)."""
    with open(path, "rb") as f:
        info = os.fstat(f.fileno())
        if stat.S_ISREG(info.st_mode) and info.st_size > limit:
            raise TooLarge(_too_large(limit, info.st_size))
        data = f.read(limit + 1)
    if len(data) > limit:
        raise TooLarge(_too_large(limit))
    return data


def _too_large(limit: int, size: int | None = None) -> str:
    what = f"{size} bytes, over" if size is not None else "over"
    return f"too_large: {what} the limit of {limit} bytes (the crawler's DOWNLOAD_MAXSIZE; --max-size sets another)"
