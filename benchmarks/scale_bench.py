"""National-scale benchmark: one polite guifan crawl of many simulated portals at once.

    python -m benchmarks.scale_bench [--sites 1000] [--rate 1] [--kill-resume] [--workers 1,2,3]
    python -m benchmarks.scale_bench --sites 200            # the quick form (a few minutes)

The simulated nation (`demo_portal.nation`: sites on 127.2.x.y, mixed platforms, long-tailed
sizes, some slow, some down) is served from its own process, metering each client's rate per
site (429 to a client faster than `--rate`). Profiles are generated on the fly (none are
committed). Phases:

1. **guifan, politeness on**: one `guifan` crawl process over every site (the runner's own
   `crawl()`, as `guifan crawl` calls it) with DOWNLOAD_DELAY = 1/rate, no jitter,
   AutoThrottle, one request at a time per site. RSS of its whole process tree is sampled.
2. **bare Scrapy, politeness off**: `benchmarks/bare_spider.py` fetches the same URLs (those
   phase 1 fetched), 32 at a time, with the meter off: the machine's bare-Scrapy rate.
3. **kill -9 and resume** (`--kill-resume`): the crawl with JOBDIR, killed with SIGKILL when
   the server has answered half of phase 1's requests, then the same command again.
4. **distributed** (`--workers 1,2,3`): the same sites over N `guifan worker` processes and one
   `guifan ingest` (a private redis-server), politeness off: rate against N; with
   `--polite-workers` also politeness on (phase 1's settings, the meter on: the workers share
   each site's delay through Redis). Each run reports the requests the archive recorded twice,
   the leases put back (a worker taken for dead), violations, and CPU per process tree.
   `--distributed-only` skips phases 1-2.

The bound is the lower of the politeness bound and the bare rate. The politeness bound is
the best average rate any polite crawler could reach on these sites: every site at `rate`
from the first second (a slow site at most one request per answer), so the crawl lasts as
long as its largest site needs: total requests / max over sites of (requests × max(1/rate,
latency)). Rates are requests the server answered over the time from its first to its last
answer (start-up is reported beside them).
"""
from __future__ import annotations

import argparse
import json
import os
import shutil
import signal
import socket
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import urllib.request
from pathlib import Path

from benchmarks.crawl_bench import REPO, Measured, growth_mb, run_sampled
from benchmarks.machine import machine_line
from guifan.demo_portal import nation

TARGET_RATIO = 0.9
TARGET_RSS_MB = 1024
BARE_CONCURRENCY = 32


def child_env() -> dict:
    return {**os.environ, "PYTHONPATH": os.pathsep.join(filter(None, [str(REPO), os.environ.get("PYTHONPATH")]))}


class NationServer:
    """The nation in a process of its own (no GIL shared with the crawlers it measures)."""

    def __init__(self, sites: int, rate: float, seed: str, latency: float | None = None):
        self.sites, self.rate, self.seed, self.latency = sites, rate, seed, latency

    def __enter__(self) -> "NationServer":
        cmd = [sys.executable, "-m", "guifan.demo_portal", "--nation", str(self.sites), "--rate", str(self.rate),
               "--port", "0", "--seed", self.seed] + (["--latency", str(self.latency)] if self.latency is not None else [])
        self.proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, text=True, env=child_env(), cwd=REPO)
        line = self.proc.stdout.readline()
        if not line.startswith("nation"):
            self.proc.kill()
            raise RuntimeError(f"the nation did not start: {line!r}")
        self.port = int(line.split("port ")[1].split()[0])
        self.control = f"http://127.0.0.1:{self.port}"
        return self

    def report(self) -> dict:
        with urllib.request.urlopen(self.control + "/report", timeout=30) as answer:
            return json.load(answer)

    def reset(self, rate: float | None = None) -> None:
        query = f"?rate={rate}" if rate is not None else ""
        urllib.request.urlopen(urllib.request.Request(self.control + "/reset" + query, method="POST"),
                               timeout=30).read()

    def cpu_seconds(self) -> float:
        fields = Path(f"/proc/{self.proc.pid}/stat").read_text().rsplit(")", 1)[1].split()
        return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")

    def __exit__(self, *exc) -> None:
        self.proc.send_signal(signal.SIGTERM)
        try:
            self.proc.wait(timeout=15)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait()


