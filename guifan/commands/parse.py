"""guifan parse FILE...: extract saved pages, one JSON object per line per file."""
from __future__ import annotations

import json
import sys
from pathlib import Path


def add(sub) -> None:
    p = sub.add_parser("parse", help="extract saved pages to JSON, one line per file")
    p.add_argument("files", nargs="+", metavar="FILE")
    p.add_argument("--url", default="", help="the URL the page was served from (resolves links)")
    p.add_argument("--platform", default=None, help="optional platform hint, e.g. trs, hanweb")
    p.add_argument("--format", choices=("jsonl", "json"), default="jsonl",
                   help="jsonl (default): one object per line as each file is done; json: one array at the end")
    p.set_defaults(handler=run)


def run(args) -> int:
    failures, lines = 0, []
    hints = {"platform": args.platform} if args.platform else None
    for name in args.files:
        line = parse_one(name, args.url, hints)
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
