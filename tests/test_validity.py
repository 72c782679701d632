"""Validity you can cite (issue 14): clauses, decisions, citations, computed validity, links.

The demo portal's validity documents (demo_portal/validity_docs.py) are crawled by the real
CLI into a real SQLite file; every computed validity, conflict and link is asserted exactly
against their ground truth, and the --validity filter of `guifan search`, `guifan export`
and the Datasette server against the computed validity.
"""
from __future__ import annotations

import json
import os
import subprocess
import sys
import urllib.parse
import urllib.request

import pytest

from guifan.archive import doc_id_for, validity
from guifan.demo_portal import DemoPortal, catalog
from guifan.demo_portal import validity_docs as vd
from guifan.parsers.citations import find_citations
from guifan.parsers.decisions import read_decision
from guifan.parsers.validity_clauses import add_period, read_validity_clauses

from .conftest import REPO, crawl_to_archive, row_connection, run_guifan


# --- the readers (pure) -------------------------------------------------------------------------

@pytest.mark.parametrize("body, dates, expected", [
    ("本办法自2020年1月1日起施行，有效期5年。", {}, ("2020-01-01", "2024-12-31")),
    ("本通知自印发之日起施行，有效期至2021年12月31日。", {"written_date": "2018-06-10"}, ("2018-06-10", "2021-12-31")),
    ("本意见自发布之日起施行。", {"written_date": "2019-01-02", "published_date": "2019-01-05"}, ("2019-01-02", None)),
    ("本意见自发布之日起施行。", {"published_date": "2019-01-05"}, ("2019-01-05", None)),
    ("本办法自2020年6月1日起施行，至2023年5月31日止。", {}, ("2020-06-01", "2023-05-31")),
    ("本办法自二〇二一年一月一日起施行，有效期三年。", {}, ("2021-01-01", "2023-12-31")),
    ("本通知自2022年2月1日起施行，有效期6个月。", {}, ("2022-02-01", "2022-07-31")),
    ("本办法有效期为2020年1月1日至2024年12月31日。", {}, ("2020-01-01", "2024-12-31")),
    ("本规定自２０２０年１月１日起实施，有效期至２０２２年１２月３１日。", {}, ("2020-01-01", "2022-12-31")),
    ("本办法有效期5年。", {"written_date": "2020-02-29"}, (None, "2025-02-28")),
    ("决定将《X办法》（云政发〔2020〕30号）有效期延长至2025年12月31日。本通知自印发之日起施行。",
     {"written_date": "2023-12-20"}, ("2023-12-20", None)),
    ("各单位要加强管理，确保工作落实。", {"written_date": "2020-01-01"}, (None, None)),
])
def test_clause_shapes(body, dates, expected):
    clauses = read_validity_clauses(body, **dates)
    assert (clauses.effective_date, clauses.expiry_date) == expected
    for c in clauses.clauses:
        assert c.sentence in body                    # each value keeps its exact sentence


def test_period_convention_counts_the_last_day_in_force():
    assert add_period("2020-01-01", 5, "年") == "2024-12-31"
    assert add_period("2022-02-01", 6, "月") == "2022-07-31"
    assert add_period("2020-02-29", 1, "年") == "2021-02-28"
    assert add_period("2020-01-31", 1, "月") == "2020-02-29"


def test_trial_is_the_documents_own_not_a_cited_ones():
    assert read_validity_clauses("", title="云溪县城镇老旧小区改造暂行办法").trial
    assert read_validity_clauses("", title="关于印发《X管理办法（试行）》的通知").trial
    assert not read_validity_clauses("", title="关于延长《X办法（试行）》有效期的通知").trial


