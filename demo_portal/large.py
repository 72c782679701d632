"""A large TRS-style county site for crawl benchmarks (issue 7): N documents, generated per
request from their position, never all at once.

* ``/zwgk/gfxwj/index.html``, ``index_1.html`` … ``index_{P-1}.html`` (P = ceil(N / 20)),
  linked only through ``createPageHTML`` as on demo-yunxi; 20 documents per page, newest first.
* Document ``pos`` (0 = newest) lives at ``/zwgk/gfxwj/YYYYMM/tYYYYMMDD_ID.html`` with
  ``ID = 9_000_000 - 3 * pos`` and a publication date 1 day older every 7 documents; its
  title, metadata and body come from the same generator as the demo catalog, seeded by
  ``pos`` alone (so document ``pos`` is the same whatever N is).
* No faults, no delays, no attachments; detail pages carry the usual visit counter, ETag and
  Last-Modified (and answer 304). Per request: one seeded generation (~0.1 ms, LRU-cached)
  and one render, so the server is not the bottleneck of a crawl.

In-process::

    with LargePortal(documents=20000) as lp:
        lp.base_url(), lp.start_urls, lp.list_pages, lp.request_count

In its own process (keeps the GIL away from the crawler under test)::

    with spawn(documents=20000) as base_url:
        ...

or ``python -m guifan.demo_portal --large 20000 --port 8801`` (profile ``crawler/sites/demo-large.toml``).
"""
from __future__ import annotations

import contextlib
import datetime as dt
import itertools
import math
import os
import random
import re
import subprocess
import sys
import threading
from functools import lru_cache
from http.server import ThreadingHTTPServer
from pathlib import Path
from types import SimpleNamespace
from typing import Iterator

from . import conditional
from .templates import trs
from . import textgen as tg
from .catalog import CST, DemoDoc, Entry, _make_entry, _title
from .conditional import HITS_MARK
from .world import DAY_ONE, Column, Site
from .textgen import today_line

SITE_NAME = "demo-large"
PAGE_SIZE = 20
FIRST_ID = 9_000_000
ID_STEP = 3
DOCS_PER_DAY = 7
DETAIL_RE = re.compile(r"/zwgk/gfxwj/(\d{6})/t(\d{8})_(\d+)\.html")
LIST_RE = re.compile(r"/zwgk/gfxwj/(?:index(?:_(\d+))?\.html)?")

COLUMN = Column("gfxwj", "规范性文件", 0, PAGE_SIZE)
LARGE = Site(
    name=SITE_NAME, name_zh="大川县人民政府", county="大川县", region="示范省大川县",
    admin_code="990199", platform="trs", encoding="utf-8", port=8801,
    columns=(COLUMN,),
    issuers=(("大川县人民政府", "川政发"), ("大川县人民政府办公室", "川政办发"), ("大川县人民政府", "川政规"),
             ("大川县财政局", "川财"), ("大川县住房和城乡建设局", "川建"), ("大川县民政局", "川民"),
             ("大川县教育局", "川教"), ("大川县农业农村局", "川农")),
    departments=("发展和改革局", "财政局", "民政局", "住房和城乡建设局", "农业农村局", "应急管理局"),
    towns=("大川镇", "川口乡", "河西街道", "龙泉镇"), town_rate=0.15,
    sponsor="大川县人民政府办公室", undertaker="大川县大数据发展中心",
    icp="示ICP备22001234号-1", police="示公网安备 99019902000001号", site_code="9901990001",
    address="地址：示范省大川县大川路1号　邮编：999900　联系电话：0990-9012345",
    robots_disallow="/search/",
    related_links=("中国政府网", "示范省人民政府门户网站", "大川县融媒体中心"),
    params={"server": "nginx"},
)


