"""Request routing for the platform replicas (``PLATFORM_SITES``): URL shapes, list
endpoints (XML, JSON, script-only pagers), JavaScript challenges.

Rendering lives in one module per platform (:mod:`jpage`, :mod:`ucap`, :mod:`gkmlpt`,
:mod:`anhui`, :mod:`generic`); detail pages go through the portal's common conditional
logic (ETag / Last-Modified / 304) like those of the original sites.
"""
from __future__ import annotations

import math
import re
from functools import lru_cache
from urllib.parse import parse_qs

from . import anhui, challenge, generic, gkmlpt, jpage, ucap
from .catalog import Entry, entries
from .sites import Column, Site, date_of_day

MODULES = {"hanweb": jpage, "ucap": ucap, "gkmlpt": gkmlpt, "anhui": anhui, "generic": generic}
PROXY_PATHS = ("/module/web/jpage/dataproxy.jsp", "/module/jpage/dataproxy.jsp")


def html_type(site: Site) -> str:
    return "text/html; charset=gb2312" if site.encoding == "gbk" else "text/html;charset=UTF-8"


def chrome_lines(site: Site) -> list[str]:
    return MODULES[site.platform].chrome_lines(site)


def detail_text(site: Site, e: Entry, today, hits, day: int) -> str:
    return MODULES[site.platform].detail_page(site, e, today, hits, day)


def _ints(q: dict, name: str, default: int | None = None) -> int | None:
    v = (q.get(name) or [""])[0].strip()
    return int(v) if v.isdigit() else default


