"""Anti-bot walls: classification, per-domain backoff, and `--render` against demo-shiling,
whose two challenged pages only show their content after a JavaScript challenge sets a cookie."""
from __future__ import annotations

import importlib.util
import json
import os
import re
import shutil
import sqlite3

import pytest
from scrapy import Request
from scrapy.core.downloader import Slot
from scrapy.exceptions import IgnoreRequest
from scrapy.http import HtmlResponse
from scrapy.utils.test import get_crawler

from guifan.crawler.antibot import RENDERABLE, WALL_KEY, AntiBotBackoff
from guifan.crawler.helpers import judge_and_extract
from guifan.parsers.detect_challenge import block_reason
from guifan.demo_portal import PLATFORM_SITES, DemoPortal, catalog
from guifan.demo_portal import challenge as demo_challenge
from guifan.demo_portal.sites import SITE_OBJECTS
from tests.conftest import crawl_to_archive, row_connection

SHILING = "demo-shiling"
FIELDS = ["title", "doc_number", "index_no", "issuer", "written_date", "published_date", "validity", "doc_type"]
NORMAL_PAGE = ("<html><head><title>关于印发某某办法的通知</title></head><body><div id='zoom'>"
               + "<p>为进一步规范行政规范性文件管理工作，根据有关规定，结合本县实际，制定本办法。</p>" * 20
               + "</div></body></html>").encode()


# -- classification -------------------------------------------------------------------

WALLS = [
    (412, demo_challenge.stub(SITE_OBJECTS[SHILING], "412"), "text/html", "http_412_challenge"),
    (521, demo_challenge.stub(SITE_OBJECTS[SHILING], "521"), "text/html", "http_521_challenge"),
    (418, b"I'm a teapot", "text/plain", "http_418"),
    (202, demo_challenge.stub(SITE_OBJECTS[SHILING], "412"), "text/html", "http_202_challenge"),
    (200, demo_challenge.stub(SITE_OBJECTS[SHILING], "521"), "text/html", "challenge_stub"),
    (403, b"<html><body><script>var $_ts=window['$_ts'];</script></body></html>", "text/html",
     "http_403_challenge"),
    (200, "<html><body><form>请输入验证码：<img src='/captcha.jpg'><input name='code'></form></body></html>"
     .encode(), "text/html; charset=utf-8", "captcha"),
    (200, NORMAL_PAGE, "text/html; charset=utf-8", None),
    (403, "<html><body><h1>403 Forbidden</h1><p>您无权访问此页面。</p></body></html>".encode(), "text/html", None),
    (200, b"%PDF-1.4 binary", "application/pdf", None),
    (200, b"", "text/html", None),
]


@pytest.mark.parametrize("status, body, ctype, reason", WALLS)
def test_block_reasons(status, body, ctype, reason):
    assert block_reason(status, {"content-type": ctype}, body) == reason


@pytest.mark.parametrize("status, body, ctype, reason", WALLS)
def test_extraction_workers_judge_walls_alike(status, body, ctype, reason):
    """Offloaded pages are judged in the worker (crawler/helpers.py); same verdicts, and a wall
    is not extracted."""
    wall, found = judge_and_extract(status, body, "http://www.example.gov.cn/a.html", {"Content-Type": ctype}, {})
    assert wall == reason
    if wall:
        assert found is None


def test_the_middleware_takes_the_workers_verdict():
    mw, _ = backoff()
    request, response = answer(200, demo_challenge.stub(SITE_OBJECTS[SHILING], "521"))
    request.meta[WALL_KEY] = "challenge_stub"
    mw.process_response(request, response)
    assert request.meta["guifan_blocked"] == "challenge_stub" and WALL_KEY not in request.meta
    request, response = answer(200, NORMAL_PAGE)  # judged here when no worker did
    mw.process_response(request, response)
    assert request.meta["guifan_blocked"] is None


# A captcha wall whose few visible characters are many bytes (GBK, UTF-8) is still a wall; a
# page just over the limit is not, whatever its encoding: the raw-byte shortcut may only say
# "too much text for a wall" when no decoding could make it less.
CAPTCHA_TEXT = "为保障网站安全，请完成验证码验证后继续访问本站页面。" * 15  # 390 characters


@pytest.mark.parametrize("encoding", ["utf-8", "gb18030"])
@pytest.mark.parametrize("text, reason", [(CAPTCHA_TEXT, "captcha"), (CAPTCHA_TEXT + "多出的文字" * 3, None)])
def test_walls_are_counted_in_characters_not_bytes(encoding, text, reason):
    body = (f"<html><head><script>{'var x = 1;' * 300}</script></head><body><p>{text}</p>"
            "<img src='/captcha.jpg'></body></html>").encode(encoding)
    assert len(body) > 4 * 400
    assert block_reason(200, {"content-type": f"text/html; charset={encoding}"}, body) == reason


def test_browser_passable_walls_only_are_rendered():
    assert {"http_412_challenge", "http_521_challenge", "challenge_stub"} <= RENDERABLE
    assert not {"captcha", "http_418"} & RENDERABLE


# -- backoff ----------------------------------------------------------------------------

class FakeDownloader:
    def __init__(self, delay: float):
        self.slots = {"www.example.gov.cn": Slot(concurrency=1, delay=delay, jitter=0)}

    def get_slot_key(self, request):
        return "www.example.gov.cn"


def backoff(**settings):
    crawler = get_crawler(settings_dict={"GUIFAN_BACKOFF_START": 5.0, "GUIFAN_BACKOFF_MAX_DELAY": 30.0,
                                         "GUIFAN_BACKOFF_GIVE_UP": 4, **settings})
    crawler.stats.open_spider()
    crawler.engine = type("Engine", (), {"downloader": FakeDownloader(1.0)})()
    return AntiBotBackoff(crawler), crawler.engine.downloader.slots["www.example.gov.cn"]


