"""Many sites in one Scrapy crawler (crawler/runner.py: crawler_groups, many_sites; the spider's
per-site SiteCrawl): what a user sees is the same as with one crawler per site.

The demo portal's end-to-end checks (tests/test_crawl_demo.py: every document once, robots.txt,
redirects, retries, attachments, …) run again here on a crawl whose two sites share ONE crawler
(GUIFAN_MULTISITE_FROM=2); the nation's tests (tests/test_nation.py) cover fairness, politeness
and kill -9 at 20-30 sites.
"""
from __future__ import annotations

import json
import time
from urllib.parse import urlsplit

import pytest
from scrapy.settings import Settings

from guifan.crawler.profiles import SiteProfile
from guifan.crawler.runner import crawler_groups, many_sites, project_settings, state_dir
from guifan.demo_portal import nation
from tests.conftest import crawl_to_archive, row_connection
from tests.test_crawl_demo import (test_attachments_are_captured_with_their_bytes,  # noqa: F401
                                   test_bodies_hold_every_paragraph_and_no_boilerplate,
                                   test_every_capture_keeps_headers_time_and_a_blob,
                                   test_every_demo_document_is_archived_once, test_gbk_site_titles_come_out_exactly,
                                   test_malformed_page_still_yields_its_document,
                                   test_metadata_matches_the_catalog_document_by_document,
                                   test_not_found_link_is_a_failed_fetch, test_polite_user_agent_is_sent,
                                   test_redirect_is_followed_and_recorded,
                                   test_robots_disallowed_path_is_blocked_and_never_requested,
                                   test_run_completed_in_wal_mode, test_unavailable_once_is_retried,
                                   test_wrong_declared_charset_is_decoded_right)

ONE_CRAWLER = ("-s", "GUIFAN_MULTISITE_FROM=2", "-s", "GUIFAN_PROGRESS_INTERVAL=0.5")


@pytest.fixture(scope="module")
def crawled_portal():
    """A portal of its own: its one-time faults (503 once) are seen by this module's crawl only."""
    from guifan.demo_portal import DemoPortal

    with DemoPortal(day=1) as p:
        yield p


@pytest.fixture(scope="module")
def crawled(crawled_portal, tmp_path_factory):
    """The demo portal's two sites crawled by ONE Scrapy crawler (the checks above run on it)."""
    from guifan.demo_portal import SITES

    db = tmp_path_factory.mktemp("multisite") / "demo.db"
    result = crawl_to_archive(db, crawled_portal, SITES, *ONE_CRAWLER)
    conn = row_connection(db)
    yield db, conn, result
    conn.close()


def test_the_two_sites_were_crawled_by_one_crawler_as_one_run(crawled):
    db, conn, result = crawled
    # The progress lines come from the crawlers: one crawler, so one line for both sites.
    assert "  2 sites: " in result.stderr, result.stderr[-2000:]
    assert "  demo-yunxi: " not in result.stderr and "  demo-qingshi: " not in result.stderr
    runs = conn.execute("SELECT status, sites FROM runs").fetchall()
    assert [r["status"] for r in runs] == ["completed"]
    assert sorted(json.loads(runs[0]["sites"])) == ["demo-qingshi", "demo-yunxi"]
    sites = {r[0] for r in conn.execute("SELECT DISTINCT u.site FROM fetches JOIN urls u USING (url_id)")}
    assert sites == {"demo-qingshi", "demo-yunxi"}       # each fetch recorded under its own site
    assert "demo-yunxi" in result.stdout and "demo-qingshi" in result.stdout   # the summary names both


def profiles(n: int) -> list[SiteProfile]:
    return [SiteProfile(**nation.profile(s, 8000)) for s in nation.nation_sites(n)]


def test_sites_are_grouped_into_crawlers_by_the_settings():
    sites = profiles(45)
    assert [len(g) for g in crawler_groups(sites, project_settings())] == [45]           # default: all in one
    assert [len(g) for g in crawler_groups(sites[:20], project_settings())] == [1] * 20  # few: one each
    assert [len(g) for g in crawler_groups(sites, project_settings(GUIFAN_SITES_PER_CRAWLER=20))] == [20, 20, 5]
    assert [len(g) for g in crawler_groups(sites, project_settings(GUIFAN_MULTISITE_FROM=0))] == [1] * 45
    # The same sites give the same JOBDIR names (a resumed run finds its state), others other names.
    assert state_dir(sites[:20]) == state_dir(profiles(20)) != state_dir(sites[:21])
    assert state_dir(sites[:1]) == sites[0].name


