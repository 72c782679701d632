"""What a platform template is: the routing every simulated portal shares, and the hooks
one platform fills in (its URL shapes, its list endpoints, its pages).

One ``Template`` instance serves one site (a ``world.Site``) for any simulated day: the
server asks it for a response and renders detail pages through it (so that every platform's
detail pages get the same ETag / Last-Modified / 304 treatment, see ``server.DemoPortal``).
A platform module subclasses it and registers the subclass under its name in
``templates.TEMPLATES``; the module's functions render the HTML.
"""
from __future__ import annotations

import math
from functools import lru_cache
from types import ModuleType

from .. import challenge
from ..catalog import Entry, entries
from ..world import Column, Site, date_of_day

UNAVAILABLE = ("<html><head><title>503 Service Temporarily Unavailable</title></head>\n<body>\n"
               "<center><h1>503 Service Temporarily Unavailable</h1></center>\n<hr><center>nginx</center>\n"
               "</body>\n</html>\n").encode("ascii")

Response = tuple[int, dict[str, str], bytes]


def query_int(q: dict, name: str, default: int | None = None) -> int | None:
    v = (q.get(name) or [""])[0].strip()
    return int(v) if v.isdigit() else default


class Template:
    """The routing of one site; subclasses name their module and add their own routes."""

    name = ""
    pages: ModuleType            # the module with home_page, list_page, detail_page, not_found_page …
    server = "nginx"             # the Server header, unless the site's params say otherwise
    reject_post_first = False    # the two original sites answer any POST with 405 before routing

    def __init__(self, site: Site):
        self.site = site
        self.challenge_kind: dict[str, str] = {}
        for col in site.columns:
            items = entries(site.name, 1, col.slug)
            for (slug, pos), kind in site.challenges.items():
                if slug == col.slug:
                    self.challenge_kind[items[pos].doc.key] = kind

    # --- what subclasses override -------------------------------------------------------
    def html_type(self) -> str:
        return "text/html; charset=gb2312" if self.site.encoding == "gbk" else "text/html;charset=UTF-8"

    def html_headers(self) -> dict[str, str]:
        return {"Content-Type": self.html_type()}

    def list_paths(self, col: Column, n: int) -> list[str]:
        """Static list URLs of page n (0-based); query-string lists are matched in lookup()."""
        return [f"#list/{col.slug}/{n + 1}"]

    def extra_routes(self, r: dict, day: int) -> None:
        """The platform's own pages besides home, robots, lists, documents and files."""

    def lookup(self, path: str, query: str, day: int) -> tuple | None:
        return self.routes(day).get(path)

    def column_url(self, col: Column) -> str:
        """The address a site profile names for a column: its first list page."""
        return next(p for p in self.list_paths(col, 0) if not p.startswith("#"))

    def page_number(self, n: int) -> int:
        """How the platform numbers list page n (0-based) in its templates."""
        return n + 1

    def robots(self) -> str:
        return f"User-agent: *\nDisallow: {self.site.robots_disallow}\n"

    def robots_with(self, extra: str) -> str:
        """The original sites' robots.txt: a platform directory, then the site's own Disallow
        (its directory, or each robots_disallowed document's own path)."""
        s = self.site
        blocked = [s.robots_disallow] if s.robots_disallow else sorted(
            {e.doc.list_path for e in entries(s.name, 1) if e.doc.fault == "robots_disallowed"})
        return f"User-agent: *\nDisallow: {extra}\n" + "".join(f"Disallow: {b}\n" for b in blocked)

    def home_page(self, today) -> str:
        return self.pages.home_page(self.site, today)

    def detail(self, e: Entry, today, hits, day: int) -> tuple[str, str]:
        """A detail page's text (with ``hits`` in its counter) and Content-Type."""
        return self.pages.detail_page(self.site, e, today, hits, day), self.html_type()

    def own_page(self, route: tuple, method: str, query: str, headers, body: bytes, day: int) -> Response | str:
        """A response (or page text) for a route kind only this platform has."""
        raise AssertionError(route[0])   # pragma: no cover - every kind is handled

    def chrome_lines(self) -> list[str]:
        """The platform's own chrome lines that must never appear in a body."""
        return self.pages.chrome_lines(self.site) if hasattr(self.pages, "chrome_lines") else []

    def server_name(self) -> str:
        return self.site.params.get("server") or self.server

    # --- shared routing ------------------------------------------------------------------
    @lru_cache(maxsize=8)
    def routes(self, day: int) -> dict[str, tuple]:
        r: dict[str, tuple] = {"/": ("home",), "/index.html": ("home",), "/robots.txt": ("robots",)}
        for col in self.site.columns:
            items = entries(self.site.name, day, col.slug)
            pages = max(1, math.ceil(len(items) / col.page_size))
            for n in range(pages):
                chunk = tuple(items[n * col.page_size:(n + 1) * col.page_size])
                for path in self.list_paths(col, n):
                    r[path] = ("list", col, chunk, n, pages)
            for e in items:
                self._doc_routes(r, e)
        self.extra_routes(r, day)
        return r

    def _doc_routes(self, r: dict, e: Entry) -> None:
        d = e.doc
        if d.fault == "not_found":
            return                                          # listed, but the page was never published
        r[d.path] = ("doc", e)
        if d.list_path != d.path:
            r[d.list_path] = ("redirect", d.path)
        for kind, (name, path) in zip(e.attachment_kinds, d.attachments):
            r[path] = ("file", kind, name, e)

    def html(self, text: str) -> bytes:
        return text.encode(self.site.encoding)

    def respond(self, portal, method: str, path: str, query: str, headers, body: bytes, day: int) -> Response:
        s = self.site
        html = self.html_headers()
        if method == "POST" and self.reject_post_first:
            return 405, {**html, "Allow": "GET, HEAD"}, b""
        route = self.lookup(path, query, day)
        if route is None:
            return 404, html, self.html(self.pages.not_found_page(s))
        kind = route[0]
        if method == "POST" and kind != "proxy":
            return 405, {**html, "Allow": "GET, HEAD"}, b""
        today = date_of_day(day)
        if kind == "robots":
            return 200, {"Content-Type": "text/plain"}, self.robots().encode("ascii")
        if kind == "redirect":
            return 301, {"Location": route[1], **html}, b""
        if kind in ("doc", "file"):
            e = route[-1]
            if e.doc.fault == "unavailable_once" and portal._first_request(s.name, path):
                return 503, {"Content-Type": "text/html", "Retry-After": "1"}, UNAVAILABLE
            if kind == "file":
                return portal._file(route, headers)
            if e.doc.key in self.challenge_kind:
                ck = self.challenge_kind[e.doc.key]
                if not challenge.passed(s, ck, headers.get("Cookie")):
                    return int(ck), challenge.headers(ck), challenge.stub(s, ck)
            return portal._detail(self, e, day, path + (f"?{query}" if query else ""), headers)
        if kind == "home":
            text = self.home_page(today)
        elif kind == "list":
            _, col, chunk, n, pages = route
            text = self.pages.list_page(s, col, list(chunk), self.page_number(n), pages, today)
        else:
            answer = self.own_page(route, method, query, headers, body, day)
            if not isinstance(answer, str):
                return answer
            text = answer
        return 200, html, self.html(text)
