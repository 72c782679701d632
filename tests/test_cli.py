"""The CLI as a user meets it: clear one-line errors, JSON from `parse`, `scrapy crawl`."""
from __future__ import annotations

import json
import os
import socket
import sqlite3
import subprocess
import sys

import pytest

from guifan.demo_portal import SITES, catalog
from guifan.parsers.record import RECORD_FIELDS

from .conftest import REPO, run_guifan


def assert_one_line_error(result, *phrases):
    assert result.returncode != 0
    assert "Traceback" not in result.stderr
    errors = [line for line in result.stderr.splitlines() if line.startswith("guifan: error:")]
    assert len(errors) == 1, result.stderr
    for phrase in phrases:
        assert phrase in errors[0]


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def test_unknown_site_lists_the_known_ones(tmp_path):
    result = run_guifan("crawl", "no-such-county", "--db", str(tmp_path / "x.db"))
    assert_one_line_error(result, "unknown site no-such-county", *SITES)


def test_unreachable_host_records_a_failed_run(tmp_path):
    db = tmp_path / "x.db"
    dead = f"http://127.0.0.1:{free_port()}"
    result = run_guifan("crawl", SITES[0], "--db", str(db), "--base-url", dead, "-s", "GUIFAN_MAX_RETRIES=0")
    assert_one_line_error(result, "failed", "connection_refused")
    run = sqlite3.connect(db).execute("SELECT status, reason FROM runs").fetchone()
    assert run[0] == "failed"
    assert "connection_refused" in run[1]


@pytest.mark.parametrize("where", ["missing_dir", "readonly_dir"])
def test_unwritable_database_path(tmp_path, where):
    if where == "readonly_dir":
        if os.geteuid() == 0:
            db = "/proc/guifan.db"  # root ignores directory modes, but not /proc
        else:
            (tmp_path / "ro").mkdir(mode=0o500)
            db = str(tmp_path / "ro" / "x.db")
    else:
        db = str(tmp_path / "nope" / "x.db")
    result = run_guifan("crawl", SITES[0], "--db", db)
    assert_one_line_error(result, "cannot write archive")


def test_parse_prints_the_record_fields_per_file(tmp_path, portal):
    import urllib.request

    doc = next(d for d in catalog.documents(day=1) if d.fault is None)
    url = portal.base_url(doc.site) + doc.path
    page = tmp_path / "page.html"
    page.write_bytes(urllib.request.urlopen(url).read())
    result = run_guifan("parse", str(page), "--url", url)
    assert result.returncode == 0, result.stderr
    [line] = result.stdout.splitlines()
    record = json.loads(line)
    assert list(record) == ["path", *RECORD_FIELDS]
    assert (record["path"], record["title"], record["doc_number"]) == (str(page), doc.title, doc.doc_number)


def test_parse_non_html_gives_an_error_line_and_keeps_going(tmp_path):
    pdf = tmp_path / "scan.pdf"
    pdf.write_bytes(b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n")
    good = tmp_path / "ok.html"
    good.write_text("<html><head><title>关于做好教育工作的通知</title></head><body><div class='TRS_Editor'>"
                    "<p>各乡镇人民政府，县直各单位：现将有关事项通知如下。</p></div></body></html>", encoding="utf-8")
    result = run_guifan("parse", str(pdf), str(good))
    assert_one_line_error(result, "scan.pdf")
    lines = [json.loads(line) for line in result.stdout.splitlines()]
    assert lines[0]["path"] == str(pdf) and lines[0]["error"]
    assert lines[1]["path"] == str(good) and "error" not in lines[1]


def test_parse_missing_file(tmp_path):
    result = run_guifan("parse", str(tmp_path / "absent.html"))
    assert_one_line_error(result, "absent.html")


def test_bad_option_value_is_a_clear_error(tmp_path):
    result = run_guifan("crawl", SITES[0], "--db", str(tmp_path / "x.db"), "-s", "NOEQUALS")
    assert_one_line_error(result, "NAME=VALUE")


def test_scrapy_crawl_uses_the_profile(tmp_path, portal):
    site = SITES[0]
    db = tmp_path / "scrapy.db"
    cmd = [sys.executable, "-m", "scrapy", "crawl", "portal", "-a", f"site={site}",
           "-a", f"base_url={portal.base_url(site)}", "-s", f"GUIFAN_DB={db}", "-s", "LOG_LEVEL=WARNING"]
    result = subprocess.run(cmd, cwd=REPO, capture_output=True, text=True, timeout=300)
    assert result.returncode == 0, result.stderr
    conn = sqlite3.connect(db)
    live = conn.execute("SELECT count(*) FROM current").fetchone()[0]
    expected = [d for d in catalog.documents(site=site, day=1)
                if d.fault in (None, "redirect", "malformed", "unavailable_once", "wrong_charset")]
    assert live == len(expected)
    assert conn.execute("SELECT status FROM runs").fetchone()[0] == "completed"


def test_demo_command_crawls_every_site_and_summarises(tmp_path):
    db = tmp_path / "demo.db"
    result = run_guifan("demo", "--db", str(db), "--free-ports")
    assert result.returncode == 0, result.stderr
    for site in SITES:
        assert site in result.stdout
    assert "failed/blocked:" in result.stdout and "Try next" in result.stdout
    live = sqlite3.connect(db).execute("SELECT count(*) FROM current").fetchone()[0]
    assert live >= 60