def test_the_raw_pre_test_knows_every_character_nfkc_turns_into_a_clause_word():
    # Sentences without 年/月/之日起/试行 are skipped before NFKC; a compatibility character
    # (⽉ Kangxi radical, ㋀ = 1月) would escape that test unless COMPAT_CLAUSE_CHARS names it.
    import re
    import unicodedata

    from guifan.parsers.validity_clauses import COMPAT_CLAUSE_CHARS

    words = set("年月之日起试行")
    needed = {chr(i) for i in range(sys.maxunicode + 1) if not 0xD800 <= i < 0xE000
              and chr(i) not in words and words & set(unicodedata.normalize("NFKC", chr(i)))}
    listed = re.compile(f"[{COMPAT_CLAUSE_CHARS}]")
    assert {c for c in needed if not listed.match(c)} == set()
    assert read_validity_clauses("本办法自２０２０年１月１日起施行。").effective_date == "2020-01-01"
    assert read_validity_clauses("本办法自2020年㋀1日起施行。").effective_date == "2020-01-01"  # ㋀ = 1月
    assert read_validity_clauses("本办法试\u2f8f期6个\u2f49。").trial  # Kangxi 行 and 月: no 试行 or 月 before NFKC


def test_decision_lists_tables_sentences_and_quotes():
    listed = read_decision("关于废止和宣布失效部分规范性文件的决定", "\n".join([
        "一、决定废止的规范性文件（2件）", "1.《云溪县城区绿化管理办法》（云政规〔2015〕9号）",
        "2.云溪县森林防火管理办法（云政发〔2014〕7号）", "二、宣布失效的规范性文件（1件）",
        "1. 关于加强户外广告管理的通知"]))
    assert [(t.title, t.doc_number, t.action) for t in listed.targets] == [
        ("云溪县城区绿化管理办法", "云政规〔2015〕9号", "repeal"),
        ("云溪县森林防火管理办法", "云政发〔2014〕7号", "repeal"),
        ("关于加强户外广告管理的通知", None, "invalidate")]
    table = read_decision("某某公告〔2024〕第1号", "现决定废止下列文件：\n序号 | 文件名称 | 文号 | 处理意见\n"
                          "1 | 某某管理办法 | 某发〔2010〕3号 | 废止")
    assert [(t.title, t.doc_number, t.action) for t in table.targets] == [("某某管理办法", "某发〔2010〕3号", "repeal")]
    amended = read_decision("关于修改《X办法》的决定", "决定对《X办法》（某规〔2019〕2号）作如下修改：\n"
                            "一、将第三条修改为：“按照《Y办法》执行。”\n本决定自2021年9月1日起施行。")
    assert [(t.title, t.action) for t in amended.targets] == [("X办法", "amend")]   # not the quoted 《Y办法》
    assert read_decision("关于印发《X办法（修订）》的通知", "现印发给你们。") is None


def test_a_doc_number_printed_with_its_issuing_verb_is_the_doc_number():
    """《支付结算办法》（银发〔1997〕393号文印发）, 公告〔2013〕第6号公布: the verb is not part of the
    文号, so a decision naming it meets the archived document (found on real PBC decisions)."""
    from guifan.parsers.normalise import normalise_doc_number

    assert normalise_doc_number("银发〔1997〕393号文印发") == normalise_doc_number("银发〔1997〕393号") == "银发〔1997〕393号"
    assert normalise_doc_number("中国人民银行公告〔2013〕第6号公布") == "中国人民银行公告〔2013〕6号"
    assert normalise_doc_number("中国人民银行 海关总署令〔2015〕第1号发布") == "中国人民银行海关总署令〔2015〕1号"
    assert normalise_doc_number("国办发〔2020〕1号") == "国办发〔2020〕1号"


def test_citation_types_follow_the_nearest_verb():
    body = ("根据《中华人民共和国行政许可法》，按照云政办发〔2018〕15号文件要求，制定本办法。"
            "原《青石县河道采砂管理暂行办法》（青政发(2014)20号）同时废止。"
            "现将《示范省财政厅关于加强预算管理的通知》（示财预〔2023〕8号）转发给你们，请参照《Z办法》执行。")
    assert [(c.text, c.type) for c in find_citations(body)] == [
        ("《中华人民共和国行政许可法》", "basis"), ("云政办发〔2018〕15号", "other"),
        ("《青石县河道采砂管理暂行办法》（青政发(2014)20号）", "repeal"),
        ("《示范省财政厅关于加强预算管理的通知》（示财预〔2023〕8号）", "forward"), ("《Z办法》", "reference")]


