"""The demo portal over real HTTP: pagination, encodings, faults, day switch, determinism."""
from __future__ import annotations

import io
import re
import urllib.error
import urllib.request
import urllib.robotparser
import zipfile
from urllib.parse import urljoin

import pytest

from guifan.demo_portal import SITES, DemoPortal, catalog
from guifan.demo_portal.sites import QINGSHI as QINGSHI_SITE

YUNXI, QINGSHI = "demo-yunxi", "demo-qingshi"


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):
        return None


NO_REDIRECT = urllib.request.build_opener(_NoRedirect)


def fetch(url: str, follow: bool = True) -> tuple[int, dict, bytes]:
    try:
        opener = urllib.request.build_opener() if follow else NO_REDIRECT
        with opener.open(url, timeout=5) as r:
            return r.status, dict(r.headers), r.read()
    except urllib.error.HTTPError as e:
        return e.code, dict(e.headers), e.read()


@pytest.fixture(scope="module")
def portal():
    with DemoPortal(day=1) as p:
        yield p


@pytest.fixture
def fresh():
    """A portal of its own, for tests that switch days or rely on first-request behaviour."""
    with DemoPortal(day=1) as p:
        yield p


def docs(site=None, day=1, fault=None):
    return [d for d in catalog.documents(site, day=day) if d.fault == fault]


def strip_counter(html: bytes) -> bytes:
    for enc in ("utf-8", "gbk"):
        label = re.escape("浏览次数：".encode(enc))
        html = re.sub(label + rb'(<span id="hits">)?\d+', b"HITS", html)
    return html


def test_catalog_size_and_fields():
    day1 = catalog.documents(day=1)
    assert len(day1) >= 60
    assert {d.site for d in day1} == set(SITES)
    assert len({d.key for d in day1}) == len(day1)
    for d in day1:
        assert d.validity in {"in_force", "amended", "repealed", "expired", "not_yet_in_force", "unknown"}
        assert d.paragraphs and all(p.strip() for p in d.paragraphs)
        if d.doc_number:
            assert re.fullmatch(r"\S+〔\d{4}〕\d+号", d.doc_number), d.doc_number
    raws = {d.doc_number_raw for d in day1 if d.doc_number_raw}
    assert any("[" in r for r in raws) and any("２" in r or "０" in r for r in raws)
    assert {d.validity_raw for d in day1} >= {"有效", "废止", "失效", "已修订", None}
    faults = {d.fault for d in day1}
    assert faults >= {"not_found", "redirect", "malformed", "unavailable_once", "robots_disallowed", "wrong_charset"}


def test_boilerplate_never_in_bodies():
    for site in SITES:
        lines = catalog.boilerplate_lines(site)
        assert "本站已支持IPv6访问" in lines and "扫一扫在手机打开当前页" in lines
        for d in catalog.documents(site, day=2):
            for line in lines:
                assert line not in d.body, (d.key, line)


def test_seed_document_clean_body():
    seed = next(d for d in catalog.documents(YUNXI) if d.title == "行政規范性文件")
    assert seed.paragraphs[0] == "一、政府信息公開組織建設情況"
    assert "(sh" not in seed.body and "用微信掃描二維碼" not in seed.body and "IPv6" not in seed.body
    assert len(seed.paragraphs) == 14


def _trs_pages(portal, slug):
    """Follow TRS pagination the way a crawler must: read createPageHTML's arguments."""
    base = portal.base_url(YUNXI) + f"/zwgk/{slug}/"
    status, headers, first = fetch(base + "index.html")
    assert status == 200 and headers["Content-Type"] == "text/html; charset=UTF-8"
    text = first.decode("utf-8")
    count = int(re.search(r"var countPage = (\d+);", text).group(1))
    assert 'createPageHTML(countPage, currentPage, "index", "html");' in text
    assert "index_1.html\"" not in text and "href=\"index_1.html" not in text   # links only via the script
    pages = [text] + [fetch(base + f"index_{n}.html")[2].decode("utf-8") for n in range(1, count)]
    assert fetch(base + f"index_{count}.html")[0] == 404
    return count, pages


