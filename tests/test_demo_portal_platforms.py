"""The platform replicas over real HTTP: each CMS's list endpoints and detail shapes, the
generic site reachable from its home page, JavaScript challenges (node and Chromium)."""
from __future__ import annotations

import datetime as dt
import html
import json
import re
import shutil
import subprocess
import urllib.error
import urllib.request
import xml.etree.ElementTree as ET
from html.parser import HTMLParser
from urllib.parse import urldefrag, urlencode, urljoin, urlsplit

import pytest

from guifan.demo_portal import ALL_SITES, PLATFORM_SITES, SITES, DemoPortal, catalog
from guifan.demo_portal.sites import SITE_OBJECTS

BAIHE, SONGLIN, JINHAI, FENGMING, LUTANG, SHILING = PLATFORM_SITES


def fetch(url: str, data: bytes | None = None, headers: dict | None = None) -> tuple[int, dict, bytes]:
    req = urllib.request.Request(url, data=data, headers=headers or {})
    try:
        with urllib.request.urlopen(req, timeout=5) as r:
            return r.status, dict(r.headers), r.read()
    except urllib.error.HTTPError as e:
        return e.code, dict(e.headers), e.read()


class Links(HTMLParser):
    def __init__(self):
        super().__init__()
        self.hrefs: list[tuple[str, str]] = []
        self._href: str | None = None
        self._text: list[str] = []

    def handle_starttag(self, tag, attrs):
        if tag == "a" and dict(attrs).get("href"):
            self._href, self._text = dict(attrs)["href"], []

    def handle_data(self, data):
        if self._href is not None:
            self._text.append(data)

    def handle_endtag(self, tag):
        if tag == "a" and self._href is not None:
            self.hrefs.append((self._href, "".join(self._text).strip()))
            self._href = None


def links(page: str) -> list[tuple[str, str]]:
    p = Links()
    p.feed(page)
    return p.hrefs


def path_of(url: str) -> str:
    parts = urlsplit(urldefrag(url)[0])
    return parts.path + (f"?{parts.query}" if parts.query else "")


def column_docs(site: str, slug: str) -> list:
    return [d for d in catalog.documents(site) if d.key.split("/")[1] == slug]


@pytest.fixture(scope="module")
def portal():
    with DemoPortal(sites=PLATFORM_SITES) as p:
        yield p


def test_catalog_covers_the_replicas():
    assert set(ALL_SITES) == set(SITES) | set(PLATFORM_SITES) and not set(SITES) & set(PLATFORM_SITES)
    assert {d.site for d in catalog.documents(day=1)} == set(SITES)           # the default is unchanged
    for site in PLATFORM_SITES:
        docs = catalog.documents(site)
        assert 5 <= len(docs) <= 15 and len({d.key for d in docs}) == len(docs)
        assert len({d.path for d in docs}) == len(docs)
        assert catalog.documents(site, day=2) == docs == catalog.documents(site, day=3)   # replicas do not change
        for d in docs:
            assert d.paragraphs and d.issuer and d.published_date and d.title
            if d.doc_number:
                assert re.fullmatch(r"\S+〔\d{4}〕\d+号", d.doc_number)
        for line in catalog.boilerplate_lines(site):
            assert all(line not in d.body for d in docs), line
    assert {d.validity for d in catalog.documents(SONGLIN)} == {"unknown"}     # UCAP shows no 有效性
    assert {d.validity for d in catalog.documents(JINHAI)} == {"in_force", "repealed", "expired"}
    lutang = catalog.documents(LUTANG)
    assert all(d.index_no is None and d.validity == "unknown" for d in lutang)
    # 成文日期 shows only as the date under a signature, where the document has one
    assert all((d.written_date is not None) == ("日" in d.paragraphs[-1][-1:]) for d in lutang)
    assert [d.fault for d in catalog.documents(SHILING)].count("challenge") == 2
    assert all(d.fault is None for s in PLATFORM_SITES[:-1] for d in catalog.documents(s))


def test_default_portal_serves_the_original_sites_only():
    with DemoPortal() as p:
        assert p.sites == SITES
        p.base_url(SITES[0])
        with pytest.raises(KeyError):
            p.base_url(BAIHE)
    with pytest.raises(KeyError):
        DemoPortal(sites=["demo-nowhere"])


