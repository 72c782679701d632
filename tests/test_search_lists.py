"""One-word queries served from the impact lists (search_top) give exactly the full ranking's page.

The reference here is the full bm25 ranking written as one join over every match, with no
lists: the order a user got before the lists existed.
"""
from __future__ import annotations

import random
import sqlite3

import opencc
import pytest

from guifan.archive import Archive, cjk_text, search
from guifan.archive.doc_filters import DocFilters
from benchmarks.synthetic_archive import _record, build_archive
from guifan.parsers.record import Document

TO_TRAD = opencc.OpenCC("s2t").convert


def full_ranking(conn, text: str, filters: DocFilters, limit: int, offset: int) -> list[tuple[int, float]]:
    where, params = filters.where()
    sites = "LEFT JOIN sites s ON s.name = v.site " if filters.needs_sites else ""
    rows = conn.execute(
        f"SELECT v.rowid, {search.BM25} AS score FROM search_fts JOIN versions v ON v.rowid = search_fts.rowid "
        f"JOIN documents d ON d.doc_id = v.doc_id {sites}WHERE search_fts MATCH :match AND {where} "
        "ORDER BY score, v.rowid LIMIT :limit OFFSET :offset",
        {**params, "match": search.parse_query(text).fts(), "limit": limit, "offset": offset}).fetchall()
    return [(r[0], r[1]) for r in rows]


def served_from_list(conn, text: str, filters: DocFilters, limit: int, offset: int) -> bool:
    token = search._one_token(search.parse_query(text))
    where, params = filters.where()
    params.update(match=search.parse_query(text).fts(), limit=limit, offset=offset)
    return token is not None and search._ranked_from_list(conn, token, where, filters.needs_sites, params) is not None


def assert_same_page(conn, text: str, filters: DocFilters, limit: int, offset: int) -> None:
    got = [(h.rowid, h.score) for h in search.search(conn, text, filters, limit=limit, offset=offset).hits]
    want = full_ranking(conn, text, filters, limit, offset)
    assert [r for r, _ in got] == [r for r, _ in want], (text, filters, limit, offset)
    for (_, a), (_, b) in zip(got, want):      # the same bm25 value, to the last bit or two
        assert a == pytest.approx(b, rel=1e-12, abs=0), text


def _doc(n: int, title: str, body: str, issuer: str = "云溪县人民政府") -> tuple[str, Document]:
    return ("demo-yunxi", Document(url=f"http://x.invalid/pond{n}", title=title, body=body, doc_type="通知",
                                   issuer=issuer, published_date="2024-02-01"))


# 堰塘 (a pond) in titles, bodies and the issuer, mixed. Weighted hits w = 10·title + body + 5·issuer:
# a body-only version with eleven hits (w 11) must rank above a title-only hit (w 10), which ties
# with ten body hits and with issuer + five body hits (ties keep archive order).
POND = "堰塘，"
MIXED = [
    _doc(1, "关于堰塘整治的通知", "请各乡镇做好水利设施维护工作。"),                       # w 10, title only
    _doc(2, "关于农田水利建设的通知", "各乡镇要加强" + POND * 11 + "管护。"),             # w 11, body only
    _doc(3, "关于灌溉设施的通知", "做好" + POND * 10 + "巡查。"),                          # w 10, body only
    _doc(4, "关于堰塘清淤的通知", "做好" + POND * 3 + "清淤。"),                           # w 13
    _doc(5, "关于水利管护的通知", "做好" + POND * 5 + "管护。", issuer="云溪县堰塘管理站"),  # w 10, issuer + body
    _doc(6, "关于防汛的通知", "检查" + POND * 2 + "安全。"),                               # w 2
    _doc(7, "关于抗旱的通知", "检查堰塘蓄水。"),                                           # w 1
    _doc(8, "关于春耕的通知", "检查堰塘。"),                                               # w 1
]


@pytest.fixture(scope="module")
def listed(tmp_path_factory):
    """A synthetic archive with lists for every word at least 25 versions contain, 60 kept each
    (small, so that bars cut into the matches as they do at a million documents)."""
    path = build_archive(tmp_path_factory.mktemp("lists") / "lists.db", 400, seed="lists")
    conn = sqlite3.connect(path, isolation_level=None)
    search.ensure_index(conn)
    assert search.build_top_lists(conn, min_matches=25, keep=60) > 100
    yield path, conn
    conn.close()


