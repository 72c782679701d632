"""Crawl schedules: cron expressions per site (in its profile) or per job (in a schedule file).

A profile says `schedule = "0 3 * * *"`; a schedule file (TOML) names jobs of its own:

    db = "archive.db"                                   # default archive of every job
    [defaults]
    settings = { GUIFAN_REVISIT_BASE = "6h" }           # -s NAME=VALUE for every job
    [[job]]
    name = "yunxi-nightly"
    sites = ["demo-yunxi"]
    cron = "30 2 * * *"
    args = ["--base-url", "demo-yunxi=http://127.0.0.1:8701"]   # more `guifan crawl` arguments

`Scheduler` starts each due job as a `guifan crawl` child process, never while another
crawl of one of its sites is running (in this scheduler, or anywhere on the same archive),
and reports each start, refusal, completion and failure as an event. Time comes from a
clock function, so tests run it fast. Cron expressions are read by croniter.
"""
from __future__ import annotations

import shlex
import signal
import subprocess
import sys
import time
import tomllib
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from pathlib import Path
from typing import Callable

from croniter import croniter

from guifan.crawler.profiles import SITES_DIR, ProfileError, all_profiles


class ScheduleError(Exception):
    """A schedule file or cron expression that cannot be used."""


@dataclass
class Job:
    name: str
    sites: list[str]
    cron: str
    db: str = "guifan.db"
    args: list[str] = field(default_factory=list)
    settings: dict[str, str] = field(default_factory=dict)

    def command(self, python: str = sys.executable) -> list[str]:
        sets = [f"--set={k}={v}" for k, v in self.settings.items()]
        return [python, "-m", "guifan", "crawl", *self.sites, "--db", self.db, *self.args, *sets]


def check_cron(expr: str, where: str) -> str:
    if not isinstance(expr, str) or not croniter.is_valid(expr):
        raise ScheduleError(f"{where}: not a cron expression: {expr!r}")
    return expr


def profile_jobs(db: str, sites_dir: Path = SITES_DIR) -> list[Job]:
    """A job per site profile that has a `schedule`."""
    jobs = []
    for name, profile in all_profiles(sites_dir).items():
        raw = tomllib.loads(Path(profile.path).read_text(encoding="utf-8"))
        if "schedule" in raw:
            jobs.append(Job(name, [name], check_cron(raw["schedule"], profile.path), db))
    return jobs


