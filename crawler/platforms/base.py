"""What every CMS platform adapter provides: read a list page, recognise a detail page."""
from __future__ import annotations

import re
from dataclasses import dataclass, field
from urllib.parse import urldefrag, urljoin, urlsplit

import lxml.html

PAGER_TEXTS = {"下一页", "下页", "尾页", "末页", "后页", ">", ">>", "»", "next"}
ATTACHMENT_EXTENSIONS = (".pdf", ".doc", ".docx", ".wps", ".ofd", ".xls", ".xlsx", ".et", ".zip", ".rar")
_CJK = re.compile(r"[\u4e00-\u9fff]")


@dataclass
class ListPage:
    details: list[str] = field(default_factory=list)
    pages: list[str] = field(default_factory=list)


def anchors(html: str, base_url: str) -> list[tuple[str, str]]:
    """(absolute URL without fragment, link text) for every followable link, in page order."""
    try:
        tree = lxml.html.fromstring(html)
    except (lxml.etree.ParserError, ValueError):
        return []
    found = []
    for a in tree.iter("a"):
        href = (a.get("href") or "").strip()
        if not href or href.startswith(("javascript:", "mailto:", "#", "tel:")):
            continue
        text = " ".join((a.text_content() or a.get("title") or "").split())
        found.append((urldefrag(urljoin(base_url, href))[0], text))
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


class Platform:
    """The generic adapter's interface; subclasses know one CMS."""

    name = "base"
    detail_pattern: re.Pattern | None = None

    def is_detail(self, url: str) -> bool:
        return bool(self.detail_pattern and self.detail_pattern.search(urlsplit(url).path))

    def parse_list(self, url: str, html: str) -> ListPage:
        links = anchors(html, url)
        details = unique(u for u, _ in links if same_site(u, url) and self.is_detail(u))
        return ListPage(details=details, pages=self.list_pages(url, html, links))

    def list_pages(self, url: str, html: str, links: list[tuple[str, str]]) -> list[str]:
        return pager_links(links, url)