# -- the crawl child ------------------------------------------------------------------------

def polite(rate: float) -> dict[str, str]:
    delay = 1.0 / rate
    return {"GUIFAN_RELAX_LOOPBACK": "False", "DOWNLOAD_DELAY": str(delay), "DOWNLOAD_DELAY_JITTER": "0",
            "AUTOTHROTTLE_ENABLED": "True", "AUTOTHROTTLE_START_DELAY": str(delay),
            "CONCURRENT_REQUESTS_PER_DOMAIN": "1", "LOG_LEVEL": "WARNING", "GUIFAN_PROGRESS_INTERVAL": "0"}


def crawl_child(argv: list[str]) -> int:
    """`python -m benchmarks.scale_bench crawl …`: one guifan crawl process over the nation."""
    ap = argparse.ArgumentParser(prog="scale_bench crawl")
    ap.add_argument("--sites", type=int, required=True)
    ap.add_argument("--port", type=int, required=True)
    ap.add_argument("--db", required=True)
    ap.add_argument("--rate", type=float, default=1.0)
    ap.add_argument("--seed", default="nation")
    ap.add_argument("--jobdir")
    ap.add_argument("--set", action="append", default=[])
    args = ap.parse_args(argv)
    from guifan.crawler.profiles import SiteProfile
    from guifan.crawler.runner import crawl

    profiles = [SiteProfile(**nation.profile(s, args.port)) for s in nation.nation_sites(args.sites, args.seed)]
    settings = polite(args.rate) | dict(kv.split("=", 1) for kv in args.set)
    if args.jobdir:
        settings["JOBDIR"] = args.jobdir
    run_id = crawl(profiles, args.db, **settings)
    print(f"run {run_id}", flush=True)
    return 0


def worker_child(argv: list[str]) -> int:
    """`python -m benchmarks.scale_bench worker …`: one `guifan worker` over the nation's live sites
    (the runner's `work()`, as `guifan worker` calls it, with profiles made on the fly)."""
    ap = argparse.ArgumentParser(prog="scale_bench worker")
    ap.add_argument("--sites", type=int, required=True)
    ap.add_argument("--port", type=int, required=True)
    ap.add_argument("--redis", required=True)
    ap.add_argument("--seed", default="nation")
    ap.add_argument("--set", action="append", default=[])
    args = ap.parse_args(argv)
    from guifan.crawler.profiles import SiteProfile
    from guifan.crawler.runner import work

    live = [s for s in nation.nation_sites(args.sites, args.seed) if not s.down]
    reasons = work([SiteProfile(**nation.profile(s, args.port)) for s in live], args.redis,
                   **(distributed_settings() | dict(kv.split("=", 1) for kv in args.set)))
    print(f"finished: {sum(1 for r in reasons if r == 'finished')}/{len(reasons)}", flush=True)
    return 0


def crawl_cmd(args, server: NationServer, db: Path, jobdir: Path | None = None) -> list[str]:
    cmd = [sys.executable, "-m", "benchmarks.scale_bench", "crawl", "--sites", str(args.sites), "--port",
           str(server.port), "--db", str(db), "--rate", str(args.rate), "--seed", args.seed]
    return cmd + (["--jobdir", str(jobdir)] if jobdir else []) + [f"--set={s}" for s in args.set]


# -- figures ----------------------------------------------------------------------------------

def served(report: dict) -> tuple[int, float]:
    """(requests, seconds from the first to the last) as the server counted them."""
    return report["requests"], max(1e-9, report["last"] - report["first"])


