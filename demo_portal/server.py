"""Serve every demo site over real HTTP on 127.0.0.1, one ThreadingHTTPServer per site."""
from __future__ import annotations

import datetime as dt
import itertools
import math
import threading
import zlib
from dataclasses import dataclass
from functools import lru_cache
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, urlsplit

from . import conditional, files, hanweb, trs
from .catalog import Entry, _check_day, entries, last_modified, seed_lines
from .conditional import HITS_MARK, TODAY_MARK, http_date
from .replicas import ReplicaApp, detail_text, html_type
from .attachment_site import AttachmentApp
from .sites import ALL_SITES, ATTACHMENT_SITES, SITE_OBJECTS, SITES, Site, date_of_day
from .textgen import today_line

HTML_UTF8 = "text/html; charset=UTF-8"
# Hanweb/Tomcat portals commonly omit the charset: clients must read the <meta>.
HTML_BARE = "text/html"


class SiteApp:
    """Maps a request path on one site (for one simulated day) to a response."""

    def __init__(self, site: Site):
        self.site = site
        self.tpl = trs if site.platform == "trs" else hanweb

    @lru_cache(maxsize=8)
    def routes(self, day: int) -> dict[str, tuple]:
        r: dict[str, tuple] = {"/": ("home",), "/index.html": ("home",), "/robots.txt": ("robots",)}
        if self.site.platform == "trs":
            r["/zwgk/"] = ("home",)
        for col in self.site.columns:
            items = entries(self.site.name, day, col.slug)
            pages = math.ceil(len(items) / col.page_size)
            for n in range(pages):
                chunk = items[n * col.page_size:(n + 1) * col.page_size]
                for path in self._list_paths(col.slug, n):
                    r[path] = ("list", col, chunk, n, pages)
            for e in items:
                self._doc_routes(r, e)
        return r

    def _list_paths(self, slug: str, n: int) -> list[str]:
        if self.site.platform == "hanweb":
            return [f"/col/col{slug}/index.html#{n + 1}"] + ([f"/col/col{slug}/index.html", f"/col/col{slug}/"] if n == 0 else [])
        if n == 0:
            return [f"/zwgk/{slug}/", f"/zwgk/{slug}/index.html"]
        return [f"/zwgk/{slug}/index_{n}.html"]

    def _doc_routes(self, r: dict, e: Entry) -> None:
        d = e.doc
        if d.fault == "not_found":
            return                                          # listed, but the page was never published
        r[d.path] = ("doc", e)
        if d.list_path != d.path:
            r[d.list_path] = ("redirect", d.path)
        for kind, (name, path) in zip(e.attachment_kinds, d.attachments):
            r[path] = ("file", kind, name, e)

    def robots(self) -> str:
        extra = "/search/" if self.site.platform == "trs" else "/module/"
        blocked = [self.site.robots_disallow] if self.site.robots_disallow else sorted(
            {e.doc.list_path for e in entries(self.site.name, 1) if e.doc.fault == "robots_disallowed"})
        return f"User-agent: *\nDisallow: {extra}\n" + "".join(f"Disallow: {b}\n" for b in blocked)

    def lookup(self, path: str, query: str, day: int) -> tuple | None:
        routes = self.routes(day)
        if self.site.platform == "hanweb" and path.startswith("/col/col") and path.endswith("index.html"):
            page = parse_qs(query).get("pageNum", ["1"])[0]
            return routes.get(f"{path}#{page}") if page.isdigit() else None
        return routes.get(path)

    def html(self, text: str) -> bytes:
        return text.encode(self.site.encoding)


