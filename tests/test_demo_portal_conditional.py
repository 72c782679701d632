"""Conditional requests on the demo portal over real HTTP: ETag / Last-Modified / 304, static lists."""
from __future__ import annotations

import datetime as dt
import email.utils
import urllib.error
import urllib.request

import pytest

from guifan.demo_portal import SITES, DemoPortal, catalog
from guifan.demo_portal.sites import date_of_day

YUNXI, QINGSHI = "demo-yunxi", "demo-qingshi"


def fetch(url: str, headers: dict | None = None) -> tuple[int, dict, bytes]:
    req = urllib.request.Request(url, headers=headers or {})
    try:
        with urllib.request.urlopen(req, timeout=5) as r:
            return r.status, dict(r.headers), r.read()
    except urllib.error.HTTPError as e:
        return e.code, dict(e.headers), e.read()


@pytest.fixture
def fresh():
    with DemoPortal(day=1) as p:
        yield p


def plain(site, day=1):
    return [d for d in catalog.documents(site, day=day) if d.fault is None]


def changes(before: int, after: int) -> dict[str, list]:
    old = {d.key: d for d in catalog.documents(day=before) if d.fault is None}
    new = {d.key: d for d in catalog.documents(day=after) if d.fault is None}
    common = old.keys() & new.keys()
    return {"same": sorted(k for k in common if (old[k].paragraphs, old[k].validity) == (new[k].paragraphs, new[k].validity)),
            "changed": sorted(k for k in common if (old[k].paragraphs, old[k].validity) != (new[k].paragraphs, new[k].validity)),
            "new": sorted(new.keys() - old.keys())}


def test_detail_pages_carry_strong_validators(fresh):
    for site in SITES:
        d = plain(site)[0]
        url = fresh.base_url(site) + d.path
        s1, h1, b1 = fetch(url)
        s2, h2, b2 = fetch(url)
        assert s1 == s2 == 200 and b1 != b2                       # the visit counter moved …
        assert h1["ETag"] == h2["ETag"] and h1["ETag"].startswith('"') and not h1["ETag"].startswith("W/")
        assert h1["Last-Modified"] == h2["Last-Modified"]        # … the validators did not
        modified = email.utils.parsedate_to_datetime(h1["Last-Modified"])
        assert modified.date() <= dt.date.fromisoformat(d.published_date)
        assert modified == catalog.last_modified(site, d.key, 1)


def test_if_none_match_and_if_modified_since(fresh):
    d = plain(YUNXI)[1]
    url = fresh.base_url(YUNXI) + d.path
    _, h, _ = fetch(url)
    etag, lm = h["ETag"], h["Last-Modified"]
    status, headers, body = fetch(url, {"If-None-Match": etag})
    assert status == 304 and body == b"" and headers["ETag"] == etag and "Content-Length" not in headers
    assert fetch(url, {"If-None-Match": f'"nope", W/{etag}'})[0] == 304       # lists, weak comparison
    assert fetch(url, {"If-None-Match": '"nope"'})[0] == 200
    assert fetch(url, {"If-None-Match": '"nope"', "If-Modified-Since": lm})[0] == 200   # INM wins
    assert fetch(url, {"If-Modified-Since": lm})[0] == 304
    when = email.utils.parsedate_to_datetime(lm)
    later = email.utils.format_datetime(when + dt.timedelta(days=30), usegmt=True)
    earlier = email.utils.format_datetime(when - dt.timedelta(seconds=1), usegmt=True)
    assert fetch(url, {"If-Modified-Since": later})[0] == 304
    assert fetch(url, {"If-Modified-Since": earlier})[0] == 200
    assert fetch(url, {"If-Modified-Since": "yesterday-ish"})[0] == 200
    assert fetch(url, {"If-None-Match": "*"})[0] == 304
    # 304s count in the request log like any answer
    assert (YUNXI, "GET", d.path, 304) in fresh.request_log


def test_validators_follow_content_across_days(fresh):
    day1 = {}
    for site in SITES:
        for d in plain(site):
            day1[d.key] = fetch(fresh.base_url(site) + d.path)[1]
    fresh.set_day(2)
    ch = changes(1, 2)
    assert ch["same"] and ch["changed"] and ch["new"]
    docs2 = {d.key: d for d in catalog.documents(day=2)}
    for key in ch["same"]:
        d = docs2[key]
        url = fresh.base_url(d.site) + d.path
        status, headers, body = fetch(url)
        assert status == 200 and "今天是2024年3月16日".encode(d.encoding) in body       # the chrome moved on …
        assert headers["ETag"] == day1[key]["ETag"]                                 # … the document did not
        assert headers["Last-Modified"] == day1[key]["Last-Modified"]
        assert fetch(url, {"If-None-Match": day1[key]["ETag"]})[0] == 304
        assert fetch(url, {"If-Modified-Since": day1[key]["Last-Modified"]})[0] == 304
    for key in ch["changed"]:                                   # edited paragraphs and the repeal
        d = docs2[key]
        url = fresh.base_url(d.site) + d.path
        status, headers, _ = fetch(url, {"If-None-Match": day1[key]["ETag"]})
        assert status == 200 and headers["ETag"] != day1[key]["ETag"]
        modified = email.utils.parsedate_to_datetime(headers["Last-Modified"])
        assert modified.astimezone(catalog.CST).date() == date_of_day(2)
        assert fetch(url, {"If-Modified-Since": day1[key]["Last-Modified"]})[0] == 200
    # Day 3: the vanished page is published again: same text as day 1, new validators.
    fresh.set_day(3)
    back = changes(2, 3)["new"]
    assert back
    for key in back:
        d = {x.key: x for x in catalog.documents(day=3)}[key]
        status, headers, _ = fetch(fresh.base_url(d.site) + d.path, {"If-None-Match": day1[key]["ETag"]})
        assert status == 200 and headers["ETag"] != day1[key]["ETag"]
        assert catalog.content_since(d.site, key, 3) == 3


def test_list_pages_are_static_between_requests(fresh):
    lists = [(YUNXI, "/zwgk/gfxwj/index.html"), (YUNXI, "/zwgk/zcwj/index_1.html"),
             (QINGSHI, "/col/col1234/index.html"), (QINGSHI, "/col/col1234/index.html?uid=4321&pageNum=2")]
    for site, path in lists:
        a, b = fetch(fresh.base_url(site) + path), fetch(fresh.base_url(site) + path)
        assert a[0] == 200 and a[2] == b[2], path
        assert "浏览次数".encode(catalog.SITE_OBJECTS[site].encoding) not in a[2]
    first = fetch(fresh.base_url(YUNXI) + "/zwgk/gfxwj/index.html")[2]
    fresh.set_day(2)
    assert fetch(fresh.base_url(YUNXI) + "/zwgk/gfxwj/index.html")[2] != first      # the list changed


def test_attachments_revalidate(fresh):
    d = next(d for d in plain(YUNXI) if d.attachments)
    url = fresh.base_url(YUNXI) + d.attachments[0][1]
    status, headers, _ = fetch(url)
    assert status == 200
    lm = headers["Last-Modified"]
    assert fetch(url, {"If-Modified-Since": lm})[0] == 304
    later = email.utils.format_datetime(email.utils.parsedate_to_datetime(lm) + dt.timedelta(days=1), usegmt=True)
    assert fetch(url, {"If-Modified-Since": later})[0] == 304
    assert fetch(url, {"If-Modified-Since": "Mon, 01 Jan 2001 00:00:00 GMT"})[0] == 200
