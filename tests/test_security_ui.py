"""The archive's web UI against crafted archives and crafted links, in real Chromium.

A shared archive can hold anything (an older guifan kept `JAVASCRIPT:` attachment links), and
anyone can send an archivist a link with `?sql=`. Each vector below would set a marker in the
page (`window.__pwned`) if its script ran; the test checks that it did not.
"""
from __future__ import annotations

import csv
import io
import os
import re
import shutil
import sqlite3
import subprocess
import sys
import urllib.parse
from pathlib import Path

import pytest

from benchmarks.synthetic_archive import build_archive
from guifan.parsers.record import Attachment, Document

from .conftest import REPO
from guifan.archive.export import FORMULA_START

from .test_serve import CHROMIUM, _wait_until_up, get

needs_chromium = pytest.mark.skipif(
    not Path(CHROMIUM).exists() and not os.environ.get("GUIFAN_REQUIRE_BROWSER"),
    reason=f"{CHROMIUM} is absent (apt-get install chromium fonts-noto-cjk)")

# Each sets the marker if a browser runs it; void() keeps the page from being replaced.
SCRIPT = "void(window.__pwned=1)"
HOSTILE_LINKS = [
    ("恶意附件一.pdf", f"JAVASCRIPT:{SCRIPT}"),
    ("恶意附件二.pdf", f"java\tscript:{SCRIPT}"),
    ("恶意附件三.pdf", f" JavaScript:{SCRIPT}"),
    ("正常附件.pdf", "http://127.0.0.1:9/files/ok.pdf"),
]
HOSTILE = Document(url=f"javascript:{SCRIPT}", title="云溪县关于恶意链接测试的通知", body="恶意链接测试正文。",
                   doc_type="通知", issuer="云溪县人民政府", published_date="2024-02-01",
                   attachments=[Attachment(name=n, url=u) for n, u in HOSTILE_LINKS])


# What a hostile portal can put in cells of Datasette's own CSV (LibreOffice ran =HYPERLINK).
FORMULAS = Document(url="http://127.0.0.1:9/formula.html", title='=HYPERLINK("http://127.0.0.2/x","点击查看")',
                    body="+cmd|' /C calc'!A0\n正文", doc_type="通知", issuer="@SUM(1+1)", doc_number="-1+1",
                    topic="＝1+1", index_no="\t=1", published_date="2024-02-02")


@pytest.fixture(scope="module")
def hostile_archive(tmp_path_factory) -> Path:
    """An archive as someone else may hand it over: script links and formulas stored in it."""
    return build_archive(tmp_path_factory.mktemp("hostile") / "shared.db", 5, seed="hostile",
                         extra=[("demo-yunxi", HOSTILE), ("demo-yunxi", FORMULAS)])


def serve(db: Path):
    proc = subprocess.Popen([sys.executable, "-m", "guifan", "serve", "--db", str(db), "-p", "0"],
                            cwd=REPO, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                            env={**os.environ, "PYTHONUNBUFFERED": "1"})
    line = proc.stdout.readline()
    if "read-only at http://127.0.0.1:" not in line:
        proc.kill()
        raise AssertionError(line + proc.stderr.read())
    url = line.split(" at ", 1)[1].split()[0]
    _wait_until_up(url)
    return proc, url


@pytest.fixture(scope="module")
def server(hostile_archive):
    proc, url = serve(hostile_archive)
    try:
        yield url
    finally:
        proc.terminate()
        proc.wait(timeout=10)


@pytest.fixture(scope="module")
def browser():
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=CHROMIUM, headless=True,
                              args=["--no-sandbox", "--disable-gpu", "--disable-background-networking"])
        try:
            yield b
        finally:
            b.close()


def pwned(page) -> bool:
    return page.evaluate("() => window.__pwned === 1")


@needs_chromium
def test_sql_column_named_snippet_is_text_not_markup(server, browser):
    """Reflected XSS: `?sql=select '<img onerror>' as snippet` in a link someone sends."""
    payloads = ["<img src=x onerror=\"window.__pwned=1\">", "<mark onmouseover=\"window.__pwned=1\">x</mark>",
                "&lt;img src=x onerror=window.__pwned=1&gt;", "<script>window.__pwned=1</script>",
                "<svg><mark>1</mark><script>window.__pwned=1</script></svg>"]
    page = browser.new_page()
    for payload in payloads:
        sql = "select " + "'" + payload.replace("'", "''") + "' as snippet"
        page.goto(server + "archive?" + urllib.parse.urlencode({"sql": sql}), timeout=15000)
        page.wait_for_selector("table.rows-and-columns td", timeout=10000)
        cell = page.locator("table.rows-and-columns td").first
        cell.hover()
        assert not pwned(page), payload
        assert page.locator("table.rows-and-columns td img, table.rows-and-columns td script").count() == 0
        assert "window.__pwned=1" in cell.inner_text() or payload.startswith("<mark")
    # The search's own highlighting still shows as highlighting.
    page.goto(server + "archive?" + urllib.parse.urlencode({"sql": "select '<mark>恶意</mark> &amp; 链接' as snippet"}))
    assert page.locator("table.rows-and-columns td mark").first.inner_text() == "恶意"
    assert "恶意 & 链接" in page.locator("table.rows-and-columns td").first.inner_text()
    page.goto(server + "archive/search?" + urllib.parse.urlencode({"q": "恶意链接"}), timeout=15000)
    assert page.locator("table.rows-and-columns td mark").first.inner_text() == "恶意链接"
    page.close()


