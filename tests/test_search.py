"""Search finds exactly what a brute-force substring scan finds, in either script."""
from __future__ import annotations

import random
import sqlite3

import opencc
import pytest

from guifan.archive import Archive, cjk_text, search
from guifan.archive.doc_filters import DocFilters
from benchmarks.synthetic_archive import build_archive, synthetic_documents
from guifan.parsers.record import Document

TO_TRAD = opencc.OpenCC("s2t").convert

# Hand-made documents for the edges: mixed scripts, full-width forms, HK variants, Latin.
EXTRA = [
    ("demo-yunxi", Document(url="http://x.invalid/a1", title="關於乾隆年間檔案整理的通知",
                            body="為加強檔案管理，現將有關事項通知如下：\n一、ＡＢＣ系統于２０２４年上線。",
                            doc_type="通知", issuer="云溪县档案馆", published_date="2024-01-05")),
    ("demo-yunxi", Document(url="http://x.invalid/a2", title="云溪县教育局关于学生资助工作的通知",
                            body="=HYPERLINK(\"http://evil.invalid\")\n教育是国之大计。\n綫上辦理、網上公開。",
                            doc_type="通知", issuer="云溪县教育局", validity="in_force",
                            published_date="2023-09-01")),
    ("demo-qingshi", Document(url="http://x.invalid/a3", title="青石县教育",
                              body="教\n育\n教育", doc_type="规定", issuer="青石县人民政府",
                              validity="repealed", published_date="2019-06-30")),
]


@pytest.fixture(scope="module")
def archive_db(tmp_path_factory):
    path = tmp_path_factory.mktemp("search") / "synthetic.db"
    build_archive(path, 400, seed="search-test", extra=EXTRA)
    conn = sqlite3.connect(path)
    search.ensure_index(conn)
    yield path, conn
    conn.close()


@pytest.fixture(scope="module")
def versions(archive_db):
    _, conn = archive_db
    # Searched text: title, body, and the 文号 (normalised and as printed) and issuer.
    return {rowid: (title or "", body or "", "\n".join(m or "" for m in meta)) for rowid, title, body, *meta in
            conn.execute("SELECT rowid, title, body, doc_number, doc_number_raw, issuer FROM versions")}


def brute_force(versions: dict, query: str) -> set[int]:
    q = cjk_text.normalise(query)
    return {rowid for rowid, texts in versions.items() if any(q in cjk_text.normalise(t) for t in texts)}


def sample_queries(versions: dict, length: int, n: int, seed: int) -> list[str]:
    """CJK substrings of the given length taken from random places in the corpus."""
    rng = random.Random(seed)
    texts = [t for pair in versions.values() for t in pair if t]
    out = set()
    while len(out) < n:
        runs = [r for r in cjk_text.CJK_RUN.findall(rng.choice(texts)) if len(r) >= length]
        if runs:
            run = rng.choice(runs)
            start = rng.randrange(len(run) - length + 1)
            out.add(run[start:start + length])
    return sorted(out)


ABSENT = ["龘", "量子", "量子计", "区块链技术"]


@pytest.mark.parametrize("length", [1, 2, 3, 5])
def test_search_equals_brute_force_substring_scan(archive_db, versions, length):
    _, conn = archive_db
    queries = sample_queries(versions, length, 25, seed=length)
    queries += [TO_TRAD(q) for q in queries] + [q for q in ABSENT if len(q) == length]
    checked_nonempty = 0
    for q in queries:
        expected = brute_force(versions, q)
        assert set(search.iter_matching_rowids(conn, q)) == expected, q
        checked_nonempty += bool(expected)
    assert checked_nonempty >= 25          # the sample really exercises matches


def test_simplified_and_traditional_queries_find_the_same_versions(archive_db, versions):
    _, conn = archive_db
    for q in ["规范性文件", "监督管理", "资金", "发", "县财政部门", "乾隆", "线上办理", "网上"]:
        simplified = set(search.iter_matching_rowids(conn, q))
        assert simplified == set(search.iter_matching_rowids(conn, TO_TRAD(q))), q
        assert simplified == brute_force(versions, q), q


def test_traditional_documents_are_found_by_simplified_words(archive_db):
    _, conn = archive_db
    trad = conn.execute("SELECT rowid, title FROM versions WHERE quality_flags LIKE '%traditional_script%' "
                        "AND title LIKE '%關於%' LIMIT 1").fetchone()
    assert trad is not None
    simplified_title = opencc.OpenCC("t2s").convert(trad[1])
    assert trad[0] in set(search.iter_matching_rowids(conn, f'"{simplified_title}"'))