def published(pos: int) -> dt.date:
    return DAY_ONE - dt.timedelta(days=pos // DOCS_PER_DAY)


def art_id(pos: int) -> int:
    return FIRST_ID - ID_STEP * pos


def detail_path(pos: int) -> str:
    """Where document ``pos`` lives (cheap: no generation)."""
    d = published(pos)
    ym = f"{d.year}{d.month:02d}"
    return f"/zwgk/gfxwj/{ym}/t{ym}{d.day:02d}_{art_id(pos)}.html"


def list_page_count(documents: int, page_size: int = PAGE_SIZE) -> int:
    return max(1, math.ceil(documents / page_size))


def list_path(n: int) -> str:
    return "/zwgk/gfxwj/index.html" if n == 0 else f"/zwgk/gfxwj/index_{n}.html"


@lru_cache(maxsize=4096)
def entry(pos: int) -> Entry:
    e = _make_entry(LARGE, COLUMN, published(pos), art_id(pos), None, f"large/{pos}")
    e.doc.attachments, e.attachment_kinds = [], []
    return e


@lru_cache(maxsize=65536)
def title(pos: int) -> str:
    """Document ``pos``'s title without generating its body: the same first draws of the same
    seeded generator as ``catalog._make_entry`` (checked by the tests)."""
    rng = random.Random(f"{SITE_NAME}/{COLUMN.slug}/large/{pos}")
    issuer, _ = LARGE.issuers[rng.randrange(len(LARGE.issuers))]
    subject, _ = rng.choice(tg.SUBJECTS)
    return _title(rng, LARGE, issuer, subject)[0]


def _list_item(pos: int) -> SimpleNamespace:
    """What a list page shows of a document (duck-typed for ``trs.list_page``)."""
    path = detail_path(pos)
    return SimpleNamespace(list_title=title(pos), doc=SimpleNamespace(list_path=path, published_date=published(pos).isoformat()))


@lru_cache(maxsize=2048)
def _list_bytes(n: int, documents: int) -> bytes:
    items = [_list_item(p) for p in range(n * PAGE_SIZE, min((n + 1) * PAGE_SIZE, documents))]
    return trs.list_page(LARGE, COLUMN, items, n, list_page_count(documents), DAY_ONE).encode("utf-8")


def document(pos: int) -> DemoDoc:
    """Ground truth for document ``pos`` (a fresh copy)."""
    d = entry(pos).doc
    return DemoDoc(**{**d.__dict__, "paragraphs": list(d.paragraphs), "attachments": []})


def documents(n: int) -> Iterator[DemoDoc]:
    return (document(pos) for pos in range(n))


def position(path: str, documents: int) -> int | None:
    """The position of the document at ``path``, or None."""
    m = DETAIL_RE.fullmatch(path)
    if not m:
        return None
    offset = FIRST_ID - int(m.group(3))
    if offset < 0 or offset % ID_STEP:
        return None
    pos = offset // ID_STEP
    return pos if pos < documents and detail_path(pos) == path else None


@lru_cache(maxsize=4096)
def _detail(pos: int) -> tuple[str, str, str, dt.datetime]:
    """(page text with HITS_MARK, ETag, Last-Modified, modified) for document ``pos``."""
    e = entry(pos)
    text = trs.detail_page(LARGE, e, DAY_ONE, HITS_MARK)
    hour, minute = map(int, e.pub_time.split(":"))
    modified = dt.datetime.combine(published(pos), dt.time(hour, minute), tzinfo=CST)
    stamp = conditional.http_date(modified)
    blanked = text.replace(today_line(DAY_ONE), conditional.TODAY_MARK).encode("utf-8")
    return text, conditional.strong_etag(blanked, stamp), stamp, modified


class LargePortal:
    """One large TRS-style site on one port. Same handler as DemoPortal; no faults, no day switch."""

    site_name = SITE_NAME

    def __init__(self, documents: int = 20_000, port: int = 0, host: str = "127.0.0.1", keep_log: bool = False):
        if documents < 1:
            raise ValueError("documents must be at least 1")
        self.documents = int(documents)
        self.host, self.port = host, port
        self.list_pages = list_page_count(self.documents)
        self.keep_log = keep_log
        self._lock = threading.Lock()
        self._count = 0
        self._log: list[tuple[str, str, str, int]] = []
        self._hits = itertools.count(1)
        self._server: ThreadingHTTPServer | None = None
        self._thread: threading.Thread | None = None

    # --- lifecycle --------------------------------------------------------------------
    def start(self) -> "LargePortal":
        if self._server is None:
            from .server import _Handler

            handler = type("Handler_large", (_Handler,), {"portal": self, "site_name": SITE_NAME,
                                                          "version_string": lambda self: "nginx"})
            self._server = ThreadingHTTPServer((self.host, self.port), handler)
            self._server.daemon_threads = True
            self._server.request_queue_size = 128
            self._thread = threading.Thread(target=self._server.serve_forever, args=(0.05,), name="demo-large",
                                            daemon=True)
            self._thread.start()
        return self

    def stop(self) -> None:
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()
            self._thread.join(timeout=5)
            self._server = self._thread = None

    def __enter__(self) -> "LargePortal":
        return self.start()

    def __exit__(self, *exc) -> None:
        self.stop()

    # --- public state -----------------------------------------------------------------
    def base_url(self, site: str = SITE_NAME) -> str:
        if self._server is None or site != SITE_NAME:
            raise KeyError(f"{site!r} is not being served")
        return f"http://{self.host}:{self._server.server_address[1]}"

    @property
    def start_urls(self) -> list[str]:
        return [self.base_url() + list_path(0)]

    def detail_paths(self) -> Iterator[str]:
        return (detail_path(pos) for pos in range(self.documents))

    @property
    def request_count(self) -> int:
        with self._lock:
            return self._count

    @property
    def request_log(self) -> list[tuple[str, str, str, int]]:
        """Only kept with ``keep_log=True`` (a 20,000-page crawl would otherwise grow it)."""
        with self._lock:
            return list(self._log)

    # --- the handler's interface ------------------------------------------------------
    def _record(self, site: str, method: str, path: str, status: int) -> None:
        with self._lock:
            self._count += 1
            if self.keep_log:
                self._log.append((site, method, path, status))

    def respond(self, site: str, method: str, target: str, headers, body: bytes = b"") -> tuple[int, dict[str, str], bytes]:
        path = target.split("?", 1)[0].split("#", 1)[0]
        html = {"Content-Type": "text/html; charset=UTF-8"}
        if method == "POST":
            return 405, {**html, "Allow": "GET, HEAD"}, b""
        pos = position(path, self.documents)
        if pos is not None:
            text, etag, stamp, modified = _detail(pos)
            validators = {"ETag": etag, "Last-Modified": stamp}
            if conditional.not_modified(headers, etag, modified):
                return 304, validators, b""
            return 200, {**html, **validators}, text.replace(HITS_MARK, str(300 + next(self._hits))).encode("utf-8")
        m = LIST_RE.fullmatch(path)
        if m:
            n = int(m.group(1) or 0)
            if (m.group(1) is not None and n == 0) or n >= self.list_pages:
                return 404, html, trs.not_found_page(LARGE).encode("utf-8")
            return 200, html, _list_bytes(n, self.documents)
        if path in ("/", "/index.html", "/zwgk/"):
            return 200, html, trs.home_page(LARGE, DAY_ONE, [COLUMN]).encode("utf-8")
        if path == "/robots.txt":
            return 200, {"Content-Type": "text/plain"}, b"User-agent: *\nDisallow: /search/\n"
        return 404, html, trs.not_found_page(LARGE).encode("utf-8")


@contextlib.contextmanager
def spawn(documents: int = 20_000, port: int = 0, host: str = "127.0.0.1", timeout: float = 30) -> Iterator[str]:
    """Serve the large site from a child process (``python -m guifan.demo_portal --large``); yield its base URL."""
    cmd = [sys.executable, "-m", "guifan.demo_portal", "--large", str(documents), "--port", str(port), "--host", host]
    root = str(Path(__file__).resolve().parents[1])          # importable even when not installed
    env = {**os.environ, "PYTHONPATH": os.pathsep.join(filter(None, [root, os.environ.get("PYTHONPATH")]))}
    proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True, env=env)
    try:
        line = _first_line(proc, timeout)
        yield line.split("\t")[1]
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()


def _first_line(proc: subprocess.Popen, timeout: float) -> str:
    box: list[str] = []
    reader = threading.Thread(target=lambda: box.append(proc.stdout.readline()), daemon=True)
    reader.start()
    reader.join(timeout)
    if not box or not box[0].strip():
        proc.kill()
        raise RuntimeError(f"the large demo site did not start within {timeout} s (exit code {proc.poll()})")
    return box[0].strip()
