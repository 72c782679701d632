"""HTML of a Hanweb (大汉 jcms) county portal, served as GBK bytes labelled gb2312."""
from __future__ import annotations

from urllib.parse import parse_qs
from html import escape

from ..catalog import Entry
from .base import Template
from ..world import Column, Site
from ..textgen import today_line
from .common import block_html, site_metas

# jcms templates differ in how they declare the charset; both forms are common.
META_FORMS = ('<meta http-equiv="Content-Type" content="text/html; charset=gb2312">', '<meta charset="gb2312">')


def _head(site: Site, title: str, metas: str = "", form: int = 0) -> str:
    return f"""<!DOCTYPE html>
<html>
<head>
{META_FORMS[form]}
<meta http-equiv="X-UA-Compatible" content="IE=edge">
<title>{escape(title)}</title>
{site_metas(site)}{metas}<link href="/images/jcms.css" rel="stylesheet" type="text/css">
<script language="javascript" src="/script/0/jquery.js"></script>
</head>
"""


def header(site: Site, today) -> str:
    hrefs = ("/index.html", "/col/col1200/index.html", "/col/col1300/index.html", "/col/col1400/index.html",
             "/col/col1500/index.html")
    nav = "".join(f'<a href="{h}" target="_self">{n}</a>\n' for h, n in zip(hrefs, site.nav))
    return f"""<body>
<table width="1000" border="0" align="center" cellpadding="0" cellspacing="0" class="top">
<tr><td class="date">{today_line(today)}</td><td align="right"><a href="javascript:void(0)">繁體版</a> | <a href="javascript:void(0)">无障碍浏览</a></td></tr>
</table>
<div class="banner"><img src="/images/banner.jpg" width="1000" height="150" alt="{site.name_zh}"></div>
<div class="nav">
{nav}</div>
"""


def footer(site: Site) -> str:
    return f"""<div class="bottom">
<table width="1000" border="0" align="center" cellpadding="0" cellspacing="0"><tr><td align="center">
主办：{site.sponsor}&nbsp;&nbsp;承办：{site.undertaker}<br>
{site.address}<br>
<a href="https://beian.miit.gov.cn" target="_blank">{site.icp}</a>&nbsp;&nbsp;{site.police}&nbsp;&nbsp;网站标识码：{site.site_code}<br>
{site.name_zh}版权所有&nbsp;&nbsp;本站已支持IPv6访问
</td></tr></table>
</div>
"""


def _crumb(col: Column) -> str:
    return (f'<div class="dqwz">当前位置：<a href="/index.html">首页</a> &gt; <a href="/col/col1200/index.html">政务公开</a>'
            f' &gt; <a href="/col/col{col.slug}/index.html">{col.name}</a></div>')


def _page_href(col: Column, n: int) -> str:
    return f"/col/col{col.slug}/index.html?uid={col.uid}&amp;pageNum={n}"


def pager(col: Column, page: int, pages: int) -> str:
    """Plain anchors, as jcms renders its list module server-side (page numbers are 1-based)."""
    parts = [f"共{pages}页&nbsp;"]
    parts.append(f'<a href="{_page_href(col, 1)}">首页</a>' if page > 1 else "<span>首页</span>")
    parts.append(f'<a href="{_page_href(col, page - 1)}">上一页</a>' if page > 1 else "<span>上一页</span>")
    parts.append(f'<a href="{_page_href(col, page + 1)}">下一页</a>' if page < pages else "<span>下一页</span>")
    parts.append(f'<a href="{_page_href(col, pages)}">尾页</a>' if page < pages else "<span>尾页</span>")
    parts.append(f"&nbsp;当前第{page}页")
    return '<div class="default_pgContainer">' + "&nbsp;".join(parts) + "</div>"


def list_page(site: Site, col: Column, items: list[Entry], page: int, pages: int, today) -> str:
    rows = "\n".join(
        f'<tr><td class="bt"><a href="{e.doc.list_path}" target="_blank" title="{escape(e.list_title)}">'
        f'{escape(e.list_title)}</a></td><td class="rq">{e.doc.published_date}</td></tr>'
        for e in items)
    return (_head(site, f"{site.name_zh} {col.name}", f'<meta name="ColumnName" content="{col.name}">\n')
            + header(site, today) + f"""<div class="main">
{_crumb(col)}
<div class="lm_name">{col.name}</div>
<div id="{col.uid}">
<table width="100%" border="0" cellspacing="0" cellpadding="0" class="list_table">
{rows}
</table>
{pager(col, page, pages)}
</div>
</div>
""" + footer(site) + "</body>\n</html>\n")


