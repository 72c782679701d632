"""A county portal on an unknown, home-grown CMS (demo-lutang; GBK bytes labelled gb2312).

Nothing here follows a known platform, so only a generic adapter can crawl it, starting
from the home page ``/``: the home page and ``/xxgk/`` link the two columns by name
(规范性文件, 政策文件) among ordinary navigation, a static 机构概况 page and off-site links.

* 规范性文件: ``/xxgk/gfxwj/`` = ``index.shtml``, ``index_2.shtml`` … (table rows, numbered
  pager); details ``/xxgk/gfxwj/YYYYMM/<id>.shtml``.
* 政策文件: ``/news/list.aspx?cid=21&page=N`` (truncated link texts with the full title in
  ``title=``, 上一页/下一页 only); details ``/news/show.aspx?id=<id>`` (the id is in the query).
* Details: no metas, title in ``h2.title``, ``发布时间/来源/文号/点击数`` in one line, body in
  ``div#fontzoom``, 上一篇/下一篇 links to the neighbouring documents of the column.
"""
from __future__ import annotations

from urllib.parse import parse_qs
from html import escape

from ..catalog import Entry, entries
from .base import Template, query_int
from ..world import Column, Site, date_of_day
from ..textgen import today_line
from .common import block_html

NEWS_CID = "21"


def _head(site: Site, title: str) -> str:
    return f"""<html>
<head>
<meta http-equiv="Content-Type" content="text/html; charset=gb2312">
<title>{escape(title)}</title>
<meta name="keywords" content="{site.name_zh},{site.county}">
<link href="/css/style.css" rel="stylesheet" type="text/css">
<script type="text/javascript" src="/js/common.js"></script>
</head>
"""


def header(site: Site, today) -> str:
    return f"""<body>
<table width="1000" border="0" align="center" cellpadding="0" cellspacing="0" class="top">
<tr><td class="rq">{today_line(today)}</td><td align="right"><a href="javascript:void(0)" onclick="SetHome(this)">设为首页</a> | <a href="javascript:void(0)" onclick="AddFavorite()">加入收藏</a></td></tr>
</table>
<div class="banner"><img src="/images/banner.jpg" width="1000" height="160"></div>
<div class="menu"><a href="/">网站首页</a><a href="/xxgk/">政务公开</a>{menu_links(site)}<a href="/bsfw/">办事服务</a><a href="javascript:void(0)">互动交流</a></div>
"""


def footer(site: Site) -> str:
    return f"""<div class="foot">
<a href="http://www.gov.cn/" target="_blank">中国政府网</a> | <a href="/xxgk/jggk.shtml">联系我们</a><br>
版权所有：{site.name_zh}　主办：{site.sponsor}　承办：{site.undertaker}<br>
{site.address}<br>
{site.icp}　{site.police}　网站标识码：{site.site_code}
</div>
</body>
</html>
"""


def column_href(col: Column) -> str:
    return f"/xxgk/{col.slug}/" if col.kind == "shtml" else f"/news/list.aspx?cid={col.slug}"


def column_items(site: Site) -> str:
    return "".join(f'<li><a href="{column_href(c)}">{c.name}</a></li>' for c in site.columns)


def menu_links(site: Site) -> str:
    """The header menu's column links; a site with ``menu_columns = False`` names its columns
    only on its 政务公开 landing page (reached from the home page by that name alone)."""
    if not site.params.get("menu_columns", True):
        return ""
    return "".join(f'<a href="{column_href(c)}">{c.name}</a>' for c in site.columns)


def _crumb(col: Column) -> str:
    href = column_href(col)
    return (f'<div class="weizhi">您现在的位置：<a href="/">网站首页</a> &gt;&gt; <a href="/xxgk/">政务公开</a>'
            f' &gt;&gt; <a href="{href}">{col.name}</a></div>')


def shtml_page(n: int) -> str:
    return "index.shtml" if n == 1 else f"index_{n}.shtml"


