"""The archive: one SQLite file (WAL) holding runs, fetches, raw captures and versions.

Every public write is one transaction, so a crash or kill leaves either all of a fetch's
rows or none of them. Raw captures are never modified; versions are derived from them.
"""
from __future__ import annotations

import hashlib
import json
import os
import sqlite3
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Iterator

from guifan.parsers.record import CONTENT_FIELDS, Document

from . import attachments, blobs, validity
from .errors import ArchiveError, ArchiveFull
from .locks import describe_process, holder_text, is_busy, wait_for_lock
from .models import FetchResult, utc_now
from .schema import (ATTACHMENT_TABLES, ATTACHMENTS_VIEW, CURRENT_VIEW, CURRENT_VIEW_COLUMNS, FETCH_LOG_VIEW,
                     REDIRECT_TABLES, RETIRED_VIEWS, SCHEMA_VERSION, TABLES, VALIDITY_EVENTS_VIEW, ADDED_COLUMNS)

EXTRACTOR_VERSION = "guifan-parsers/0.1"
GONE_STATUSES = (404, 410)


def doc_id_for(site: str, url: str) -> str:
    """Stable and citable: the same page gets the same id in every run and every archive."""
    return f"{site}-{hashlib.sha256(url.encode('utf-8')).hexdigest()[:12]}"


def version_values(doc: Document) -> dict:
    """The versions-table columns of a document (JSON for the list and dict fields)."""
    data = doc.to_dict()
    values = {f: data[f] for f in CONTENT_FIELDS}
    for name in ("attachments", "quality_flags"):
        values[name] = json.dumps(values[name], ensure_ascii=False)
    values["encoding"] = doc.encoding
    values["doc_number_raw"] = doc.doc_number_raw
    values["raw_meta"] = json.dumps(doc.raw_meta, ensure_ascii=False)
    return values


def content_hash(values: dict) -> str:
    """Over the normalised content fields only: a counter or banner on the page never counts."""
    payload = json.dumps({f: values[f] for f in CONTENT_FIELDS}, ensure_ascii=False, sort_keys=True)
    return hashlib.sha256(payload.encode("utf-8")).hexdigest()


def changed_fields(old: sqlite3.Row | dict, new: dict) -> list[str]:
    return [f for f in CONTENT_FIELDS if old[f] != new[f]]


def _friendly(path: Path, exc: sqlite3.Error) -> ArchiveError:
    text = str(exc)
    if "full" in text:  # SQLITE_FULL: "database or disk is full"
        return ArchiveFull(f"archive {path}: the disk is full ({text}); free some space and run again")
    if is_busy(exc):
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
    if _read_only_fs(parent):
        return "the file system is read-only (reading commands such as search, show and export still work)"
    if not os.access(parent, os.W_OK) or (path.exists() and not os.access(path, os.W_OK)):
        return "permission denied (reading commands such as search, show and export still work)"
    return "the file cannot be opened for writing"


def read_only_uri(path: Path) -> str:
    """The URI that opens `path` for reading only.

    `mode=ro` still needs the `-shm` file (and so a writable directory) for a WAL archive;
    on read-only media, where none can be made, `immutable=1` reads the file as it is, which
    is all of it when no `-wal` file is there (a writer's last close checkpoints and removes it).
    """
    uri = f"{path.resolve().as_uri()}?mode=ro"
    if not _can_make_shm(path):
        uri += "&immutable=1"
    return uri


def writable(path: Path) -> bool:
    """Can this archive be written here (file, its directory for -wal/-shm, the file system)?"""
    return _dir_writable(path.resolve().parent) and (not path.exists() or os.access(path, os.W_OK))


def _can_make_shm(path: Path) -> bool:
    shm = Path(f"{path}-shm")
    if shm.exists():
        return True
    if Path(f"{path}-wal").exists():
        return True  # let SQLite say what it can do: immutable would ignore the WAL's content
    return _dir_writable(path.resolve().parent)


def _dir_writable(parent: Path) -> bool:
    return not _read_only_fs(parent) and os.access(parent, os.W_OK | os.X_OK)


def _read_only_fs(directory: Path) -> bool:
    try:
        return bool(os.statvfs(directory).f_flag & os.ST_RDONLY)
    except OSError:
        return True


# The reason a run gets when a later one finds its process gone (killed, crashed).
ABANDONED = "process ended before the run finished"


