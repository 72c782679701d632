"""`guifan serve`: the archive in Datasette, read-only, searched in Chinese from a real browser."""
from __future__ import annotations

import hashlib
import json
import os
import subprocess
import sys
import time
import urllib.error
import urllib.parse
import urllib.request
from pathlib import Path

import pytest

from guifan.archive import cjk_text
from guifan.demo_portal import SITES, DemoPortal

from .conftest import REPO, crawl_to_archive

CHROMIUM = "/usr/bin/chromium"
ARTIFACTS = REPO / "artifacts"


@pytest.fixture(scope="module")
def two_day_archive(tmp_path_factory) -> Path:
    """The demo portal crawled on day 1 and day 2 by the real CLI, so documents have history."""
    db = tmp_path_factory.mktemp("serve") / "demo.db"
    with DemoPortal(day=1) as portal:
        for day in (1, 2):
            portal.set_day(day)
            crawl_to_archive(db, portal, SITES)
    return db


@pytest.fixture(scope="module")
def server(two_day_archive):
    proc = subprocess.Popen([sys.executable, "-m", "guifan", "serve", "--db", str(two_day_archive), "-p", "0"],
                            cwd=REPO, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                            env={**os.environ, "PYTHONUNBUFFERED": "1"})
    try:
        line = proc.stdout.readline()
        assert "read-only at http://127.0.0.1:" in line, line + proc.stderr.read()
        url = line.split(" at ", 1)[1].split()[0]
        _wait_until_up(url)
        yield url
    finally:
        proc.terminate()
        proc.wait(timeout=10)


def _wait_until_up(url: str) -> None:
    deadline = time.monotonic() + 15
    while True:
        try:
            urllib.request.urlopen(url, timeout=2).read()
            return
        except OSError:
            if time.monotonic() > deadline:
                raise
            time.sleep(0.1)


def get(url: str) -> tuple[int, str]:
    try:
        with urllib.request.urlopen(url, timeout=10) as r:
            return r.status, r.read().decode("utf-8")
    except urllib.error.HTTPError as exc:
        return exc.code, exc.read().decode("utf-8")


def file_digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def test_search_page_takes_chinese_in_either_script(server):
    status, page = get(server + "-/search?" + urllib.parse.urlencode({"q": "規範"}))
    assert status == 200 and "<mark>规范</mark>" in page
    status, page = get(server + "-/search?" + urllib.parse.urlencode({"q": '"教育'}))
    assert status == 200 and "unbalanced double quote" in page
    status, rows = get(server + "archive/search.json?" + urllib.parse.urlencode({"q": "管理", "_shape": "array"}))
    assert status == 200 and json.loads(rows) and all("<mark>" in r["snippet"] for r in json.loads(rows))


def test_search_results_download_as_excel_safe_csv(server):
    import csv
    import io

    status, page = get(server + "-/search?" + urllib.parse.urlencode({"q": "管理"}))
    assert status == 200 and "/-/export.csv?q=" in page
    with urllib.request.urlopen(server + "-/export.csv?" + urllib.parse.urlencode({"q": "管理"}), timeout=30) as r:
        assert "attachment" in r.headers["content-disposition"]
        data = r.read()
    assert data[:3] == b"\xef\xbb\xbf"
    rows = list(csv.DictReader(io.StringIO(data.decode("utf-8-sig"), newline="")))
    assert rows and all(cjk_text.contains(r["title"] + "\n" + r["body"], "管理") for r in rows)
    status, lines = get(server + "-/export.jsonl?" + urllib.parse.urlencode({"q": "管理", "validity": "in_force"}))
    records = [json.loads(x) for x in lines.splitlines()]
    # --validity is the computed validity today (archive.validity), as in `guifan search`.
    assert status == 200 and records and {r["computed_validity"] for r in records} == {"in_force"}
    assert get(server + "-/export.csv?" + urllib.parse.urlencode({"q": '"管理'}))[0] == 400


def test_facets_and_bilingual_labels(server):
    status, page = get(server + "archive/current")
    assert status == 200
    for facet in ("site", "issuer", "year", "doc_type", "validity"):
        assert f'data-column="{facet}"' in page
    assert "文种 · Document type" in page and "有效性 · Validity" in page


