"""For portals on an unknown CMS, starting anywhere (the home page will do).

From every list-like page it follows:
* columns — same-site links whose short text names 规范性文件/政策文件/信息公开 and kin;
* pagers — 下一页/尾页/numbers, `createPageHTML(...)`, `pageCount:` scripts;
* documents — same-site links with title-like text (or title attribute) whose URL looks
  like an article: a long number in a static path, or show/detail/content pages with an id.
Detail pages are never read as lists, so 上一篇/下一篇 links lead nowhere new.
With `hints.follow_columns = false` (the spider sets it under platform `auto`, where columns
are chosen by `discover.choose_columns` on the home page) only pagers and documents are read.
"""
from __future__ import annotations

import re
from urllib.parse import urlsplit

from .anhui import script_pages
from .base import (ATTACHMENT_EXTENSIONS, ListPage, Platform, anchor_items, gets, looks_like_title, pager_links,
                   same_site, unique)
from .trs import create_page_html_pages

_ARTICLE_PATH = re.compile(r"\d{4,}[^/]*\.(s?html?|jsp|aspx?|php)$|/(art|content|detail|info)[/_]", re.I)
_ARTICLE_SCRIPT = re.compile(r"/(show|detail|content|view|article|info|read)\w*\.(aspx?|jsp|php|do|html?)$", re.I)
_ID_QUERY = re.compile(r"(?:^|&)\w*id=\d+", re.I)
COLUMN_WORDS = re.compile(r"规范性文件|政策文件|政府文件|信息公开|政务公开|文件公开|政策法规|法规文件|政府公报")
NOT_COLUMNS = re.compile(r"指南|年报|年度报告|申请|解读|制度|目录说明|意见|留言|咨询")
MAX_COLUMN_TEXT = 12   # navigation labels are short; a sentence naming 政策文件 is not a column


def is_column_link(text: str) -> bool:
    return len(text) <= MAX_COLUMN_TEXT and bool(COLUMN_WORDS.search(text)) and not NOT_COLUMNS.search(text)


class Generic(Platform):
    name = "generic"

    def is_detail(self, url: str) -> bool:
        parts = urlsplit(url)
        path = parts.path
        if path.lower().endswith(ATTACHMENT_EXTENSIONS):
            return False
        return bool(_ARTICLE_PATH.search(path)) or bool(_ARTICLE_SCRIPT.search(path) and _ID_QUERY.search(parts.query))

    def parse_html(self, url: str, html: str) -> ListPage:
        items = [(u, text, title) for u, text, title in anchor_items(html, url) if same_site(u, url)]
        links = [(u, text) for u, text, _ in items]
        pages = pager_links(links, url) + (create_page_html_pages(url, html) or []) + script_pages(url, html)
        details = unique(
            u for u, text, title in items
            if u not in pages and (looks_like_title(text) or looks_like_title(title)) and self.is_detail(u)
        )
        # Under platform "auto" the columns are chosen once, by discover.choose_columns.
        follow = self.hints.get("follow_columns", True)
        columns = [u for u, text, _ in items if follow and is_column_link(text) and u not in details]
        return ListPage(details=details, pages=gets(p for p in pages + columns if p != url))
