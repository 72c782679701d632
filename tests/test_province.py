"""The simulated province crawled with platform `auto`: `guifan crawl` of every county-level
unit of 模拟省 over real HTTP on loopback (31 county portals on 127.0.1.N, a prefecture portal
shared by two counties, one county where nothing listens) into a real SQLite file.

"Archived once" means: one document record per URL in the whole archive. A document that a
shared portal lists for two counties is archived under the first of them to list it in the
run (later runs: under the site that already holds it); the other county's report counts it
as shared. Each county's own column stays its own.
"""
from __future__ import annotations

import json
import socket
import threading
from pathlib import Path

import pytest

from guifan.crawler.registry.catalog import get_profiles
from guifan.demo_portal import PROVINCE_SITES, PROVINCE_UNITS, DemoPortal, catalog
from guifan.demo_portal.world import (DEAD_HOST, PROVINCE, SITE_OBJECTS, UNITS, expected_columns,
                                      province_profile)
from tests.conftest import REPO, base_urls, row_connection, run_guifan

SHARED_UNITS = [u for u in UNITS.values() if u.site and u.site != u.name]
DEAD = [u for u in UNITS.values() if u.site is None]
LIVE = [u for u in UNITS.values() if u.site]
HOME_ONLY = [u for u in LIVE if u.start != "columns"]


@pytest.fixture(scope="module")
def province():
    with DemoPortal(sites=PROVINCE_SITES) as portal:
        yield portal


@pytest.fixture(scope="module")
def crawl(province, tmp_path_factory):
    """`guifan crawl --region 模拟省`: every county-level unit of the province, in one run (the
    portal's free port stands in for the profiles' 8790)."""
    db = tmp_path_factory.mktemp("province") / "province.db"
    result = run_guifan("crawl", "--region", PROVINCE, "--db", str(db), *base_urls(province, PROVINCE_UNITS),
                        timeout=240)
    conn = row_connection(db)
    yield db, conn, result
    conn.close()


def seen(conn) -> dict[str, dict]:
    return {r["site"]: dict(r) for r in conn.execute("SELECT * FROM site_runs")}


def urls_of(province, unit, slugs) -> set[str]:
    """The documents of a portal's columns, as absolute URLs."""
    base = province.base_url(unit.name)
    docs = catalog.documents(unit.site)
    return {base + d.path for d in docs if d.key.split("/")[1] in slugs}


# -- the world ------------------------------------------------------------------------------

def test_the_province_has_thirty_county_portals_on_distinct_loopback_hosts(province):
    hosts = {SITE_OBJECTS[s].host for s in PROVINCE_SITES}
    assert len(hosts) == len(PROVINCE_SITES) and all(h.startswith("127.") for h in hosts)
    own_portals = [u for u in UNITS.values() if u.site == u.name or u.site is None]
    assert len(own_portals) >= 30 and len(SHARED_UNITS) == 2 and len(DEAD) == 1
    assert {SITE_OBJECTS[u.site].template_name for u in LIVE} >= {"trs", "hanweb", "jpage", "ucap", "gkmlpt",
                                                                    "anhui", "generic"}
    assert len({u.admin_code for u in UNITS.values()}) == len(UNITS)
    assert all(u.admin_code.startswith("98") and u.region.startswith("模拟省") for u in UNITS.values())
    # one accept thread serves every listening socket
    assert sum(t.name == "demo-portal-accept" for t in threading.enumerate()) >= 1
    assert not [t for t in threading.enumerate() if t.name.startswith("demo-portal-sim-")]


def test_every_site_of_the_world_is_served_by_a_registered_template():
    from guifan.crawler.platforms import PLATFORMS
    from guifan.demo_portal.templates import TEMPLATES, app_for

    assert {SITE_OBJECTS[s].template_name for s in SITE_OBJECTS} <= set(TEMPLATES)
    assert {SITE_OBJECTS[s].platform for s in SITE_OBJECTS} <= set(PLATFORMS)
    for name, site in SITE_OBJECTS.items():
        app = app_for(site)
        assert app.name == site.template_name and app.routes(1)["/"] == ("home",), name