def test_trs_lists_paginate(portal):
    for slug in ("gfxwj", "zcwj"):
        count, pages = _trs_pages(portal, slug)
        assert count >= 3
        hrefs = [urljoin(f"/zwgk/{slug}/index.html", h)
                 for p in pages for h in re.findall(r'<li><a href="([^"]+)" title=', p)]
        expected = [d.list_path for d in catalog.documents(YUNXI) if f"/{slug}/" in d.key]
        assert hrefs == expected
        assert all(h.startswith("./") or h.startswith("../") for p in pages for h in re.findall(r'<li><a href="([^"]+)" title=', p))


def test_hanweb_lists_paginate_and_gbk_titles(portal):
    base = portal.base_url(QINGSHI)
    for slug in ("1234", "1235"):
        url, seen = base + f"/col/col{slug}/index.html", []
        while url:
            status, headers, raw = fetch(url)
            assert status == 200 and headers["Content-Type"] == "text/html"
            text = raw.decode("gbk")
            seen += re.findall(r'<td class="bt"><a href="([^"]+)"[^>]*title="([^"]+)"', text)
            nxt = re.search(r'<a href="([^"]+)">下一页</a>', text)
            url = urljoin(url, nxt.group(1).replace("&amp;", "&")) if nxt else None
        expected = [(d.list_path, d.title) for d in catalog.documents(QINGSHI) if f"/{slug}/" in d.key]
        assert seen == expected and len(seen) > 2 * QINGSHI_SITE.column(slug).page_size
    gbk_only = [d for d in catalog.documents(QINGSHI) if re.search("[镕堃珺昇喆]", d.title) and d.fault is None]
    assert len(gbk_only) >= 3
    for d in gbk_only:
        raw = fetch(base + d.path)[2]
        assert b'charset="gb2312"' in raw or b"charset=gb2312" in raw
        with pytest.raises(UnicodeDecodeError):
            raw.decode("gb2312")
        text = raw.decode("gbk")
        assert f'<meta name="ArticleTitle" content="{d.title}">' in text
        assert all(p in text for p in d.paragraphs if "<" not in p and "&" not in p and " " not in p)


def test_detail_pages_carry_catalog_metadata(portal):
    for d in docs(YUNXI)[:8]:
        text = fetch(portal.base_url(YUNXI) + d.path)[2].decode("utf-8")
        assert '<div class="TRS_Editor">' in text and "索&ensp;引&ensp;号：" in text
        assert d.index_no in text and d.issuer in text
        if d.doc_number_raw:
            assert d.doc_number_raw in text
        for line in ("字号：", "【打印本页】", "扫一扫在手机打开当前页", "相关链接", "浏览次数：", "本站已支持IPv6访问"):
            assert line in text


def test_fault_404_redirect_malformed_charset(portal):
    base = portal.base_url(YUNXI)
    gone = docs(YUNXI, fault="not_found")[0]
    status, _, body = fetch(base + gone.list_path)
    assert status == 404 and "页面不存在".encode() in body
    red = docs(YUNXI, fault="redirect")[0]
    assert red.list_path != red.path
    status, headers, _ = fetch(base + red.list_path, follow=False)
    assert status in (301, 302) and urljoin(base + red.list_path, headers["Location"]) == base + red.path
    assert fetch(base + red.list_path)[0] == 200
    bad = docs(YUNXI, fault="malformed")[0]
    html = fetch(base + bad.path)[2].decode("utf-8")
    assert html.index("</html>") < html.index(bad.paragraphs[-1])
    wrong = docs(YUNXI, fault="wrong_charset")[0]
    status, headers, raw = fetch(base + wrong.path)
    assert headers["Content-Type"] == "text/html" and b'<meta charset="gb2312">' in raw
    assert wrong.encoding == "utf-8" and wrong.title in raw.decode("utf-8")
    assert fetch(base + "/no/such/page.html")[0] == 404


def test_unavailable_once(fresh):
    for site in SITES:
        for d in docs(site, fault="unavailable_once"):
            url = fresh.base_url(site) + d.path
            assert fetch(url)[0] == 503
            assert fetch(url)[0] == 200
            assert fetch(url)[0] == 200
    assert any(s == 503 for *_, s in fresh.request_log)