def test_hanweb_jpage_column_and_dataproxy(portal):
    base = portal.base_url(BAIHE)
    site = SITE_OBJECTS[BAIHE]
    for col in site.columns:
        status, headers, raw = fetch(base + f"/col/col{col.slug}/index.html")
        page = raw.decode("utf-8")
        assert status == 200 and '<script type="text/xml"><datastore>' in page
        assert not [h for h, _ in links(page) if h.startswith("/art/")]      # no plain anchors to documents
        total = int(re.search(r"totalRecord:(\d+)", page).group(1))
        params = dict(re.findall(r"(\w+):'?([^,'}]+)'?", re.search(r"ajaxParam:\{([^}]*)\}", page).group(1)))
        assert params["columnid"] == col.slug and params["unitid"] == col.uid
        urls = re.findall(r'<record><!\[CDATA\[\s*<li><a href="([^"]+)"', page)
        assert 0 < len(urls) <= total
        while len(urls) < total:                       # later groups, as the browser POSTs them
            start = len(urls) + 1
            status, headers, xml = fetch(base + f"/module/web/jpage/dataproxy.jsp?startrecord={start}"
                                         f"&endrecord={start + 44}&perpage=15", data=urlencode(params).encode())
            assert status == 200 and headers["Content-Type"].startswith("text/xml")
            records = [r.text for r in ET.fromstring(xml).iter("record")]
            assert records
            urls += [re.search(r'href="([^"]+)"', r).group(1) for r in records]
        assert urls == [d.list_path for d in column_docs(BAIHE, col.slug)]
        # the whole column in one GET with the parameters in the query string, as scrapers do
        _, _, xml = fetch(base + "/module/web/jpage/dataproxy.jsp?startrecord=1&endrecord=45&perpage=15&"
                          + urlencode(params))
        root = ET.fromstring(xml)
        assert [re.search(r'href="([^"]+)"', r.text).group(1) for r in root.iter("record")] == urls
        assert root.findtext("totalrecord") == str(total)
    _, _, xml = fetch(base + "/module/web/jpage/dataproxy.jsp?startrecord=1&endrecord=45", data=b"columnid=9999")
    assert list(ET.fromstring(xml).iter("record")) == []
    d = catalog.documents(BAIHE)[0]
    assert fetch(base + d.path, data=b"x=1")[0] == 405
    page = fetch(base + d.path)[2].decode("utf-8")
    assert f'<meta name="ArticleTitle" content="{d.title}">' in page and 'id="zoom"' in page
    assert "<th>索引号：</th>" in page and d.index_no in page


def test_ucap_lists_and_detail_shape(portal):
    base = portal.base_url(SONGLIN)
    for col in SITE_OBJECTS[SONGLIN].columns:
        url, seen, pages = base + f"/zwgk/{col.slug}/index.html", [], 0
        while url:
            page = fetch(url)[2].decode("utf-8")
            pages += 1
            ul = page[page.index('<ul class="list">'):page.index("</ul>", page.index('<ul class="list">'))]
            seen += [path_of(urljoin(url, h)) for h, _ in links(ul)]
            nxt = [h for h, t in links(page) if t == "下一页"]
            url = urljoin(url, nxt[0]) if nxt else None
        assert seen == [d.list_path for d in column_docs(SONGLIN, col.slug)] and pages >= 2
    d = catalog.documents(SONGLIN)[0]
    page = fetch(base + d.path)[2].decode("utf-8")
    assert re.search(r"/zwgk/\w+/art/\d{4}/art_[0-9a-f]{32}\.html$", d.path)
    assert page.index("</html>") < page.index('id="UCAP-CONTENT"')           # the stray end of the header include
    assert "索<i></i>引<i></i>号：" in page and "有效性" not in page and "firstpublishedtime" in page
    content = page[page.index('id="UCAP-CONTENT"'):]
    assert all(html.escape(p, quote=False) in content for p in d.paragraphs if " " not in p)


