"""Exports: Excel-safe CSV (BOM, RFC 4180, formula neutralisation), JSON Lines, filters, streaming."""
from __future__ import annotations

import csv
import io
import json
import sqlite3
import tracemalloc

import pytest

from guifan.archive import export
from guifan.archive.cjk_text import contains
from guifan.archive.doc_filters import DocFilters
from benchmarks.synthetic_archive import build_archive
from guifan.parsers.record import RECORD_FIELDS, Document

from .conftest import run_guifan

NASTY = [
    ("demo-yunxi", Document(url="http://x.invalid/e1", title="=1+1", body="=HYPERLINK(\"http://evil.invalid\",\"点我\")\n第二段，含\"引号\"和,逗号\r\n第三段",
                            issuer="@云溪县", doc_type="通知", validity="in_force", published_date="2024-02-02")),
    ("demo-yunxi", Document(url="http://x.invalid/e2", title="+86 热线", body="-1\t减一", doc_type="通告",
                            validity="repealed", published_date="2019-05-05")),
    ("demo-qingshi", Document(url="http://x.invalid/e3", title="\t制表开头", body="＝SUM(A1)\n全角等号",
                              doc_type="办法", published_date="2021-07-07")),
]


@pytest.fixture(scope="module")
def db(tmp_path_factory):
    path = tmp_path_factory.mktemp("export") / "export.db"
    build_archive(path, 300, seed="export-test", extra=NASTY)
    return path


def export_bytes(db, fmt="csv", filters=None, **kw) -> bytes:
    out = io.BytesIO()
    with sqlite3.connect(db) as conn:
        export.export(conn, out, fmt, filters, **kw)
    return out.getvalue()


def db_rows(db, where="d.status = 'live' AND v.version = d.current_version", params=()):
    with sqlite3.connect(db) as conn:
        return conn.execute(f"SELECT v.doc_id, v.version, v.title, v.body FROM versions v "
                            f"JOIN documents d USING (doc_id) WHERE {where} ORDER BY v.doc_id, v.version",
                            params).fetchall()


def unneutralise(cell: str) -> str:
    return cell[1:] if cell.startswith("'") and cell[1:].startswith(export.FORMULA_START) else cell


def test_csv_has_bom_and_every_row_round_trips(db):
    data = export_bytes(db)
    assert data[:3] == b"\xef\xbb\xbf"
    rows = list(csv.reader(io.StringIO(data.decode("utf-8-sig"), newline="")))
    assert tuple(rows[0]) == export.EXPORT_FIELDS
    assert rows[0][:len(RECORD_FIELDS)] == list(RECORD_FIELDS)
    expected = db_rows(db)
    assert len(rows) - 1 == len(expected) > 300
    for row, (doc_id, version, title, body) in zip(rows[1:], expected):
        record = dict(zip(rows[0], row))
        assert (record["doc_id"], int(record["version"])) == (doc_id, version)
        assert unneutralise(record["title"]) == title
        assert unneutralise(record["body"]) == body        # multi-line bodies intact
        assert len(record["sha256"]) == 64 and record["captured_at"] and record["url"].startswith("http")


def test_csv_is_rfc4180_with_crlf_rows_and_quoted_newlines(db):
    text = export_bytes(db, filters=DocFilters(doc_types=["通知"], date_from="2024-02-02", date_to="2024-02-02")
                        ).decode("utf-8-sig")
    header, rest = text.split("\r\n", 1)
    assert header == ",".join(export.EXPORT_FIELDS)
    # quotes doubled inside a quoted cell: the body, and full_text (the body + attachment texts)
    assert rest.endswith("\r\n") and rest.count('含""引号""') == 2
    assert '"\'=HYPERLINK(""http://evil.invalid"",""点我"")\n第二段' in rest


def test_formula_cells_are_neutralised(db):
    text = export_bytes(db, filters=DocFilters(sites=["demo-yunxi", "demo-qingshi"], all_versions=True)
                        ).decode("utf-8-sig")
    rows = {r["url"]: r for r in csv.DictReader(io.StringIO(text, newline=""))}
    first, second, third = (rows[f"http://x.invalid/e{i}"] for i in (1, 2, 3))
    assert first["title"] == "'=1+1" and first["body"].startswith("'=HYPERLINK(")
    assert first["issuer"] == "'@云溪县"
    assert second["title"] == "'+86 热线" and second["body"] == "'-1\t减一"
    assert third["title"] == "'\t制表开头" and third["body"].startswith("'＝SUM")
    for row in rows.values():
        for value in row.values():
            assert not value.startswith(export.FORMULA_START), value


def test_no_bom_for_scripts(db):
    assert export_bytes(db, bom=False)[:9] == b"doc_id,ve"


