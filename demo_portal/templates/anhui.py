"""The Anhui 政务公开 platform (demo-fengming, UTF-8).

Two list shapes: ``/OpennessContent/showList/<siteId>/<catId>/page_N.html`` (``ul.doc_list``,
plain-anchor pager) linking ``/OpennessContent/show/<id>.html``, and
``/public/column/<orgId>?type=4&catId=<catId>&action=list&nav=3&pageIndex=N``
(``ul.xxgk_nav_list``; pages only through ``pageCount:`` in a script) linking
``/Jczwgk/show/<id>.html``. Details carry ``ArticleTitle/PubDate/ContentSource`` metas and
``table.table_suoyin`` (``th`` labels, ``td.pmingcheng`` values: 索引号, 信息分类, 发布机构,
主题分类, 成文日期, 发布日期, 文号, 有效性, 名称); the body is ``div.j-fontContent``.
"""
from __future__ import annotations

import re
from urllib.parse import parse_qs
from html import escape

from ..catalog import Entry
from .base import Template, query_int
from ..world import Column, Site
from ..textgen import today_line
from .common import block_html, site_metas


def _head(site: Site, title: str, metas: str = "") -> str:
    return f"""<!DOCTYPE html>
<html>
<head>
<meta charset="utf-8">
<meta http-equiv="X-UA-Compatible" content="IE=edge">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>{escape(title)}</title>
{site_metas(site)}{metas}<link rel="stylesheet" href="/assets/css/bootstrap.min.css">
<link rel="stylesheet" href="/assets/css/ls-style.css">
<script src="/assets/js/jquery.min.js"></script>
</head>
"""


def header(site: Site, today) -> str:
    hrefs = ("/", "/OpennessContent/", "/Bsfw/", "/Hdjl/", "/Zjfm/")
    nav = "".join(f'<li><a href="{h}">{n}</a></li>' for h, n in zip(hrefs, site.nav))
    return f"""<body>
<div class="ls-topbar"><div class="container"><span class="ls-date">{today_line(today)}</span>
<span class="pull-right"><a href="javascript:void(0)" id="j-wza">无障碍浏览</a> | <a href="javascript:void(0)">关怀版</a> | <a href="/site/tpl/login">登录</a></span></div></div>
<div class="ls-header"><div class="container"><a href="/"><img src="/assets/images/logo.png" alt="{site.name_zh}"></a></div></div>
<div class="ls-nav"><ul class="container">{nav}</ul></div>
"""


def footer(site: Site) -> str:
    return f"""<div class="ls-footer"><div class="container">
<p>主办：{site.sponsor}　承办：{site.undertaker}</p>
<p>{site.address}</p>
<p>{site.icp}　{site.police}　网站标识码：{site.site_code}</p>
<p>{site.name_zh}版权所有　本站已支持IPv6访问</p>
</div></div>
"""


def list_url(site: Site, col: Column, page: int) -> str:
    if col.kind == "public":
        return (f"/public/column/{site.params['org_id']}?type=4&catId={col.slug}&action=list&nav=3"
                + (f"&pageIndex={page}" if page > 1 else ""))
    return f"/OpennessContent/showList/{site.params['site_id']}/{col.slug}/page_{page}.html"


def _crumb(site: Site, col: Column) -> str:
    return (f'<div class="wzy_position">当前位置：<a href="/">首页</a> &gt; <a href="/OpennessContent/">政务公开</a>'
            f' &gt; <a href="{escape(list_url(site, col, 1))}">{col.name}</a></div>')


def list_page(site: Site, col: Column, items: list[Entry], page: int, pages: int, today) -> str:
    if col.kind == "public":
        lis = "\n".join(f'<li><a href="{e.doc.list_path}" title="{escape(e.list_title)}" target="_blank">'
                        f'{escape(e.list_title)}</a><span class="date">{e.doc.published_date}</span></li>' for e in items)
        listing = f'<ul class="clearfix xxgk_nav_list t4">\n{lis}\n</ul>'
        base = list_url(site, col, 1)
        nav = (f'<div id="page_public_info" class="pagination"></div>\n<script type="text/javascript">\n'
               f"Ls.pageNav({{el:'#page_public_info',pageCount:{pages},pageIndex:{page},pageSize:{col.page_size},"
               f"url:'{base}&pageIndex='}});\n</script>")
    else:
        lis = "\n".join(f'<li class="clearfix"><a href="{e.doc.list_path}" title="{escape(e.list_title)}" target="_blank" '
                        f'class="left">{escape(e.list_title)}</a><span class="right date">{e.doc.published_date}</span></li>'
                        for e in items)
        listing = f'<ul class="doc_list list-{col.slug}">\n{lis}\n</ul>'
        links = [f'<a href="{list_url(site, col, 1)}">首页</a>']
        if page > 1:
            links.append(f'<a href="{list_url(site, col, page - 1)}">上一页</a>')
        links += [f'<a href="{list_url(site, col, i)}">{i}</a>' if i != page else f'<span class="current">{i}</span>'
                  for i in range(1, pages + 1)]
        if page < pages:
            links.append(f'<a href="{list_url(site, col, page + 1)}">下一页</a>')
        links.append(f'<a href="{list_url(site, col, pages)}">尾页</a>')
        nav = f'<div class="pagination">{"".join(links)}<span class="total">共{pages}页</span></div>'
    return (_head(site, f"{col.name}_{site.name_zh}", f'<meta name="ColumnName" content="{col.name}">\n')
            + header(site, today) + f"""<div class="container ls-page-container">
{_crumb(site, col)}
<div class="row"><div class="col-md-3 ls-left"><h3>政务公开</h3><ul>{''.join(f'<li><a href="{escape(list_url(site, c, 1))}">{c.name}</a></li>' for c in site.columns)}</ul></div>
<div class="col-md-9"><div class="xxgk_title">{col.name}</div>
{listing}
{nav}
</div></div></div>
""" + footer(site) + "</body>\n</html>\n")


