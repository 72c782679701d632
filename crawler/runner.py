"""Run crawls of site profiles in this process and record the run in the archive."""
from __future__ import annotations

import json
import logging
import os
import shutil
import warnings
from pathlib import Path

from scrapy.crawler import CrawlerProcess
from scrapy.exceptions import ScrapyDeprecationWarning
from scrapy.settings import Settings

from guifan.archive import Archive
from guifan.archive.store import ArchiveError, pid_alive
from guifan.crawler.profiles import SiteProfile
from guifan.crawler.spiders.portal import PortalSpider
from guifan import __version__

RUN_FILE = "guifan-run.json"


def project_settings(**overrides) -> Settings:
    settings = Settings()
    settings.setmodule("guifan.crawler.settings", priority="project")
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
    """Crawl every profile in one Scrapy process as one run; return the run id.

    With JOBDIR set, each site keeps its Scrapy state in JOBDIR/SITE and the run id in
    JOBDIR/guifan-run.json, so that the same command after an interruption resumes the
    same run; a completed run clears that state.
    """
    jobdir = Path(overrides.pop("JOBDIR")) if overrides.get("JOBDIR") else None
    with Archive(db) as archive:
        for profile in profiles:
            archive.upsert_site(profile.to_dict())
        run_id = resumable_run(archive, jobdir, db) if jobdir else None
        if run_id is None:
            run_id = archive.start_run([p.name for p in profiles], __version__)
    if jobdir:
        remember_run(jobdir, db, run_id)
    quiet_library_noise()
    settings = project_settings(GUIFAN_DB=str(db), GUIFAN_RUN_ID=run_id, **overrides)
    process = CrawlerProcess(settings)
    crawlers = []
    for profile in profiles:
        crawler = process.create_crawler(PortalSpider)
        if jobdir:  # one per site: Scrapy's request queue and seen-set must not be shared by spiders
            crawler.settings.set("JOBDIR", str(jobdir / profile.name), priority="cmdline")
        crawlers.append(crawler)
        process.crawl(crawler, profile=profile)
    lock_wait = settings.getfloat("GUIFAN_LOCK_WAIT")
    try:
        process.start()
    finally:
        status = end_run(db, run_id, crawlers, lock_wait)
        # A failed run is not resumed: its Scrapy state would skip pages it fetched but never wrote.
        if jobdir and status in ("completed", "failed"):
            forget_jobdir(jobdir, [p.name for p in profiles])
    return run_id


# --- archive write failures (issue 17) -----------------------------------------------
def end_run(db, run_id: int, crawlers, lock_wait: float) -> str:
    """finish_run, and if even that cannot be written (the disk is still full), say so."""
    try:
        with Archive(db, lock_wait=lock_wait) as archive:
            return finish_run(archive, run_id, crawlers)
    except ArchiveError as exc:
        why = write_error(crawlers)
        raise ArchiveError(f"run {run_id} failed: {why[1] if why else exc}; it could not be marked so in the "
                           f"archive ({exc}); the next run will record it as interrupted") from None


def write_error(crawlers) -> tuple[str, str] | None:
    """(exception name, message) of the first archive write that failed in these crawlers."""
    from guifan.crawler.writer import ARCHIVE_ERROR, ARCHIVE_ERROR_KIND

    for c in crawlers:
        if c.stats and c.stats.get_value(ARCHIVE_ERROR):
            return c.stats.get_value(ARCHIVE_ERROR_KIND) or "", c.stats.get_value(ARCHIVE_ERROR)
    return None
# ---------------------------------------------------------------------------------------


def resumable_run(archive: Archive, jobdir: Path, db: str | Path) -> int | None:
    """The interrupted run recorded in `jobdir`, reopened; None when there is nothing to resume."""
    try:
        saved = json.loads((jobdir / RUN_FILE).read_text())
    except (OSError, ValueError):
        return None
    if Path(saved.get("db", "")).resolve() != Path(db).resolve():
        return None
    run_id = saved.get("run_id")
    row = archive.conn.execute("SELECT status, pid FROM runs WHERE run_id = ?", (run_id,)).fetchone()
    if row is None or row["status"] in ("completed", "failed"):
        return None
    if row["status"] == "running" and row["pid"] != os.getpid() and pid_alive(row["pid"]):
        raise ArchiveError(f"run {run_id} of {jobdir} is still running (process {row['pid']})")
    with archive.transaction() as c:
        c.execute("UPDATE runs SET status='running', reason=NULL, finished_at=NULL, pid=? WHERE run_id=?",
                  (os.getpid(), run_id))
    return run_id


def remember_run(jobdir: Path, db: str | Path, run_id: int) -> None:
    jobdir.mkdir(parents=True, exist_ok=True)
    (jobdir / RUN_FILE).write_text(json.dumps({"db": str(Path(db).resolve()), "run_id": run_id}))


def forget_jobdir(jobdir: Path, sites: list[str]) -> None:
    """A completed job leaves nothing to resume: Scrapy's seen-set would filter the next crawl."""
    for site in sites:
        shutil.rmtree(jobdir / site, ignore_errors=True)
    (jobdir / RUN_FILE).unlink(missing_ok=True)


def finish_run(archive: Archive, run_id: int, crawlers) -> str:
    """Close a run from its crawlers' finish reasons; return the status recorded."""
    reasons = [c.stats.get_value("finish_reason") for c in crawlers if c.stats]
    after = crawlers[0].settings.getint("GUIFAN_GONE_AFTER_RUNS") if crawlers else 0
    return close_run(archive, run_id, reasons, after, write_error(crawlers))


def close_run(archive: Archive, run_id: int, reasons: list, gone_after: int,
              write_failed: tuple[str, str] | None = None) -> str:
    """A run that fetched nothing failed; one stopped by a signal was interrupted.

    One whose fetches could not be written failed (it retires nothing: what it did not
    write says nothing about the site); one that gave up waiting for the lock was interrupted.
    """
    summary = archive.run_summary(run_id)
    if write_failed:
        status = "interrupted" if write_failed[0] == "ArchiveLocked" else "failed"
        why = write_failed[1]
    elif any(r not in (None, "finished") for r in reasons):
        status, why = "interrupted", f"crawl stopped early: {', '.join(map(str, reasons))}"
    elif summary["pages_fetched"] == 0:
        failures = ", ".join(f"{k} ×{v}" for k, v in summary["failures"].items()) or "no request was made"
        status, why = "failed", f"nothing could be fetched ({failures})"
    else:
        for site in summary["sites"]:
            if gone_after > 0:
                archive.retire_unlisted(run_id, site, gone_after)
        status, why = "completed", None
    archive.finish_run(run_id, status, why)
    return status


def work(profiles: list[SiteProfile], redis_url: str, **overrides) -> list:
    """Crawl as one of the distributed workers of each site's current run; return finish reasons.

    Nothing is written here: items go to Redis for `guifan ingest` (crawler/distributed.py).
    """
    from guifan.crawler.distributed import worker_settings
    from guifan.crawler.spiders.redis_portal import RedisPortalSpider

    quiet_library_noise()
    process = CrawlerProcess(project_settings(**{**worker_settings(redis_url), **overrides}))
    crawlers = []
    for profile in profiles:
        crawler = process.create_crawler(RedisPortalSpider)
        crawlers.append(crawler)
        process.crawl(crawler, profile=profile)
    process.start()
    return [c.stats.get_value("finish_reason") for c in crawlers if c.stats]
