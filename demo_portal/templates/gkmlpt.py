"""Guangdong ``gkmlpt`` 政府信息公开目录管理平台 (demo-jinhai, UTF-8).

``/gkmlpt/index`` is a JavaScript shell: no links, only ``window._CONFIG = {SID: '…', TREE:
[…], SERVICE_AREA_ID: …}`` naming the directory's categories. Lists come from the JSON API
``/gkmlpt/api/all/<catId>?page=N&sid=SID`` (``classify``, ``articles``, ``total``; each article
with ``identifier`` 索引号, ``document_number`` 文号, ``publisher``, ``date`` 成文日期 and
``create_time``/``first_publish_time`` as epoch seconds, ``created_at`` text, and the validity
flags ``is_abolished`` 废止 / ``is_expired`` 失效). The demo's API pages hold
``params["per_page"]`` (5) articles so that paging is exercised; real ones hold 100.
Details ``/gkmlpt/content/<id//10**6>/<id//1000>/post_<id>.html`` carry the classic
classify table (索引号/分类/发布机构/成文日期/名称/文号/发布日期/主题词 — no 有效性 row: validity
is only in the API flags and the page's ``_CONFIG.DETAIL``) and the body in
``div.article-content``.
"""
from __future__ import annotations

import re
from urllib.parse import parse_qs
import datetime as dt
import json
from html import escape

from ..catalog import CST, Entry, entries
from .base import Template, query_int
from ..world import Column, Site
from ..textgen import today_line
from .common import block_html


def _head(site: Site, title: str) -> str:
    return f"""<!DOCTYPE html>
<html lang="zh-CN">
<head>
<meta charset="UTF-8">
<meta name="viewport" content="width=device-width,initial-scale=1">
<title>{escape(title)}</title>
<link href="/gkmlpt/static/css/app.7d3f2a1c.css" rel="stylesheet">
</head>
"""


def _epoch(iso: str, hhmm: str = "00:00") -> int:
    h, m = map(int, hhmm.split(":"))
    return int(dt.datetime.combine(dt.date.fromisoformat(iso), dt.time(h, m), tzinfo=CST).timestamp())


def tree(site: Site, counts: dict[str, int]) -> list[dict]:
    children = [{"id": int(c.slug), "name": c.name, "parent": 2400, "post_count": counts[c.slug], "jump_url": "",
                 "children": []} for c in site.columns]
    return [{"id": 2400, "name": "政策文件", "parent": 0, "post_count": sum(counts.values()), "jump_url": "",
             "children": children},
            {"id": 2410, "name": "机构职能", "parent": 0, "post_count": 0, "jump_url": "/gkmlpt/jgzn", "children": []}]


def index_page(site: Site, counts: dict[str, int]) -> str:
    tree_json = json.dumps(tree(site, counts), ensure_ascii=False)
    return (_head(site, f"{site.name_zh} 政府信息公开目录") + f"""<body>
<noscript><strong>请开启浏览器的JavaScript功能后访问本页面。</strong></noscript>
<div id="app"></div>
<script>window._CONFIG = {{SID: '{site.params["sid"]}', SITE_NAME: '{site.name_zh}', APP_URL: '', TREE: {tree_json}, SERVICE_AREA_ID: 0, THEME: 'red'}};</script>
<script src="/gkmlpt/static/js/chunk-vendors.4b1e9c20.js"></script>
<script src="/gkmlpt/static/js/app.7d3f2a1c.js"></script>
</body>
</html>
""")


def article(site: Site, e: Entry, host: str) -> dict:
    d = e.doc
    art_id = int(d.key.rsplit("/", 1)[1])
    created = _epoch(d.published_date, e.pub_time)
    base = f"http://{host}" if host else ""
    return {
        "id": art_id, "title": d.title, "url": f"{base}{d.path}#{e.column.slug}", "type": "normal",
        "identifier": d.index_no or "", "document_number": d.doc_number_raw or "", "publisher": d.issuer or "",
        "keywords": "", "abstract": "", "date": _epoch(d.written_date) if d.written_date else 0,
        "created_at": f"{d.published_date} {e.pub_time}:00", "create_time": created,
        "first_publish_time": created, "display_publish_time": created,
        "classify_main": int(e.column.slug), "classify_main_name": e.column.name,
        "classify_genre_name": d.doc_type or "", "classify_theme_name": (d.topic or "").split("/")[-1],
        "is_abolished": int(d.validity == "repealed"), "is_expired": int(d.validity == "expired"),
        "attachment": [{"name": n, "url": f"{base}{p}"} for n, p in d.attachments], "relation": "",
    }


def api_page(site: Site, col: Column, items: list[Entry], page: int, host: str) -> str:
    per = int(site.params["per_page"])
    chunk = items[(page - 1) * per:page * per] if page >= 1 else []
    payload = {
        "classify": {"id": int(col.slug), "name": col.name, "parent": 2400, "post_count": len(items),
                     "theme_count": len(items), "jump_url": ""},
        "articles": [article(site, e, host) for e in chunk],
        "total": len(items), "offset": max(page - 1, 0) * per, "page": page, "per_page": per,
    }
    return json.dumps(payload, ensure_ascii=False)


def header(site: Site, today) -> str:
    return f"""<body>
<div class="gkml-header"><div class="container"><a class="logo" href="/gkmlpt/index"><img src="/gkmlpt/static/img/logo.png" alt="{site.name_zh}"></a>
<span class="title">政府信息公开</span><span class="date">{today_line(today)}</span></div></div>
<div class="gkml-nav container"><a href="/gkmlpt/index">信息公开目录</a><a href="/gkmlpt/guide">信息公开指南</a><a href="/gkmlpt/annualreport">信息公开年报</a><a href="/gkmlpt/yisqgk">依申请公开</a></div>
"""


