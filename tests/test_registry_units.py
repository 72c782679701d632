"""The registry of every county-level unit (crawler/registry/units/*.json), checked from the
committed data alone: every entry against the committed official code table, every URL with
its citation, every flag against the URLs; and the CLI's selection over it."""
from __future__ import annotations

import csv
import io
import json
import re
from collections import Counter, defaultdict

import pytest

from guifan.crawler.registry import load_registry, load_units, official_codes, unit_files
from guifan.crawler.registry.sources import FLAGS, host, is_article, is_county_code, is_web_url, site_domain
from tests.conftest import run_guifan

OFFICIAL = official_codes()
COUNTY = {code: name for code, name in OFFICIAL.items() if is_county_code(code)}
ALIASES = {"济源市": "济源示范区"}   # the source lists 济源 by its 示范区 name


def province_files() -> list[dict]:
    return [json.loads(p.read_text(encoding="utf-8")) for p in unit_files()]


def test_official_table_is_the_2024_list_with_its_citation():
    from guifan.crawler.registry import REGISTRY_DIR

    head = (REGISTRY_DIR / "official-codes.tsv").read_text(encoding="utf-8").splitlines()[:3]
    assert re.search(r"yescallop/areacodes, data/2024\.txt at commit [0-9a-f]{40} \(CC0-1\.0\)", head[1])
    assert len(COUNTY) == 2846                       # 民政部: county-level divisions at the end of 2024
    assert OFFICIAL["341321"] == "砀山县" and OFFICIAL["340000"] == "安徽省"


def test_at_least_2800_units_with_codes_and_2700_home_pages_each_with_its_source():
    units = load_units()
    assert len(units) >= 2800
    homes = [u for u in units if u.home]
    assert len(homes) >= 2700
    assert all(u.home_from.startswith("gov:") for u in homes)
    assert all(u.column_from.startswith("policy:") for u in units if u.column)


def test_every_official_county_level_unit_is_listed_even_without_a_portal():
    units = load_units()
    assert {u.code for u in units} == set(COUNTY)
    without = [u for u in units if not u.home]
    assert without and all(u.code in COUNTY for u in without)    # e.g. 金门县: listed, honestly empty


def test_every_entry_is_valid():
    """Code official and county-level, name matching the code, no duplicate codes, absolute
    http(s) URLs, each URL's citation complete, flags consistent with the URLs."""
    _, sources = load_registry()
    problems = []
    for data, path in zip(province_files(), unit_files()):
        assert OFFICIAL[data["code"]] == data["province"], path.name
        for key, src in data["sources"].items():
            if not (re.fullmatch(r"[\w.-]+/[\w.-]+", src["repository"]) and src["file"]
                    and re.fullmatch(r"[0-9a-f]{40}", src["commit"]) and re.fullmatch(r"[0-9a-f]{64}", src["sha256"])):
                problems.append(f"{path.name}: source {key} incomplete: {src}")
        for u in data["units"]:
            problems += entry_problems(u, data)
    codes = Counter(u.code for u in load_units())
    problems += [f"{code}: listed {n} times" for code, n in codes.items() if n > 1]
    assert not problems, "\n".join(problems[:30])


def entry_problems(u: dict, data: dict) -> list[str]:
    where = f"{u.get('code')} {u.get('name')}"
    out = []
    if not is_county_code(u["code"]) or u["code"] not in OFFICIAL:
        out.append(f"{where}: not an official county-level code")
    elif OFFICIAL[u["code"]] != u["name"]:
        out.append(f"{where}: the official name is {OFFICIAL[u['code']]}")
    if not u["code"].startswith(data["code"][:2]):
        out.append(f"{where}: filed under {data['province']}")
    for which in ("home", "column"):
        url = u.get(which)
        if url is None:
            if u.get(f"{which}_from") or u.get(f"{which}_flags"):
                out.append(f"{where}: {which} citation or flags without a URL")
            continue
        if not is_web_url(url):
            out.append(f"{where}: {which} {url!r} is not an absolute http(s) URL")
        source, _, key = u.get(f"{which}_from", "").partition(":")
        parts = key.split("/")
        if source not in data["sources"] or parts[0] not in (data["province"], "新疆生产建设兵团") \
                or parts[-1] not in (u["name"], ALIASES.get(u["name"])):
            out.append(f"{where}: {which} cites {u.get(which + '_from')!r}, not this unit in a named source")
        unknown = set(u.get(f"{which}_flags", [])) - set(FLAGS)
        if unknown:
            out.append(f"{where}: unknown flags {unknown}")
    return out