class ReplicaApp:
    """Maps requests on one replica site (for one simulated day) to responses."""

    def __init__(self, site: Site):
        self.site = site
        self.tpl = MODULES[site.platform]
        self.challenge_kind: dict[str, str] = {}
        for col in site.columns:
            items = entries(site.name, 1, col.slug)
            for (slug, pos), kind in site.challenges.items():
                if slug == col.slug:
                    self.challenge_kind[items[pos].doc.key] = kind

    @lru_cache(maxsize=8)
    def routes(self, day: int) -> dict[str, tuple]:
        s = self.site
        r: dict[str, tuple] = {"/": ("home",), "/index.html": ("home",), "/robots.txt": ("robots",)}
        for col in s.columns:
            items = entries(s.name, day, col.slug)
            pages = max(1, math.ceil(len(items) / col.page_size))
            for n in range(pages):
                chunk = tuple(items[n * col.page_size:(n + 1) * col.page_size])
                for path in self._list_paths(col, n):
                    r[path] = ("list", col, chunk, n, pages)
            for e in items:
                r[e.doc.path] = ("doc", e)
                for kind, (name, path) in zip(e.attachment_kinds, e.doc.attachments):
                    r[path] = ("file", kind, name, e)
        if s.platform == "hanweb":
            for col in s.columns:
                r[f"/col/col{col.slug}/index.html"] = r[f"/col/col{col.slug}/"] = ("column", col)
            for p in PROXY_PATHS:
                r[p] = ("proxy",)
        elif s.platform == "ucap":
            r["/zwgk/"] = r["/zwgk/index.html"] = ("home",)
        elif s.platform == "gkmlpt":
            r["/gkmlpt/index"] = r["/gkmlpt/"] = r["/gkmlpt/index.html"] = ("gk_index",)
        elif s.platform == "anhui":
            r["/OpennessContent/"] = ("home",)
        elif s.platform == "generic":
            r["/index.shtml"] = ("home",)
            r["/xxgk/"] = r["/xxgk/index.shtml"] = ("xxgk",)
            r["/xxgk/jggk.shtml"] = ("static", "机构概况", f"{s.name_zh}办公室负责县政府日常运转和政务公开工作。")
            r["/bsfw/"] = ("static", "办事服务", "网上办事请访问示范省政务服务网。")
        return r

    def _list_paths(self, col: Column, n: int) -> list[str]:
        """Static list URLs of page n (0-based); query-string lists are matched in lookup()."""
        p = self.site.platform
        if p == "ucap":
            return [f"/zwgk/{col.slug}/", f"/zwgk/{col.slug}/index.html"] if n == 0 else [f"/zwgk/{col.slug}/index_{n}.html"]
        if p == "anhui" and col.kind == "openness":
            return [f"/OpennessContent/showList/{self.site.params['site_id']}/{col.slug}/page_{n + 1}.html"]
        if p == "generic" and col.kind == "shtml":
            return ([f"/xxgk/{col.slug}/", f"/xxgk/{col.slug}/index.shtml"] if n == 0
                    else [f"/xxgk/{col.slug}/index_{n + 1}.shtml"])
        return [f"#list/{col.slug}/{n + 1}"]          # reached through lookup() only

    def lookup(self, path: str, query: str, day: int) -> tuple | None:
        r, s = self.routes(day), self.site
        q = parse_qs(query)
        if s.platform == "generic":
            if path == "/news/show.aspx":
                return r.get(f"/news/show.aspx?id={_ints(q, 'id', -1)}")
            if path == "/news/list.aspx":
                cid = (q.get("cid") or [""])[0]
                col = next((c for c in s.columns if c.kind == "aspx" and c.slug == cid), None)
                return r.get(f"#list/{col.slug}/{_ints(q, 'page', 1)}") if col else None
        if s.platform == "anhui":
            m = re.fullmatch(r"/public/column/(\d+)", path)
            if m:
                if m.group(1) != s.params["org_id"] or (q.get("action") or [""])[0] != "list":
                    return None
                col = next((c for c in s.columns if c.kind == "public" and [c.slug] == q.get("catId")), None)
                return r.get(f"#list/{col.slug}/{_ints(q, 'pageIndex', 1)}") if col else None
        if s.platform == "gkmlpt":
            m = re.fullmatch(r"/gkmlpt/api/all/(\d+)", path)
            if m:
                col = next((c for c in s.columns if c.slug == m.group(1)), None)
                return ("gk_api", col, _ints(q, "page", 1)) if col else None
        return r.get(path)

    def robots(self) -> str:
        return f"User-agent: *\nDisallow: {self.site.robots_disallow}\n"

    # --- responses --------------------------------------------------------------------
    def respond(self, portal, method: str, path: str, query: str, headers, body: bytes,
                day: int) -> tuple[int, dict[str, str], bytes]:
        s, tpl = self.site, self.tpl
        html = {"Content-Type": html_type(s)}
        if s.platform == "generic":
            html["X-Powered-By"] = "ASP.NET"
        route = self.lookup(path, query, day)
        if route is None:
            return 404, html, tpl.not_found_page(s).encode(s.encoding)
        kind = route[0]
        if method == "POST" and kind != "proxy":
            return 405, {**html, "Allow": "GET, HEAD"}, b""
        today = date_of_day(day)
        if kind == "robots":
            return 200, {"Content-Type": "text/plain"}, self.robots().encode("ascii")
        if kind == "doc":
            e = route[1]
            if e.doc.key in self.challenge_kind:
                ck = self.challenge_kind[e.doc.key]
                if not challenge.passed(s, ck, headers.get("Cookie")):
                    return int(ck), challenge.headers(ck), challenge.stub(s, ck)
            return portal._detail(self, e, day, path + (f"?{query}" if query else ""), headers)
        if kind == "file":
            return portal._file(route, headers)
        if kind == "proxy":
            return self._proxy(query, headers, body, day)
        if kind == "gk_api":
            _, col, page = route
            text = gkmlpt.api_page(s, col, entries(s.name, day, col.slug), page, headers.get("Host", ""))
            return 200, {"Content-Type": "application/json; charset=utf-8"}, text.encode("utf-8")
        if kind == "gk_index":
            counts = {c.slug: len(entries(s.name, day, c.slug)) for c in s.columns}
            text = gkmlpt.index_page(s, counts)
        elif kind == "home":
            text = tpl.home_page(s, today)
        elif kind == "column":
            text = jpage.column_page(s, route[1], entries(s.name, day, route[1].slug), today)
        elif kind == "list":
            _, col, chunk, n, pages = route
            page = n if s.platform == "ucap" else n + 1
            text = tpl.list_page(s, col, list(chunk), page, pages, today)
        elif kind == "xxgk":
            text = generic.xxgk_page(s, today)
        elif kind == "static":
            text = generic.static_page(s, today, route[1], route[2])
        else:                                                    # pragma: no cover - every kind is handled
            raise AssertionError(kind)
        return 200, html, text.encode(s.encoding)

    def _proxy(self, query: str, headers, body: bytes, day: int) -> tuple[int, dict[str, str], bytes]:
        """Hanweb ``dataproxy.jsp``: records startrecord..endrecord of a column, as XML."""
        q = parse_qs(query)
        ctype = headers.get("Content-Type", "")
        if body and "multipart" not in ctype:
            for k, v in parse_qs(body.decode("utf-8", "replace")).items():
                q.setdefault(k, v)
        s = self.site
        col = next((c for c in s.columns if [c.slug] == q.get("columnid")), None)
        xml = {"Content-Type": "text/xml;charset=UTF-8"}
        if col is None:
            return 200, xml, b'<?xml version="1.0" encoding="UTF-8"?>\n<datastore>\n<recordset>\n</recordset>\n' \
                             b"<totalrecord>0</totalrecord>\n</datastore>\n"
        items = entries(s.name, day, col.slug)
        perpage = _ints(q, "perpage", col.page_size) or col.page_size
        start = max(_ints(q, "startrecord", 1) or 1, 1)
        end = _ints(q, "endrecord", start + perpage * int(s.params["group"]) - 1)
        text = jpage.datastore(s, col, items[start - 1:end], len(items), perpage, xml_decl=True)
        return 200, xml, text.encode("utf-8")
