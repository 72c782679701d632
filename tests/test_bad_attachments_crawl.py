"""A crawl of demo-kanxi, whose attachments include bad files between good ones: a corrupt DOC,
an encrypted PDF, a 300-page scan, a DOCX bomb, a ZIP of ZIP bombs, a PDF claiming 10,000 pages.

Real HTTP on loopback, real Scrapy (`guifan crawl` in a child process, as a user runs it) with
its attachment worker, real LibreOffice and Tesseract, a real SQLite file. Each bad file must
get its own clear outcome in the archive, every document must be archived, the good files
must have their text, and the crawl must end in bounded time with its whole process tree
(crawl, forkserver, workers, writer, LibreOffice, Tesseract, pdftoppm) under a memory bound.
"""
from __future__ import annotations

import json
import os
import resource
import subprocess
import sys
import time
from pathlib import Path

import pytest

from guifan.demo_portal import DemoPortal
from guifan.demo_portal import bad_files as demo
from guifan.demo_portal.world import BAD_FILE_SITES
from guifan.parsers.ocr import OcrSettings, ocr_missing
from guifan.parsers.office_convert import OfficeConverter
from tests.conftest import REPO, base_urls, row_connection

# The reading of DOCs needs LibreOffice and the scan needs Tesseract: without them those two
# outcomes are `unsupported`/`no_text`, not what this test is about.
pytestmark = [
    pytest.mark.skipif(OfficeConverter().missing() is not None, reason=f"needs {OfficeConverter().missing()}"),
    pytest.mark.skipif(ocr_missing(OcrSettings()) is not None or demo.attachment_site.font_file() is None,
                       reason="needs Tesseract with chi_sim and fonts-noto-cjk (make system-deps)"),
]

OCR_PAGES = 3                    # GUIFAN_OCR_MAX_PAGES for this crawl: the default 20 costs ~30 s more
TIME_BOUND = 120                 # seconds for the whole crawl (measured: ~12 s on 2 shared cores)
MEMORY_BOUND = 1 << 30           # bytes: the sum of RSS over the crawl's process tree at its peak
REQUESTS_BOUND = 30              # list + 10 pages + 10 attachments + robots.txt, with room for retries


def tree_rss(root: int) -> int:
    """Resident bytes of `root` and every process under it now (shared pages counted in each:
    an upper bound)."""
    children: dict[int, list[int]] = {}
    for entry in os.scandir("/proc"):
        if entry.name.isdigit():
            try:
                stat = Path(entry.path, "stat").read_text()
            except OSError:
                continue
            ppid = int(stat.rsplit(")", 1)[1].split()[1])
            children.setdefault(ppid, []).append(int(entry.name))
    total, todo = 0, [root]
    while todo:
        pid = todo.pop()
        todo += children.get(pid, [])
        try:
            status = Path(f"/proc/{pid}/status").read_text()
        except OSError:
            continue
        total += next((int(line.split()[1]) * 1024 for line in status.splitlines() if line.startswith("VmRSS:")), 0)
    return total


