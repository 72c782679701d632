"""Reprints across sites (issue 15): the demo portal's families crawled by `guifan crawl` over
real HTTP into a real SQLite file, the index built on first use, checked against the ground
truth in demo_portal/reprint_families.py: every pair found with its kind and direction, no
hard negative paired, families, the commands, incremental updates and old archives."""
from __future__ import annotations

import csv
import dataclasses
import io
import json
import shutil
import sqlite3

import pytest

from guifan.archive import Archive, FetchResult, doc_id_for, reprints
from guifan.archive.reprint_text import key_of
from guifan.demo_portal import DemoPortal, catalog
from guifan.demo_portal import reprint_families as rf
from tests.conftest import crawl_to_archive, run_guifan

def _other_truth():
    """Issue 14's demo documents include a 转发 notice of its cleanup decision (only its cover is
    on the page): a pair too, by the title it names."""
    try:
        from guifan.demo_portal import validity_docs
    except ImportError:
        return {}, []
    docs = {"cleanup": validity_docs.doc_key("cleanup"), "cleanup_forward": validity_docs.doc_key("cleanup_forward")}
    return docs, [("cleanup", "cleanup_forward", "forward")]


OTHER_TRUTH_DOCS, OTHER_PAIRS = _other_truth()
SITES = ["demo-yunxi", "demo-qingshi", "demo-baihe", "demo-songlin", "demo-jinhai", "demo-fengming", "demo-lutang"]


@pytest.fixture(scope="module")
def crawled(tmp_path_factory):
    db = tmp_path_factory.mktemp("reprints") / "reprints.db"
    with DemoPortal(sites=tuple(SITES)) as portal:
        crawl_to_archive(db, portal, SITES)
        ids = {}
        for name in rf.NAMES:
            site = rf.DOCS[name][0]
            doc = next(d for d in catalog.documents(site) if d.key == rf.doc_key(name))
            ids[name] = doc_id_for(site, portal.base_url(site) + doc.path)
        for name, key in OTHER_TRUTH_DOCS.items():          # documents other issues' data add
            site = key.split("/")[0]
            doc = next(d for d in catalog.documents(site) if d.key == key)
            ids[name] = doc_id_for(site, portal.base_url(site) + doc.path)
    result = run_guifan("reprints", "--update", "--db", str(db))
    assert result.returncode == 0, result.stderr
    return db, ids


def pairs(db) -> dict[tuple[str, str], sqlite3.Row]:
    conn = sqlite3.connect(db)
    conn.row_factory = sqlite3.Row
    return {(r["doc_a"], r["doc_b"]): r for r in conn.execute("SELECT * FROM reprint_pairs")}


def test_every_family_pair_is_found_with_its_kind_and_direction(crawled):
    db, ids = crawled
    found = pairs(db)
    for earlier, later, kind in rf.PAIRS:
        key = (ids[earlier], ids[later])
        assert key in found, f"{earlier} → {later} not found (reversed: {(key[1], key[0]) in found})"
        assert found[key]["kind"] == kind, (earlier, later, found[key]["kind"])


def test_no_hard_negative_is_paired_and_nothing_else_either(crawled):
    db, ids = crawled
    found = pairs(db)
    negatives = {ids[n] for n in rf.NEGATIVES}
    assert not [k for k in found if negatives & set(k)]
    # The generated documents share template sentences (salutations, stock articles) but are
    # no copies of each other: the index reports exactly the families' pairs.
    assert set(found) == {(ids[a], ids[b]) for a, b, _ in rf.PAIRS + OTHER_PAIRS}
    for a, b, kind in OTHER_PAIRS:
        assert found[(ids[a], ids[b])]["kind"] == kind and found[(ids[a], ids[b])]["evidence"] == "title"


def test_forward_notices_point_at_what_they_forward_and_partial_reuse_has_its_passages(crawled):
    db, ids = crawled
    found = pairs(db)
    forward = found[(ids["water_yunxi"], ids["water_qingshi"])]
    assert forward["order_basis"] == "forward" and forward["shared_chars"] == forward["chars_a"]
    partial = found[(ids["village_yunxi"], ids["village_qingshi"])]
    shared = reprints.passage_texts(sqlite3.connect(db), ids["village_yunxi"], json.loads(partial["passages"]),
                                    limit=10, width=10_000)
    keys = " ".join(key_of(t).text for t in shared)
    assert all(key_of(p).text in keys for p in rf.VILLAGE_SHARED)          # the three reused paragraphs
    assert partial["shared_chars"] < 1.2 * sum(len(key_of(p)) for p in rf.VILLAGE_SHARED)
    exact = found[(ids["water_yunxi"], ids["water_songlin"])]      # Simplified and Traditional copies
    assert exact["kind"] == "exact" and exact["order_basis"] == "published_date"


