"""Serving demo-xiage (`attachment_site`) and demo-kanxi (`bad_files`): TRS pages over documents
that are their attachments."""
from __future__ import annotations

import datetime as dt

from .. import attachment_site as docs
from .. import bad_files, conditional
from ..conditional import HITS_MARK, http_date
from ..world import date_of_day
from . import trs
from .trs import HTML_UTF8, TrsTemplate


class AttachmentTemplate(TrsTemplate):
    """One list page of six cover pages, each over one attachment (DOC, WPS, ET, scans, DOCX)."""

    name = "attachments"
    docs = docs       # the module that makes the documents and their files

    def __init__(self, site):  # noqa: D107 - its documents are not the catalog's
        self.site = site
        self.challenge_kind = {}

    def routes(self, day: int) -> dict[str, tuple]:
        slug = self.site.columns[0].slug
        r: dict[str, tuple] = {"/": ("home",), "/index.html": ("home",), "/robots.txt": ("robots",),
                               f"/zwgk/{slug}/": ("list",), f"/zwgk/{slug}/index.html": ("list",)}
        for doc in self.docs.documents():
            r[doc.entry.doc.path] = ("doc", doc)
            r[doc.path] = ("file", doc)
        return r

    def respond(self, portal, method, path, query, headers, body, day):
        html = {"Content-Type": HTML_UTF8}
        s, today, route = self.site, date_of_day(day), self.routes(day).get(path)
        if method not in ("GET", "HEAD"):
            return 405, {**html, "Allow": "GET, HEAD"}, b""
        if route is None:
            return 404, html, trs.not_found_page(s).encode()
        if route[0] == "robots":
            return 200, {"Content-Type": "text/plain"}, b"User-agent: *\nDisallow: /search/\n"
        if route[0] == "home":
            return 200, html, trs.home_page(s, today, list(s.columns)).encode()
        if route[0] == "list":
            items = [d.entry for d in self.docs.documents()]
            return 200, html, trs.list_page(s, s.columns[0], items, 0, 1, today).encode()
        doc = route[1]
        if route[0] == "doc":
            return 200, html, trs.detail_page(s, doc.entry, today, HITS_MARK).replace(HITS_MARK, "321").encode()
        return self.file(doc, headers, day)

    def file(self, doc, headers, day):
        changed = docs.revised(doc, day) is not doc
        served = date_of_day(2) if changed else dt.date.fromisoformat(doc.entry.doc.published_date)
        when = dt.datetime(served.year, served.month, served.day, tzinfo=dt.timezone.utc)
        if conditional.not_modified(headers, "", when) and "If-None-Match" not in headers:
            return 304, {"Last-Modified": http_date(when)}, b""
        return 200, {"Content-Type": docs.CONTENT_TYPES[doc.kind], "Last-Modified": http_date(when)}, \
            docs.attachment_bytes(doc.path, day)


class BadFilesTemplate(AttachmentTemplate):
    """One list page of ten cover pages over good and bad attachments (`bad_files`); the files
    never change."""

    name = "bad_files"
    docs = bad_files

    def file(self, doc, headers, day):
        served = dt.date.fromisoformat(doc.entry.doc.published_date)
        when = dt.datetime(served.year, served.month, served.day, tzinfo=dt.timezone.utc)
        return 200, {"Content-Type": bad_files.CONTENT_TYPES[doc.ext], "Last-Modified": http_date(when)}, \
            bad_files.attachment_bytes(doc.path)
