"""The life of a crawl run, owned by the archive: open, resume, close, and who is running.

A run is opened by the process that crawls (or, in distributed mode, by the ingester when
a site's first worker announces itself) and closed with one of three statuses:

* ``interrupted`` — a crawler stopped early (a signal, a shutdown, the archive locked by another
  process for longer than GUIFAN_LOCK_WAIT): resumable with JOBDIR;
* ``failed`` — nothing could be fetched at all, or its fetches could not be written (a full disk);
* ``completed`` — otherwise; only then are documents no list showed for ``gone_after``
  runs tombstoned, so a broken run never retires anything.
"""
from __future__ import annotations

import json
import os

from .errors import ArchiveError
from .store import ABANDONED, Archive, pid_alive


def open_run(archive: Archive, profiles: list[dict], version: str, exclusive: bool = False) -> int:
    """Record the sites' profiles and start a run of them; return its id.

    `exclusive`: refuse (ArchiveError, naming the run and its process) a site that another
    live process is crawling into this archive now: two crawls of one site at once.
    """
    for profile in profiles:
        archive.upsert_site(profile)
    return archive.start_run([p["name"] for p in profiles], version, exclusive=exclusive)


def was_killed(archive: Archive, run_id: int | None) -> bool:
    """Whether the run's process ended without closing it (SIGKILL, a crash): still marked
    ``running`` (reopen_run refuses one whose process lives), or already marked so by a later run."""
    row = archive.conn.execute("SELECT status, reason FROM runs WHERE run_id = ?", (run_id,)).fetchone()
    return row is not None and (row["status"] == "running" or (
        row["status"] == "interrupted" and row["reason"] == ABANDONED))


def reopen_run(archive: Archive, run_id: int | None, label: str) -> int | None:
    """Resume an interrupted run in this process; None when it cannot be resumed.

    Refuses (ArchiveError) when the run is still going in another live process.
    """
    row = archive.conn.execute("SELECT status, pid FROM runs WHERE run_id = ?", (run_id,)).fetchone()
    if row is None or row["status"] in ("completed", "failed"):
        return None
    if row["status"] == "running" and row["pid"] != os.getpid() and pid_alive(row["pid"]):
        raise ArchiveError(f"run {run_id} of {label} is still running (process {row['pid']})")
    with archive.transaction() as c:
        c.execute("UPDATE runs SET status='running', reason=NULL, finished_at=NULL, pid=? WHERE run_id=?",
                  (os.getpid(), run_id))
    return run_id


def close_run(archive: Archive, run_id: int, reasons: list, gone_after: int,
              write_failed: tuple[str, str] | None = None) -> str:
    """Close a run from its crawlers' finish reasons; return the status recorded.

    `write_failed` (exception name, message): the run's fetches could not all be written.
    It then failed (a full disk) or, if it gave up waiting for the lock, was interrupted;
    either way it retires nothing: what it did not write says nothing about the site.
    """
    summary = archive.run_summary(run_id)
    if write_failed:
        status = "interrupted" if write_failed[0] == "ArchiveLocked" else "failed"
        why = write_failed[1]
    elif any(r not in (None, "finished") for r in reasons):
        status, why = "interrupted", f"crawl stopped early: {', '.join(map(str, reasons))}"
    elif summary["pages_fetched"] == 0:
        failures = ", ".join(f"{k} ×{v}" for k, v in summary["failures"].items()) or "no request was made"
        status, why = "failed", f"nothing could be fetched ({failures})"
    else:
        for site in summary["sites"]:
            if gone_after > 0:
                archive.retire_unlisted(run_id, site, gone_after)
        status, why = "completed", None
    archive.finish_run(run_id, status, why)
    return status


def running_sites(archive: Archive) -> dict[str, int]:
    """Sites of runs still going in a live process of this machine, with that process id."""
    rows = archive.conn.execute("SELECT sites, pid FROM runs WHERE status = 'running'").fetchall()
    return {site: r["pid"] for r in rows if pid_alive(r["pid"]) for site in json.loads(r["sites"])}