def meta_box(e: Entry) -> str:
    d = e.doc
    rows = [("索　引　号：", d.index_no), ("发布机构：", d.issuer), ("主题分类：", d.topic),
            ("成文日期：", e.written_print), ("文　　号：", d.doc_number_raw), ("发布日期：", e.published_print),
            ("时&nbsp;效&nbsp;性：", d.validity_raw)]
    cells = [f'<td class="xxgk_name">{k}</td><td class="xxgk_value">{escape(v)}</td>' for k, v in rows if v]
    trs = "".join(f"<tr>{''.join(cells[i:i + 2])}</tr>\n" for i in range(0, len(cells), 2))
    return (f'<table class="xxgk_table" width="100%" border="0" cellspacing="1" cellpadding="0">\n{trs}'
            f'<tr><td class="xxgk_name">名　　称：</td><td colspan="3">{escape(d.title)}</td></tr>\n</table>\n')


def detail_page(site: Site, e: Entry, today, hits: int) -> str:
    d = e.doc
    metas = (f'<meta name="ColumnName" content="{e.column.name}">\n<meta name="ColumnType" content="{e.column.name}">\n'
             f'<meta name="ArticleTitle" content="{escape(d.title)}">\n'
             f'<meta name="PubDate" content="{d.published_date} {e.pub_time}">\n'
             f'<meta name="ContentSource" content="{d.issuer}">\n')
    paras = "\n".join(block_html(b) for b in e.blocks)
    atts = "".join(f'<p><a href="{p}" target="_blank">{escape(n)}</a></p>' for n, p in d.attachments)
    atts = f'<div class="fjxz"><span>附件下载：</span>{atts}</div>\n' if atts else ""
    links = "".join(f'<li><a href="#" target="_blank">{n}</a></li>' for n in site.related_links)
    form = int(d.key[-1]) % 2
    return (_head(site, d.title, metas, form) + header(site, today) + f"""<div class="main">
{_crumb(e.column)}
{meta_box(e)}<div class="bt_title">{escape(d.title)}</div>
<div class="bt_info">发布日期：{d.published_date} {e.pub_time}&nbsp;&nbsp;来源：{d.issuer}&nbsp;&nbsp;浏览次数：<span id="hits">{hits}</span>&nbsp;&nbsp;字号：<a href="javascript:doZoom(20)">大</a> <a href="javascript:doZoom(16)">中</a> <a href="javascript:doZoom(12)">小</a></div>
<div id="zoom"><!--ZJEG_RSS.content.begin--><meta name="ContentStart">
{paras}
<meta name="ContentEnd"><!--ZJEG_RSS.content.end--></div>
{atts}<div class="tools"><a href="javascript:window.print()">【打印本页】</a><a href="javascript:window.close()">【关闭窗口】</a></div>
<div class="ewm"><img src="/images/ewm.png"><span>扫一扫在手机打开当前页</span></div>
<div class="xglj"><div class="xglj_bt">相关链接</div><ul>{links}</ul></div>
</div>
""" + footer(site) + "</body>\n</html>\n")


def not_found_page(site: Site) -> str:
    return _head(site, "您访问的页面不存在") + """<body>
<div class="error"><h3>404</h3><p>对不起，您访问的页面不存在或已删除。</p>
<p>请检查您输入的网址是否正确，或<a href="/index.html">返回首页</a>。</p></div>
</body>
</html>
"""


def home_page(site: Site, today, columns: list[Column]) -> str:
    links = "".join(f'<li><a href="/col/col{c.slug}/index.html">{c.name}</a></li>' for c in columns)
    return (_head(site, site.name_zh) + header(site, today)
            + f'<div class="main"><div class="zwgk"><h2>政务公开</h2><ul>{links}</ul></div></div>\n'
            + footer(site) + "</body>\n</html>\n")


class HanwebTemplate(Template):
    """demo-qingshi: GBK, no charset in the header, lists paginated by ``?uid=…&pageNum=N``."""

    name = "hanweb"

    def column_url(self, col: Column) -> str:
        return f"/col/col{col.slug}/index.html"
    server = "Apache-Coyote/1.1"
    reject_post_first = True

    def html_type(self) -> str:
        return "text/html"                # Tomcat omits the charset: clients must read the <meta>

    def list_paths(self, col: Column, n: int) -> list[str]:
        first = [f"/col/col{col.slug}/index.html", f"/col/col{col.slug}/"] if n == 0 else []
        return [f"/col/col{col.slug}/index.html#{n + 1}"] + first

    def lookup(self, path: str, query: str, day: int) -> tuple | None:
        routes = self.routes(day)
        if path.startswith("/col/col") and path.endswith("index.html"):
            page = parse_qs(query).get("pageNum", ["1"])[0]
            return routes.get(f"{path}#{page}") if page.isdigit() else None
        return routes.get(path)

    def robots(self) -> str:
        return self.robots_with("/module/")

    def home_page(self, today) -> str:
        return home_page(self.site, today, list(self.site.columns))

    def detail(self, e: Entry, today, hits, day: int) -> tuple[str, str]:
        return detail_page(self.site, e, today, hits), "text/html"


