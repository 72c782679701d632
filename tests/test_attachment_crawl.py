"""A crawl of demo-xiage, whose documents are their attachments (DOC, WPS, ET, a scanned PDF,
a PNG scan, a DOCX): real HTTP, real Scrapy with its extraction workers, real LibreOffice and
Tesseract, a real SQLite file. The text is read in the workers, stored by the writer, and is
what search, export and diff see; an attachment that changes gets a version of its own."""
from __future__ import annotations

import json

import pytest

from guifan.demo_portal import DemoPortal
from guifan.demo_portal import attachment_site as demo
from guifan.demo_portal.world import ATTACHMENT_SITES
from guifan.parsers.ocr import OcrSettings, ocr_missing
from guifan.parsers.office_convert import OfficeConverter
from tests.conftest import crawl_to_archive, row_connection, run_guifan

pytestmark = [
    pytest.mark.skipif(OfficeConverter().missing() is not None, reason=f"needs {OfficeConverter().missing()}"),
    pytest.mark.skipif(ocr_missing(OcrSettings()) is not None or demo.font_file() is None,
                       reason="needs Tesseract with chi_sim and fonts-noto-cjk"),
]


@pytest.fixture(scope="module")
def xiage(tmp_path_factory):
    """demo-xiage crawled on day 1, then again on day 2 (when the DOCX form gains a line)."""
    db = tmp_path_factory.mktemp("xiage") / "x.db"
    with DemoPortal(sites=ATTACHMENT_SITES) as portal:
        crawl_to_archive(db, portal, ATTACHMENT_SITES)
        conn = row_connection(db)
        day1 = {r["url"]: dict(r) for r in conn.execute("SELECT * FROM attachments")}
        portal.set_day(2)
        crawl_to_archive(db, portal, ATTACHMENT_SITES)
        yield db, conn, portal, day1
    conn.close()


def url_of(portal, doc) -> str:
    return portal.base_url(demo.SITE_NAME) + doc.path


def page_of(portal, doc) -> str:
    return portal.base_url(demo.SITE_NAME) + doc.entry.doc.path


def searched(db, text) -> list[dict]:
    result = run_guifan("search", text, "--db", str(db), "--format", "jsonl", "-n", "50")
    assert result.returncode == 0, result.stderr
    return [json.loads(line) for line in result.stdout.splitlines() if line.strip()]


def test_doc_wps_et_read_in_the_workers_equal_their_source_text(xiage):
    _, _, portal, day1 = xiage
    for doc in demo.documents():
        row = day1[url_of(portal, doc)]
        assert row["page_url"] == page_of(portal, doc) and row["text_status"] == "ok", row["reason"]
        if doc.kind in ("doc", "wps", "et"):
            assert row["kind"] == doc.kind and row["text"] == demo.source_text(doc.kind)


def test_scans_are_ocr_text_with_confidence(xiage):
    _, conn, portal, day1 = xiage
    for kind in ("pdf", "png"):
        row = day1[url_of(portal, next(d for d in demo.documents() if d.kind == kind))]
        assert "ocr" in json.loads(row["flags"]) and row["confidence"] > 50


def test_a_cover_page_is_found_by_a_phrase_from_its_doc(xiage):
    db, conn, portal, _ = xiage
    doc = next(d for d in demo.documents() if d.kind == "doc")
    assert doc.entry.doc.body == "内容详见附件。"
    pages = [(r["body"] or "") + r["title"] for r in conn.execute("SELECT * FROM versions")]
    others = [demo.source_text(k) for k in ("wps", "et", "docx")] + [
        "".join(demo.scan_text(d)) for d in demo.documents() if d.kind in ("pdf", "png")]
    phrase = only_in(list(doc.lines), pages + others)             # said by the DOC alone
    assert [h["url"] for h in searched(db, phrase)] == [page_of(portal, doc)]
    current = conn.execute("SELECT quality_flags, full_text FROM current WHERE url = ?",
                           (page_of(portal, doc),)).fetchone()
    assert "attachment_only" in json.loads(current["quality_flags"])
    assert current["full_text"].startswith("内容详见附件。\n\n【附件：") and demo.source_text("doc") in current["full_text"]


def only_in(lines: list[str], elsewhere: list[str], size: int = 6) -> str:
    """A run of `size` Chinese characters from the lines (last first) that no other text has."""
    import re

    for line in reversed(lines):
        for run in re.findall(r"[\u4e00-\u9fff]{%d,}" % size, line):
            for i in range(len(run) - size + 1):
                if not any(run[i:i + size] in text for text in elsewhere):
                    return run[i:i + size]
    raise AssertionError("no phrase of the scan is only in the scan")


def test_search_finds_a_term_only_a_scan_holds(xiage):
    db, conn, portal, _ = xiage
    pages = [r["body"] + "\n" + (r["title"] or "") for r in conn.execute("SELECT body, title FROM versions")]
    others = [demo.source_text(k) for k in ("doc", "wps", "et", "docx")]
    for kind in ("pdf", "png"):
        doc = next(d for d in demo.documents() if d.kind == kind)
        phrase = only_in("\n".join(demo.scan_text(doc)).split("\n"), pages + others)
        assert [h["url"] for h in searched(db, phrase)] == [page_of(portal, doc)], phrase


def test_export_carries_the_full_text(xiage):
    db, _, portal, _ = xiage
    result = run_guifan("export", "--db", str(db), "--format", "jsonl")
    assert result.returncode == 0, result.stderr
    rows = {r["url"]: r for r in map(json.loads, result.stdout.splitlines())}
    for doc in demo.documents():
        row = rows[page_of(portal, doc)]
        assert row["full_text"].startswith(row["body"]) and f"【{doc.name}】" in row["full_text"]


def test_a_changed_attachment_is_a_new_attachment_version_not_a_new_page_version(xiage):
    db, conn, portal, _ = xiage
    doc = next(d for d in demo.documents() if d.kind == "docx")
    versions = conn.execute("SELECT a.version, a.valid_to FROM attachment_versions a JOIN urls u USING (url_id) "
                            "WHERE u.url = ? ORDER BY a.version", (url_of(portal, doc),)).fetchall()
    assert [(v["version"], v["valid_to"] is None) for v in versions] == [(1, False), (2, True)]
    page = conn.execute("SELECT * FROM documents WHERE url = ?", (page_of(portal, doc),)).fetchone()
    assert page["current_version"] == 1                                 # the page itself did not change
    text = conn.execute("SELECT attachment_text FROM versions WHERE doc_id = ?", (page["doc_id"],)).fetchone()[0]
    assert demo.REVISED_LINE in text
    # The others served the same bytes on day 2: no new versions, text not read again.
    assert conn.execute("SELECT count(*) FROM attachment_versions").fetchone()[0] == len(demo.documents()) + 1
    assert conn.execute("SELECT count(*) FROM attachment_texts").fetchone()[0] == len(demo.documents()) + 1