def politeness_bound(report: dict, rate: float, sites) -> tuple[float, str]:
    latency = {s.name: s.latency for s in sites}
    longest, name = max((m["requests"] * max(1.0 / rate, latency.get(n, 0.0)), n) for n, m in report["sites"].items())
    return report["requests"] / longest, f"{name}: {report['sites'][name]['requests']} requests"


def fairness(report: dict) -> dict:
    """How long sites waited: for their first request, and at most between two of theirs."""
    first = report["first"]
    starts = sorted(m["first"] - first for m in report["sites"].values())
    gaps = sorted(m.get("max_gap") or 0.0 for m in report["sites"].values())
    pick = lambda xs, q: xs[min(len(xs) - 1, int(len(xs) * q))]
    return {"sites": len(starts), "first_request_p50": pick(starts, 0.5), "first_request_max": starts[-1],
            "max_gap_p50": pick(gaps, 0.5), "max_gap_p99": pick(gaps, 0.99), "max_gap_max": gaps[-1]}


def archived(db: Path, sites, port: int) -> dict:
    """Every document of every live site archived, each once (one document row, one version)."""
    expected = {f"http://{s.host}:{port}{p}" for s in sites for p in nation.expected_paths(s)}
    conn = sqlite3.connect(f"file:{db}?mode=ro", uri=True)
    rows = conn.execute("SELECT d.url, count(DISTINCT d.doc_id), count(v.version) FROM documents d "
                        "JOIN versions v ON v.doc_id = d.doc_id GROUP BY d.url").fetchall()
    conn.close()
    have = {url: (docs, versions) for url, docs, versions in rows}
    twice = sum(1 for url in expected if url in have and have[url] != (1, 1))
    return {"expected": len(expected), "archived": sum(1 for url in expected if url in have),
            "more_than_once": twice, "unexpected": len(set(have) - expected)}


def fetched_urls(db: Path, out: Path) -> int:
    """The URLs the crawl fetched (GET, each as often as it was fetched), for the bare spider."""
    conn = sqlite3.connect(f"file:{db}?mode=ro", uri=True)
    rows = conn.execute("SELECT u.url FROM fetches f JOIN urls u USING (url_id) WHERE f.status IS NOT NULL "
                        "ORDER BY f.fetch_id").fetchall()
    conn.close()
    out.write_text("".join(url + "\n" for (url,) in rows), encoding="utf-8")
    return len(rows)


