"""Deployment to a real Scrapyd on loopback: scrapyd-deploy the egg, schedule `portal`, find the run.

The project is copied to a temporary directory (scrapyd-deploy builds the egg in place),
its scrapy.cfg pointed at the test's Scrapyd; the job crawls the demo portal into an
archive named by a `setting=GUIFAN_DB=…` of the schedule call.
"""
from __future__ import annotations

import json
import os
import shutil
import socket
import sqlite3
import subprocess
import sys
import time
import urllib.parse
import urllib.request
from pathlib import Path

import pytest

from guifan.demo_portal import catalog

from .conftest import REPO

ARCHIVED = (None, "redirect", "malformed", "unavailable_once", "wrong_charset")
BIN = Path(sys.executable).parent


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def api(base: str, path: str, data: dict | None = None) -> dict:
    body = urllib.parse.urlencode(data).encode() if data is not None else None
    with urllib.request.urlopen(base + path, data=body, timeout=30) as response:
        return json.loads(response.read())


def project_copy(dest: Path, scrapyd_url: str) -> Path:
    files = subprocess.run(["git", "ls-files", "-co", "--exclude-standard"], cwd=REPO, capture_output=True,
                           text=True, check=True).stdout.split()
    for name in files:
        if name.split("/")[0] in ("crawler", "parsers", "archive", "demo_portal", "guifan") or name in (
                "pyproject.toml", "setup.py", "scrapy.cfg", "README.md", "LICENSE"):
            target = dest / name
            target.parent.mkdir(parents=True, exist_ok=True)
            if (REPO / name).is_file():
                shutil.copy2(REPO / name, target)
    cfg = (dest / "scrapy.cfg").read_text()
    (dest / "scrapy.cfg").write_text(cfg.replace("url = http://localhost:6800/", f"url = {scrapyd_url}/"))
    return dest


@pytest.fixture(scope="module")
def scrapyd(tmp_path_factory):
    exe = BIN / "scrapyd"
    if not exe.exists() or not (BIN / "scrapyd-deploy").exists():
        if os.environ.get("CI"):
            pytest.fail("scrapyd and scrapyd-client are not installed in the venv")
        pytest.skip("scrapyd / scrapyd-client not installed (pip install scrapyd scrapyd-client)")
    home = tmp_path_factory.mktemp("scrapyd")
    port = free_port()
    (home / "scrapyd.conf").write_text(
        f"[scrapyd]\nbind_address = 127.0.0.1\nhttp_port = {port}\neggs_dir = {home}/eggs\nlogs_dir = {home}/logs\n"
        f"items_dir =\ndbs_dir = {home}/dbs\nmax_proc = 2\npoll_interval = 0.5\n")
    proc = subprocess.Popen([str(exe)], cwd=home, stdout=open(home / "scrapyd.out", "wb"), stderr=subprocess.STDOUT)
    base = f"http://127.0.0.1:{port}"
    for _ in range(200):
        try:
            api(base, "/daemonstatus.json")
            break
        except OSError:
            time.sleep(0.1)
    else:
        proc.kill()
        pytest.fail(f"scrapyd did not start: {(home / 'scrapyd.out').read_text()[-2000:]}")
    yield base, home
    proc.terminate()
    proc.wait(timeout=20)


def test_deploy_schedule_and_find_the_run_in_the_archive(scrapyd, portal, tmp_path):
    base, home = scrapyd
    project = project_copy(tmp_path / "project", base)
    deploy = subprocess.run([str(BIN / "scrapyd-deploy"), "--version", "r1"], cwd=project, capture_output=True,
                            text=True, timeout=180)
    assert deploy.returncode == 0, deploy.stderr + deploy.stdout
    assert '"status": "ok"' in deploy.stdout and '"spiders":' in deploy.stdout, deploy.stdout
    assert api(base, "/listspiders.json?project=guifan")["spiders"] == ["portal", "portal_redis"]

    db = tmp_path / "scrapyd.db"
    job = api(base, "/schedule.json", {"project": "guifan", "spider": "portal", "site": "demo-yunxi",
                                       "base_url": portal.base_url("demo-yunxi"), "setting": f"GUIFAN_DB={db}"})
    assert job["status"] == "ok", job
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        jobs = api(base, "/listjobs.json?project=guifan")
        if any(j["id"] == job["jobid"] for j in jobs["finished"]):
            break
        time.sleep(0.5)
    else:
        pytest.fail("the Scrapyd job did not finish within 120 s")
    log = next((home / "logs" / "guifan" / "portal").glob(f"{job['jobid']}.log")).read_text()
    assert "Traceback" not in log, log[-3000:]

    with sqlite3.connect(db) as conn:
        runs = conn.execute("SELECT status, sites FROM runs").fetchall()
        docs = conn.execute("SELECT count(*) FROM current WHERE site = 'demo-yunxi'").fetchone()[0]
    assert runs == [("completed", '["demo-yunxi"]')]
    assert docs == sum(d.fault in ARCHIVED for d in catalog.documents(site="demo-yunxi", day=1))