# --- the demo portal crawled ------------------------------------------------------------------

@pytest.fixture(scope="module")
def archive(crawled):
    """The session's crawled demo archive, with validity computed by the CLI's own refresh."""
    db, conn, _ = crawled
    result = run_guifan("validity", "--recompute", "--db", str(db))
    assert result.returncode == 0, result.stderr
    return db, conn


@pytest.fixture(scope="module")
def ids(archive, crawled_portal):
    by_key = {d.key: d for d in catalog.documents(day=1)}
    return {n: doc_id_for(by_key[vd.doc_key(n)].site, crawled_portal.base_url(by_key[vd.doc_key(n)].site)
                          + by_key[vd.doc_key(n)].path) for n in vd.NAMES}


def test_clauses_of_every_validity_document(archive, ids):
    _, conn = archive
    for name, (effective, expiry, trial) in vd.CLAUSES.items():
        row = conn.execute("SELECT * FROM version_facts WHERE doc_id = ?", (ids[name],)).fetchone()
        assert (row["effective_date"], row["expiry_date"], bool(row["trial"])) == (effective, expiry, trial), name


def test_computed_validity_on_several_days_with_conflicts_shown(archive, ids):
    _, conn = archive
    for name, days in vd.VALIDITY.items():
        for day, expected in days.items():
            got = validity.computed(conn, ids[name], 1, day)
            assert got["validity"] == expected, (name, day, got["basis"])
            assert bool(got["conflicts"]) == ((name, day) in vd.CONFLICTS), (name, day, got["conflicts"])


def test_every_decision_target_is_linked_exactly_or_left_unresolved(archive, ids):
    _, conn = archive
    for name, targets in vd.TARGETS.items():
        rows = conn.execute("SELECT * FROM doc_refs WHERE doc_id = ? AND kind = 'target' ORDER BY position",
                            (ids[name],)).fetchall()
        assert [(r["title"], r["doc_number"], r["issuer"], r["type"]) for r in rows] == [t[:4] for t in targets]
        for row, target in zip(rows, targets):
            want = target[4]
            if isinstance(want, tuple):                   # two documents share the title: no guess
                assert (row["status"], row["target_doc_id"]) == ("ambiguous", None)
                assert sorted(json.loads(row["candidates"])) == sorted(ids[n] for n in want[1])
            elif want is None:
                assert (row["status"], row["target_doc_id"]) == ("unmatched", None)
            else:
                assert (row["status"], row["target_doc_id"]) == ("linked", ids[want]), row["match"]


def test_every_citation_is_typed_and_linked_exactly(archive, ids):
    _, conn = archive
    names = {v: k for k, v in ids.items()}
    for name in vd.NAMES:
        rows = conn.execute("SELECT * FROM doc_refs WHERE doc_id = ? AND kind = 'citation' ORDER BY position",
                            (ids[name],)).fetchall()
        got = [(r["text"], r["type"], names.get(r["target_doc_id"]) if r["status"] == "linked" else None)
               for r in rows]
        assert got == vd.CITATIONS.get(name, []), name


def test_links_command_shows_both_directions(archive, ids):
    db, _ = archive
    result = run_guifan("links", ids["homestead"], "--db", str(db), "--format", "json")
    assert result.returncode == 0, result.stderr
    # The cleanup table's row repeals it, and the 文号 printed in that row cites it.
    assert [(r["direction"], r["link"], r["doc_id"]) for r in json.loads(result.stdout)] == [
        ("in", "repealed by", ids["cleanup"]), ("in", "cited by", ids["cleanup"])]
    result = run_guifan("links", ids["talent"], "--db", str(db), "--format", "json")
    assert {(r["link"], r["doc_id"]) for r in json.loads(result.stdout)} == {
        ("extended by", ids["talent_extension"]), ("cited by", ids["talent_extension"])}
    result = run_guifan("links", ids["cleanup"], "--db", str(db), "--unresolved")
    assert "ambiguous" in result.stdout and ids["flood_qingshi"] in result.stdout and ids["flood_yunxi"] in result.stdout


