"""The archive over time: the demo portal crawled on day 1, 2 and 3 by the real CLI.

Expected counts come from comparing the demo catalog's days, never from constants.
"""
from __future__ import annotations

import json
import sqlite3

import pytest

from guifan.archive.history import validity_as_of
from guifan.archive.store import doc_id_for
from guifan.demo_portal import SITES, DemoPortal, catalog

from .conftest import crawl_to_archive, run_guifan

ARCHIVED = (None, "redirect", "malformed", "unavailable_once", "wrong_charset")


def live_docs(day: int) -> dict[str, object]:
    return {d.key: d for d in catalog.documents(day=day) if d.fault in ARCHIVED}


def catalog_changes(before: int, after: int) -> dict[str, set[str]]:
    old, new = live_docs(before), live_docs(after)
    common = old.keys() & new.keys()
    return {
        "new": new.keys() - old.keys(),
        "gone": old.keys() - new.keys(),
        "text": {k for k in common if old[k].paragraphs != new[k].paragraphs},
        "repealed": {k for k in common if old[k].validity != "repealed" and new[k].validity == "repealed"},
        "unchanged": {k for k in common if (old[k].paragraphs, old[k].validity) == (new[k].paragraphs, new[k].validity)},
    }


def crawl(portal, db, day: int):
    portal.set_day(day)
    return crawl_to_archive(db, portal, SITES)


def doc_id(portal, doc) -> str:
    return doc_id_for(doc.site, portal.base_url(doc.site) + doc.path)


def outcomes(conn, run_id: int) -> dict[str, int]:
    rows = conn.execute("SELECT outcome, count(*) FROM fetch_log WHERE run_id=? AND kind='detail' GROUP BY outcome",
                        (run_id,))
    return dict(rows.fetchall())


@pytest.fixture(scope="module")
def three_days(tmp_path_factory):
    db = tmp_path_factory.mktemp("days") / "days.db"
    with DemoPortal(day=1) as portal:
        for day in (1, 2, 3):
            crawl(portal, db, day)
        conn = sqlite3.connect(db)
        conn.row_factory = sqlite3.Row
        yield portal, db, conn
        conn.close()


def test_day_two_counts_match_the_portals_changes(three_days):
    portal, _, conn = three_days
    changes = catalog_changes(1, 2)
    assert all(changes[k] for k in ("new", "gone", "text", "repealed")), changes
    docs = outcomes(conn, 2)
    assert docs.get("new", 0) == len(changes["new"])
    assert docs["changed"] == len(changes["text"] | changes["repealed"])
    assert docs["gone"] == len(changes["gone"])
    repeals = conn.execute("SELECT count(*) FROM validity_events WHERE validity_after='repealed'").fetchone()[0]
    assert repeals == len(changes["repealed"])
    versions = conn.execute("SELECT count(*) FROM versions WHERE run_id = 2 AND version > 1").fetchone()[0]
    assert versions == len(changes["text"] | changes["repealed"])


def test_day_three_brings_the_vanished_document_back(three_days):
    portal, _, conn = three_days
    back = catalog_changes(2, 3)["new"]
    assert back == catalog_changes(1, 2)["gone"]
    reasons = conn.execute("SELECT reason, count(*) FROM fetch_log WHERE run_id=3 AND outcome='changed' "
                           "AND kind='detail' GROUP BY reason").fetchall()
    assert dict(reasons) == {"reappeared": len(back)}


def test_unchanged_documents_are_confirmed_not_versioned(three_days):
    portal, _, conn = three_days
    unchanged = catalog_changes(1, 2)["unchanged"]
    docs = live_docs(1)
    for key in unchanged:
        rows = conn.execute("SELECT version, valid_to, last_confirmed, valid_from FROM versions WHERE doc_id=?",
                            (doc_id(portal, docs[key]),)).fetchall()
        assert len(rows) == 1, key
        assert rows[0]["valid_to"] is None and rows[0]["last_confirmed"] > rows[0]["valid_from"]


def event_list(conn, doc) -> list[tuple]:
    rows = conn.execute("SELECT run_id, event, version, detail FROM events WHERE doc_id=? ORDER BY event_id",
                        (doc,)).fetchall()
    return [tuple(r) for r in rows]


def test_exact_history_of_each_kind(three_days):
    portal, _, conn = three_days
    changes, d1, d2 = catalog_changes(1, 2), live_docs(1), live_docs(2)
    new_key, gone_key = sorted(changes["new"])[0], sorted(changes["gone"])[0]
    text_key, repealed_key = sorted(changes["text"])[0], sorted(changes["repealed"])[0]
    same_key = sorted(changes["unchanged"])[0]
    assert event_list(conn, doc_id(portal, d2[new_key])) == [(2, "new", 1, None)]
    assert event_list(conn, doc_id(portal, d1[same_key])) == [(1, "new", 1, None)]
    assert event_list(conn, doc_id(portal, d1[gone_key])) == [
        (1, "new", 1, None), (2, "gone", 1, "http_404"), (3, "reappeared", 2, '["status"]')]
    assert event_list(conn, doc_id(portal, d1[text_key])) == [(1, "new", 1, None), (2, "changed", 2, '["body"]')]
    repealed = event_list(conn, doc_id(portal, d1[repealed_key]))
    assert repealed[0] == (1, "new", 1, None) and repealed[1][:3] == (2, "changed", 2)
    assert "validity" in json.loads(repealed[1][3])


def test_validity_as_of_a_moment_between_runs(three_days):
    portal, _, conn = three_days
    key = sorted(catalog_changes(1, 2)["repealed"])[0]
    doc = doc_id(portal, live_docs(1)[key])
    first_run_end = conn.execute("SELECT finished_at FROM runs WHERE run_id=1").fetchone()[0]
    assert validity_as_of(conn, doc, first_run_end) == live_docs(1)[key].validity
    assert validity_as_of(conn, doc, "2999-01-01") == "repealed"


def test_history_show_and_diff_commands(three_days):
    portal, db, conn = three_days
    key = sorted(catalog_changes(1, 2)["text"])[0]
    old, new = live_docs(1)[key], live_docs(2)[key]
    doc = doc_id(portal, old)
    history = run_guifan("history", doc, "--db", str(db))
    assert history.returncode == 0 and "changed" in history.stdout
    diff = run_guifan("diff", doc, "--db", str(db))
    assert diff.returncode == 0, diff.stderr
    removed = [p for p in old.paragraphs if p not in new.paragraphs]
    added = [p for p in new.paragraphs if p not in old.paragraphs]
    assert removed and added
    marked = [line for line in diff.stdout.splitlines() if line.startswith("~ ¶")]
    assert len(marked) == 1 and ("{+" in marked[0] or "[-" in marked[0])
    unmarked = marked[0].split(": ", 1)[1]
    for marker in ("{+", "+}", "[-", "-]"):
        unmarked = unmarked.replace(marker, "")
    assert all(ch in unmarked for ch in added[0])
    shown = run_guifan("show", doc, "--db", str(db), "--version", "1", "--json")
    assert json.loads(shown.stdout)["body"].count(removed[0]) == 1
    missing = run_guifan("show", "no-such-doc", "--db", str(db))
    assert missing.returncode == 1 and "no document" in missing.stderr
