"""The WARC export replayed in a real pywb: a list page's links resolve, redirects and 304s included.

pywb pins redis==2.10.6, which cannot live beside guifan's redis>=5 (distributed mode), so it
runs from an environment of its own: `make pywb` builds .venv-pywb (or set GUIFAN_PYWB to a
directory holding `wayback` and `wb-manager`). It serves on loopback only.
"""
from __future__ import annotations

import json
import os
import re
import socket
import sqlite3
import subprocess
import time
import urllib.error
import urllib.parse
import urllib.request
from pathlib import Path

import pytest

from guifan.demo_portal import SITES, DemoPortal
from guifan.parsers import decode_html

from .conftest import REPO, crawl_to_archive, run_guifan

PYWB_BIN = Path(os.environ.get("GUIFAN_PYWB") or REPO / ".venv-pywb" / "bin")
if not (PYWB_BIN / "wayback").exists() and not os.environ.get("GUIFAN_REQUIRE_PYWB"):
    pytest.skip(f"pywb is not installed at {PYWB_BIN} (`make pywb`; it needs its own environment "
                "because it pins redis==2.10.6)", allow_module_level=True)


@pytest.fixture(scope="module")
def warc(tmp_path_factory):
    """The demo portal crawled twice (the second crawl gets 304s), exported as WARC."""
    tmp = tmp_path_factory.mktemp("replay")
    db = tmp / "demo.db"
    with DemoPortal(day=1) as portal:
        crawl_to_archive(db, portal, SITES)
        crawl_to_archive(db, portal, SITES)
    out = tmp / "demo.warc.gz"
    result = run_guifan("export", "--format", "warc", "--db", str(db), "--out", str(out))
    assert result.returncode == 0, result.stderr
    return db, out


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture(scope="module")
def pywb(warc, tmp_path_factory):
    root = tmp_path_factory.mktemp("pywb")
    env = {**os.environ, "PYTHONUNBUFFERED": "1"}
    for args in (["init", "guifan"], ["add", "guifan", str(warc[1])]):
        done = subprocess.run([str(PYWB_BIN / "wb-manager"), *args], cwd=root, env=env,
                              capture_output=True, text=True, timeout=120)
        assert done.returncode == 0, done.stderr
    port = free_port()
    proc = subprocess.Popen([str(PYWB_BIN / "wayback"), "-b", "127.0.0.1", "-p", str(port), "-t", "2"],
                            cwd=root, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
    base = f"http://127.0.0.1:{port}/guifan/"
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                urllib.request.urlopen(f"http://127.0.0.1:{port}/", timeout=2).read()
                break
            except OSError:
                if proc.poll() is not None or time.monotonic() > deadline:
                    raise AssertionError(f"pywb did not start: {proc.stderr.read() if proc.poll() is not None else ''}")
                time.sleep(0.3)
        yield base
    finally:
        proc.terminate()
        proc.wait(timeout=10)


# The latest capture, without pywb's banner frame (mp_: the page itself, links rewritten).
LATEST = "29991231235959mp_/"


def replay(url: str) -> tuple[int, str, str]:
    """(status, final URL, text) of a replayed URL, redirects followed as a browser would."""
    try:
        with urllib.request.urlopen(url, timeout=30) as r:
            return r.status, r.url, decode_html(r.read(), {"content-type": r.headers.get("Content-Type", "")})[0]
    except urllib.error.HTTPError as exc:
        return exc.code, url, exc.read().decode("utf-8", "replace")


def test_replayed_list_page_links_resolve_through_redirects(warc, pywb):
    db, _ = warc
    with sqlite3.connect(db) as conn:
        # The demo lists one document under a URL that answers 301: the page that lists it.
        hop_url, list_url = conn.execute(
            "SELECT json_extract(c.redirects, '$[0]'), f.referer FROM captures c JOIN fetch_log f "
            "ON f.capture_id = c.capture_id WHERE c.redirects != '[]' AND f.referer IS NOT NULL LIMIT 1").fetchone()
        archived = {u for (u,) in conn.execute("SELECT url FROM documents")} | {hop_url}
    status, where, page = replay(pywb + LATEST + list_url)
    assert status == 200, page[:500]
    # pywb rewrites absolute links to <pywb>/guifan/<timestamp>mp_/<original URL>; relative ones are
    # left for the browser, which resolves them against the replay address, i.e. the original's.
    prefix, original_page = re.match(r"(.*?/guifan/\d+[a-z_]*/)(.*)", where).groups()
    documents = {}
    for href in re.findall(r'href="([^"]+)"', page):
        if href.startswith(pywb):
            link = href
            original = href[len(re.match(r".*?/guifan/\d+[a-z_]*/", href).group(0)):]
        else:
            original = urllib.parse.urljoin(original_page, href)
            link = prefix + original
        if original in archived:
            documents[link] = original
    assert hop_url in documents.values() and len(documents) >= 5
    for link, original in sorted(documents.items()):
        status, final, text = replay(link)
        assert status == 200 and "URL Not Found" not in text, (original, status)
    status, final, _ = replay(pywb + LATEST + hop_url)
    assert status == 200 and not final.endswith(hop_url)              # followed to where it landed


def test_pages_confirmed_by_304_replay_their_earlier_copy(warc, pywb):
    """Each 304 is in the WARC (a server-not-modified revisit at its own time), and replaying the
    page at that time shows the copy the server confirmed."""
    db, _ = warc
    with sqlite3.connect(db) as conn:
        rows = conn.execute("SELECT u.url, f.at FROM fetches f JOIN urls u ON u.url_id = f.url_id "
                            "WHERE f.status = 304 AND f.kind = 'detail' ORDER BY f.fetch_id LIMIT 5").fetchall()
        titles = {u: t for u, t in conn.execute("SELECT url, title FROM current")}
    assert rows, "the second crawl got 304 answers"
    for url, at in rows:
        stamp = re.sub(r"\D", "", at)[:14]
        status, _, index = replay(pywb + "cdx?" + urllib.parse.urlencode({"url": url, "output": "json"}))
        entries = [json.loads(line) for line in index.splitlines()]
        assert any(e["timestamp"] == stamp and e["mime"] == "warc/revisit" for e in entries), (url, entries)
        status, _, text = replay(pywb + stamp + "mp_/" + url)     # the capture closest to the 304
        assert status == 200 and titles[url] in text, url
