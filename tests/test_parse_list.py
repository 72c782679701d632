"""`guifan parse --list`: what the adapter reads from saved home, column and list pages.

Real saved pages from ../shared/corpus (skipped with the reason when it is absent) and pages
saved from the demo replicas and the simulated province over real HTTP: reading the saved
pages alone, offline, must reach exactly each column's documents and pages.
"""
from __future__ import annotations

import json
import re
import urllib.request
from urllib.parse import urljoin, urlsplit

import pytest

from guifan.crawler.platforms.inspect import inspect_list
from guifan.demo_portal import ALL_SITES, PROVINCE_SITES, DemoPortal, catalog
from guifan.demo_portal.templates import app_for
from guifan.demo_portal.world import SITE_OBJECTS
from tests.conftest import run_guifan

TRS_DETAIL = re.compile(r"""href=["']([^"']*/t\d{8}_\d+\.s?html?)["']""")
PAGER = re.compile(r"createPageHTML\((\d+),\s*(\d+),\s*\"(\w+)\",\s*\"(\w+)\"")


def parse_list(*files, url: str, platform: str | None = None) -> list[dict]:
    args = ["parse", "--list", *map(str, files), "--url", url] + (["--platform", platform] if platform else [])
    result = run_guifan(*args)
    assert result.returncode == 0, result.stderr
    return [json.loads(line) for line in result.stdout.splitlines()]


# -- real saved pages ----------------------------------------------------------------------

def corpus_lists(shared):
    for meta_path in sorted((shared / "corpus" / "platforms").glob("*.json")):
        meta = json.loads(meta_path.read_text(encoding="utf-8"))
        if meta.get("kind") == "list":
            yield meta_path.with_suffix(".html"), meta


def test_real_trs_list_pages_give_their_documents_and_every_other_page(shared_dir):
    pages = [(p, m) for p, m in corpus_lists(shared_dir) if m["platform"] == "trs"]
    assert len(pages) >= 2
    for path, meta in pages:
        html = path.read_text("utf-8", "replace")
        count, current, stem, ext = PAGER.search(html).groups()
        directory = f"http://{meta['site_domain']}/zwgk/list/"
        url = directory + (f"{stem}.{ext}" if current == "0" else f"{stem}_{current}.{ext}")
        [line] = parse_list(path, url=url)
        # The documents: every tYYYYMMDD_ID link of the page, on the page's own site (read from the HTML).
        linked = {urljoin(url, h) for h in TRS_DETAIL.findall(html)}
        assert set(line["details"]) == {u for u in linked if urlsplit(u).netloc == meta["site_domain"]}
        assert len(line["details"]) >= 5, path.name
        others = {directory + (f"{stem}.{ext}" if n == 0 else f"{stem}_{n}.{ext}") for n in range(int(count))} - {url}
        assert {p["url"] for p in line["pages"]} == others, path.name
        assert (line["platform"], line["platform_sniffed"], line["read_as"]) == ("trs", "trs", "list")


def test_a_search_results_page_is_no_column_of_the_site(shared_dir):
    """Its hits are documents of other sites and its pager a script: nothing of the site to follow."""
    [(path, meta)] = [(p, m) for p, m in corpus_lists(shared_dir) if m["platform"] == "other"]
    [line] = parse_list(path, url=f"http://{meta['site_domain']}/search/index.html")
    assert line["details"] == [] and line["pages"] == []


def test_a_real_home_page_names_its_policy_column(shared_dir):
    # 宜春市's home page (govpages): no column named 规范性文件; 政府文件 is /ycsrmzf/zfwj/xxgk_lists.shtml
    # and 政务公开/信息公开 are landings (read from the page's anchors). 网站标识码 3609000002 → 360900.
    path = shared_dir / "corpus" / "govpages" / "simonxinw_yichun_homepage_statphp.html"
    [line] = parse_list(path, url="http://www.yichun.gov.cn/")
    assert line["read_as"] == "columns"
    assert line["columns"]["rule"] == "政策文件/政府文件"
    assert [c["url"] for c in line["columns"]["columns"]] == ["http://www.yichun.gov.cn/ycsrmzf/zfwj/xxgk_lists.shtml"]
    assert (line["site_id_code"], line["region_code"]) == ("3609000002", "360900")


