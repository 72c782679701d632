"""Incremental crawling: the revisit policy, and a crawl paused (SIGINT) and resumed (JOBDIR).

Real HTTP against the demo portal, real Scrapy through the CLI, real SQLite.
"""
from __future__ import annotations

import os
import signal
import sqlite3
import subprocess
import sys
import time
from datetime import datetime, timedelta, timezone

import pytest

from guifan.crawler.revisit import PageHistory, RevisitPolicy, not_due, seconds
from guifan.demo_portal import SITES, DemoPortal, catalog

from .conftest import REPO, base_urls, run_guifan

ARCHIVED = (None, "redirect", "malformed", "unavailable_once", "wrong_charset")
NOW = datetime(2024, 3, 15, 12, tzinfo=timezone.utc)
# Slow enough to be interrupted half-way: one request at a time, 40 ms apart.
SLOW = ["--set=GUIFAN_RELAX_LOOPBACK=False", "--set=DOWNLOAD_DELAY=0.04", "--set=AUTOTHROTTLE_ENABLED=False",
        "--set=CONCURRENT_REQUESTS_PER_DOMAIN=1", "--set=RANDOMIZE_DOWNLOAD_DELAY=False"]


def crawl(portal, db, *extra):
    result = run_guifan("crawl", *SITES, "--db", str(db), *base_urls(portal), *extra, timeout=180)
    assert result.returncode == 0, result.stderr
    return result


# -- the policy ---------------------------------------------------------------------------

def test_interval_doubles_with_each_unchanged_confirmation_up_to_the_cap():
    policy = RevisitPolicy(base=3600, cap=86400)
    assert [policy.interval(s) for s in range(7)] == [3600, 7200, 14400, 28800, 57600, 86400, 86400]
    assert RevisitPolicy(base=0).interval(5) == 0
    assert seconds("6h") == 21600 and seconds("1d") == 86400 and seconds(90) == 90


def test_which_pages_are_due():
    policy = RevisitPolicy(base=3600, cap=86400)
    hour = timedelta(hours=1)
    pages = {
        "fresh": PageHistory(streak=0, last_success=NOW - 0.5 * hour, last_ok=True),     # due in 30 min
        "ripe": PageHistory(streak=0, last_success=NOW - 1.5 * hour, last_ok=True),
        "steady": PageHistory(streak=3, last_success=NOW - 7 * hour, last_ok=True),     # 8 h interval
        "failed": PageHistory(streak=3, last_success=NOW - 0.1 * hour, last_ok=False),  # retried at once
        "gone": PageHistory(streak=0, last_success=NOW - 0.1 * hour, last_ok=True),
    }
    assert not_due(policy, pages, gone={"gone"}, now=NOW) == {"fresh", "steady"}


# -- the policy in a crawl ----------------------------------------------------------------

@pytest.fixture(scope="module")
def two_days(tmp_path_factory):
    """Day 1 crawled, then day 2 with a one-day revisit base: known pages are not due yet."""
    db = tmp_path_factory.mktemp("incremental") / "inc.db"
    with DemoPortal(day=1) as portal:
        crawl(portal, db)
        portal.set_day(2)
        mark = len(portal.request_log)
        crawl(portal, db, "--set=GUIFAN_REVISIT_BASE=1d")
        day_two_requests = portal.request_log[mark:]
        yield portal, db, day_two_requests


def test_known_pages_not_due_are_not_fetched_but_new_ones_are(two_days):
    portal, db, requests = two_days
    day1 = {d.key: d for d in catalog.documents(day=1)}
    day2 = {d.key: d for d in catalog.documents(day=2)}
    new = [d for k, d in day2.items() if k not in day1]
    assert new
    paths = {path for _, method, path, _ in requests}
    assert all(d.list_path in paths for d in new)
    known = [d for k, d in day2.items() if k in day1 and d.fault in ARCHIVED]
    assert not [d.key for d in known if d.list_path in paths or d.path in paths]
    with sqlite3.connect(db) as conn:
        outcomes = dict(conn.execute("SELECT outcome, count(*) FROM fetch_log WHERE run_id = 2 AND kind = 'detail' "
                                     "GROUP BY outcome").fetchall())
        listed = conn.execute("SELECT count(*) FROM listings WHERE run_id = 2").fetchone()[0]
    never_archived = [d for d in day2.values() if d.fault in ("not_found", "robots_disallowed")]
    assert outcomes.pop("new") == len(new)
    assert sum(outcomes.values()) == len(never_archived)  # tried again in every run
    assert listed >= len(day2) - 1  # lists are always fetched whole (the gone page is off its list)


