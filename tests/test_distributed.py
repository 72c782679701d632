"""Distributed crawling with a real redis-server: two workers and one ingester on the demo portal.

Every document ends up in the archive exactly once, also when one worker is killed
(SIGKILL) in the middle of the run; a second round is a fresh run, not skipped.
"""
from __future__ import annotations

import os
import shutil
import signal
import socket
import sqlite3
import subprocess
import sys
import time

import pytest

from guifan.demo_portal import SITES, DemoPortal, catalog

from .conftest import REPO, base_urls, run_guifan

ARCHIVED = (None, "redirect", "malformed", "unavailable_once", "wrong_charset")
# Slow enough that a worker can be killed half-way: two requests at a time per site and worker,
# 80 ms apart, so a run takes seconds however fast the machine is.
SLOW = ["--set=GUIFAN_RELAX_LOOPBACK=False", "--set=DOWNLOAD_DELAY=0.08", "--set=AUTOTHROTTLE_ENABLED=False",
        "--set=CONCURRENT_REQUESTS_PER_DOMAIN=2", "--set=RANDOMIZE_DOWNLOAD_DELAY=False",
        "--set=GUIFAN_REDIS_HEARTBEAT=3"]


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture(scope="module")
def redis_url(tmp_path_factory):
    exe = shutil.which("redis-server")
    if exe is None:
        if os.environ.get("GUIFAN_REQUIRE_REDIS"):  # set by .ci/run, which installs it
            pytest.fail("redis-server is not installed (apt-get install -y redis-server)")
        pytest.skip("redis-server is not installed (apt-get install -y redis-server)")
    port = free_port()
    proc = subprocess.Popen([exe, "--port", str(port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no",
                             "--dir", str(tmp_path_factory.mktemp("redis"))],
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    import redis

    client = redis.Redis(port=port, socket_connect_timeout=1)
    for _ in range(100):
        try:
            client.ping()
            break
        except redis.ConnectionError:
            time.sleep(0.05)
    else:
        proc.kill()
        pytest.fail("redis-server did not start")
    yield f"redis://127.0.0.1:{port}/0"
    proc.terminate()
    proc.wait(timeout=10)


def start(*args: str) -> subprocess.Popen:
    return subprocess.Popen([sys.executable, "-m", "guifan", *args], cwd=REPO, text=True,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, env={**os.environ, "PYTHONUNBUFFERED": "1"})


def finish(proc: subprocess.Popen, timeout: float = 120) -> tuple[int, str, str]:
    try:
        out, err = proc.communicate(timeout=timeout)
    except subprocess.TimeoutExpired:
        proc.kill()
        out, err = proc.communicate()
        pytest.fail(f"{proc.args[3:5]} did not finish within {timeout} s:\n{err[-2000:]}")
    return proc.returncode, out, err


def completed_requests(client) -> int:
    """Requests of the current runs that some worker has finished: seen, neither queued nor leased.

    Read from Redis rather than the archive, so it does not depend on how far the ingester is.
    """
    done = 0
    for key in client.scan_iter("guifan:run:*:dupefilter"):
        run = key.decode().rsplit(":", 1)[0]
        done += client.scard(key) - client.zcard(f"{run}:queue") - client.hlen(f"{run}:leases")
    return done


def leases_of(client, pid: int) -> int:
    return sum(1 for key in client.scan_iter("guifan:run:*:leases")
               for field in client.hkeys(key) if f"-{pid}-".encode() in field)


def expected_urls(portal) -> set[str]:
    return {portal.base_url(d.site) + d.path for d in catalog.documents(day=1) if d.fault in ARCHIVED}


@pytest.fixture(scope="module")
def distributed(redis_url, tmp_path_factory):
    """Two workers and an ingester; worker A is SIGKILLed while it holds leased requests."""
    import redis

    client = redis.Redis.from_url(redis_url)
    db = tmp_path_factory.mktemp("distributed") / "dist.db"
    with DemoPortal(day=1) as portal:
        bases = base_urls(portal)
        ingester = start("ingest", "--redis", redis_url, "--db", str(db), "--runs", str(len(SITES)))
        a = start("worker", "--redis", redis_url, *SITES, *bases, *SLOW)
        b = start("worker", "--redis", redis_url, *SITES, *bases, *SLOW)
        deadline, held = time.monotonic() + 60, 0
        while time.monotonic() < deadline and a.poll() is None:
            held = leases_of(client, a.pid)
            if held and completed_requests(client) >= 30:
                break
            time.sleep(0.02)
        assert a.poll() is None, "worker A finished before it could be killed"
        a.send_signal(signal.SIGKILL)
        a.wait(timeout=10)
        code_b, _, err_b = finish(b)
        code_i, out_i, err_i = finish(ingester)
        assert code_b == 0, err_b[-3000:]
        assert code_i == 0, err_i[-3000:]
        first = {"held": held, "ingest": out_i}
        # A second round: each site gets a fresh run (and duplicate filter), nothing is skipped.
        ingester = start("ingest", "--redis", redis_url, "--db", str(db), "--runs", str(len(SITES)))
        code_c, _, err_c = finish(start("worker", "--redis", redis_url, *SITES, *bases))
        assert code_c == 0, err_c[-3000:]
        code_i, out_i2, err_i = finish(ingester)
        assert code_i == 0, err_i[-3000:]
        yield portal, db, first, client


def test_killed_worker_loses_no_document_and_each_is_archived_once(distributed):
    portal, db, first, _ = distributed
    assert first["held"] > 0, "worker A held leased requests when it was killed"
    with sqlite3.connect(db) as conn:
        docs = [r[0] for r in conn.execute("SELECT url FROM documents")]
        versions = conn.execute("SELECT count(*), count(DISTINCT doc_id) FROM versions").fetchone()
        new_events = conn.execute("SELECT count(*) FROM events WHERE event = 'new'").fetchone()[0]
        runs = conn.execute("SELECT run_id, status, sites FROM runs ORDER BY run_id").fetchall()
    assert sorted(docs) == sorted(expected_urls(portal))           # all of them, each once
    assert versions == (len(docs), len(docs))                       # one version each: nothing changed
    assert new_events == len(docs)
    assert [r[1] for r in runs] == ["completed"] * 4


def test_the_first_round_found_everything_itself(distributed):
    portal, db, _, _ = distributed
    with sqlite3.connect(db) as conn:
        new = {r[0] for r in conn.execute(
            "SELECT url FROM fetch_log WHERE run_id IN (1, 2) AND kind = 'detail' AND outcome = 'new'")}
        redirected = {r[0] for r in conn.execute("SELECT final_url FROM captures WHERE url != final_url")}
    listed = {u for u in expected_urls(portal) if u not in redirected}
    assert listed <= new


def test_the_second_round_is_a_fresh_run_not_skipped(distributed):
    _, db, _, client = distributed
    with sqlite3.connect(db) as conn:
        again = dict(conn.execute("SELECT outcome, count(*) FROM fetch_log WHERE run_id IN (3, 4) "
                                  "AND kind = 'detail' GROUP BY outcome").fetchall())
    assert again.get("unchanged", 0) >= len(catalog.documents(day=1)) - 10
    assert not again.get("new")
    assert client.llen("guifan:items") == 0 and not list(client.scan_iter("guifan:site:*"))


def test_report_of_a_distributed_run(distributed):
    _, db, _, _ = distributed
    result = run_guifan("report", "1", "--db", str(db))
    assert result.returncode == 0 and "completed" in result.stdout


@pytest.mark.parametrize("overrides, expected", [
    ({"GUIFAN_RELAX_LOOPBACK": False}, 1),                                            # a real portal: one at a time
    ({"GUIFAN_RELAX_LOOPBACK": False, "CONCURRENT_REQUESTS_PER_DOMAIN": 2}, 2),
    ({"CONCURRENT_REQUESTS": 7}, 7),                                                  # the user's own choice wins
])
def test_a_worker_leases_only_what_it_can_fetch_at_once(overrides, expected):
    from guifan.crawler.distributed import worker_settings
    from guifan.crawler.runner import project_settings
    from guifan.crawler.spiders.redis_portal import RedisPortalSpider

    settings = project_settings(**{**worker_settings("redis://127.0.0.1:1/0"), **overrides})
    RedisPortalSpider.update_settings(settings)
    assert settings.getint("CONCURRENT_REQUESTS") == expected


# -- politeness shared by the workers ---------------------------------------------------------

RATE = 5.0        # requests per second per site the nation's meter allows (a 0.2 s delay)
POLITE = ["GUIFAN_RELAX_LOOPBACK=False", f"DOWNLOAD_DELAY={1 / RATE}", "DOWNLOAD_DELAY_JITTER=0",
          "CONCURRENT_REQUESTS_PER_DOMAIN=1", "AUTOTHROTTLE_ENABLED=False"]


def crawl_the_nation(redis_url: str, sites: int, workers: int, db, *sets: str) -> dict:
    """`workers` processes of the benchmark's worker (runner.work, as `guifan worker` calls it) and
    one `guifan ingest` over the nation's first `sites` sites, metered at RATE per site and client
    (the meter knows clients by IP: every worker here is 127.0.0.1, one client to the site)."""
    import redis

    from guifan.demo_portal import nation
    from guifan.demo_portal.nation_server import NationPortal

    client = redis.Redis.from_url(redis_url)
    with NationPortal(sites, rate=RATE) as portal:
        live = [s for s in portal.nation if not s.down]
        ingester = start("ingest", "--redis", redis_url, "--db", str(db), "--runs", str(len(live)))
        cmd = [sys.executable, "-m", "benchmarks.scale_bench", "worker", "--sites", str(sites), "--port",
               str(portal.port), "--redis", redis_url, *(f"--set={s}" for s in [*POLITE, *sets])]
        procs = [subprocess.Popen(cmd, cwd=REPO, text=True, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
                 for _ in range(workers)]
        for proc in procs:
            code, _, err = finish(proc, timeout=180)
            assert code == 0, err[-3000:]
        code, _, err = finish(ingester)
        assert code == 0, err[-3000:]
        report = portal.report()
        expected = {portal.base_url(s.name) + p for s in live for p in nation.expected_paths(s)}
    stats = client.hgetall("guifan:stats")
    sent = {p.pid: sum(int(v) for k, v in stats.items() if f"-{p.pid}-".encode() in k) for p in procs}
    with sqlite3.connect(db) as conn:
        archived = [r[0] for r in conn.execute("SELECT url FROM documents")]
    return {"report": report, "sent": sent, "expected": expected, "archived": archived}


def test_workers_on_one_site_keep_its_rate_between_them(redis_url, tmp_path):
    """Two workers crawl the same sites at once at one request per 0.2 s per site: the site
    sees that rate in all (no 429: the meter counts both workers together), both workers fetch
    a share, and every document is archived once."""
    run = crawl_the_nation(redis_url, 4, 2, tmp_path / "polite.db")
    assert run["report"]["violations"] == 0, run["report"]["sites"]
    shares = sorted(run["sent"].values())
    # Both took part (else the gate held nothing back). Not an even split: on a loaded machine
    # one worker's start-up can lag a run of ~100 requests by a second or more (19 of 101 seen).
    assert shares[0] >= 0.1 * sum(shares), f"one worker did nearly everything: {run['sent']}"
    assert sorted(run["archived"]) == sorted(run["expected"])


def test_without_the_shared_gate_two_workers_are_twice_too_fast(redis_url, tmp_path):
    """The same crawl with GUIFAN_SHARED_POLITENESS=False: each worker keeps the delay on its
    own and the site refuses the excess — what the gate prevents (and that the meter sees it)."""
    run = crawl_the_nation(redis_url, 4, 2, tmp_path / "each.db", "GUIFAN_SHARED_POLITENESS=False")
    assert run["report"]["violations"] > 0
