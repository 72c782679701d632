"""Compression of real saved pages: zstd alone, per-site dictionaries, a shared dictionary.

    python -m benchmarks.compact_corpus [--corpus ../shared/corpus]

The pages of ../shared/corpus (real pages, bytes as served) go into an archive through the
crawler's write path (`Archive.record_fetch`, site = the page's host), then `compact_blobs`
runs for every site as `guifan compact` does, and the fixity check (`guifan verify`'s
`fixity_report`) must pass. The corpus holds one or two pages per host, below the 50 a site
needs for a dictionary (`archive.blobs.MIN_SAMPLES`), so compaction leaves them as they are:
the figure for real pages through guifan is zstd alone. Beside it, what a dictionary shared
by many sites (per platform or per country) would give a page of a site it has never seen:
leave-one-out, a dictionary trained on every other page of the corpus (sized as
`archive.blobs.train` sizes them), the page compressed with it, the dictionary not counted
(it is shared by every page of the archive).
"""
from __future__ import annotations

import argparse
import json
import sys
import tempfile
from pathlib import Path
from urllib.parse import urlsplit

import zstandard

from benchmarks.machine import machine_line
from guifan.archive import Archive, FetchResult
from guifan.archive import blobs

REPO = Path(__file__).resolve().parents[1]


def pages(corpus: Path) -> list[tuple[str, str, bytes]]:
    """(site, url, raw bytes) of every saved page."""
    out = []
    for gold in sorted(corpus.glob("*/*.json")):
        html = gold.with_suffix(".html")
        if not html.exists():
            continue
        url = json.loads(gold.read_text(encoding="utf-8")).get("url") or f"http://{gold.parent.name}.invalid/{gold.stem}"
        host = urlsplit(url).hostname or gold.parent.name
        out.append((f"corpus-{host}", url, html.read_bytes()))
    return out


def through_guifan(found, db: Path) -> dict:
    with Archive(db) as archive:
        run_id = archive.start_run(sorted({site for site, _, _ in found}))
        for site, url, raw in found:
            archive.record_fetch(run_id, FetchResult(site=site, kind="list", url=url, final_url=url, status=200,
                                                     body=raw, response_headers=[("Content-Type", "text/html")],
                                                     fetched_at="2024-03-15T08:00:00.000Z"))
        before = archive.storage_stats()
        compacted = [archive.compact_blobs(site) for site in archive.blob_sites()]
        after = archive.storage_stats()
        fixity = blobs.fixity_report(archive.conn)
    return {"before": before, "after": after, "dictionaries": sum(1 for c in compacted if c["dict_id"]),
            "sites": len(compacted), "fixity_ok": fixity["ok"], "verified": fixity["verified"]}


def leave_one_out(found) -> tuple[int, int, int]:
    """(raw bytes, zstd bytes, bytes with a dictionary trained on the other pages)."""
    raw = plain = shared = 0
    bodies = [body for _, _, body in found]
    for i, body in enumerate(bodies):
        others = bodies[:i] + bodies[i + 1:]
        size = max(4096, min(blobs.DICT_SIZE, sum(map(len, others)) // 25))
        zdict = zstandard.train_dictionary(size, others, level=blobs._LEVEL)
        raw += len(body)
        plain += len(zstandard.ZstdCompressor(level=blobs._LEVEL).compress(body))
        shared += len(zstandard.ZstdCompressor(level=blobs._LEVEL, dict_data=zdict).compress(body))
    return raw, plain, shared


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--corpus", default=str(REPO.parent / "shared" / "corpus"))
    args = ap.parse_args(argv)
    corpus = Path(args.corpus)
    if not corpus.is_dir():
        print(f"no corpus at {corpus} (../shared beside the checkout): nothing measured")
        return 0
    found = pages(corpus)
    print(f"machine: {machine_line()}")
    with tempfile.TemporaryDirectory() as tmp:
        g = through_guifan(found, Path(tmp) / "corpus.db")
    b, a = g["before"], g["after"]
    print(f"corpus: {len(found)} real pages from {g['sites']} hosts, {b['raw_bytes'] / 1e6:.2f} MB as served")
    print(f"through guifan: zstd {b['raw_bytes'] / b['stored_bytes']:.2f}x ({b['stored_bytes'] / len(found):,.0f} "
          f"bytes per page); `compact` trained {g['dictionaries']} dictionaries (a site needs "
          f"{blobs.MIN_SAMPLES} bodies); after it {a['stored_bytes'] + a['dictionary_bytes']:,} bytes stored; "
          f"fixity of {g['verified']} bodies: {'ok' if g['fixity_ok'] else 'FAILED'}")
    raw, plain, shared = leave_one_out(found)
    print(f"a dictionary shared across sites (leave-one-out, trained on the other {len(found) - 1} pages): "
          f"{raw / shared:.2f}x against zstd's {raw / plain:.2f}x ({shared / len(found):,.0f} against "
          f"{plain / len(found):,.0f} bytes per page; {plain / shared:.2f}x smaller)")
    return 0 if g["fixity_ok"] else 1


if __name__ == "__main__":
    sys.exit(main())
