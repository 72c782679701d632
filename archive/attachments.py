"""Attachments in the archive: their text per blob, their versions per URL, and a version's full text.

* ``attachment_texts`` — one row per blob (sha256): what the extraction worker read from
  those bytes (`parsers.attachment_text`), with the reader that did it. The writer only
  stores it; bytes already read by the same reader are not read again (`known`).
* ``attachment_versions`` — per attachment URL, a new version each time the text it serves
  changes (new bytes with the same text are the same version). This is the attachment's
  own history: it never makes a new version of the page that links it.
* ``versions.attachment_text`` — a document version's attachments' texts, in the order the
  page lists them, each marked ``【附件：name】``; kept current while the version is the
  current one (an attachment arriving or changing updates it in place), frozen once a
  newer version supersedes it. Search indexes it; `full_text` is the body followed by it,
  and is what export, diff and analyses use when the body is a cover (``attachment_only``).
"""
from __future__ import annotations

import hashlib
import json
import sqlite3

# Version rows whose attachment_text predates this column are filled from attachment_texts.
ADD_COLUMNS = (("versions", "attachment_text", "TEXT"),
               ("attachment_texts", "reader", "TEXT"),
               ("attachment_texts", "confidence", "REAL"),
               ("attachment_texts", "page_confidence", "TEXT"))

VERSIONS_TABLE = """
CREATE TABLE IF NOT EXISTS attachment_versions (
    url_id INTEGER NOT NULL REFERENCES urls(url_id),
    version INTEGER NOT NULL,
    sha256 TEXT NOT NULL,            -- the bytes that first served this text
    text_hash TEXT NOT NULL,         -- of status + text: what makes a new version
    valid_from TEXT NOT NULL,
    valid_to TEXT,
    run_id INTEGER REFERENCES runs(run_id),
    PRIMARY KEY (url_id, version)
);
"""
# The SQL a reader (export, the views) uses for a version's full text.
FULL_TEXT_SQL = ("({v}.body || CASE WHEN coalesce({v}.attachment_text, '') != '' "
                 "THEN char(10) || char(10) || {v}.attachment_text ELSE '' END)")


def full_text(body: str | None, attachment_text: str | None) -> str:
    """The document's text: its body, then its attachments' marked texts."""
    body = body or ""
    return f"{body}\n\n{attachment_text}" if attachment_text else body


def mark(name: str, flags: list[str], confidence: float | None) -> str:
    """The line that opens an attachment's text in the full text."""
    label = name if name.startswith("附件") else f"附件：{name}"
    ocr = f"（OCR，平均置信度 {confidence:g}）" if "ocr" in flags and confidence is not None else \
        ("（OCR）" if "ocr" in flags else "")
    return f"【{label}】{ocr}"


def add_columns(conn: sqlite3.Connection) -> None:
    """Bring an older archive up to date; one made before attachment versions gets them from
    its fetch log (each URL's latest capture) and its current versions their attachment text."""
    added = []
    for table, column, kind in ADD_COLUMNS:
        have = {r[1] for r in conn.execute(f"PRAGMA table_info({table})")}
        if have and column not in have:
            conn.execute(f"ALTER TABLE {table} ADD COLUMN {column} {kind}")
            added.append(column)
    if "attachment_text" in added:
        conn.execute(VERSIONS_TABLE)
        _backfill(conn)


def _backfill(c: sqlite3.Connection) -> None:
    latest = c.execute(
        "SELECT f.url_id, c.sha256, f.at, f.run_id FROM fetches f JOIN captures c USING (capture_id) "
        "WHERE f.kind = 'attachment' AND c.status BETWEEN 200 AND 299 AND f.fetch_id = "
        "(SELECT max(g.fetch_id) FROM fetches g WHERE g.url_id = f.url_id AND g.capture_id IS NOT NULL)").fetchall()
    for url_id, sha256, at, run_id in latest:
        record_version(c, url_id, sha256, at, run_id)
    for doc_id, version, atts in c.execute(
            "SELECT v.doc_id, v.version, v.attachments FROM documents d JOIN versions v "
            "ON v.doc_id = d.doc_id AND v.version = d.current_version WHERE v.attachments != '[]'").fetchall():
        c.execute("UPDATE versions SET attachment_text = ? WHERE doc_id = ? AND version = ?",
                  (texts_for(c, atts), doc_id, version))