def list_page(site: Site, col: Column, items: list[Entry], page: int, pages: int, today) -> str:
    total = len(entries(site.name, 1, col.slug))
    if col.kind == "shtml":
        rows = "\n".join(f'<tr><td class="bt"><a href="{e.doc.list_path}" target="_blank" title="{escape(e.list_title)}">'
                         f'{escape(e.list_title)}</a></td><td class="sj">[{e.doc.published_date}]</td></tr>' for e in items)
        listing = f'<table class="newslist" width="100%" border="0" cellspacing="0" cellpadding="0">\n{rows}\n</table>'
        parts = [f"共{total}条记录　第{page}/{pages}页　", f'<a href="{shtml_page(1)}">首页</a> ']
        parts.append(f'<a href="{shtml_page(page - 1)}">上一页</a> ' if page > 1 else "上一页 ")
        parts += [f'<a href="{shtml_page(i)}">{i}</a> ' if i != page else f"<b>{i}</b> " for i in range(1, pages + 1)]
        parts.append(f'<a href="{shtml_page(page + 1)}">下一页</a> ' if page < pages else "下一页 ")
        parts.append(f'<a href="{shtml_page(pages)}">尾页</a>')
        pager = '<div class="pages">' + "".join(parts) + "</div>"
    else:
        def short(t: str) -> str:
            return t if len(t) <= 24 else t[:23] + "…"
        rows = "\n".join(f'<li><span class="date">{e.doc.published_date}</span><a href="show.aspx?id={e.doc.key.rsplit("/", 1)[1]}" '
                         f'target="_blank" title="{escape(e.list_title)}">{escape(short(e.list_title))}</a></li>' for e in items)
        listing = f'<ul class="newslist">\n{rows}\n</ul>'
        prev = f'<a href="list.aspx?cid={col.slug}&amp;page={page - 1}">上一页</a>' if page > 1 else "上一页"
        nxt = f'<a href="list.aspx?cid={col.slug}&amp;page={page + 1}">下一页</a>' if page < pages else "下一页"
        pager = f'<div class="page">{prev}　{nxt}　第{page}页/共{pages}页</div>'
    return (_head(site, f"{col.name}-{site.name_zh}") + header(site, today) + f"""<div id="main">
{_crumb(col)}
<div class="left"><div class="lmmc">政务公开</div><ul>{column_items(site)}<li><a href="/xxgk/jggk.shtml">机构概况</a></li></ul></div>
<div class="right"><div class="lmbt">{col.name}</div>
{listing}
{pager}
</div></div>
""" + footer(site))


def _neighbours(site: Site, e: Entry, day: int) -> tuple[Entry | None, Entry | None]:
    items = entries(site.name, day, e.column.slug)
    i = next(i for i, x in enumerate(items) if x.doc.key == e.doc.key)
    return (items[i - 1] if i > 0 else None), (items[i + 1] if i + 1 < len(items) else None)


def detail_page(site: Site, e: Entry, today, hits, day: int) -> str:
    d = e.doc
    paras = "\n".join(block_html(b) for b in e.blocks)
    number = f"　文号：{escape(d.doc_number_raw)}" if d.doc_number_raw else ""
    atts = "".join(f'<a href="{p}" target="_blank">{escape(n)}</a><br>' for n, p in d.attachments)
    atts = f'<div class="fujian">{atts}</div>\n' if atts else ""
    prev, nxt = _neighbours(site, e, day)
    def link(label: str, x: Entry | None) -> str:
        return f'<p>{label}<a href="{x.doc.path}">{escape(x.list_title)}</a></p>' if x else f"<p>{label}没有了</p>"
    return (_head(site, f"{d.title}-{site.name_zh}") + header(site, today) + f"""<div id="main">
{_crumb(e.column)}
<div class="detail">
<h2 class="title">{escape(d.title)}</h2>
<div class="attr">发布时间：{d.published_date} {e.pub_time}　来源：{escape(d.issuer or "")}{number}　点击数：<span id="hits">{hits}</span>　【<a href="javascript:window.print()">打印</a>】【<a href="javascript:window.close()">关闭</a>】</div>
<div id="fontzoom" class="content">
{paras}
</div>
{atts}<div class="prenext">{link("上一篇：", prev)}{link("下一篇：", nxt)}</div>
</div></div>
""" + footer(site))


