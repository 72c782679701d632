"""The Anhui 政务公开 platform: `/OpennessContent/showList/…/page_N.html` lists with an
anchor pager, `/public/column/ORG?…&action=list` lists whose other pages exist only as
`pageCount:N` in a script (`&pageIndex=N`), details `/OpennessContent/show/ID.html`,
`/Jczwgk/show/ID.html` and `/public/ORG/ID.html`."""
from __future__ import annotations

import re
from urllib.parse import parse_qsl, urlencode, urljoin, urlsplit, urlunsplit

from .base import Platform, pager_links, unique

_PAGE_COUNT = re.compile(r"pageCount\s*:\s*['\"]?(\d+)")
_PAGE_URL = re.compile(r"url\s*:\s*['\"]([^'\"]*pageIndex=)['\"]")
MAX_PAGES = 500


def _with_page(url: str, n: int) -> str:
    parts = urlsplit(url)
    query = [(k, v) for k, v in parse_qsl(parts.query, keep_blank_values=True) if k != "pageIndex"]
    return urlunsplit(parts._replace(query=urlencode(query + [("pageIndex", str(n))])))


def script_pages(url: str, html: str) -> list[str]:
    """Pages 2..N of a list whose pager is drawn by a script from `pageCount`."""
    m = _PAGE_COUNT.search(html)
    if not m:
        return []
    count = min(int(m.group(1)), MAX_PAGES)
    template = _PAGE_URL.search(html)
    if template:
        return [urljoin(url, template.group(1).replace("&amp;", "&") + str(n)) for n in range(2, count + 1)]
    return [_with_page(url, n) for n in range(2, count + 1)]


class Anhui(Platform):
    name = "anhui"
    detail_pattern = re.compile(r"/(?:OpennessContent|Jczwgk)/show/\d+\.html$|/public/\d+/\d+\.html$")

    def list_pages(self, url, html, links):
        return unique(p for p in pager_links(links, url) + script_pages(url, html) if p != url)
