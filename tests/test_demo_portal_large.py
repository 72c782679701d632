"""The large demo site for crawl benchmarks: lazy, deterministic, fast, over real HTTP."""
from __future__ import annotations

import re
import time
import urllib.error
import urllib.request
from urllib.parse import urljoin

import pytest

from guifan.demo_portal import large
from guifan.demo_portal.large import LargePortal


def fetch(url: str, headers: dict | None = None) -> tuple[int, dict, bytes]:
    try:
        with urllib.request.urlopen(urllib.request.Request(url, headers=headers or {}), timeout=10) as r:
            return r.status, dict(r.headers), r.read()
    except urllib.error.HTTPError as e:
        return e.code, dict(e.headers), e.read()


def test_small_large_site_crawls_like_a_trs_site():
    with LargePortal(documents=45, keep_log=True) as lp:
        base = lp.base_url()
        first = fetch(lp.start_urls[0])[2].decode("utf-8")
        count = int(re.search(r"var countPage = (\d+);", first).group(1))
        assert count == lp.list_pages == 3
        pages = [first] + [fetch(base + large.list_path(n))[2].decode("utf-8") for n in range(1, count)]
        assert fetch(base + large.list_path(count))[0] == 404 and fetch(base + "/zwgk/gfxwj/index_0.html")[0] == 404
        hrefs = [urljoin("/zwgk/gfxwj/index.html", h) for p in pages for h in re.findall(r'<li><a href="([^"]+)" title=', p)]
        assert hrefs == list(lp.detail_paths()) == [large.detail_path(p) for p in range(45)]
        for pos in (0, 7, 44):
            d = large.document(pos)
            status, headers, raw = fetch(base + d.path)
            page = raw.decode("utf-8")
            assert status == 200 and d.title in page and '<div class="TRS_Editor">' in page
            assert all(p in page for p in d.paragraphs if " " not in p and "<" not in p and "&" not in p)
            assert not d.attachments and d.fault is None
            assert fetch(base + d.path, {"If-None-Match": headers["ETag"]})[0] == 304
            assert fetch(base + d.path)[1]["ETag"] == headers["ETag"]
        assert fetch(base + large.detail_path(45))[0] == 404            # beyond N
        assert fetch(base + large.detail_path(3).replace("t2024", "t2023"))[0] == 404
        assert fetch(base + "/robots.txt")[0] == 200
        assert lp.request_count == len(lp.request_log) > 10


def test_documents_are_independent_of_size_and_titles_cheap():
    assert large.document(12) == large.document(12)
    for pos in range(0, 5000, 173):
        assert large.title(pos) == large.entry(pos).doc.title      # list titles from the generator's first draws
    paths = [large.detail_path(p) for p in range(20000)]
    assert len(set(paths)) == 20000 and all(large.position(p, 20000) == i for i, p in enumerate(paths[:500]))
    docs = list(large.documents(30))
    assert len({d.title for d in docs}) > 20 and len({d.published_date for d in docs}) == 5


def test_twenty_thousand_documents_are_served_lazily():
    large.entry.cache_clear()
    started = time.perf_counter()
    with LargePortal(documents=20_000) as lp:
        assert time.perf_counter() - started < 1.0 and lp.list_pages == 1000
        base = lp.base_url()
        last = fetch(base + large.list_path(999))[2].decode("utf-8")
        assert large.detail_path(19_999).rsplit("/", 1)[1] in last
        t = time.perf_counter()
        for pos in range(0, 20_000, 100):                        # 200 cold detail pages
            assert fetch(base + large.detail_path(pos))[0] == 200
        assert time.perf_counter() - t < 10
        assert large.entry.cache_info().currsize <= 201           # nothing generated ahead of requests


def test_spawned_in_its_own_process():
    with large.spawn(documents=100) as base:
        assert re.fullmatch(r"http://127\.0\.0\.1:\d+", base)
        status, headers, raw = fetch(base + large.detail_path(99))
        assert status == 200 and large.document(99).title in raw.decode("utf-8")
        assert fetch(base + large.detail_path(100))[0] == 404


def test_rejects_empty_site():
    with pytest.raises(ValueError):
        LargePortal(documents=0)
