"""Item pipelines: the archive is the one place items go."""
from __future__ import annotations

from guifan.archive import Archive
from guifan.archive.runs import close_run


def count_fetch(stats, kind: str, outcome: str, answered: bool, n: int = 1) -> None:
    """Count recorded fetches as the run summary does (archive.Archive.run_counts): by kind
    and outcome, and those a server answered, so progress lines and the summary agree."""
    stats.inc_value(f"guifan/outcome/{outcome}", n)
    stats.inc_value(f"guifan/fetched/{kind}/{outcome}", n)
    if answered:
        stats.inc_value("guifan/answered", n)


class ArchivePipeline:
    """Write each FetchResult to the SQLite archive, one transaction per item.

    Under `guifan crawl` the run is opened by the CLI (GUIFAN_RUN_ID); under a bare
    `scrapy crawl portal -a site=…` the pipeline opens and closes its own run.
    """

    def __init__(self, crawler):
        self.crawler = crawler
        self.db = crawler.settings.get("GUIFAN_DB")
        self.run_id = crawler.settings.get("GUIFAN_RUN_ID")
        self.own_run = self.run_id is None

    @classmethod
    def from_crawler(cls, crawler):
        return cls(crawler)

    def open_spider(self, spider=None):
        spider = spider or self.crawler.spider
        self.archive = Archive(self.db)
        for site in spider.sites.values():
            self.archive.upsert_site(site.profile.to_dict())
        if self.own_run:
            self.run_id = self.archive.start_run(list(spider.sites), exclusive=True)

    def process_item(self, item, spider=None):
        outcome = self.archive.record_fetch(int(self.run_id), item)
        count_fetch(self.crawler.stats, item.kind, outcome, item.status is not None)
        item.body = None  # the bytes are archived; don't carry them through the rest of Scrapy
        return item

    def close_spider(self, spider=None):
        if self.own_run:
            finish_run(self.archive, self.run_id, [self.crawler])
        self.archive.close()


# The first archive write that failed, as the writer leaves it in a crawler's stats.
ARCHIVE_ERROR = "guifan/archive_error"
ARCHIVE_ERROR_KIND = "guifan/archive_error_kind"


def write_error(crawlers) -> tuple[str, str] | None:
    """(exception name, message) of the first archive write that failed in these crawlers."""
    for c in crawlers:
        if c.stats and c.stats.get_value(ARCHIVE_ERROR):
            return c.stats.get_value(ARCHIVE_ERROR_KIND) or "", c.stats.get_value(ARCHIVE_ERROR)
    return None


def finish_run(archive, run_id: int, crawlers) -> str:
    """Close a run from its crawlers' finish reasons; return the status recorded."""
    reasons = [c.stats.get_value("finish_reason") for c in crawlers if c.stats]
    after = crawlers[0].settings.getint("GUIFAN_GONE_AFTER_RUNS") if crawlers else 0
    return close_run(archive, run_id, reasons, after, write_error(crawlers))
