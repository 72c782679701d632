"""Schedules: a scheduler on a fast clock starting real `guifan crawl` processes, and exports."""
from __future__ import annotations

import json
import socket
import sqlite3
from datetime import datetime, timedelta, timezone
from pathlib import Path


from guifan.crawler.schedule import Job, Scheduler, cron_lines, load_jobs, on_calendar, systemd_units

from .conftest import run_guifan

START = datetime(2024, 3, 15, 2, 58, tzinfo=timezone.utc)


class FakeClock:
    def __init__(self, now: datetime):
        self.now = now

    def __call__(self) -> datetime:
        return self.now

    def advance(self, **delta) -> None:
        self.now += timedelta(**delta)


class FakeProcess:
    def __init__(self, pid: int):
        self.pid, self.returncode = pid, None

    def poll(self):
        return self.returncode


class FakeCrawl:
    def __init__(self, job, pid, now):
        self.job, self.process, self.log, self.started = job, FakeProcess(pid), Path(f"/dev/null/{pid}"), now

    def poll(self):
        return self.process.returncode

    def outcome(self):
        return "guifan: error: run 3 failed" if self.process.returncode else "Run 2: completed"


def fake_scheduler(jobs):
    clock, events, crawls = FakeClock(START), [], []

    def launcher(job, log_dir, now):
        crawls.append(FakeCrawl(job, 100 + len(crawls), now))
        return crawls[-1]

    return Scheduler(jobs, clock, Path("/nonexistent"), events.append, launcher), clock, events, crawls


def kinds(events):
    return [(e["event"], e["job"]) for e in events]


def test_due_jobs_start_overlaps_are_refused_and_a_failure_does_not_stop_the_next():
    nightly = Job("nightly", ["demo-yunxi"], "0 3 * * *", db="/nonexistent/a.db")
    often = Job("often", ["demo-yunxi", "demo-qingshi"], "*/30 * * * *", db="/nonexistent/a.db")
    scheduler, clock, events, crawls = fake_scheduler([nightly, often])
    scheduler.tick()
    assert events == []                                     # nothing due at 02:58
    clock.advance(minutes=2)                                # 03:00: both due, they share demo-yunxi
    scheduler.tick()
    assert kinds(events) == [("started", "nightly"), ("refused", "often")]
    assert "demo-yunxi is being crawled by job nightly" in events[1]["reason"]
    crawls[0].process.returncode = 1                        # the nightly crawl fails
    clock.advance(minutes=30)
    scheduler.tick()
    assert kinds(events)[2:] == [("failed", "nightly"), ("started", "often")]
    assert events[2]["exit"] == 1 and "failed" in events[2]["outcome"]
    crawls[1].process.returncode = 0
    clock.advance(minutes=30)
    scheduler.tick()
    assert kinds(events)[4:] == [("finished", "often"), ("started", "often")]
    clock.advance(days=1)                                   # late: each job fires once, not once per miss
    crawls[2].process.returncode = 0
    scheduler.tick()
    assert kinds(events)[6:] == [("finished", "often"), ("started", "nightly"), ("refused", "often")]


def test_a_site_running_in_another_process_is_refused(tmp_path):
    import os

    from guifan.archive import Archive

    db = tmp_path / "a.db"
    with Archive(db) as archive:
        archive.start_run(["demo-yunxi"])                 # this process: alive, status running
    assert os.getpid()
    scheduler, clock, events, _ = fake_scheduler([Job("j", ["demo-yunxi"], "* * * * *", db=str(db))])
    clock.advance(minutes=1)
    scheduler.tick()
    assert kinds(events) == [("refused", "j")] and "another process" in events[0]["reason"]


def test_on_calendar_translates_cron():
    assert on_calendar("0 3 * * *") == ["*-*-* 03:00:00"]
    assert on_calendar("*/15 8-9 * * 1-5") == ["Mon,Tue,Wed,Thu,Fri *-*-* 08,09:00,15,30,45:00"]
    assert on_calendar("30 2 1 * 0") == ["Sun *-*-* 02:30:00", "*-*-01 02:30:00"]  # cron ORs the two day fields


