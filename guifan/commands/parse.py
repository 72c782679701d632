"""guifan parse FILE...: extract saved pages, one JSON object per line per file.

A file that is an attachment (PDF, DOC/DOCX, WPS, ET, XLS/XLSX, OFD, RTF, ZIP, PNG/JPEG/TIFF:
known by its bytes) gives {path, kind, status, flags, text, …} instead of a page record.
`guifan parse --list FILE...` reads saved home, column or list pages as a crawl would (see
crawler/platforms/inspect.py): document links, next pages, columns, hints, sniffed platform."""
from __future__ import annotations

import json
import os
import stat
import sys
from pathlib import Path

from guifan.errors import CliError


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
    p.add_argument("--format", choices=("jsonl", "json"), default="jsonl",
                   help="jsonl (default): one object per line as each file is done; json: one array at the end")
    p.add_argument("--ocr", dest="ocr", action="store_true", default=True,
                   help="read scanned PDFs and images with Tesseract (the default)")
    p.add_argument("--no-ocr", dest="ocr", action="store_false", help="do not OCR scanned attachments")
    p.add_argument("-j", "--jobs", type=int, default=0,
                   help="parse in this many processes (default: one per CPU when there are many files); "
                        "output keeps the order of the files")
    p.add_argument("--max-size", type=int, default=None, metavar="BYTES",
                   help="larger inputs get a too_large error line, as the crawler refuses them "
                        "(default: the crawler's DOWNLOAD_MAXSIZE, 64 MiB)")
    p.set_defaults(handler=run)


def run(args) -> int:
    failures, lines = 0, []
    hints = {"platform": args.platform} if args.platform else None
    if not args.ocr:
        hints = {**(hints or {}), "ocr": False}
    if args.max_size is None:
        from guifan.crawler.limits import DOWNLOAD_MAXSIZE  # one limit for the crawler and for parse

        args.max_size = DOWNLOAD_MAXSIZE
    lines_of = (list_one(name, args.url, args.platform or "auto", args.max_size) for name in args.files) \
        if args.list else parsed(args.files, args.url, hints, jobs(args), args.max_size)
    for line in lines_of:
        name = line["path"]
        if "error" in line or line.get("status") == "error":
            failures += 1
            print(f"guifan: error: {name}: {line.get('error') or line.get('reason')}", file=sys.stderr)
        if args.format == "jsonl":
            print(json.dumps(line, ensure_ascii=False), flush=True)
        else:
            lines.append(line)
    if args.format == "json":
        print(json.dumps(lines, ensure_ascii=False, indent=2))
    return 1 if failures else 0


# Below this many files a second process costs more than it saves (start-up is ~0.15 s).
MANY_FILES = 24


def jobs(args) -> int:
    if args.jobs < 0:
        raise CliError("--jobs must be 0 (automatic) or more")
    if args.jobs:
        return args.jobs
    return min(os.cpu_count() or 1, 8) if len(args.files) >= MANY_FILES else 1


def parsed(files: list[str], url: str, hints, processes: int, max_size: int):
    """Each file's line, in the order given; in worker processes when asked."""
    if processes <= 1:
        yield from (parse_one(name, url, hints, max_size) for name in files)
        return
    import multiprocessing
    from functools import partial

    import gc

    import guifan.parsers  # noqa: F401  -- loaded once here, inherited by the forked workers
    from guifan.parsers.file_kind import sniff_kind  # noqa: F401  -- likewise

    # The workers' garbage collector would touch (and so copy) every object inherited from this
    # process; frozen, the inherited heap stays shared.
    gc.freeze()
    with multiprocessing.get_context("fork").Pool(processes) as pool:
        yield from pool.imap(partial(parse_one, url=url, hints=hints, max_size=max_size), files, chunksize=4)


def parse_one(name: str, url: str, hints, max_size: int | None = None) -> dict:
    """The record for one file, or {path, error}: batch evaluation never loses its place."""
    from guifan.parsers import ParseError, extract
    from guifan.parsers.file_kind import sniff_kind
    from guifan.parsers.record import RECORD_FIELDS

    try:
        data = read_bounded(Path(name), max_size)
        if sniff_kind(data[:65536] if len(data) > 65536 else data, name) not in PAGE_KINDS:
            return parse_attachment(name, data, hints)
        page_hints = {k: v for k, v in (hints or {}).items() if k != "ocr"} or None
        doc = extract(data, url, None, page_hints).to_dict()
    except TooLarge as exc:
        return {"path": name, "error": str(exc)}
    except OSError as exc:
        return {"path": name, "error": exc.strerror or str(exc)}
    except ParseError as exc:
        return {"path": name, "error": str(exc)}
    return {"path": name, **{f: doc[f] for f in RECORD_FIELDS}}


# What sniff_kind calls a saved page (HTML is "unknown" to it; .txt may be a page too).
PAGE_KINDS = ("unknown", "txt")
ATTACHMENT_FIELDS = ("kind", "status", "flags", "text", "pages", "reason", "extractor", "confidence",
                     "page_confidence")


def parse_attachment(name: str, data: bytes, hints) -> dict:
    """{path, kind, status, flags, text, …} of an attachment file, read with this process's tools
    (one LibreOffice for the whole batch, started on the first file that needs it)."""
    from guifan.crawler.helpers import attachment_tools
    from guifan.parsers.attachment_text import extract_attachment_text

    ocr = (hints or {}).get("ocr", True)
    tools = attachment_tools({"office": True, "ocr": {} if ocr else None})
    got = extract_attachment_text(data, Path(name).name, "", tools).to_dict()
    got["flags"] = list(got["flags"])
    got["page_confidence"] = [list(p) for p in got["page_confidence"]]
    line = {"path": name, **{f: got[f] for f in ATTACHMENT_FIELDS}}
    if got["status"] == "error":   # damaged, encrypted, over a limit: the batch contract's error line
        line["error"] = got["reason"]
    return line


def list_one(name: str, url: str, platform: str, max_size: int | None = None) -> dict:
    """What the adapter reads from one saved list page, or {path, error}."""
    from guifan.crawler.platforms import PLATFORMS
    from guifan.crawler.platforms.inspect import inspect_list

    if platform != "auto" and platform not in PLATFORMS:
        return {"path": name, "error": f"unknown platform {platform!r}; known: auto, {', '.join(PLATFORMS)}"}
    try:
        body = read_bounded(Path(name), max_size)
    except TooLarge as exc:
        return {"path": name, "error": str(exc)}
    except OSError as exc:
        return {"path": name, "error": exc.strerror or str(exc)}
    return {"path": name, **inspect_list(body, url, platform)}


class TooLarge(Exception):
    pass


def read_bounded(path: Path, limit: int | None) -> bytes:
    """The file's bytes, never more than `limit` of them in memory (/dev/zero, a 3 GB file)."""
    if limit is None:
        from guifan.crawler.limits import DOWNLOAD_MAXSIZE

        limit = DOWNLOAD_MAXSIZE
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
