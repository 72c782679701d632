"""Crawl benchmark: guifan against a bare Scrapy spider on the large demo site (loopback).

    python -m benchmarks.crawl_bench [--documents 20000] [--concurrency 32] [--rounds 3]

The large TRS-style site (`demo_portal.large`) is served from its own process. Both
crawlers run in child processes with politeness off (no delay, no AutoThrottle, the same
concurrency) and fetch the same pages: every list page and every detail page. The bare
spider only fetches (its URLs are computed, nothing is parsed or stored); guifan lists,
extracts and archives every page. RSS of each crawl's process tree (guifan's extraction
workers and archive writer included) is sampled while it runs.
"""
from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path

from benchmarks.machine import machine_line, process_tree, rss_mb
from guifan.demo_portal import large

REPO = Path(__file__).resolve().parents[1]
TARGET_RATIO = 0.8
TARGET_RSS_MB = 400


@dataclass
class Measured:
    label: str
    pages: int
    seconds: float
    rss_mb: list[tuple[float, float]] = field(default_factory=list)  # (seconds since start, MB)
    returncode: int = 0

    @property
    def rate(self) -> float:
        return self.pages / self.seconds if self.seconds else 0.0

    @property
    def peak_mb(self) -> float:
        return max((mb for _, mb in self.rss_mb), default=0.0)


def politeness_off(concurrency: int) -> dict[str, str]:
    return {"CONCURRENT_REQUESTS": str(concurrency), "CONCURRENT_REQUESTS_PER_DOMAIN": str(concurrency),
            "DOWNLOAD_DELAY": "0", "AUTOTHROTTLE_ENABLED": "False", "GUIFAN_RELAX_LOOPBACK": "False",
            "LOG_LEVEL": "WARNING"}


def tree_rss_mb(root: int) -> float | None:
    """RSS of a process and its descendants together (shared pages counted once per process)."""
    sizes = [mb for mb in map(rss_mb, process_tree(root)) if mb is not None]
    return sum(sizes) if sizes else None


def run_sampled(label: str, cmd: list[str], timeout: float, interval: float = 0.5,
                on_start=None) -> tuple[Measured, str]:
    """Run cmd; sample its RSS every `interval` seconds; its stdout's last line is the page count.
    `on_start(pid)`, if given, is called once the process is started (another sampler)."""
    env = {**os.environ, "PYTHONPATH": os.pathsep.join(filter(None, [str(REPO), os.environ.get("PYTHONPATH")]))}
    start = time.perf_counter()
    proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=env, cwd=REPO)
    samples: list[tuple[float, float]] = []
    if on_start is not None:
        on_start(proc.pid)

    def sample():
        while proc.poll() is None:
            mb = tree_rss_mb(proc.pid)
            if mb is not None:
                samples.append((time.perf_counter() - start, mb))
            time.sleep(interval)

    sampler = threading.Thread(target=sample, daemon=True)
    sampler.start()
    try:
        out, err = proc.communicate(timeout=timeout)
    except subprocess.TimeoutExpired:
        proc.kill()
        out, err = proc.communicate()
        raise RuntimeError(f"{label} did not finish within {timeout:.0f} s") from None
    elapsed = time.perf_counter() - start
    sampler.join(timeout=2)
    return Measured(label, 0, elapsed, samples, proc.returncode), out + err


def bench_bare(base_url: str, documents: int, concurrency: int, timeout: float) -> Measured:
    cmd = [sys.executable, "-m", "benchmarks.bare_spider", base_url, str(documents), str(concurrency)]
    m, out = run_sampled("bare Scrapy", cmd, timeout)
    if m.returncode != 0:
        raise RuntimeError(f"bare spider failed:\n{out[-2000:]}")
    m.pages = int(out.strip().splitlines()[0].split()[0])
    return m


def bench_guifan(base_url: str, db: Path, concurrency: int, timeout: float, extra: list[str]) -> Measured:
    sets = [f"--set={k}={v}" for k, v in politeness_off(concurrency).items()]
    cmd = [sys.executable, "-m", "guifan", "crawl", "demo-large", "--base-url", base_url, "--db", str(db),
           *sets, *extra]
    m, out = run_sampled("guifan", cmd, timeout)
    if m.returncode != 0:
        raise RuntimeError(f"guifan crawl failed:\n{out[-3000:]}")
    m.pages = pages_fetched(db)
    return m


