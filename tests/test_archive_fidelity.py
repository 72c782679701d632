"""Fixity, WARC export, re-parse, revisit cost and crash safety of the archive."""
from __future__ import annotations

import json
import os
import random
import signal
import sqlite3
import subprocess
import sys
import time
from urllib.parse import urljoin

import pytest

from guifan.archive import Archive, blobs
from benchmarks import machine
from guifan.demo_portal import SITES, DemoPortal, catalog

from .conftest import REPO, base_urls, run_guifan

ARCHIVED = (None, "redirect", "malformed", "unavailable_once", "wrong_charset")


def crawl_args(portal, db) -> list[str]:
    return ["crawl", *SITES, "--db", str(db), *base_urls(portal)]


def checkpointed_size(db) -> int:
    with sqlite3.connect(db) as conn:
        conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    return os.path.getsize(db)


def pages_by_object(db) -> dict[str, int]:
    """Pages per table and index (SQLite's dbstat), after a checkpoint."""
    checkpointed_size(db)
    with sqlite3.connect(db) as conn:
        return dict(conn.execute("SELECT name, count(*) FROM dbstat GROUP BY name").fetchall())


def pages_grown(db, before: dict[str, int]) -> dict[str, int]:
    return {k: n - before.get(k, 0) for k, n in pages_by_object(db).items() if n > before.get(k, 0)}


@pytest.fixture(scope="module")
def twice(tmp_path_factory):
    """The same (day 1) portal crawled twice into one archive."""
    db = tmp_path_factory.mktemp("twice") / "twice.db"
    with DemoPortal(day=1) as portal:
        assert run_guifan(*crawl_args(portal, db)).returncode == 0
        size_after_first = checkpointed_size(db)
        versions_after_first = sqlite3.connect(db).execute("SELECT count(*) FROM versions").fetchone()[0]
        pages_after_first = pages_by_object(db)
        result = run_guifan(*crawl_args(portal, db))
        assert result.returncode == 0, result.stderr
    return db, size_after_first, versions_after_first, pages_after_first


def test_second_crawl_of_unchanged_portal_is_cheap(twice):
    db, size_before, versions_before, _ = twice
    conn = sqlite3.connect(db)
    assert conn.execute("SELECT count(*) FROM versions").fetchone()[0] == versions_before
    growth = (checkpointed_size(db) - size_before) / size_before
    print(f"second crawl grew the archive by {growth:.3%}")
    # Only the log of the second run's fetches grows (a few pages on the demo: page-granular,
    # so the share wobbles around 1 % as the demo's document count moves); nothing else does.
    assert growth < 0.02, f"the archive grew by {growth:.2%}"
    assert set(pages_grown(db, twice[3])) <= {"fetches", "fetches_run", "fetches_url"}, pages_grown(db, twice[3])
    outcomes = dict(conn.execute("SELECT outcome, count(*) FROM fetch_log WHERE run_id=2 AND kind='detail' "
                                 "GROUP BY outcome").fetchall())
    assert "new" not in outcomes and "changed" not in outcomes
    assert outcomes.get("not_modified", 0) > 0


def test_verify_passes_then_finds_a_corrupted_blob(twice, tmp_path):
    db = tmp_path / "copy.db"
    with sqlite3.connect(twice[0]) as src, sqlite3.connect(db) as dst:
        src.backup(dst)
    ok = run_guifan("verify", "--db", str(db))
    assert ok.returncode == 0, ok.stdout + ok.stderr
    conn = sqlite3.connect(db)
    victim = conn.execute("SELECT sha256 FROM blobs ORDER BY sha256 LIMIT 1").fetchone()[0]
    with conn:
        conn.execute("UPDATE blobs SET data = ? WHERE sha256 = ?", (blobs.compress(b"tampered"), victim))
    bad = run_guifan("verify", "--db", str(db))
    assert bad.returncode == 1
    assert f"MISMATCH {victim}" in bad.stdout


