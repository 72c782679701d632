"""开普云 UCAP portals (demo-songlin, demo-shiling; UTF-8).

Lists ``/zwgk/<col>/index.html``, ``index_1.html`` … with ``<ul class="list">`` items and a
plain-anchor pager in ``div.pageInfo``; details ``/zwgk/<col>/art/YYYY/art_<32 hex>.html``
with the gov.cn-style policy table (labels spaced with empty ``<i></i>``), UCAP metas
(``firstpublishedtime``, ``manuscriptId``) and the body in ``div#UCAP-CONTENT``.
As on the real platform, the shared header include ends with a stray ``</html>`` before the
article (demo-songlin only; see the ``gne_tests_other_1`` corpus page).
"""
from __future__ import annotations

from html import escape

from ..catalog import Entry
from .base import Template
from ..world import Column, Site
from ..textgen import today_line
from .common import block_html


def _head(site: Site, title: str, metas: str = "") -> str:
    return f"""<!DOCTYPE HTML PUBLIC "-//W3C//DTD HTML 4.01 Transitional//EN" "http://www.w3.org/TR/html4/loose.dtd">
<html>
<head>
<meta http-equiv="Content-Type" content="text/html; charset=utf-8">
<meta http-equiv="x-ua-compatible" content="IE=edge">
<title>{escape(title)}</title>
{metas}<link href="/images/ucap_public.css" rel="stylesheet" type="text/css" />
<script src="/images/ucap_jquery.min.js"></script>
</head>
"""


def header(site: Site, today, stray_html_end: bool = False) -> str:
    hrefs = ("/", "/zwgk/", "/zwfw/", "/hdjl/", "/zjsl/")
    nav = "".join(f'<li><a href="{h}">{n}</a></li>' for h, n in zip(hrefs, site.nav))
    end = "\n</html>\n<!--end header-->" if stray_html_end else "\n<!--end header-->"
    return f"""<body>
<!--header-->
<div class="header"><div class="container">
<div class="header_logo"><a href="/"><img src="/images/ucap_logo.png" alt="{site.name_zh}" /></a></div>
<div class="header_date">{today_line(today)}</div>
<ul class="header_toolbar"><li><a href="javascript:;">简</a></li><li class="split">|</li><li><a href="javascript:;">繁</a></li><li class="split">|</li><li><a href="javascript:;" onclick="aria.start()">无障碍</a></li></ul>
</div></div>
<div class="nav"><ul class="container">{nav}</ul></div>{end}
"""


def footer(site: Site) -> str:
    return f"""<!--公共尾开始-->
<div class="footer"><div class="container">
<p>主办：{site.sponsor}　承办：{site.undertaker}</p>
<p>{site.address}</p>
<p>{site.icp}　{site.police}　网站标识码：{site.site_code}</p>
<p>{site.name_zh}版权所有　本站已支持IPv6访问</p>
</div></div>
<!--公共尾结束-->
"""


def _crumb(col: Column) -> str:
    return (f'<div class="BreadcrumbNav">当前位置：<a href="/">首页</a>&nbsp;&gt;&nbsp;<a href="/zwgk/">政务公开</a>'
            f'&nbsp;&gt;&nbsp;<a href="/zwgk/{col.slug}/">{col.name}</a></div>')


def page_name(n: int) -> str:
    """Page n (0-based) of a column list."""
    return "index.html" if n == 0 else f"index_{n}.html"


def pager(n: int, pages: int) -> str:
    if pages <= 1:
        return '<div class="pageInfo pageGray" id="pagination"></div>'
    parts = [f'<a href="{page_name(0)}">首页</a>']
    parts.append(f'<a href="{page_name(n - 1)}">上一页</a>' if n > 0 else '<span class="disabled">上一页</span>')
    for i in range(pages):
        parts.append(f'<span class="on">{i + 1}</span>' if i == n else f'<a href="{page_name(i)}">{i + 1}</a>')
    parts.append(f'<a href="{page_name(n + 1)}">下一页</a>' if n < pages - 1 else '<span class="disabled">下一页</span>')
    parts.append(f'<a href="{page_name(pages - 1)}">尾页</a>')
    parts.append(f'<span class="total">共{pages}页</span>')
    return '<div class="pageInfo pageGray" id="pagination">' + "".join(parts) + "</div>"


def list_page(site: Site, col: Column, items: list[Entry], n: int, pages: int, today) -> str:
    lis = "\n".join(
        f'<li><a href=".{e.doc.list_path.removeprefix(f"/zwgk/{col.slug}")}" target="_blank" title="{escape(e.list_title)}">'
        f'{escape(e.list_title)}</a><span class="date">{e.doc.published_date}</span></li>' for e in items)
    return (_head(site, f"{col.name}_{site.name_zh}", f'<meta name="lanmu" content="{col.name}">\n')
            + header(site, today) + f"""<div class="content container">
{_crumb(col)}
<div class="list-box"><div class="list-title">{col.name}</div>
<ul class="list">
{lis}
</ul>
{pager(n, pages)}
</div></div>
""" + footer(site) + "</body>\n</html>\n")