@needs_chromium
def test_script_links_stored_in_an_archive_are_not_links(server, hostile_archive, browser):
    """Stored XSS: attachment (and page) URLs that are not http(s) show as text; clicking runs nothing."""
    with sqlite3.connect(hostile_archive) as conn:
        doc_id = conn.execute("SELECT doc_id FROM versions WHERE title = ?", (HOSTILE.title,)).fetchone()[0]
    page = browser.new_page()
    page.goto(server + f"-/document/{urllib.parse.quote(doc_id)}", timeout=15000)
    items = page.locator("li", has_text="附件")
    assert items.count() == len(HOSTILE_LINKS)
    for i in range(items.count()):
        item = items.nth(i)
        target = item.locator("a") if item.locator("a").count() else item
        target.click(modifiers=[], no_wait_after=True)
        page.wait_for_timeout(200)
        assert not pwned(page), item.inner_text()
    page.goto(server + f"-/document/{urllib.parse.quote(doc_id)}")
    page.locator("table.meta td", has_text="javascript:").first.click()   # the page's own url field
    page.wait_for_timeout(200)
    assert not pwned(page)
    hrefs = page.eval_on_selector_all("a[href]", "els => els.map(e => e.href)")
    assert not [h for h in hrefs if not h.startswith("http")]
    assert "http://127.0.0.1:9/files/ok.pdf" in hrefs                         # a real link stays a link
    page.close()


def test_document_links_quote_the_doc_id(server):
    sql = "select 'x\" onmouseover=\"alert(1)' as doc_id, '../../etc' as doc_id2"
    status, body = get(server + "archive?" + urllib.parse.urlencode({"sql": sql}))
    assert status == 200 and 'onmouseover="alert' not in body
    assert 'href="/-/document/x%22%20onmouseover%3D%22alert%281%29"' in body


def _csv_cells(url: str) -> list[str]:
    status, text = get(url)
    assert status == 200, url
    assert text.startswith("\ufeff")                       # Excel reads it as UTF-8
    return [cell for row in csv.reader(io.StringIO(text[1:], newline="")) for cell in row]


def live_formulas(cells: list[str]) -> list[str]:
    return [c for c in cells if c[:1] in FORMULA_START and not re.fullmatch(r"[+-]?[\d.]+([eE][+-]?\d+)?", c)]


def test_datasette_csv_links_are_formula_safe(server):
    """Every CSV link a table page offers, and a ?sql= query's, carries no live formula."""
    status, page = get(server + "archive/versions")
    links = sorted(set(re.findall(r'href="([^"]*\.csv[^"]*)"', page)))
    assert links, "the table page offers CSV"
    urls = [urllib.parse.urljoin(server, html_unescape(link)) for link in links]
    urls.append(server + "archive.csv?" + urllib.parse.urlencode(
        {"sql": "select title, body, issuer, doc_number, topic, index_no, -5 as n from versions"}))
    urls.append(server + "archive/versions.csv?_stream=on&_size=max")
    for url in urls:
        cells = _csv_cells(url)
        assert "'" + FORMULAS.title in cells, url
        assert not live_formulas(cells), url
    cells = _csv_cells(urls[-2])
    assert "-5" in cells and "'-1+1" in cells and "'@SUM(1+1)" in cells   # numbers stay numbers


def html_unescape(text: str) -> str:
    import html
    return html.unescape(text)


@pytest.mark.parametrize("name", ["archive#1.db", "100%.db", "a%23b.db", "档案 #2 (50%).db"])
def test_archive_names_with_hash_or_percent_are_served(hostile_archive, tmp_path, name):
    db = tmp_path / name
    shutil.copy(hostile_archive, db)
    proc, url = serve(db)
    try:
        for path in ("archive/versions", "-/search?q=%E6%81%B6%E6%84%8F", "-/export.csv?q=%E6%81%B6%E6%84%8F",
                     "archive.json?sql=select+count(*)+from+versions"):
            status, body = get(url + path)
            assert status == 200, (path, body[:300])
    finally:
        proc.terminate()
        proc.wait(timeout=10)
