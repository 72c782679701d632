"""Guangdong `gkmlpt` 政府信息公开目录: a JavaScript shell and a JSON API.

`…/gkmlpt/index` holds no links, only `window._CONFIG = {SID: '…', TREE: [...]}` naming the
site and its categories. Lists come from `…/gkmlpt/api/all/CAT?page=N&sid=SID` as JSON
whose articles carry 索引号, 文号, 发布机构, 成文日期, the publication time and the validity
flags `is_abolished`/`is_expired`. Detail pages often show no 有效性, so these go to the
spider as per-document hints. A profile narrows the categories with start URLs such as
`/gkmlpt/index#2840` or `hints.gkmlpt_categories = [2840]`; without either, every
category with documents is listed.
"""
from __future__ import annotations

import datetime as dt
import json
import math
import re
from urllib.parse import parse_qsl, urldefrag, urlencode, urljoin, urlsplit, urlunsplit

from .base import ListPage, ListRequest, Platform, decode_text, gets, unique

_SID = re.compile(r"\bSID\s*:\s*['\"]?(\w+)")
_TREE = re.compile(r"\bTREE\s*:\s*(\[)")
_ID_COUNT = re.compile(r"[\"']?id[\"']?\s*:\s*(\d+)\s*,[^{}\[\]]*?[\"']?post_count[\"']?\s*:\s*(\d+)")
CHINA = dt.timezone(dt.timedelta(hours=8))
MAX_PAGES = 500


def _balanced(text: str, start: int) -> str:
    """The bracketed JSON value starting at text[start] ('[' … matching ']')."""
    depth = 0
    for i in range(start, len(text)):
        ch = text[i]
        if ch in "[{":
            depth += 1
        elif ch in "]}":
            depth -= 1
            if depth == 0:
                return text[start:i + 1]
    return text[start:]


def _leaves(nodes: list) -> list[int]:
    found = []
    for node in nodes:
        children = node.get("children") or []
        if children:
            found += _leaves(children)
        elif node.get("post_count") and not node.get("jump_url"):
            found.append(int(node["id"]))
    return found


def tree_categories(html: str) -> list[int]:
    """Categories with documents in the index page's TREE (JSON, else a lenient scan)."""
    m = _TREE.search(html)
    if not m:
        return []
    text = _balanced(html, m.start(1))
    try:
        return _leaves(json.loads(text))
    except (json.JSONDecodeError, AttributeError, TypeError, ValueError, KeyError):
        return [int(i) for i, count in _ID_COUNT.findall(text) if int(count) > 0]


def _date(value) -> str | None:
    """Epoch seconds (China time) or a `YYYY-MM-DD …` string as an ISO date."""
    if isinstance(value, (int, float)) and value > 0:
        return dt.datetime.fromtimestamp(value, CHINA).date().isoformat()
    if isinstance(value, str) and value[:10].count("-") == 2:
        return value[:10]
    return None


def article_hints(article: dict) -> dict[str, str]:
    """What the API says of one document, in record field names."""
    if article.get("is_abolished"):
        validity = "repealed"
    elif article.get("is_expired"):
        validity = "expired"
    else:
        validity = "in_force"   # the platform flags every repeal and expiry explicitly
    hints = {
        "title": article.get("title") or "",
        "index_no": article.get("identifier") or "",
        "doc_number": article.get("document_number") or "",
        "issuer": article.get("publisher") or "",
        "written_date": _date(article.get("date")) or "",
        "published_date": _date(article.get("first_publish_time")) or _date(article.get("created_at")) or "",
        "validity": validity,
    }
    return {k: str(v) for k, v in hints.items() if v}


def _with_page(url: str, page: int) -> str:
    parts = urlsplit(url)
    query = [(k, v) for k, v in parse_qsl(parts.query) if k != "page"]
    return urlunsplit(parts._replace(query=urlencode([("page", str(page))] + query)))


class Gkmlpt(Platform):
    name = "gkmlpt"
    detail_pattern = re.compile(r"/gkmlpt/content/\d+/\d+/(?:mpost|post)_\d+\.html$")

    def __init__(self, hints: dict | None = None):
        super().__init__(hints)
        self.categories: list[int] = [int(c) for c in self.hints.get("gkmlpt_categories", [])]

    def start_requests(self, profile) -> list[ListRequest]:
        # `index#2840` names a category; the fragment never reaches the server.
        urls = profile.absolute_start_urls()
        self.categories += [int(f) for f in (urldefrag(u)[1] for u in urls) if f.isdigit()]
        return gets(urldefrag(u)[0] for u in urls)

    def column_requests(self, urls: list[str]) -> list[ListRequest]:
        # A home page links categories as `/gkmlpt/index#2840`: list those only.
        self.categories += [int(f) for f in (urldefrag(u)[1] for u in urls) if f.isdigit()]
        return gets(urldefrag(u)[0] for u in urls)

    def parse_list(self, url: str, body: bytes, content_type: str = "") -> ListPage:
        text = decode_text(body, content_type)
        if "json" in content_type or text.lstrip().startswith("{"):
            return self.parse_api(url, text)
        return self.parse_index(url, text)

    def parse_index(self, url: str, html: str) -> ListPage:
        page = self.parse_html(url, html)
        m = _SID.search(html)
        if not m:
            return page
        categories = unique(self.categories or tree_categories(html))
        api = urljoin(url, "api/all/")
        page.pages += [ListRequest(f"{api}{c}?{urlencode({'page': 1, 'sid': m.group(1)})}") for c in categories]
        return page

    def parse_api(self, url: str, text: str) -> ListPage:
        try:
            data = json.loads(text)
        except json.JSONDecodeError:
            return ListPage()
        page = ListPage()
        for article in data.get("articles") or []:
            link = urldefrag(urljoin(url, article.get("url") or ""))[0]
            if link and self.is_detail(link):
                page.details.append(link)
                page.hints[link] = article_hints(article)
        page.details = unique(page.details)
        if int(data.get("page") or 1) == 1 and data.get("per_page"):
            count = min(math.ceil(int(data.get("total") or 0) / int(data["per_page"])), MAX_PAGES)
            page.pages = gets(_with_page(url, n) for n in range(2, count + 1))
        return page
