"""End to end: `guifan crawl` over real HTTP with real Scrapy into a real SQLite file.

Every assertion is checked against the demo portal's own catalog, document by document.
"""
from __future__ import annotations

import json

import pytest

from guifan.demo_portal import catalog
from guifan.parsers.record import RECORD_FIELDS

ARCHIVED_FAULTS = (None, "redirect", "malformed", "unavailable_once", "wrong_charset")


def expected_docs():
    return [d for d in catalog.documents(day=1) if d.fault in ARCHIVED_FAULTS]


def doc_by_fault(fault):
    return next(d for d in catalog.documents(day=1) if d.fault == fault)


def current_rows(conn) -> dict[str, dict]:
    return {row["url"]: dict(row) for row in conn.execute("SELECT * FROM current")}


def url_of(portal, doc, path=None):
    return portal.base_url(doc.site) + (path or doc.path)


def fetches_for(conn, url):
    return [dict(r) for r in conn.execute("SELECT * FROM fetch_log WHERE url = ? ORDER BY fetch_id", (url,))]


def test_run_completed_in_wal_mode(crawled):
    db, conn, result = crawled
    run = conn.execute("SELECT * FROM runs").fetchone()
    assert run["status"] == "completed", run["reason"]
    assert conn.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
    assert "Run 1: completed" in result.stdout


def test_current_view_has_the_record_fields_as_columns(crawled):
    _, conn, _ = crawled
    columns = [r[1] for r in conn.execute("PRAGMA table_info(current)")]
    assert columns[: len(RECORD_FIELDS)] == list(RECORD_FIELDS)


def test_every_demo_document_is_archived_once(crawled_portal, crawled):
    _, conn, _ = crawled
    rows = current_rows(conn)
    expected = {url_of(crawled_portal, d) for d in expected_docs()}
    assert len(expected) >= 60
    assert expected <= set(rows), sorted(expected - set(rows))[:5]
    assert len(rows) == len(expected), sorted(set(rows) - expected)[:5]


@pytest.mark.parametrize("field", ["title", "doc_number", "index_no", "issuer", "written_date",
                                   "published_date", "validity", "doc_type"])
def test_metadata_matches_the_catalog_document_by_document(crawled_portal, crawled, field):
    _, conn, _ = crawled
    rows = current_rows(conn)
    wrong = []
    for doc in expected_docs():
        got = rows[url_of(crawled_portal, doc)][field]
        if got != getattr(doc, field):
            wrong.append((doc.key, getattr(doc, field), got))
    assert not wrong, wrong[:5]


def test_bodies_hold_every_paragraph_and_no_boilerplate(crawled_portal, crawled):
    _, conn, _ = crawled
    rows = current_rows(conn)
    for doc in expected_docs():
        body = rows[url_of(crawled_portal, doc)]["body"]
        for paragraph in doc.paragraphs:
            assert paragraph in body, (doc.key, paragraph)
        for line in catalog.boilerplate_lines(doc.site):
            assert line not in body, (doc.key, line)


def test_gbk_site_titles_come_out_exactly(crawled_portal, crawled):
    _, conn, _ = crawled
    rows = current_rows(conn)
    gbk = [d for d in expected_docs() if d.encoding.lower() in ("gbk", "gb18030", "gb2312")]
    assert gbk, "the demo portal has a GBK site"
    for doc in gbk:
        row = rows[url_of(crawled_portal, doc)]
        assert row["title"] == doc.title
        assert row["encoding"] in ("gb18030", "gbk")


def test_not_found_link_is_a_failed_fetch(crawled_portal, crawled):
    _, conn, _ = crawled
    doc = doc_by_fault("not_found")
    [fetch] = fetches_for(conn, url_of(crawled_portal, doc, doc.list_path))
    assert (fetch["outcome"], fetch["status"], fetch["reason"]) == ("failed", 404, "http_404")
    assert fetch["capture_id"] is not None  # the 404 page itself is kept


def test_redirect_is_followed_and_recorded(crawled_portal, crawled):
    _, conn, _ = crawled
    doc = doc_by_fault("redirect")
    listed, final = url_of(crawled_portal, doc, doc.list_path), url_of(crawled_portal, doc)
    assert listed != final
    capture = conn.execute("SELECT * FROM captures WHERE url = ?", (listed,)).fetchone()
    assert capture["final_url"] == final
    assert json.loads(capture["redirects"]) == [listed]
    assert final in current_rows(conn)


def test_malformed_page_still_yields_its_document(crawled_portal, crawled):
    _, conn, _ = crawled
    doc = doc_by_fault("malformed")
    [fetch] = fetches_for(conn, url_of(crawled_portal, doc, doc.list_path))
    assert fetch["outcome"] == "new"
    assert current_rows(conn)[url_of(crawled_portal, doc)]["title"] == doc.title


def test_unavailable_once_is_retried(crawled_portal, crawled):
    _, conn, _ = crawled
    doc = doc_by_fault("unavailable_once")
    fetches = fetches_for(conn, url_of(crawled_portal, doc, doc.list_path))
    assert [(f["outcome"], f["status"]) for f in fetches] == [("failed", 503), ("new", 200)]
    assert fetches[0]["reason"] == "http_503_retried"


def test_robots_disallowed_path_is_blocked_and_never_requested(crawled_portal, crawled):
    _, conn, _ = crawled
    doc = doc_by_fault("robots_disallowed")
    [fetch] = fetches_for(conn, url_of(crawled_portal, doc, doc.list_path))
    assert (fetch["outcome"], fetch["reason"], fetch["capture_id"]) == ("blocked", "robots_txt", None)
    assert not [r for r in crawled_portal.request_log if r[2] == doc.list_path]


def test_wrong_declared_charset_is_decoded_right(crawled_portal, crawled):
    _, conn, _ = crawled
    doc = doc_by_fault("wrong_charset")
    row = current_rows(conn)[url_of(crawled_portal, doc)]
    assert row["title"] == doc.title
    assert row["encoding"] == "utf-8"


def test_attachments_are_captured_with_their_bytes(crawled_portal, crawled):
    _, conn, _ = crawled
    wanted = {crawled_portal.base_url(d.site) + path for d in expected_docs() for _, path in d.attachments}
    assert wanted
    rows = conn.execute("SELECT c.final_url, b.size FROM captures c JOIN blobs b USING (sha256) "
                        "WHERE c.kind = 'attachment' AND c.status = 200").fetchall()
    assert {r["final_url"] for r in rows} == wanted
    assert all(r["size"] > 0 for r in rows)


def test_every_capture_keeps_headers_time_and_a_blob(crawled):
    _, conn, _ = crawled
    for row in conn.execute("SELECT * FROM captures"):
        assert json.loads(row["response_headers"]), row["url"]
        assert row["fetched_at"].endswith("Z")
    orphans = conn.execute("SELECT count(*) FROM captures WHERE sha256 NOT IN (SELECT sha256 FROM blobs)")
    assert orphans.fetchone()[0] == 0


def test_polite_user_agent_is_sent(crawled):
    _, conn, _ = crawled
    headers = json.loads(conn.execute("SELECT request_headers FROM captures LIMIT 1").fetchone()[0])
    agent = dict((k.lower(), v) for k, v in headers)["user-agent"]
    assert agent.startswith("guifan/")
