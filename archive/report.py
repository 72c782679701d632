"""Run reports: what a crawl run found, changed, lost or was refused, per site.

Counts per site (detail pages unless said otherwise):
  listed     documents the run's list pages showed (a listed link that redirects counts once)
  archived   listed documents that have a document record in the archive
  fetched    detail pages that answered (any HTTP status)
  new, changed, unchanged (with not_modified), gone — the archive's verdicts
  failed, blocked — attempts of every kind (list, detail, attachment), with reasons
Completeness is archived / listed; `missing` names the listed documents not archived.
Per site too: `status` (`failed` when nothing answered, with `failure` naming why), and what
the run saw (`seen`, from site_runs): the platform used (sniffed under `auto`) and its
evidence, the portal's 网站标识码 and whether it disagrees with the profile's code, the
columns chosen from home/landing pages and why, and listed documents left to another site.
"""
from __future__ import annotations

import json
from datetime import datetime

from .store import Archive

DOC_OUTCOMES = ("new", "changed", "unchanged", "not_modified", "gone")
MISSING_SHOWN = 20


def seconds_between(start: str | None, end: str | None) -> float | None:
    if not start or not end:
        return None
    parse = lambda t: datetime.fromisoformat(t.replace("Z", "+00:00"))  # noqa: E731
    return (parse(end) - parse(start)).total_seconds()


def runs(archive: Archive, limit: int | None = None) -> list[dict]:
    """Every run, newest first, with its detail outcomes and failures in one row each."""
    sql = "SELECT * FROM runs ORDER BY run_id DESC" + (" LIMIT ?" if limit else "")
    rows = archive.conn.execute(sql, (limit,) if limit else ()).fetchall()
    counted = archive.run_counts([r["run_id"] for r in rows])
    counts: dict[int, dict[str, int]] = {}
    for run_id, c in counted.items():
        counts[run_id] = {"pages": c.answered, **{o: c.outcome(o, "detail") for o in DOC_OUTCOMES},
                          "failed": c.outcome("failed"), "blocked": c.outcome("blocked")}
    return [{
        "run_id": r["run_id"], "status": r["status"], "reason": r["reason"], "started_at": r["started_at"],
        "finished_at": r["finished_at"], "seconds": seconds_between(r["started_at"], r["finished_at"]),
        "sites": json.loads(r["sites"]), **{k: counts.get(r["run_id"], {}).get(k, 0) for k in
                                            ("pages", *DOC_OUTCOMES, "failed", "blocked")},
    } for r in rows]


def latest_run(archive: Archive) -> int | None:
    row = archive.conn.execute("SELECT max(run_id) FROM runs").fetchone()
    return row[0]


def run_report(archive: Archive, run_id: int) -> dict:
    """The report of one run: run_summary plus per-site counts, completeness and errors."""
    summary = archive.run_summary(run_id)
    summary["seconds"] = seconds_between(summary["started_at"], summary["finished_at"])
    summary["per_site"] = {site: site_report(archive, run_id, site) for site in summary["sites"]}
    listed = sum(s["listed"] for s in summary["per_site"].values())
    archived = sum(s["archived"] for s in summary["per_site"].values())
    summary["completeness"] = {"listed": listed, "archived": archived,
                               "ratio": archived / listed if listed else None}
    return summary


def site_report(archive: Archive, run_id: int, site: str) -> dict:
    c = archive.conn
    outcomes = {r["outcome"]: r["n"] for r in c.execute(
        "SELECT f.outcome, count(*) AS n FROM fetches f JOIN urls u USING (url_id) "
        "WHERE f.run_id = ? AND u.site = ? AND f.kind = 'detail' GROUP BY f.outcome", (run_id, site))}
    attempts = {r["kind"]: (r["n"], r["answered"]) for r in c.execute(
        "SELECT f.kind, count(*) AS n, sum(f.status IS NOT NULL) AS answered FROM fetches f "
        "JOIN urls u USING (url_id) WHERE f.run_id = ? AND u.site = ? GROUP BY f.kind", (run_id, site))}
    errors = {f"{r['outcome']}: {r['reason'] or 'unknown'}": r["n"] for r in c.execute(
        "SELECT f.outcome, f.reason, count(*) AS n FROM fetches f JOIN urls u USING (url_id) "
        "WHERE f.run_id = ? AND u.site = ? AND f.outcome IN ('failed', 'blocked') "
        "GROUP BY f.outcome, f.reason ORDER BY n DESC", (run_id, site))}
    listed, missing = listing_completeness(archive, run_id, site)
    answered = sum(a for _, a in attempts.values())
    return {
        "status": "failed" if attempts and not answered else "crawled" if attempts else "not crawled",
        "failure": (", ".join(f"{k.split(': ', 1)[1]} ×{n}" for k, n in errors.items()) or "no answer")
        if attempts and not answered else None,
        "seen": seen_in_run(archive, run_id, site),
        "listed": len(listed), "archived": len(listed) - len(missing),
        "fetched": attempts.get("detail", (0, 0))[1],
        "new": outcomes.get("new", 0), "changed": outcomes.get("changed", 0),
        "unchanged": outcomes.get("unchanged", 0) + outcomes.get("not_modified", 0),
        "not_modified": outcomes.get("not_modified", 0), "gone": outcomes.get("gone", 0),
        "failed": sum(n for k, n in errors.items() if k.startswith("failed:")),
        "blocked": sum(n for k, n in errors.items() if k.startswith("blocked:")),
        "attempts": {kind: n for kind, (n, _) in attempts.items()},
        "errors": errors,
        "missing": [last_attempt(archive, url) for url in sorted(missing)[:MISSING_SHOWN]],
        "missing_count": len(missing),
    }


