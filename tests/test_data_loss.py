"""Lose nothing (issue 17): a full disk, a lock held by another process, an export aimed at
the archive itself, and archives on read-only media.

Real crawls of the demo portal into real SQLite files on real (small, size-limited) file
systems: the disk-full tests mount a tmpfs of their own, which needs root. CI runs as root
and sets GUIFAN_REQUIRE_MOUNT=1, so there a mount that fails is a failure, not a skip.
"""
from __future__ import annotations

import contextlib
import os
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest

from guifan.demo_portal import SITES, DemoPortal, catalog

from .conftest import REPO, base_urls, row_connection, run_guifan

ARCHIVED = (None, "redirect", "malformed", "unavailable_once", "wrong_charset")  # faults that still archive


@contextlib.contextmanager
def tmpfs(path: Path, size: str):
    """A tmpfs of `size` at `path`, unmounted afterwards (skips where mounting is impossible)."""
    path.mkdir(parents=True, exist_ok=True)
    why = None
    if os.geteuid() != 0:
        why = "mounting a size-limited tmpfs needs root"
    else:
        done = subprocess.run(["mount", "-t", "tmpfs", "-o", f"size={size}", "tmpfs", str(path)],
                              capture_output=True, text=True)
        if done.returncode != 0:
            why = f"cannot mount a tmpfs here: {done.stderr.strip()}"
    if why:
        if os.environ.get("GUIFAN_REQUIRE_MOUNT"):
            pytest.fail(why)
        pytest.skip(why)
    try:
        yield path
    finally:
        subprocess.run(["umount", "-l", str(path)], capture_output=True)


def remount(path: Path, **options: str) -> None:
    opts = ",".join(["remount", *(f"{k}={v}" for k, v in options.items())])
    subprocess.run(["mount", "-o", opts, str(path)], check=True, capture_output=True)


def crawl(portal, db, *options: str) -> subprocess.CompletedProcess:
    return run_guifan("crawl", *SITES, "--db", str(db), *base_urls(portal), *options, timeout=180)


def runs(db) -> list[sqlite3.Row]:
    with contextlib.closing(row_connection(db)) as conn:
        return conn.execute("SELECT run_id, status, reason FROM runs ORDER BY run_id").fetchall()


def archivable(day: int) -> int:
    return len([d for d in catalog.documents(day=day) if d.fault in ARCHIVED])


def assert_clean_stderr(stderr: str) -> None:
    """One clear line about the archive, not a traceback per item or raw page bytes."""
    assert "Traceback" not in stderr, stderr[-3000:]
    assert "cannot rollback" not in stderr
    assert "body=b'" not in stderr and "\\x" not in stderr


# -- a full disk -------------------------------------------------------------------------

def test_full_disk_fails_the_run_and_the_next_run_recovers(portal, tmp_path):
    with tmpfs(tmp_path / "disk", "1m") as disk:
        db = disk / "a.db"
        result = crawl(portal, db)
        assert result.returncode == 1, result.stdout
        assert "the disk is full" in result.stderr
        assert_clean_stderr(result.stderr)
        [run] = runs(db)
        assert run["status"] == "failed" and "disk is full" in run["reason"]
        assert "completed" not in result.stdout
        assert "a.db-reserve" not in [p.name for p in disk.iterdir()]  # the reserve was freed

        remount(disk, size="64m")                        # space freed: the next run recovers
        again = crawl(portal, db)
        assert again.returncode == 0, again.stderr
        assert [r["status"] for r in runs(db)] == ["failed", "completed"]
        with contextlib.closing(row_connection(db)) as conn:
            assert conn.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
            live = conn.execute("SELECT count(*) FROM documents WHERE status = 'live'").fetchone()[0]
            gone = conn.execute("SELECT count(*) FROM events WHERE event = 'gone'").fetchone()[0]
        assert live == archivable(day=1) and gone == 0


