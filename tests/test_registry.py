"""The registry of real county and district portals (crawler/sites/*.toml, demo ones aside):
schema, unique names, 6-digit codes that agree with the region, known platforms, a named
public source for every column URL; `guifan sites` and `guifan sites check` (against the
demo portal: the tests never go on the internet)."""
from __future__ import annotations

import re
import tomllib
from collections import Counter
from urllib.parse import urlsplit

import pytest

from guifan.crawler.platforms import PLATFORMS
from guifan.crawler.profiles import REQUIRED, SITES_DIR, all_profiles
from guifan.demo_portal import PLATFORM_SITES, DemoPortal
from tests.conftest import run_guifan

# GB/T 2260: the first two digits of a code name the province-level division.
PROVINCES = {
    "11": "北京市", "12": "天津市", "13": "河北省", "14": "山西省", "15": "内蒙古自治区", "21": "辽宁省",
    "22": "吉林省", "23": "黑龙江省", "31": "上海市", "32": "江苏省", "33": "浙江省", "34": "安徽省",
    "35": "福建省", "36": "江西省", "37": "山东省", "41": "河南省", "42": "湖北省", "43": "湖南省",
    "44": "广东省", "45": "广西壮族自治区", "46": "海南省", "50": "重庆市", "51": "四川省", "52": "贵州省",
    "53": "云南省", "54": "西藏自治区", "61": "陕西省", "62": "甘肃省", "63": "青海省", "64": "宁夏回族自治区",
    "65": "新疆维吾尔自治区",
}
COUNTY_LEVEL = re.compile(r"(县|区|市|旗)$")


def real_profiles():
    return [p for p in all_profiles().values() if not p.demo]


def test_at_least_40_real_portals_in_at_least_10_provinces():
    profiles = real_profiles()
    provinces = Counter(p.admin_code[:2] for p in profiles)
    assert len(profiles) >= 40
    assert len(provinces) >= 10, provinces


def test_every_file_is_a_complete_profile_named_after_itself():
    for path in sorted(SITES_DIR.glob("*.toml")):
        data = tomllib.loads(path.read_text(encoding="utf-8"))
        assert not [k for k in REQUIRED if not data.get(k)], path.name
        assert data["name"] == path.stem
    names = [p.name for p in all_profiles().values()]
    assert len(names) == len(set(names))


@pytest.mark.parametrize("profile", real_profiles(), ids=lambda p: p.name)
def test_real_profile(profile):
    assert re.fullmatch(r"[a-z]{2}-[a-z0-9-]+", profile.name)
    assert re.fullmatch(r"\d{6}", profile.admin_code) and profile.admin_code[2:] != "0000"
    assert profile.region.startswith(PROVINCES[profile.admin_code[:2]]), (profile.region, profile.admin_code)
    assert COUNTY_LEVEL.search(profile.region) and profile.name_zh.endswith("人民政府")
    assert profile.platform in PLATFORMS
    # Where the address was seen: a public repository (owner/name, file and commit) or page.
    assert re.search(r"[\w.-]+/[\w.-]+, \S+ at commit [0-9a-f]{40}|https?://", profile.source), profile.source
    for url in profile.absolute_start_urls():
        parts = urlsplit(url)
        assert parts.scheme in ("http", "https") and parts.netloc.endswith(".gov.cn"), url
    assert not profile.demo_group


def test_demo_profiles_stay_on_this_machine():
    import ipaddress

    for profile in all_profiles().values():
        if profile.demo:   # loopback: 127.0.0.1, or the simulated province's 127.0.1.N
            assert ipaddress.ip_address(urlsplit(profile.base_url).hostname).is_loopback, profile.name


def test_guifan_sites_lists_them():
    result = run_guifan("sites", "--real")
    assert result.returncode == 0, result.stderr
    lines = result.stdout.splitlines()
    assert len(lines) == len(real_profiles()) and not any("(demo)" in line for line in lines)
    assert any(line.startswith("ah-dingyuan") and "341125" in line and "anhui" in line for line in lines)


@pytest.fixture(scope="module")
def replicas():
    with DemoPortal(sites=PLATFORM_SITES) as portal:
        yield portal


@pytest.mark.parametrize("site", ["demo-jinhai", "demo-baihe", "demo-lutang"])
def test_sites_check_finds_documents(replicas, site):
    result = run_guifan("sites", "check", site, "--base-url", replicas.base_url(site))
    assert result.returncode == 0, result.stdout + result.stderr
    assert re.search(r"ok: \d+ document links found", result.stdout)
    assert "first document:" in result.stdout
    requests = [r for r in replicas.request_log if r[0] == site and r[2] != "/robots.txt"]
    assert len(requests) <= 7                     # a handful of requests, not a crawl


def test_sites_check_says_when_nothing_is_found(replicas):
    # A real profile pointed at a demo site that does not have its column: a 404, reported.
    result = run_guifan("sites", "check", "ah-dingyuan", "--base-url", replicas.base_url("demo-fengming"))
    assert result.returncode == 1
    assert "HTTP 404" in result.stdout and "no documents found" in result.stdout
