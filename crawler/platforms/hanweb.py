"""Hanweb jcms (大汉): `/col/colN/` columns, `/art/YYYY/M/D/art_C_ID.html` details.

Columns built with the jpage module carry no list HTML: the first group of records sits
in `<script type="text/xml"><datastore>…<record><![CDATA[<li><a …>]]>` and later groups come
from `dataproxy.jsp?startrecord=A&endrecord=B&perpage=P` with the `ajaxParam` of the page's
`jpage({...})` call. We ask for them with GET and every parameter in the query string, so
each answer is told apart by its URL in the archive; profiles of servers that insist on
POST set `hints.hanweb_post = true` (the same URL, the parameters also sent as a form).
"""
from __future__ import annotations

import re
from urllib.parse import parse_qs, urlencode, urljoin, urlsplit

from .base import ListPage, ListRequest, Platform, anchors, gets, pager_links, same_site, unique

_RECORD = re.compile(r"<record>\s*<!\[CDATA\[(.*?)\]\]>\s*</record>", re.S)
_JPAGE = re.compile(r"\.jpage\(\s*\{(.*?)\}\s*\)\s*;", re.S)
_NUMBER = r"{}\s*:\s*['\"]?(\d+)"
_PROXY = re.compile(r"proxyUrl\s*:\s*['\"]([^'\"]+)['\"]")
_AJAX = re.compile(r"ajaxParam\s*:\s*\{([^}]*)\}")
_PAIR = re.compile(r"(\w+)\s*:\s*(?:'([^']*)'|\"([^\"]*)\"|([^,\s}]+))")
_TOTAL = re.compile(r"<totalrecord>\s*(\d+)\s*</totalrecord>")
DEFAULT_PROXY = "/module/web/jpage/dataproxy.jsp"


def _option(call: str, name: str, default: int) -> int:
    m = re.search(_NUMBER.format(name), call)
    return int(m.group(1)) if m else default


def _ajax_params(call: str) -> dict[str, str]:
    m = _AJAX.search(call)
    pairs = _PAIR.findall(m.group(1)) if m else []
    return {k: single or double or bare for k, single, double, bare in pairs}


def _first(query: dict, name: str) -> int | None:
    value = (query.get(name) or [""])[0]
    return int(value) if value.isdigit() else None


class Hanweb(Platform):
    name = "hanweb"
    detail_pattern = re.compile(r"/art/\d{4}/\d{1,2}/\d{1,2}/art_\d+_\d+\.html$")

    def parse_html(self, url: str, html: str) -> ListPage:
        records = _RECORD.findall(html)
        links = anchors(html, url) + [link for r in records for link in anchors(r, url)]
        details = unique(u for u, _ in links if same_site(u, url) and self.is_detail(u))
        pages = gets(pager_links(anchors(html, url), url))
        if "dataproxy.jsp" in urlsplit(url).path:
            pages += self._next_group(url, html, len(records))
        else:
            pages += self._first_proxy_group(url, html, len(records))
        return ListPage(details=details, pages=pages)

    def _first_proxy_group(self, url: str, html: str, embedded: int) -> list[ListRequest]:
        """The records after those embedded in a jpage column page, from dataproxy.jsp."""
        m = _JPAGE.search(html)
        if not m:
            return []
        call = m.group(1)
        total = _option(call, "totalRecord", 0) or int((_TOTAL.search(html) or [0, 0])[1])
        if total and embedded >= total:
            return []
        proxy = (_PROXY.search(call) or [None, DEFAULT_PROXY])[1]
        per_page = _option(call, "perPage", 15)
        step = per_page * _option(call, "groupSize", 3)
        return [self._proxy_request(urljoin(url, proxy), embedded + 1, step, per_page, _ajax_params(call))]

    def _next_group(self, url: str, xml: str, got: int) -> list[ListRequest]:
        """A dataproxy answer asks for the group after it while the column has more records."""
        query = parse_qs(urlsplit(url).query, keep_blank_values=True)
        start, end, per_page = _first(query, "startrecord"), _first(query, "endrecord"), _first(query, "perpage")
        if start is None or end is None or got < end - start + 1:
            return []
        m = _TOTAL.search(xml)
        if m and int(m.group(1)) <= end:
            return []
        params = {k: v[0] for k, v in query.items() if k not in ("startrecord", "endrecord", "perpage")}
        base = url.split("?", 1)[0]
        return [self._proxy_request(base, end + 1, end - start + 1, per_page or 15, params)]

    def _proxy_request(self, proxy: str, start: int, step: int, per_page: int, params: dict) -> ListRequest:
        query = {"startrecord": start, "endrecord": start + step - 1, "perpage": per_page, **params}
        url = f"{proxy}?{urlencode(query)}"
        if self.hints.get("hanweb_post"):
            return ListRequest(url, method="POST", form={k: str(v) for k, v in params.items()})
        return ListRequest(url)