def owner_hosts() -> dict[str, set[str]]:
    """Host -> codes whose home page is there (provinces and prefectures included)."""
    owners = defaultdict(set)
    for data in province_files():
        for u in data["upper_portals"] + data["units"]:
            if u.get("home"):
                owners[host(u["home"])].add(u["code"])
    return owners


def test_flags_agree_with_the_urls():
    owners = owner_hosts()
    domains = defaultdict(set)
    for h, codes in owners.items():
        domains[site_domain("http://" + h)] |= codes
    problems = []
    for u in load_units():
        others_on_home = owners.get(host(u.home), set()) - {u.code} if u.home else set()
        if bool(others_on_home) != ("shared_portal" in u.home_flags):
            problems.append(f"{u.code}: home {u.home} shared with {others_on_home}, flags {u.home_flags}")
        if not u.column:
            continue
        flags = set(u.column_flags)
        if ("single_article" in flags) != is_article(u.column):
            problems.append(f"{u.code}: column {u.column} single_article flag wrong: {flags}")
        off = bool(u.home) and site_domain(u.column) != site_domain(u.home)
        if ("off_home_domain" in flags) != off:
            problems.append(f"{u.code}: column {u.column} vs home {u.home}: off_home_domain flag wrong")
        others = owners.get(host(u.column), set()) - {u.code}
        if others and host(u.column) != host(u.home) and "shared_portal" not in flags:
            problems.append(f"{u.code}: column {u.column} is the home of {others}, not flagged shared")
        evidence = (u.column_label.startswith("shared from") or others
                    or (off and domains.get(site_domain(u.column), set()) - {u.code}))
        if "shared_portal" in flags and not evidence:
            problems.append(f"{u.code}: column {u.column} flagged shared without another unit there")
    assert not problems, "\n".join(problems[:30])


def test_the_sources_flagged_cases_are_flagged():
    units = {u.code: u for u in load_units()}
    # 望江县's column is the province's 我要找政策 page, shared by many Anhui counties.
    assert "shared_portal" in units["340827"].column_flags and units["340827"].column_label.startswith("shared from")
    # 珲春市's home page is 延边州's portal.
    assert units["222404"].home_flags == ("shared_portal",)
    assert any(u.column_flags == ("single_article",) for u in units.values())


def test_sites_region_anhui_as_json_lists_every_anhui_unit_with_its_code():
    result = run_guifan("sites", "--region", "安徽省", "--format", "json")
    assert result.returncode == 0, result.stderr
    rows = json.loads(result.stdout)
    anhui = {c for c in COUNTY if c.startswith("34")}
    assert {r["admin_code"] for r in rows} == anhui and len(rows) == len(anhui) == 104
    by_code = {r["admin_code"]: r for r in rows}
    assert by_code["341321"]["name"] == "ah-dangshan" and by_code["341321"]["platform"] == "anhui"   # hand-made wins
    assert by_code["341321"]["hand_checked"] and not by_code["341322"]["hand_checked"]
    assert by_code["341322"] == {**by_code["341322"], "name": "ah-341322", "platform": "auto", "county": "萧县",
                                 "prefecture": "宿州市", "province": "安徽省"}
    assert all(r["county"] == COUNTY[r["admin_code"]] for r in rows)


def test_summary_counts_equal_the_official_county_level_counts():
    result = run_guifan("sites", "--summary", "--real", "--format", "json")
    assert result.returncode == 0, result.stderr
    rows = {r["code"]: r for r in json.loads(result.stdout)}
    official = Counter(code[:2] for code in COUNTY)
    assert {code: r["units"] for code, r in rows.items() if code} == dict(official)
    assert rows[""]["units"] == 2846 and rows[""]["with_home"] >= 2700
    assert rows["34"]["hand_checked"] == 10 and rows["34"]["with_column"] <= rows["34"]["with_home"] <= 104


