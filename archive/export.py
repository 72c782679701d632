"""Stream document versions out as CSV (Excel-safe), JSON (one array) or JSON Lines.

* Columns: the record fields (``RECORD_FIELDS``, the contract of docs/design.md) plus provenance:
  which capture the version was extracted from, when it was fetched, the sha256 of the raw
  bytes, and the version's validity interval.
* CSV is UTF-8 with a BOM by default (Excel otherwise reads UTF-8 as the local ANSI code page
  and shows mojibake), RFC 4180 quoting with CRLF row ends; bodies keep their newlines inside
  quoted cells. Cells that a spreadsheet would run as a formula (starting with ``= + - @``,
  tab or CR, or their full-width forms, which East Asian Excel also accepts) get a leading
  ``'``. JSON Lines carries the values untouched, lists as lists.
* Rows stream from one SQLite cursor in primary-key order (no sort, no buffering), so memory
  stays flat however many rows are written.
"""
from __future__ import annotations

import csv
import io
import itertools
import json
import sqlite3
from typing import IO, Callable, Iterator

from guifan.parsers.record import RECORD_FIELDS

from .attachments import FULL_TEXT_SQL
from .doc_filters import DocFilters, as_of_day

# The computed validity (archive.validity) on the filters' --as-of day (default today).
COMPUTED_FIELDS = ("computed_validity", "validity_as_of", "validity_source", "validity_conflict")
PROVENANCE_FIELDS = ("region", "captured_at", "capture_url", "sha256", "capture_id", "extractor_version",
                     "valid_from", "valid_to", "document_status")
# full_text: the body, then the attachments' texts, each marked (archive/attachments.py) — the
# document's text when its page is a cover over an attachment.
EXPORT_FIELDS = RECORD_FIELDS + PROVENANCE_FIELDS + COMPUTED_FIELDS + ("full_text",)
JSON_FIELDS = ("attachments", "quality_flags", "validity_clauses")
FORMATS = ("csv", "json", "jsonl")
# A spreadsheet runs a cell starting with one of these as a formula (OWASP CSV injection).
FORMULA_START = tuple("=+-@\t\r") + tuple("＝＋－＠")
_FORMULA_FIRST = frozenset(FORMULA_START)
BOM = "\ufeff"
_JSON = json.JSONEncoder(ensure_ascii=False)   # built once: json.dumps(...) builds one per call

_SOURCE = {
    "region": "s.region", "captured_at": "c.fetched_at", "capture_url": "c.final_url", "sha256": "c.sha256",
    "capture_id": "v.capture_id", "document_status": "d.status", "full_text": FULL_TEXT_SQL.format(v="v"),
    "effective_date": "vf.effective_date", "expiry_date": "vf.expiry_date", "validity_clauses": "vf.validity_clauses",
    "computed_validity": "coalesce(vt.validity, 'unknown')", "validity_as_of": ":export_as_of",
    "validity_source": "json_extract(vt.basis, '$.source')", "validity_conflict": "(vt.conflicts != '[]')",
}


def select_sql(filters: DocFilters, match: str | None = None) -> tuple[str, dict]:
    """The export query: values bound, never spliced; primary-key order needs no sort."""
    where, params = filters.where()
    if match is not None:
        where += " AND v.rowid IN (SELECT rowid FROM search_fts WHERE search_fts MATCH :match)"
        params["match"] = match
    cols = ", ".join(f"{_SOURCE.get(f, 'v.' + f)} AS {f}" for f in EXPORT_FIELDS)
    params["export_as_of"] = filters.as_of or as_of_day(None)
    sql = (f"SELECT {cols} FROM versions v JOIN documents d ON d.doc_id = v.doc_id "
           "LEFT JOIN captures c ON c.capture_id = v.capture_id LEFT JOIN sites s ON s.name = v.site "
           "LEFT JOIN version_facts vf ON vf.version_rowid = v.rowid "
           "LEFT JOIN validity_timeline vt ON vt.doc_id = v.doc_id AND vt.version = v.version "
           "AND vt.start_date <= :export_as_of AND vt.end_date >= :export_as_of "
           f"WHERE {where} ORDER BY v.doc_id, v.version")
    return sql, params


def count_rows(conn: sqlite3.Connection, filters: DocFilters, match: str | None = None) -> int:
    sql, params = select_sql(filters, match)
    return conn.execute(f"SELECT count(*) FROM ({sql})", params).fetchone()[0]


