"""Selection in `guifan crawl` (--region …) over profiles and the registry, real crawls of the
demo portal on loopback; and profiles that fail validation say which file and which field."""
from __future__ import annotations

import sqlite3
from urllib.parse import urlsplit

import pytest

from guifan.crawler.profiles import ProfileError, load_profile
from guifan.crawler.registry.catalog import get_profiles
from guifan.crawler.registry.catalog import catalog, select
from guifan.demo_portal import ALL_SITES, DemoPortal
from tests.conftest import base_urls, run_guifan
from tests.test_cli import free_port

GOOD = """name = "ah-test"
name_zh = "测试县人民政府"
region = "安徽省宿州市砀山县"
admin_code = "341321"
platform = "anhui"
base_url = "https://www.dangshan.gov.cn"
start_urls = ["/public/column/1"]
"""


@pytest.mark.parametrize("line, instead, field, says", [
    ('start_urls = ["/public/column/1"]', 'start_url = ["/x"]', "start_urls", "missing"),
    ('start_urls = ["/public/column/1"]', 'start_url = ["/x"]', "start_url", "unknown field (did you mean start_urls?)"),
    ('admin_code = "341321"', 'admin_code = "34132"', "admin_code", "must be 6 digits"),
    ('start_urls = ["/public/column/1"]', 'start_urls = "/public/column/1"', "start_urls", "must be list[str], got str"),
    ('start_urls = ["/public/column/1"]', 'start_urls = []', "start_urls", "must be a non-empty list of URLs"),
    ('base_url = "https://www.dangshan.gov.cn"', 'base_url = "www.dangshan.gov.cn"', "base_url",
     "must be an absolute http(s) URL"),
    ('platform = "anhui"', 'platform = "anhui"\ndemo = "yes"', "demo", "must be bool"),
])
def test_a_profile_that_fails_validation_names_the_file_and_the_field(tmp_path, line, instead, field, says):
    text = GOOD.replace(line, instead)
    path = tmp_path / "ah-test.toml"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(ProfileError) as caught:
        load_profile(path)
    message = str(caught.value)
    assert str(path) in message and f"{field}: {says}" in message, message
    with pytest.raises(ProfileError, match=field):       # and by name, as `guifan crawl ah-test` loads it
        get_profiles(["ah-test"], sites_dir=tmp_path)


def test_a_sound_profile_loads_and_wins_over_the_registry(tmp_path):
    (tmp_path / "ah-test.toml").write_text(GOOD, encoding="utf-8")
    sites = catalog(tmp_path)
    chosen = select(sites, region="341321")
    assert [p.name for p in chosen] == ["ah-test"] and chosen[0].platform == "anhui"
    assert chosen[0].unit["home"] == "https://www.dangshan.gov.cn/"   # the registry entry rides along
    assert get_profiles(["341321", "ah-341322"], sites_dir=tmp_path)[1].platform == "auto"


@pytest.fixture(scope="module")
def portal():
    with DemoPortal(sites=ALL_SITES) as served:
        yield served


def test_crawl_a_region_crawls_exactly_its_sites(tmp_path, portal):
    db = tmp_path / "region.db"
    chosen = ["demo-baihe", "demo-qingshi"]                       # 示范省, 9901…, platform hanweb
    result = run_guifan("crawl", "--region", "9901", "--platform", "hanweb", "--db", str(db),
                        *base_urls(portal, chosen))
    assert result.returncode == 0, result.stdout + result.stderr
    conn = sqlite3.connect(db)
    assert sorted(r[0] for r in conn.execute("SELECT name FROM sites")) == chosen
    per_site = dict(conn.execute("SELECT site, COUNT(*) FROM documents GROUP BY site"))
    assert set(per_site) == set(chosen) and min(per_site.values()) > 0


def test_crawl_of_many_sites_says_how_many_and_asks_nothing(tmp_path):
    """宁夏: 22 registry sites, every one moved to a dead loopback port (nothing leaves the machine)."""
    sites = select(catalog(), region="宁夏回族自治区")
    assert len(sites) > 20 and all(p.platform == "auto" for p in sites)
    port = free_port()                  # nothing listens there, on any 127.0.0.x: each site its own address
    dead = {p.name: f"http://127.0.0.{i + 2}:{port}" for i, p in enumerate(sites)}
    for p in sites:                                                 # the guard: only loopback is fetched
        hosts = {urlsplit(u).hostname for u in p.with_base_url(dead[p.name]).absolute_start_urls()}
        assert hosts == {urlsplit(dead[p.name]).hostname}
    db = tmp_path / "many.db"
    overrides = [f"--base-url={name}={url}" for name, url in dead.items()]
    result = run_guifan("crawl", "--region", "宁夏", "--db", str(db), *overrides, "-s", "GUIFAN_MAX_RETRIES=0",
                        "-s", "DOWNLOAD_DELAY=0", timeout=300)
    assert f"crawling {len(sites)} sites" in result.stdout, result.stdout + result.stderr
    assert "connection_refused" in result.stderr                    # it went ahead, and every site failed here
    conn = sqlite3.connect(db)
    assert conn.execute("SELECT COUNT(*) FROM sites").fetchone()[0] == len(sites)
    attempted = {r[0] for r in conn.execute("SELECT DISTINCT u.site FROM fetches f JOIN urls u USING (url_id)")}
    assert attempted == {p.name for p in sites}


def test_crawl_without_sites_or_selection_says_what_to_give():
    result = run_guifan("crawl", "--db", "/nonexistent/x.db")
    assert result.returncode == 1 and "--region" in result.stderr


def test_crawl_leaves_out_units_with_no_known_portal(tmp_path):
    # 金门县 (350527) has no known portal: named alone, there is nothing to crawl.
    result = run_guifan("crawl", "350527", "--db", str(tmp_path / "x.db"))
    assert result.returncode == 1
    assert "leaving out 1 without a known portal: fj-350527" in result.stdout
    assert "no site to crawl" in result.stderr