def test_due_pages_are_revisited_conditionally(two_days):
    portal, db, _ = two_days
    time.sleep(1.1)
    crawl(portal, db, "--set=GUIFAN_REVISIT_BASE=1s")  # everything fetched in run 1 is due again
    with sqlite3.connect(db) as conn:
        outcomes = dict(conn.execute("SELECT outcome, count(*) FROM fetch_log WHERE run_id = 3 AND kind = 'detail' "
                                     "GROUP BY outcome").fetchall())
    changed_on_day_two = 4  # three edits and one repeal (see demo_portal/README.md)
    assert outcomes.get("changed", 0) == changed_on_day_two
    assert outcomes.get("not_modified", 0) > 60


# -- pause and resume -----------------------------------------------------------------------

def snapshot(db) -> dict:
    """What the archive holds, without times, run ids or fetch counts."""
    with sqlite3.connect(db) as conn:
        return {
            "documents": sorted(conn.execute("SELECT doc_id, url, status, current_version FROM documents")),
            "versions": sorted(conn.execute(
                "SELECT doc_id, version, content_hash, title, body, validity, attachments FROM versions")),
            "attachments": sorted(conn.execute(
                "SELECT DISTINCT final_url, sha256 FROM captures WHERE kind = 'attachment' AND status = 200")),
        }


def fetch_count(db) -> int:
    try:
        with sqlite3.connect(f"file:{db}?mode=ro", uri=True, timeout=1) as conn:
            return conn.execute("SELECT count(*) FROM fetches").fetchone()[0]
    except sqlite3.Error:
        return 0


def interrupt_after(cmd: list[str], db, fetches: int, timeout: float = 120) -> subprocess.CompletedProcess:
    proc = subprocess.Popen([sys.executable, "-m", "guifan", *cmd], cwd=REPO, text=True,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, env={**os.environ, "PYTHONUNBUFFERED": "1"})
    deadline = time.monotonic() + timeout
    while fetch_count(db) < fetches and proc.poll() is None and time.monotonic() < deadline:
        time.sleep(0.1)
    proc.send_signal(signal.SIGINT)  # once: Scrapy finishes what is in flight and keeps the queue
    try:
        out, err = proc.communicate(timeout=60)
    except subprocess.TimeoutExpired:
        proc.kill()
        out, err = proc.communicate()
        pytest.fail("the interrupted crawl did not stop within 60 s")
    return subprocess.CompletedProcess(proc.args, proc.returncode, out, err)


@pytest.mark.parametrize("crawlers", [(), ("--set=GUIFAN_MULTISITE_FROM=2",)],
                         ids=["a crawler per site", "one crawler for both sites"])
def test_paused_and_resumed_crawl_ends_with_the_same_archive(tmp_path, crawlers):
    with DemoPortal(day=1) as portal:
        whole, paused, jobdir = tmp_path / "whole.db", tmp_path / "paused.db", tmp_path / "job"
        crawl(portal, whole)
        cmd = ["crawl", *SITES, "--db", str(paused), *base_urls(portal), *SLOW, f"--set=JOBDIR={jobdir}", *crawlers]
        stopped = interrupt_after(cmd, paused, fetches=40)
        assert stopped.returncode != 0, "the crawl finished before it could be interrupted"
        with sqlite3.connect(paused) as conn:
            run = conn.execute("SELECT run_id, status FROM runs").fetchall()
            half = conn.execute("SELECT count(*) FROM documents").fetchone()[0]
        assert run == [(1, "interrupted")]
        assert 0 < half < len(snapshot(whole)["documents"])
        assert (jobdir / "guifan-run.json").exists()

        resumed = run_guifan(*cmd, timeout=180)
        assert resumed.returncode == 0, resumed.stderr
        assert "Run 1: completed" in resumed.stdout  # the same run, continued
    got, want = snapshot(paused), snapshot(whole)
    for key in want:
        assert got[key] == want[key], (key, sorted(set(want[key]) - set(got[key]))[:3],
                                       sorted(set(got[key]) - set(want[key]))[:3])
    with sqlite3.connect(paused) as conn:
        refetched = conn.execute("SELECT count(*) FROM fetch_log WHERE kind = 'detail' AND outcome = 'unchanged'")
        assert refetched.fetchone()[0] == 0, "a resumed crawl does not fetch again what it had"
    assert not (jobdir / "guifan-run.json").exists(), "a completed job leaves nothing to resume"
