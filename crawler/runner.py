"""Run crawls of site profiles in this process and record the run in the archive."""
from __future__ import annotations

import hashlib
import json
import logging
import shutil
import sys
import warnings
from pathlib import Path

from scrapy.crawler import CrawlerProcess
from scrapy.exceptions import ScrapyDeprecationWarning
from scrapy.settings import SETTINGS_PRIORITIES, Settings

from guifan.archive import ArchiveError, open_archive
from guifan.archive.runs import open_run, reopen_run, was_killed
from guifan.crawler.pipelines import finish_run, write_error
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
    with open_archive(db, "write") as archive:
        run_id, killed = resumable_run(archive, jobdir, db) if jobdir else (None, False)
        if run_id is None:
            run_id = open_run(archive, [p.to_dict() for p in profiles], __version__, exclusive=True)
        else:
            for profile in profiles:
                archive.upsert_site(profile.to_dict())
            overrides["GUIFAN_RESUMED"] = True   # the spiders skip the pages this run has recorded
    if jobdir:
        if killed:
            forget_scrapy_state(jobdir, [p.name for p in profiles])
        remember_run(jobdir, db, run_id)
    quiet_library_noise()
    settings = project_settings(GUIFAN_DB=str(db), GUIFAN_RUN_ID=run_id, **overrides)
    process = CrawlerProcess(settings)
    crawlers = []
    groups = crawler_groups(profiles, settings)
    for group in groups:
        crawler = process.create_crawler(PortalSpider)
        if jobdir:  # one per crawler: Scrapy's request queue and seen-set must not be shared by spiders
            crawler.settings.set("JOBDIR", str(jobdir / state_dir(group)), priority="cmdline")
        if len(group) > 1:
            many_sites(crawler.settings, len(group))
        crawlers.append(crawler)
        process.crawl(crawler, profiles=group)
    reserve = reserve_space(db)
    try:
        process.start()
    finally:
        release(reserve)  # room to record how the run ended, even if the crawl filled the disk
        status = end_run(db, run_id, crawlers)
        # A failed run is not resumed: its Scrapy state would skip pages it fetched but never wrote.
        if jobdir and status in ("completed", "failed"):
            forget_jobdir(jobdir, [state_dir(g) for g in groups])
    return run_id


# --- many sites in one crawler (issue 16) ----------------------------------------------

def crawler_groups(profiles: list[SiteProfile], settings: Settings) -> list[list[SiteProfile]]:
    """The sites each Scrapy crawler takes: one each below GUIFAN_MULTISITE_FROM sites, else
    GUIFAN_SITES_PER_CRAWLER each (0: all in one). Deterministic: a resumed run finds its state."""
    start = settings.getint("GUIFAN_MULTISITE_FROM")
    if start <= 0 or len(profiles) < start:
        return [[p] for p in profiles]
    size = settings.getint("GUIFAN_SITES_PER_CRAWLER") or len(profiles)
    return [profiles[i:i + size] for i in range(0, len(profiles), size)]


def state_dir(group: list[SiteProfile]) -> str:
    """A crawler's JOBDIR below the run's: the site's name, or one named after the group's sites."""
    if len(group) == 1:
        return group[0].name
    digest = hashlib.sha1("\n".join(p.name for p in group).encode()).hexdigest()[:12]
    return f"sites-{len(group)}-{digest}"


# Requests a site may have in the downloader per request it may fetch at once. Room for 4
# (for answers waiting on robots.txt or extraction) was measured slower at 1,000 sites (135.7
# against 147.1 requests/s, 456 against 375 MB) and spread the sites' starts: with the
# downloader full, Scrapy reads the whole start() at once and serves unstarted sites first.
IN_DOWNLOADER_PER_SITE = 1