def seen_in_run(archive: Archive, run_id: int, site: str) -> dict:
    """What the run saw of the site (site_runs), with the profile's code beside the portal's."""
    rows = archive.site_runs(run_id, site)
    seen = rows[0] if rows else {"platform": None, "columns": [], "shared": {}, "site_id_code": None,
                                 "code_mismatch": None, "platform_configured": None, "platform_evidence": None}
    profile = archive.conn.execute("SELECT admin_code, platform FROM sites WHERE name = ?", (site,)).fetchone()
    seen = {k: v for k, v in seen.items() if k not in ("run_id", "site", "updated_at")}
    seen["admin_code"] = profile["admin_code"] if profile else None
    seen["platform_configured"] = seen.get("platform_configured") or (profile["platform"] if profile else None)
    return seen


def listing_completeness(archive: Archive, run_id: int, site: str) -> tuple[set[str], set[str]]:
    """(documents listed in the run, those of them without a document record)."""
    c = archive.conn
    listed = {r[0] for r in c.execute(
        "SELECT u.url FROM listings l JOIN urls u USING (url_id) WHERE l.run_id = ? AND u.site = ?",
        (run_id, site))}
    # The archive also lists a redirect's target; count the listed link once.
    redirects = dict(c.execute(
        "SELECT url, final_url FROM captures WHERE site = ? AND url != final_url", (site,)).fetchall())
    listed -= {redirects[u] for u in listed if u in redirects}
    documented = {r[0] for r in c.execute("SELECT url FROM documents WHERE site = ?", (site,))}
    missing = {u for u in listed if u not in documented and redirects.get(u) not in documented}
    return listed, missing


def last_attempt(archive: Archive, url: str) -> dict:
    row = archive.conn.execute(
        "SELECT f.run_id, f.status, f.outcome, f.reason FROM fetches f JOIN urls u USING (url_id) "
        "WHERE u.url = ? ORDER BY f.fetch_id DESC LIMIT 1", (url,)).fetchone()
    if row is None:
        return {"url": url, "outcome": None, "reason": "never fetched"}
    return {"url": url, "run_id": row["run_id"], "status": row["status"], "outcome": row["outcome"],
            "reason": row["reason"]}


# -- archive-wide figures for the charts --------------------------------------------------

def _site_filter(sites: list[str] | None) -> tuple[str, list[str]]:
    if not sites:
        return "", []
    return f" WHERE site IN ({','.join('?' * len(sites))})", list(sites)


def documents_per_year(archive: Archive, sites: list[str] | None = None) -> list[tuple[str, int]]:
    where, args = _site_filter(sites)
    rows = archive.conn.execute(
        f"SELECT coalesce(substr(published_date, 1, 4), substr(written_date, 1, 4), '?') AS y, count(*) "
        f"FROM current{where} GROUP BY y ORDER BY y", args)
    return [(r[0], r[1]) for r in rows]


def documents_per_issuer(archive: Archive, sites: list[str] | None = None, top: int = 15) -> list[tuple[str, int]]:
    where, args = _site_filter(sites)
    rows = archive.conn.execute(
        f"SELECT coalesce(issuer, '（未注明）') AS i, count(*) AS n FROM current{where} "
        f"GROUP BY i ORDER BY n DESC, i LIMIT ?", [*args, top])
    return [(r[0], r[1]) for r in rows]


def changes_over_runs(archive: Archive, limit: int = 30) -> list[dict]:
    """Per run (oldest first): documents new, changed, gone and reappeared in it."""
    rows = archive.conn.execute(
        "SELECT run_id, event, count(*) AS n FROM events WHERE run_id IN "
        "(SELECT run_id FROM runs ORDER BY run_id DESC LIMIT ?) GROUP BY run_id, event", (limit,))
    per_run: dict[int, dict] = {}
    for r in rows:
        per_run.setdefault(r["run_id"], {"run_id": r["run_id"]})[r["event"]] = r["n"]
    run_ids = [r[0] for r in archive.conn.execute(
        "SELECT run_id FROM runs ORDER BY run_id DESC LIMIT ?", (limit,))]
    return [{"new": 0, "changed": 0, "gone": 0, "reappeared": 0, **per_run.get(i, {"run_id": i})}
            for i in sorted(run_ids)]
