"""A hostile portal: script links, links and redirects to another host. Two loopback hosts:
the portal on 127.0.0.1 and an "intranet" on 127.0.0.2 that must never see a request."""
from __future__ import annotations

import json
import sqlite3
import subprocess
import sys
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from .conftest import REPO

TITLE = "青石县人民政府关于加强农村供水工程管理的通知"
BODY = "".join(f"<p>第{i}条　为加强农村供水工程运行管理，保障群众饮水安全，现就有关事项通知如下。</p>" for i in range(1, 9))


def detail(title: str, attachments: str = "") -> bytes:
    return (f"<html><head><meta charset='utf-8'><title>{title}_青石县人民政府</title></head><body>"
            f"<div class='header'>青石县人民政府 首页 政务公开</div>"
            f"<div class='article'><h1>{title}</h1>{BODY}<div class='fj'>{attachments}</div></div>"
            f"<div class='footer'>主办：青石县人民政府办公室</div></body></html>").encode("utf-8")


class Intranet(BaseHTTPRequestHandler):
    hits: list[str] = []

    def do_GET(self):
        Intranet.hits.append(self.path)
        self.send_response(200)
        self.send_header("Content-Type", "text/html; charset=utf-8")
        self.end_headers()
        self.wfile.write(detail("内部系统机密页面"))

    def log_message(self, *args):
        pass


def portal_handler(intranet: str):
    attachments = "".join(f'<a href="{href}">{name}</a><br>' for name, href in [
        ("附件1：申报表.pdf", "JavaScript:void(0)"),
        ("附件2：内部文件.pdf", f"{intranet}/secret.pdf"),
        ("附件3：实施细则.pdf", "/files/ok1.pdf"),
        ("附件4：说明.pdf", "JAVASCRIPT:void(window.__pwned=1)"),
        ("附件5：说明.pdf", "java\tscript:void(window.__pwned=1)"),
        ("附件6：名单.pdf", "/files/ok2.pdf"),
    ])
    pages = {
        "/list/index.html": ("200", "<html><body><ul>" + "".join(
            f'<li><a href="/art/2024010100{i}.html">{TITLE}（第{i}号）</a></li>' for i in (1, 2, 3)) +
            "</ul></body></html>"),
        "/art/20240101001.html": ("200", detail(TITLE + "（第1号）", attachments)),
        "/art/20240101002.html": ("302", f"{intranet}/internal/20240101002.html"),
        "/art/20240101003.html": ("301", "/art/20240101003-moved.html"),
        "/art/20240101003-moved.html": ("200", detail(TITLE + "（第3号）")),
        "/files/ok1.pdf": ("200", b"%PDF-1.4 first"),
        "/files/ok2.pdf": ("200", b"%PDF-1.4 second"),
    }

    class Portal(BaseHTTPRequestHandler):
        def do_GET(self):
            status, content = pages.get(self.path, ("404", "not here"))
            self.send_response(int(status))
            if status.startswith("3"):
                self.send_header("Location", content)
                content = "moved"
            kind = "application/pdf" if self.path.endswith(".pdf") else "text/html; charset=utf-8"
            data = content if isinstance(content, bytes) else content.encode("utf-8")
            self.send_header("Content-Type", kind)
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)

        def log_message(self, *args):
            pass

    return Portal