def many_sites(settings: Settings, sites: int) -> None:
    """A crawler of many sites: one queue per download slot, the next request from the site with
    the most work left among those whose delay is over, with ageing (crawler/frontier.py), and
    room in the downloader sized by how late answers come back (DownloaderRoom), up to every site
    at once (CONCURRENT_REQUESTS_PER_DOMAIN each)."""
    if not settings.getint("CONCURRENT_REQUESTS_PER_IP"):   # which that queue does not support
        settings.set("SCHEDULER_PRIORITY_QUEUE", "guifan.crawler.frontier.BacklogFirstQueue", priority="cmdline")
    if settings.getpriority("GUIFAN_ROOM_BY_LAG") < SETTINGS_PRIORITIES["cmdline"]:
        settings.set("GUIFAN_ROOM_BY_LAG", True, priority="cmdline")
    # One seen-set per site, as with a crawler per site: a page two sites list is fetched for each.
    settings.set("REQUEST_FINGERPRINTER_CLASS", "guifan.crawler.middlewares.SiteFingerprinter", priority="cmdline")
    if settings.getpriority("CONCURRENT_REQUESTS") < SETTINGS_PRIORITIES["cmdline"]:  # not set by the user
        per_site = max(1, settings.getint("CONCURRENT_REQUESTS_PER_DOMAIN"))
        room = sites * per_site * IN_DOWNLOADER_PER_SITE
        settings.set("CONCURRENT_REQUESTS", max(settings.getint("CONCURRENT_REQUESTS"), room), priority="cmdline")


# --- archive write failures (issue 17) -----------------------------------------------
RESERVE_BYTES = 256 * 1024  # a run's closing writes take a few pages of the WAL


def reserve_space(db) -> Path | None:
    """A file of real blocks beside the archive, freed just before the run is closed."""
    path = Path(f"{db}-reserve")
    try:
        with open(path, "wb") as f:
            f.write(bytes(RESERVE_BYTES))
        return path
    except OSError:  # the disk is full already: the crawl will say so
        path.unlink(missing_ok=True)
        return None


def release(reserve: Path | None) -> None:
    if reserve is not None:
        reserve.unlink(missing_ok=True)


def end_run(db, run_id: int, crawlers) -> str:
    """finish_run, and if even that cannot be written (the disk is still full), say so."""
    try:
        with open_archive(db, "write") as archive:
            archive.lock_wait = crawlers[0].settings.getfloat("GUIFAN_LOCK_WAIT") if crawlers else archive.lock_wait
            return finish_run(archive, run_id, crawlers)
    except ArchiveError as exc:
        why = write_error(crawlers)
        raise ArchiveError(f"run {run_id} failed: {why[1] if why else exc}; it could not be marked so in the "
                           f"archive ({exc}); the next run will record it as interrupted") from None


# ---------------------------------------------------------------------------------------


def resumable_run(archive, jobdir: Path, db: str | Path) -> tuple[int | None, bool]:
    """The interrupted run recorded in `jobdir`, reopened (None when there is nothing to
    resume), and whether its process was killed without shutting down (SIGKILL, a crash)."""
    try:
        saved = json.loads((jobdir / RUN_FILE).read_text())
    except (OSError, ValueError):
        return None, False
    if Path(saved.get("db", "")).resolve() != Path(db).resolve():
        return None, False
    killed = was_killed(archive, saved.get("run_id"))
    run_id = reopen_run(archive, saved.get("run_id"), str(jobdir))
    return run_id, killed and run_id is not None


def forget_scrapy_state(jobdir: Path, sites: list[str]) -> None:
    """After a kill, Scrapy's JOBDIR state cannot be trusted: its disk queue's index and the
    priorities in use are written only on a clean close, and its seen-set holds requests that
    were queued but never fetched (which it would then filter out: documents lost). The run
    resumes from the archive instead: each site starts again, skipping the detail pages the
    run has already recorded (at most the writer's last uncommitted batch is fetched again)."""
    print("the last crawl of this run was killed: resuming from what the archive holds "
          "(list pages again, the documents it recorded skipped)", file=sys.stderr, flush=True)
    # Each site's own state, and that of crawlers of many sites (however the sites were grouped).
    for name in [*sites, *(d.name for d in jobdir.glob("sites-*"))]:
        shutil.rmtree(jobdir / name, ignore_errors=True)


def remember_run(jobdir: Path, db: str | Path, run_id: int) -> None:
    jobdir.mkdir(parents=True, exist_ok=True)
    (jobdir / RUN_FILE).write_text(json.dumps({"db": str(Path(db).resolve()), "run_id": run_id}))


def forget_jobdir(jobdir: Path, state_dirs: list[str]) -> None:
    """A completed job leaves nothing to resume: Scrapy's seen-set would filter the next crawl."""
    for name in state_dirs:
        shutil.rmtree(jobdir / name, ignore_errors=True)
    (jobdir / RUN_FILE).unlink(missing_ok=True)


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