@dataclass
class RunCounts:
    by_kind: dict[str, dict[str, int]] = field(default_factory=dict)   # kind -> outcome -> fetches
    answered: int = 0                                                   # fetches the server answered

    def outcome(self, name: str, kind: str | None = None) -> int:
        kinds = [self.by_kind.get(kind, {})] if kind else self.by_kind.values()
        return sum(k.get(name, 0) for k in kinds)


class Archive:
    """Open (creating if needed) the archive at `path`.

    A writer that finds the write lock taken waits up to `lock_wait` seconds (with backoff,
    logging who holds it) before giving up with ArchiveLocked.
    """

    def __init__(self, path: str | os.PathLike, *, readonly: bool = False, migrate: bool = True,
                 timeout: float = 2.0, lock_wait: float = 60.0):
        self.path = Path(path)
        self.lock_wait = lock_wait
        self._batch_depth = 0
        try:
            self.conn = self._connect(readonly, timeout)
            if migrate and not readonly:
                self._locked(self._migrate)
            self.conn.execute("SELECT count(*) FROM archive_meta").fetchone()
        except sqlite3.OperationalError as exc:
            if "no such table" in str(exc):
                raise ArchiveError(f"{self.path} is not a guifan archive (no archive tables in it)") from None
            raise _friendly(self.path, exc) from None
        except sqlite3.Error as exc:
            raise _friendly(self.path, exc) from None

    def _connect(self, readonly: bool, timeout: float) -> sqlite3.Connection:
        parent = self.path.resolve().parent
        if readonly and not self.path.exists():
            raise ArchiveError(f"no archive at {self.path}")
        if not parent.exists():
            raise ArchiveError(f"cannot write archive {self.path}: directory {parent} does not exist")
        if readonly:
            conn = sqlite3.connect(read_only_uri(self.path), uri=True, timeout=timeout, isolation_level=None)
        else:
            conn = sqlite3.connect(self.path, timeout=timeout, isolation_level=None)
        conn.row_factory = sqlite3.Row
        conn.execute("PRAGMA foreign_keys = ON")
        return conn

    def _migrate(self) -> None:
        self.conn.execute("PRAGMA journal_mode = WAL")
        self.conn.execute("PRAGMA synchronous = NORMAL")
        self._retire_old_views()
        self._add_columns()
        with self.transaction() as c:  # archives made before attachment versions and OCR
            attachments.add_columns(c)
        # One script in one transaction: a half-created schema never survives a crash.
        self.conn.executescript(
            f"BEGIN IMMEDIATE;{TABLES}{validity.SCHEMA}{CURRENT_VIEW}{FETCH_LOG_VIEW}{VALIDITY_EVENTS_VIEW}"
            f"{ATTACHMENT_TABLES}{ATTACHMENTS_VIEW}{REDIRECT_TABLES}"
            f"INSERT OR IGNORE INTO archive_meta(key, value) VALUES ('schema_version', '{SCHEMA_VERSION}');"
            "COMMIT;"
        )

    def _add_columns(self) -> None:
        """Columns newer than the archive's tables (CREATE IF NOT EXISTS leaves old tables as they are)."""
        for table, columns in ADDED_COLUMNS.items():
            have = {r[1] for r in self.conn.execute(f"PRAGMA table_info({table})")}
            for name, decl in columns.items():
                if have and name not in have:
                    self.conn.execute(f"ALTER TABLE {table} ADD COLUMN {name} {decl}")

    def _retire_old_views(self) -> None:
        columns = {r[1] for r in self.conn.execute("PRAGMA table_info(current)")}
        stale = [v for v in RETIRED_VIEWS if self.conn.execute(
            "SELECT 1 FROM sqlite_master WHERE type = 'view' AND name = ?", (v,)).fetchone()]
        if (columns and not set(CURRENT_VIEW_COLUMNS) <= columns) or stale:
            self.conn.executescript("BEGIN IMMEDIATE;DROP VIEW IF EXISTS current;"
                                    + "".join(f"DROP VIEW IF EXISTS {v};" for v in stale) + "COMMIT;")

    def _locked(self, attempt):
        """Run a write that takes the lock, waiting (with backoff) while another process holds it."""
        return wait_for_lock(attempt, self.path, self.conn, self.lock_wait,
                             lambda: holder_text(self.path, self._running_run))

    def _running_run(self, pid: int) -> str | None:
        """`run 7 (demo-qingshi) running since …` for a pid that owns a running run."""
        try:
            row = self.conn.execute("SELECT run_id, sites, started_at FROM runs WHERE status = 'running' "
                                    "AND pid = ? ORDER BY run_id DESC LIMIT 1", (pid,)).fetchone()
        except sqlite3.Error:
            return None
        if row is None:
            return None
        return f"run {row['run_id']} ({', '.join(json.loads(row['sites']))}) running since {row['started_at']}"

    def close(self) -> None:
        self.conn.close()

    def __enter__(self) -> "Archive":
        return self

    def __exit__(self, *exc) -> None:
        self.close()

    @contextmanager
    def transaction(self) -> Iterator[sqlite3.Connection]:
        """One atomic write: a transaction, or a savepoint inside a `batch()`."""
        if self._batch_depth:
            yield from self._savepoint()
            return
        try:
            self._locked(lambda: self.conn.execute("BEGIN IMMEDIATE"))
        except sqlite3.Error as exc:
            raise _friendly(self.path, exc) from None
        try:
            yield self.conn
        except sqlite3.OperationalError as exc:
            self._rollback()
            raise _friendly(self.path, exc) from None
        except BaseException:
            self._rollback()
            raise
        try:
            self.conn.execute("COMMIT")
        except sqlite3.Error as exc:
            self._rollback()
            raise _friendly(self.path, exc) from None

    def _rollback(self) -> None:
        # A full disk (SQLITE_FULL, an I/O error) rolls the whole transaction back itself:
        # a ROLLBACK then would fail and hide the real error.
        if self.conn.in_transaction:
            self.conn.execute("ROLLBACK")

    def _savepoint(self) -> Iterator[sqlite3.Connection]:
        self.conn.execute("SAVEPOINT fetch")
        try:
            yield self.conn
        except BaseException:
            if self.conn.in_transaction:  # else SQLite has rolled back the whole batch already
                self.conn.execute("ROLLBACK TO fetch")
                self.conn.execute("RELEASE fetch")
            raise
        self.conn.execute("RELEASE fetch")

    @contextmanager
    def batch(self) -> Iterator["Archive"]:
        """Group commit: every write inside is its own savepoint, all commit together.

        A commit costs about as much as the rest of a fetch's writes; a crawl that records
        what has queued up in one transaction halves its archive time. A crash loses the
        whole uncommitted batch (those pages are fetched again next run), never part of one.
        """
        with self.transaction():
            self._batch_depth += 1
            try:
                yield self
            finally:
                self._batch_depth -= 1

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

    def start_run(self, sites: list[str], version: str = "", exclusive: bool = False) -> int:
        """Open a run of `sites`; `exclusive` (a crawl by hand) refuses a site that a live
        process is crawling into this archive already (checked under the write lock)."""
        with self.transaction() as c:
            self._close_abandoned_runs(c)
            if exclusive:
                self._refuse_busy_sites(c, sites)
            cur = c.execute(
                "INSERT INTO runs(started_at, status, sites, pid, guifan_version) VALUES (?, 'running', ?, ?, ?)",
                (utc_now(), json.dumps(sites), os.getpid(), version),
            )
            return cur.lastrowid

    def _refuse_busy_sites(self, c: sqlite3.Connection, sites: list[str]) -> None:
        for row in c.execute("SELECT run_id, sites, pid, started_at FROM runs WHERE status = 'running' "
                             "AND pid IS NOT ? ORDER BY run_id", (os.getpid(),)).fetchall():
            busy = [s for s in json.loads(row["sites"]) if s in sites]
            if busy and pid_alive(row["pid"]):
                raise ArchiveError(
                    f"{', '.join(busy)} {'is' if len(busy) == 1 else 'are'} being crawled into {self.path} already: "
                    f"run {row['run_id']}, {describe_process(row['pid'])}, since {row['started_at']}; "
                    "wait for it to finish or stop that process")

    def _close_abandoned_runs(self, c: sqlite3.Connection) -> None:
        # A run whose process is gone was killed; say so instead of leaving it "running".
        for row in c.execute("SELECT run_id, pid FROM runs WHERE status = 'running'").fetchall():
            if not pid_alive(row["pid"]):
                c.execute(
                    "UPDATE runs SET status='interrupted', reason=? WHERE run_id=?", (ABANDONED, row["run_id"]),
                )

    def finish_run(self, run_id: int, status: str, reason: str | None = None) -> None:
        with self.transaction() as c:
            c.execute(
                "UPDATE runs SET status=?, reason=?, finished_at=? WHERE run_id=?",
                (status, reason, utc_now(), run_id),
            )

    # -- compact storage --------------------------------------------------------------

    def compact_blobs(self, site: str, samples: int = blobs.TRAIN_SAMPLES, retrain: bool = False) -> dict:
        """Give `site` a zstd dictionary (trained now unless it has one, or `retrain`) and
        rewrite its stored bodies with it, in one transaction; fixity is checked per body."""
        with self.transaction() as c:
            current = blobs.site_dictionary(c, site)
            dict_id = current.dict_id if current and not retrain else blobs.train(c, site, utc_now(), samples)
            if dict_id is None:
                return {"site": site, "dict_id": None, "blobs": 0, "bytes_before": 0, "bytes_after": 0,
                        "reason": f"fewer than {blobs.MIN_SAMPLES} bodies to train on"}
            done, before, after = blobs.recompress(c, site, dict_id)
        return {"site": site, "dict_id": dict_id, "trained": dict_id != (current and current.dict_id),
                "blobs": done, "bytes_before": before, "bytes_after": after}

    def storage_stats(self) -> dict:
        """How many versions and raw bodies the archive holds, and the bytes they take."""
        versions = self.conn.execute("SELECT count(*) FROM versions").fetchone()[0]
        n, raw, stored = self.conn.execute("SELECT count(*), sum(size), sum(length(data)) FROM blobs").fetchone()
        dicts = self.conn.execute("SELECT coalesce(sum(size), 0) FROM blob_dicts").fetchone()[0]
        return {"versions": versions, "blobs": n, "raw_bytes": raw or 0, "stored_bytes": stored or 0,
                "dictionary_bytes": dicts}

    def checkpoint(self, vacuum: bool = False) -> None:
        """Fold the WAL into the file (and rewrite it compactly), e.g. before measuring its size."""
        self.conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        if vacuum:
            self.conn.execute("VACUUM")

    def blob_sites(self) -> list[str]:
        """Sites with stored bodies, for compacting them all."""
        return [r[0] for r in self.conn.execute("SELECT DISTINCT site FROM captures ORDER BY site")]

    # -- fetches --------------------------------------------------------------------

    def record_fetch(self, run_id: int, fetch: FetchResult) -> str:
        """Store one fetch attempt (capture, document version, outcome) atomically.

        Returns the outcome recorded.
        """
        with self.transaction() as c:
            fx = _Fetch(c, run_id, fetch)
            if fetch.kind == "attachment":
                self._attachment_arrives(fx)
            outcome, reason = self._judge(fx)
            self._record_listings(c, run_id, fetch)
            if fetch.observations:
                self._observe(c, run_id, fetch.site, fetch.observations, fetch.fetched_at)
            cur = c.execute(
                "INSERT INTO fetches(run_id, kind, url_id, status, outcome, reason, capture_id, referer_id, "
                "sha256, at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                (run_id, fetch.kind, url_id(c, fetch.site, fetch.url), fetch.status, outcome, reason,
                 fx.capture_id, url_id(c, fetch.site, fetch.referer) if fetch.referer else None,
                 None if fx.capture_id else fx.digest, fetch.fetched_at),
            )
            _record_hops(c, cur.lastrowid, fetch.hops)
            return outcome

    def _attachment_arrives(self, fx: "_Fetch") -> None:
        """Keep the text the worker read (the writer reads nothing itself); a new attachment
        version if the URL now serves other text, and the linking page's version takes it."""
        f = fx.fetch
        if f.outcome or not f.status or not 200 <= f.status < 300 or fx.digest is None:
            return
        if f.attachment_text is not None:
            attachments.store_text(fx.c, fx.digest, f.attachment_text, f.attachment_reader or "")
        if attachments.record_version(fx.c, url_id(fx.c, f.site, f.url), fx.digest, f.fetched_at, fx.run_id):
            attachments.refresh_page(fx.c, f.site, f.referer, f.url)

    def attachment_known(self, sha256: str, reader: str) -> bool:
        """Bytes this reader has read before: the extraction worker need not read them again."""
        return attachments.known(self.conn, sha256, reader)

    def _observe(self, c, run_id: int, site: str, seen: dict, at: str) -> None:
        """Merge what a fetch taught about its site into the run's site_runs row: scalars
        replace, column choices add up, shared counts are the crawler's running totals."""
        row = c.execute("SELECT * FROM site_runs WHERE run_id = ? AND site = ?", (run_id, site)).fetchone()
        old = dict(row) if row else {"columns": "[]", "shared": "{}"}
        values = {k: seen.get(k, old.get(k)) for k in SITE_RUN_FIELDS}
        if "code_mismatch" in seen:
            values["code_mismatch"] = int(bool(seen["code_mismatch"]))
        values["columns"] = json.dumps(json.loads(old["columns"]) + list(seen.get("columns", [])), ensure_ascii=False)
        values["shared"] = json.dumps(seen.get("shared") or json.loads(old["shared"]), ensure_ascii=False)
        c.execute(
            "INSERT OR REPLACE INTO site_runs(run_id, site, platform_configured, platform, platform_evidence, "
            "site_id_code, code_mismatch, columns, shared, updated_at) VALUES (:run_id, :site, "
            ":platform_configured, :platform, :platform_evidence, :site_id_code, :code_mismatch, :columns, "
            ":shared, :at)", {**values, "run_id": run_id, "site": site, "at": at})

    def site_runs(self, run_id: int | None = None, site: str | None = None) -> list[dict]:
        """What runs saw of sites (site_runs rows, JSON decoded), newest run first."""
        where, args = [], []
        if run_id is not None:
            where.append("run_id = ?")
            args.append(run_id)
        if site is not None:
            where.append("site = ?")
            args.append(site)
        sql = "SELECT * FROM site_runs" + (f" WHERE {' AND '.join(where)}" if where else "") + \
            " ORDER BY run_id DESC, site"
        return [_site_run(r) for r in self.conn.execute(sql, args)]

    def last_seen_of_sites(self) -> dict[str, dict]:
        """Each site's latest site_runs row that names a platform: what `guifan sites` shows."""
        rows = self.conn.execute(
            "SELECT * FROM site_runs s WHERE platform IS NOT NULL AND run_id = (SELECT max(run_id) FROM "
            "site_runs t WHERE t.site = s.site AND t.platform IS NOT NULL)").fetchall()
        return {r["site"]: _site_run(r) for r in rows}

    def document_owners(self, url_prefixes: list[str], other_than: str) -> dict[str, str]:
        """{url: site} of documents of other sites under these URL prefixes (a shared portal)."""
        owners: dict[str, str] = {}
        for prefix in dict.fromkeys(url_prefixes):
            # A range over documents_url: one site's start costs a few index steps, not a table scan.
            for r in self.conn.execute(
                    "SELECT url, site FROM documents WHERE url >= ? AND url < ? AND site != ?",
                    (prefix, prefix + "\U0010ffff", other_than)):
                owners.setdefault(r["url"], r["site"])
        return owners

    def _record_listings(self, c, run_id: int, fetch: FetchResult) -> None:
        c.executemany("INSERT OR IGNORE INTO listings(run_id, url_id) VALUES (?, ?)",
                      [(run_id, url_id(c, fetch.site, url)) for url in fetch.links])
        if fetch.final_url and fetch.final_url != fetch.url:
            # A listed link that redirects lists the page it lands on.
            listed = c.execute("SELECT 1 FROM listings WHERE run_id = ? AND url_id = ?",
                               (run_id, url_id(c, fetch.site, fetch.url))).fetchone()
            if listed:
                c.execute("INSERT OR IGNORE INTO listings(run_id, url_id) VALUES (?, ?)",
                          (run_id, url_id(c, fetch.site, fetch.final_url)))

    def _judge(self, fx: "_Fetch") -> tuple[str, str | None]:
        """(outcome, reason); the fetch_log view finds the document a fetch concerns."""
        fetch = fx.fetch
        if fetch.status == 304:
            self._confirm_url(fx)
            return "not_modified", None
        if fetch.kind == "detail" and fetch.status in GONE_STATUSES:
            fx.capture()
            if self._tombstone(fx.c, fetch.site, fetch.url, fx.run_id, fetch.fetched_at, f"http_{fetch.status}"):
                return "gone", f"http_{fetch.status}"
        if fetch.outcome:
            fx.capture()
            return fetch.outcome, fetch.reason
        if fetch.document is not None:
            return self._ingest(fx)
        return self._judge_blob(fx)

    def _judge_blob(self, fx: "_Fetch") -> tuple[str, None]:
        url = fx.fetch.final_url or fx.fetch.url
        before = fx.c.execute(
            "SELECT sha256 FROM captures WHERE final_url = ? AND status BETWEEN 200 AND 299 "
            "ORDER BY capture_id DESC LIMIT 1", (url,)).fetchone()
        fx.capture()
        if before is None:
            return "new", None
        return ("unchanged" if before["sha256"] == fx.digest else "changed"), None

    def _confirm_url(self, fx: "_Fetch") -> None:
        row = fx.c.execute("SELECT doc_id, current_version FROM documents WHERE site=? AND url=? AND status='live'",
                           (fx.fetch.site, fx.fetch.final_url or fx.fetch.url)).fetchone()
        if row:
            self._confirm(fx.c, row["doc_id"], row["current_version"], fx.fetch.fetched_at)

    def _confirm(self, c, doc_id: str, version: int, at: str) -> None:
        c.execute("UPDATE versions SET last_confirmed=? WHERE doc_id=? AND version=?", (at, doc_id, version))
        c.execute("UPDATE documents SET last_seen=? WHERE doc_id=?", (at, doc_id))

    # -- documents and versions -----------------------------------------------------

    def _ingest(self, fx: "_Fetch") -> tuple[str, str | None]:
        fetch, c = fx.fetch, fx.c
        url, at = fetch.final_url or fetch.url, fetch.fetched_at
        doc = fetch.document
        doc.site, doc.url = fetch.site, doc.url or url
        doc_id = doc_id_for(fetch.site, url)
        values = version_values(doc)
        values["content_hash"] = content_hash(values)
        known = c.execute("SELECT * FROM documents WHERE doc_id = ?", (doc_id,)).fetchone()
        if known is None:
            c.execute(
                "INSERT INTO documents(doc_id, site, url, status, first_seen, last_seen, current_version) "
                "VALUES (?, ?, ?, 'live', ?, ?, 1)", (doc_id, fetch.site, url, at, at))
            self._insert_version(fx, doc_id, 1, values, ["*"])
            self._event(c, doc_id, fx.run_id, at, "new", 1)
            return "new", None
        current = c.execute("SELECT * FROM versions WHERE doc_id = ? AND version = ?",
                            (doc_id, known["current_version"])).fetchone()
        came_back = known["status"] == "gone"
        if current["content_hash"] == values["content_hash"] and not came_back:
            self._keep_bytes_if_identical(fx, current)
            self._confirm(c, doc_id, current["version"], at)
            return "unchanged", None
        changes = changed_fields(current, values) or ["status"]
        version = current["version"] + 1
        c.execute("UPDATE versions SET valid_to=coalesce(valid_to, ?) WHERE doc_id=? AND version=?",
                  (at, doc_id, current["version"]))
        self._insert_version(fx, doc_id, version, values, changes)
        c.execute("UPDATE documents SET status='live', last_seen=?, current_version=? WHERE doc_id=?",
                  (at, version, doc_id))
        self._event(c, doc_id, fx.run_id, at, "reappeared" if came_back else "changed", version,
                    json.dumps(changes))
        return "changed", ("reappeared" if came_back else None)

    def _keep_bytes_if_identical(self, fx: "_Fetch", current) -> None:
        """Identical bytes make the fetch a revisit of the version's capture.

        Bytes that differ only in page furniture (a visit counter) are a confirmation: the
        fetch row keeps their sha256, but no new blob or capture is stored.
        """
        if current["capture_id"] is None:
            return
        row = fx.c.execute("SELECT sha256 FROM captures WHERE capture_id=?", (current["capture_id"],)).fetchone()
        if row and row["sha256"] == fx.digest:
            fx.capture()

    def _insert_version(self, fx: "_Fetch", doc_id: str, version: int, values: dict, changes: list[str]) -> None:
        row = dict(values)
        row.update(
            doc_id=doc_id, version=version, valid_from=fx.fetch.fetched_at, last_confirmed=fx.fetch.fetched_at,
            capture_id=fx.capture(), run_id=fx.run_id, extractor_version=EXTRACTOR_VERSION,
            changed_fields=json.dumps(changes), site=fx.fetch.site,
            url=fx.fetch.document.url, attachment_text=attachments.texts_for(fx.c, values["attachments"]),
        )
        cols = ", ".join(row)
        marks = ", ".join(f":{k}" for k in row)
        fx.c.execute(f"INSERT INTO versions({cols}) VALUES ({marks})", row)

    def _event(self, c, doc_id, run_id, at, event, version=None, detail=None) -> None:
        c.execute("INSERT INTO events(doc_id, run_id, at, event, version, detail) VALUES (?, ?, ?, ?, ?, ?)",
                  (doc_id, run_id, at, event, version, detail))

    def _tombstone(self, c, site: str, url: str, run_id: int, at: str, why: str) -> str | None:
        row = c.execute(
            "SELECT doc_id, current_version FROM documents WHERE site=? AND url=? AND status='live'", (site, url)
        ).fetchone()
        if row is None:
            return None
        c.execute("UPDATE documents SET status='gone' WHERE doc_id=?", (row["doc_id"],))
        c.execute("UPDATE versions SET valid_to=coalesce(valid_to, ?) WHERE doc_id=? AND version=?",
                  (at, row["doc_id"], row["current_version"]))
        self._event(c, row["doc_id"], run_id, at, "gone", row["current_version"], why)
        return row["doc_id"]

    def retire_unlisted(self, run_id: int, site: str, after_runs: int) -> list[str]:
        """Tombstone live documents of `site` that no list page showed in the last `after_runs` runs.

        Only runs that listed something count, so one broken list page retires nothing.
        """
        with self.transaction() as c:
            recent = [r[0] for r in c.execute(
                "SELECT DISTINCT l.run_id FROM listings l JOIN runs r USING (run_id) JOIN urls u USING (url_id) "
                "WHERE u.site = ? AND (r.status = 'completed' OR l.run_id = ?) ORDER BY l.run_id DESC LIMIT ?",
                (site, run_id, after_runs))]
            if len(recent) < after_runs:
                return []
            marks = ",".join("?" * len(recent))
            stale = [r[0] for r in c.execute(
                f"SELECT url FROM documents d WHERE site = ? AND status = 'live' AND NOT EXISTS "
                f"(SELECT 1 FROM listings l JOIN urls u USING (url_id) WHERE u.url = d.url "
                f"AND l.run_id IN ({marks}))", (site, *recent))]
            at = utc_now()
            why = f"not listed in the last {after_runs} runs"
            return [self._tombstone(c, site, url, run_id, at, why) for url in stale]

    # -- reading ----------------------------------------------------------------------

    def blob(self, sha256: str) -> bytes:
        data = blobs.get(self.conn, sha256)
        if data is None:
            raise ArchiveError(f"no blob {sha256}")
        return data

    def live_urls(self, site: str) -> list[str]:
        return [r[0] for r in self.conn.execute(
            "SELECT url FROM documents WHERE site = ? AND status = 'live' ORDER BY url", (site,))]

    def validators(self, site: str) -> dict[str, dict[str, str]]:
        """For conditional revisits: the ETag / Last-Modified of each URL's newest 2xx capture."""
        found: dict[str, dict[str, str]] = {}
        rows = self.conn.execute(
            "SELECT final_url, response_headers FROM captures WHERE capture_id IN (SELECT max(capture_id) "
            "FROM captures WHERE site = ? AND status BETWEEN 200 AND 299 GROUP BY final_url)", (site,))
        for row in rows:
            headers = {k.lower(): v for k, v in json.loads(row["response_headers"])}
            picked = {k: headers[k] for k in ("etag", "last-modified") if k in headers}
            if picked:
                found[row["final_url"]] = picked
        return found

    def run_counts(self, run_ids: list[int]) -> dict[int, "RunCounts"]:
        """The one way a run is counted: its fetches by kind and outcome, and how many the
        servers answered (`pages_fetched`); the summary, `guifan runs` and reports all use it."""
        found: dict[int, RunCounts] = {}
        for chunk in range(0, len(run_ids), 500):
            ids = run_ids[chunk:chunk + 500]
            for r in self.conn.execute(
                    f"SELECT run_id, kind, outcome, count(*) AS n, sum(status IS NOT NULL) AS answered "
                    f"FROM fetches WHERE run_id IN ({','.join('?' * len(ids))}) GROUP BY run_id, kind, outcome", ids):
                c = found.setdefault(r["run_id"], RunCounts())
                c.by_kind.setdefault(r["kind"], {})[r["outcome"]] = r["n"]
                c.answered += r["answered"]
        return found

    def run_summary(self, run_id: int) -> dict:
        run = self.conn.execute("SELECT * FROM runs WHERE run_id=?", (run_id,)).fetchone()
        if run is None:
            raise ArchiveError(f"no run {run_id} in {self.path}")
        counted = self.run_counts([run_id]).get(run_id, RunCounts())
        by_kind, fetched = counted.by_kind, counted.answered
        outcomes = by_kind.get("detail", {})
        failures = {r["reason"] or "unknown": r["n"] for r in self.conn.execute(
            "SELECT reason, count(*) AS n FROM fetches WHERE run_id=? AND outcome IN ('failed','blocked') "
            "GROUP BY reason ORDER BY n DESC", (run_id,))}
        sites = json.loads(run["sites"])
        per_site = {r["site"]: r["n"] for r in self.conn.execute(
            "SELECT site, count(*) AS n FROM current GROUP BY site ORDER BY site") if r["site"] in sites}
        return {
            "run_id": run_id, "status": run["status"], "reason": run["reason"], "started_at": run["started_at"],
            "finished_at": run["finished_at"], "sites": sites, "pages_fetched": fetched,
            "outcomes": outcomes, "outcomes_by_kind": by_kind, "failures": failures,
            "documents_by_site": per_site,
            "documents": sum(per_site.values()),
        }