def test_real_pages_of_every_platform_are_sniffed_as_theirs(shared_dir):
    cases = {p: m["platform"] for p, m in ((p.with_suffix(".html"), json.loads(p.read_text("utf-8")))
                                         for p in (shared_dir / "corpus" / "platforms").glob("*.json"))
             if m["platform"] != "other"}
    cases[shared_dir / "corpus" / "govpages" / "gne_tests_gzggw_1.html"] = "hanweb"
    cases[shared_dir / "corpus" / "govpages" / "gne_tests_other_1.html"] = "ucap"
    lines = parse_list(*cases, url="http://www.example.gov.cn/")
    assert {line["path"]: line["platform_sniffed"] for line in lines} == {str(p): n for p, n in cases.items()}


# -- the demo replicas and the province ------------------------------------------------------

def fetch(url: str, form: dict | None = None) -> tuple[bytes, str]:
    data = None if form is None else "&".join(f"{k}={v}" for k, v in form.items()).encode()
    with urllib.request.urlopen(urllib.request.Request(url, data=data), timeout=5) as r:
        return r.read(), r.headers.get("Content-Type", "")


def read_offline(start: str, tmp_path, platform: str) -> tuple[set[str], list, list[str]]:
    """Save every list page a column leads to, reading each saved file for the next ones."""
    queue, seen, details, saved = [{"url": start, "method": "GET"}], set(), set(), []
    while queue:
        wanted = queue.pop(0)
        if wanted["url"] in seen:
            continue
        seen.add(wanted["url"])
        body, ctype = fetch(wanted["url"], wanted.get("form"))
        path = tmp_path / f"page{len(saved)}.html"
        path.write_bytes(body)
        saved.append((path, wanted["url"]))
        line = inspect_list(body, wanted["url"], platform, ctype)
        details |= set(line["details"])
        queue += line["pages"]
    return details, saved, sorted(seen)


REPLICA_COLUMNS = [(s, c.slug) for s in ALL_SITES if s != "demo-lutang" for c in SITE_OBJECTS[s].columns]


@pytest.fixture(scope="module")
def portal():
    with DemoPortal(sites=ALL_SITES + PROVINCE_SITES) as p:
        yield p


@pytest.mark.parametrize("platform", ["auto", "as-built"])
@pytest.mark.parametrize("site,slug", REPLICA_COLUMNS + [("sim-lianhua", "2401"), ("sim-jiangkou", "zfwj"),
                                                          ("sim-qingyang", "21"), ("sim-meishan", "15690")])
def test_saved_demo_list_pages_lead_to_every_document_of_the_column(portal, tmp_path, site, slug, platform):
    s = SITE_OBJECTS[site]
    if platform == "as-built" and s.platform == "generic":
        pytest.skip("the generic adapter as configured follows every policy column it sees (test_platforms)")
    start = portal.base_url(site) + app_for(s).column_url(s.column(slug))
    platform = "auto" if platform == "auto" else s.platform
    details, saved, _ = read_offline(start, tmp_path, platform)
    docs = [d for d in catalog.documents(site) if d.key.split("/")[1] == slug]
    assert details == {portal.base_url(site) + d.list_path for d in docs}
    if platform != "auto":
        return
    # the CLI reads the saved files the same way
    path, url = saved[0]
    [line] = parse_list(path, url=url, platform=platform)
    assert line == {"path": str(path), **inspect_list(path.read_bytes(), url, platform)}


def test_a_saved_home_page_names_the_columns_a_crawl_would_choose(portal, tmp_path):
    for site, names in {"sim-baishui": ["规范性文件"], "sim-jinshan": ["政府文件"], "sim-shahe": ["政务公开"],
                        "demo-lutang": ["规范性文件"]}.items():
        path = tmp_path / f"{site}.html"
        path.write_bytes(fetch(portal.base_url(site) + "/")[0])
        [line] = parse_list(path, url=portal.base_url(site) + "/")
        assert line["read_as"] == "columns" and [c["name"] for c in line["columns"]["columns"]] == names, site


def test_unknown_platforms_and_missing_files_get_a_line_each(tmp_path):
    page = tmp_path / "p.html"
    page.write_text("<html></html>")
    result = run_guifan("parse", "--list", str(page), str(tmp_path / "missing.html"), "--platform", "nosuch")
    assert result.returncode == 1
    lines = [json.loads(line) for line in result.stdout.splitlines()]
    assert [line["path"] for line in lines] == [str(page), str(tmp_path / "missing.html")]
    assert all("error" in line for line in lines) and "unknown platform 'nosuch'" in lines[0]["error"]
