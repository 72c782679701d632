"""Run crawls of site profiles in this process and record the run in the archive."""
from __future__ import annotations

import logging
import warnings
from pathlib import Path

from scrapy.crawler import CrawlerProcess
from scrapy.exceptions import ScrapyDeprecationWarning
from scrapy.settings import Settings

from archive import Archive
from crawler.profiles import SiteProfile
from crawler.spiders.portal import PortalSpider
from guifan import __version__


def project_settings(**overrides) -> Settings:
    settings = Settings()
    settings.setmodule("crawler.settings", priority="project")
    settings.update(overrides, priority="cmdline")
    return settings


class OneLineErrors(logging.Filter):
    """An unreachable robots.txt is an expected event: one warning line, not a traceback."""

    def filter(self, record: logging.LogRecord) -> bool:
        if record.exc_info:
            record.msg, record.args = f"{record.getMessage()} (continuing without robots.txt)", ()
            record.exc_info, record.exc_text = None, None
            record.levelno, record.levelname = logging.WARNING, "WARNING"
        return True


def quiet_library_noise() -> None:
    logging.getLogger("scrapy.downloadermiddlewares.robotstxt").addFilter(OneLineErrors())
    warnings.filterwarnings("ignore", category=ScrapyDeprecationWarning)


def crawl(profiles: list[SiteProfile], db: str | Path, **overrides) -> int:
    """Crawl every profile in one Scrapy process as one run; return the run id."""
    with Archive(db) as archive:
        for profile in profiles:
            archive.upsert_site(profile.to_dict())
        run_id = archive.start_run([p.name for p in profiles], __version__)
    quiet_library_noise()
    settings = project_settings(GUIFAN_DB=str(db), GUIFAN_RUN_ID=run_id, **overrides)
    process = CrawlerProcess(settings)
    crawlers = []
    for profile in profiles:
        crawler = process.create_crawler(PortalSpider)
        crawlers.append(crawler)
        process.crawl(crawler, profile=profile)
    try:
        process.start()
    finally:
        with Archive(db) as archive:
            finish_run(archive, run_id, crawlers)
    return run_id


def finish_run(archive: Archive, run_id: int, crawlers) -> None:
    """A run that fetched nothing failed; one stopped by a signal was interrupted."""
    reasons = [c.stats.get_value("finish_reason") for c in crawlers if c.stats]
    summary = archive.run_summary(run_id)
    if any(r not in (None, "finished") for r in reasons):
        archive.finish_run(run_id, "interrupted", f"crawl stopped early: {', '.join(map(str, reasons))}")
    elif summary["pages_fetched"] == 0:
        why = ", ".join(f"{k} ×{v}" for k, v in summary["failures"].items()) or "no request was made"
        archive.finish_run(run_id, "failed", f"nothing could be fetched ({why})")
    else:
        after = crawlers[0].settings.getint("GUIFAN_GONE_AFTER_RUNS") if crawlers else 0
        for site in summary["sites"]:
            if after > 0:
                archive.retire_unlisted(run_id, site, after)
        archive.finish_run(run_id, "completed")
