"""HTML of a TRS WCM county portal (UTF-8): column lists paginated by createPageHTML, detail pages."""
from __future__ import annotations

from html import escape

from ..catalog import Entry, seed_lines
from .base import Template
from ..world import Column, Site, date_of_day
from ..textgen import today_line
from .common import block_html, site_metas

# Real TRS sites ship this function in a shared script; pagination links exist only through it.
PAGER_JS = """function createPageHTML(_nPageCount, _nCurrIndex, _sPageName, _sPageExt){
  if(_nPageCount == null || _nPageCount<=1){ return; }
  var nCurrIndex = _nCurrIndex || 0;
  if(nCurrIndex == 0) document.write("<span>首页</span>&nbsp;");
  else document.write("<a href=\\""+_sPageName+"."+_sPageExt+"\\">首页</a>&nbsp;");
  for(var i=0; i<_nPageCount; i++){
    if(i == nCurrIndex) { document.write("<span class=\\"cur\\">"+(i+1)+"</span>&nbsp;"); continue; }
    var href = i == 0 ? _sPageName+"."+_sPageExt : _sPageName+"_"+i+"."+_sPageExt;
    document.write("<a href=\\""+href+"\\">"+(i+1)+"</a>&nbsp;");
  }
  if(nCurrIndex == _nPageCount-1) document.write("<span>尾页</span>");
  else document.write("<a href=\\""+_sPageName+"_"+(_nPageCount-1)+"."+_sPageExt+"\\">尾页</a>");
}"""


def _head(site: Site, title: str, charset: str = "utf-8", metas: str = "") -> str:
    return f"""<!DOCTYPE html PUBLIC "-//W3C//DTD XHTML 1.0 Transitional//EN" "http://www.w3.org/TR/xhtml1/DTD/xhtml1-transitional.dtd">
<html xmlns="http://www.w3.org/1999/xhtml">
<head>
<meta charset="{charset}">
<meta http-equiv="X-UA-Compatible" content="IE=edge,chrome=1">
<title>{escape(title)}</title>
{site_metas(site)}{metas}<link rel="stylesheet" type="text/css" href="/images/common.css">
<script type="text/javascript" src="/images/jquery.min.js"></script>
</head>
"""


def header(site: Site, today) -> str:
    nav = "".join(f'<li><a href="{h}">{n}</a></li>'
                  for h, n in zip(("/", "/zwgk/", "/zwfw/", "/hdjl/", "/zjyx/"), site.nav))
    return f"""<body>
<div class="topbar"><div class="w1200"><span class="today">{today_line(today)}</span>
<span class="toplinks"><a href="javascript:void(0)" id="wza">无障碍</a> | <a href="javascript:void(0)">长者模式</a> | <a href="/sitemap.html">网站地图</a></span></div></div>
<div class="header"><div class="w1200"><a href="/" class="logo"><img src="/images/logo.png" alt="{site.name_zh}"></a>
<div class="search"><form action="/search/" method="get"><input type="text" name="q" placeholder="请输入关键字"><button>搜索</button></form></div></div></div>
<div class="nav"><ul class="w1200">{nav}</ul></div>
"""


def footer(site: Site) -> str:
    return f"""<div class="footer"><div class="w1200">
<p>主办：{site.sponsor}　承办：{site.undertaker}</p>
<p>{site.address}</p>
<p><a href="https://beian.miit.gov.cn/" target="_blank">{site.icp}</a>　<img src="/images/ga.png" alt="">{site.police}</p>
<p>网站标识码：{site.site_code}　{site.name_zh}版权所有　本站已支持IPv6访问</p>
<p><script type="text/javascript">document.write(unescape("%3Cspan id='_ideConac' %3E%3C/span%3E"));</script></p>
</div></div>
"""


def _crumb(col: Column, prefix: str = "../../") -> str:
    return (f'<div class="position">当前位置：<a href="{prefix}../">首页</a> &gt; '
            f'<a href="{prefix}">政务公开</a> &gt; <a href="{prefix}{col.slug}/">{col.name}</a></div>')


