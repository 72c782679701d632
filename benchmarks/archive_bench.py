"""Archive ingest benchmark: versions per second, bytes per version, compression of raw bodies.

    python -m benchmarks.archive_bench [--docs 5000] [--edit-every 10]

Raw pages are rendered by the demo portal's own templates (TRS/UTF-8 and Hanweb/GBK, with
their boilerplate), extracted by `parsers`, and written through `Archive.record_fetch`,
the crawler's write path. The named baseline is sqlite-utils `insert_all` of the same
records with raw bodies stored uncompressed, one row per fetch.
"""
from __future__ import annotations

import argparse
import dataclasses
import datetime as dt
import os
import random
import tempfile
import time
from pathlib import Path

import sqlite_utils

from guifan.archive import Archive, FetchResult
from benchmarks.machine import machine_line
from guifan.demo_portal import catalog
from guifan.demo_portal.templates import app_for
from guifan.demo_portal.world import ALL_SITES, SITE_OBJECTS
from guifan.parsers import extract

EDIT = "本文件由县人民政府办公室负责解释。"


def rendered_pages(n: int, seed: str = "bench"):
    """(site, url, headers, raw bytes) for n synthetic detail pages."""
    apps = [app_for(SITE_OBJECTS[s]) for s in ALL_SITES if SITE_OBJECTS[s].template_name in ("trs", "hanweb")]
    rng = random.Random(seed)
    today = dt.date(2024, 3, 15)
    for i in range(n):
        app = apps[i % len(apps)]
        site = app.site
        col = site.columns[(i // len(apps)) % len(site.columns)]
        published = dt.date(2015, 1, 1) + dt.timedelta(days=rng.randrange(3400))
        entry = catalog._make_entry(site, col, published, 200_000 + i, None, f"{seed}/{i}")
        raw = app.html(app.detail(entry, today, rng.randrange(1, 99999), 1)[0])
        headers = {"Content-Type": "text/html; charset=utf-8" if site.encoding == "utf-8" else "text/html"}
        yield site.name, f"http://{site.name}.example.invalid{entry.doc.path}", headers, raw


def fetch(site, url, headers, raw, doc, at) -> FetchResult:
    return FetchResult(site=site, kind="detail", url=url, final_url=url, status=200, body=raw,
                       response_headers=list(headers.items()), fetched_at=at, document=doc)


def timed(label: str, fn):
    start = time.perf_counter()
    result = fn()
    return result, time.perf_counter() - start


def run(n: int, edit_every: int, workdir: Path) -> dict:
    pages = list(rendered_pages(n))
    docs, t_extract = timed("extract", lambda: [extract(raw, url, h) for _, url, h, raw in pages])
    db = workdir / "bench.db"
    with Archive(db) as archive:
        run_id = archive.start_run(sorted({p[0] for p in pages}))
        _, t_new = timed("ingest", lambda: [
            archive.record_fetch(run_id, fetch(s, u, h, r, dataclasses.replace(d), "2024-03-15T08:00:00.000Z"))
            for (s, u, h, r), d in zip(pages, docs)])
        edits = [(page, dataclasses.replace(d, body=d.body + "\n" + EDIT))
                 for i, (page, d) in enumerate(zip(pages, docs)) if edit_every and i % edit_every == 0]
        _, t_edit = timed("edits", lambda: [
            archive.record_fetch(run_id, fetch(s, u, h, r + b"<!-- edited -->", d, "2024-03-16T08:00:00.000Z"))
            for (s, u, h, r), d in edits])
        stats = archive.storage_stats()
        versions, raw_bytes, stored = stats["versions"], stats["raw_bytes"], stats["stored_bytes"]
        archive.checkpoint()
        size = os.path.getsize(db)
        _, t_compact = timed("compact", lambda: [archive.compact_blobs(site) for site in archive.blob_sites()])
        compacted = archive.storage_stats()
        archive.checkpoint(vacuum=True)
    compact_size = os.path.getsize(db)
    baseline = baseline_sqlite_utils(workdir / "baseline.db", pages, docs)
    return {
        "docs": n, "versions": versions, "extract_per_s": n / t_extract,
        "ingest_per_s": n / t_new, "edit_per_s": len(edits) / t_edit if edits else 0.0,
        "bytes_per_version": size / versions, "raw_bytes": raw_bytes, "stored_bytes": stored,
        "compression": raw_bytes / stored, "compact_seconds": t_compact,
        "compact_bytes_per_version": compact_size / versions,
        "compact_stored": compacted["stored_bytes"] + compacted["dictionary_bytes"],
        "compact_raw_per_version": (compacted["stored_bytes"] + compacted["dictionary_bytes"]) / versions,
        "raw_per_version": stored / versions, **baseline,
    }


def baseline_sqlite_utils(db: Path, pages, docs) -> dict:
    rows = ({"url": u, "site": s, "raw": r, **{k: str(v) for k, v in d.to_dict().items()}}
            for (s, u, _, r), d in zip(pages, docs))
    table = sqlite_utils.Database(db)["pages"]
    _, elapsed = timed("baseline", lambda: table.insert_all(rows, batch_size=1))
    return {"baseline_per_s": len(pages) / elapsed, "baseline_bytes_per_row": os.path.getsize(db) / len(pages)}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--docs", type=int, default=5000)
    parser.add_argument("--edit-every", type=int, default=10, help="every Nth document gets a second version")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        r = run(args.docs, args.edit_every, Path(tmp))
    print(f"machine: {machine_line()}")
    print(f"documents: {r['docs']}, versions stored: {r['versions']}")
    print(f"extraction (parsers):           {r['extract_per_s']:8.0f} pages/s")
    print(f"ingest, new documents (guifan): {r['ingest_per_s']:8.0f} versions/s   "
          f"baseline sqlite-utils insert_all, row by row: {r['baseline_per_s']:8.0f} rows/s "
          f"(ratio {r['ingest_per_s'] / r['baseline_per_s']:.2f})")
    print(f"ingest, changed documents:      {r['edit_per_s']:8.0f} versions/s")
    print(f"bytes per stored version:       {r['bytes_per_version']:8.0f}   "
          f"baseline bytes per row: {r['baseline_bytes_per_row']:8.0f} "
          f"(ratio {r['bytes_per_version'] / r['baseline_bytes_per_row']:.2f})")
    print(f"raw bodies: {r['raw_bytes'] / 1e6:.1f} MB stored as {r['stored_bytes'] / 1e6:.1f} MB "
          f"(zstd, compression ratio {r['compression']:.1f}x)")
    print(f"raw-body bytes per stored version: {r['raw_per_version']:8.0f} (zstd)  "
          f"{r['compact_raw_per_version']:8.0f} (per-site dictionaries, dictionaries counted; "
          f"ratio {r['raw_per_version'] / r['compact_raw_per_version']:.1f}x)")
    print(f"after `guifan compact` ({r['compact_seconds']:.1f} s) and VACUUM: "
          f"{r['compact_bytes_per_version']:8.0f} bytes per stored version, whole file "
          f"(before {r['bytes_per_version']:.0f}; ratio {r['bytes_per_version'] / r['compact_bytes_per_version']:.2f}); "
          f"raw bodies {r['raw_bytes'] / 1e6:.1f} MB stored as {r['compact_stored'] / 1e6:.2f} MB "
          f"({r['raw_bytes'] / r['compact_stored']:.1f}x)")


if __name__ == "__main__":
    main()