def rss_line(m: Measured) -> str:
    samples = m.rss_mb[:: max(1, len(m.rss_mb) // 12)]
    return (f"peak RSS of the crawl's process tree {m.peak_mb:.0f} MB; growth from 25 % to 90 % of the run "
            f"{growth_mb(m):+.1f} MB; over time: " + ", ".join(f"{t:.0f}s {mb:.0f}" for t, mb in samples))


# -- phases -----------------------------------------------------------------------------------

def phase_guifan(args, server: NationServer, work: Path) -> dict:
    server.reset(args.rate)
    db = work / "polite.db"
    started = time.monotonic()
    load = os.getloadavg()[0]
    server_cpu = server.cpu_seconds()
    with CpuByRole() as cpu:
        m, out = run_sampled("guifan", crawl_cmd(args, server, db), args.timeout, on_start=cpu.watch)
    if m.returncode != 0:
        raise RuntimeError(f"the guifan crawl failed:\n{out[-3000:]}")
    report = server.report()
    requests, seconds = served(report)
    return {"measured": m, "report": report, "requests": requests, "seconds": seconds, "rate": requests / seconds,
            "startup": report["first"] - started, "db": db, "archive": archived(db, server_sites(args), server.port),
            "cpu": {**cpu.by_role(), "nation server": server.cpu_seconds() - server_cpu},
            "load": (load, os.getloadavg()[0])}


def phase_bare(args, server: NationServer, work: Path, db: Path) -> dict:
    urls = work / "urls.txt"
    n = fetched_urls(db, urls)
    server.reset(0)
    server_cpu = server.cpu_seconds()
    with CpuByRole() as cpu:
        m, out = run_sampled("bare Scrapy", [sys.executable, "-m", "benchmarks.bare_spider", "--urls", str(urls),
                                             str(BARE_CONCURRENCY)], args.timeout, on_start=cpu.watch)
    if m.returncode != 0:
        raise RuntimeError(f"the bare spider failed:\n{out[-2000:]}")
    requests, seconds = served(server.report())
    server.reset(args.rate)
    return {"measured": m, "urls": n, "requests": requests, "seconds": seconds, "rate": requests / seconds,
            "cpu": {**cpu.by_role(), "nation server": server.cpu_seconds() - server_cpu}}


def phase_kill_resume(args, server: NationServer, work: Path, total: int) -> dict:
    server.reset(args.rate)
    db, jobdir = work / "resume.db", work / "jobdir"
    cmd = crawl_cmd(args, server, db, jobdir)
    proc = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, env=child_env(), cwd=REPO,
                            start_new_session=True)
    deadline = time.monotonic() + args.timeout
    while proc.poll() is None and server.report()["requests"] < total // 2 and time.monotonic() < deadline:
        time.sleep(0.5)
    at = server.report()["requests"]
    os.killpg(proc.pid, signal.SIGKILL)          # the crawl, its extraction workers and its writer
    proc.wait()
    m, out = run_sampled("resumed", cmd, args.timeout)
    if m.returncode != 0:
        raise RuntimeError(f"the resumed crawl failed:\n{out[-3000:]}")
    report = server.report()
    return {"killed_at": at, "requests": report["requests"], "violations": report["violations"],
            "archive": archived(db, server_sites(args), server.port), "measured": m,
            "jobdir_left": jobdir.exists() and any(jobdir.iterdir())}


def server_sites(args):
    return nation.nation_sites(args.sites, args.seed)


# -- distributed ------------------------------------------------------------------------------

def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def phase_distributed(args, server: NationServer, work: Path, workers: int, sites: int | None = None,
                      polite_on: bool = False) -> dict:
    """N `guifan worker` processes and one `guifan ingest` over the nation's first `sites` sites
    (default all): politeness off (the meter off, no delay, two at a time per site and worker),
    or on (the single-process phase's settings, the meter at `--rate`, shared by the workers)."""
    sites = sites or args.sites
    port = free_port()
    redis = subprocess.Popen(["redis-server", "--port", str(port), "--bind", "127.0.0.1", "--save", "",
                              "--appendonly", "no"], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        url = f"redis://127.0.0.1:{port}/0"
        wait_for_port(port)
        server.reset(args.rate if polite_on else 0)
        db = work / f"distributed-{sites}sites-{workers}{'-polite' if polite_on else ''}.db"
        live = [s.name for s in nation.nation_sites(sites, args.seed) if not s.down]
        # Logs go to files: a pipe nobody reads while the run lasts would fill and stop the process.
        logs = [open(db.with_suffix(f".{name}.log"), "w") for name in ["ingest", *map(str, range(workers))]]
        ingest = subprocess.Popen([sys.executable, "-m", "guifan", "ingest", "--redis", url, "--db", str(db),
                                   "--runs", str(len(live))], stdout=subprocess.DEVNULL, stderr=logs[0],
                                  env=child_env(), cwd=REPO, text=True)
        sets = [f"--set={k}={v}" for k, v in polite(args.rate).items()] if polite_on else []
        cmd = [sys.executable, "-m", "benchmarks.scale_bench", "worker", "--sites", str(sites), "--port",
               str(server.port), "--redis", url, "--seed", args.seed, *sets]
        load = os.getloadavg()[0]
        start = time.monotonic()
        procs = [subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=log, env=child_env(), cwd=REPO, text=True)
                 for log in logs[1:]]
        cpu = [0.0] * (workers + 1)
        while any(p.poll() is None for p in procs) and time.monotonic() - start < args.timeout:
            cpu = [max(c, tree_cpu(p.pid)) for c, p in zip(cpu, [*procs, ingest])]
            time.sleep(0.5)
        for p in procs:
            p.wait(timeout=args.timeout)
        ingest.wait(timeout=args.timeout)
        for log in logs:
            log.close()
        wall = time.monotonic() - start
        report = server.report()
        requests, seconds = served(report)
        stats = {k.decode(): int(v) for k, v in redis_stats(port).items()}
        sent = sorted(v for k, v in stats.items() if k.startswith("sent:"))
        return {"workers": workers, "polite": polite_on, "requests": requests, "seconds": seconds,
                "rate": requests / seconds, "wall": wall, "load": load, "violations": report["violations"],
                "requeued": stats.get("requeued", 0), "sent_per_worker": sent, "cpu": cpu,
                "twice": fetched_twice(db), "archive": archived(db, nation.nation_sites(sites, args.seed), server.port),
                "returncodes": [p.returncode for p in procs] + [ingest.returncode]}
    finally:
        redis.terminate()
        redis.wait()
        server.reset(args.rate)


# What each process (and the crawl's reactor thread) of the crawl's tree is, by the name its
# helpers give themselves (crawler.helpers.name_process).
ROLES = {"guifan-writer": "archive writer", "guifan-extract": "extraction worker", "guifan-attach": "attachment reader"}


def cpu_seconds_of(stat_path: str) -> float:
    fields = Path(stat_path).read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


class CpuByRole:
    """CPU seconds of every process of a crawl's tree by role, sampled every half second (the
    last sample of a process before it ends is what counts): the crawl's reactor thread, the
    crawl process's other threads (Scrapy's DNS pool, the pools' result threads), its archive
    writer, its extraction workers, the forkserver."""

    def __init__(self, interval: float = 0.5):
        self.interval, self.seen, self.root = interval, {}, None
        self.stop = threading.Event()

    def __enter__(self) -> "CpuByRole":
        return self

    def watch(self, pid: int) -> None:
        self.root = pid
        self.thread = threading.Thread(target=self.sample, daemon=True)
        self.thread.start()

    def sample(self) -> None:
        while not self.stop.is_set() and self.root is not None:
            self.take()
            self.stop.wait(self.interval)

    def take(self) -> None:
        for pid in [self.root, *children(self.root)]:
            try:
                if pid == self.root:
                    for tid in os.listdir(f"/proc/{pid}/task"):
                        role = "crawl: reactor thread" if int(tid) == pid else "crawl: other threads"
                        self.seen[("t", tid)] = (role, cpu_seconds_of(f"/proc/{pid}/task/{tid}/stat"))
                    continue
                comm = Path(f"/proc/{pid}/comm").read_text().strip()
                self.seen[("p", pid)] = (ROLES.get(comm, "forkserver and others"), cpu_seconds_of(f"/proc/{pid}/stat"))
            except (OSError, ValueError):
                continue

    def by_role(self) -> dict[str, float]:
        total: dict[str, float] = {}
        for role, seconds in self.seen.values():
            total[role] = total.get(role, 0.0) + seconds
        return dict(sorted(total.items()))

    def __exit__(self, *exc) -> None:
        self.stop.set()
        if self.root is not None:
            self.thread.join(timeout=5)


def tree_cpu(pid: int) -> float:
    """CPU seconds of a process and its children so far (the worker's extraction processes)."""
    total = 0.0
    for p in [pid, *children(pid)]:
        try:
            fields = Path(f"/proc/{p}/stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        total += (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")
    return total


def children(pid: int) -> list[int]:
    try:
        kids = [int(k) for k in Path(f"/proc/{pid}/task/{pid}/children").read_text().split()]
    except OSError:
        return []
    return kids + [g for k in kids for g in children(k)]


def redis_stats(port: int) -> dict:
    import redis as redis_client

    return redis_client.Redis(port=port).hgetall("guifan:stats")


def fetched_twice(db: Path) -> dict:
    """URLs the archive recorded more than once (by kind): what a distributed run fetched twice."""
    conn = sqlite3.connect(f"file:{db}?mode=ro", uri=True)
    rows = conn.execute("SELECT kind, count(*), sum(n - 1) FROM (SELECT kind, url_id, count(*) AS n FROM fetches "
                        "GROUP BY kind, url_id HAVING n > 1) GROUP BY kind").fetchall()
    total = conn.execute("SELECT count(*) FROM fetches").fetchone()[0]
    conn.close()
    return {"recorded": total, **{kind: {"urls": urls, "extra": extra} for kind, urls, extra in rows}}


def distributed_settings() -> dict[str, str]:
    return {"GUIFAN_RELAX_LOOPBACK": "False", "DOWNLOAD_DELAY": "0", "AUTOTHROTTLE_ENABLED": "False",
            "CONCURRENT_REQUESTS_PER_DOMAIN": "2", "GUIFAN_PROGRESS_INTERVAL": "0", "LOG_LEVEL": "WARNING"}


def wait_for_port(port: int, timeout: float = 10) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        with socket.socket() as s:
            if s.connect_ex(("127.0.0.1", port)) == 0:
                return
        time.sleep(0.05)
    raise RuntimeError(f"nothing listens on 127.0.0.1:{port}")


# -- report -----------------------------------------------------------------------------------

def main(argv: list[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    if argv[:1] == ["crawl"]:
        return crawl_child(argv[1:])
    if argv[:1] == ["worker"]:
        return worker_child(argv[1:])
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--sites", type=int, default=1000)
    ap.add_argument("--rate", type=float, default=1.0, help="requests per second each site allows (default 1)")
    ap.add_argument("--seed", default="nation")
    ap.add_argument("--kill-resume", action="store_true", help="also kill -9 a crawl halfway and resume it")
    ap.add_argument("--workers", default="", help="also crawl distributed over these numbers of workers, e.g. 1,2,3")
    ap.add_argument("--polite-workers", action="store_true",
                    help="also crawl distributed with politeness on (shared by the workers), for each of --workers")
    ap.add_argument("--distributed-only", action="store_true",
                    help="skip the single-process crawl and the bare-Scrapy phase (requires --workers or --latency-bound)")
    ap.add_argument("--latency-bound", metavar="SITES:SECONDS", default="",
                    help="also 1, 2, 3 workers over SITES sites that answer in SECONDS (e.g. 20:0.5)")
    ap.add_argument("--timeout", type=float, default=1800, help="seconds allowed per crawl")
    ap.add_argument("--set", action="append", default=[], metavar="NAME=VALUE", help="extra setting for guifan")
    ap.add_argument("--json", help="also write the figures here")
    ap.add_argument("--workdir", help="keep the archives, URL list and JOBDIR here (default: a temporary directory)")
    args = ap.parse_args(argv)
    sites = server_sites(args)
    info = nation.summary(sites)
    print(f"machine: {machine_line()}; load average {os.getloadavg()[0]:.2f} at start")
    print(f"nation: {info['sites']} sites ({info['down']} down, {info['slow']} slow, {info['home_only']} known by "
          f"their home page only, {info['auto']} with platform auto), {info['documents']} documents "
          f"(median {info['median']} per site, largest {info['largest']}); {info['templates']}")
    results: dict = {"machine": machine_line(), "nation": info}
    with NationServer(args.sites, args.rate, args.seed) as server, tempfile.TemporaryDirectory() as tmp:
        work = Path(args.workdir or tmp)
        if args.workdir:
            shutil.rmtree(work, ignore_errors=True)
            work.mkdir(parents=True)
        if args.distributed_only:
            ok = distributed(args, server, work, results)
            if args.latency_bound:
                latency_bound(args, work, results)
        else:
            g = phase_guifan(args, server, work)
            print_guifan(g, args)
            b = phase_bare(args, server, work, g["db"])
            print(f"bare Scrapy, politeness off ({BARE_CONCURRENCY} at a time), the same {b['urls']} URLs: "
                  f"{b['requests']} requests in {b['seconds']:.1f} s = {b['rate']:.1f} requests/s; CPU ms per request: "
                  + "; ".join(f"{role} {1000 * s / b['requests']:.2f}" for role, s in b["cpu"].items()))
            results["guifan"] = summary_of(g)
            results["bare"] = {k: b[k] for k in ("urls", "requests", "seconds", "rate", "cpu")}
            if args.kill_resume:
                k = phase_kill_resume(args, server, work, g["requests"])
                a = k["archive"]
                print(f"kill -9 at {k['killed_at']} requests, resumed: {a['archived']}/{a['expected']} documents "
                      f"archived, {a['more_than_once']} more than once, {a['unexpected']} unexpected; "
                      f"{k['requests']} requests after the reset, violations {k['violations']}; "
                      f"JOBDIR state left: {k['jobdir_left']}")
                results["kill_resume"] = {key: k[key] for key in ("killed_at", "requests", "violations", "archive")}
            ok_distributed = distributed(args, server, work, results)
            if args.latency_bound:
                latency_bound(args, work, results)
            ok = verdict(results, g, b, args) and ok_distributed
    if args.json:
        Path(args.json).write_text(json.dumps(results, indent=2, default=str), encoding="utf-8")
    return 0 if ok else 1


def distributed(args, server: NationServer, work: Path, results: dict) -> bool:
    """--workers N,M…: each count with politeness off, then (--polite-workers) on. True if every
    run archived every document once and the polite runs had no violation."""
    ok = True
    for polite_on in (False, True) if args.polite_workers else (False,):
        base = None
        for n in [int(x) for x in args.workers.split(",") if x]:
            d = phase_distributed(args, server, work, n, polite_on=polite_on)
            base = base or d["rate"]
            print_distributed(d, base, "politeness on (shared)" if polite_on else "politeness off")
            results.setdefault("distributed", []).append(d)
            a = d["archive"]
            ok = ok and a["archived"] == a["expected"] and not a["more_than_once"] and not d["violations"]
    return ok


def print_distributed(d: dict, base: float, label: str) -> None:
    a, twice = d["archive"], d["twice"]
    again = ", ".join(f"{k} {v['extra']}" for k, v in twice.items() if k != "recorded") or "none"
    print(f"distributed, {d['workers']} worker(s) + 1 ingester, {label} (load {d['load']:.2f}): {d['requests']} "
          f"requests in {d['seconds']:.1f} s = {d['rate']:.1f} requests/s ({d['rate'] / base:.2f}× one worker); "
          f"violations {d['violations']}; exit codes {d['returncodes']}")
    print(f"  {a['archived']}/{a['expected']} documents archived, {a['more_than_once']} more than once; "
          f"{twice['recorded']} fetches recorded, fetched again: {again}; leases put back {d['requeued']}; "
          f"sent per worker {d['sent_per_worker'] or '(not gated)'}; CPU s per worker tree, then the ingester "
          f"{[round(c, 1) for c in d['cpu']]}")


def latency_bound(args, work: Path, results: dict) -> None:
    """Workers where neither politeness nor this machine's CPU is the limit: a few sites that
    each take LATENCY seconds per answer, one request at a time per site and worker (a worker
    on a machine of its own, as it were): the rate is what the shared queue lets the workers do."""
    n, latency = (int(x) if i == 0 else float(x) for i, x in enumerate(args.latency_bound.split(":")))
    with NationServer(n, 0, args.seed, latency=latency) as slow:
        base = None
        for workers in (1, 2, 3):
            d = phase_distributed(args, slow, work, workers, sites=n)
            base = base or d["rate"]
            print_distributed(d, base, f"latency-bound ({n} sites answering in {latency:g} s)")
            results.setdefault("latency_bound", []).append(d)


def print_guifan(g: dict, args) -> None:
    a, m = g["archive"], g["measured"]
    f = fairness(g["report"])
    print(f"guifan, politeness on ({args.rate:g} request/s per site, delay {1 / args.rate:g} s, no jitter, "
          f"AutoThrottle): {g['requests']} requests in {g['seconds']:.1f} s = {g['rate']:.1f} requests/s "
          f"(start-up before the first request {g['startup']:.1f} s; process wall time {m.seconds:.1f} s)")
    print(f"  documents: {a['archived']}/{a['expected']} archived, {a['more_than_once']} more than once")
    print(f"  fairness: every site's first request within {f['first_request_max']:.1f} s (median "
          f"{f['first_request_p50']:.1f} s); longest wait between two requests of a site: median "
          f"{f['max_gap_p50']:.1f} s, p99 {f['max_gap_p99']:.1f} s, max {f['max_gap_max']:.1f} s")
    print("  " + rss_line(m))
    cpu = g["cpu"]
    print(f"  CPU (load average {g['load'][0]:.2f} at start, {g['load'][1]:.2f} at end), seconds and ms per request "
          "answered: " + "; ".join(f"{role} {s:.1f} s = {1000 * s / g['requests']:.2f} ms" for role, s in cpu.items()))


def summary_of(g: dict) -> dict:
    m = g["measured"]
    return {"requests": g["requests"], "seconds": g["seconds"], "rate": g["rate"], "startup": g["startup"],
            "wall": m.seconds, "peak_rss_mb": m.peak_mb, "rss_growth_mb": growth_mb(m), "archive": g["archive"],
            "violations": g["report"]["violations"], "fairness": fairness(g["report"]), "cpu": g["cpu"],
            "load": g["load"]}


def verdict(results: dict, g: dict, b: dict, args) -> bool:
    sites = server_sites(args)
    polite_bound, longest = politeness_bound(g["report"], args.rate, sites)
    bound = min(polite_bound, b["rate"])
    ratio = g["rate"] / bound if bound else 0.0
    violations = g["report"]["violations"] + results.get("kill_resume", {}).get("violations", 0)
    peak = g["measured"].peak_mb
    results["verdict"] = {"politeness_bound": polite_bound, "bare_rate": b["rate"], "bound": bound, "ratio": ratio,
                          "violations": violations, "peak_rss_mb": peak}
    print(f"politeness bound {polite_bound:.1f} requests/s (the largest site, {longest}, at {args.rate:g}/s; "
          f"sites × rate = {len(sites) * args.rate:.0f}/s); bare Scrapy {b['rate']:.1f} requests/s")
    ok_rss = peak < TARGET_RSS_MB
    print(f"peak RSS {peak:.0f} MB (target < {TARGET_RSS_MB} MB: {'ok' if ok_rss else 'MISSED'}), growth "
          f"{growth_mb(g['measured']):+.1f} MB")
    ok_docs = g["archive"]["archived"] == g["archive"]["expected"] and not g["archive"]["more_than_once"]
    if "kill_resume" in results:
        a = results["kill_resume"]["archive"]
        ok_docs = ok_docs and a["archived"] == a["expected"] and not a["more_than_once"]
    print(f"every document archived once: {'ok' if ok_docs else 'MISSED'}")
    print(f"achieved rate / bound: {g['rate']:.1f} / {bound:.1f} = {ratio:.2f} (target ≥ {TARGET_RATIO}: "
          f"{'ok' if ratio >= TARGET_RATIO else 'MISSED'})")
    print(f"politeness violations reported by the server: {violations} (target 0: {'ok' if not violations else 'MISSED'})")
    return ratio >= TARGET_RATIO and not violations and ok_rss and ok_docs


if __name__ == "__main__":
    sys.exit(main())
