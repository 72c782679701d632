"""guifan crawl SITE...: crawl configured sites into the archive."""
from __future__ import annotations

from guifan.crawler.profiles import get_profiles
from guifan.commands.common import add_db_option
from guifan.errors import CliError
from guifan.summary import print_summary


def add(sub) -> None:
    p = sub.add_parser("crawl", help="crawl configured sites into the archive")
    p.add_argument("sites", nargs="+", metavar="SITE", help="site profile names (see `guifan sites`)")
    add_db_option(p)
    p.add_argument("--base-url", action="append", default=[], metavar="[SITE=]URL",
                   help="serve a site from another address, e.g. a local mirror (repeatable)")
    add_crawl_options(p)
    p.set_defaults(handler=run)


def add_crawl_options(p) -> None:
    p.add_argument("-v", "--verbose", action="store_true", help="show Scrapy's log")
    p.add_argument("-s", "--set", action="append", default=[], metavar="NAME=VALUE",
                   help="override a Scrapy/guifan setting, e.g. -s DOWNLOAD_DELAY=2")
    p.add_argument("--render", action="store_true",
                   help="open pages behind JavaScript challenges once in the system Chromium "
                        "(needs scrapy-playwright and /usr/bin/chromium)")
    p.add_argument("--ocr", dest="ocr", action="store_true", default=None,
                   help="read scanned attachments (image-only PDF pages, PNG/JPEG/TIFF) with Tesseract "
                        "(the default: GUIFAN_OCR)")
    p.add_argument("--no-ocr", dest="ocr", action="store_false",
                   help="do not OCR: scanned attachments keep status no_text and the flag scanned_pdf")


def run(args) -> int:
    profiles = get_profiles(args.sites)
    default_site = args.sites[0] if len(args.sites) == 1 else None
    overrides = parse_pairs(args.base_url, "--base-url", default_key=default_site)
    unknown = set(overrides) - set(args.sites)
    if unknown:
        raise CliError(f"--base-url names a site not being crawled: {', '.join(sorted(unknown))}")
    profiles = [p.with_base_url(overrides[p.name]) if p.name in overrides else p for p in profiles]
    check_writable(args.db)
    run_id = crawl_profiles(profiles, args)
    status, reason = print_summary(args.db, run_id)
    if status != "completed":
        raise CliError(f"run {run_id} {status}: {reason}")
    return 0


def crawl_profiles(profiles, args) -> int:
    from guifan.crawler.runner import crawl

    settings = {"LOG_LEVEL": "INFO" if args.verbose else "WARNING", "GUIFAN_PROGRESS_INTERVAL": 5}
    if getattr(args, "render", False):
        settings.update(render_settings_or_error())
    if getattr(args, "ocr", None) is not None:
        settings["GUIFAN_OCR"] = args.ocr
    settings.update(parse_pairs(args.set, "--set"))
    return crawl(profiles, args.db, **settings)


def render_settings_or_error() -> dict:
    from guifan.crawler.render import RenderUnavailable, render_settings

    try:
        return render_settings()
    except RenderUnavailable as exc:
        raise CliError(str(exc)) from None


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
    from guifan.archive import open_archive

    open_archive(db, "write").close()  # raises ArchiveError with the reason, before any crawling starts