class DemoPortal:
    """Demo sites, each on its own port; ``day`` can be switched while serving.

    ``sites`` picks which to serve: the two original sites by default (``SITES``);
    ``PLATFORM_SITES`` or ``ALL_SITES`` add the platform replicas.
    """

    def __init__(self, day: int = 1, ports: dict[str, int] | None = None, host: str = "127.0.0.1",
                 sites=SITES):
        self._day = _check_day(day)
        self.host = host
        self.sites = tuple(dict.fromkeys(sites))
        unknown = [s for s in self.sites if s not in SITE_OBJECTS]
        if unknown:
            raise KeyError(f"unknown demo site {', '.join(unknown)}; known: {', '.join(ALL_SITES)}")
        self.ports = {s: 0 for s in self.sites} | {k: v for k, v in (ports or {}).items() if k in self.sites}
        self._lock = threading.Lock()
        self._log: list[tuple[str, str, str, int]] = []
        self._served: set[tuple[str, str]] = set()
        self._hits = {s: itertools.count(1) for s in self.sites}
        self._servers: dict[str, ThreadingHTTPServer] = {}
        self._threads: list[threading.Thread] = []
        self.apps = {s: SiteApp(SITE_OBJECTS[s]) for s in self.sites if s in SITES}
        self.replicas = {s: (AttachmentApp if s in ATTACHMENT_SITES else ReplicaApp)(SITE_OBJECTS[s])
                         for s in self.sites if s not in SITES}

    # --- lifecycle --------------------------------------------------------------------
    def start(self) -> "DemoPortal":
        if self._servers:
            return self
        try:
            for name in self.sites:
                server = ThreadingHTTPServer((self.host, self.ports[name]), self._handler(name))
                server.daemon_threads = True
                self._servers[name] = server
                t = threading.Thread(target=server.serve_forever, args=(0.05,), name=f"demo-portal-{name}", daemon=True)
                t.start()
                self._threads.append(t)
        except OSError:
            self.stop()
            raise
        return self

    def stop(self) -> None:
        for server in self._servers.values():
            server.shutdown()
            server.server_close()
        for t in self._threads:
            t.join(timeout=5)
        self._servers.clear()
        self._threads.clear()

    def __enter__(self) -> "DemoPortal":
        return self.start()

    def __exit__(self, *exc) -> None:
        self.stop()

    # --- public state -----------------------------------------------------------------
    def base_url(self, site: str) -> str:
        if site not in self._servers:
            raise KeyError(f"site {site!r} is not being served (started? serving: {', '.join(self.sites)})")
        return f"http://{self.host}:{self._servers[site].server_address[1]}"

    @property
    def day(self) -> int:
        with self._lock:
            return self._day

    def set_day(self, day: int) -> None:
        day = _check_day(day)
        with self._lock:
            self._day = day

    @property
    def request_log(self) -> list[tuple[str, str, str, int]]:
        with self._lock:
            return list(self._log)

    # --- internals used by the handler ------------------------------------------------
    def _record(self, site: str, method: str, path: str, status: int) -> None:
        with self._lock:
            self._log.append((site, method, path, status))

    def _first_request(self, site: str, path: str) -> bool:
        """True only for the first request of ``path`` in this server's lifetime."""
        with self._lock:
            if (site, path) in self._served:
                return False
            self._served.add((site, path))
            return True

    def _next_hits(self, site: str, path: str) -> int:
        # A plausible base per page plus a running count: changes on every request.
        with self._lock:
            return zlib.crc32(path.encode()) % 5000 + 120 + next(self._hits[site])

    def _handler(self, site: str) -> type[BaseHTTPRequestHandler]:
        portal = self
        return type(f"Handler_{site.replace('-', '_')}", (_Handler,), {"portal": portal, "site_name": site})

    def respond(self, site: str, method: str, target: str, headers, body: bytes = b"") -> tuple[int, dict[str, str], bytes]:
        parts = urlsplit(target)
        day = self.day
        if site in self.replicas:
            return self.replicas[site].respond(self, method, parts.path, parts.query, headers, body, day)
        app = self.apps[site]
        if method == "POST":
            return 405, {"Content-Type": self._html_type(app.site), "Allow": "GET, HEAD"}, b""
        route = app.lookup(parts.path, parts.query, day)
        s = app.site
        if route is None:
            return 404, {"Content-Type": self._html_type(s)}, app.html(app.tpl.not_found_page(s))
        kind = route[0]
        today = date_of_day(day)
        if kind == "robots":
            return 200, {"Content-Type": "text/plain"}, app.robots().encode("ascii")
        if kind == "home":
            return 200, {"Content-Type": self._html_type(s)}, app.html(app.tpl.home_page(s, today, list(s.columns)))
        if kind == "list":
            _, col, chunk, n, pages = route
            page = n if s.platform == "trs" else n + 1
            return 200, {"Content-Type": self._html_type(s)}, app.html(app.tpl.list_page(s, col, list(chunk), page, pages, today))
        if kind == "redirect":
            return 301, {"Location": route[1], "Content-Type": self._html_type(s)}, b""
        e = route[-1]
        if e.doc.fault == "unavailable_once" and self._first_request(site, parts.path):
            return 503, {"Content-Type": "text/html", "Retry-After": "1"}, UNAVAILABLE
        if kind == "file":
            return self._file(route, headers)
        return self._detail(app, e, day, parts.path, headers)

    def _html_type(self, s: Site) -> str:
        return HTML_UTF8 if s.platform == "trs" else HTML_BARE

    def _detail(self, app: SiteApp, e: Entry, day: int, path: str, headers) -> tuple[int, dict[str, str], bytes]:
        page = detail_template(app.site.name, e.doc.key, day)
        validators = {"ETag": page.etag, "Last-Modified": page.last_modified}
        if conditional.not_modified(headers, page.etag, page.modified):
            return 304, validators, b""
        hits = self._next_hits(app.site.name, path)
        body = page.blanked.replace(HITS_MARK.encode(), str(hits).encode()).replace(
            TODAY_MARK.encode(), today_line(date_of_day(day)).encode(app.site.encoding))
        return 200, {"Content-Type": page.content_type, **validators}, body

    def _file(self, route: tuple, headers) -> tuple[int, dict[str, str], bytes]:
        _, kind, name, e = route
        # Attachments are static files: Last-Modified lets crawlers revalidate cheaply.
        when = _midnight(e.doc.published_date)
        modified = http_date(when)
        if conditional.not_modified(headers, "", when) and "If-None-Match" not in headers:
            return 304, {"Last-Modified": modified}, b""
        data = _attachment_bytes(e.doc.key, kind, name)
        return 200, {"Content-Type": files.CONTENT_TYPES_BY_EXT[kind], "Last-Modified": modified}, data