def test_title_first_is_not_the_bm25_order_and_the_list_page_is(tmp_path):
    path = build_archive(tmp_path / "mixed.db", 0, extra=MIXED, edit_every=0)
    conn = sqlite3.connect(path, isolation_level=None)
    search.ensure_index(conn)
    assert search.build_top_lists(conn, min_matches=8, keep=5) >= 1
    assert conn.execute("SELECT bar FROM search_top_bar WHERE token = '堰塘'").fetchone()[0] == 2.0   # #6, w 2
    titles = [h.fields["title"] for h in search.search(conn, "堰塘", limit=4).hits]
    # bm25 with b = 0: eleven body hits outrank a title hit; the w-10 tie keeps archive order.
    assert titles == ["关于堰塘清淤的通知", "关于农田水利建设的通知", "关于堰塘整治的通知", "关于灌溉设施的通知"]
    for limit, offset in [(4, 0), (2, 1), (5, 0), (3, 2), (8, 0)]:
        assert_same_page(conn, "堰塘", DocFilters(), limit, offset)
        assert_same_page(conn, "堰塘", DocFilters(issuer="堰塘"), limit, offset)
    assert served_from_list(conn, "堰塘", DocFilters(), 4, 0)      # the w > 2 rows fill it
    assert not served_from_list(conn, "堰塘", DocFilters(), 8, 0)  # they do not: full ranking


def test_one_word_pages_equal_the_full_ranking(listed):
    _, conn = listed
    tokens = [t for (t,) in conn.execute("SELECT token FROM search_top_bar ORDER BY token")]
    rng = random.Random(16)
    words = rng.sample([t for t in tokens if len(t) == 2], 25)
    words += [TO_TRAD(w) for w in words[:8]] + [t for t in tokens if t.isascii()][:3]
    filter_sets = [DocFilters(), DocFilters(all_versions=True), DocFilters(sites=["demo-qingshi"]),
                   DocFilters(region="青石县"), DocFilters(validity=["in_force"], as_of="2024-06-01"),
                   DocFilters(date_from="2023")]
    for word in words:
        for filters in filter_sets:
            for limit, offset in [(20, 0), (20, 20), (7, 33)]:
                assert_same_page(conn, word, filters, limit, offset)
    # Most first pages under the default filter came from the lists (else this proved nothing).
    served = sum(served_from_list(conn, w, DocFilters(), 20, 0) for w in words)
    assert served > len(words) * 0.6, served


def test_lists_stay_exact_as_versions_are_added_rewritten_and_deleted(listed, tmp_path):
    src, _ = listed
    path = tmp_path / "upkeep.db"
    with sqlite3.connect(src) as a, sqlite3.connect(path) as b:
        a.backup(b)
    conn = sqlite3.connect(path, isolation_level=None)
    word = "管理"
    assert conn.execute("SELECT bar FROM search_top_bar WHERE token = ?", (word,)).fetchone()[0] > 0
    with Archive(path) as archive:
        run = archive.start_run(["demo-yunxi"])
        site, doc = _doc(99, "关于加强管理的通知", "管理" * 40)
        _record(archive, run, site, doc, "2024-04-01T00:00:00.000Z")
    top_before = full_ranking(conn, word, DocFilters(), 3, 0)
    grown = next(r for r in (5, 6, 7) if r not in (top_before[0][0], top_before[1][0]))
    with Archive(path) as archive, archive.transaction() as c:    # reparse-style writes, no search code
        c.execute("UPDATE versions SET body = '无关内容', content_hash = 'x' WHERE rowid = ?", (top_before[0][0],))
        c.execute("UPDATE versions SET body = body || ?, content_hash = 'y' WHERE rowid = ?", ("管理" * 60, grown))
        c.execute("DELETE FROM versions WHERE rowid = ?", (top_before[1][0],))
    search.ensure_index(conn)
    titles = [h.fields["title"] for h in search.search(conn, word, DocFilters(all_versions=True), limit=2).hits]
    assert "关于加强管理的通知" in titles
    for filters in (DocFilters(), DocFilters(all_versions=True)):
        for limit, offset in [(20, 0), (10, 15)]:
            assert_same_page(conn, word, filters, limit, offset)
            assert served_from_list(conn, word, filters, limit, offset)
    listed = dict(conn.execute("SELECT version_rowid, weight FROM search_top WHERE token = ?", (word,)))
    assert top_before[1][0] not in listed                         # deleted
    for rowid in (top_before[0][0], grown):                       # rewritten: listed with the new text's w
        text = conn.execute("SELECT title, body, NULL, doc_number, doc_number_raw, issuer FROM versions "
                            "WHERE rowid = ?", (rowid,)).fetchone()
        meta = "\n".join(m or "" for m in text[3:])
        w = search.token_weights([cjk_text.index_text(t) for t in (*text[:3], meta)], {word})[word]
        assert listed.get(rowid, w) == w
    assert listed[grown] >= 60


def test_lists_are_chosen_again_when_the_index_doubles(tmp_path, monkeypatch):
    path = build_archive(tmp_path / "due.db", 30, seed="due", edit_every=0)
    conn = sqlite3.connect(path, isolation_level=None)
    monkeypatch.setattr(search, "TOP_MIN_MATCHES", 25)
    search.ensure_index(conn)                     # 30 versions >= 25: the first choice
    assert conn.execute("SELECT count(*) FROM search_top_bar").fetchone()[0] > 0
    assert not search.top_lists_due(conn)
    search.rebuild_index(conn)                    # a rebuild starts from nothing and chooses again
    assert conn.execute("SELECT count(*) FROM search_top_bar").fetchone()[0] > 0