class _Fetch:
    """One fetch being recorded: its capture is written at most once, and only if wanted."""

    def __init__(self, c: sqlite3.Connection, run_id: int, fetch: FetchResult):
        self.c, self.run_id, self.fetch = c, run_id, fetch
        # A 304 has no body: nothing was served whose hash would mean anything.
        has_body = fetch.body is not None and fetch.status != 304
        self.digest = blobs.sha256(fetch.body) if has_body else None
        self.capture_id: int | None = None

    def capture(self) -> int | None:
        if self.capture_id is not None or self.digest is None:
            return self.capture_id
        f = self.fetch
        _, new_bytes = blobs.put(self.c, f.body, self.digest, f.site)
        # Known bytes may be the same answer as last time (URL, status): a revisit of that capture.
        same = None if new_bytes else self.c.execute(
            "SELECT capture_id FROM captures WHERE final_url = ? AND sha256 = ? AND status = ? "
            "ORDER BY capture_id DESC LIMIT 1", (f.final_url or f.url, self.digest, f.status or 0)).fetchone()
        if same:
            self.capture_id = same[0]
            return self.capture_id
        cur = self.c.execute(
            "INSERT INTO captures(run_id, site, kind, url, final_url, method, status, request_headers, "
            "response_headers, redirects, sha256, fetched_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            (self.run_id, f.site, f.kind, f.url, f.final_url or f.url, f.method, f.status or 0,
             json.dumps(f.request_headers, ensure_ascii=False), json.dumps(f.response_headers, ensure_ascii=False),
             json.dumps(f.redirects), self.digest, f.fetched_at),
        )
        self.capture_id = cur.lastrowid
        return self.capture_id