def test_summary_table_prints_one_line_per_province():
    result = run_guifan("sites", "--summary")
    assert result.returncode == 0, result.stderr
    lines = result.stdout.splitlines()
    anhui = next(line for line in lines if line.startswith("安徽省"))
    assert anhui.split()[1:3] == ["34", "104"]
    assert any(line.startswith("示范省") for line in lines)      # the demo sites, as their own province


@pytest.mark.parametrize("region", ["3413", "宿州市", "宿州", "安徽省宿州市", "安徽/宿州市"])
def test_region_by_code_prefix_or_name(region):
    result = run_guifan("sites", "--region", region, "--format", "jsonl")
    assert result.returncode == 0, result.stderr
    codes = {json.loads(line)["admin_code"] for line in result.stdout.splitlines()}
    assert codes == {c for c in COUNTY if c.startswith("3413")}


def test_region_county_name_and_column_selection_partition():
    one = run_guifan("sites", "--region", "砀山县", "--format", "jsonl")
    assert [json.loads(line)["admin_code"] for line in one.stdout.splitlines()] == ["341321"]
    counts = {}
    for option in ("--has-column", "--no-column"):
        result = run_guifan("sites", "--region", "34", option, "--format", "jsonl")
        assert result.returncode == 0, result.stderr
        counts[option] = len(result.stdout.splitlines())
    assert counts["--has-column"] and counts["--no-column"]
    assert counts["--has-column"] + counts["--no-column"] == 104


def test_platform_selection():
    result = run_guifan("sites", "--region", "安徽", "--platform", "anhui", "--format", "jsonl")
    rows = [json.loads(line) for line in result.stdout.splitlines()]
    assert rows and all(r["platform"] == "anhui" and r["hand_checked"] for r in rows)


def test_demo_sites_are_selected_by_their_region():
    result = run_guifan("sites", "--region", "示范省", "--format", "jsonl")
    rows = [json.loads(line) for line in result.stdout.splitlines()]
    assert rows and all(r["demo"] and r["admin_code"].startswith("99") for r in rows)
    one = run_guifan("sites", "--region", "示范省白鹤县", "--format", "jsonl")
    assert [json.loads(line)["name"] for line in one.stdout.splitlines()] == ["demo-baihe"]


def test_csv_and_deprecated_json():
    result = run_guifan("sites", "--region", "3413", "--format", "csv")
    assert result.returncode == 0 and result.stdout.startswith("\ufeff")
    rows = list(csv.DictReader(io.StringIO(result.stdout.lstrip("\ufeff"))))
    assert {r["admin_code"] for r in rows} == {c for c in COUNTY if c.startswith("3413")}
    assert all(json.loads(r["start_urls"])[0].startswith("http") for r in rows if r["home"])
    legacy = run_guifan("sites", "--region", "3413", "--json")     # the old flag: one object per line
    assert legacy.returncode == 0
    assert [json.loads(line)["admin_code"] for line in legacy.stdout.splitlines()] == [r["admin_code"] for r in rows]


@pytest.mark.parametrize("region, closest", [("安微省", "安徽省"), ("宿洲市", "宿州市"), ("砀山線", "砀山县")])
def test_unknown_region_gets_the_closest_names(region, closest):
    for command in ("sites", "crawl"):
        result = run_guifan(command, "--region", region, "--db", "/nonexistent/x.db") if command == "crawl" \
            else run_guifan(command, "--region", region)
        assert result.returncode == 1
        error = result.stderr.strip().splitlines()
        assert len(error) == 1 and f"unknown region {region!r}" in error[0] and closest in error[0], error


def test_unknown_code_prefix_is_an_error():
    result = run_guifan("sites", "--region", "3499")
    assert result.returncode == 1 and "no site's administrative code starts with 3499" in result.stderr
