"""Start-up and one-call batch speed of the `guifan` command, as a user meets them.

    python -m benchmarks.startup_bench [--runs 10] [--pages 100]

Prints, each against its named bar:
* `guifan --help` wall time (median of N runs; bar 0.3 s);
* `guifan parse PAGE` on one page, start-up included (median; bar 0.5 s);
* one `guifan parse` call over P saved pages (../shared/corpus, cycled to P) in pages/s, and
  the same pages through trafilatura in one Python process (start-up included, as a
  user's script would run it), with the ratio (bar 5×; needs `pip install -e '.[bench]'`).
  The two run in alternating rounds (`--rounds R`, after one warm-up each), so that a change
  in the load of a shared machine falls on both alike; each round prints both wall times,
  their ratio, the CPU time each used (user + system, all processes) and the load average
  before it. The verdict is on the median of the rounds' wall-time ratios.
"""
from __future__ import annotations

import argparse
import itertools
import os
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from benchmarks.machine import machine_line

REPO = Path(__file__).resolve().parents[1]
SHARED = REPO.parent / "shared" / "corpus"
TRAFILATURA = ("import sys, trafilatura\n"
               "for p in sys.argv[1:]:\n"
               "    trafilatura.extract(open(p, 'rb').read())\n")


def guifan_cmd() -> list[str]:
    exe = shutil.which("guifan", path=str(Path(sys.executable).parent))
    return [exe] if exe else [sys.executable, "-m", "guifan"]


def wall(cmd: list[str]) -> float:
    start = time.perf_counter()
    subprocess.run(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, check=False)
    return time.perf_counter() - start


def wall_cpu(cmd: list[str]) -> tuple[float, float]:
    """(wall seconds, CPU seconds of the command and its children) of one run."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    seconds = wall(cmd)
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    return seconds, (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)


def median_wall(cmd: list[str], runs: int) -> float:
    wall(cmd)  # one warm-up: the page cache, not guifan, is what a first run measures
    return statistics.median(wall(cmd) for _ in range(runs))


def pages(n: int, folder: Path) -> list[Path]:
    found = sorted(SHARED.glob("*/*.html")) + sorted((REPO / "benchmarks/corpus/pages").glob("*/*.html"))
    if not found:
        raise SystemExit(f"no saved pages: {SHARED} is absent and benchmarks/corpus has none restored")
    out = []
    for i, page in zip(range(n), itertools.cycle(found)):
        copy = folder / f"{i:04d}{page.suffix}"
        copy.write_bytes(page.read_bytes())
        out.append(copy)
    return out


def verdict(value: float, bar: float, smaller_is_better: bool = True) -> str:
    ok = value <= bar if smaller_is_better else value >= bar
    return "meets" if ok else "MISSES"


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--runs", type=int, default=10)
    ap.add_argument("--pages", type=int, default=100)
    ap.add_argument("--rounds", type=int, default=5, help="alternating guifan/trafilatura rounds (default 5)")
    args = ap.parse_args(argv)
    print(f"machine: {machine_line()}")
    cmd = guifan_cmd()
    with tempfile.TemporaryDirectory() as tmp:
        batch = pages(args.pages, Path(tmp))
        help_s = median_wall([*cmd, "--help"], args.runs)
        one_s = median_wall([*cmd, "parse", str(batch[0])], args.runs)
        print(f"guifan --help:            {help_s:.3f} s median of {args.runs}  (bar 0.3 s: {verdict(help_s, 0.3)})")
        print(f"guifan parse, one page:   {one_s:.3f} s median of {args.runs}  (bar 0.5 s: {verdict(one_s, 0.5)})")
        guifan_batch = [*cmd, "parse", *map(str, batch)]
        try:
            import trafilatura  # noqa: F401
        except ImportError:
            guifan_s = median_wall(guifan_batch, 3)
            print(f"guifan parse, {len(batch)} pages:  {guifan_s:.2f} s, {len(batch) / guifan_s:.1f} pages/s (median of 3)")
            print("trafilatura: not installed (pip install -e '.[bench]'); no ratio")
            return 0
        traf_batch = [sys.executable, "-c", TRAFILATURA, *map(str, batch)]
        rounds(guifan_batch, traf_batch, len(batch), args.rounds)
    return 0


def rounds(guifan_batch: list[str], traf_batch: list[str], n: int, count: int) -> None:
    """Alternating rounds of the two batches; per-round figures, then the medians and verdict."""
    wall(guifan_batch), wall(traf_batch)  # warm-up: the page cache
    ratios, cpu_ratios, g_walls, t_walls = [], [], [], []
    print(f"round | load (1 min) | guifan parse, {n} pages | trafilatura, {n} pages | ratio | CPU guifan / trafilatura")
    for r in range(1, count + 1):
        load = os.getloadavg()[0]
        g, g_cpu = wall_cpu(guifan_batch)
        t, t_cpu = wall_cpu(traf_batch)
        ratios.append(t / g)
        cpu_ratios.append(t_cpu / g_cpu if g_cpu else float("nan"))
        g_walls.append(g)
        t_walls.append(t)
        print(f"{r} | {load:.2f} | {g:.2f} s ({n / g:.1f} pages/s) | {t:.2f} s ({n / t:.1f} pages/s) | "
              f"{t / g:.2f}× | {g_cpu:.2f} s / {t_cpu:.2f} s ({cpu_ratios[-1]:.2f}×)")
    g, t, ratio = statistics.median(g_walls), statistics.median(t_walls), statistics.median(ratios)
    print(f"guifan parse, {n} pages:  {g:.2f} s, {n / g:.1f} pages/s (median of {count})")
    print(f"trafilatura, {n} pages: {t:.2f} s, {n / t:.1f} pages/s (median of {count})")
    print(f"CPU time trafilatura ÷ guifan: {statistics.median(cpu_ratios):.2f}× (median)")
    print(f"guifan pages/s ÷ trafilatura pages/s: {ratio:.2f}× median of {count} rounds  (bar 5×: {verdict(ratio, 5, False)})")


if __name__ == "__main__":
    sys.exit(main())