def test_full_disk_on_day_two_retires_nothing_and_the_next_run_records_the_changes(tmp_path):
    with tmpfs(tmp_path / "disk", "24m") as disk, DemoPortal(day=1) as portal:
        db = disk / "a.db"
        assert crawl(portal, db).returncode == 0
        portal.set_day(2)
        filler = disk / "filler"
        free = os.statvfs(disk).f_bavail * os.statvfs(disk).f_frsize
        filler.write_bytes(b"\0" * max(0, free - 600 * 1024))  # leave 600 KiB: day 2 needs more
        short = ("--set=GUIFAN_GONE_AFTER_RUNS=1",)
        result = crawl(portal, db, *short)
        assert result.returncode == 1 and "the disk is full" in result.stderr
        assert_clean_stderr(result.stderr)
        assert runs(db)[-1]["status"] == "failed", result.stderr[-2000:]
        with contextlib.closing(row_connection(db)) as conn:
            retired = conn.execute("SELECT count(*) FROM events WHERE event = 'gone' AND run_id = 2 "
                                   "AND detail LIKE 'not listed%'").fetchone()[0]
        assert retired == 0                              # its own failure says nothing about the site

        filler.unlink()
        again = crawl(portal, db, *short)
        assert again.returncode == 0, again.stderr
        with contextlib.closing(row_connection(db)) as conn:
            changed = conn.execute("SELECT count(*) FROM documents WHERE current_version > 1").fetchone()[0]
            live = conn.execute("SELECT count(*) FROM documents WHERE status = 'live'").fetchone()[0]
        assert changed == 4                              # three edits and one repeal (demo_portal/README.md)
        assert live == archivable(day=2)


# -- a lock held by another process mid-crawl -----------------------------------------------

HOLD_LOCK = """
import sqlite3, sys, time
conn = sqlite3.connect(sys.argv[1], isolation_level=None)
conn.execute("BEGIN IMMEDIATE")
print("locked", flush=True)
time.sleep(float(sys.argv[2]))
conn.execute("ROLLBACK")
"""


def wait_for_fetches(db: Path, crawl_process, timeout: float = 60) -> None:
    import time

    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline and crawl_process.poll() is None:
        with contextlib.suppress(sqlite3.Error):
            with contextlib.closing(sqlite3.connect(f"file:{db}?mode=ro", uri=True)) as conn:
                if conn.execute("SELECT count(*) FROM fetches").fetchone()[0]:
                    return
        time.sleep(0.05)
    pytest.fail("the crawl wrote no fetch")


def test_a_lock_held_mid_crawl_is_waited_for_and_its_holder_named(portal, tmp_path):
    db = tmp_path / "locked.db"
    env = {**os.environ, "PYTHONUNBUFFERED": "1"}
    cmd = [sys.executable, "-m", "guifan", "crawl", *SITES, "--db", str(db), *base_urls(portal)]
    crawl_process = subprocess.Popen(cmd, cwd=REPO, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                                     text=True)
    wait_for_fetches(db, crawl_process)
    # Longer than SQLite's busy timeout and the 10 s the writer used to wait before giving up.
    holder = subprocess.Popen([sys.executable, "-c", HOLD_LOCK, str(db), "12"], stdout=subprocess.PIPE, text=True)
    assert holder.stdout.readline().strip() == "locked"
    out, err = crawl_process.communicate(timeout=120)
    holder.wait(timeout=30)
    assert crawl_process.returncode == 0, err[-3000:]
    assert f"locked by process {holder.pid}" in err
    assert_clean_stderr(err)
    assert [r["status"] for r in runs(db)] == ["completed"]
    with contextlib.closing(row_connection(db)) as conn:
        live = conn.execute("SELECT count(*) FROM documents WHERE status = 'live'").fetchone()[0]
    assert live == archivable(day=1)


# -- an export aimed at the archive --------------------------------------------------------

def copy_of(crawled, path: Path) -> Path:
    """A private copy of the crawled archive (a test that fails must not break the shared one)."""
    source = sqlite3.connect(crawled[0])
    with contextlib.closing(sqlite3.connect(path)) as target:
        source.backup(target)
    source.close()
    return path


def digest(path: Path) -> str:
    import hashlib

    return hashlib.sha256(path.read_bytes()).hexdigest()