def test_nothing_can_be_written(server, two_day_archive):
    before = file_digest(two_day_archive)
    for sql in ["insert into sites(name, profile) values ('x', '{}')", "delete from versions",
                "update documents set status = 'gone'", "drop table search_fts", "pragma query_only = 0"]:
        status, _ = get(server + "archive.json?" + urllib.parse.urlencode({"sql": sql}))
        assert status in (400, 403), sql
    req = urllib.request.Request(server + "archive/sites", method="POST", data=b"name=x")
    with pytest.raises(urllib.error.HTTPError):
        urllib.request.urlopen(req, timeout=10)
    get(server + "-/search?" + urllib.parse.urlencode({"q": "教育"}))
    assert file_digest(two_day_archive) == before


def test_document_page_shows_text_and_history(server, two_day_archive):
    import sqlite3

    with sqlite3.connect(two_day_archive) as conn:
        doc_id, title, body = conn.execute(
            "SELECT d.doc_id, v.title, v.body FROM documents d JOIN versions v ON v.doc_id = d.doc_id "
            "AND v.version = d.current_version WHERE d.current_version = 2 LIMIT 1").fetchone()
    status, page = get(server + f"-/document/{doc_id}")
    assert status == 200 and title in page and "版本历史" in page
    assert "?version=1" in page and "?version=2" in page and body.split("\n")[0] in page
    assert get(server + "-/document/no-such-doc")[0] == 404


def rare_bigram(db: Path, doc_id: str) -> str:
    """The two-character word of the document's title that the fewest documents contain."""
    import sqlite3

    with sqlite3.connect(db) as conn:
        title = conn.execute("SELECT title FROM versions WHERE doc_id = ?", (doc_id,)).fetchone()[0]
        texts = [cjk_text.normalise(t + "\n" + b) for t, b in conn.execute("SELECT title, body FROM current")]
    grams = {run[i:i + 2] for run in cjk_text.CJK_RUN.findall(title) for i in range(len(run) - 1)}
    return min(sorted(grams), key=lambda g: sum(cjk_text.normalise(g) in t for t in texts))


@pytest.mark.skipif(not Path(CHROMIUM).exists() and not os.environ.get("GUIFAN_REQUIRE_BROWSER"),
                    reason=f"{CHROMIUM} is absent (apt-get install chromium fonts-noto-cjk)")
def test_in_chromium_search_open_a_result_and_see_its_history(server, two_day_archive):
    from playwright.sync_api import sync_playwright

    import sqlite3
    with sqlite3.connect(two_day_archive) as conn:
        doc_id = conn.execute("SELECT doc_id FROM documents WHERE current_version = 2 "
                              "ORDER BY doc_id LIMIT 1").fetchone()[0]
    term = rare_bigram(two_day_archive, doc_id)
    ARTIFACTS.mkdir(exist_ok=True)
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, headless=True,
                                    args=["--no-sandbox", "--disable-gpu", "--disable-background-networking"])
        try:
            page = browser.new_page(viewport={"width": 1200, "height": 900})
            page.goto(server + "-/search", timeout=15000)
            page.fill("input[name=q]", term)
            page.press("input[name=q]", "Enter")
            page.wait_for_selector("ol.guifan-hits li", timeout=10000)
            assert page.locator("ol.guifan-hits mark").first.inner_text() == term
            page.screenshot(path=str(ARTIFACTS / "serve-search.png"), full_page=True)
            page.click(f'ol.guifan-hits a[href="/-/document/{doc_id}"]')
            page.wait_for_selector("#history", timeout=10000)
            history = page.locator("table.guifan-history tr")
            assert history.count() == 3                          # header + v2 + v1
            assert "v2" in history.nth(1).inner_text() and "v1" in history.nth(2).inner_text()
            assert "body" in history.nth(1).inner_text()          # what changed on day 2
            page.screenshot(path=str(ARTIFACTS / "serve-document.png"), full_page=True)
        finally:
            browser.close()
    assert (ARTIFACTS / "serve-document.png").stat().st_size > 10_000
