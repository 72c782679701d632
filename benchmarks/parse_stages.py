"""Where `guifan parse` spends its CPU: each stage of the extractor over the speed bench's pages.

    python -m benchmarks.parse_stages [--pages 100] [--processes 7]

The same pages as `benchmarks.startup_bench` (../shared/corpus, then benchmarks/corpus, cycled
to P), each read once, in a fresh process as `guifan parse -j 1` reads them: cold caches, so
the per-portal caches (boilerplate lines, short texts) help only as much as they help a real
batch. Each stage is one name `parsers.extract` calls, timed by a wrapper (process CPU time,
nanoseconds; no profiler, whose per-call cost would distort the small stages); `import` is
the CPU of importing the parse command and the extractor, `other` what the timed names do
not cover (reading files, record building, JSON, the small steps between stages). Prints the
median of N processes per stage, so one process slowed by the shared machine does not count.
"""
from __future__ import annotations

import argparse
import collections
import json
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

# The names parsers/extract.py calls, each wrapped in a timer (those it does not have are skipped).
STAGES = (
    "check_is_text_page", "decode_bytes", "parse_page", "read_meta_tags", "prune", "segments",
    "looks_like_challenge", "chrome_segments", "locate_body", "read_label_pairs", "_choose_title",
    "_trust_structure", "_start_after_title", "_body_lines", "_drop_title_lines", "strip_boilerplate_lines",
    "remove_pinyin_annotations", "is_traditional_script", "read_validity_clauses", "find_attachments",
    "_date_near_body", "is_cover", "_signature_date", "looks_like_doc_number", "doc_type_from_title",
)


def one_process(files: list[str]) -> dict[str, int]:
    """CPU nanoseconds per stage over one cold pass of `files` (run in a fresh interpreter)."""
    start = time.process_time_ns()
    import guifan.parsers  # noqa: F401  -- as parse_one imports it, on its first page
    from guifan.commands.parse import parse_one

    extract_module = sys.modules["guifan.parsers.extract"]
    spent: collections.Counter = collections.Counter()
    spent["import"] = time.process_time_ns() - start

    def timed(name, fn):
        def wrapper(*args, **kwargs):
            t = time.process_time_ns()
            try:
                return fn(*args, **kwargs)
            finally:
                spent[name] += time.process_time_ns() - t
        return wrapper

    for name in STAGES:
        if hasattr(extract_module, name):
            setattr(extract_module, name, timed(name, getattr(extract_module, name)))
    t = time.process_time_ns()
    for name in files:
        json.dumps(parse_one(name, "", None, 1 << 26), ensure_ascii=False)
    spent["total"] = time.process_time_ns() - t
    return dict(spent)


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--pages", type=int, default=100)
    ap.add_argument("--processes", type=int, default=7, help="fresh processes, one cold pass each (median)")
    ap.add_argument("--one", nargs="*", help=argparse.SUPPRESS)  # the child's entry point
    args = ap.parse_args(argv)
    if args.one is not None:
        print(json.dumps(one_process(args.one)))
        return 0
    from benchmarks.machine import machine_line
    from benchmarks.startup_bench import pages

    print(f"machine: {machine_line()}")
    with tempfile.TemporaryDirectory() as tmp:
        files = [str(p) for p in pages(args.pages, Path(tmp))]
        cmd = [sys.executable, "-m", "benchmarks.parse_stages", "--one", *files]
        runs = [json.loads(subprocess.run(cmd, capture_output=True, text=True, check=True).stdout)
                for _ in range(args.processes)]
    report(runs, len(files))
    return 0


def report(runs: list[dict[str, int]], n: int) -> None:
    def median(key: str) -> float:
        return statistics.median(r.get(key, 0) for r in runs) / 1e6

    total = median("total")
    print(f"extraction of {n} pages, one cold pass: {total:.0f} ms CPU (median of {len(runs)} processes; "
          f"each: {', '.join(str(round(r['total'] / 1e6)) for r in sorted(runs, key=lambda r: r['total']))})")
    print(f"{'import':28s} {median('import'):7.1f} ms  (not in the pass)")
    stages = sorted((k for r in runs for k in r if k not in ("total", "import")), key=median, reverse=True)
    for key in dict.fromkeys(stages):
        print(f"{key:28s} {median(key):7.1f} ms {100 * median(key) / total:5.1f} %")
    other = statistics.median(r["total"] - sum(v for k, v in r.items() if k not in ("total", "import"))
                              for r in runs) / 1e6
    print(f"{'other':28s} {other:7.1f} ms {100 * other / total:5.1f} %")


if __name__ == "__main__":
    sys.exit(main())
