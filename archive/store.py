"""The archive: one SQLite file (WAL) holding runs, fetches, raw captures and versions.

Every public write is one transaction, so a crash or kill leaves either all of a fetch's
rows or none of them.
"""
from __future__ import annotations

import hashlib
import json
import os
import sqlite3
import zlib
from contextlib import contextmanager
from pathlib import Path
from typing import Iterator

from parsers.record import CONTENT_FIELDS, Document

from .errors import ArchiveError
from .models import FetchResult, utc_now
from .schema import CURRENT_VIEW, SCHEMA_VERSION, TABLES

EXTRACTOR_VERSION = "guifan-parsers/0.1"
GONE_STATUSES = (404, 410)


def doc_id_for(site: str, url: str) -> str:
    """Stable and citable: the same page gets the same id in every run and every archive."""
    return f"{site}-{hashlib.sha256(url.encode('utf-8')).hexdigest()[:12]}"


def content_hash(doc: Document) -> str:
    data = doc.to_dict()
    payload = json.dumps({f: data[f] for f in CONTENT_FIELDS}, ensure_ascii=False, sort_keys=True)
    return hashlib.sha256(payload.encode("utf-8")).hexdigest()


def changed_fields(old: sqlite3.Row, doc: Document) -> list[str]:
    new = _version_values(doc)
    return [f for f in CONTENT_FIELDS if old[f] != new[f]]


def _version_values(doc: Document) -> dict:
    data = doc.to_dict()
    values = {f: data[f] for f in CONTENT_FIELDS}
    for name in ("attachments", "quality_flags"):
        values[name] = json.dumps(values[name], ensure_ascii=False)
    values["encoding"] = doc.encoding
    values["doc_number_raw"] = doc.doc_number_raw
    values["raw_meta"] = json.dumps(doc.raw_meta, ensure_ascii=False)
    return values


def _friendly(path: Path, exc: sqlite3.Error) -> ArchiveError:
    text = str(exc)
    if "locked" in text or "busy" in text:
        return ArchiveError(f"archive {path} is locked by another process; try again when it finishes")
    if "not a database" in text or "malformed" in text:
        return ArchiveError(f"archive {path} is not a valid SQLite database (corrupt or another file type)")
    if "unable to open" in text or "readonly" in text:
        return ArchiveError(f"cannot write archive {path}: {_why_unwritable(path)}")
    return ArchiveError(f"archive {path}: {text}")


def _why_unwritable(path: Path) -> str:
    parent = path.resolve().parent
    if not parent.exists():
        return f"directory {parent} does not exist"
    if not os.access(parent, os.W_OK) or (path.exists() and not os.access(path, os.W_OK)):
        return "permission denied"
    return "the file cannot be opened for writing"


