"""CMS platform adapters end to end: `guifan crawl` of each demo replica over real HTTP into
a real SQLite file, checked document by document against `demo_portal.catalog`."""
from __future__ import annotations

import json
import urllib.parse
import urllib.request
from urllib.parse import urlsplit

import pytest

from guifan.crawler.platforms import PLATFORMS, ListRequest, get_platform
from guifan.crawler.registry.catalog import get_profiles
from guifan.demo_portal import PLATFORM_SITES, DemoPortal, catalog
from tests.conftest import crawl_to_archive, row_connection

BAIHE, SONGLIN, JINHAI, FENGMING, LUTANG, SHILING = PLATFORM_SITES
CRAWLED = [BAIHE, SONGLIN, JINHAI, FENGMING, LUTANG]
FIELDS = ["title", "doc_number", "index_no", "issuer", "written_date", "published_date", "validity", "doc_type"]


@pytest.fixture(scope="module")
def replicas():
    with DemoPortal(sites=PLATFORM_SITES) as portal:
        yield portal


@pytest.fixture(scope="module")
def crawled(replicas, tmp_path_factory):
    """The five platform replicas crawled by one `guifan crawl` run."""
    db = tmp_path_factory.mktemp("platforms") / "platforms.db"
    crawl_to_archive(db, replicas, CRAWLED)
    conn = row_connection(db)
    yield conn
    conn.close()


def current(conn, portal, site) -> dict[str, dict]:
    base = portal.base_url(site)
    return {r["url"].removeprefix(base): dict(r) for r in conn.execute("SELECT * FROM current WHERE site = ?", (site,))}


def test_every_platform_has_an_adapter():
    assert {"trs", "hanweb", "ucap", "gkmlpt", "anhui", "generic"} <= set(PLATFORMS)
    for name in PLATFORMS:
        assert get_platform(name).name == name
    assert get_platform("no-such-cms").name == "generic"


@pytest.mark.parametrize("site", CRAWLED)
def test_every_catalog_document_is_archived_once(replicas, crawled, site):
    rows = current(crawled, replicas, site)
    assert sorted(rows) == sorted(d.path for d in catalog.documents(site))


@pytest.mark.parametrize("site", CRAWLED)
@pytest.mark.parametrize("field", FIELDS)
def test_fields_match_the_catalog(replicas, crawled, site, field):
    rows = current(crawled, replicas, site)
    wrong = [(d.key, getattr(d, field), rows[d.path][field]) for d in catalog.documents(site)
             if rows[d.path][field] != getattr(d, field)]
    assert not wrong, wrong[:3]


@pytest.mark.parametrize("site", CRAWLED)
def test_bodies_hold_every_paragraph_and_no_chrome(replicas, crawled, site):
    rows = current(crawled, replicas, site)
    for doc in catalog.documents(site):
        body = rows[doc.path]["body"]
        assert all(p in body for p in doc.paragraphs), doc.key
        assert not [line for line in catalog.boilerplate_lines(site) if line in body], doc.key


def test_no_list_page_fails_and_nothing_else_becomes_a_document(crawled):
    bad = crawled.execute("SELECT url, outcome, reason FROM fetch_log WHERE outcome IN ('failed', 'blocked')")
    assert [dict(r) for r in bad] == []
    assert crawled.execute("SELECT count(*) FROM current").fetchone()[0] == sum(
        len(catalog.documents(s)) for s in CRAWLED)


def test_hanweb_reads_the_embedded_group_then_dataproxy(replicas, crawled):
    proxied = [r for r in replicas.request_log if r[0] == BAIHE and "dataproxy.jsp" in r[2]]
    assert proxied and all(method == "GET" and status == 200 for _, method, _, status in proxied)
    # Only records beyond the embedded group are asked for: column 2001 (9 records, 6 embedded)
    # needs one request, column 2002 (5 records) none.
    assert [dict(p.split("=") for p in r[2].split("?")[1].split("&"))["columnid"] for r in proxied] == ["2001"]
    lists = crawled.execute("SELECT count(*) FROM fetch_log WHERE site = ? AND kind = 'list'", (BAIHE,))
    assert lists.fetchone()[0] == 3


def test_hanweb_dataproxy_by_post_when_the_profile_says_so(replicas):
    hanweb = get_platform("hanweb", {"hanweb_post": True})
    column = replicas.base_url(BAIHE) + "/col/col2001/index.html"
    page = hanweb.parse_list(column, urllib.request.urlopen(column).read(), "text/html")
    [wanted] = page.pages
    assert wanted.method == "POST" and wanted.form["columnid"] == "2001"
    data = "&".join(f"{k}={urllib.parse.quote(v)}" for k, v in wanted.form.items()).encode()
    with urllib.request.urlopen(urllib.request.Request(wanted.url, data=data)) as answer:
        rest = hanweb.parse_list(wanted.url, answer.read(), answer.headers["Content-Type"])
    expected = [d.path for d in catalog.documents(BAIHE) if d.key.split("/")[1] == "2001"]
    assert [urlsplit(u).path for u in page.details + rest.details] == expected


def test_gkmlpt_takes_validity_and_metadata_from_the_api(replicas, crawled):
    rows = current(crawled, replicas, JINHAI)
    docs = catalog.documents(JINHAI)
    assert {d.validity for d in docs} == {"in_force", "repealed", "expired"}
    for doc in docs:
        row = rows[doc.path]
        raw = json.loads(row["raw_meta"])
        assert raw["list:validity"] == doc.validity        # only the API says it: the page has no 有效性
        assert (row["validity"], row["doc_number"], row["issuer"]) == (doc.validity, doc.doc_number, doc.issuer)
    api = [r for r in replicas.request_log if r[0] == JINHAI and r[2].startswith("/gkmlpt/api/all/")]
    assert len(api) == 3 + 1                               # 9 + 4 documents, 4 per page


def test_gkmlpt_categories_from_the_start_url_fragment():
    gk = get_platform("gkmlpt")
    profile = get_profiles([JINHAI])[0].with_base_url("http://127.0.0.1:1")
    profile.start_urls = ["/gkmlpt/index#2405"]
    assert gk.start_requests(profile) == [ListRequest("http://127.0.0.1:1/gkmlpt/index")]
    html = "<script>window._CONFIG = {SID: '990105', TREE: [{\"id\": 2401, \"post_count\": 3}]};</script>"
    page = gk.parse_list("http://127.0.0.1:1/gkmlpt/index", html.encode(), "text/html")
    assert [p.url for p in page.pages] == ["http://127.0.0.1:1/gkmlpt/api/all/2405?page=1&sid=990105"]


def test_anhui_follows_script_only_pagers(replicas, crawled):
    public = [r[2] for r in replicas.request_log if r[0] == FENGMING and r[2].startswith("/public/column/")]
    assert any("pageIndex=2" in p for p in public)


def test_generic_crawls_from_the_home_page_with_no_hints(replicas, crawled):
    profile = get_profiles([LUTANG])[0]
    assert (profile.platform, profile.start_urls, profile.hints) == ("generic", ["/"], {})
    rows = current(crawled, replicas, LUTANG)
    assert sorted(rows) == sorted(d.path for d in catalog.documents(LUTANG))
    # Static pages (机构概况) and off-site links are not documents; nothing left the site.
    assert not [r for r in crawled.execute("SELECT url FROM fetch_log WHERE site = ?", (LUTANG,))
                if "127.0.0.1" not in r["url"]]
