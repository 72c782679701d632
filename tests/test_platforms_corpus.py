"""Each adapter against every real saved page of its platform in ../shared/corpus/.

`platforms/*.json` names each page's `platform` and `kind`; `govpages/` adds a Hanweb
(`gne_tests_gzggw_1`) and a UCAP (`gne_tests_other_1`) detail page. Skipped, with the
reason, when ../shared is not beside the clone.
"""
from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from guifan.crawler.platforms import get_platform, sniff_platform
from guifan.parsers import decode_html, extract

# Real pages by platform: (corpus folder, case) -> platform; platforms/ cases say it in their JSON.
GOVPAGES = {"gne_tests_gzggw_1": "hanweb", "gne_tests_other_1": "ucap"}
# Where a saved page's JSON has no URL: the host it was saved from (in its JSON) and a path of its kind.
STAND_IN_PATHS = {"list": "/zwgk/list/index.html", "detail": "/zwgk/202401/t20240101_1.html"}


def fold(text: str) -> str:
    return re.sub(r"\s+", "", text)


def platform_cases(shared: Path) -> list[tuple[Path, dict]]:
    cases = []
    for meta_path in sorted((shared / "corpus" / "platforms").glob("*.json")):
        cases.append((meta_path, json.loads(meta_path.read_text(encoding="utf-8"))))
    for name, platform in GOVPAGES.items():
        meta_path = shared / "corpus" / "govpages" / f"{name}.json"
        meta = json.loads(meta_path.read_text(encoding="utf-8"))
        cases.append((meta_path, {**meta, "platform": platform, "kind": meta.get("page_kind", "detail")}))
    return cases


def page_url(meta: dict) -> str:
    if meta.get("url"):
        return meta["url"]
    return f"http://{meta.get('site_domain') or 'www.example.gov.cn'}{STAND_IN_PATHS[meta['kind']]}"


@pytest.fixture(scope="module")
def cases(shared_dir):
    found = platform_cases(shared_dir)
    assert found, "../shared/corpus holds platform pages"
    return found


def test_the_corpus_covers_our_platforms(cases):
    assert {m["platform"] for _, m in cases} >= {"trs", "hanweb", "ucap"}


def test_each_page_is_recognised_as_its_platform(cases):
    for path, meta in cases:
        if meta["platform"] == "other":
            continue  # a search-results page of uncertain CMS: nothing to recognise
        html, _ = decode_html(path.with_suffix(".html").read_bytes())
        assert sniff_platform(html) == meta["platform"], path.name


def test_list_pages_give_documents_and_every_page_of_the_column(cases):
    lists = [(p, m) for p, m in cases if m["kind"] == "list" and m["platform"] != "other"]
    assert lists
    for path, meta in lists:
        adapter = get_platform(meta["platform"])
        html = path.with_suffix(".html").read_text("utf-8", "replace")
        pager = re.search(r"createPageHTML\((\d+),\s*(\d+),\s*\"(\w+)\",\s*\"(\w+)\"", html)
        url = page_url(meta)
        if pager:  # stand in the URL this page of the column has
            count, current, stem, ext = int(pager[1]), int(pager[2]), pager[3], pager[4]
            url = url.rsplit("/", 1)[0] + (f"/{stem}.{ext}" if current == 0 else f"/{stem}_{current}.{ext}")
        page = adapter.parse_list(url, path.with_suffix(".html").read_bytes(), "text/html")
        assert len(page.details) >= 5, path.name
        assert all(adapter.is_detail(u) for u in page.details)
        assert all(not u.lower().endswith(".pdf") for u in page.details)    # attachments are not documents
        if pager:  # every other page of the column, no more
            assert len(page.pages) == count - 1 and url not in [p.url for p in page.pages], path.name


def test_detail_pages_extract_with_the_platform_hint_and_link_to_documents(cases):
    details = [(p, m) for p, m in cases if m["kind"] == "detail"]
    assert {m["platform"] for _, m in details} >= {"trs", "hanweb", "ucap"}
    for path, meta in details:
        raw = path.with_suffix(".html").read_bytes()
        doc = extract(raw, page_url(meta), None, {"platform": meta["platform"]})
        assert doc.title and len(doc.body) > 200, path.name
        text = fold(doc.title + doc.body)
        for phrase in meta.get("include") or []:
            assert fold(phrase) in text, (path.name, phrase)
        for phrase in meta.get("exclude") or []:
            assert fold(phrase) not in fold(doc.body), (path.name, phrase)


def test_detail_urls_of_real_pages_are_recognised(cases):
    adapters = {name: get_platform(name) for name in ("trs", "hanweb", "ucap")}
    hanweb = next(m for _, m in cases if m["platform"] == "hanweb")
    assert adapters["hanweb"].is_detail(hanweb["url"])
    for path, meta in cases:
        if meta["platform"] != "trs" or meta["kind"] != "detail":
            continue
        links = re.findall(r'href="([^"]+)"', path.with_suffix(".html").read_text("utf-8", "replace"))
        related = [u for u in links if re.search(r"/t\d{8}_\d+\.html$", u)]
        assert related and all(adapters["trs"].is_detail("http://h/a/" + u.lstrip("./")) for u in related)
    # Hanweb column links and UCAP's own pages are not documents of another platform.
    assert not adapters["hanweb"].is_detail("http://fgw.zj.gov.cn/col/col1621004/index.html")
    assert adapters["ucap"].is_detail("http://www.example.gov.cn/art/2023/art_0123456789abcdef0123456789abcdef.html")
