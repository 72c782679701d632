"""Shared fixtures: the demo portal over real HTTP, a crawled archive, ../shared."""
from __future__ import annotations

import os
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]
SHARED = REPO.parent / "shared"


def run_guifan(*args: str, cwd: Path | None = None, timeout: float = 300) -> subprocess.CompletedProcess:
    """Run the real CLI in a child process, as a user would."""
    env = {**os.environ, "PYTHONUNBUFFERED": "1"}
    return subprocess.run([sys.executable, "-m", "guifan", *args], cwd=cwd or REPO, env=env,
                          capture_output=True, text=True, timeout=timeout)


def base_urls(portal, sites=None) -> list[str]:
    """`--base-url SITE=URL` arguments that point the named profiles at a running demo portal."""
    from guifan.demo_portal import SITES

    return [f"--base-url={site}={portal.base_url(site)}" for site in (sites or SITES)]


def crawl_to_archive(db, portal, sites, *options: str) -> subprocess.CompletedProcess:
    """`guifan crawl` of the sites on a running demo portal into db; it must succeed."""
    result = run_guifan("crawl", *sites, "--db", str(db), *base_urls(portal, sites), *options)
    assert result.returncode == 0, result.stderr
    return result


def row_connection(db) -> sqlite3.Connection:
    conn = sqlite3.connect(db)
    conn.row_factory = sqlite3.Row
    return conn


@pytest.fixture(scope="session")
def shared_dir() -> Path:
    if not (SHARED / "corpus").is_dir():
        pytest.skip(f"../shared is not beside this clone ({SHARED}); corpus tests need it")
    return SHARED


@pytest.fixture(scope="session")
def portal():
    from guifan.demo_portal import DemoPortal

    with DemoPortal(day=1) as p:
        yield p


@pytest.fixture(scope="session")
def crawled_portal():
    """A portal of its own: its one-time faults (503 once) are seen by the `crawled` run only."""
    from guifan.demo_portal import DemoPortal

    with DemoPortal(day=1) as p:
        yield p


@pytest.fixture(scope="session")
def crawled(crawled_portal, tmp_path_factory):
    """The demo portal (day 1) crawled once by `guifan crawl` into a real SQLite file."""
    from guifan.demo_portal import SITES

    db = tmp_path_factory.mktemp("archive") / "demo.db"
    result = crawl_to_archive(db, crawled_portal, SITES)
    conn = row_connection(db)
    yield db, conn, result
    conn.close()