def test_gkmlpt_shell_api_and_detail(portal):
    base = portal.base_url(JINHAI)
    shell = fetch(base + "/gkmlpt/index")[2].decode("utf-8")
    assert "/content/" not in shell and not links(shell)                # a JavaScript shell: no links
    sid = re.search(r"SID:\s*'(\d+)'", shell).group(1)
    tree = json.loads(re.search(r"TREE:\s*(\[.*?\])\s*,\s*SERVICE_AREA_ID", shell, re.S).group(1))
    leaves = [(c["id"], c["post_count"]) for node in tree for c in node["children"] if not node["jump_url"]]
    assert [str(i) for i, _ in leaves] == [c.slug for c in SITE_OBJECTS[JINHAI].columns]
    for cat, count in leaves:
        articles, page = [], 1
        while True:
            status, headers, raw = fetch(base + f"/gkmlpt/api/all/{cat}?page={page}&sid={sid}")
            assert status == 200 and headers["Content-Type"].startswith("application/json")
            data = json.loads(raw)
            assert data["classify"]["id"] == cat and data["total"] == count
            if not data["articles"]:
                break
            articles += data["articles"]
            page += 1
        assert page > 2 or count <= SITE_OBJECTS[JINHAI].params["per_page"]
        docs = column_docs(JINHAI, str(cat))
        assert len(articles) == count == len(docs)
        for a, d in zip(articles, docs):
            assert a["url"].startswith(base + "/gkmlpt/content/") and a["url"].endswith(f"#{cat}")
            assert path_of(a["url"]) == d.list_path
            assert re.fullmatch(rf"/gkmlpt/content/{a['id'] // 10**6}/{a['id'] // 1000}/post_{a['id']}\.html", d.path)
            assert (a["title"], a["identifier"], a["publisher"]) == (d.title, d.index_no, d.issuer)
            assert a["document_number"] == (d.doc_number_raw or "")
            assert (a["is_abolished"], a["is_expired"]) == (int(d.validity == "repealed"), int(d.validity == "expired"))
            written = dt.datetime.fromtimestamp(a["date"], catalog.CST).date().isoformat()
            assert written == d.written_date and a["created_at"].startswith(d.published_date)
    d = next(d for d in catalog.documents(JINHAI) if d.validity == "repealed")
    page = fetch(base + d.path)[2].decode("utf-8")
    assert '<td class="td-title">索引号：</td>' in page and "有效性" not in page and 'class="article-content"' in page
    detail = json.loads(re.search(r"DETAIL: (\{.*?\})\};", page).group(1))
    assert detail["is_abolished"] == 1 and detail["identifier"] == d.index_no


def test_anhui_both_list_shapes_and_detail(portal):
    base = portal.base_url(FENGMING)
    site = SITE_OBJECTS[FENGMING]
    openness, public = site.columns
    url, seen = base + f"/OpennessContent/showList/{site.params['site_id']}/{openness.slug}/page_1.html", []
    while url:
        page = fetch(url)[2].decode("utf-8")
        seen += [h for h, _ in links(page) if h.startswith("/OpennessContent/show/")]
        nxt = [h for h, t in links(page) if t == "下一页"]
        url = urljoin(url, nxt[0]) if nxt else None
    assert seen == [d.list_path for d in column_docs(FENGMING, openness.slug)]
    first = base + f"/public/column/{site.params['org_id']}?type=4&catId={public.slug}&action=list&nav=3"
    page = fetch(first)[2].decode("utf-8")
    count = int(re.search(r"pageCount:(\d+),", page).group(1))
    assert count >= 2 and not [t for _, t in links(page) if t == "下一页"]          # pages only via the script
    seen = []
    for n in range(1, count + 1):
        page = fetch(first + f"&pageIndex={n}")[2].decode("utf-8")
        seen += [h for h, _ in links(page) if h.startswith("/Jczwgk/show/")]
    assert seen == [d.list_path for d in column_docs(FENGMING, public.slug)]
    assert fetch(first.replace(site.params["org_id"], "1234567"))[0] == 404
    for d, body_class in ((column_docs(FENGMING, openness.slug)[0], "wzcon j-fontContent"),
                          (column_docs(FENGMING, public.slug)[0], "newscontnet j-fontContent")):
        page = fetch(base + d.path)[2].decode("utf-8")
        assert 'class="table_suoyin hidden-xs"' in page and f'class="{body_class}' in page
        values = re.findall(r'<td class="pmingcheng"[^>]*>([^<]*)</td>', page)
        assert d.index_no in values and d.issuer in values and d.title in values
        assert (d.validity_raw or "") in values and (d.doc_number_raw or "") in values


def test_generic_site_is_crawlable_from_its_home_page(portal):
    base = portal.base_url(LUTANG)
    queue, seen, pages = ["/"], {"/"}, {}
    while queue and len(pages) < 300:
        path = queue.pop(0)
        status, headers, raw = fetch(base + path)
        if status != 200 or not headers.get("Content-Type", "").startswith("text/html"):
            continue
        assert headers["Content-Type"] == "text/html; charset=gb2312"
        page = raw.decode("gbk")
        pages[path] = page
        for href, _ in links(page):
            url = urljoin(base + path, href)
            if url.startswith(base) and not href.startswith("javascript:"):
                p = path_of(url)
                if p not in seen:
                    seen.add(p)
                    queue.append(p)
    docs = catalog.documents(LUTANG)
    assert {d.path for d in docs} <= set(pages)                 # every document, from the home page alone
    assert "/xxgk/jggk.shtml" in pages                         # a static page that is not a document
    assert {d.path.split("?")[0].rsplit(".", 1)[1] for d in docs} == {"shtml", "aspx"}
    d = next(d for d in docs if d.path.startswith("/news/show.aspx?id="))
    page = pages[d.path]
    assert "ArticleTitle" not in page and f'<h2 class="title">{d.title}</h2>' in page and "上一篇：" in page
    assert all(p in page for p in d.paragraphs if " " not in p)


