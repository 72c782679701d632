"""TRS WCM: `tYYYYMMDD_ID.html` details, pagination only through `createPageHTML(...)`."""
from __future__ import annotations

import re
from functools import lru_cache
from urllib.parse import urljoin

from .base import Platform, pager_links, unique

# createPageHTML(countPage, currentPage, "index", "html"); arguments may be literals or variables.
_CALL = re.compile(r"createPageHTML\(\s*(\w+)\s*,\s*(\w+)\s*,\s*['\"]([\w-]+)['\"]\s*,\s*['\"](\w+)['\"]")
_VAR = r"(?:var\s+)?{}\s*=\s*(\d+)"
MAX_PAGES = 5000  # a broken countPage must not send tens of thousands of requests (demo-large has 1,000)


def _number(token: str, html: str) -> int:
    if token.isdigit():
        return int(token)
    m = re.search(_VAR.format(re.escape(token)), html)
    return int(m.group(1)) if m else 1


def create_page_html_pages(url: str, html: str) -> list[str] | None:
    """Every page a `createPageHTML(...)` pager stands for, or None if the page has none."""
    m = _CALL.search(html)
    if not m:
        return None
    count, stem, ext = min(_number(m.group(1), html), MAX_PAGES), m.group(3), m.group(4)
    return [p for p in _pager(urljoin(url, "."), stem, ext, count) if p != url]


@lru_cache(maxsize=64)
def _pager(directory: str, stem: str, ext: str, count: int) -> tuple[str, ...]:
    """Page 0 is stem.ext, page n is stem_n.ext, all in the list page's directory.

    Cached: every page of a column names the same pages (N pages -> N² URLs otherwise).
    """
    pages = [urljoin(directory, f"{stem}.{ext}")] + [urljoin(directory, f"{stem}_{n}.{ext}") for n in range(1, count)]
    return tuple(unique(pages))


class TRS(Platform):
    name = "trs"
    detail_pattern = re.compile(r"/t\d{8}_\d+\.s?html?$")

    def list_pages(self, url, html, links):
        pages = create_page_html_pages(url, html)
        return pager_links(links, url) if pages is None else pages