def test_warc_export_passes_warcio_and_matches_captures(twice, tmp_path):
    db, warc = twice[0], tmp_path / "archive.warc.gz"
    result = run_guifan("export", "--format", "warc", "--db", str(db), "--out", str(warc))
    assert result.returncode == 0, result.stderr
    written = int(result.stderr.split("exported ")[1].split()[0])
    with Archive(db, readonly=True) as archive:
        exchanges = archive.conn.execute(
            "SELECT f.fetch_id, coalesce(c.final_url, u.url) AS url, f.capture_id FROM fetches f "
            "JOIN urls u ON u.url_id = f.url_id LEFT JOIN captures c USING (capture_id) "
            "WHERE f.capture_id IS NOT NULL OR f.status = 304 ORDER BY fetch_id").fetchall()
        hops, landing = {}, {}
        for fetch_id, url, headers in archive.conn.execute(
                "SELECT fetch_id, url, response_headers FROM redirect_hops ORDER BY fetch_id, position"):
            hops.setdefault(fetch_id, []).append(url)
            landing[fetch_id] = urljoin(url, dict(json.loads(headers))["Location"])
        captures = archive.conn.execute("SELECT count(*) FROM captures").fetchone()[0]
        distinct = archive.conn.execute("SELECT count(DISTINCT sha256) FROM captures").fetchone()[0]
    captured = [e for e in exchanges if e["capture_id"] is not None]
    not_modified = len(exchanges) - len(captured)
    n_hops = sum(len(hops.get(e["fetch_id"], [])) for e in exchanges)
    assert written == len(exchanges) and len(captured) > captures  # the second crawl revisited identical pages
    assert not_modified and n_hops                                  # 304 confirmations and a redirect
    warcio = [sys.executable, "-m", "warcio.cli"]
    check = subprocess.run([*warcio, "check", str(warc)], capture_output=True, text=True)
    assert check.returncode == 0, check.stdout + check.stderr
    index = subprocess.run([*warcio, "index", "-f", "warc-type,warc-target-uri,warc-profile", str(warc)],
                           capture_output=True, text=True)
    records = [json.loads(line) for line in index.stdout.splitlines()]
    types = [r["warc-type"] for r in records]
    assert types.count("warcinfo") == 1
    assert types.count("response") == distinct + n_hops
    assert types.count("revisit") == len(captured) - distinct + not_modified
    assert types.count("request") == len(captured) + n_hops
    assert sum(r.get("warc-profile", "").endswith("/revisit/server-not-modified") for r in records) == not_modified
    answered = [r["warc-target-uri"] for r in records if r["warc-type"] in ("response", "revisit")]
    # A 304 after a redirect (a conditional revisit of a moved page) answers where it landed.
    final = {e["fetch_id"]: e["url"] if e["capture_id"] else landing.get(e["fetch_id"], e["url"]) for e in exchanges}
    assert answered == [u for e in exchanges for u in hops.get(e["fetch_id"], []) + [final[e["fetch_id"]]]]


def test_reparse_never_creates_a_version(twice, tmp_path):
    db = tmp_path / "reparse.db"
    with sqlite3.connect(twice[0]) as src, sqlite3.connect(db) as dst:
        src.backup(dst)
    conn = sqlite3.connect(db)
    versions = conn.execute("SELECT count(*) FROM versions").fetchone()[0]
    doc_id, title = conn.execute("SELECT doc_id, title FROM current ORDER BY doc_id LIMIT 1").fetchone()
    with conn:  # what an older, worse parser might have stored
        conn.execute("UPDATE versions SET title = '旧解析器的标题', extractor_version = 'old' WHERE doc_id = ?",
                     (doc_id,))
    result = run_guifan("reparse", "--db", str(db))
    assert result.returncode == 0, result.stdout + result.stderr
    assert "no source version created" in result.stdout and "title: 1" in result.stdout
    assert conn.execute("SELECT count(*) FROM versions").fetchone()[0] == versions
    row = conn.execute("SELECT title, extractor_version FROM versions WHERE doc_id = ?", (doc_id,)).fetchone()
    assert row[0] == title and row[1] != "old"