def _record_hops(c: sqlite3.Connection, fetch_id: int, hops: list[dict]) -> None:
    """The redirect answers before the final one, bodies kept like any other bytes served."""
    for position, hop in enumerate(hops):
        body = hop.get("body")
        digest = blobs.put(c, body, blobs.sha256(body))[0] if body is not None else None
        c.execute("INSERT INTO redirect_hops(fetch_id, position, url, status, response_headers, sha256) "
                  "VALUES (?, ?, ?, ?, ?, ?)",
                  (fetch_id, position, hop["url"], hop["status"],
                   json.dumps([list(p) for p in hop.get("headers", [])], ensure_ascii=False), digest))


SITE_RUN_FIELDS = ("platform_configured", "platform", "platform_evidence", "site_id_code", "code_mismatch")


def _site_run(row: sqlite3.Row) -> dict:
    out = dict(row)
    out["columns"], out["shared"] = json.loads(out["columns"]), json.loads(out["shared"])
    out["code_mismatch"] = None if out["code_mismatch"] is None else bool(out["code_mismatch"])
    return out


def url_id(c: sqlite3.Connection, site: str, url: str) -> int:
    row = c.execute("SELECT url_id FROM urls WHERE url = ?", (url,)).fetchone()
    if row:
        return row[0]
    return c.execute("INSERT INTO urls(site, url) VALUES (?, ?)", (site, url)).lastrowid


