"""Re-extract every stored version from its raw capture with the current parsers.

Derived fields are updated in place and the extractor version recorded. A parser change
never creates a version: versions stand for changes at the source, not in our code.
"""
from __future__ import annotations

import json
from collections import Counter
from dataclasses import dataclass, field

from guifan.parsers import ParseError, extract
from guifan.parsers.list_metadata import fill_from_list, stored_list_metadata

from . import blobs
from .history import field_changes
from .store import EXTRACTOR_VERSION, Archive, content_hash, version_values


@dataclass
class ReparseReport:
    versions: int = 0
    updated: int = 0
    failed: list[tuple[str, int, str]] = field(default_factory=list)
    fields: Counter = field(default_factory=Counter)


def reparse(archive: Archive, progress=None) -> ReparseReport:
    report = ReparseReport()
    hints = _site_hints(archive)
    rows = archive.conn.execute(
        "SELECT v.*, c.sha256 AS blob_sha, c.response_headers AS headers, c.final_url AS capture_url "
        "FROM versions v JOIN captures c USING (capture_id) ORDER BY v.doc_id, v.version").fetchall()
    for row in rows:
        report.versions += 1
        _reparse_one(archive, row, hints.get(row["site"]), report)
        if progress:
            progress(report.versions, len(rows))
    _refresh_changed_fields(archive)
    return report


def _reparse_one(archive: Archive, row, hints, report: ReparseReport) -> None:
    body = blobs.get(archive.conn, row["blob_sha"])
    try:
        doc = extract(body, row["capture_url"], dict(json.loads(row["headers"])), hints)
    except ParseError as exc:
        report.failed.append((row["doc_id"], row["version"], str(exc)))
        return
    doc.url = row["url"]
    # What a list page said at crawl time (e.g. gkmlpt's validity flags) is part of the record.
    fill_from_list(doc, stored_list_metadata(json.loads(row["raw_meta"] or "{}")))
    values = version_values(doc)
    changes = [f for f in values if values[f] != row[f]]
    if not changes and row["extractor_version"] == EXTRACTOR_VERSION:
        return
    values.update(content_hash=content_hash(values), extractor_version=EXTRACTOR_VERSION)
    sets = ", ".join(f"{k} = :{k}" for k in values)
    with archive.transaction() as c:
        c.execute(f"UPDATE versions SET {sets} WHERE doc_id = :doc_id AND version = :version",
                  {**values, "doc_id": row["doc_id"], "version": row["version"]})
    if changes:
        report.updated += 1
        report.fields.update(changes)


def _refresh_changed_fields(archive: Archive) -> None:
    """changed_fields compares each version with the one before, under the current parser."""
    with archive.transaction() as c:
        previous = None
        for row in c.execute("SELECT * FROM versions ORDER BY doc_id, version").fetchall():
            if previous is not None and previous["doc_id"] == row["doc_id"]:
                changes = [ch.field for ch in field_changes(previous, row)]
                changes += ["body"] if previous["body"] != row["body"] else []
                c.execute("UPDATE versions SET changed_fields = ? WHERE doc_id = ? AND version = ?",
                          (json.dumps(changes or ["status"]), row["doc_id"], row["version"]))
            previous = row


def _site_hints(archive: Archive) -> dict[str, dict]:
    hints = {}
    for row in archive.conn.execute("SELECT name, platform, profile FROM sites"):
        profile = json.loads(row["profile"])
        hints[row["name"]] = {"platform": row["platform"], **(profile.get("hints") or {})}
    return hints
