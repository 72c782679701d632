"""The simulated nation (demo_portal.nation): its politeness meter, and many sites in one
polite guifan crawl — fair across sites, resumable after kill -9 (real HTTP on loopback,
real Scrapy, a real SQLite file; bounded: a few dozen sites at 5 requests/s each)."""
from __future__ import annotations

import http.client
import os
import signal
import socket
import sqlite3
import subprocess
import sys
import time

import pytest

from guifan.crawler import settings as crawl_settings
from guifan.demo_portal import nation
from guifan.demo_portal.nation_server import NationPortal
from tests.conftest import REPO, run_guifan

TOLERANCE = crawl_settings.GUIFAN_DELAY_TOLERANCE     # of the delay (crawler/extensions.py DelayFromAnswer)
RATE = 5.0                                   # requests per second per site: a 0.2 s delay


def get(conn: http.client.HTTPConnection, path: str = "/robots.txt") -> http.client.HTTPResponse:
    conn.request("GET", path)
    answer = conn.getresponse()
    answer.read()
    return answer


@pytest.fixture()
def small_nation():
    first_slow = next(s.index for s in nation.nation_sites(400) if s.latency)
    first_down = next(s.index for s in nation.nation_sites(400) if s.down)
    with NationPortal(max(first_slow, first_down) + 1, rate=RATE) as portal:
        yield portal, portal.nation[first_slow], portal.nation[first_down]


def test_a_client_faster_than_the_rate_gets_429_and_is_counted(small_nation):
    portal, _, _ = small_nation
    site = portal.nation[0]
    conn = http.client.HTTPConnection(site.host, portal.port, timeout=5)
    answers = [get(conn) for _ in range(6)]                  # back to back: far above 5/s
    assert answers[0].status == 200
    refused = [a for a in answers if a.status == 429]
    assert len(refused) >= 4 and all(int(a.getheader("Retry-After")) >= 1 for a in refused)
    report = portal.report()
    assert report["sites"][site.name]["violations"] == len(refused)
    assert report["violations"] == len(refused) and report["sites_with_violations"] == 1


def test_a_client_at_the_rate_is_never_refused_even_with_jitter(small_nation):
    portal, _, _ = small_nation
    site = portal.nation[1]
    conn = http.client.HTTPConnection(site.host, portal.port, timeout=5)
    statuses = []
    for gap in (0.2, 0.15, 0.25, 0.2, 0.12, 0.28, 0.2):     # early by up to half an interval, 5/s on average
        statuses.append(get(conn).status)
        time.sleep(gap)
    assert statuses == [200] * 7
    assert portal.report()["sites"][site.name]["violations"] == 0
    # Another site is metered on its own: going there at once is fine.
    other = http.client.HTTPConnection(portal.nation[2].host, portal.port, timeout=5)
    assert get(other).status == 200


def test_reset_forgets_and_changes_the_rate(small_nation):
    portal, _, _ = small_nation
    site = portal.nation[0]
    conn = http.client.HTTPConnection(site.host, portal.port, timeout=5)
    get(conn), get(conn)
    assert portal.report()["violations"] == 1
    reset = http.client.HTTPConnection("127.0.0.1", portal.port, timeout=5)
    reset.request("POST", "/reset?rate=0")
    assert reset.getresponse().status == 200
    assert [get(conn).status for _ in range(5)] == [200] * 5      # rate 0: count only
    assert portal.report()["requests"] == 5 and portal.report()["violations"] == 0


def test_slow_sites_answer_late_and_down_sites_refuse(small_nation):
    portal, slow, down = small_nation
    conn = http.client.HTTPConnection(slow.host, portal.port, timeout=5)
    start = time.monotonic()
    assert get(conn, "/").status == 200
    assert time.monotonic() - start >= slow.latency
    with pytest.raises(ConnectionRefusedError):
        socket.create_connection((down.host, portal.port), timeout=5)