def pid_alive(pid: int | None) -> bool:
    """Is a process of this machine with that id running (the owner of a `running` run)?"""
    if not pid:
        return False
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True



def check_writable(path: str | os.PathLike) -> None:
    """Raise ArchiveError if an archive cannot be written at `path`; create nothing, so a
    command that stops on a later argument error leaves no empty archive behind."""
    path = Path(path)
    if path.exists():
        Archive(path).close()                   # it must be an archive, and writable
    elif not path.resolve().parent.is_dir() or not writable(path):
        raise ArchiveError(f"cannot write archive {path}: {_why_unwritable(path)}")


def open_archive(path: str | os.PathLike, mode: str = "read", timeout: float = 10.0) -> Archive:
    """The one way to open an archive: ``read`` (must exist; never written), ``index``
    (must exist; written only to keep the search index current, read-only where the file
    cannot be written) or ``write`` (created if missing)."""
    if mode not in ("read", "index", "write"):
        raise ValueError(f"mode must be read, index or write, not {mode!r}")
    path = Path(path)
    if mode != "write" and not path.is_file():
        raise ArchiveError(f"no archive at {path} (crawl into it first, e.g. `guifan demo`)")
    if mode == "write":
        return Archive(path, timeout=timeout)
    can_write = mode == "index" and writable(path)  # read-only media: read it as it is (search indexes in memory)
    return Archive(path, readonly=not can_write, migrate=False, timeout=timeout)