def suoyin_table(e: Entry) -> str:
    d = e.doc
    public = e.column.kind == "public"
    labels = (("索 引 号：", "信息分类：", "发布机构：", "主题分类：", "成文日期：", "发布日期：", "文　　号：", "有 效 性：")
              if public else
              ("索引号：", "信息分类：", "发布机构：", "主题分类：", "成文日期：", "发布日期：", "文号：", "有效性："))
    values = (d.index_no, e.column.name, d.issuer, d.topic, e.written_print, e.published_print, d.doc_number_raw,
              d.validity_raw)
    pairs = list(zip(labels, values))
    rows = "".join(
        "<tr>" + "".join(f'<th>{k}</th><td class="pmingcheng">{escape(v or "")}</td>' for k, v in pairs[i:i + 2]) + "</tr>\n"
        for i in range(0, len(pairs), 2))
    rows += f'<tr><th>名　　称：</th><td class="pmingcheng" colspan="3">{escape(d.title)}</td></tr>\n'
    return f'<div class="div_table_suoyin"><table class="table_suoyin hidden-xs">\n{rows}</table></div>\n'


def detail_page(site: Site, e: Entry, today, hits, day: int) -> str:
    d = e.doc
    metas = (f'<meta name="ColumnName" content="{e.column.name}">\n<meta name="ArticleTitle" content="{escape(d.title)}">\n'
             f'<meta name="PubDate" content="{d.published_date} {e.pub_time}">\n'
             f'<meta name="ContentSource" content="{d.issuer}">\n')
    paras = "\n".join(block_html(b) for b in e.blocks)
    atts = "".join(f'<p><a href="{p}" target="_blank">{escape(n)}</a></p>' for n, p in d.attachments)
    atts = f'<div class="ls-fj"><h5>相关附件</h5>{atts}</div>\n' if atts else ""
    body_class = "newscontnet j-fontContent minh300" if e.column.kind == "public" else "wzcon j-fontContent clearfix"
    return (_head(site, f"{d.title}_{site.name_zh}", metas) + header(site, today) + f"""<div class="container ls-page-container">
{_crumb(site, e.column)}
<div class="ls-article">
{suoyin_table(e)}<h1 class="newstitle">{escape(d.title)}</h1>
<div class="newsinfo"><span class="fbsj">发布时间：{d.published_date} {e.pub_time}</span><span class="res">信息来源：{escape(d.issuer or "")}</span><span class="llcs">浏览次数：<i id="hits">{hits}</i></span><span class="zh">字体：[<a href="javascript:;">大</a> <a href="javascript:;">中</a> <a href="javascript:;">小</a>]</span></div>
<div class="{body_class}" id="zoom">
{paras}
</div>
{atts}<div class="ls-tools"><a href="javascript:window.print()">打印本页</a> <a href="javascript:window.close()">关闭窗口</a></div>
</div></div>
""" + footer(site) + "</body>\n</html>\n")


def not_found_page(site: Site) -> str:
    return _head(site, "页面不存在") + """<body>
<div class="container ls-404"><h2>404</h2><p>您访问的页面不存在或已被删除。</p><p><a href="/">返回首页</a></p></div>
</body>
</html>
"""


def home_page(site: Site, today) -> str:
    links = "".join(f'<li><a href="{escape(list_url(site, c, 1))}">{c.name}</a></li>' for c in site.columns)
    return (_head(site, site.name_zh) + header(site, today)
            + f'<div class="container"><div class="zwgk"><h2>政务公开</h2><ul>{links}</ul></div></div>\n'
            + footer(site) + "</body>\n</html>\n")


def chrome_lines(site: Site) -> list[str]:
    lines = ["无障碍浏览 | 关怀版 | 登录", "发布时间：", "信息来源：", "字体：[大 中 小]", "打印本页", "关闭窗口", "相关附件"]
    return lines + [f"当前位置：首页 > 政务公开 > {c.name}" for c in site.columns]


_PUBLIC = re.compile(r"/public/column/(\d+)")


class AnhuiTemplate(Template):
    """demo-fengming: ``showList`` pages with an anchor pager, ``/public/column`` with a script pager."""

    name = "anhui"

    def column_url(self, col: Column) -> str:
        return list_url(self.site, col, 1)

    def list_paths(self, col: Column, n: int) -> list[str]:
        if col.kind == "openness":
            return [f"/OpennessContent/showList/{self.site.params['site_id']}/{col.slug}/page_{n + 1}.html"]
        return super().list_paths(col, n)

    def extra_routes(self, r: dict, day: int) -> None:
        r["/OpennessContent/"] = ("home",)

    def lookup(self, path: str, query: str, day: int) -> tuple | None:
        r, s = self.routes(day), self.site
        m = _PUBLIC.fullmatch(path)
        if m:
            q = parse_qs(query)
            if m.group(1) != s.params["org_id"] or (q.get("action") or [""])[0] != "list":
                return None
            col = next((c for c in s.columns if c.kind == "public" and [c.slug] == q.get("catId")), None)
            return r.get(f"#list/{col.slug}/{query_int(q, 'pageIndex', 1)}") if col else None
        return r.get(path)


