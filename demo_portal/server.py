"""Serve every demo site over real HTTP on 127.0.0.1, one ThreadingHTTPServer per site."""
from __future__ import annotations

import datetime as dt
import itertools
import selectors
import threading
import zlib
from dataclasses import dataclass
from functools import lru_cache
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import urlsplit

from . import conditional, files
from .catalog import Entry, _check_day, entries, last_modified
from .conditional import HITS_MARK, TODAY_MARK, http_date
from .templates import Template, app_for
from .world import ALL_SITES, PROVINCE_PORT, SITE_OBJECTS, SITES, UNITS, date_of_day
from .textgen import today_line

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
        self._acceptor: _Acceptor | None = None
        self.shared_port = 0
        self.apps: dict[str, Template] = {s: app_for(SITE_OBJECTS[s]) for s in self.sites}

    # --- lifecycle --------------------------------------------------------------------
    def start(self) -> "DemoPortal":
        if self._servers:
            return self
        for attempt in range(PORT_ATTEMPTS):
            try:
                self._bind()
                break
            except OSError:
                self._close_servers()
                if attempt == PORT_ATTEMPTS - 1 or not self._shares_a_free_port():
                    raise
        self._acceptor = _Acceptor(self._servers.values())
        return self

    def _bind(self) -> None:
        """Each site on its own address; sites with a host of their own (the province) share
        one port, free on the first of them, so that each is told apart by its address alone."""
        shared = self.shared_port
        for name in self.sites:
            site = SITE_OBJECTS[name]
            port = self.ports[name]
            if site.host and not port:
                port = shared
            server = _Server((site.host or self.host, port), self._handler(name))
            self._servers[name] = server
            if site.host and not self.ports[name] and not shared:
                shared = self.shared_port = server.server_address[1]

    def _shares_a_free_port(self) -> bool:
        """Another free port may help: the shared one was taken on a later address."""
        self.shared_port = 0
        return any(SITE_OBJECTS[n].host and not self.ports[n] for n in self.sites)

    def stop(self) -> None:
        if self._acceptor is not None:
            self._acceptor.stop()
            self._acceptor = None
        self._close_servers()

    def _close_servers(self) -> None:
        for server in self._servers.values():
            server.server_close()
        self._servers.clear()

    def __enter__(self) -> "DemoPortal":
        return self.start()

    def __exit__(self, *exc) -> None:
        self.stop()

    # --- public state -----------------------------------------------------------------
    def base_url(self, site: str) -> str:
        """Where a site is served; for a province unit, where its profile points: its own
        portal, the portal it shares, or (the dead one) an address where nothing listens."""
        unit = UNITS.get(site)
        if unit is not None and unit.site != site and self._servers:
            if unit.site is None:
                return f"http://{unit.host}:{self.shared_port or PROVINCE_PORT}"
            site = unit.site
        if site not in self._servers:
            raise KeyError(f"site {site!r} is not being served (started? serving: {', '.join(self.sites)})")
        host, port = self._servers[site].server_address[:2]
        return f"http://{host}:{port}"

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
        return self.apps[site].respond(self, method, parts.path, parts.query, headers, body, self.day)

    def _detail(self, app: Template, e: Entry, day: int, path: str, headers) -> tuple[int, dict[str, str], bytes]:
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
    text, ctype = app_for(s).detail(e, today, HITS_MARK, day)
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


PORT_ATTEMPTS = 5


class _Server(ThreadingHTTPServer):
    daemon_threads = True        # a connection's thread never holds the process up


class _Acceptor:
    """One thread accepts connections for every site (one selector over all listening
    sockets); each connection is then served on a thread of its own, as before. Thirty
    province hosts cost one polling thread, not thirty."""

    def __init__(self, servers):
        self.selector = selectors.DefaultSelector()
        for server in servers:
            self.selector.register(server, selectors.EVENT_READ)
        self.stopping = threading.Event()
        self.thread = threading.Thread(target=self.run, name="demo-portal-accept", daemon=True)
        self.thread.start()

    def run(self) -> None:
        while not self.stopping.is_set():
            for key, _ in self.selector.select(0.05):
                key.fileobj._handle_request_noblock()

    def stop(self) -> None:
        self.stopping.set()
        self.thread.join(timeout=5)
        self.selector.close()


class _Handler(BaseHTTPRequestHandler):
    portal: DemoPortal
    site_name: str
    protocol_version = "HTTP/1.1"
    disable_nagle_algorithm = True             # headers and body go out without a delayed-ACK stall

    def version_string(self) -> str:
        return self.portal.apps[self.site_name].server_name()

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