def pages_fetched(db: Path) -> int:
    from guifan.archive import Archive

    with Archive(db, readonly=True) as archive:
        return archive.conn.execute("SELECT count(*) FROM fetches WHERE status IS NOT NULL").fetchone()[0]


def growth_mb(m: Measured) -> float:
    """RSS at 90 % of the run minus RSS at 25 %: ~0 when memory does not grow with pages.

    (Not the last sample: helper processes exit at the end, which is not a shrinking crawl.)
    """
    if len(m.rss_mb) < 4:
        return 0.0
    return m.rss_mb[len(m.rss_mb) * 9 // 10][1] - m.rss_mb[len(m.rss_mb) // 4][1]


def describe(m: Measured) -> str:
    return (f"{m.label:12} {m.pages:6d} pages in {m.seconds:6.1f} s = {m.rate:6.1f} pages/s   "
            f"peak RSS of its processes {m.peak_mb:6.1f} MB (growth from 25 % to 90 % of the run "
            f"{growth_mb(m):+.1f} MB)")


def report(rounds: list[tuple[Measured, Measured]], documents: int) -> bool:
    """Every round's figures, then the verdict on the median ratio (a shared machine varies)."""
    print(f"machine: {machine_line()}")
    print(f"site: demo-large, {documents} documents, {large.list_page_count(documents)} list pages (loopback)")
    ratios = []
    for n, (bare, guifan) in enumerate(rounds, 1):
        ratios.append(guifan.rate / bare.rate if bare.rate else 0.0)
        print(f"round {n}:")
        print("  " + describe(bare))
        print("  " + describe(guifan))
        print(f"  guifan / bare Scrapy: {ratios[-1]:.2f}")
    ratio = statistics.median(ratios)
    peak = max(guifan.peak_mb for _, guifan in rounds)
    ok_rate, ok_rss = ratio >= TARGET_RATIO, peak < TARGET_RSS_MB
    print(f"guifan / bare Scrapy, median of {len(rounds)}: {ratio:.2f} (target ≥ {TARGET_RATIO}: "
          f"{'ok' if ok_rate else 'MISSED'}); guifan's peak RSS {peak:.0f} MB (target < {TARGET_RSS_MB} MB: "
          f"{'ok' if ok_rss else 'MISSED'})")
    last = rounds[-1][1]
    samples = ", ".join(f"{t:.0f}s {mb:.0f}" for t, mb in last.rss_mb[:: max(1, len(last.rss_mb) // 10)])
    print(f"guifan RSS over time, last round (MB): {samples}")
    return ok_rate and ok_rss


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--documents", type=int, default=20000)
    ap.add_argument("--concurrency", type=int, default=32)
    ap.add_argument("--rounds", type=int, default=1,
                    help="bare/guifan pairs, alternating which goes first; the verdict is on the median ratio")
    ap.add_argument("--timeout", type=float, default=1800, help="seconds allowed per crawl")
    ap.add_argument("--set", action="append", default=[], metavar="NAME=VALUE",
                    help="extra setting for the guifan crawl (repeatable)")
    args = ap.parse_args(argv)
    if args.rounds < 1 or args.documents < 1:
        ap.error("--rounds and --documents must be at least 1")
    extra = [f"--set={s}" for s in args.set]
    rounds = []
    with large.spawn(documents=args.documents) as base_url, tempfile.TemporaryDirectory() as tmp:
        for n in range(args.rounds):
            db = Path(tmp) / f"bench-{n}.db"
            runs = {"bare": lambda: bench_bare(base_url, args.documents, args.concurrency, args.timeout),
                    "guifan": lambda: bench_guifan(base_url, db, args.concurrency, args.timeout, extra)}
            order = ("bare", "guifan") if n % 2 == 0 else ("guifan", "bare")
            done = {name: runs[name]() for name in order}
            rounds.append((done["bare"], done["guifan"]))
    return 0 if report(rounds, args.documents) else 1


if __name__ == "__main__":
    sys.exit(main())