def test_families_in_order(crawled):
    db, ids = crawled
    result = run_guifan("clusters", "--db", str(db), "--min-sites", "3", "--format", "json")
    assert result.returncode == 0, result.stderr
    families = json.loads(result.stdout)
    got = sorted([m["doc_id"] for m in f["members"]] for f in families)
    assert got == sorted([ids[n] for n in family] for family in rf.FAMILIES)
    assert all(f["members"][0]["position"] == 1 and f["cluster_id"] == f["members"][0]["doc_id"] for f in families)
    none = run_guifan("clusters", "--db", str(db), "--min-sites", "5", "--format", "json")
    assert json.loads(none.stdout) == []
    region = run_guifan("clusters", "--db", str(db), "--region", "白鹤县", "--format", "json")
    assert [len(f["members"]) for f in json.loads(region.stdout)] == [4]


def test_reprints_command_lists_one_documents_copies(crawled):
    db, ids = crawled
    result = run_guifan("reprints", ids["water_qingshi"], "--db", str(db), "--format", "json")
    assert result.returncode == 0, result.stderr
    rows = {r["doc_id"]: r for r in json.loads(result.stdout)}
    assert set(rows) == {ids["water_yunxi"], ids["water_songlin"], ids["water_baihe"]}
    assert rows[ids["water_yunxi"]]["role"] == "forwards" and rows[ids["water_yunxi"]]["kind"] == "forward"
    assert rows[ids["water_baihe"]]["role"] == "copy"
    assert rows[ids["water_yunxi"]]["shared_text"]
    table = run_guifan("reprints", ids["water_qingshi"][:24], "--db", str(db))
    assert "family" in table.stdout and "4 copies on 4 sites" in table.stdout
    missing = run_guifan("reprints", "no-such-doc", "--db", str(db))
    assert missing.returncode == 1 and "no document" in missing.stderr


def test_pairs_export_as_csv(crawled):
    db, ids = crawled
    result = run_guifan("reprints", "--pairs", "--db", str(db), "--format", "csv", "--kind", "adapted")
    assert result.returncode == 0, result.stderr
    rows = list(csv.DictReader(io.StringIO(result.stdout.lstrip("\ufeff"))))
    assert list(rows[0])[:7] == ["doc_a", "doc_b", "kind", "similarity", "shared_chars", "first_seen_a",
                                 "first_seen_b"]
    assert {(r["doc_a"], r["doc_b"]) for r in rows} == {(ids[a], ids[b]) for a, b, k in rf.PAIRS if k == "adapted"}
    assert all(r["first_seen_a"] and 0 < float(r["similarity"]) < 1 for r in rows)


def test_search_collapse_shows_one_hit_per_family(crawled):
    db, ids = crawled
    plain = run_guifan("search", "农村供水保障", "--db", str(db), "--format", "json", "-n", "50")
    collapsed = run_guifan("search", "农村供水保障", "--db", str(db), "--format", "json", "-n", "50", "--collapse")
    assert collapsed.returncode == 0, collapsed.stderr
    family = {ids[n] for n in rf.FAMILIES[0]}
    assert len([h for h in json.loads(plain.stdout) if h["doc_id"] in family]) == 4
    hits = [h for h in json.loads(collapsed.stdout) if h["doc_id"] in family]
    assert len(hits) == 1 and hits[0]["copies"] == 4