def policy_table(e: Entry) -> str:
    d = e.doc
    def cell(label: str, value: str | None, span: str = "") -> str:
        return f'<td class="t1"><b>{label}</b></td><td{span}>{escape(value or "")}</td>'
    rows = [cell("索<i></i>引<i></i>号：", d.index_no) + cell("主题分类：", d.topic),
            cell("发文机关：", d.issuer) + cell("成文日期：", e.written_print),
            cell("标<i></i><i></i>题：", d.title, ' colspan="3"'),
            cell("发文字号：", d.doc_number_raw) + cell("发布日期：", e.published_print)]
    trs = "".join(f"<tr>{r}</tr>\n" for r in rows)
    return f'<div class="policyLibraryOverview_header"><table class="bd1" cellpadding="0" cellspacing="0">\n{trs}</table></div>\n'


def detail_page(site: Site, e: Entry, today, hits, day: int) -> str:
    d = e.doc
    stamp = f"{d.published_date}-{e.pub_time}:00"
    metas = (f'<meta name="others" content="页面生成时间 {d.published_date} {e.pub_time}:00">\n'
             f'<meta name="catalog" content="{e.column.slug}">\n<meta name="lanmu" content="{e.column.name}">\n'
             f"<meta name='manuscriptId' content=\"{d.key.rsplit('/', 1)[1]}\">\n"
             f'<meta name="firstpublishedtime" content="{stamp}">\n<meta name="lastmodifiedtime" content="{stamp}">\n')
    paras = "\n".join(block_html(b) for b in e.blocks)
    atts = "".join(f'<p><a href="{p}" target="_blank">{escape(n)}</a></p>' for n, p in d.attachments)
    atts = f'<div class="fujian"><span>附件：</span>{atts}</div>\n' if atts else ""
    return (_head(site, f"{d.title}_{site.name_zh}", metas)
            + header(site, today, stray_html_end=site.name == "demo-songlin") + f"""<div class="content">
{_crumb(e.column)}
<div class="pages_print"><span class="font index_switchsize">字号：<span class="default on">默认</span><span class="big">大</span><span class="bigger">超大</span></span><span class="split">|</span><span class="font printIco">打印</span></div>
{policy_table(e)}<div class="article oneColumn">
<h1 id="ti">{escape(d.title)}</h1>
<div class="pages-date">{d.published_date} {e.pub_time}<span class="font">来源：{escape(d.issuer or "")}</span><span class="font">浏览次数：{hits}</span></div>
<div class="pages_content" id="UCAP-CONTENT">
{paras}
</div>
{atts}<div class="sweep">扫一扫在手机打开当前页</div>
<div class="xg-list related"><div class="pannel-title">相关稿件</div><ul class="list01"></ul></div>
</div></div>
""" + footer(site) + "</body>\n</html>\n")


def not_found_page(site: Site) -> str:
    return _head(site, "404 页面不存在") + """<body>
<div class="err"><p>抱歉，您访问的页面不存在或已被删除！</p><p><a href="/">返回首页</a></p></div>
</body>
</html>
"""


def home_page(site: Site, today) -> str:
    links = "".join(f'<li><a href="/zwgk/{c.slug}/">{c.name}</a></li>' for c in site.columns)
    return (_head(site, site.name_zh) + header(site, today)
            + f'<div class="content container"><div class="zwgk"><h2>政务公开</h2><ul>{links}</ul></div></div>\n'
            + footer(site) + "</body>\n</html>\n")


def chrome_lines(site: Site) -> list[str]:
    lines = ["字号：默认大超大", "打印", "相关稿件", "来源：", "简 | 繁 | 无障碍"]
    return lines + [f"当前位置：首页 > 政务公开 > {c.name}" for c in site.columns]


class UcapTemplate(Template):
    """demo-songlin, demo-shiling: ``index.html``, ``index_1.html`` … with an anchor pager."""

    name = "ucap"

    def column_url(self, col: Column) -> str:
        return f"/zwgk/{col.slug}/index.html"

    def list_paths(self, col: Column, n: int) -> list[str]:
        if n == 0:
            return [f"/zwgk/{col.slug}/", f"/zwgk/{col.slug}/index.html"]
        return [f"/zwgk/{col.slug}/index_{n}.html"]

    def extra_routes(self, r: dict, day: int) -> None:
        r["/zwgk/"] = r["/zwgk/index.html"] = ("home",)

    def page_number(self, n: int) -> int:
        return n