@pytest.mark.parametrize("command", [
    ["export", "--out", "{db}"],
    ["export", "--format", "jsonl", "--out", "{db}-wal"],
    ["export", "--out", "{db}-shm"],
    ["export", "--format", "warc", "--out", "{db}"],
    ["export", "--out", "{link}"],                       # another name for the same file
    ["export", "--out", "{dotted}"],
    ["report", "--html", "{db}"],
], ids=["csv", "jsonl-over-wal", "over-shm", "warc", "symlink", "dotted-path", "report-html"])
def test_an_export_over_the_archive_is_refused_and_the_archive_kept(crawled, tmp_path, command):
    db = copy_of(crawled, tmp_path / "a.db")
    (tmp_path / "link.db").symlink_to(db)
    names = {"db": str(db), "link": str(tmp_path / "link.db"), "dotted": str(tmp_path / "." / "sub" / ".." / "a.db")}
    (tmp_path / "sub").mkdir()
    before = digest(db)
    result = run_guifan(*[part.format(**names) for part in command], "--db", str(db))
    assert result.returncode == 1
    assert "refusing to write" in result.stderr and "Traceback" not in result.stderr
    assert digest(db) == before
    with contextlib.closing(row_connection(db)) as conn:
        assert conn.execute("PRAGMA integrity_check").fetchone()[0] == "ok"



# -- archives on read-only media -------------------------------------------------------------

@pytest.fixture
def read_only_archive(crawled, tmp_path):
    """The crawled archive (never searched: no index in the file) on a file system mounted read-only."""
    with tmpfs(tmp_path / "ro", "32m") as media:
        db = copy_of(crawled, media / "a.db")
        with contextlib.closing(sqlite3.connect(db)) as conn:   # as a copy tool would leave it: no index
            for kind, name in conn.execute("SELECT type, name FROM sqlite_master WHERE name LIKE 'search%' "
                                           "AND type IN ('table', 'trigger')").fetchall():
                conn.execute(f"DROP {kind} IF EXISTS {name}")
        subprocess.run(["mount", "-o", "remount,ro", str(media)], check=True)
        assert sorted(p.name for p in media.iterdir()) == ["a.db"]
        yield db


def test_a_read_only_archive_is_searched_exported_and_read(read_only_archive, tmp_path):
    db = str(read_only_archive)
    found = run_guifan("search", "教育", "--db", db, "--format", "json")
    assert found.returncode == 0, found.stderr
    assert found.stdout.count("\n") >= 1 and "教育" in found.stdout
    assert "read-only" in found.stderr                 # it says the index was built in memory

    out = tmp_path / "docs.csv"
    exported = run_guifan("export", "--db", db, "--out", str(out), "--query", "教育")
    assert exported.returncode == 0, exported.stderr
    assert out.read_text(encoding="utf-8-sig").count("\n") > 1
    warc = run_guifan("export", "--db", db, "--format", "warc", "--out", str(tmp_path / "a.warc.gz"))
    assert warc.returncode == 0, warc.stderr

    doc_id = found.stdout.split('"doc_id": "', 1)[1].split('"', 1)[0]
    for command in (["show", doc_id], ["history", doc_id], ["runs"], ["report"], ["verify"]):
        result = run_guifan(*command, "--db", db)
        assert result.returncode == 0, (command, result.stderr)
    assert sorted(p.name for p in read_only_archive.parent.iterdir()) == ["a.db"]