@dataclass(frozen=True)
class DetailPage:
    """A detail page as served on one day, with the rotating chrome left as marks."""
    blanked: bytes
    content_type: str
    etag: str
    modified: dt.datetime
    last_modified: str


@lru_cache(maxsize=4096)
def detail_template(site_name: str, key: str, day: int) -> DetailPage:
    """Render a document once per day with ``HITS_MARK``/``TODAY_MARK`` in the chrome."""
    s = SITE_OBJECTS[site_name]
    e = next(x for x in entries(site_name, day) if x.doc.key == key)
    today = date_of_day(day)
    if s.name not in SITES:
        text, ctype = detail_text(s, e, today, HITS_MARK, day), html_type(s)
    elif s.platform == "trs":
        share, foot = _seed_chrome() if e.seed else ("", "")
        text = trs.detail_page(s, e, today, HITS_MARK, share, foot)
        ctype = HTML_BARE if e.doc.fault == "wrong_charset" else HTML_UTF8
    else:
        text, ctype = hanweb.detail_page(s, e, today, HITS_MARK), HTML_BARE
    blanked = text.replace(today_line(today), TODAY_MARK).encode(s.encoding)
    modified = last_modified(site_name, key, day)
    stamp = http_date(modified)
    return DetailPage(blanked, ctype, conditional.strong_etag(blanked, stamp), modified, stamp)


def _midnight(iso: str) -> dt.datetime:
    return dt.datetime.fromisoformat(iso).replace(tzinfo=dt.timezone.utc)


@lru_cache(maxsize=256)
def _attachment_bytes(key: str, kind: str, name: str) -> bytes:
    site, slug, _ = key.split("/")
    e = next(x for day in (1, 2, 3) for x in entries(site, day, slug) if x.doc.key == key)
    title = name.split("：", 1)[-1].rsplit(".", 1)[0]
    if kind == "pdf":
        return files.make_pdf(title, e.doc.paragraphs)
    return files.make_docx(title, files.form_paragraphs(title))


def _seed_chrome() -> tuple[str, str]:
    """The reprint page's own share-widget line and footer line."""
    lines = seed_lines()
    return lines[1], lines[-1]


UNAVAILABLE = ("<html><head><title>503 Service Temporarily Unavailable</title></head>\n<body>\n"
               "<center><h1>503 Service Temporarily Unavailable</h1></center>\n<hr><center>nginx</center>\n"
               "</body>\n</html>\n").encode("ascii")


class _Handler(BaseHTTPRequestHandler):
    portal: DemoPortal
    site_name: str
    protocol_version = "HTTP/1.1"
    disable_nagle_algorithm = True             # headers and body go out without a delayed-ACK stall

    def version_string(self) -> str:
        server = SITE_OBJECTS[self.site_name].params.get("server")
        return server or ("nginx" if self.site_name == "demo-yunxi" else "Apache-Coyote/1.1")

    def do_GET(self) -> None:
        self._serve(send_body=True)

    def do_HEAD(self) -> None:
        self._serve(send_body=False)

    def do_POST(self) -> None:
        length = self.headers.get("Content-Length", "0")
        data = self.rfile.read(int(length)) if length.isdigit() and int(length) > 0 else b""
        self._serve(send_body=True, data=data)

    def _serve(self, send_body: bool, data: bytes = b"") -> None:
        status, headers, body = self.portal.respond(self.site_name, self.command, self.path, self.headers, data)
        self.send_response(status)
        for k, v in headers.items():
            self.send_header(k, v)
        if status != 304:                      # a 304 has no body and no length of its own
            self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        if send_body and body:
            self.wfile.write(body)
        self.portal._record(self.site_name, self.command, self.path, status)

    def log_message(self, format: str, *args) -> None:
        pass   # tests and the CLI read request_log instead of stderr noise