def list_page(site: Site, col: Column, items: list[Entry], page: int, pages: int, today) -> str:
    lis = []
    for e in items:
        href = "." + e.doc.list_path.removeprefix(f"/zwgk/{col.slug}")
        if not e.doc.list_path.startswith(f"/zwgk/{col.slug}/"):
            href = ".." + e.doc.list_path.removeprefix("/zwgk")
        lis.append(f'<li><a href="{href}" title="{escape(e.list_title)}" target="_blank">{escape(e.list_title)}</a>'
                   f'<span>{e.doc.published_date}</span></li>')
    body = "\n".join(lis)
    return (_head(site, f"{col.name}_{site.name_zh}", metas=f'<meta name="ColumnName" content="{col.name}">\n')
            + header(site, today) + f"""<div class="main w1200">
{_crumb(col, "../")}
<div class="left-menu"><h2>政务公开</h2><ul><li><a href="../gfxwj/">规范性文件</a></li><li><a href="../zcwj/">政策文件</a></li><li><a href="../zcjd/">政策解读</a></li></ul></div>
<div class="list-right"><div class="list-title">{col.name}</div>
<ul class="list">
{body}
</ul>
<div class="page"><script type="text/javascript">
{PAGER_JS}
</script>
<script type="text/javascript">
var currentPage = {page};//所在页从0开始
var countPage = {pages};//共多少页
createPageHTML(countPage, currentPage, "index", "html");
</script></div>
</div></div>
""" + footer(site) + "</body>\n</html>\n")


def _label_rows(e: Entry) -> list[tuple[str, str]]:
    d = e.doc
    rows = [("索&ensp;引&ensp;号：", d.index_no), ("主题分类：", d.topic), ("发文机关：", d.issuer),
            ("成文日期：", e.written_print), ("文　　号：", d.doc_number_raw), ("发布日期：", e.published_print),
            ("有&ensp;效&ensp;性：", d.validity_raw)]
    return [(k, v) for k, v in rows if v is not None]


def meta_box(e: Entry) -> str:
    """The 信息公开 box: a table on some pages, a <ul> of <span>label</span>value on others."""
    rows = _label_rows(e)
    if e.layout == "none":
        return ""
    if e.layout == "list":
        lis = "".join(f"<li><span>{k}</span>{escape(v)}</li>" for k, v in rows)
        lis += f'<li class="w100"><span>标　　题：</span>{escape(e.doc.title)}</li>'
        return f'<div class="xxgk-info"><ul class="clearfix">{lis}</ul></div>\n'
    cells = [f'<td class="t1">{k}</td><td class="t2">{escape(v)}</td>' for k, v in rows]
    trs = "".join(f"<tr>{''.join(cells[i:i + 2])}</tr>\n" for i in range(0, len(cells), 2))
    trs += f'<tr><td class="t1">标　　题：</td><td colspan="3">{escape(e.doc.title)}</td></tr>\n'
    return f'<table class="xxgk-table" cellspacing="0" cellpadding="0"><tbody>\n{trs}</tbody></table>\n'


def attachments_html(e: Entry) -> str:
    if not e.doc.attachments:
        return ""
    links = "".join(f'<p><a href="./{p.rsplit("/", 1)[1]}" oldsrc="W0{p.rsplit("/", 1)[1][2:]}">{escape(n)}</a></p>'
                    for n, p in e.doc.attachments)
    return f'<div class="fujian"><span>相关附件：</span>{links}</div>\n'


def related(site: Site) -> str:
    links = "".join(f'<li><a href="#" target="_blank">{n}</a></li>' for n in site.related_links)
    return f'<div class="xglj"><div class="xglj-title">相关链接</div><ul>{links}</ul></div>\n'