def file_jobs(path: Path, db: str) -> list[Job]:
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except (OSError, tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
        raise ScheduleError(f"cannot read schedule file {path}: {exc}") from None
    db = str(data.get("db", db))
    defaults = {str(k): str(v) for k, v in data.get("defaults", {}).get("settings", {}).items()}
    jobs = []
    for i, spec in enumerate(data.get("job", [])):
        where = f"{path} job {spec.get('name', i + 1)}"
        sites = spec.get("sites") or ([spec["site"]] if "site" in spec else [])
        if not sites or "cron" not in spec:
            raise ScheduleError(f"{where}: a job needs `sites` and `cron`")
        jobs.append(Job(str(spec.get("name") or "+".join(sites)), [str(s) for s in sites],
                        check_cron(spec["cron"], where), str(spec.get("db", db)), [str(a) for a in spec.get("args", [])],
                        {**defaults, **{str(k): str(v) for k, v in spec.get("settings", {}).items()}}))
    return jobs


def load_jobs(schedule_file: Path | None, db: str, sites_dir: Path = SITES_DIR) -> list[Job]:
    """Jobs of the schedule file if one is given, else of the site profiles."""
    jobs = file_jobs(schedule_file, db) if schedule_file else profile_jobs(db, sites_dir)
    names = [j.name for j in jobs]
    if len(set(names)) != len(names):
        raise ScheduleError(f"job names must be unique: {', '.join(sorted(n for n in set(names) if names.count(n) > 1))}")
    known = set(all_profiles(sites_dir))
    unknown = sorted({s for j in jobs for s in j.sites} - known)
    if unknown:
        raise ProfileError(f"schedule names unknown sites: {', '.join(unknown)}")
    return jobs


def next_time(cron: str, after: datetime) -> datetime:
    return croniter(cron, after).get_next(datetime)


# -- running crawls -------------------------------------------------------------------------

@dataclass
class Crawl:
    """One started crawl: a child process writing its output to a log file."""

    job: Job
    process: subprocess.Popen
    log: Path
    started: datetime

    def poll(self) -> int | None:
        return self.process.poll()

    def outcome(self) -> str:
        """The crawl's last words: the run line or the error, for the event log."""
        try:
            lines = [line.strip() for line in self.log.read_text(encoding="utf-8", errors="replace").splitlines()]
        except OSError:
            return ""
        errors = [line for line in lines if line.startswith("guifan: error:")]
        runs = [line for line in lines if line.startswith("Run ")]
        return (errors or runs or [line for line in lines if line] or [""])[-1]


def launch(job: Job, log_dir: Path, now: datetime) -> Crawl:
    log_dir.mkdir(parents=True, exist_ok=True)
    log = log_dir / f"{job.name}-{now.strftime('%Y%m%dT%H%M%S')}.log"
    with open(log, "ab") as out:
        process = subprocess.Popen(job.command(), stdout=out, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL,
                                   start_new_session=True)  # a Ctrl-C to the scheduler is not the crawl's
    return Crawl(job, process, log, now)


def sites_running_elsewhere(db: str, sites: list[str]) -> set[str]:
    """Sites of runs still going on this archive in some other process (e.g. a crawl by hand)."""
    if not Path(db).exists():
        return set()
    from guifan.archive import ArchiveError, open_archive
    from guifan.archive.runs import running_sites

    try:
        with open_archive(db, timeout=2) as archive:
            busy = running_sites(archive)
    except ArchiveError:
        return set()
    return set(busy) & set(sites)


class Scheduler:
    def __init__(self, jobs: list[Job], clock: Callable[[], datetime], log_dir: Path,
                 report: Callable[[dict], None], launcher=launch):
        self.jobs, self.clock, self.log_dir, self.report, self.launcher = jobs, clock, log_dir, report, launcher
        start = clock()
        self.due = {job.name: next_time(job.cron, start) for job in jobs}
        self.running: dict[str, Crawl] = {}
        self.starts = 0

    def event(self, kind: str, job: Job, **details) -> None:
        self.report({"at": self.clock().isoformat(timespec="seconds"), "event": kind, "job": job.name,
                     "sites": job.sites, **details})

    def tick(self) -> None:
        """Note finished crawls, then start every job that is due (once, however late)."""
        self.reap()
        now = self.clock()
        for job in self.jobs:
            if self.due[job.name] <= now:
                self.due[job.name] = next_time(job.cron, now)
                self.fire(job, now)

    def fire(self, job: Job, now: datetime) -> None:
        mine = {s: name for name, c in self.running.items() for s in c.job.sites}
        busy = {s: f"job {mine[s]}" for s in job.sites if s in mine}
        busy.update({s: "another process" for s in sites_running_elsewhere(job.db, job.sites) if s not in busy})
        if busy:
            why = ", ".join(f"{s} is being crawled by {who}" for s, who in sorted(busy.items()))
            self.event("refused", job, reason=why, next=self.due[job.name].isoformat(timespec="seconds"))
            return
        try:
            crawl = self.launcher(job, self.log_dir, now)
        except OSError as exc:
            self.event("failed", job, reason=f"cannot start: {exc}")
            return
        self.running[job.name] = crawl
        self.starts += 1
        self.event("started", job, pid=crawl.process.pid, log=str(crawl.log))

    def reap(self) -> None:
        for name, crawl in list(self.running.items()):
            code = crawl.poll()
            if code is None:
                continue
            del self.running[name]
            kind = "finished" if code == 0 else "failed"
            self.event(kind, crawl.job, exit=code, outcome=crawl.outcome(), log=str(crawl.log),
                       seconds=round((self.clock() - crawl.started).total_seconds(), 1))

    def seconds_to_next(self) -> float:
        return max(0.0, (min(self.due.values()) - self.clock()).total_seconds()) if self.due else 60.0

    def run(self, until: Callable[[], bool] = lambda: False, poll: float = 1.0, sleep=time.sleep) -> None:
        """Tick until `until()`; then stop every running crawl gracefully (SIGINT, then SIGKILL)."""
        try:
            while not until():
                self.tick()
                sleep(min(poll, max(0.05, self.seconds_to_next())))
        finally:
            self.stop()

    def stop(self, grace: float = 30.0) -> None:
        for crawl in self.running.values():
            if crawl.poll() is None:
                crawl.process.send_signal(signal.SIGINT)  # Scrapy finishes in-flight requests, run is 'interrupted'
        deadline = time.monotonic() + grace
        for crawl in self.running.values():
            try:
                crawl.process.wait(timeout=max(0.1, deadline - time.monotonic()))
            except subprocess.TimeoutExpired:
                crawl.process.kill()
                crawl.process.wait()
        self.reap()


class FastClock:
    """Simulated time that starts at `start` and runs `speed` times faster than real time."""

    def __init__(self, start: datetime, speed: float = 1.0):
        self.start, self.speed, self.t0 = start, speed, time.monotonic()

    def __call__(self) -> datetime:
        return self.start + timedelta(seconds=(time.monotonic() - self.t0) * self.speed)


def local_now() -> datetime:
    return datetime.now().astimezone()


# -- export -----------------------------------------------------------------------------------

DOW = ("Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")


def _values(field_values, width: int = 0, names=None) -> str:
    if field_values == ["*"]:
        return "*"
    return ",".join(names[v] if names else f"{v:0{width}d}" for v in sorted(set(field_values)))


def on_calendar(cron: str) -> list[str]:
    """systemd OnCalendar= lines equivalent to a 5-field cron expression.

    cron fires when day-of-month OR day-of-week matches (both restricted); systemd wants
    both, so such an expression becomes two lines.
    """
    minute, hour, dom, month, dow = croniter(cron).expanded[:5]
    clock = f"{_values(hour, 2)}:{_values(minute, 2)}:00"
    date = f"*-{_values(month, 2)}-{_values(dom, 2)}"
    days = _values(dow, names=DOW)
    if dom != ["*"] and dow != ["*"]:
        return [f"{days} *-{_values(month, 2)}-* {clock}", f"{date} {clock}"]
    return [f"{days} {date} {clock}" if days != "*" else f"{date} {clock}"]


def cron_lines(jobs: list[Job], workdir: Path, log_dir: Path) -> list[str]:
    """crontab lines; flock keeps a site from being crawled twice at once."""
    lines = ["# guifan crawl schedule (generated by `guifan schedule export --cron`)",
             f"# logs in {log_dir}; one lock per site in {log_dir}/locks"]
    for job in jobs:
        locks = " ".join(f"flock -n {shlex.quote(str(log_dir / 'locks' / (s + '.lock')))}" for s in job.sites)
        command = shlex.join(job.command(python=sys.executable))
        log = shlex.quote(str(log_dir / f"{job.name}.log"))
        lines.append(f"{job.cron} cd {shlex.quote(str(workdir))} && mkdir -p {shlex.quote(str(log_dir / 'locks'))} "
                     f"&& {locks} {command} >> {log} 2>&1")
    return lines


def systemd_units(jobs: list[Job], workdir: Path) -> list[tuple[str, str]]:
    """(file name, text) of a oneshot service and its timer per job; systemd never starts an
    active unit twice, so a crawl still running when its timer fires again is not doubled."""
    units = []
    for job in jobs:
        unit = f"guifan-{job.name}"
        service = (f"[Unit]\nDescription=guifan crawl {' '.join(job.sites)}\n\n[Service]\nType=oneshot\n"
                   f"WorkingDirectory={workdir}\nExecStart={shlex.join(job.command())}\n"
                   f"KillSignal=SIGINT\nTimeoutStopSec=120\n")
        calendars = "".join(f"OnCalendar={c}\n" for c in on_calendar(job.cron))
        timer = (f"[Unit]\nDescription=guifan crawl schedule {job.name} ({job.cron})\n\n[Timer]\n{calendars}"
                 f"Persistent=true\nUnit={unit}.service\n\n[Install]\nWantedBy=timers.target\n")
        units += [(f"{unit}.service", service), (f"{unit}.timer", timer)]
    return units