def test_nothing_listens_at_the_dead_county(province):
    url = province.base_url(DEAD[0].name)
    assert DEAD_HOST in url
    with pytest.raises(ConnectionRefusedError):
        socket.create_connection((DEAD_HOST, province.shared_port), timeout=2).close()


def test_the_committed_profiles_are_the_worlds(tmp_path):
    for unit in UNITS.values():
        path = REPO / "crawler" / "sites" / f"{unit.name}.toml"
        assert path.read_text(encoding="utf-8") == province_profile(unit), f"{path}: rerun --write-profiles"
    profiles = get_profiles(list(PROVINCE_UNITS))
    assert {p.platform for p in profiles} == {"auto"} and {p.demo_group for p in profiles} == {"province"}
    assert sum(p.start_urls == ["/"] for p in profiles) >= 5


# -- the crawl ----------------------------------------------------------------------------

def test_the_run_completes_although_one_site_is_dead(crawl):
    db, conn, result = crawl
    assert result.returncode == 0, result.stderr[-3000:]
    assert "Run 1: completed" in result.stdout
    crawled = json.loads(conn.execute("SELECT sites FROM runs WHERE run_id = 1").fetchone()[0])
    assert sorted(crawled) == sorted(PROVINCE_UNITS)        # the region selects exactly the province


def test_every_platform_is_sniffed_right(crawl):
    _, conn, _ = crawl
    rows = seen(conn)
    wrong = {u.name: (rows.get(u.name, {}).get("platform"), SITE_OBJECTS[u.site].platform) for u in LIVE
             if rows.get(u.name, {}).get("platform") != SITE_OBJECTS[u.site].platform}
    assert not wrong
    assert all(rows[u.name]["platform_configured"] == "auto" and rows[u.name]["platform_evidence"] for u in LIVE)


def test_columns_are_found_from_the_home_page(crawl):
    _, conn, _ = crawl
    rows = seen(conn)
    for unit in HOME_ONLY:
        site = SITE_OBJECTS[unit.site]
        choices = json.loads(rows[unit.name]["columns"])
        chosen = [c["name"] for c in choices[-1]["columns"]]          # the last choice names the columns
        assert chosen == [site.column(s).name for s in expected_columns(unit)], unit.name
        assert choices[0]["reason"]
    landing_only = [u for u in HOME_ONLY if SITE_OBJECTS[u.site].params.get("menu_columns") is False]
    assert landing_only and all(json.loads(rows[u.name]["columns"])[0]["rule"] == "信息公开 landing"
                                for u in landing_only)
    fallback = [u for u in HOME_ONLY if not any("规范性文件" in c.name for c in SITE_OBJECTS[u.site].columns)]
    assert fallback and all(json.loads(rows[u.name]["columns"])[-1]["rule"] == "政策文件/政府文件" for u in fallback)


def test_every_document_is_archived_once(province, crawl):
    _, conn, _ = crawl
    assert not conn.execute("SELECT url FROM documents GROUP BY url HAVING count(*) > 1").fetchall()
    current = {}
    for r in conn.execute("SELECT site, url FROM current"):
        current.setdefault(r["site"], set()).add(r["url"])
    for unit in LIVE:
        if unit in SHARED_UNITS:
            continue
        assert current.get(unit.name, set()) == urls_of(province, unit, expected_columns(unit)), unit.name


def test_a_shared_prefecture_portal_is_archived_once_and_each_countys_own_column_stays_its_own(province, crawl):
    _, conn, _ = crawl
    a, b = SHARED_UNITS
    docs = {u.name: {r["url"] for r in conn.execute("SELECT url FROM current WHERE site = ?", (u.name,))}
            for u in SHARED_UNITS}
    shared = urls_of(province, a, set(a.columns) & set(b.columns))
    for unit in SHARED_UNITS:
        own = urls_of(province, unit, set(unit.columns) - shared_slugs())
        assert own <= docs[unit.name]
    assert docs[a.name] | docs[b.name] == urls_of(province, a, a.columns) | urls_of(province, b, b.columns)
    assert not docs[a.name] & docs[b.name]
    rows = seen(conn)
    left = sum(n for u in SHARED_UNITS for n in json.loads(rows[u.name]["shared"]).values())
    assert left == len(shared)       # each shared document is archived by one and counted as shared by the other


