"""guifan crawl SITE...: crawl configured sites into the archive."""
from __future__ import annotations

from guifan.commands.sites import add_selection_options, selected_sites, selecting
from guifan.crawler.registry.catalog import get_profiles
from guifan.commands.common import add_db_option
from guifan.errors import CliError
from guifan.summary import print_summary

MANY_SITES = 20


def add(sub) -> None:
    p = sub.add_parser("crawl", help="crawl configured sites into the archive",
                       description="Crawl the named sites, or every site a selection picks "
                                   "(guifan crawl --region 安徽省), into the archive.")
    p.add_argument("sites", nargs="*", metavar="SITE",
                   help="site names or 6-digit codes (see `guifan sites`); or select with --region …")
    add_selection_options(p)
    p.add_argument("--sites-dir", metavar="DIR",
                   help="read site profiles from DIR instead of the registry (alone: crawl every profile in DIR), "
                        "e.g. those of `python -m guifan.demo_portal --nation N --write-profiles DIR`")
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
    profiles = chosen_profiles(args)
    names = [p.name for p in profiles]
    default_site = names[0] if len(names) == 1 else None
    overrides = parse_pairs(args.base_url, "--base-url", default_key=default_site)
    unknown = set(overrides) - set(names)
    if unknown:
        raise CliError(f"--base-url names a site not being crawled: {', '.join(sorted(unknown))}")
    profiles = [p.with_base_url(overrides[p.name]) if p.name in overrides else p for p in profiles]
    settings = crawl_settings(args)  # every argument checked before the archive is touched
    check_writable(args.db)
    run_id = crawl_profiles(profiles, args, settings)
    status, reason = print_summary(args.db, run_id)
    if status == "completed":
        from guifan.commands.validity import after_crawl

        after_crawl(args.db)
    if status != "completed":
        raise CliError(f"run {run_id} {status}: {reason}")
    return 0


def chosen_profiles(args) -> list:
    """The named sites and the selected ones, in that order, each once; units with no known
    portal are left out, and said so."""
    if getattr(args, "sites_dir", None):
        return profiles_from_dir(args)
    if not (args.sites or selecting(args)):
        raise CliError("name the sites to crawl, or select them: --region 安徽省, --platform NAME, --has-column")
    profiles = get_profiles(args.sites) if args.sites else []
    if selecting(args):
        profiles += [p for p in selected_sites(args) if p.name not in {q.name for q in profiles}]
    if not profiles:
        raise CliError("no site to crawl: no site matches the selection")
    crawlable = [p for p in profiles if p.start_urls]
    if len(crawlable) < len(profiles):
        left = [p.name for p in profiles if not p.start_urls]
        print(f"leaving out {len(left)} without a known portal: {', '.join(left)}")
    if not crawlable:
        raise CliError("no site to crawl: the selection has no site with a known portal")
    if len(crawlable) > MANY_SITES:
        from guifan.crawler.registry.catalog import has_column

        columns = sum(map(has_column, crawlable))
        print(f"crawling {len(crawlable)} sites ({columns} from a known column, the others from their home page), "
              f"politely: one request at a time per host, with the configured delay between them")
    return crawlable


def profiles_from_dir(args) -> list:
    """The named profiles of --sites-dir, or all of them."""
    from pathlib import Path

    from guifan.crawler.profiles import all_profiles

    where = Path(args.sites_dir)
    if not where.is_dir():
        raise CliError(f"--sites-dir {where}: not a directory")
    if selecting(args):
        raise CliError("--sites-dir takes site names (or none: every profile there), not --region/--platform")
    if not args.sites:
        return list(all_profiles(where).values()) or _none_in(where)
    return get_profiles(args.sites, sites_dir=where)


def _none_in(where) -> list:
    raise CliError(f"no site profile (*.toml) in {where}")


def crawl_profiles(profiles, args, settings: dict | None = None) -> int:
    from guifan.crawler.runner import crawl

    return crawl(profiles, args.db, **(settings if settings is not None else crawl_settings(args)))


def crawl_settings(args) -> dict:
    settings = {"LOG_LEVEL": "INFO" if args.verbose else "WARNING", "GUIFAN_PROGRESS_INTERVAL": 5}
    if getattr(args, "render", False):
        settings.update(render_settings_or_error())
    if getattr(args, "ocr", None) is not None:
        settings["GUIFAN_OCR"] = args.ocr
    settings.update(parse_pairs(args.set, "--set"))
    return settings


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
    """Raises ArchiveError with the reason before any crawling starts; creates no file."""
    from guifan.archive.store import check_writable as check

    check(db)
