"""For portals on an unknown CMS: articles are same-site links with title-like text."""
from __future__ import annotations

import re
from urllib.parse import urlsplit

from .base import ATTACHMENT_EXTENSIONS, ListPage, Platform, anchors, looks_like_title, pager_links, same_site, unique

_ARTICLE_PATH = re.compile(r"\d{4,}.*\.(s?html?|jsp|aspx?|php)$|/(art|content|detail|info)[/_]", re.I)


class Generic(Platform):
    name = "generic"

    def is_detail(self, url: str) -> bool:
        path = urlsplit(url).path
        return bool(_ARTICLE_PATH.search(path)) and not path.lower().endswith(ATTACHMENT_EXTENSIONS)

    def parse_list(self, url: str, html: str) -> ListPage:
        links = anchors(html, url)
        pages = pager_links(links, url)
        details = unique(
            u for u, text in links
            if same_site(u, url) and u not in pages and looks_like_title(text) and self.is_detail(u)
        )
        return ListPage(details=details, pages=pages)
