"""Run reports (`guifan runs`, `guifan report`) checked against the demo catalog."""
from __future__ import annotations

import json
import re
from collections import Counter
from pathlib import Path
from urllib.parse import urlsplit

import pytest

from guifan.demo_portal import SITES, catalog

from .conftest import REPO, run_guifan

ARCHIVED = (None, "redirect", "malformed", "unavailable_once", "wrong_charset")
CHROMIUM = "/usr/bin/chromium"


def day_one(site: str):
    return [d for d in catalog.documents(day=1) if d.site == site]


@pytest.fixture(scope="module")
def report(crawled):
    db, _, _ = crawled
    result = run_guifan("report", "1", "--json", "--db", str(db))
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout)


@pytest.mark.parametrize("site", SITES)
def test_per_site_counts_match_the_catalog(report, site):
    s = report["per_site"][site]
    docs = day_one(site)
    archived = [d for d in docs if d.fault in ARCHIVED]
    assert s["listed"] == len(docs)
    assert s["archived"] == s["new"] == len(archived)
    assert (s["changed"], s["unchanged"], s["gone"]) == (0, 0, 0)
    assert s["blocked"] == sum(d.fault == "robots_disallowed" for d in docs)
    # every failure is a 404 or the 503 retried once
    assert s["failed"] == sum(d.fault in ("not_found", "unavailable_once") for d in docs)
    assert s["missing_count"] == len(docs) - len(archived)


def test_errors_by_reason_and_missing_documents(report):
    y = report["per_site"]["demo-yunxi"]
    assert y["errors"] == {"blocked: robots_txt": 1, "failed: http_404": 1, "failed: http_503_retried": 1}
    faults = {d.fault: d for d in day_one("demo-yunxi")}
    missing = {urlsplit(m["url"]).path: m for m in y["missing"]}
    assert missing[faults["not_found"].list_path]["reason"] == "http_404"
    assert missing[faults["robots_disallowed"].list_path]["reason"] == "robots_txt"


def test_completeness_and_duration(report):
    docs = [d for site in SITES for d in day_one(site)]
    total = report["completeness"]
    assert total["listed"] == len(docs)
    assert total["archived"] == sum(d.fault in ARCHIVED for d in docs)
    assert 0 < report["seconds"] < 300


def test_runs_lists_the_run(crawled):
    db, _, _ = crawled
    text = run_guifan("runs", "--db", str(db))
    assert text.returncode == 0, text.stderr
    assert re.search(r"^\s+1\s+completed\s", text.stdout, re.M), text.stdout
    [row] = [json.loads(line) for line in run_guifan("runs", "--json", "--db", str(db)).stdout.splitlines()]
    assert row["new"] == sum(d.fault in ARCHIVED for d in catalog.documents(day=1))


def test_text_report_names_sites_and_completeness(crawled):
    db, _, _ = crawled
    out = run_guifan("report", "--db", str(db)).stdout   # the latest run by default
    assert "Run 1: completed" in out
    assert all(site in out for site in SITES)
    assert re.search(r"completeness: \d+ of \d+ listed documents archived", out)


def test_html_report_is_self_contained_with_charts(crawled, tmp_path):
    db, conn, _ = crawled
    out = tmp_path / "report.html"
    result = run_guifan("report", "--html", str(out), "--db", str(db))
    assert result.returncode == 0, result.stderr
    page = out.read_text(encoding="utf-8")
    assert page.count("<svg") == 3
    assert not re.search(r"<(script|link|img)\b", page), "nothing may be loaded from elsewhere"
    years = Counter((r[0] or "?")[:4] for r in conn.execute("SELECT published_date FROM current"))
    for year, n in years.items():
        assert f"<title>{year}: {n}</title>" in page
    top_issuer, n = conn.execute("SELECT issuer, count(*) AS n FROM current GROUP BY issuer "
                                 "ORDER BY n DESC, issuer LIMIT 1").fetchone()
    assert f"<title>{top_issuer}: {n}</title>" in page
    assert "run 1: 84 new" in page or f"run 1: {sum(years.values())} new" in page


@pytest.mark.skipif(not Path(CHROMIUM).exists(), reason=f"{CHROMIUM} is absent")
def test_html_report_opens_in_chromium_without_network(crawled, tmp_path):
    playwright = pytest.importorskip("playwright.sync_api")
    db, _, _ = crawled
    out = tmp_path / "report.html"
    assert run_guifan("report", "--html", str(out), "--db", str(db)).returncode == 0
    requested = []
    with playwright.sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, headless=True,
                                    args=["--no-sandbox", "--disable-gpu", "--disable-background-networking"])
        try:
            page = browser.new_page(viewport={"width": 1200, "height": 900})
            page.on("request", lambda r: requested.append(r.url))
            page.goto(out.as_uri(), timeout=15000)
            assert page.locator("svg rect").count() > 10
            assert "completed" in page.locator("h1").inner_text()
            (REPO / "artifacts").mkdir(exist_ok=True)
            page.screenshot(path=str(REPO / "artifacts" / "run-report.png"), full_page=True)
        finally:
            browser.close()
    assert all(u.startswith("file:") for u in requested), requested