def test_a_read_only_archive_is_served(read_only_archive):
    """Datasette on read-only media: pages and documents answer; the search page says why it cannot."""
    import urllib.request

    proc = subprocess.Popen([sys.executable, "-m", "guifan", "serve", "--db", str(read_only_archive), "-p", "0"],
                            cwd=REPO, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        line = proc.stdout.readline()
        assert "Serving" in line, proc.stderr.read() if proc.poll() is not None else line
        base = line.split(" at ", 1)[1].split()[0]
        for path in ("", "archive/current", "archive/documents?_size=5"):
            with urllib.request.urlopen(base + path, timeout=30) as response:
                assert response.status == 200, path
    finally:
        proc.terminate()
        proc.wait(timeout=20)
    assert sorted(p.name for p in read_only_archive.parent.iterdir()) == ["a.db"]


def test_a_writer_on_read_only_media_says_why(read_only_archive):
    result = run_guifan("crawl", "demo-qingshi", "--db", str(read_only_archive))
    assert result.returncode == 1 and "the file system is read-only" in result.stderr


# -- smaller items ------------------------------------------------------------------------------

@pytest.mark.parametrize("command", [
    ["crawl", "demo-qingshi", "-s", "NOT_A_PAIR"],
    ["demo", "--set", "=1"],
    ["crawl", "demo-qingshi", "--base-url", "demo-yunxi=http://127.0.0.1:1/"],
    ["crawl", "no-such-site"],
], ids=["crawl-set", "demo-set", "crawl-base-url", "unknown-site"])
def test_an_argument_error_leaves_no_archive_behind(tmp_path, command):
    db = tmp_path / "new.db"
    result = run_guifan(*command, "--db", str(db), timeout=60)
    assert result.returncode == 1 and result.stderr.startswith("guifan: error:")
    assert list(tmp_path.iterdir()) == []


def test_a_second_crawl_of_a_site_being_crawled_is_refused(portal, tmp_path):
    import signal

    db = tmp_path / "busy.db"
    slow = ["--set=GUIFAN_RELAX_LOOPBACK=False", "--set=DOWNLOAD_DELAY=0.2", "--set=AUTOTHROTTLE_ENABLED=False",
            "--set=RANDOMIZE_DOWNLOAD_DELAY=False"]
    first = subprocess.Popen([sys.executable, "-m", "guifan", "crawl", "demo-qingshi", "--db", str(db),
                              *base_urls(portal, ["demo-qingshi"]), *slow], cwd=REPO,
                             stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        wait_for_fetches(db, first)
        second = run_guifan("crawl", "demo-qingshi", "demo-yunxi", "--db", str(db), *base_urls(portal), timeout=60)
        assert second.returncode == 1
        assert "demo-qingshi is being crawled" in second.stderr and f"process {first.pid}" in second.stderr
        assert "run 1" in second.stderr
        assert [r["status"] for r in runs(db)] == ["running"]   # the refused crawl opened no run
    finally:
        first.send_signal(signal.SIGINT)
        first.communicate(timeout=60)
    assert [r["status"] for r in runs(db)] == ["interrupted"]


def test_the_progress_lines_add_up_to_the_summary(crawled):
    import re

    result = crawled[2]
    finals = [line for line in result.stderr.splitlines() if line.endswith("— finished")]
    assert len(finals) == len(SITES)
    numbers = [list(map(int, re.findall(r"\d+", line.split(":", 1)[1]))) for line in finals]
    per_run = [sum(column) for column in zip(*numbers)]
    summary = result.stdout
    fetched = re.search(r"pages fetched:\s+(\d+) \((\d+) list pages, (\d+) detail pages, (\d+) attachments", summary)
    documents = re.search(r"\((\d+) new, (\d+) changed, (\d+) unchanged, (\d+) not_modified, (\d+) gone this run",
                          summary)
    failures = sum(int(n) for n in re.findall(r"×(\d+)", summary.split("failed/blocked:", 1)[1]))
    assert per_run == [*map(int, fetched.groups()), *map(int, documents.groups()), failures]


def test_a_writer_that_gives_up_on_the_lock_says_who_holds_it(tmp_path):
    from guifan.archive import Archive
    from guifan.archive.errors import ArchiveLocked

    db = tmp_path / "held.db"
    Archive(db).close()
    holder = subprocess.Popen([sys.executable, "-c", HOLD_LOCK, str(db), "30"], stdout=subprocess.PIPE, text=True)
    try:
        assert holder.stdout.readline().strip() == "locked"
        with pytest.raises(ArchiveLocked) as caught:  # opening for writing takes the lock already
            Archive(db, lock_wait=3)
        assert f"locked by process {holder.pid} (" in str(caught.value) and "gave up" in str(caught.value)
    finally:
        holder.kill()
        holder.wait()