def test_ranked_search_with_snippets_and_filters(archive_db):
    _, conn = archive_db
    results = search.search(conn, "教育", limit=500, count=True)
    assert results.total == len(results.hits) > 3
    scores = [h.score for h in results.hits]
    assert scores == sorted(scores)                         # bm25: lower is better
    assert all("【" in h.snippet for h in results.hits)
    repealed = search.search(conn, "教育", DocFilters(validity=["废止"], validity_label=True), limit=50).hits
    assert repealed and all(h.fields["validity"] == "repealed" for h in repealed)
    qingshi = search.search(conn, "教育", DocFilters(sites=["demo-qingshi"], doc_types=["规定"]), limit=50).hits
    assert {h.fields["site"] for h in qingshi} == {"demo-qingshi"}
    assert {h.fields["doc_type"] for h in qingshi} == {"规定"}
    dated = search.search(conn, "教育", DocFilters(date_from="2023", date_to="2023-12"), limit=500).hits
    assert dated and all(h.fields["published_date"].startswith("2023") for h in dated)
    region = search.search(conn, "教育", DocFilters(region="青石县"), limit=500).hits
    assert region and all(h.fields["region"] == "示范省青石县" for h in region)
    issuer = search.search(conn, "教育", DocFilters(issuer="教育局"), limit=500).hits
    assert issuer and all("教育局" in h.fields["issuer"] for h in issuer)


def test_current_versions_by_default_all_versions_on_request(archive_db):
    _, conn = archive_db
    edited = "县人民政府办公室负责解释"
    current = search.search(conn, edited, limit=1000).hits
    everything = search.search(conn, "县人民政府", DocFilters(all_versions=True), limit=5000).hits
    assert current and all(h.fields["version"] == h.fields["current_version"] for h in current)
    assert any(h.fields["version"] < h.fields["current_version"] for h in everything)


def test_query_language(archive_db):
    _, conn = archive_db
    either = {h.fields["doc_id"] for h in search.search(conn, "乾隆 OR 綫上", limit=50).hits}
    assert len(either) == 2
    assert not search.search(conn, "乾隆 -档案", limit=50).hits
    assert search.search(conn, '"教 育"', DocFilters(sites=["demo-qingshi"]), limit=5).hits
    assert search.search(conn, "ＡＢＣ", limit=5).hits and search.search(conn, "abc 2024", limit=5).hits


@pytest.mark.parametrize("text, message", [
    ('"教育', "unbalanced double quote"),
    ("OR 教育", "OR needs a term"),
    ("教育 OR", "OR needs a term"),
    ("，。！", "nothing to search for"),
    ("-教育", "only excluded terms"),
])
def test_bad_queries_are_one_clear_error(archive_db, text, message):
    _, conn = archive_db
    with pytest.raises(search.QueryError, match=message):
        search.search(conn, text)


def test_fts_operators_in_user_text_are_just_text(archive_db):
    _, conn = archive_db
    for text in ["教育 AND", "NEAR(教育)", "title:教育", "教育*", "^教育", "教育 NOT"]:
        search.search(conn, text)                 # no FTS syntax reaches FTS5 unquoted


def test_index_is_incremental_and_survives_read_only(tmp_path):
    path = build_archive(tmp_path / "inc.db", 20, seed="inc")
    conn = sqlite3.connect(path)
    assert search.ensure_index(conn) > 20 - 1
    assert search.ensure_index(conn) == 0
    with Archive(path) as archive:
        run = archive.start_run(["demo-yunxi"])
        site, doc = next(synthetic_documents(1, seed="late"))
        doc.title, doc.body = "云溪县新增文件", "龘龘之事"
        from benchmarks.synthetic_archive import _record
        _record(archive, run, site, doc, "2024-04-01T00:00:00.000Z")
    ro = sqlite3.connect(f"{path.resolve().as_uri()}?mode=ro", uri=True)
    stale = search.search(ro, "龘", limit=5)
    assert not stale.hits and "not searchable yet" in stale.warning
    assert [h.fields["title"] for h in search.search(conn, "龘", limit=5).hits] == ["云溪县新增文件"]
    assert search.stale(conn) == 0


def test_versions_rewritten_in_place_are_reindexed(tmp_path):
    """`guifan reparse` updates versions in place; the triggers make the next search see it."""
    path = build_archive(tmp_path / "rw.db", 10, seed="rw", edit_every=0)
    conn = sqlite3.connect(path)
    search.ensure_index(conn)
    old_title = conn.execute("SELECT title FROM versions WHERE rowid = 2").fetchone()[0]
    with Archive(path) as archive, archive.transaction() as c:   # another writer, no search code
        c.execute("UPDATE versions SET body = '龘龘', content_hash = 'x' WHERE rowid = 1")
        c.execute("UPDATE versions SET title = '新标题' WHERE rowid = 2")
    assert [h.rowid for h in search.search(conn, "龘", DocFilters(all_versions=True)).hits] == [1]
    assert [h.rowid for h in search.search(conn, "新标题", DocFilters(all_versions=True)).hits] == [2]
    assert 2 not in set(search.iter_matching_rowids(conn, f'"{old_title}"'))
    assert search.stale(conn) == 0


