"""What every CMS platform adapter provides.

An adapter turns a site profile into the first list fetches (`start_requests`), turns each
list response — an HTML page, or a platform's own JSON/XML endpoint — into detail URLs,
further list fetches and per-detail hints (`parse_list`), and recognises detail pages
(`is_detail`). It does no I/O: the spider fetches, the adapter reads.
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field
from urllib.parse import urldefrag, urljoin, urlsplit

import lxml.html

from guifan.parsers import decode_html

PAGER_TEXTS = {"下一页", "下页", "尾页", "末页", "后页", ">", ">>", "»", "next"}
ATTACHMENT_EXTENSIONS = (".pdf", ".doc", ".docx", ".wps", ".ofd", ".xls", ".xlsx", ".et", ".zip", ".rar")
_CJK = re.compile(r"[\u4e00-\u9fff]")


@dataclass
class ListRequest:
    """One list fetch: an HTML column page or a platform endpoint (JSON, XML; GET or POST)."""

    url: str
    method: str = "GET"
    form: dict[str, str] | None = None      # POST body, sent form-encoded


@dataclass
class ListPage:
    """What one list response says: documents, more lists, and what it knows of each document."""

    details: list[str] = field(default_factory=list)
    pages: list[ListRequest] = field(default_factory=list)
    # detail URL -> record fields the list knows (validity, doc_number, issuer …), as printed
    hints: dict[str, dict[str, str]] = field(default_factory=dict)


def anchors(html: str, base_url: str) -> list[tuple[str, str]]:
    """(absolute URL without fragment, link text) for every followable link, in page order."""
    return [(url, text) for url, text, _ in anchor_items(html, base_url)]


def anchor_items(html: str, base_url: str) -> list[tuple[str, str, str]]:
    """(absolute URL, link text, title attribute) for every followable link, in page order."""
    try:
        tree = lxml.html.fromstring(html)
    except (lxml.etree.ParserError, ValueError):
        return []
    found = []
    for a in tree.iter("a"):
        href = (a.get("href") or "").strip()
        if not href or href.startswith(("javascript:", "mailto:", "#", "tel:")):
            continue
        title = " ".join((a.get("title") or "").split())
        text = " ".join((a.text_content() or "").split()) or title
        try:
            url = urldefrag(urljoin(base_url, href))[0]
        except ValueError:  # a malformed href (bad IPv6 literal …) is not a link
            continue
        found.append((url, text, title))
    return found


def same_site(url: str, other: str) -> bool:
    return urlsplit(url).netloc == urlsplit(other).netloc


def unique(urls) -> list[str]:
    return list(dict.fromkeys(urls))


def pager_links(links: list[tuple[str, str]], list_url: str) -> list[str]:
    """Links of a visible pager: 下一页/尾页 or bare page numbers, on the same site."""
    return unique(
        u for u, text in links
        if same_site(u, list_url) and u != list_url and (text.lower() in PAGER_TEXTS or text.isdigit())
    )


def looks_like_title(text: str) -> bool:
    return len(text) >= 6 and len(_CJK.findall(text)) >= 4


def gets(urls) -> list[ListRequest]:
    return [ListRequest(u) for u in unique(urls)]


def decode_text(body: bytes, content_type: str = "") -> str:
    """Any list response as text, decoded the way pages are (BOM, header, markup, detection)."""
    headers = {"content-type": content_type} if content_type else None
    return decode_html(body, headers)[0]


class Platform:
    """The base adapter: HTML column pages, pager links, details recognised by URL shape."""

    name = "base"
    detail_pattern: re.Pattern | None = None

    def __init__(self, hints: dict | None = None):
        self.hints = dict(hints or {})   # the profile's hints: platform ids, selectors …

    def start_requests(self, profile) -> list[ListRequest]:
        """The first list fetches of a site: its profile's column pages, as they are."""
        return gets(profile.absolute_start_urls())

    def column_requests(self, urls: list[str]) -> list[ListRequest]:
        """The fetches of columns found on a home page (discover.choose_columns), as linked."""
        return gets(urldefrag(u)[0] for u in urls)

    def is_detail(self, url: str) -> bool:
        return bool(self.detail_pattern and self.detail_pattern.search(urlsplit(url).path))

    def parse_list(self, url: str, body: bytes, content_type: str = "") -> ListPage:
        return self.parse_html(url, decode_text(body, content_type))

    def parse_html(self, url: str, html: str) -> ListPage:
        links = anchors(html, url)
        details = unique(u for u, _ in links if same_site(u, url) and self.is_detail(u))
        return ListPage(details=details, pages=gets(self.list_pages(url, html, links)))

    def list_pages(self, url: str, html: str, links: list[tuple[str, str]]) -> list[str]:
        return pager_links(links, url)