def test_sites_are_distinct_hosts_with_every_template():
    sites = nation.nation_sites(1000)
    assert len({s.host for s in sites}) == 1000 and all(s.host.startswith("127.2.") for s in sites)
    assert {s.site.template_name for s in sites} == {"trs", "hanweb", "jpage", "ucap", "gkmlpt", "anhui", "generic"}
    sizes = sorted(sum(c.count for c in s.site.columns) for s in sites)
    assert sizes[len(sizes) // 2] < 25 and sizes[-1] >= 4 * sizes[len(sizes) // 2]      # long-tailed
    assert 0 < sum(s.down for s in sites) < 50 and 0 < sum(bool(s.latency) for s in sites) < 100


# -- many sites, one polite crawl -----------------------------------------------------------

def crawl_cmd(n: int, portal: NationPortal, db, jobdir=None, *sets: str) -> list[str]:
    """The benchmark's crawl child: `crawler.runner.crawl` over the first n sites' profiles, as
    `guifan crawl` calls it, with DOWNLOAD_DELAY = 1/RATE, one request at a time per site."""
    cmd = [sys.executable, "-m", "benchmarks.scale_bench", "crawl", "--sites", str(n), "--port", str(portal.port),
           "--db", str(db), "--rate", str(RATE)]
    return cmd + (["--jobdir", str(jobdir)] if jobdir else []) + [f"--set={s}" for s in sets]


def archived_once(db, portal: NationPortal) -> tuple[set, set, list]:
    expected = {portal.base_url(s.name) + p for s in portal.nation for p in nation.expected_paths(s)}
    conn = sqlite3.connect(db)
    rows = conn.execute("SELECT d.url, count(v.version) FROM documents d JOIN versions v USING (doc_id) "
                        "GROUP BY d.doc_id").fetchall()
    conn.close()
    urls = [url for url, _ in rows]
    assert len(urls) == len(set(urls)), "a URL has two documents"
    return expected, set(urls), [url for url, versions in rows if versions != 1]


def test_many_sites_in_one_crawl_are_served_fairly_and_politely(tmp_path):
    """30 sites at once (above GUIFAN_MULTISITE_FROM: ONE Scrapy crawler holds them all), 5
    requests/s each: no 429, every site under way from the start and
    never left waiting long while others are crawled, every document archived once. With
    guifan's default jitter (±50 %) a request runs ahead of the site's one-per-delay schedule by
    at most GUIFAN_DELAY_TOLERANCE of the delay, and no site is asked faster than the rate on
    average: jitter only lengthens gaps."""
    db = tmp_path / "fair.db"
    with NationPortal(30, rate=RATE) as portal:
        result = subprocess.run(crawl_cmd(30, portal, db, None, "DOWNLOAD_DELAY_JITTER=0.5"), cwd=REPO,
                                capture_output=True, text=True, timeout=300)
        assert result.returncode == 0, result.stderr[-3000:]
        report = portal.report()
    assert report["violations"] == 0
    live = [s for s in portal.nation if not s.down]
    assert set(report["sites"]) == {s.name for s in live}
    first = report["first"]
    for s in live:
        m = report["sites"][s.name]
        assert m["first"] - first < 5, f"{s.name} waited {m['first'] - first:.1f} s for its first request"
        assert m["max_gap"] < 4, f"{s.name} was left waiting {m['max_gap']:.1f} s between two requests"
        assert m["min_gap"] >= (1 - TOLERANCE) / RATE - 0.05   # the delay counts from the last answer
        assert (m["requests"] - 1) / (m["last"] - m["first"]) <= RATE, f"{s.name} was asked too often"
    expected, have, twice = archived_once(db, portal)
    assert have == expected and not twice


@pytest.mark.parametrize("crawlers", [(), ("GUIFAN_MULTISITE_FROM=2",)],
                         ids=["a crawler per site", "one crawler for all sites"])
def test_a_crawl_killed_halfway_resumes_with_every_document_archived_once(tmp_path, crawlers):
    db, jobdir = tmp_path / "resume.db", tmp_path / "jobdir"
    with NationPortal(20, rate=RATE) as portal:
        expected_docs = sum(len(nation.expected_paths(s)) for s in portal.nation)
        proc = subprocess.Popen(crawl_cmd(20, portal, db, jobdir, *crawlers), cwd=REPO, stdout=subprocess.DEVNULL,
                                stderr=subprocess.DEVNULL, start_new_session=True)
        deadline = time.monotonic() + 120
        while portal.report()["requests"] < expected_docs // 2 and time.monotonic() < deadline:
            assert proc.poll() is None, "the crawl ended before it could be killed"
            time.sleep(0.2)
        os.killpg(proc.pid, signal.SIGKILL)           # the crawl, its extraction worker and its writer
        proc.wait()
        conn = sqlite3.connect(db)
        before = conn.execute("SELECT count(*) FROM documents").fetchone()[0]
        conn.close()
        assert 0 < before < expected_docs
        result = subprocess.run(crawl_cmd(20, portal, db, jobdir, *crawlers), cwd=REPO, capture_output=True,
                                text=True, timeout=300)
        assert result.returncode == 0, result.stderr[-3000:]
        assert "was killed: resuming" in result.stderr
        assert portal.report()["violations"] == 0
    expected, have, twice = archived_once(db, portal)
    assert have == expected and not twice
    conn = sqlite3.connect(db)
    assert conn.execute("SELECT count(*), min(status) FROM runs").fetchone() == (1, "completed")
    detail_fetches = conn.execute("SELECT count(*) FROM fetches WHERE kind = 'detail'").fetchone()[0]
    conn.close()
    # The documents recorded before the kill were not fetched again (at most the writer's last batch was).
    assert detail_fetches <= len(expected) + 64
    assert not (jobdir / "guifan-run.json").exists()


def test_guifan_crawl_reads_the_profiles_the_demo_portal_writes(tmp_path):
    """`python -m guifan.demo_portal --nation N --write-profiles DIR`, then `guifan crawl --sites-dir DIR`."""
    profiles, db = tmp_path / "profiles", tmp_path / "dir.db"
    profiles.mkdir()
    with NationPortal(3, rate=RATE) as portal:
        written = subprocess.run([sys.executable, "-m", "guifan.demo_portal", "--nation", "3", "--port",
                                  str(portal.port), "--write-profiles", str(profiles)], cwd=REPO,
                                 capture_output=True, text=True, timeout=60)
        assert written.returncode == 0, written.stderr
        assert sorted(p.name for p in profiles.iterdir()) == ["nat-0001.toml", "nat-0002.toml", "nat-0003.toml"]
        result = run_guifan("crawl", "--sites-dir", str(profiles), "--db", str(db), "-s", "GUIFAN_RELAX_LOOPBACK=False",
                            "-s", f"DOWNLOAD_DELAY={1 / RATE}", timeout=300)
        assert result.returncode == 0, result.stderr[-3000:]
        assert portal.report()["violations"] == 0          # default jitter: never below the delay
    expected, have, twice = archived_once(db, portal)
    assert have == expected and not twice
    missing = run_guifan("crawl", "--sites-dir", str(tmp_path / "nowhere"), "--db", str(db))
    assert missing.returncode == 1 and "not a directory" in missing.stderr
