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
import signal
import subprocess
import sys
import threading
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


def processes() -> dict[int, tuple[int, str]]:
    """pid -> (parent pid, command name) of every process now."""
    out = {}
    for entry in os.scandir("/proc"):
        if entry.name.isdigit():
            try:
                stat = Path(entry.path, "stat").read_text()
            except OSError:
                continue
            name, rest = stat[stat.index("(") + 1:stat.rindex(")")], stat[stat.rindex(")") + 2:].split()
            out[int(entry.name)] = (int(rest[1]), name)
    return out


def tree(root: int, table: dict[int, tuple[int, str]]) -> list[int]:
    children: dict[int, list[int]] = {}
    for pid, (ppid, _) in table.items():
        children.setdefault(ppid, []).append(pid)
    found, todo = [], [root]
    while todo:
        pid = todo.pop()
        found.append(pid)
        todo += children.get(pid, [])
    return found


def rss(pid: int) -> int:
    try:
        status = Path(f"/proc/{pid}/status").read_text()
    except OSError:
        return 0
    return next((int(line.split()[1]) * 1024 for line in status.splitlines() if line.startswith("VmRSS:")), 0)


def measured_crawl(args: list[str], timeout: float, watch=None) -> dict:
    """`guifan crawl ARGS` in a child process, sampling the RSS of its whole process tree every
    50 ms (shared pages counted in each process: an upper bound; a spike shorter than 50 ms can
    be missed). Also the kernel's peak RSS (wait4) of the crawl process and the descendants
    it reaped itself — not those its forkserver or LibreOffice's bridge reap, so this one is
    no bound on the tree. `watch(table, pids)` is called with each sample."""
    env = {**os.environ, "PYTHONUNBUFFERED": "1"}
    started = time.monotonic()
    child = subprocess.Popen([sys.executable, "-m", "guifan", "crawl", *args], cwd=REPO, env=env,
                             stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    peak, stdout, stderr = 0, [], []
    readers = [threading.Thread(target=lambda s=s, out=out: out.append(s.read()), daemon=True)
               for s, out in ((child.stdout, stdout), (child.stderr, stderr))]
    for reader in readers:
        reader.start()
    while True:
        pid, status, usage = os.wait4(child.pid, os.WNOHANG)   # its own rusage: not pytest's other children
        if pid:
            child.returncode = os.waitstatus_to_exitcode(status)
            break
        if time.monotonic() - started > timeout:
            child.kill()
            raise AssertionError(f"the crawl did not end within {timeout} s")
        table = processes()
        pids = tree(child.pid, table)
        peak = max(peak, sum(rss(pid) for pid in pids))
        if watch:
            watch(table, pids)
        time.sleep(0.05)
    for reader in readers:
        reader.join()
    largest = usage.ru_maxrss * 1024
    return {"returncode": child.returncode, "stdout": "".join(stdout), "stderr": "".join(stderr),
            "seconds": time.monotonic() - started, "peak_tree_rss": peak, "crawl_process_rss": largest}


@pytest.fixture(scope="module")
def portal():
    with DemoPortal(sites=BAD_FILE_SITES) as p:
        for doc in demo.documents():          # made before the crawls: not counted in their time
            demo.attachment_bytes(doc.path)
        yield p


def crawl(portal, db, *options, watch=None) -> dict:
    before = len(portal.request_log)
    run = measured_crawl(["demo-kanxi", "--db", str(db), *base_urls(portal, BAD_FILE_SITES), *options],
                         TIME_BOUND, watch)
    print(f"\ncrawl of demo-kanxi {' '.join(options)}: {run['seconds']:.1f} s, peak RSS of its process tree "
          f"{run['peak_tree_rss'] / 2**20:.0f} MiB, crawl process {run['crawl_process_rss'] / 2**20:.0f} MiB")
    assert run["returncode"] == 0, run["stderr"][-3000:]
    run["requests"] = [(path, status) for site, _, path, status in portal.request_log[before:]
                       if site == demo.SITE_NAME]
    return run


@pytest.fixture(scope="module")
def kanxi(portal, tmp_path_factory):
    db = tmp_path_factory.mktemp("kanxi") / "k.db"
    run = crawl(portal, db, "-s", f"GUIFAN_OCR_MAX_PAGES={OCR_PAGES}")
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
    assert run["crawl_process_rss"] < MEMORY_BOUND
    assert len(run["requests"]) <= REQUESTS_BOUND
    files = [path for path, _ in run["requests"] if path in demo.by_path()]
    assert sorted(files) == sorted(demo.by_path())          # each file fetched once: no retry loop on a bad one


# -- the crawl's own bounds: a read that runs too long, a worker that dies -----------------------

def assert_the_rest_is_read(conn, portal, but: str) -> None:
    for key in demo.GOOD:
        assert attachment_row(conn, portal, key)["text_status"] == "ok", key
    for key, (status, _, words) in demo.OUTCOMES.items():
        if key != but:
            row = attachment_row(conn, portal, key)
            assert row["text_status"] == status and words in row["reason"], row
    assert conn.execute("SELECT count(*) FROM current").fetchone()[0] == len(demo.documents())


def test_a_read_past_the_attachment_timeout_is_stopped_and_the_crawl_goes_on(portal, tmp_path):
    """OCR of all 300 pages of the scan takes far longer than a timeout of 8 s on any machine
    (Tesseract alone loads chi_sim for each page); every other file reads well within it."""
    db = tmp_path / "t.db"
    run = crawl(portal, db, "-s", "GUIFAN_ATTACHMENT_TIMEOUT=8", "-s", f"GUIFAN_OCR_MAX_PAGES={demo.SCAN_PAGES}")
    conn = row_connection(db)
    row = attachment_row(conn, portal, "scan-300")
    assert (row["text_status"], row["kind"]) == ("error", "pdf")
    assert row["reason"].startswith("reading stopped after 8 s (GUIFAN_ATTACHMENT_TIMEOUT)")
    assert_the_rest_is_read(conn, portal, but="scan-300")
    assert run["peak_tree_rss"] < MEMORY_BOUND


def test_a_worker_killed_mid_read_is_replaced_and_the_file_read_again(portal, tmp_path):
    """SIGKILL the attachment worker while it OCRs the scan, as the out-of-memory killer would."""
    killed, limits = [], []

    def kill_the_ocr_worker(table, pids):
        ocr = [p for p in pids if table[p][1] in ("tesseract", "pdftoppm")]
        if ocr and not killed:
            worker = table[ocr[0]][0]
            limits.append(Path(f"/proc/{worker}/limits").read_text())
            os.kill(worker, signal.SIGKILL)
            killed.append(worker)

    db = tmp_path / "k.db"
    run = crawl(portal, db, "-s", f"GUIFAN_OCR_MAX_PAGES={OCR_PAGES}", watch=kill_the_ocr_worker)
    assert killed, "the scan's OCR was never seen"
    # The worker ran under GUIFAN_ATTACHMENT_MEMORY_MB (3072 by default) as its soft address-space limit.
    space = next(line for line in limits[0].splitlines() if line.startswith("Max address space")).split()
    assert space[3] == str(3072 << 20), space
    assert "the attachment worker died reading" in run["stderr"]
    conn = row_connection(db)
    row = attachment_row(conn, portal, "scan-300")
    assert row["text_status"] == "ok" and f"OCR read {OCR_PAGES} of" in row["reason"]
    assert_the_rest_is_read(conn, portal, but="")