def test_check_finds_rows_changed_behind_the_triggers_back(tmp_path):
    path = build_archive(tmp_path / "chk.db", 10, seed="chk", edit_every=0)
    conn = sqlite3.connect(path, isolation_level=None)
    search.ensure_index(conn)
    conn.execute("DROP TRIGGER search_versions_update")
    conn.execute("UPDATE versions SET body = '龘', content_hash = 'x' WHERE rowid = 1")
    assert search.stale(conn) == 1
    search.rebuild_index(conn)
    assert list(search.iter_matching_rowids(conn, "龘")) == [1]
    assert search.stale(conn) == 0


def test_snippet_marks_matches_in_the_original_script():
    text = "為加強檔案管理，現將有關事項通知如下"
    assert search.snippet(text, ["档案"]) == "為加強【檔案】管理，現將有關事項通知如下"
    assert search.html_snippet("<b>教育</b>", ["教育"]) == "&lt;b&gt;<mark>教育</mark>&lt;/b&gt;"


def test_normalisation_is_per_character():
    for text in ["乾隆年間", "著作權", "後來", "綫上", "ＡＢＣ１２３", "臺灣"]:
        assert cjk_text.normalise(text) == "".join(cjk_text.normalise(c) for c in text)
    assert cjk_text.normalise("綫上辦理") == cjk_text.normalise("线上办理") == "线上办理"


def test_attachment_text_column_is_indexed_once_it_exists(tmp_path):
    """versions.attachment_text (archive/attachments.py) is indexed, and rewritten text re-indexed;
    an archive made before the column gets it picked up."""
    path = build_archive(tmp_path / "att.db", 5, seed="att", edit_every=0)
    conn = sqlite3.connect(path, isolation_level=None)
    search.ensure_index(conn)
    if "attachment_text" not in {r[1] for r in conn.execute("PRAGMA table_info(versions)")}:
        conn.execute("ALTER TABLE versions ADD COLUMN attachment_text TEXT")
    conn.execute("UPDATE versions SET attachment_text = '附件：龘龘登記表' WHERE rowid = 2")
    assert [h.rowid for h in search.search(conn, "登记表", DocFilters(all_versions=True)).hits] == [2]
    conn.execute("UPDATE versions SET attachment_text = '附件：另一张表' WHERE rowid = 2")
    assert [h.rowid for h in search.search(conn, "另一张", DocFilters(all_versions=True)).hits] == [2]
    assert not search.search(conn, "登记表", DocFilters(all_versions=True)).hits


@pytest.mark.parametrize("decorated", ["教育。", "教育)", "教育）", "教育😀", "“教育”", "教育!?", "(教育"])
def test_punctuation_around_a_term_is_ignored(archive_db, decorated):
    _, conn = archive_db
    plain = set(search.iter_matching_rowids(conn, "教育"))
    assert plain and set(search.iter_matching_rowids(conn, decorated)) == plain


def test_and_is_an_operator_not_a_word(archive_db):
    _, conn = archive_db
    both = set(search.iter_matching_rowids(conn, "教育 管理"))
    assert both and set(search.iter_matching_rowids(conn, "教育 AND 管理")) == both
    assert set(search.iter_matching_rowids(conn, "AND 教育")) == set(search.iter_matching_rowids(conn, "教育"))


def test_punctuation_inside_a_phrase_still_separates_its_parts(archive_db):
    _, conn = archive_db
    # 教\n育 in the body: "教 育" and "教。育" need the break, 教育 itself is found elsewhere too.
    split = set(search.iter_matching_rowids(conn, '"教。育"'))
    assert split and split == set(search.iter_matching_rowids(conn, '"教 育"'))


def test_document_numbers_and_issuers_are_searchable(crawled):
    """Every demo document with a 文号 is found by it, as normalised and as printed, and by its issuer."""
    db, conn, _ = crawled
    search.ensure_index(conn)
    rows = conn.execute("SELECT doc_id, doc_number, doc_number_raw, issuer, body FROM current "
                        "WHERE doc_number != ''").fetchall()
    assert len(rows) >= 70
    assert not any(r["doc_number"] in r["body"] for r in rows)       # the body never prints them
    for r in rows:
        for text in {r["doc_number"], r["doc_number_raw"], r["doc_number"].replace("〔", "[").replace("〕", "]")}:
            hits = search.search(conn, text, limit=5, refresh_index=False).hits
            assert r["doc_id"] in {h.fields["doc_id"] for h in hits}, text
            assert "【" in hits[0].snippet                              # the hit is shown where it is
    issuer = rows[0]["issuer"]
    found = {h.fields["doc_id"] for h in search.search(conn, issuer, limit=500, refresh_index=False).hits}
    assert {r["doc_id"] for r in conn.execute("SELECT doc_id FROM current WHERE issuer = ?", (issuer,))} <= found