def iter_rows(conn: sqlite3.Connection, filters: DocFilters, match: str | None = None) -> Iterator[tuple]:
    from . import validity

    if not validity.has_tables(conn) or filters.needs_validity:
        validity.ensure_current(conn)        # the computed columns (and filter) read its tables
    sql, params = select_sql(filters, match)
    cur = conn.cursor()
    cur.row_factory = None                   # plain tuples: the fastest rows sqlite3 makes
    cur.arraysize = 256
    yield from cur.execute(sql, params)


def neutralise(value):
    """Make a text cell inert in a spreadsheet; other values pass through."""
    if value.__class__ is str and value[:1] in _FORMULA_FIRST:
        return "'" + value
    return value


def _neutralised(rows: Iterator[tuple]) -> Iterator[list]:
    # Inlined `neutralise`: this loop runs for every cell of every row.
    first = _FORMULA_FIRST
    for row in rows:
        yield [("'" + v) if v.__class__ is str and v[:1] in first else v for v in row]


def write_csv(rows: Iterator[tuple], out: IO[str], *, bom: bool = True, header: bool = True,
              progress: Callable[[int], None] | None = None) -> int:
    """Write a header and rows to a text stream opened with ``newline=''``; return the row count."""
    if bom:
        out.write(BOM)
    writer = csv.writer(out, dialect="excel", lineterminator="\r\n", quoting=csv.QUOTE_MINIMAL)
    if header:
        writer.writerow(EXPORT_FIELDS)
    counted = _counting(_neutralised(rows), progress)
    writer.writerows(counted)
    return counted.n


class _counting:
    """Count rows as they pass and report progress every 1000 (no per-row Python frame of ours)."""

    def __init__(self, rows, progress):
        self.rows, self.progress, self.n = rows, progress, 0

    def __iter__(self):
        for self.n, row in enumerate(self.rows, 1):
            if self.progress and self.n % 1000 == 0:
                self.progress(self.n)
            yield row


def _records(rows: Iterator[tuple], progress: Callable[[int], None] | None) -> Iterator[dict]:
    json_at = [EXPORT_FIELDS.index(f) for f in JSON_FIELDS]
    for n, row in enumerate(rows, 1):
        record = dict(zip(EXPORT_FIELDS, row))
        for i in json_at:
            value = row[i]
            record[EXPORT_FIELDS[i]] = [] if not value or value == "[]" else json.loads(value)
        yield record
        if progress and n % 1000 == 0:
            progress(n)


def write_jsonl(rows: Iterator[tuple], out: IO[str], *, progress: Callable[[int], None] | None = None) -> int:
    """One JSON object per line."""
    encode, write, n = _JSON.encode, out.write, 0
    for n, record in enumerate(_records(rows, progress), 1):
        write(encode(record) + "\n")
    return n


def write_json(rows: Iterator[tuple], out: IO[str], *, progress: Callable[[int], None] | None = None) -> int:
    """One JSON array of objects, streamed (the same objects as JSON Lines)."""
    encode, write, n = _JSON.encode, out.write, 0
    write("[")
    for n, record in enumerate(_records(rows, progress), 1):
        write(("\n" if n == 1 else ",\n") + encode(record))
    write("\n]\n")
    return n


def iter_chunks(rows: Iterator[tuple], fmt: str, *, bom: bool = True, rows_per_chunk: int = 1000) -> Iterator[bytes]:
    """The same bytes as :func:`export`, as a sequence of chunks (for streaming HTTP responses)."""
    buf = io.StringIO()
    rows = iter(rows)
    first = True
    while True:
        batch = list(itertools.islice(rows, rows_per_chunk))
        if fmt == "csv":
            write_csv(iter(batch), buf, bom=bom and first, header=first)
        else:
            write_jsonl(iter(batch), buf)
        data = buf.getvalue()
        buf.seek(0)
        buf.truncate()
        if data:
            yield data.encode("utf-8")
        first = False
        if len(batch) < rows_per_chunk:
            return


def export(conn: sqlite3.Connection, out: IO[bytes], fmt: str, filters: DocFilters | None = None, *,
           match: str | None = None, bom: bool = True, progress: Callable[[int], None] | None = None) -> int:
    """Export matching versions to a binary stream as ``fmt``; return the number of rows."""
    if fmt not in FORMATS:
        raise ValueError(f"format must be one of {FORMATS}, got {fmt!r}")
    rows = iter_rows(conn, filters or DocFilters(), match)
    text = io.TextIOWrapper(out, encoding="utf-8", newline="", write_through=False)
    try:
        writer = {"csv": write_csv, "json": write_json, "jsonl": write_jsonl}[fmt]
        return writer(rows, text, **({"bom": bom} if fmt == "csv" else {}), progress=progress)
    finally:
        text.flush()
        text.detach()                        # leave the caller's stream open