def known(conn: sqlite3.Connection, sha256: str, reader: str) -> bool:
    """Were these bytes already read by this reader (same tools)? Then the worker skips them."""
    return conn.execute("SELECT 1 FROM attachment_texts WHERE sha256 = ? AND reader = ?",
                        (sha256, reader)).fetchone() is not None


def store_text(c: sqlite3.Connection, sha256: str, text, reader: str) -> None:
    """Keep what a worker read from these bytes; a re-read by another reader replaces it."""
    c.execute(
        "INSERT INTO attachment_texts(sha256, kind, status, extractor, pages, flags, reason, text, reader, "
        "confidence, page_confidence) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) "
        "ON CONFLICT(sha256) DO UPDATE SET kind=excluded.kind, status=excluded.status, "
        "extractor=excluded.extractor, pages=excluded.pages, flags=excluded.flags, reason=excluded.reason, "
        "text=excluded.text, reader=excluded.reader, confidence=excluded.confidence, "
        "page_confidence=excluded.page_confidence WHERE attachment_texts.reader IS NOT excluded.reader",
        (sha256, text.kind, text.status, text.extractor or "", text.pages, json.dumps(list(text.flags)),
         text.reason, text.text, reader, text.confidence, json.dumps([list(p) for p in text.page_confidence])))


def _text_hash(c: sqlite3.Connection, sha256: str) -> str:
    row = c.execute("SELECT status, text FROM attachment_texts WHERE sha256 = ?", (sha256,)).fetchone()
    payload = f"{row[0]}\n{row[1]}" if row else f"bytes:{sha256}"
    return hashlib.sha256(payload.encode("utf-8")).hexdigest()


def record_version(c: sqlite3.Connection, url_id: int, sha256: str, at: str, run_id: int) -> bool:
    """A new attachment version if the text these bytes give differs from the current one's."""
    text_hash = _text_hash(c, sha256)
    current = c.execute("SELECT version, sha256, text_hash FROM attachment_versions WHERE url_id = ? "
                        "ORDER BY version DESC LIMIT 1", (url_id,)).fetchone()
    if current is not None and (current[1] == sha256 or current[2] == text_hash):
        if current[1] == sha256 and current[2] != text_hash:   # same bytes, read anew (another reader)
            c.execute("UPDATE attachment_versions SET text_hash = ? WHERE url_id = ? AND version = ?",
                      (text_hash, url_id, current[0]))
            return True
        return False
    number = 1 if current is None else current[0] + 1
    if current is not None:
        c.execute("UPDATE attachment_versions SET valid_to = ? WHERE url_id = ? AND version = ?",
                  (at, url_id, current[0]))
    c.execute("INSERT INTO attachment_versions(url_id, version, sha256, text_hash, valid_from, run_id) "
              "VALUES (?, ?, ?, ?, ?, ?)", (url_id, number, sha256, text_hash, at, run_id))
    return True


def texts_for(c: sqlite3.Connection, attachments_json: str | None) -> str | None:
    """A version's attachment_text: each listed attachment's current text, marked, in order."""
    parts = []
    for item in json.loads(attachments_json or "[]"):
        row = c.execute(
            "SELECT t.flags, t.confidence, t.text FROM urls u "
            "JOIN attachment_versions a ON a.url_id = u.url_id "
            "JOIN attachment_texts t ON t.sha256 = a.sha256 "
            "WHERE u.url = ? AND t.status = 'ok' AND t.text != '' ORDER BY a.version DESC LIMIT 1",
            (item.get("url"),)).fetchone()
        if row is not None:
            parts.append(mark(item.get("name") or item.get("url"), json.loads(row[0]), row[1]) + "\n" + row[2])
    return "\n\n".join(parts) if parts else None


def refresh_page(c: sqlite3.Connection, site: str, page_url: str | None, attachment_url: str) -> None:
    """The current version of the page linking this attachment takes its attachments' texts anew
    (in place: a change of an attachment is never a new version of the page)."""
    if not page_url:
        return
    row = c.execute(
        "SELECT v.doc_id, v.version, v.attachments, v.attachment_text FROM documents d "
        "JOIN versions v ON v.doc_id = d.doc_id AND v.version = d.current_version "
        "WHERE d.site = ? AND d.url = ?", (site, page_url)).fetchone()
    if row is None or attachment_url not in {a.get("url") for a in json.loads(row[2] or "[]")}:
        return
    text = texts_for(c, row[2])
    if text != row[3]:
        c.execute("UPDATE versions SET attachment_text = ? WHERE doc_id = ? AND version = ?",
                  (text, row[0], row[1]))