def test_kill_9_at_random_moments_leaves_a_consistent_resumable_archive(tmp_path):
    rng = random.Random(20261127)
    db = tmp_path / "killed.db"
    expected = {d.key for d in catalog.documents(day=1) if d.fault in ARCHIVED}
    with DemoPortal(day=1) as portal:
        env = {**os.environ, "PYTHONUNBUFFERED": "1"}
        for _ in range(4):
            proc = subprocess.Popen([sys.executable, "-m", "guifan", *crawl_args(portal, db)], cwd=REPO, env=env,
                                    stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
            time.sleep(rng.uniform(0.8, 3.0))
            proc.send_signal(signal.SIGKILL)
            proc.wait()
            if db.exists():
                conn = sqlite3.connect(db)
                assert conn.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
                conn.close()
        result = run_guifan(*crawl_args(portal, db))
        assert result.returncode == 0, result.stderr
    conn = sqlite3.connect(db)
    assert conn.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
    assert conn.execute("SELECT count(*) FROM current").fetchone()[0] == len(expected)
    assert conn.execute("SELECT count(*) FROM versions WHERE version > 1").fetchone()[0] == 0
    assert conn.execute("SELECT count(*) FROM runs WHERE status = 'running'").fetchone()[0] == 0
    last = conn.execute("SELECT status FROM runs ORDER BY run_id DESC LIMIT 1").fetchone()[0]
    assert last == "completed"


def test_reparse_keeps_what_the_list_said(tmp_path):
    """gkmlpt's validity comes from its JSON list, not the page: a re-parse must keep it."""
    from guifan.demo_portal import PLATFORM_SITES

    db = tmp_path / "gkmlpt.db"
    with DemoPortal(day=1, sites=PLATFORM_SITES) as portal:
        result = run_guifan("crawl", "demo-jinhai", "--db", str(db), "--base-url", portal.base_url("demo-jinhai"))
        assert result.returncode == 0, result.stderr
    conn = sqlite3.connect(db)
    before = conn.execute("SELECT doc_id, validity, doc_number, issuer FROM versions ORDER BY doc_id").fetchall()
    assert {row[1] for row in before} & {"repealed", "expired", "in_force"}
    reparsed = run_guifan("reparse", "--db", str(db))
    assert reparsed.returncode == 0, reparsed.stdout + reparsed.stderr
    assert " 0 changed by the new parsers" in reparsed.stdout
    after = conn.execute("SELECT doc_id, validity, doc_number, issuer FROM versions ORDER BY doc_id").fetchall()
    assert after == before


def test_responses_from_scrapys_http_cache_are_never_fresh_captures(tmp_path):
    db, cache = tmp_path / "cached.db", tmp_path / "httpcache"
    settings = ["-s", "HTTPCACHE_ENABLED=1", "-s", f"HTTPCACHE_DIR={cache}", "-s", "GUIFAN_CONDITIONAL=0"]
    with DemoPortal(day=1) as portal:
        first = run_guifan(*crawl_args(portal, db), *settings)
        assert first.returncode == 0, first.stderr
        captures = sqlite3.connect(db).execute("SELECT count(*) FROM captures").fetchone()[0]
        portal.set_day(2)  # the portal changes, but the cache answers with day 1
        second = run_guifan(*crawl_args(portal, db), *settings)
        assert second.returncode == 0, second.stderr
    conn = sqlite3.connect(db)
    assert conn.execute("SELECT count(*) FROM captures").fetchone()[0] == captures
    assert conn.execute("SELECT count(*) FROM versions WHERE run_id = 2").fetchone()[0] == 0
    cached = conn.execute("SELECT count(*) FROM fetches WHERE run_id = 2 AND reason = 'http_cache'").fetchone()[0]
    assert cached > 0


def test_a_document_no_list_shows_for_n_runs_gets_a_tombstone(tmp_path):
    """Pages that silently leave their column (no 404) are retired after GUIFAN_GONE_AFTER_RUNS runs."""
    from guifan.archive import FetchResult
    from guifan.parsers.record import Document

    listed, dropped = "http://county.example/zwgk/t1.html", "http://county.example/zwgk/t2.html"
    with Archive(tmp_path / "retire.db") as archive:
        for run_no in range(1, 5):
            run = archive.start_run(["county"])
            links = [listed] if run_no > 1 else [listed, dropped]
            archive.record_fetch(run, FetchResult(site="county", kind="list", url="http://county.example/zwgk/",
                                                  status=200, body=b"<ul></ul>" + bytes([run_no]), links=links))
            for url in links:
                doc = Document(url=url, title=url[-7:], body="正文")
                archive.record_fetch(run, FetchResult(site="county", kind="detail", url=url, status=200,
                                                      body=url.encode(), document=doc))
            retired = archive.retire_unlisted(run, "county", after_runs=3)
            archive.finish_run(run, "completed")
            assert retired == ([] if run_no < 4 else [archive.conn.execute(
                "SELECT doc_id FROM documents WHERE url = ?", (dropped,)).fetchone()[0]])
        status = dict(archive.conn.execute("SELECT url, status FROM documents").fetchall())
        gone = archive.conn.execute("SELECT detail FROM events WHERE event = 'gone'").fetchone()[0]
    assert status == {listed: "live", dropped: "gone"}
    assert gone == "not listed in the last 3 runs"


def alive(pids: set[int]) -> set[int]:
    return {p for p in pids if os.path.exists(f"/proc/{p}") and "Z" not in open(f"/proc/{p}/stat").read().split()[2]}


def crawl_with_one_worker(portal, db) -> subprocess.Popen:
    return subprocess.Popen([sys.executable, "-m", "guifan", *crawl_args(portal, db), "--set=GUIFAN_EXTRACT_PROCESSES=1"],
                            cwd=REPO, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)


def helpers_of(crawl_pid: int) -> set[int]:
    """What the crawl's forkserver has forked: extraction workers and the archive writer."""
    by_parent = machine.children()
    return {pid for server in by_parent.get(crawl_pid, []) for pid in by_parent.get(server, [])}


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="reads the process tree from /proc")
def test_a_killed_crawl_leaves_no_extraction_process_behind(tmp_path):
    """Extraction workers (crawler/offload.py) end on their own when their crawl is SIGKILLed."""
    db = tmp_path / "orphans.db"
    with DemoPortal(day=1) as portal:
        proc = crawl_with_one_worker(portal, db)
        deadline, helpers = time.monotonic() + 60, set()
        while time.monotonic() < deadline and proc.poll() is None:
            helpers = set(machine.process_tree(proc.pid)[1:])
            if len(helpers_of(proc.pid)) >= 2:  # the writer, and the pool's worker (first detail page)
                break
            time.sleep(0.05)
        assert proc.poll() is None and helpers, "the crawl ended before its extraction pool started"
        proc.send_signal(signal.SIGKILL)
        proc.wait()
        deadline = time.monotonic() + 15
        while alive(helpers) and time.monotonic() < deadline:
            time.sleep(0.2)
    assert not alive(helpers), f"left behind: {sorted(alive(helpers))}"


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="reads the process tree from /proc")
def test_the_sites_of_one_crawl_share_its_helper_processes(tmp_path):
    """Two sites in one `guifan crawl`: one extraction pool, one attachment reader and one archive
    writer, not one of each per site."""
    db = tmp_path / "shared.db"
    with DemoPortal(day=1) as portal:
        proc = crawl_with_one_worker(portal, db)
        helpers: set[int] = set()
        while proc.poll() is None:
            helpers |= helpers_of(proc.pid)
            time.sleep(0.02)
    assert proc.returncode == 0
    assert len(helpers) == 3, (f"expected one extraction worker, one attachment reader and one writer, "
                               f"saw {len(helpers)} helpers")