def serving(host: str, handler):
    server = ThreadingHTTPServer((host, 0), handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server


CRAWL = """
import json, sys
from guifan.crawler.profiles import SiteProfile
from guifan.crawler.runner import crawl
profile = SiteProfile(**json.loads(sys.argv[2]))
crawl([profile], sys.argv[1], LOG_LEVEL="WARNING", GUIFAN_EXTRACT_PROCESSES=0, CLOSESPIDER_TIMEOUT=60)
"""


@pytest.fixture(scope="module")
def hostile_crawl(tmp_path_factory):
    try:
        intranet = serving("127.0.0.2", Intranet)
    except OSError as exc:
        pytest.skip(f"cannot listen on 127.0.0.2 ({exc}): the off-site host needs a second loopback address")
    intranet_url = f"http://127.0.0.2:{intranet.server_address[1]}"
    portal = serving("127.0.0.1", portal_handler(intranet_url))
    db = tmp_path_factory.mktemp("scope") / "hostile.db"
    profile = {"name": "hostile-test", "name_zh": "青石县人民政府（测试）", "region": "测试省青石县",
               "admin_code": "999999", "platform": "generic", "start_urls": ["/list/index.html"],
               "base_url": f"http://127.0.0.1:{portal.server_address[1]}"}
    try:
        result = subprocess.run([sys.executable, "-c", CRAWL, str(db), json.dumps(profile, ensure_ascii=False)],
                                cwd=REPO, capture_output=True, text=True, timeout=120)
    finally:
        portal.shutdown()
        intranet.shutdown()
    assert result.returncode == 0, result.stderr
    conn = sqlite3.connect(db)
    conn.row_factory = sqlite3.Row
    yield conn, result
    conn.close()


def fetches(conn, pattern: str) -> list[sqlite3.Row]:
    return conn.execute("SELECT * FROM fetch_log WHERE url LIKE ? ORDER BY fetch_id", (pattern,)).fetchall()


def test_the_other_host_never_sees_a_request(hostile_crawl):
    conn, _ = hostile_crawl
    assert Intranet.hits == []
    assert not conn.execute("SELECT 1 FROM captures WHERE final_url LIKE '%127.0.0.2%'").fetchone()
    assert not conn.execute("SELECT 1 FROM documents WHERE url LIKE '%127.0.0.2%'").fetchone()


def test_off_site_redirect_is_recorded_not_followed(hostile_crawl):
    conn, _ = hostile_crawl
    [attempt] = fetches(conn, "%/art/20240101002.html")
    assert (attempt["outcome"], attempt["reason"], attempt["status"]) == ("blocked", "off_site_redirect", 302)
    headers = dict(json.loads(conn.execute("SELECT response_headers FROM captures WHERE capture_id = ?",
                                           (attempt["capture_id"],)).fetchone()[0]))
    assert headers["Location"].startswith("http://127.0.0.2:")       # what the server said, kept
    assert attempt["doc_id"] is None


def test_off_site_attachment_is_recorded_not_fetched(hostile_crawl):
    conn, _ = hostile_crawl
    [attempt] = fetches(conn, "%/secret.pdf")
    assert (attempt["outcome"], attempt["reason"], attempt["status"]) == ("blocked", "off_site", None)


def test_script_links_do_not_stop_the_attachments_after_them(hostile_crawl):
    """`JavaScript:void(0)` used to raise in the page callback: 附件3 and 附件6 were never fetched."""
    conn, _ = hostile_crawl
    for name in ("ok1.pdf", "ok2.pdf"):
        [attempt] = fetches(conn, f"%/files/{name}")
        assert attempt["outcome"] == "new" and attempt["status"] == 200
    stored = json.loads(conn.execute("SELECT attachments FROM current WHERE url LIKE '%20240101001.html'").fetchone()[0])
    urls = [a["url"] for a in stored]
    assert [u.rsplit("/", 1)[-1] for u in urls] == ["secret.pdf", "ok1.pdf", "ok2.pdf"]
    assert all(u.startswith("http://") for u in urls)                  # no script link archived


def test_same_site_redirect_is_followed_and_its_hop_kept(hostile_crawl):
    conn, _ = hostile_crawl
    [attempt] = fetches(conn, "%/art/20240101003.html")
    assert attempt["outcome"] == "new"
    hop = conn.execute("SELECT h.status, h.response_headers FROM redirect_hops h WHERE h.fetch_id = ?",
                       (attempt["fetch_id"],)).fetchone()
    assert hop["status"] == 301 and ["Location", "/art/20240101003-moved.html"] in json.loads(hop["response_headers"])