def measured_crawl(args: list[str], timeout: float) -> dict:
    """`guifan crawl ARGS` in a child process, sampling its tree's RSS every 50 ms; also the
    kernel's peak RSS of the largest single process in it (wait4), which sampling may miss."""
    env = {**os.environ, "PYTHONUNBUFFERED": "1"}
    started = time.monotonic()
    child = subprocess.Popen([sys.executable, "-m", "guifan", "crawl", *args], cwd=REPO, env=env,
                             stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    peak = 0
    try:
        while child.poll() is None:
            if time.monotonic() - started > timeout:
                child.kill()
                raise AssertionError(f"the crawl did not end within {timeout} s")
            peak = max(peak, tree_rss(child.pid))
            time.sleep(0.05)
    finally:
        stdout, stderr = child.communicate()
    largest = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss * 1024
    return {"returncode": child.returncode, "stdout": stdout, "stderr": stderr,
            "seconds": time.monotonic() - started, "peak_tree_rss": peak, "largest_process_rss": largest}


@pytest.fixture(scope="module")
def kanxi(tmp_path_factory):
    db = tmp_path_factory.mktemp("kanxi") / "k.db"
    with DemoPortal(sites=BAD_FILE_SITES) as portal:
        for doc in demo.documents():          # made before the crawl: its clock is not the server's
            demo.attachment_bytes(doc.path)
        run = measured_crawl(["demo-kanxi", "--db", str(db), *base_urls(portal, BAD_FILE_SITES),
                              "-s", f"GUIFAN_OCR_MAX_PAGES={OCR_PAGES}"], TIME_BOUND)
        print(f"\ncrawl of demo-kanxi: {run['seconds']:.1f} s, peak RSS of its process tree "
              f"{run['peak_tree_rss'] / 2**20:.0f} MiB, largest process {run['largest_process_rss'] / 2**20:.0f} MiB")
        assert run["returncode"] == 0, run["stderr"][-3000:]
        run["requests"] = [(path, status) for site, _, path, status in portal.request_log if site == demo.SITE_NAME]
        conn = row_connection(db)
        yield db, conn, portal, run
    conn.close()


def attachment_row(conn, portal, key) -> dict:
    url = portal.base_url(demo.SITE_NAME) + demo.doc_of(key).path
    row = conn.execute("SELECT * FROM attachments WHERE url = ?", (url,)).fetchone()
    assert row is not None, f"{key}: not fetched"
    return dict(row)


def test_every_document_is_archived_after_each_bad_file(kanxi):
    _, conn, portal, _ = kanxi
    archived = {r["url"]: r["title"] for r in conn.execute("SELECT url, title FROM current")}
    for doc in demo.documents():
        page = portal.base_url(demo.SITE_NAME) + doc.entry.doc.path
        assert archived.get(page) == doc.entry.doc.title, doc.kind
    assert conn.execute("SELECT count(*) FROM attachments").fetchone()[0] == len(demo.documents())


@pytest.mark.parametrize("key", sorted(demo.OUTCOMES))
def test_each_bad_file_has_its_own_clear_outcome(kanxi, key):
    _, conn, portal, _ = kanxi
    row = attachment_row(conn, portal, key)
    status, flags, words = demo.OUTCOMES[key]
    assert row["text_status"] == status and words in (row["reason"] or ""), row
    assert set(flags) <= set(json.loads(row["flags"])), row
    assert row["sha256"] and row["size"] == len(demo.attachment_bytes(demo.doc_of(key).path))  # the bytes are kept


def test_the_300_page_scan_is_read_up_to_the_ocr_page_limit(kanxi):
    _, conn, portal, _ = kanxi
    row = attachment_row(conn, portal, "scan-300")
    assert row["pages"] == demo.SCAN_PAGES
    assert f"OCR read {OCR_PAGES} of {demo.SCAN_PAGES}" in row["reason"]
    assert "规范性文件" in row["text"] and row["confidence"] > 50
    pages = conn.execute("SELECT page_confidence FROM attachment_texts WHERE sha256 = ?", (row["sha256"],)).fetchone()
    assert [n for n, _ in json.loads(pages[0])] == list(range(1, OCR_PAGES + 1))


@pytest.mark.parametrize("key", demo.GOOD)
def test_good_files_between_the_bad_ones_have_their_text(kanxi, key):
    _, conn, portal, _ = kanxi
    row = attachment_row(conn, portal, key)
    assert row["text_status"] == "ok", row["reason"]
    unwrapped = row["text"].replace("\n", "")      # the PDF wraps its lines at 36 characters
    for line in demo.doc_of(key).lines:
        assert line in unwrapped, (key, line)


def test_the_full_text_of_a_bad_files_page_is_its_body(kanxi):
    _, conn, portal, _ = kanxi
    doc = demo.doc_of("pdf-10000")
    current = conn.execute("SELECT body, full_text FROM current WHERE url = ?",
                           (portal.base_url(demo.SITE_NAME) + doc.entry.doc.path,)).fetchone()
    assert current["body"] == doc.entry.doc.body
    assert current["full_text"].startswith(current["body"])


def test_the_crawl_ends_in_bounded_time_memory_and_requests(kanxi):
    _, _, portal, run = kanxi
    assert run["seconds"] < TIME_BOUND
    assert 0 < run["peak_tree_rss"] < MEMORY_BOUND, f"{run['peak_tree_rss'] / 2**20:.0f} MiB"
    assert run["largest_process_rss"] < MEMORY_BOUND
    assert len(run["requests"]) <= REQUESTS_BOUND
    files = [path for path, _ in run["requests"] if path in demo.by_path()]
    assert sorted(files) == sorted(demo.by_path())          # each file fetched once: no retry loop on a bad one
