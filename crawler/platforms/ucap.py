"""开普云 UCAP: lists with `index_N.html` pagers, details `/art/YYYY/art_<32 hex>.html`
whose body sits in `#UCAP-CONTENT` (often after a stray `</html>` from the header include,
which the parsers survive)."""
from __future__ import annotations

import re

from .base import Platform, pager_links
from .trs import create_page_html_pages


class UCAP(Platform):
    name = "ucap"
    detail_pattern = re.compile(r"/art/\d{4}/art_[0-9a-f]{32}\.html$", re.I)

    def list_pages(self, url, html, links):
        # Some UCAP columns are rendered by TRS-style scripts; anchors otherwise.
        return pager_links(links, url) + (create_page_html_pages(url, html) or [])
