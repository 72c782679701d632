"""Reading a document's life: its versions, events, validity over time, and diffs."""
from __future__ import annotations

import difflib
import json
import re
import sqlite3
from dataclasses import dataclass

from guifan.parsers.record import CONTENT_FIELDS

from .errors import ArchiveError

_DAY = re.compile(r"^\d{4}-\d{2}-\d{2}$")


def find_document(conn: sqlite3.Connection, ref: str) -> sqlite3.Row:
    """A document by id, by URL, or by an unambiguous id prefix."""
    row = conn.execute("SELECT * FROM documents WHERE doc_id = ? OR url = ?", (ref, ref)).fetchone()
    if row:
        return row
    rows = conn.execute("SELECT * FROM documents WHERE doc_id LIKE ? || '%' LIMIT 2", (ref,)).fetchall()
    if len(rows) == 1:
        return rows[0]
    raise ArchiveError(f"no document {ref!r}" if not rows else f"{ref!r} matches several documents; give more of the id")


def versions(conn: sqlite3.Connection, doc_id: str) -> list[sqlite3.Row]:
    return conn.execute("SELECT * FROM versions WHERE doc_id = ? ORDER BY version", (doc_id,)).fetchall()


def version(conn: sqlite3.Connection, doc_id: str, number: int) -> sqlite3.Row:
    row = conn.execute("SELECT * FROM versions WHERE doc_id = ? AND version = ?", (doc_id, number)).fetchone()
    if row is None:
        raise ArchiveError(f"document {doc_id} has no version {number}")
    return row


def moment(when: str) -> str:
    """`YYYY-MM-DD` means the end of that day (UTC); full timestamps pass through."""
    if _DAY.match(when):
        return f"{when}T23:59:59.999Z"
    if not re.match(r"^\d{4}-\d{2}-\d{2}T", when):
        raise ArchiveError(f"not a date: {when!r} (use YYYY-MM-DD or an ISO timestamp)")
    return when


def version_as_of(conn: sqlite3.Connection, doc_id: str, when: str) -> sqlite3.Row | None:
    """The version the archive held as current at `when`, or None if none was (not yet seen, or gone)."""
    return conn.execute(
        "SELECT * FROM versions WHERE doc_id = ? AND valid_from <= ? AND (valid_to IS NULL OR valid_to > ?) "
        "ORDER BY version DESC LIMIT 1", (doc_id, moment(when), moment(when))).fetchone()


def validity_as_of(conn: sqlite3.Connection, doc_id: str, when: str) -> str | None:
    row = version_as_of(conn, doc_id, when)
    return row["validity"] if row else None


def validity_events(conn: sqlite3.Connection, doc_id: str | None = None) -> list[sqlite3.Row]:
    sql = "SELECT * FROM validity_events" + (" WHERE doc_id = ?" if doc_id else "") + " ORDER BY at"
    return conn.execute(sql, (doc_id,) if doc_id else ()).fetchall()


def events(conn: sqlite3.Connection, doc_id: str) -> list[sqlite3.Row]:
    return conn.execute("SELECT * FROM events WHERE doc_id = ? ORDER BY at, event_id", (doc_id,)).fetchall()


@dataclass
class FieldChange:
    field: str
    old: object
    new: object


def field_changes(old: sqlite3.Row, new: sqlite3.Row) -> list[FieldChange]:
    return [FieldChange(f, old[f], new[f]) for f in CONTENT_FIELDS if f != "body" and old[f] != new[f]]


def paragraph_diff(old_body: str, new_body: str) -> list[str]:
    """Lines of a diff by paragraph; within a changed paragraph, characters are marked.

    Chinese has no spaces, so a word diff is useless: `[-删去-]{+加入+}` marks exactly the
    characters that changed, inside the paragraph they belong to.
    """
    old, new = old_body.split("\n"), new_body.split("\n")
    out: list[str] = []
    for op, i1, i2, j1, j2 in difflib.SequenceMatcher(None, old, new, autojunk=False).get_opcodes():
        if op == "equal":
            continue
        if op == "replace" and i2 - i1 == j2 - j1:
            out.extend(f"~ ¶{i + 1}: {inline_diff(old[i], new[j])}" for i, j in zip(range(i1, i2), range(j1, j2)))
            continue
        out.extend(f"- ¶{i + 1}: {old[i]}" for i in range(i1, i2))
        out.extend(f"+ ¶{j + 1}: {new[j]}" for j in range(j1, j2))
    return out


def inline_diff(old: str, new: str) -> str:
    parts = []
    for op, i1, i2, j1, j2 in difflib.SequenceMatcher(None, old, new, autojunk=False).get_opcodes():
        if op == "equal":
            parts.append(old[i1:i2])
        if op in ("delete", "replace"):
            parts.append(f"[-{old[i1:i2]}-]")
        if op in ("insert", "replace"):
            parts.append(f"{{+{new[j1:j2]}+}}")
    return "".join(parts)


def as_record(row: sqlite3.Row) -> dict:
    """A versions row as the record of docs/design.md, JSON columns decoded."""
    data = dict(row)
    for name in ("attachments", "quality_flags", "changed_fields", "raw_meta"):
        if isinstance(data.get(name), str):
            data[name] = json.loads(data[name])
    return data