def answer(status: int, body: bytes) -> tuple[Request, HtmlResponse]:
    request = Request("http://www.example.gov.cn/zwgk/t20240101_1.html")
    return request, HtmlResponse(request.url, status=status, body=body, request=request, encoding="utf-8")


def test_blocks_raise_the_domain_delay_and_passes_ease_it():
    mw, slot = backoff()
    stub = demo_challenge.stub(SITE_OBJECTS[SHILING], "412")
    delays = []
    for _ in range(4):
        request, response = answer(412, stub)
        mw.process_response(request, response)
        assert request.meta["guifan_blocked"] == "http_412_challenge"
        delays.append(slot.delay)
    assert delays == [5.0, 10.0, 20.0, 30.0]                  # doubles, capped at MAX_DELAY
    for expected in (15.0, 7.5, 1.0):                          # halves back, then the site's own delay
        mw.process_response(*answer(200, NORMAL_PAGE))
        assert slot.delay == expected


def test_a_domain_that_keeps_blocking_is_left_alone():
    mw, _ = backoff(GUIFAN_BACKOFF_GIVE_UP=2)
    for _ in range(2):
        mw.process_response(*answer(521, demo_challenge.stub(SITE_OBJECTS[SHILING], "521")))
    with pytest.raises(IgnoreRequest, match="host_blocked"):
        mw.process_request(Request("http://www.example.gov.cn/other.html"))


# -- end to end ---------------------------------------------------------------------------

@pytest.fixture(scope="module")
def portal():
    with DemoPortal(sites=PLATFORM_SITES) as p:
        yield p


def crawl_shiling(portal, tmp_path, *options) -> tuple[sqlite3.Connection, str]:
    """Crawl demo-shiling with the CLI; the archive and the CLI's stderr."""
    db = tmp_path / "shiling.db"
    result = crawl_to_archive(db, portal, [SHILING], *options)
    return row_connection(db), result.stderr


def challenged(portal) -> dict[str, object]:
    return {portal.base_url(SHILING) + d.path: d for d in catalog.documents(SHILING) if d.fault == "challenge"}


def test_without_render_challenged_pages_end_blocked_never_documents(portal, tmp_path):
    conn, log = crawl_shiling(portal, tmp_path, "-v", "-s", "GUIFAN_BACKOFF_START=0.5")
    walls = challenged(portal)
    fetches = {r["url"]: dict(r) for r in conn.execute("SELECT * FROM fetch_log WHERE kind = 'detail'")}
    assert {fetches[u]["reason"] for u in walls} == {"http_412_challenge", "http_521_challenge"}
    assert {fetches[u]["outcome"] for u in walls} == {"blocked"}
    current = {r["url"] for r in conn.execute("SELECT url FROM current")}
    assert not current & set(walls)
    assert len(current) == len(catalog.documents(SHILING)) - len(walls)
    # The domain's delay was raised after the blocks (Scrapy's stats, printed with -v).
    raised = re.search(r"'guifan/backoff/max_delay': ([\d.]+)", log)
    assert raised and float(raised.group(1)) >= 0.5


def test_a_domain_that_blocks_too_often_gets_no_more_requests(portal, tmp_path):
    conn, _ = crawl_shiling(portal, tmp_path, "-s", "GUIFAN_BACKOFF_GIVE_UP=1", "-s", "CONCURRENT_REQUESTS=1",
                         "-s", "GUIFAN_BACKOFF_START=0.1")
    dropped = [dict(r) for r in conn.execute("SELECT * FROM fetch_log WHERE reason = 'host_blocked'")]
    assert dropped and all(r["outcome"] == "blocked" and r["capture_id"] is None for r in dropped)


def browser_available() -> bool:
    ok = bool(shutil.which("chromium")) and importlib.util.find_spec("scrapy_playwright") is not None
    if not ok and os.environ.get("GUIFAN_REQUIRE_BROWSER"):
        pytest.fail("GUIFAN_REQUIRE_BROWSER is set but chromium or scrapy-playwright is missing")
    return ok


def test_with_render_challenged_pages_become_correct_documents(portal, tmp_path):
    if not browser_available():
        pytest.skip("no system Chromium or scrapy-playwright")
    conn, _ = crawl_shiling(portal, tmp_path, "--render", "-s", "GUIFAN_BACKOFF_START=0.1")
    rows = {r["url"]: dict(r) for r in conn.execute("SELECT * FROM current")}
    assert len(rows) == len(catalog.documents(SHILING))
    for url, doc in challenged(portal).items():
        row = rows[url]
        assert [(f, row[f]) for f in FIELDS] == [(f, getattr(doc, f)) for f in FIELDS]
        assert all(p in row["body"] for p in doc.paragraphs)
        log = [dict(r) for r in conn.execute("SELECT * FROM fetch_log WHERE url = ? ORDER BY fetch_id", (url,))]
        assert [f["outcome"] for f in log] == ["blocked", "new"]
        assert log[0]["reason"].endswith("_challenge_rendered")
        # The archived bytes are the server's answer to a plain request carrying the earned cookie.
        capture = conn.execute("SELECT * FROM captures WHERE capture_id = ?", (row["capture_id"],)).fetchone()
        cookie = dict((k.lower(), v) for k, v in json.loads(capture["request_headers"])).get("cookie", "")
        assert "guifan_challenge=" in cookie or "__jsl_clearance=" in cookie
        assert capture["status"] == 200