def test_validity_command_gives_value_basis_and_sentence(archive, ids):
    db, _ = archive
    result = run_guifan("validity", ids["talent"], "--as-of", "2024-01-01", "--db", str(db), "--format", "json")
    assert result.returncode == 0, result.stderr
    data = json.loads(result.stdout)
    assert (data["validity"], data["basis"]["source"], data["basis"]["doc_id"]) == (
        "in_force", "decision", ids["talent_extension"])
    assert "有效期延长至2025年12月31日" in data["basis"]["sentence"]
    assert (data["effective_date"], data["expiry_date"], data["trial"]) == ("2021-01-01", "2023-12-31", True)
    bad = run_guifan("validity", ids["talent"], "--as-of", "2024-13-01", "--db", str(db))
    assert bad.returncode == 1 and "YYYY-MM-DD" in bad.stderr


def test_show_and_parse_print_the_derived_fields(archive, ids, crawled_portal, tmp_path):
    db, _ = archive
    result = run_guifan("show", ids["forest"], "--db", str(db), "--format", "json", "--validity-as-of", "2024-01-01")
    data = json.loads(result.stdout)
    assert (data["effective_date"], data["expiry_date"], data["computed_validity"]) == (
        "2018-06-10", "2021-12-31", "expired")
    assert data["validity_clauses"] == ["本通知自印发之日起施行，有效期至2021年12月31日。"]
    doc = next(d for d in catalog.documents(day=1) if d.key == vd.doc_key("renovation"))
    page = tmp_path / "page.html"
    page.write_bytes(urllib.request.urlopen(crawled_portal.base_url(doc.site) + doc.path).read())
    record = json.loads(run_guifan("parse", str(page)).stdout)
    assert (record["effective_date"], record["expiry_date"], record["validity_clauses"]) == (
        "2020-06-01", "2023-05-31", ["第八条　本办法自2020年6月1日起施行，至2023年5月31日止。"])


def _computed_ids(conn, value: str, day: str) -> set[str]:
    rows = conn.execute("SELECT v.doc_id FROM versions v JOIN documents d ON d.doc_id = v.doc_id "
                        "AND d.current_version = v.version AND d.status = 'live'").fetchall()
    return {r[0] for r in rows if validity.computed(conn, r[0], 1, day)["validity"] == value}


def _matching_ids(conn, query: str) -> set[str]:
    from guifan.archive import search

    search.ensure_index(conn)
    rowids = set(search.iter_matching_rowids(conn, query))
    return {r[1] for r in conn.execute("SELECT v.rowid, v.doc_id FROM versions v JOIN documents d ON "
                                       "d.doc_id = v.doc_id AND d.current_version = v.version AND d.status = 'live'")
            if r[0] in rowids}


@pytest.mark.parametrize("word", ["in_force", "有效"])
def test_search_validity_filter_is_the_computed_validity(archive, word):
    db, conn = archive
    result = run_guifan("search", "办法", "--validity", word, "--as-of", "2024-01-01", "--db", str(db),
                        "--format", "jsonl", "-n", "1000")
    assert result.returncode == 0, result.stderr
    got = {json.loads(line)["doc_id"] for line in result.stdout.splitlines()}
    want = _computed_ids(conn, "in_force", "2024-01-01") & _matching_ids(conn, "办法")
    assert got == want and len(got) >= 10


def test_chinese_words_filter_as_their_values_and_the_label_switch(archive):
    db, conn = archive
    def found(*args):
        result = run_guifan("search", "办法", *args, "--db", str(db), "--format", "jsonl", "-n", "1000")
        assert result.returncode == 0, result.stderr
        return {json.loads(line)["doc_id"] for line in result.stdout.splitlines()}
    repealed = found("--validity", "已废止", "--as-of", "2024-01-01")
    assert repealed == found("--validity", "repealed", "--as-of", "2024-01-01") != set()
    labelled = found("--validity", "有效", "--validity-label")
    assert labelled == {r[0] for r in conn.execute(
        "SELECT doc_id FROM current WHERE validity = 'in_force'")} & _matching_ids(conn, "办法")
    assert labelled != found("--validity", "有效", "--as-of", "2024-01-01")


