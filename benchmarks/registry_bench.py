"""How long the registry costs the commands that read it: wall time of `guifan sites` over the
whole registry against `guifan --help` (the baseline: Python start and the CLI, no registry),
and the in-process cost of loading the 31 province files and building the catalog.

    python -m benchmarks.registry_bench [--rounds 7]
"""
from __future__ import annotations

import argparse
import statistics
import subprocess
import sys
import time

from benchmarks.machine import machine_line

COMMANDS = {
    "guifan --help (baseline)": ["--help"],
    "guifan sites (profiles only)": ["sites"],
    "guifan sites --summary": ["sites", "--summary"],
    "guifan sites --region 安徽省 --format json": ["sites", "--region", "安徽省", "--format", "json"],
    "guifan sites --all --format jsonl": ["sites", "--all", "--format", "jsonl"],
}


def wall(args: list[str], rounds: int) -> float:
    times = []
    for _ in range(rounds):
        start = time.perf_counter()
        subprocess.run([sys.executable, "-m", "guifan", *args], check=True, capture_output=True)
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def in_process() -> tuple[float, float, int]:
    start = time.perf_counter()
    from guifan.crawler.registry import load_units
    from guifan.crawler.registry.catalog import catalog

    load_units()
    loaded = time.perf_counter()
    sites = catalog()
    return loaded - start, time.perf_counter() - loaded, len(sites)


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--rounds", type=int, default=7, help="runs per command; the median is reported (default 7)")
    args = p.parse_args(argv)
    print(machine_line())
    load, build, n = in_process()
    print(f"in process: load the registry {load * 1000:.0f} ms, build the catalog of {n} sites {build * 1000:.0f} ms")
    base = None
    for label, command in COMMANDS.items():
        seconds = wall(command, args.rounds)
        base = base or seconds
        print(f"{label:46} {seconds:6.3f} s  ({seconds / base:4.1f}× the baseline)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
