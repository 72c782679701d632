"""Start-up and one-call batch speed of the `guifan` command, as a user meets them.

    python -m benchmarks.startup_bench [--runs 10] [--pages 100]

Prints, each against its named bar:
* `guifan --help` wall time (median of N runs; bar 0.3 s);
* `guifan parse PAGE` on one page, start-up included (median; bar 0.5 s);
* one `guifan parse` call over P saved pages (../shared/corpus, cycled to P) in pages/s, and
  the same pages through trafilatura in one Python process (start-up included, as a
  user's script would run it), with the ratio (bar 5×; needs `pip install -e '.[bench]'`).
"""
from __future__ import annotations

import argparse
import itertools
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
    args = ap.parse_args(argv)
    print(f"machine: {machine_line()}")
    cmd = guifan_cmd()
    with tempfile.TemporaryDirectory() as tmp:
        batch = pages(args.pages, Path(tmp))
        help_s = median_wall([*cmd, "--help"], args.runs)
        one_s = median_wall([*cmd, "parse", str(batch[0])], args.runs)
        guifan_s = median_wall([*cmd, "parse", *map(str, batch)], 3)
        print(f"guifan --help:            {help_s:.3f} s median of {args.runs}  (bar 0.3 s: {verdict(help_s, 0.3)})")
        print(f"guifan parse, one page:   {one_s:.3f} s median of {args.runs}  (bar 0.5 s: {verdict(one_s, 0.5)})")
        print(f"guifan parse, {len(batch)} pages:  {guifan_s:.2f} s, {len(batch) / guifan_s:.1f} pages/s (median of 3)")
        try:
            import trafilatura  # noqa: F401
        except ImportError:
            print("trafilatura: not installed (pip install -e '.[bench]'); no ratio")
            return 0
        traf_s = median_wall([sys.executable, "-c", TRAFILATURA, *map(str, batch)], 3)
        ratio = traf_s / guifan_s
        print(f"trafilatura, {len(batch)} pages: {traf_s:.2f} s, {len(batch) / traf_s:.1f} pages/s (median of 3)")
        print(f"guifan pages/s ÷ trafilatura pages/s: {ratio:.2f}×  (bar 5×: {verdict(ratio, 5, False)})")
    return 0


if __name__ == "__main__":
    sys.exit(main())