def test_export_columns_carry_the_computed_validity(archive, ids):
    db, conn = archive
    result = run_guifan("export", "--db", str(db), "--format", "jsonl", "--as-of", "2024-01-01")
    rows = {r["doc_id"]: r for r in map(json.loads, result.stdout.splitlines())}
    for name, days in vd.VALIDITY.items():
        if "2024-01-01" in days:
            row = rows[ids[name]]
            assert (row["computed_validity"], row["validity_as_of"]) == (days["2024-01-01"], "2024-01-01")
            assert (row["effective_date"], row["expiry_date"]) == vd.CLAUSES[name][:2]
    assert rows[ids["forest"]]["validity_conflict"] == 1 and rows[ids["forest"]]["validity"] == "in_force"


def test_datasette_filter_and_facets_agree_with_the_computed_validity(archive):
    db, conn = archive
    proc = subprocess.Popen([sys.executable, "-m", "guifan", "serve", "--db", str(db), "-p", "0"], cwd=REPO,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                            env={**os.environ, "PYTHONUNBUFFERED": "1"})
    try:
        line = proc.stdout.readline()
        assert "read-only at http://127.0.0.1:" in line, line
        url = line.split(" at ", 1)[1].split()[0]
        from .test_serve import _wait_until_up

        _wait_until_up(url)
        with urllib.request.urlopen(url + "-/export.jsonl?" + urllib.parse.urlencode({"q": "办法", "validity": "in_force", "as_of": "2024-01-01"}), timeout=20) as r:
            got = {json.loads(x)["doc_id"] for x in r.read().decode("utf-8").splitlines()}
        assert got == _computed_ids(conn, "in_force", "2024-01-01") & _matching_ids(conn, "办法")
        with urllib.request.urlopen(url + "archive/document_validity.json?_facet=computed_validity&_size=0",
                                    timeout=20) as r:
            facet = json.loads(r.read())["facet_results"]
        facet = facet.get("results", facet)["computed_validity"]["results"]
        counts = {f["value"]: f["count"] for f in facet}
        today = validity.dt.date.today().isoformat()
        for value in ("in_force", "repealed", "expired"):
            assert counts.get(value, 0) == len(_computed_ids(conn, value, today)), value
    finally:
        proc.terminate()
        proc.wait(timeout=10)


def test_a_crawl_computes_what_arrived_and_only_that(tmp_path):
    """Day 2 repeals a document by its label: the crawl that sees it computes it, reading only
    the new versions; a rewritten version is read again on the next refresh."""
    db = tmp_path / "two.db"
    with DemoPortal(day=1) as portal:
        first = crawl_to_archive(db, portal, ["demo-yunxi"])
        portal.set_day(2)
        second = crawl_to_archive(db, portal, ["demo-yunxi"])
    conn = row_connection(db)
    for run, result in ((1, first), (2, second)):
        read = int(result.stderr.split("validity: read ")[1].split()[0])
        assert 0 < read == conn.execute("SELECT count(*) FROM versions WHERE run_id = ?", (run,)).fetchone()[0]
    assert validity.is_current(conn)
    changed = conn.execute("SELECT doc_id FROM versions WHERE version = 2 AND validity = 'repealed'").fetchone()[0]
    today = validity.dt.date.today().isoformat()
    got = validity.computed(conn, changed, 2, today)
    assert (got["validity"], got["basis"]["source"]) == ("repealed", "label")
    conn.execute("UPDATE versions SET body = body || '本办法自2030年1月1日起施行。' WHERE doc_id = ? AND version = 2",
                 (changed,))
    conn.commit()
    assert not validity.is_current(conn)
    assert validity.refresh(conn).read == 1
    assert validity.computed(conn, changed, 2, "2029-06-01")["validity"] in ("not_yet_in_force", "repealed")