def test_jobs_from_profiles_and_a_schedule_file(tmp_path):
    sites = tmp_path / "sites"
    sites.mkdir()
    base = 'name_zh = "云溪县人民政府"\nregion = "r"\nadmin_code = "990101"\nplatform = "trs"\nstart_urls = ["/"]\n'
    (sites / "a.toml").write_text(f'name = "a"\n{base}schedule = "0 3 * * *"\n', encoding="utf-8")
    (sites / "b.toml").write_text(f'name = "b"\n{base}', encoding="utf-8")
    [job] = load_jobs(None, "x.db", sites)
    assert (job.name, job.sites, job.cron, job.db) == ("a", ["a"], "0 3 * * *", "x.db")
    spec = tmp_path / "schedule.toml"
    spec.write_text('db = "y.db"\n[defaults]\nsettings = { GUIFAN_REVISIT_BASE = "6h" }\n'
                    '[[job]]\nname = "both"\nsites = ["a", "b"]\ncron = "15 4 * * 1"\nargs = ["-v"]\n')
    [job] = load_jobs(spec, "x.db", sites)
    assert job.command(python="py") == ["py", "-m", "guifan", "crawl", "a", "b", "--db", "y.db", "-v",
                                        "--set=GUIFAN_REVISIT_BASE=6h"]
    line = cron_lines([job], Path("/srv/guifan"), Path("/var/log/guifan"))[-1]
    assert line.startswith("15 4 * * 1 cd /srv/guifan && ")
    assert "flock -n /var/log/guifan/locks/a.lock flock -n /var/log/guifan/locks/b.lock" in line
    (service_name, service), (timer_name, timer) = systemd_units([job], Path("/srv/guifan"))
    assert (service_name, timer_name) == ("guifan-both.service", "guifan-both.timer")
    assert "Type=oneshot" in service and "ExecStart=" in service
    assert "OnCalendar=Mon *-*-* 04:15:00" in timer and "Persistent=true" in timer


def test_export_commands_print_cron_and_systemd(tmp_path):
    spec = tmp_path / "s.toml"
    spec.write_text('[[job]]\nname = "yunxi"\nsites = ["demo-yunxi"]\ncron = "0 3 * * *"\n')
    cron = run_guifan("schedule", "export", "--cron", "--file", str(spec))
    assert cron.returncode == 0, cron.stderr
    assert "0 3 * * * cd " in cron.stdout and "crawl demo-yunxi" in cron.stdout
    units = run_guifan("schedule", "export", "--systemd", "--file", str(spec))
    assert "# --- guifan-yunxi.timer ---" in units.stdout and "OnCalendar=*-*-* 03:00:00" in units.stdout
    bad = tmp_path / "bad.toml"
    bad.write_text('[[job]]\nsites = ["demo-yunxi"]\ncron = "every day"\n')
    refused = run_guifan("schedule", "list", "--file", str(bad))
    assert refused.returncode == 1 and "not a cron expression" in refused.stderr


def closed_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def test_scheduler_on_a_fast_clock_runs_real_crawls(portal, tmp_path):
    """One simulated minute per 0.4 s: the demo crawl (a few seconds) overlaps its next start;
    a crawl of an unreachable site fails every time and its next start still happens."""
    db = tmp_path / "s.db"
    spec = tmp_path / "s.toml"
    spec.write_text(
        f'db = "{db}"\n'
        f'[[job]]\nname = "good"\nsites = ["demo-yunxi"]\ncron = "* * * * *"\n'
        f'args = ["--base-url", "demo-yunxi={portal.base_url("demo-yunxi")}"]\n'
        f'[[job]]\nname = "broken"\nsites = ["demo-qingshi"]\ncron = "*/4 * * * *"\n'
        f'args = ["--base-url", "demo-qingshi=http://127.0.0.1:{closed_port()}"]\n')
    events_file = tmp_path / "events.jsonl"
    result = run_guifan("schedule", "run", "--file", str(spec), "--log-dir", str(tmp_path / "logs"),
                        "--events", str(events_file), "--start", "2024-03-15T02:59:30+00:00", "--speed", "150",
                        "--for", "20", timeout=120)
    assert result.returncode == 0, result.stderr
    events = [json.loads(line) for line in events_file.read_text().splitlines()]
    by = lambda kind, job: [e for e in events if e["event"] == kind and e["job"] == job]  # noqa: E731
    assert len(by("started", "good")) >= 2
    assert by("refused", "good"), "a start while the last crawl of the site still runs is refused"
    assert len(by("finished", "good")) >= 1
    # (the last crawl may be one the scheduler interrupted when it stopped)
    failures = [e for e in by("failed", "broken") if "nothing could be fetched" in e["outcome"]]
    assert len(failures) >= 2, "a failing crawl is reported and the next one still runs"
    # never two crawls of demo-yunxi at once: starts and ends alternate
    sequence = [e["event"] for e in events if e["job"] == "good" and e["event"] in ("started", "finished", "failed")]
    assert all(a != b for a, b in zip(sequence, sequence[1:])), sequence
    with sqlite3.connect(db) as conn:
        statuses = dict(conn.execute("SELECT status, count(*) FROM runs GROUP BY status").fetchall())
    assert statuses.get("completed", 0) >= 1 and statuses.get("failed", 0) >= 2
    assert "started" in result.stdout and "refused" in result.stdout