def footer(site: Site) -> str:
    return f"""<div class="gkml-footer"><div class="container">
<p>主办：{site.sponsor}　承办：{site.undertaker}</p>
<p>{site.icp}　{site.police}　网站标识码：{site.site_code}</p>
<p>{site.name_zh}版权所有　本站已支持IPv6访问</p>
</div></div>
"""


def classify_table(e: Entry) -> str:
    d = e.doc
    def tr(a: tuple[str, str | None], b: tuple[str, str | None] | None = None) -> str:
        span = ' colspan="3"' if b is None else ""
        left = f'<td class="td-title">{a[0]}</td><td class="td-value"{span}><span>{escape(a[1] or "")}</span></td>'
        right = f'<td class="td-title">{b[0]}</td><td class="td-value"><span>{escape(b[1] or "")}</span></td>' if b else ""
        return f"<tr>{left}{right}</tr>\n"
    genre = e.column.name + ("/" + d.doc_type if d.doc_type else "")
    return ('<div class="classify"><table class="table">\n<tbody>\n'
            + tr(("索引号：", d.index_no), ("分类：", genre))
            + tr(("发布机构：", d.issuer), ("成文日期：", e.written_print))
            + tr(("名称：", d.title))
            + tr(("文号：", d.doc_number_raw), ("发布日期：", e.published_print))
            + tr(("主题词：", ""))
            + "</tbody>\n</table></div>\n")


def detail_page(site: Site, e: Entry, today, hits, day: int) -> str:
    d = e.doc
    art_id = int(d.key.rsplit("/", 1)[1])
    detail = {"id": art_id, "title": d.title, "identifier": d.index_no or "", "document_number": d.doc_number_raw or "",
              "publisher": d.issuer or "", "classify_main": int(e.column.slug),
              "is_abolished": int(d.validity == "repealed"), "is_expired": int(d.validity == "expired")}
    paras = "\n".join(block_html(b) for b in e.blocks)
    atts = "".join(f'<li><a href="{p}" target="_blank">{escape(n)}</a></li>' for n, p in d.attachments)
    atts = f'<div class="article-attachment"><p>附件：</p><ul>{atts}</ul></div>\n' if atts else ""
    return (_head(site, f"{d.title}_{site.name_zh}") + header(site, today) + f"""<div class="container content-container">
<div class="position">当前位置：<a href="/gkmlpt/index">信息公开目录</a> &gt; <a href="/gkmlpt/index#{e.column.slug}">{e.column.name}</a></div>
{classify_table(e)}<div class="content">
<h1 class="content-title">{escape(d.title)}</h1>
<div class="content-info"><span>发布日期：{d.published_date} {e.pub_time}</span><span>浏览次数：{hits}</span><a href="javascript:window.print()">【打印】</a><a href="javascript:window.close()">【关闭】</a></div>
<div class="article-content">
{paras}
</div>
{atts}</div></div>
<script>window._CONFIG = {{SID: '{site.params["sid"]}', DETAIL: {json.dumps(detail, ensure_ascii=False)}}};</script>
""" + footer(site) + "</body>\n</html>\n")


def not_found_page(site: Site) -> str:
    return _head(site, "404") + """<body>
<div class="container"><h2>404</h2><p>您访问的页面不存在。</p><p><a href="/gkmlpt/index">返回信息公开目录</a></p></div>
</body>
</html>
"""


def home_page(site: Site, today) -> str:
    return (_head(site, site.name_zh) + header(site, today)
            + '<div class="container"><div class="zwgk"><h2>政务公开</h2><ul>'
            + '<li><a href="/gkmlpt/index">政府信息公开目录</a></li>'
            + "".join(f'<li><a href="/gkmlpt/index#{c.slug}">{c.name}</a></li>' for c in site.columns)
            + "</ul></div></div>\n" + footer(site) + "</body>\n</html>\n")


def chrome_lines(site: Site) -> list[str]:
    return ["信息公开目录", "信息公开指南", "信息公开年报", "依申请公开", "【打印】", "【关闭】", "主题词："]


_API = re.compile(r"/gkmlpt/api/all/(\d+)")


class GkmlptTemplate(Template):
    """demo-jinhai: a JavaScript shell at /gkmlpt/index and the JSON list API."""

    name = "gkmlpt"

    def column_url(self, col: Column) -> str:
        return f"/gkmlpt/index#{col.slug}"     # the category, as gkmlpt profiles name it

    def extra_routes(self, r: dict, day: int) -> None:
        r["/gkmlpt/index"] = r["/gkmlpt/"] = r["/gkmlpt/index.html"] = ("gk_index",)

    def lookup(self, path: str, query: str, day: int) -> tuple | None:
        m = _API.fullmatch(path)
        if m:
            col = next((c for c in self.site.columns if c.slug == m.group(1)), None)
            return ("gk_api", col, query_int(parse_qs(query), "page", 1)) if col else None
        return self.routes(day).get(path)

    def own_page(self, route: tuple, method: str, query: str, headers, body: bytes, day: int):
        s = self.site
        if route[0] == "gk_index":
            return index_page(s, {c.slug: len(entries(s.name, day, c.slug)) for c in s.columns})
        _, col, page = route
        text = api_page(s, col, entries(s.name, day, col.slug), page, headers.get("Host", ""))
        return 200, {"Content-Type": "application/json; charset=utf-8"}, text.encode("utf-8")