def home_page(site: Site, today) -> str:
    latest = []
    for col in site.columns:
        for e in entries(site.name, 1, col.slug)[:3]:
            latest.append(f'<li><a href="{e.doc.path}" target="_blank">{escape(e.list_title)}</a><span>{e.doc.published_date[5:]}</span></li>')
    return (_head(site, site.name_zh) + header(site, today) + f"""<div id="main">
<div class="box"><div class="boxtitle"><span>最新文件</span></div><ul>{''.join(latest)}</ul></div>
<div class="box"><div class="boxtitle"><span>政务公开</span></div><ul>
{column_items(site) if site.params.get("menu_columns", True) else ""}
<li><a href="/xxgk/jggk.shtml">机构概况</a></li><li><a href="/xxgk/">更多&gt;&gt;</a></li></ul></div>
<div class="box links"><div class="boxtitle"><span>友情链接</span></div>
<a href="http://www.gov.cn/" target="_blank">中国政府网</a> <a href="http://www.example.gov.cn/" target="_blank">示范省人民政府</a></div>
</div>
""" + footer(site))


def xxgk_page(site: Site, today) -> str:
    return (_head(site, f"政务公开-{site.name_zh}") + header(site, today) + f"""<div id="main">
<div class="weizhi">您现在的位置：<a href="/">网站首页</a> &gt;&gt; 政务公开</div>
<ul class="xxgk">{column_items(site)}
<li><a href="/xxgk/jggk.shtml">机构概况</a></li><li><a href="/bsfw/">办事服务</a></li></ul>
</div>
""" + footer(site))


def static_page(site: Site, today, title: str, text: str) -> str:
    return (_head(site, f"{title}-{site.name_zh}") + header(site, today)
            + f'<div id="main"><div class="weizhi">您现在的位置：<a href="/">网站首页</a> &gt;&gt; {title}</div>'
            + f'<div class="detail"><h2 class="title">{title}</h2><div class="content"><p>{text}</p></div></div></div>\n'
            + footer(site))


def not_found_page(site: Site) -> str:
    return """<html><head><meta http-equiv="Content-Type" content="text/html; charset=gb2312"><title>404 - 找不到文件或目录。</title></head>
<body><div id="header"><h1>服务器错误</h1></div>
<div id="content"><h2>404 - 找不到文件或目录。</h2><h3>您要查找的资源可能已被删除，已更改名称或者暂时不可用。</h3></div>
</body></html>
"""


def chrome_lines(site: Site) -> list[str]:
    return ["设为首页 | 加入收藏", "您现在的位置：", "发布时间：", "点击数：", "上一篇：", "下一篇：", "【打印】【关闭】",
            f"版权所有：{site.name_zh}", "没有了"]


class GenericTemplate(Template):
    """demo-lutang: an unknown ASP.NET CMS; ``.shtml`` lists and ``list.aspx``/``show.aspx``."""

    name = "generic"

    def column_url(self, col: Column) -> str:
        return f"/xxgk/{col.slug}/index.shtml" if col.kind == "shtml" else column_href(col)

    def html_headers(self) -> dict[str, str]:
        return {"Content-Type": self.html_type(), "X-Powered-By": "ASP.NET"}

    def list_paths(self, col: Column, n: int) -> list[str]:
        if col.kind == "shtml":
            return ([f"/xxgk/{col.slug}/", f"/xxgk/{col.slug}/index.shtml"] if n == 0
                    else [f"/xxgk/{col.slug}/index_{n + 1}.shtml"])
        return super().list_paths(col, n)

    def extra_routes(self, r: dict, day: int) -> None:
        s = self.site
        r["/index.shtml"] = ("home",)
        r["/xxgk/"] = r["/xxgk/index.shtml"] = ("xxgk",)
        r["/xxgk/jggk.shtml"] = ("static", "机构概况", f"{s.name_zh}办公室负责县政府日常运转和政务公开工作。")
        r["/bsfw/"] = ("static", "办事服务", "网上办事请访问示范省政务服务网。")

    def lookup(self, path: str, query: str, day: int) -> tuple | None:
        r, q = self.routes(day), parse_qs(query)
        if path == "/news/show.aspx":
            return r.get(f"/news/show.aspx?id={query_int(q, 'id', -1)}")
        if path == "/news/list.aspx":
            cid = (q.get("cid") or [""])[0]
            col = next((c for c in self.site.columns if c.kind == "aspx" and c.slug == cid), None)
            return r.get(f"#list/{col.slug}/{query_int(q, 'page', 1)}") if col else None
        return r.get(path)

    def own_page(self, route: tuple, method: str, query: str, headers, body: bytes, day: int):
        today = date_of_day(day)
        if route[0] == "xxgk":
            return xxgk_page(self.site, today)
        return static_page(self.site, today, route[1], route[2])


