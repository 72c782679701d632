"""Search and export benchmark on a large synthetic archive (see docs/search.md).

    python -m benchmarks.search_export_bench [--docs 200000] [--db FILE] [--queries 200] [--json OUT]
                                             [--search-only] [--no-lists]

Builds (or reuses) an archive of ``--docs`` documents generated from the demo portal's
templates through the store's real write path (every 7th in Traditional script, every 11th
with a second version), indexes it, then measures:

* search latency (``archive.search.search``: refresh check, bm25 top 20, snippets) for 2- and
  4-character queries sampled from the corpus text, a quarter of them in Traditional script,
  beside the same queries as a ``LIKE '%…%'`` scan (newest 20; a smaller sample, it is slow);
* export throughput (CSV and JSONL, all versions) and resident memory sampled during export.

It also says how many queries had an impact list (one-word queries of common words, see
docs/search.md); ``--no-lists`` is the baseline without them (every query ranks all its
matches, as before), ``--search-only`` skips the LIKE baseline and the export for repeated runs.

This is a benchmark, not a test: it reports, it does not assert.
"""
from __future__ import annotations

import argparse
import json
import random
import sqlite3
import statistics
import sys
import threading
import time
from pathlib import Path

from guifan.archive import cjk_text, export, search
from guifan.archive.doc_filters import DocFilters
from benchmarks.machine import machine_line
from benchmarks.synthetic_archive import build_archive

REPO_ROOT = Path(__file__).resolve().parents[1]


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    if args.no_lists:        # the engine without its list path: every query takes the full ranking
        search._ranked_from_list = lambda *a, **k: None
    db = Path(args.db or REPO_ROOT / "artifacts" / f"search-bench-{args.docs}.db")
    results = {"machine": machine_line(), "docs": args.docs, "lists_used": not args.no_lists}
    results["build"] = ensure_archive(db, args.docs)
    conn = search.tune_connection(sqlite3.connect(db, isolation_level=None))   # as the CLI and server do
    results["index"] = timed_index(conn)
    results["archive_mb"] = round(db.stat().st_size / 1e6, 1)
    results["versions"] = conn.execute("SELECT count(*) FROM versions").fetchone()[0]
    rng = random.Random(args.seed)
    search.search(conn, "教育")          # builds the character table once, as a server does at first use
    results["search"] = {}
    for length in (2, 4):
        queries = sample_queries(conn, length, args.queries, rng)
        results["search"][f"{length}-char"] = {
            "fts": measure(lambda q: search.search(conn, q, limit=20), queries),
            "with_list": sum(search.has_list(conn, q) for q in queries),
            **({} if args.search_only else
               {"like": measure(lambda q: like_search(conn, q), queries[:args.like_queries])}),
        }
    results["search"]["worst"] = worst_case(conn)
    results["export"] = {} if args.search_only else {
        fmt: measure_export(conn, fmt, db.parent) for fmt in ("csv", "jsonl")}
    report(results)
    if args.json:
        Path(args.json).write_text(json.dumps(results, ensure_ascii=False, indent=2), encoding="utf-8")
    return 0


def parse_args(argv):
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--docs", type=int, default=200_000, help="documents to generate (default 200000)")
    p.add_argument("--db", help="archive to build or reuse (default artifacts/search-bench-N.db)")
    p.add_argument("--queries", type=int, default=200, help="queries per length (default 200)")
    p.add_argument("--like-queries", type=int, default=20, help="of those, how many also as LIKE (default 20)")
    p.add_argument("--seed", type=int, default=5)
    p.add_argument("--no-lists", action="store_true",
                   help="baseline: rank every match as before the impact lists (the lists stay in the file)")
    p.add_argument("--search-only", action="store_true",
                   help="guifan's search latency only: no LIKE baseline, no export (for repeated runs)")
    p.add_argument("--json", help="also write the results here")
    return p.parse_args(argv)


def ensure_archive(db: Path, docs: int) -> dict:
    if db.exists():
        with sqlite3.connect(db) as conn:
            have = conn.execute("SELECT count(*) FROM documents").fetchone()[0]
        if have == docs:
            return {"reused": str(db)}
        db.unlink()
    db.parent.mkdir(parents=True, exist_ok=True)
    start = time.perf_counter()
    build_archive(db, docs, seed="bench", progress=lambda n: _status(f"building archive: {n}/{docs}"))
    _status("")
    return {"seconds": round(time.perf_counter() - start, 1)}


def timed_index(conn: sqlite3.Connection) -> dict:
    start = time.perf_counter()
    n = search.ensure_index(conn, progress=lambda done, total: _status(f"indexing: {done}/{total}"))
    _status("")
    seconds = time.perf_counter() - start
    lists = conn.execute("SELECT (SELECT count(*) FROM search_top_bar), (SELECT count(*) FROM search_top)").fetchone()
    return {"indexed": n, "seconds": round(seconds, 1),
            "per_second": round(n / seconds) if n and seconds else None,
            "lists": {"words": lists[0], "rows": lists[1]}}