def test_incremental_a_new_copy_is_paired_without_reindexing_the_rest(crawled, tmp_path):
    db, ids = crawled
    copy = tmp_path / "more.db"
    shutil.copy(db, copy)
    with Archive(copy) as archive:
        row = archive.conn.execute("SELECT * FROM current WHERE doc_id = ?", (ids["waste_qingshi"],)).fetchone()
        run = archive.start_run(["demo-shiling"])
        _record_copy(archive, run, row, "http://127.0.0.1:9/zwgk/shiling-waste.html")
        stats = reprints.refresh(archive.conn)
        assert stats.indexed == 1
        new = doc_id_for("demo-shiling", "http://127.0.0.1:9/zwgk/shiling-waste.html")
        related = {r.other["doc_id"]: r for r in reprints.reprints_of(archive.conn, new)}
    assert related[ids["waste_qingshi"]].kind == "exact"
    assert {ids["waste_yunxi"], ids["waste_lutang"]} <= set(related)
    assert related[ids["waste_yunxi"]].role == "source"


def _record_copy(archive, run, row, url):
    from guifan.parsers.record import Document

    fields = {f.name for f in dataclasses.fields(Document)}
    skip = ("attachments", "quality_flags", "raw_meta", "doc_id", "version")
    values = {k: row[k] for k in row.keys() if k in fields and k not in skip}
    values.update(url=url, site=None, written_date=None, published_date="2024-01-05")
    doc = Document(**values)
    archive.record_fetch(run, FetchResult(site="demo-shiling", kind="detail", url=url, final_url=url, status=200,
                                          response_headers=[], body=b"<html>copy</html>",
                                          fetched_at="2024-03-20T00:00:00.000Z", document=doc))


def test_an_archive_from_before_the_index_gains_it_and_keeps_everything(crawled, tmp_path):
    db, _ = crawled
    old = tmp_path / "old.db"
    shutil.copy(db, old)
    conn = sqlite3.connect(old)
    for name in reprints.VIEW_NAMES:
        conn.execute(f"DROP VIEW {name}")
    for name in reprints.OBJECTS:
        conn.execute(f"DROP TABLE {name}")
    before = conn.execute("SELECT count(*) FROM versions").fetchone()[0]
    conn.commit()
    conn.close()
    result = run_guifan("clusters", "--db", str(old), "--format", "json")
    assert result.returncode == 0, result.stderr
    assert len(json.loads(result.stdout)) == len(rf.FAMILIES) + len(OTHER_PAIRS)
    conn = sqlite3.connect(old)
    assert conn.execute("SELECT count(*) FROM versions").fetchone()[0] == before


def test_a_cover_only_forward_notice_is_linked_by_the_title_it_names(tmp_path):
    """A 转发 notice whose forwarded text is only in an attachment without text: its title
    names the forwarded document's title, which is enough to link them."""
    with Archive(tmp_path / "t.db") as archive:
        run = archive.start_run(["a", "b"])
        _record_text(archive, run, "a", "http://a.invalid/1", rf.WATER_TITLE, "\n".join(rf.WATER))
        _record_text(archive, run, "b", "http://b.invalid/2", rf.WATER_FORWARD_QS,
                     "\n".join(rf.WATER_COVER_QS) + "\n附件：通知全文.pdf")
        reprints.refresh(archive.conn)
        [relation] = reprints.reprints_of(archive.conn, doc_id_for("a", "http://a.invalid/1"))
    assert relation.role == "forwarded_by" and relation.evidence == "title" and relation.kind == "forward"


def _record_text(archive, run, site, url, title, body):
    from guifan.parsers.record import Document

    doc = Document(url=url, title=title, body=body, published_date="2023-05-20")
    archive.record_fetch(run, FetchResult(site=site, kind="detail", url=url, final_url=url, status=200,
                                          response_headers=[], body=body.encode(),
                                          fetched_at="2024-03-20T00:00:00.000Z", document=doc))


def test_datasette_shows_pairs_and_families(crawled):
    """The views as Datasette serves them (the archive's read-only app, in process)."""
    import asyncio

    from guifan.archive.datasette import build

    db, ids = crawled
    ds = build(db)

    async def fetch(path):
        return await ds.client.get(path)

    pairs_page = asyncio.run(fetch("/archive/reprint_pair_list.json?_shape=array&kind=partial"))
    assert pairs_page.status_code == 200
    assert [(r["doc_a"], r["doc_b"]) for r in pairs_page.json()] == [(ids["village_yunxi"], ids["village_qingshi"])]
    families = asyncio.run(fetch("/archive/reprint_families.json?_shape=array&position=1"))
    firsts = [ids[f[0]] for f in rf.FAMILIES] + [ids[a] for a, _, _ in OTHER_PAIRS]
    assert sorted(r["doc_id"] for r in families.json()) == sorted(firsts)