def test_jsonl_is_valid_and_untouched(db):
    lines = export_bytes(db, "jsonl").decode("utf-8").splitlines()
    records = [json.loads(line) for line in lines]
    assert len(records) == len(db_rows(db))
    assert all(tuple(r) == export.EXPORT_FIELDS for r in records)
    nasty = next(r for r in records if r["url"] == "http://x.invalid/e1")
    assert nasty["title"] == "=1+1" and nasty["body"].startswith("=HYPERLINK")   # JSON is for programs
    assert all(isinstance(r["attachments"], list) and isinstance(r["quality_flags"], list) for r in records)
    assert any(r["attachments"] for r in records)


@pytest.mark.parametrize("filters, where, params", [
    (DocFilters(sites=["demo-qingshi"]), "v.site = ?", ("demo-qingshi",)),
    (DocFilters(validity=["废止"], validity_label=True), "v.validity = ?", ("repealed",)),
    (DocFilters(doc_types=["办法", "规定"]), "v.doc_type IN (?, ?)", ("办法", "规定")),
    (DocFilters(date_from="2018", date_to="2019-06"), "v.published_date BETWEEN ? AND ?", ("2018-01-01", "2019-06-31")),
    (DocFilters(issuer="财政局"), "instr(v.issuer, ?) > 0", ("财政局",)),
])
def test_filters(db, filters, where, params):
    records = [json.loads(x) for x in export_bytes(db, "jsonl", filters).decode().splitlines()]
    expected = db_rows(db, f"d.status = 'live' AND v.version = d.current_version AND {where}", params)
    assert [(r["doc_id"], r["version"]) for r in records] == [(e[0], e[1]) for e in expected]
    assert records


def test_all_versions_includes_superseded_ones(db):
    current = export_bytes(db, "jsonl").decode().splitlines()
    everything = [json.loads(x) for x in export_bytes(db, "jsonl", DocFilters(all_versions=True)).decode().splitlines()]
    assert len(everything) == len(db_rows(db, "1")) > len(current)
    old = [r for r in everything if r["valid_to"]]
    assert old and all(r["version"] == 1 for r in old)


def test_export_memory_is_flat(db, tmp_path):
    """Peak Python memory while exporting does not grow with the number of rows."""
    def peak(filters):
        with sqlite3.connect(db) as conn, open(tmp_path / "out.csv", "wb") as out:
            tracemalloc.start()
            n = export.export(conn, out, "csv", filters)
            _, top = tracemalloc.get_traced_memory()
            tracemalloc.stop()
        return n, top
    few, few_peak = peak(DocFilters(sites=["demo-yunxi"], doc_types=["通告"]))
    many, many_peak = peak(DocFilters(all_versions=True))
    assert many > 10 * few
    assert many_peak < few_peak + 256 * 1024, (few_peak, many_peak)


def test_cli_export_to_file_and_errors(db, tmp_path):
    out = tmp_path / "out.csv"
    result = run_guifan("export", "--db", str(db), "--format", "csv", "--site", "demo-yunxi",
                        "--validity", "有效", "--out", str(out))
    assert result.returncode == 0, result.stderr
    assert "exported" in result.stderr and "\r" not in result.stderr      # no progress off a terminal
    rows = list(csv.DictReader(io.StringIO(out.read_bytes().decode("utf-8-sig"), newline="")))
    # --validity is the computed validity (today); the row still carries the portal's label beside it.
    assert rows and {r["site"] for r in rows} == {"demo-yunxi"} and {r["computed_validity"] for r in rows} == {"in_force"}
    jsonl = run_guifan("export", "--db", str(db), "--format", "jsonl", "--no-bom", "-q", "規範性文件")
    found = [json.loads(x) for x in jsonl.stdout.splitlines()]
    assert jsonl.returncode == 0 and found
    assert all(contains(r["title"] + "\n" + r["body"], "规范性文件") for r in found)
    assert any("規範性文件" in r["title"] + r["body"] for r in found)      # either script
    for args, phrase in [(("--from", "2020-13"), "dates are YYYY"), (("--validity", "valid"), "unknown validity"),
                         (("--out", str(tmp_path / "no" / "x.csv")), "does not exist"), (("-q", '"教育'), "unbalanced")]:
        bad = run_guifan("export", "--db", str(db), *args)
        assert bad.returncode == 1 and "Traceback" not in bad.stderr
        assert bad.stderr.startswith("guifan: error:") and phrase in bad.stderr, bad.stderr
    assert not (tmp_path / "no").exists()


@pytest.mark.parametrize("fmt", ["csv", "jsonl"])
def test_chunked_export_is_byte_identical(db, fmt):
    """The streamed download of `guifan serve` is the same file as `guifan export`."""
    whole = export_bytes(db, fmt, DocFilters(all_versions=True))
    with sqlite3.connect(db) as conn:
        chunks = list(export.iter_chunks(export.iter_rows(conn, DocFilters(all_versions=True)), fmt, rows_per_chunk=37))
    assert len(chunks) > 5 and b"".join(chunks) == whole
