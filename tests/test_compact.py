"""Per-site zstd dictionaries: smaller raw bodies, the same bytes, fixity still checked."""
from __future__ import annotations

import json
import sqlite3

import pytest

from benchmarks.synthetic_archive import build_archive
from guifan.archive import FetchResult, blobs, open_archive

from .conftest import run_guifan


@pytest.fixture()
def db(tmp_path):
    return build_archive(tmp_path / "c.db", 600, seed="compact")


def raw_bodies(path) -> dict[str, bytes]:
    with open_archive(path) as archive:
        digests = [r[0] for r in archive.conn.execute("SELECT sha256 FROM blobs")]
        return {d: blobs.get(archive.conn, d) for d in digests}


def test_compact_shrinks_bodies_and_keeps_every_byte(db):
    before = raw_bodies(db)
    result = run_guifan("compact", "--db", str(db), "--format", "json")
    assert result.returncode == 0, result.stderr
    sites = json.loads(result.stdout)
    assert sites and all(s["dict_id"] for s in sites)
    assert sum(s["bytes_before"] for s in sites) > 2 * sum(s["bytes_after"] for s in sites)
    assert raw_bodies(db) == before                                    # every body decodes to its bytes
    for digest, data in before.items():
        assert blobs.sha256(data) == digest
    verify = run_guifan("verify", "--db", str(db))
    assert verify.returncode == 0 and f"{len(before)} of {len(before)} blobs verified" in verify.stdout


def test_dictionaries_are_archived_versioned_and_used_for_new_bodies(db):
    with open_archive(db, "write") as archive:
        first = archive.compact_blobs("demo-yunxi")
        again = archive.compact_blobs("demo-yunxi")
        retrained = archive.compact_blobs("demo-yunxi", retrain=True)
        dicts = archive.conn.execute("SELECT dict_id, scope, samples, sha256, data FROM blob_dicts "
                                     "WHERE scope = 'demo-yunxi' ORDER BY dict_id").fetchall()
        run_id = archive.start_run(["demo-yunxi"])
        body = b"<html><body>" + "新的页面内容。".encode() * 40 + b"</body></html>"
        archive.record_fetch(run_id, FetchResult(site="demo-yunxi", url="http://example.test/new.html",
                                                 kind="list", status=200, body=body))
        used = archive.conn.execute("SELECT dict_id FROM blobs WHERE sha256 = ?", (blobs.sha256(body),)).fetchone()[0]
    assert first["trained"] and not again["trained"] and again["blobs"] == 0
    assert retrained["dict_id"] > first["dict_id"] and retrained["trained"]   # bodies move only if smaller
    assert [d["dict_id"] for d in dicts] == [first["dict_id"], retrained["dict_id"]]   # the old one is kept
    assert all(blobs.sha256(d["data"]) == d["sha256"] for d in dicts)
    assert used == retrained["dict_id"]                      # a new body of the site uses its newest dictionary


def test_verify_catches_a_damaged_dictionary_body(db):
    with open_archive(db, "write") as archive:
        archive.compact_blobs("demo-qingshi")
        victim = archive.conn.execute("SELECT sha256 FROM blobs WHERE dict_id IS NOT NULL LIMIT 1").fetchone()[0]
        dictionary = blobs.site_dictionary(archive.conn, "demo-qingshi")
        archive.conn.execute("UPDATE blobs SET data = ? WHERE sha256 = ?",
                             (blobs.compress(b"tampered", dictionary), victim))
    result = run_guifan("verify", "--db", str(db))
    assert result.returncode == 1 and f"MISMATCH {victim}" in result.stdout


def test_an_archive_from_before_dictionaries_is_upgraded(db):
    conn = sqlite3.connect(db)
    conn.execute("ALTER TABLE blobs DROP COLUMN dict_id")
    conn.execute("DROP TABLE blob_dicts")
    conn.commit()
    conn.close()
    result = run_guifan("compact", "--db", str(db), "--site", "demo-lutang")
    assert result.returncode == 0, result.stderr
    assert "demo-lutang" in result.stdout and "smaller" in result.stdout