def test_replica_detail_pages_revalidate_and_show_their_documents(portal):
    for site in PLATFORM_SITES:
        s = SITE_OBJECTS[site]
        for d in catalog.documents(site):
            if d.fault:
                continue
            url = portal.base_url(site) + d.path
            status, headers, raw = fetch(url)
            assert status == 200 and headers["ETag"] and headers["Last-Modified"], d.path
            assert fetch(url, headers={"If-None-Match": headers["ETag"]})[0] == 304
            page = html.unescape(raw.decode(s.encoding))
            assert d.title in page and (d.doc_number_raw or "") in page
            assert all(p in page for p in d.paragraphs if " " not in p), d.key
            for name, path in d.attachments:
                assert name in page and path in page
                status, headers, data = fetch(portal.base_url(site) + path)
                assert status == 200 and data[:4] in (b"%PDF", b"PK\x03\x04")


def _challenge_cookie(stub: bytes, path: str) -> tuple[str, bool]:
    """Run the stub's script in node with a minimal document/location; return (cookie, navigated)."""
    script = re.search(rb"<script[^>]*>(.*?)</script>", stub, re.S).group(1).decode("ascii")
    harness = ("var jar=[],nav=false;var document={set cookie(v){jar.push(v)},get cookie(){return ''}};"
               f"var location={{pathname:{json.dumps(path)},search:'',reload:function(){{nav=true}},"
               "set href(v){nav=true},get href(){return ''}};"
               + script + ";console.log(JSON.stringify([jar,nav]));")
    out = subprocess.run(["node", "-e", harness], capture_output=True, text=True, timeout=30, check=True)
    jar, navigated = json.loads(out.stdout)
    return jar[0].split(";")[0], navigated


@pytest.mark.skipif(not shutil.which("node"), reason="node is not installed")
def test_javascript_challenges_412_and_521(portal):
    base = portal.base_url(SHILING)
    challenged = [d for d in catalog.documents(SHILING) if d.fault == "challenge"]
    statuses = set()
    for d in challenged:
        blocked, headers, stub = fetch(base + d.path)
        statuses.add(blocked)
        assert blocked in (412, 521) and len(stub) < 1024 and "ETag" not in headers
        assert d.title.encode() not in stub and b"<script" in stub
        cookie, navigated = _challenge_cookie(stub, d.path)
        assert navigated
        status, headers, page = fetch(base + d.path, headers={"Cookie": f"other=1; {cookie}"})
        assert status == 200 and d.title in page.decode("utf-8") and headers["ETag"]
        name = cookie.split("=", 1)[0]
        assert fetch(base + d.path, headers={"Cookie": f"{name}=forged"})[0] == blocked
    assert statuses == {412, 521}
    ok = next(d for d in catalog.documents(SHILING) if d.fault is None)
    assert fetch(base + ok.path)[0] == 200                     # the rest of the site is open


@pytest.mark.skipif(not shutil.which("chromium"), reason="no system Chromium")
def test_challenged_page_renders_in_a_real_browser(portal):
    sync_api = pytest.importorskip("playwright.sync_api")
    challenged = [d for d in catalog.documents(SHILING) if d.fault == "challenge"]
    texts = []
    try:
        with sync_api.sync_playwright() as pw:
            browser = pw.chromium.launch(executable_path=shutil.which("chromium"), args=["--no-sandbox"])
            try:
                for d in challenged:                            # 412 (瑞数-like), then 521 (加速乐-like)
                    page = browser.new_page()
                    page.goto(portal.base_url(SHILING) + d.path)
                    page.wait_for_selector("#UCAP-CONTENT", timeout=15000)
                    texts.append(page.inner_text("#UCAP-CONTENT"))
            finally:
                browser.close()
    except sync_api.Error as exc:                               # pragma: no cover - environment without a display etc.
        pytest.skip(f"Chromium could not run: {exc}")
    for d, text in zip(challenged, texts, strict=True):
        assert d.paragraphs[0] in text