def shared_slugs() -> set[str]:
    a, b = SHARED_UNITS
    return set(a.columns) & set(b.columns)


def test_site_codes_that_disagree_with_the_registry_are_flagged(crawl):
    _, conn, _ = crawl
    rows = seen(conn)
    flagged = {s for s, r in rows.items() if r["code_mismatch"]}
    moved = {u.name for u in LIVE if SITE_OBJECTS[u.site].site_code[:6] != u.admin_code}
    assert flagged == moved and "sim-wenquan" in flagged and {u.name for u in SHARED_UNITS} <= flagged
    assert rows["sim-wenquan"]["site_id_code"].startswith("980399")


def test_the_report_shows_platform_columns_codes_and_the_dead_site(crawl):
    db, _, _ = crawl
    text = run_guifan("report", "--db", str(db))
    assert text.returncode == 0, text.stderr
    lines = {line.split()[0]: line for line in text.stdout.split("sites as seen:")[1].splitlines() if line.strip()}
    for unit in LIVE:
        assert f"platform {SITE_OBJECTS[unit.site].platform} (sniffed:" in lines[unit.name], unit.name
    for unit in HOME_ONLY:
        names = ", ".join(SITE_OBJECTS[unit.site].column(s).name for s in expected_columns(unit))
        assert f": {names} (" in lines[unit.name], unit.name
    assert "≠ profile 980305" in lines["sim-wenquan"]
    assert lines[DEAD[0].name].split(None, 1)[1].startswith("failed: connection_refused")
    report = json.loads(run_guifan("report", "--db", str(db), "--json").stdout)
    dead = report["per_site"][DEAD[0].name]
    assert dead["status"] == "failed" and "connection_refused" in dead["failure"]
    assert all(report["per_site"][u.name]["status"] == "crawled" for u in LIVE)
    assert all(report["per_site"][u.name]["seen"]["platform"] == SITE_OBJECTS[u.site].platform for u in LIVE)
    html = db.parent / "report.html"
    assert run_guifan("report", "--db", str(db), "--html", str(html)).returncode == 0
    page = html.read_text(encoding="utf-8")
    assert "Sites as seen" in page and "≠ 980305" in page and "failed: connection_refused" in page
    assert page.count("sniffed: ") == len(LIVE)


def test_guifan_sites_shows_what_was_sniffed(crawl):
    db, _, _ = crawl
    result = run_guifan("sites", "--db", str(db))
    assert result.returncode == 0, result.stderr
    lines = {line.split()[0]: line for line in result.stdout.splitlines()}
    assert "auto→trs" in lines["sim-baishui"] and "auto→ucap" in lines["sim-jinshan"]
    assert "(code≠)" in lines["sim-wenquan"] and "auto→" not in lines[DEAD[0].name]
    rows = [json.loads(line) for line in run_guifan("sites", "--json", "--db", str(db)).stdout.splitlines()]
    gk = next(r for r in rows if r["name"] == "sim-longquan")
    assert (gk["platform"], gk["platform_seen"], gk["code_mismatch"]) == ("auto", "gkmlpt", False)


def test_a_second_run_keeps_every_document_where_it_is(province, crawl):
    db, conn, _ = crawl
    before = {r["url"]: r["site"] for r in conn.execute("SELECT url, site FROM documents")}
    result = run_guifan("crawl", *[u.name for u in SHARED_UNITS], "--db", str(db),
                        *base_urls(province, [u.name for u in SHARED_UNITS]))
    assert result.returncode == 0, result.stderr[-2000:]
    after = {r["url"]: r["site"] for r in conn.execute("SELECT url, site FROM documents")}
    assert after == before


def test_an_archive_made_before_site_runs_gets_the_table(tmp_path):
    from guifan.archive import Archive

    db = tmp_path / "old.db"
    Archive(db).close()
    conn = row_connection(db)
    conn.execute("DROP TABLE site_runs")
    conn.commit()
    conn.close()
    with Archive(db) as archive:
        assert archive.site_runs() == []
    assert Path(db).exists()