def detail_page(site: Site, e: Entry, today, hits: int, seed_share: str = "", seed_footer: str = "") -> str:
    d = e.doc
    charset = "gb2312" if d.fault == "wrong_charset" else "utf-8"
    metas = (f'<meta name="ColumnName" content="{e.column.name}">\n<meta name="ArticleTitle" content="{escape(e.list_title)}">\n'
             f'<meta name="PubDate" content="{d.published_date} {e.pub_time}">\n'
             + (f'<meta name="ContentSource" content="{d.issuer}">\n' if d.issuer else ""))
    paras = "\n".join(block_html(b) for b in e.blocks)
    if e.editor_wrap:
        paras = f'<div class="Custom_UnionStyle">\n{paras}\n</div>'
    source = f"　来源：{d.issuer}" if d.issuer else ""
    share = f'<div class="bdsharebuttonbox"><span>{seed_share}</span></div>\n' if seed_share else ""
    article = f"""<div class="article">
{meta_box(e)}<h1 class="article-title">{escape(e.list_title)}</h1>
<div class="article-info"><span>发布日期：{d.published_date}</span><span>{source}</span><span>浏览次数：{hits}</span>
<span class="zh">字号：<a href="javascript:doZoom(18)">大</a> <a href="javascript:doZoom(16)">中</a> <a href="javascript:doZoom(14)">小</a></span></div>
{share}<div class="article-con"><div class="TRS_Editor">
{paras}
</div></div>
{attachments_html(e)}<div class="article-tools"><a href="javascript:window.print()">【打印本页】</a><a href="javascript:window.close()">【关闭窗口】</a>
<div class="ewm"><img src="/images/qrcode.png" alt=""><p>扫一扫在手机打开当前页</p></div></div>
</div>
"""
    if d.fault == "malformed":
        article = malform(article)
    page_footer = (f'<div class="footer"><div class="w1200"><p>{seed_footer}</p></div></div>\n'
                   if seed_footer else footer(site))
    return (_head(site, f"{e.list_title}_{site.name_zh}", charset, metas) + header(site, today)
            + f'<div class="main w1200">\n{_crumb(e.column)}\n{article}{related(site)}</div>\n'
            + page_footer + "</body>\n</html>\n")


def malform(article: str) -> str:
    """Break the page the way hand-edited CMS templates do, keeping the document in it."""
    article = article.replace('<div class="article">', '</div></html>\n<div class="article"><font color="#333"><b>', 1)
    article = article.replace("</h1>", "</b></h1>", 1)              # mis-nested: <b> opened outside <h1>
    article = article.replace('<div class="article-con">', '<div class="article-con"><td>', 1)
    article = article.replace("</p>\n", "\n", 2)                   # two unclosed <p>
    return article.replace('<div class="article-tools">', '<div class="article-tools"><span>', 1)


def not_found_page(site: Site) -> str:
    return (_head(site, "404-页面不存在") + """<body>
<div class="err404"><img src="/images/404.png" alt="404">
<h2>很抱歉，您访问的页面不存在或已被删除！</h2>
<p><a href="/">返回首页</a>　<a href="javascript:history.back()">返回上一页</a></p>
<p>Error 404 - Not Found</p></div>
</body>
</html>
""")


def home_page(site: Site, today, columns: list[Column], prefix: str = "./zwgk/") -> str:
    """The home page; served at /zwgk/ too (the 政务公开 landing), where its links are ``./``."""
    links = "".join(f'<li><a href="{prefix}{c.slug}/">{c.name}</a></li>' for c in columns)
    return (_head(site, site.name_zh) + header(site, today)
            + f'<div class="main w1200"><div class="zwgk-box"><h2>政务公开</h2><ul>{links}</ul></div></div>\n'
            + footer(site) + "</body>\n</html>\n")


HTML_UTF8 = "text/html; charset=UTF-8"


class TrsTemplate(Template):
    """demo-yunxi: UTF-8 with the charset in the header, lists index.html, index_1.html …"""

    name = "trs"

    def column_url(self, col: Column) -> str:
        return f"/zwgk/{col.slug}/index.html"
    server = "nginx"
    reject_post_first = True

    def html_type(self) -> str:
        return HTML_UTF8

    def list_paths(self, col: Column, n: int) -> list[str]:
        if n == 0:
            return [f"/zwgk/{col.slug}/", f"/zwgk/{col.slug}/index.html"]
        return [f"/zwgk/{col.slug}/index_{n}.html"]

    def extra_routes(self, r: dict, day: int) -> None:
        r["/zwgk/"] = ("landing",)

    def own_page(self, route: tuple, method: str, query: str, headers, body: bytes, day: int):
        return home_page(self.site, date_of_day(day), list(self.site.columns), prefix="./")

    def page_number(self, n: int) -> int:
        return n                          # createPageHTML counts pages from 0

    def robots(self) -> str:
        return self.robots_with("/search/")

    def home_page(self, today) -> str:
        return home_page(self.site, today, list(self.site.columns))

    def detail(self, e: Entry, today, hits, day: int) -> tuple[str, str]:
        share, foot = seed_chrome() if e.seed else ("", "")
        ctype = "text/html" if e.doc.fault == "wrong_charset" else HTML_UTF8
        return detail_page(self.site, e, today, hits, share, foot), ctype


def seed_chrome() -> tuple[str, str]:
    """The reprint page's own share-widget line and footer line."""
    lines = seed_lines()
    return lines[1], lines[-1]