class Archive:
    """Open (creating if needed) the archive at `path`."""

    def __init__(self, path: str | os.PathLike, *, readonly: bool = False, timeout: float = 10.0):
        self.path = Path(path)
        try:
            self.conn = self._connect(readonly, timeout)
            if not readonly:
                self._migrate()
            self.conn.execute("SELECT count(*) FROM archive_meta").fetchone()
        except sqlite3.Error as exc:
            raise _friendly(self.path, exc) from None

    def _connect(self, readonly: bool, timeout: float) -> sqlite3.Connection:
        if readonly:
            if not self.path.exists():
                raise ArchiveError(f"no archive at {self.path}")
            conn = sqlite3.connect(f"{self.path.resolve().as_uri()}?mode=ro", uri=True, timeout=timeout)
        else:
            if not self.path.resolve().parent.exists():
                raise ArchiveError(f"cannot write archive {self.path}: directory {self.path.resolve().parent} does not exist")
            conn = sqlite3.connect(self.path, timeout=timeout, isolation_level=None)
        conn.row_factory = sqlite3.Row
        conn.execute("PRAGMA foreign_keys = ON")
        return conn

    def _migrate(self) -> None:
        self.conn.execute("PRAGMA journal_mode = WAL")
        self.conn.execute("PRAGMA synchronous = NORMAL")
        # One script in one transaction: a half-created schema never survives a crash.
        self.conn.executescript(
            f"BEGIN IMMEDIATE;{TABLES}{CURRENT_VIEW}"
            f"INSERT OR IGNORE INTO archive_meta(key, value) VALUES ('schema_version', '{SCHEMA_VERSION}');"
            "COMMIT;"
        )

    def close(self) -> None:
        self.conn.close()

    def __enter__(self) -> "Archive":
        return self

    def __exit__(self, *exc) -> None:
        self.close()

    @contextmanager
    def transaction(self) -> Iterator[sqlite3.Connection]:
        try:
            self.conn.execute("BEGIN IMMEDIATE")
        except sqlite3.Error as exc:
            raise _friendly(self.path, exc) from None
        try:
            yield self.conn
        except BaseException:
            self.conn.execute("ROLLBACK")
            raise
        else:
            try:
                self.conn.execute("COMMIT")
            except sqlite3.Error as exc:
                self.conn.execute("ROLLBACK")
                raise _friendly(self.path, exc) from None

    # -- sites and runs -------------------------------------------------------------

    def upsert_site(self, profile: dict) -> None:
        row = {k: profile.get(k) for k in ("name", "name_zh", "region", "admin_code", "platform", "base_url")}
        row["profile"] = json.dumps(profile, ensure_ascii=False, sort_keys=True, default=str)
        with self.transaction() as c:
            c.execute(
                "INSERT INTO sites(name, name_zh, region, admin_code, platform, base_url, profile) "
                "VALUES (:name, :name_zh, :region, :admin_code, :platform, :base_url, :profile) "
                "ON CONFLICT(name) DO UPDATE SET name_zh=excluded.name_zh, region=excluded.region, "
                "admin_code=excluded.admin_code, platform=excluded.platform, base_url=excluded.base_url, "
                "profile=excluded.profile",
                row,
            )

    def start_run(self, sites: list[str], version: str = "") -> int:
        with self.transaction() as c:
            self._close_abandoned_runs(c)
            cur = c.execute(
                "INSERT INTO runs(started_at, status, sites, pid, guifan_version) VALUES (?, 'running', ?, ?, ?)",
                (utc_now(), json.dumps(sites), os.getpid(), version),
            )
            return cur.lastrowid

    def _close_abandoned_runs(self, c: sqlite3.Connection) -> None:
        # A run whose process is gone was killed; say so instead of leaving it "running".
        for row in c.execute("SELECT run_id, pid FROM runs WHERE status = 'running'").fetchall():
            if row["pid"] is None or not _pid_alive(row["pid"]):
                c.execute(
                    "UPDATE runs SET status='interrupted', reason='process ended before the run finished' "
                    "WHERE run_id=?",
                    (row["run_id"],),
                )

    def finish_run(self, run_id: int, status: str, reason: str | None = None) -> None:
        with self.transaction() as c:
            c.execute(
                "UPDATE runs SET status=?, reason=?, finished_at=? WHERE run_id=?",
                (status, reason, utc_now(), run_id),
            )

    # -- fetches --------------------------------------------------------------------

    def record_fetch(self, run_id: int, fetch: FetchResult) -> str:
        """Store one fetch attempt (capture, document version, outcome) atomically.

        Returns the outcome recorded.
        """
        with self.transaction() as c:
            capture_id = self._store_capture(c, run_id, fetch) if fetch.body is not None else None
            outcome, reason, doc_id = self._judge(c, run_id, fetch, capture_id)
            c.execute(
                "INSERT INTO fetches(run_id, site, kind, url, status, outcome, reason, capture_id, doc_id, referer, at) "
                "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                (run_id, fetch.site, fetch.kind, fetch.url, fetch.status, outcome, reason, capture_id, doc_id,
                 fetch.referer, fetch.fetched_at),
            )
            return outcome

    def _store_capture(self, c: sqlite3.Connection, run_id: int, fetch: FetchResult) -> int:
        sha = hashlib.sha256(fetch.body).hexdigest()
        c.execute(
            "INSERT OR IGNORE INTO blobs(sha256, size, compression, data) VALUES (?, ?, 'zlib', ?)",
            (sha, len(fetch.body), zlib.compress(fetch.body, 6)),
        )
        cur = c.execute(
            "INSERT INTO captures(run_id, site, kind, url, final_url, method, status, request_headers, "
            "response_headers, redirects, sha256, fetched_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            (run_id, fetch.site, fetch.kind, fetch.url, fetch.final_url or fetch.url, fetch.method,
             fetch.status or 0, json.dumps(fetch.request_headers, ensure_ascii=False),
             json.dumps(fetch.response_headers, ensure_ascii=False), json.dumps(fetch.redirects),
             sha, fetch.fetched_at),
        )
        return cur.lastrowid

    def _judge(self, c, run_id: int, fetch: FetchResult, capture_id: int | None) -> tuple[str, str | None, str | None]:
        url = fetch.final_url or fetch.url
        if fetch.kind == "detail" and fetch.status in GONE_STATUSES:
            doc_id = self._tombstone(c, fetch.site, fetch.url, fetch.fetched_at)
            if doc_id:
                return "gone", f"http_{fetch.status}", doc_id
        if fetch.outcome:
            return fetch.outcome, fetch.reason, None
        if fetch.document is not None:
            return self._ingest(c, run_id, fetch.site, url, fetch.document, capture_id, fetch.fetched_at)
        return self._judge_blob(c, url, capture_id)

    def _judge_blob(self, c, url: str, capture_id: int | None) -> tuple[str, str | None, None]:
        rows = c.execute(
            "SELECT sha256 FROM captures WHERE final_url = ? AND status BETWEEN 200 AND 299 ORDER BY capture_id DESC LIMIT 2",
            (url,),
        ).fetchall()
        if len(rows) < 2:
            return "new", None, None
        return ("unchanged" if rows[0]["sha256"] == rows[1]["sha256"] else "changed"), None, None

    # -- documents and versions -----------------------------------------------------

    def _ingest(self, c, run_id, site, url, doc: Document, capture_id, seen_at) -> tuple[str, str | None, str]:
        doc_id = doc_id_for(site, url)
        doc.site, doc.url = site, doc.url or url
        known = c.execute("SELECT * FROM documents WHERE doc_id = ?", (doc_id,)).fetchone()
        if known is None:
            c.execute(
                "INSERT INTO documents(doc_id, site, url, status, first_seen, last_seen, current_version) "
                "VALUES (?, ?, ?, 'live', ?, ?, 1)",
                (doc_id, site, url, seen_at, seen_at),
            )
            self._insert_version(c, doc_id, 1, doc, capture_id, run_id, seen_at, ["*"])
            return "new", None, doc_id
        current = c.execute(
            "SELECT * FROM versions WHERE doc_id = ? AND version = ?", (doc_id, known["current_version"])
        ).fetchone()
        came_back = known["status"] == "gone"
        if current["content_hash"] == content_hash(doc) and not came_back:
            c.execute("UPDATE versions SET last_confirmed=? WHERE doc_id=? AND version=?",
                      (seen_at, doc_id, current["version"]))
            c.execute("UPDATE documents SET last_seen=? WHERE doc_id=?", (seen_at, doc_id))
            return "unchanged", None, doc_id
        changes = changed_fields(current, doc) or ["status"]
        version = current["version"] + 1
        if current["valid_to"] is None:
            c.execute("UPDATE versions SET valid_to=? WHERE doc_id=? AND version=?", (seen_at, doc_id, current["version"]))
        self._insert_version(c, doc_id, version, doc, capture_id, run_id, seen_at, changes)
        c.execute(
            "UPDATE documents SET status='live', last_seen=?, current_version=? WHERE doc_id=?",
            (seen_at, version, doc_id),
        )
        return "changed", ("reappeared" if came_back else None), doc_id

    def _insert_version(self, c, doc_id, version, doc: Document, capture_id, run_id, seen_at, changes) -> None:
        values = _version_values(doc)
        values.update(
            doc_id=doc_id, version=version, valid_from=seen_at, last_confirmed=seen_at, capture_id=capture_id,
            run_id=run_id, extractor_version=EXTRACTOR_VERSION, content_hash=content_hash(doc),
            changed_fields=json.dumps(changes), site=doc.site,
        )
        cols = ", ".join(values)
        marks = ", ".join(f":{k}" for k in values)
        c.execute(f"INSERT INTO versions({cols}) VALUES ({marks})", values)

    def _tombstone(self, c, site: str, url: str, at: str) -> str | None:
        row = c.execute(
            "SELECT doc_id, current_version FROM documents WHERE site=? AND url=? AND status='live'", (site, url)
        ).fetchone()
        if row is None:
            return None
        c.execute("UPDATE documents SET status='gone' WHERE doc_id=?", (row["doc_id"],))
        c.execute("UPDATE versions SET valid_to=? WHERE doc_id=? AND version=?", (at, row["doc_id"], row["current_version"]))
        return row["doc_id"]

    # -- reading ----------------------------------------------------------------------

    def blob(self, sha256: str) -> bytes:
        row = self.conn.execute("SELECT compression, data FROM blobs WHERE sha256=?", (sha256,)).fetchone()
        if row is None:
            raise ArchiveError(f"no blob {sha256}")
        return zlib.decompress(row["data"]) if row["compression"] == "zlib" else bytes(row["data"])

    def run_summary(self, run_id: int) -> dict:
        run = self.conn.execute("SELECT * FROM runs WHERE run_id=?", (run_id,)).fetchone()
        if run is None:
            raise ArchiveError(f"no run {run_id} in {self.path}")
        q = "SELECT {0}, count(*) AS n FROM fetches WHERE run_id=? GROUP BY {0}"
        outcomes = {r["outcome"]: r["n"] for r in self.conn.execute(q.format("outcome"), (run_id,))}
        failures = {
            r["reason"] or "unknown": r["n"]
            for r in self.conn.execute(
                "SELECT reason, count(*) AS n FROM fetches WHERE run_id=? AND outcome IN ('failed','blocked') "
                "GROUP BY reason ORDER BY n DESC", (run_id,))
        }
        fetched = self.conn.execute(
            "SELECT count(*) FROM fetches WHERE run_id=? AND capture_id IS NOT NULL", (run_id,)).fetchone()[0]
        per_site = {
            r["site"]: r["n"] for r in self.conn.execute(
                "SELECT site, count(*) AS n FROM current GROUP BY site ORDER BY site")
        }
        return {
            "run_id": run_id, "status": run["status"], "reason": run["reason"], "started_at": run["started_at"],
            "finished_at": run["finished_at"], "sites": json.loads(run["sites"]), "pages_fetched": fetched,
            "outcomes": outcomes, "failures": failures, "documents_by_site": per_site,
            "documents": sum(per_site.values()),
        }


def _pid_alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True
