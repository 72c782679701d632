"""guifan schedule list|run|export: crawl sites on cron schedules.

Schedules come from the site profiles (`schedule = "0 3 * * *"`) or from a schedule file
(`--file`, see crawler/schedule.py). `run` is a long-lived scheduler; `export` prints the
same schedule for cron or systemd instead.
"""
from __future__ import annotations

import json
import signal
import sys
import time
from datetime import datetime
from pathlib import Path

from guifan.crawler.schedule import (FastClock, ScheduleError, Scheduler, cron_lines, load_jobs, local_now, next_time,
                              systemd_units)
from guifan.commands.common import add_db_option, add_format_option, emit, refuse_archive_path
from guifan.errors import CliError


def add(sub) -> None:
    p = sub.add_parser("schedule", help="run crawls on cron schedules, or export them for cron/systemd")
    actions = p.add_subparsers(title="actions", metavar="ACTION")
    for name, handler, text in (("list", run_list, "show the jobs and when each runs next"),
                                ("run", run_scheduler, "start due crawls until stopped (Ctrl-C)"),
                                ("export", run_export, "print crontab lines or systemd units")):
        a = actions.add_parser(name, help=text)
        a.add_argument("--file", type=Path, help="schedule file (TOML; default: the `schedule` of each site profile)")
        add_db_option(a, help_text="archive of jobs that name none")
        a.set_defaults(handler=handler)
        if name == "list":
            add_format_option(a)
        if name == "run":
            add_run_options(a)
        if name == "export":
            how = a.add_mutually_exclusive_group(required=True)
            how.add_argument("--cron", action="store_true", help="crontab lines (with flock per site)")
            how.add_argument("--systemd", action="store_true", help="a .service and a .timer per job")
            a.add_argument("--log-dir", type=Path, default=Path("schedule-logs"), help="where cron jobs log")
    p.set_defaults(handler=lambda args: p.print_help() or 2)


def add_run_options(a) -> None:
    a.add_argument("--log-dir", type=Path, default=Path("schedule-logs"), help="one log file per crawl started")
    a.add_argument("--events", type=Path, help="also append every event as a JSON line to this file")
    a.add_argument("--for", dest="duration", type=float, metavar="SECONDS", help="stop after this many seconds")
    a.add_argument("--start", metavar="ISO-TIME", help="simulated start time (testing; with --speed)")
    a.add_argument("--speed", type=float, default=1.0, help="simulated time runs this many times faster (testing)")


def jobs_of(args):
    try:
        jobs = load_jobs(args.file, args.db)
    except ScheduleError as exc:
        raise CliError(str(exc)) from None
    if not jobs:
        raise CliError("no schedules: add `schedule = \"0 3 * * *\"` to a site profile, or give --file")
    return jobs


def run_list(args) -> int:
    now = local_now()
    jobs = [{"name": j.name, "cron": j.cron, "next": next_time(j.cron, now).isoformat(timespec="minutes"),
             "sites": j.sites, "db": j.db} for j in jobs_of(args)]

    def table(rows):
        for j in rows:
            print(f"{j['name']:24} {j['cron']:16} next {j['next']}  {' '.join(j['sites'])} -> {j['db']}")
    emit(jobs, args.format, table)
    return 0


def run_export(args) -> int:
    jobs, workdir = jobs_of(args), Path.cwd()
    if args.cron:
        print("\n".join(cron_lines(jobs, workdir, args.log_dir.resolve())))
        return 0
    for name, text in systemd_units(jobs, workdir):
        print(f"# --- {name} ---\n{text}")
    return 0


def clock_of(args):
    if args.start is None and args.speed == 1.0:
        return local_now
    try:
        start = datetime.fromisoformat(args.start).astimezone() if args.start else local_now()
    except ValueError:
        raise CliError(f"--start takes an ISO time, got {args.start!r}") from None
    return FastClock(start, args.speed)


def printer(events_file: Path | None):
    def report(event: dict) -> None:
        details = {k: v for k, v in event.items() if k not in ("at", "event", "job", "sites")}
        text = " ".join(f"{k}={v}" for k, v in details.items())
        print(f"{event['at']} {event['event']:8} {event['job']} ({', '.join(event['sites'])}) {text}".rstrip(),
              flush=True)
        if events_file:
            with open(events_file, "a", encoding="utf-8") as out:
                out.write(json.dumps(event, ensure_ascii=False) + "\n")
    return report


def run_scheduler(args) -> int:
    jobs = jobs_of(args)
    for job in jobs:  # appending events to an archive would corrupt it
        refuse_archive_path(args.events, job.db)
    scheduler = Scheduler(jobs, clock_of(args), args.log_dir, printer(args.events))
    for job in jobs:
        print(f"{job.name}: {job.cron}, next {scheduler.due[job.name].isoformat(timespec='seconds')}", flush=True)
    ends = time.monotonic() + args.duration if args.duration else None
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(0))  # finally-blocks stop the crawls gracefully
    try:
        scheduler.run(until=lambda: ends is not None and time.monotonic() >= ends,
                      poll=max(0.05, min(1.0, 1.0 / args.speed * 5)))
    except KeyboardInterrupt:
        print("stopping: crawls still running are interrupted and can be resumed", file=sys.stderr)
    return 0