def test_a_crawler_of_many_sites_queues_per_host_and_has_room_for_every_site():
    settings = project_settings()
    many_sites(settings, 1000)
    assert settings.get("SCHEDULER_PRIORITY_QUEUE") == "guifan.crawler.frontier.BacklogFirstQueue"
    assert settings.getbool("GUIFAN_ROOM_BY_LAG")                     # room narrowed while answers lag
    assert settings.getint("CONCURRENT_REQUESTS") == 1000            # every site at once
    assert settings.getint("CONCURRENT_REQUESTS_PER_DOMAIN") == 1   # and still one per site
    mine = project_settings(CONCURRENT_REQUESTS=64)                  # the user's own setting wins
    many_sites(mine, 1000)
    assert mine.getint("CONCURRENT_REQUESTS") == 64
    assert isinstance(mine, Settings)


def test_a_site_of_a_shared_crawler_keeps_its_own_scope_and_hints():
    from guifan.crawler.spiders.portal import PortalSpider
    import scrapy

    a, b = profiles(2)
    spider = PortalSpider(profiles=[a, b])
    home_a, home_b = a.base_url + "/", b.base_url + "/"
    own = scrapy.Request(home_a, meta={"site": a.name})
    assert spider.scope_for(own).allows(home_a, "list")
    assert not spider.scope_for(own).allows(home_b, "list")     # a's request may not go to b's host
    robots = scrapy.Request(b.base_url + "/robots.txt")          # no site: any site's scope
    assert spider.scope_for(robots).allows(robots.url, "detail")
    assert not spider.scope_for(robots).allows("http://10.0.0.1/robots.txt", "detail")
    assert spider.hints_for(own)["platform"] == a.platform
    assert spider.site is None and set(spider.sites) == {a.name, b.name}



def test_a_page_two_sites_list_is_fetched_for_each_and_once_per_site():
    """(tests/test_province.py crawls a prefecture portal two counties share, in one crawler.)"""
    import scrapy
    from scrapy.utils.test import get_crawler

    from guifan.crawler.middlewares import SiteFingerprinter

    crawler = get_crawler(settings_dict={"REQUEST_FINGERPRINTER_CLASS": SiteFingerprinter})
    fingerprint = crawler.request_fingerprinter.fingerprint
    url = "http://127.2.1.1:8000/zwgk/index.html"
    a, b = (scrapy.Request(url, meta={"site": s}) for s in ("county-a", "county-b"))
    assert fingerprint(a) != fingerprint(b)
    assert fingerprint(a) == fingerprint(scrapy.Request(url, meta={"site": "county-a"}))


def frontier():
    """The many-site scheduler queue on a real (not started) Scrapy engine and downloader."""
    import logging
    from scrapy import Spider
    from scrapy.squeues import FifoMemoryQueue
    from scrapy.utils.test import get_crawler
    from guifan.crawler.frontier import BacklogFirstQueue
    crawler = get_crawler(Spider)
    logging.disable(logging.ERROR)      # download handlers that need a running reactor say so
    try:
        crawler.engine = crawler._create_engine()
    finally:
        logging.disable(logging.NOTSET)
    return crawler, BacklogFirstQueue.from_crawler(crawler, FifoMemoryQueue, "frontier")


def test_the_frontier_serves_the_site_with_most_work_first_one_request_at_a_time_after_its_delay():
    from scrapy import Request, signals
    from scrapy.core.downloader import Slot
    crawler, queue = frontier()
    queue.push(Request("http://small.example/doc/1", meta={"kind": "detail"}))
    for n in range(30):
        queue.push(Request(f"http://large.example/doc/{n}", meta={"kind": "detail"}))
    queue.push(Request("http://new.example/", meta={"kind": "list"}))    # a list: about 20 documents
    order = [queue.pop() for _ in range(4)]
    assert [urlsplit(r.url).hostname for r in order[:3]] == ["large.example", "new.example", "small.example"]
    assert order[3] is None                           # each site has its one request out
    large = order[0]
    crawler.engine.downloader.slots["large.example"] = slot = Slot(concurrency=1, delay=0.3, randomize_delay=False)
    slot.lastseen = time.monotonic()
    crawler.signals.send_catch_log(signals.request_left_downloader, request=large)
    assert queue.pop() is None                        # its delay is not over: it holds no place
    time.sleep(0.3)
    assert urlsplit(queue.pop().url).hostname == "large.example"
    assert len(queue) == 28                           # of 32: three served, then large.example again