def test_robots_disallow_one_listed_doc(portal):
    for site in SITES:
        rp = urllib.robotparser.RobotFileParser()
        rp.parse(fetch(portal.base_url(site) + "/robots.txt")[2].decode().splitlines())
        blocked = [d for d in catalog.documents(site) if not rp.can_fetch("guifan", d.list_path)]
        assert [d.fault for d in blocked] == ["robots_disallowed"]


def test_attachments_are_valid_files(portal):
    kinds = set()
    for site in SITES:
        for d in [d for d in catalog.documents(site) if d.attachments and d.fault is None][:6]:
            for name, path in d.attachments:
                status, headers, data = fetch(portal.base_url(site) + path)
                assert status == 200, path
                if path.endswith(".pdf"):
                    assert headers["Content-Type"] == "application/pdf"
                    assert data.startswith(b"%PDF-") and data.rstrip().endswith(b"%%EOF")
                    assert b"/UniGB-UCS2-H" in data
                else:
                    assert headers["Content-Type"].endswith("wordprocessingml.document")
                    doc = zipfile.ZipFile(io.BytesIO(data)).read("word/document.xml").decode("utf-8")
                    assert "登记表" in doc
                kinds.add((site, path.rsplit(".", 1)[1]))
    assert {k for _, k in kinds} == {"pdf", "docx"} and {s for s, _ in kinds} == set(SITES)


def test_determinism_apart_from_counter(portal):
    for site in SITES:
        d = docs(site)[0]
        a = fetch(portal.base_url(site) + d.path)[2]
        b = fetch(portal.base_url(site) + d.path)[2]
        assert a != b                                   # the visit counter moves
        assert strip_counter(a) == strip_counter(b)
    with DemoPortal(day=1) as other:
        path = "/zwgk/gfxwj/index_1.html"
        assert fetch(other.base_url(YUNXI) + path)[2] == fetch(portal.base_url(YUNXI) + path)[2]


def test_day_switch(fresh):
    d1 = {d.key: d for d in catalog.documents(day=1)}
    d2 = {d.key: d for d in catalog.documents(day=2)}
    d3 = {d.key: d for d in catalog.documents(day=3)}
    new = [k for k in d2 if k not in d1]
    gone = [k for k in d1 if k not in d2]
    changed = [k for k in d1 if k in d2 and d1[k].paragraphs != d2[k].paragraphs]
    repealed = [k for k in d1 if k in d2 and d1[k].validity != d2[k].validity]
    assert len(new) >= 2 and len(gone) == 1 and len(changed) == 3 and len(repealed) == 1
    assert d2[repealed[0]].validity_raw == "废止" and d2[repealed[0]].paragraphs == d1[repealed[0]].paragraphs
    assert set(d3) == set(d2) | set(gone) and d3[gone[0]] == d1[gone[0]]

    g = d1[gone[0]]
    base = fresh.base_url(g.site)
    assert fetch(base + g.path)[0] == 200
    first_page = fetch(base + "/zwgk/gfxwj/index.html")[2].decode()
    fresh.set_day(2)
    assert fetch(base + g.path)[0] == 404
    page2 = fetch(base + "/zwgk/gfxwj/index.html")[2].decode()
    assert page2 != first_page and "今天是2024年3月16日" in page2
    top = [d for d in catalog.documents(YUNXI, day=2) if d.key in new]
    assert page2.index(top[0].title) < page2.index(d1[next(k for k in d1 if "/gfxwj/" in k)].title)
    r = d2[repealed[0]]
    assert "废止" in fetch(fresh.base_url(r.site) + r.path)[2].decode(r.encoding)
    for k in changed:
        c = d2[k]
        text = fetch(fresh.base_url(c.site) + c.path)[2].decode(c.encoding)
        assert next(p for p in c.paragraphs if p not in d1[k].paragraphs) in text
    fresh.set_day(3)
    assert fetch(base + g.path)[0] == 200


def test_fixed_ports_and_stop():
    import socket
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    p = DemoPortal(day=1, ports={YUNXI: port})
    p.start()
    try:
        assert p.base_url(YUNXI) == f"http://127.0.0.1:{port}"
        assert fetch(p.base_url(YUNXI) + "/robots.txt")[0] == 200
    finally:
        p.stop()
    with pytest.raises(ValueError):
        DemoPortal(day=4)