def sample_queries(conn: sqlite3.Connection, length: int, n: int, rng: random.Random) -> list[str]:
    """Substrings of random documents (so frequent words come up as often as users type them)."""
    import opencc

    to_trad = opencc.OpenCC("s2t").convert
    top = conn.execute("SELECT max(rowid) FROM versions").fetchone()[0]
    out: list[str] = []
    while len(out) < n:
        row = conn.execute("SELECT title, body FROM versions WHERE rowid = ?", (rng.randint(1, top),)).fetchone()
        runs = [r for r in cjk_text.CJK_RUN.findall(rng.choice([row[0], row[1]]) or "") if len(r) >= length]
        if runs:
            run = rng.choice(runs)
            start = rng.randrange(len(run) - length + 1)
            q = run[start:start + length]
            out.append(to_trad(q) if len(out) % 4 == 3 else q)
    return out


def like_search(conn: sqlite3.Connection, q: str) -> list:
    """The baseline: what one writes without an index (and it misses the other script)."""
    pattern = "%" + q.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"
    return conn.execute(
        "SELECT v.doc_id, v.version, v.title FROM versions v JOIN documents d ON d.doc_id = v.doc_id "
        "WHERE d.status = 'live' AND v.version = d.current_version "
        "AND (v.title LIKE :p ESCAPE '\\' OR v.body LIKE :p ESCAPE '\\') "
        "ORDER BY v.published_date DESC LIMIT 20", {"p": pattern}).fetchall()


def measure(run, queries: list[str]) -> dict:
    times = []
    for q in queries:
        start = time.perf_counter()
        run(q)
        times.append((time.perf_counter() - start) * 1000)
    times.sort()
    return {"queries": len(times), "p50_ms": round(statistics.median(times), 1),
            "p95_ms": round(times[max(0, int(len(times) * 0.95) - 1)], 1), "max_ms": round(times[-1], 1)}


def worst_case(conn: sqlite3.Connection) -> dict:
    """The most frequent bigram of the corpus (管理 matches nearly every document)."""
    q = "管理"
    hits = sum(1 for _ in search.iter_matching_rowids(conn, q))
    return {"query": q, "matching_versions": hits, **measure(lambda x: search.search(conn, x, limit=20), [q] * 5)}


def measure_export(conn: sqlite3.Connection, fmt: str, where: Path) -> dict:
    out = where / f"bench-export.{fmt}"
    samples: list[tuple[int, float]] = []
    sampler = _RssSampler()
    baseline = sampler.rss_mb()
    sampler.start()
    start = time.perf_counter()
    with open(out, "wb") as f:
        rows = export.export(conn, f, fmt, DocFilters(all_versions=True),
                             progress=lambda n: samples.append((n, sampler.rss_mb())) if n % 20000 == 0 else None)
    seconds = time.perf_counter() - start
    sampler.stop()
    size = out.stat().st_size
    out.unlink()
    return {"rows": rows, "seconds": round(seconds, 1), "rows_per_s": round(rows / seconds), "mb": round(size / 1e6),
            "rss_before_mb": round(baseline, 1), "rss_peak_mb": round(sampler.peak, 1),
            "rss_by_rows_mb": [(n, round(mb, 1)) for n, mb in samples]}


class _RssSampler(threading.Thread):
    """Resident set size every 10 ms: what the operating system sees, C buffers included."""

    def __init__(self):
        super().__init__(daemon=True)
        self.peak, self._stop_flag = 0.0, threading.Event()

    @staticmethod
    def rss_mb() -> float:
        for line in Path("/proc/self/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
        return 0.0

    def run(self) -> None:
        while not self._stop_flag.is_set():
            self.peak = max(self.peak, self.rss_mb())
            time.sleep(0.01)

    def stop(self) -> None:
        self._stop_flag.set()
        self.join()


def _status(text: str) -> None:
    if sys.stderr.isatty():
        print(f"\r\x1b[K{text}", end="", file=sys.stderr, flush=True)


def report(r: dict) -> None:
    print(f"machine: {r['machine']}")
    if not r["lists_used"]:
        print("baseline: --no-lists (every query ranks all its matches)")
    print(f"archive: {r['docs']} documents, {r['versions']} versions, {r['archive_mb']} MB; "
          f"build {r['build']}; index {r['index']}")
    print("\nsearch latency (ms)      p50     p95     max   queries")
    for name, row in r["search"].items():
        if name == "worst":
            continue
        for kind in ("fts", "like")[:len(row) - 1]:
            m = row[kind]
            label = f"{name} {'FTS5 (guifan)' if kind == 'fts' else 'LIKE baseline'}"
            listed = f"   ({row['with_list']} with an impact list)" if kind == "fts" else ""
            print(f"{label:24} {m['p50_ms']:>6} {m['p95_ms']:>7} {m['max_ms']:>7} {m['queries']:>7}{listed}")
    w = r["search"]["worst"]
    print(f"worst case {w['query']} ({w['matching_versions']} matching versions): p50 {w['p50_ms']} ms")
    print("\nexport       rows   rows/s   seconds   MB   RSS before → peak (MB)   RSS by rows")
    for fmt, e in r["export"].items():
        print(f"{fmt:7} {e['rows']:>9} {e['rows_per_s']:>8} {e['seconds']:>9} {e['mb']:>4}   "
              f"{e['rss_before_mb']} → {e['rss_peak_mb']}   {e['rss_by_rows_mb']}")


if __name__ == "__main__":
    sys.exit(main())
