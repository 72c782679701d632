"""Hanweb jcms with the ``jpage`` list module (demo-baihe, UTF-8).

Column pages ``/col/colN/index.html`` carry no list HTML: the first group of records sits in
``<div id="UID"><script type="text/xml"><datastore>…`` (CDATA records) and a ``jpage({...})``
call with ``totalRecord``/``perPage``/``groupSize`` and the ``ajaxParam`` the browser POSTs to
``/module/web/jpage/dataproxy.jsp?startrecord=A&endrecord=B&perpage=P`` for later groups.
Details are the usual ``/art/Y/M/D/art_COL_ID.html`` with ``ArticleTitle/PubDate`` metas and
the body in ``div#zoom`` between ``<!--ZJEG_RSS.content.begin-->`` markers.
"""
from __future__ import annotations

from html import escape
from urllib.parse import parse_qs, quote

from ..catalog import Entry, entries
from .base import Template, query_int
from ..world import Column, Site, date_of_day
from ..textgen import today_line
from .common import block_html, site_metas

PROXY = "/module/web/jpage/dataproxy.jsp"


def _head(site: Site, title: str, metas: str = "") -> str:
    return f"""<!DOCTYPE html>
<html>
<head>
<meta charset="utf-8">
<meta http-equiv="X-UA-Compatible" content="IE=edge,chrome=1">
<title>{escape(title)}</title>
{site_metas(site)}{metas}<link rel="stylesheet" type="text/css" href="/images/{site.params['webid']}/hanweb.css">
<script language="javascript" src="/module/jslib/jquery/jquery.js"></script>
<script language="javascript" src="/module/jslib/jquery/jpage/jquery.page.min.js"></script>
</head>
"""


def header(site: Site, today) -> str:
    hrefs = ("/index.html", "/col/col2000/index.html", "/col/col2100/index.html", "/col/col2200/index.html",
             "/col/col2300/index.html")
    nav = "".join(f'<li><a href="{h}" target="_self">{n}</a></li>' for h, n in zip(hrefs, site.nav))
    return f"""<body>
<!--GS_0001_D7-->
<div class="top"><div class="w1200"><span class="riqi">{today_line(today)}</span>
<span class="top-r"><a href="javascript:void(0)">无障碍</a> | <a href="javascript:void(0)">长者版</a> | <a href="/col/col2400/index.html">网站地图</a></span></div></div>
<div class="head"><div class="w1200"><img src="/images/{site.params['webid']}/logo.png" alt="{site.name_zh}"></div></div>
<div class="nav"><ul class="w1200">{nav}</ul></div>
"""


def footer(site: Site) -> str:
    return f"""<div class="footer"><div class="w1200">
<p>主办：{site.sponsor}　承办：{site.undertaker}</p>
<p>{site.address}</p>
<p><a href="https://beian.miit.gov.cn" target="_blank">{site.icp}</a>　{site.police}　网站标识码：{site.site_code}</p>
<p>{site.name_zh}版权所有　本站已支持IPv6访问</p>
</div></div>
"""


def _crumb(col: Column) -> str:
    return (f'<div class="position">当前位置：<a href="/index.html">首页</a> &gt; <a href="/col/col2000/index.html">政务公开</a>'
            f' &gt; <a href="/col/col{col.slug}/index.html">{col.name}</a></div>')


def record(e: Entry) -> str:
    """One list record as the jpage module renders it (goes into CDATA)."""
    return (f'<li><a href="{e.doc.list_path}" target="_blank" title="{escape(e.list_title)}">{escape(e.list_title)}</a>'
            f'<span class="bt-data-time">{e.doc.published_date}</span></li>')


def ajax_param(site: Site, col: Column) -> dict[str, str]:
    return {"col": "1", "appid": "1", "webid": site.params["webid"], "path": "/", "columnid": col.slug,
            "sourceContentType": "1", "unitid": col.uid, "webname": site.name_zh, "permissiontype": "0"}


def _nextgroup(site: Site, col: Column) -> str:
    q = "&".join(f"{k}={quote(v, safe='/')}" for k, v in ajax_param(site, col).items() if k not in ("col", "appid"))
    return f'<a href="{PROXY}?page=1&{q}"></a>'


def datastore(site: Site, col: Column, records: list[Entry], total: int, perpage: int, xml_decl: bool) -> str:
    recs = "\n".join(f"<record><![CDATA[\n{record(e)}\n]]></record>" for e in records)
    pages = -(-total // perpage) if perpage > 0 else 0
    decl = '<?xml version="1.0" encoding="UTF-8"?>\n' if xml_decl else ""
    return (f"{decl}<datastore>\n<nextgroup><![CDATA[{_nextgroup(site, col)}]]></nextgroup>\n"
            f"<recordset>\n{recs}\n</recordset>\n<totalrecord>{total}</totalrecord>\n<totalpage>{pages}</totalpage>\n"
            f"</datastore>\n")


def column_page(site: Site, col: Column, items: list[Entry], today) -> str:
    group = col.page_size * int(site.params["group"])
    store = datastore(site, col, items[:group], len(items), col.page_size, xml_decl=False)
    params = ",".join(f"{k}:'{v}'" if not v.isdigit() else f"{k}:{v}" for k, v in ajax_param(site, col).items())
    return (_head(site, f"{col.name} {site.name_zh}", f'<meta name="ColumnName" content="{col.name}">\n'
                  f'<meta name="ColumnType" content="{col.name}">\n')
            + header(site, today) + f"""<div class="main w1200">
{_crumb(col)}
<div class="main-left"><div class="lm-title">政务公开</div><ul><li><a href="/col/col2001/index.html">规范性文件</a></li><li><a href="/col/col2002/index.html">部门文件</a></li><li><a href="/col/col2003/index.html">政策解读</a></li></ul></div>
<div class="main-right"><div class="lm-name">{col.name}</div>
<div class="default_pgContainer" id="{col.uid}"><script type="text/xml">{store}</script></div>
<script type="text/javascript">
$(document).ready(function(){{$('#{col.uid}').jpage({{totalRecord:{len(items)},groupSize:{site.params['group']},perPage:{col.page_size},openCookies:false,
proxyUrl:'{PROXY}',ajaxParam:{{{params}}},
dataBefore:'<ul class="list">',dataAfter:'</ul>',barPosition:'bottom',dataStore:$('#{col.uid} script[type="text/xml"]').text()}});}});
</script>
</div></div>
""" + footer(site) + "</body>\n</html>\n")


def meta_box(e: Entry) -> str:
    d = e.doc
    rows = [("索引号", d.index_no), ("发布机构", d.issuer), ("主题分类", d.topic), ("成文日期", e.written_print),
            ("文号", d.doc_number_raw), ("发布日期", e.published_print), ("有效性", d.validity_raw)]
    cells = [f"<th>{k}：</th><td>{escape(v)}</td>" for k, v in rows if v]
    trs = "".join(f"<tr>{''.join(cells[i:i + 2])}</tr>\n" for i in range(0, len(cells), 2))
    return (f'<div class="xxgk-info"><table cellspacing="0" cellpadding="0">\n{trs}'
            f'<tr><th>名称：</th><td colspan="3">{escape(d.title)}</td></tr>\n</table></div>\n')


def detail_page(site: Site, e: Entry, today, hits, day: int) -> str:
    d = e.doc
    metas = (f'<meta name="ColumnName" content="{e.column.name}">\n<meta name="ColumnType" content="{e.column.name}">\n'
             f'<meta name="ArticleTitle" content="{escape(d.title)}">\n'
             f'<meta name="PubDate" content="{d.published_date} {e.pub_time}">\n'
             f'<meta name="ContentSource" content="{d.issuer}">\n<meta name="Keywords" content="">\n')
    paras = "\n".join(block_html(b) for b in e.blocks)
    atts = "".join(f'<p><a href="{p}" target="_blank">{escape(n)}</a></p>' for n, p in d.attachments)
    atts = f'<div class="fj"><span>附件：</span>{atts}</div>\n' if atts else ""
    links = "".join(f'<li><a href="#" target="_blank">{n}</a></li>' for n in site.related_links)
    return (_head(site, f"{d.title}", metas) + header(site, today) + f"""<div class="main w1200">
{_crumb(e.column)}
{meta_box(e)}<div class="con">
<p class="con-title"><!--<$[标题]>begin-->{escape(d.title)}<!--<$[标题]>end--></p>
<div class="small-title"><span>发布日期：{d.published_date} {e.pub_time}</span><span>浏览次数：{hits}</span><span>信息来源：<!--<$[信息来源]>begin-->{d.issuer}<!--<$[信息来源]>end--></span></div>
<div class="main-txt" id="zoom"><!--<$[信息内容]>begin--><!--ZJEG_RSS.content.begin--><meta name="ContentStart">
{paras}
<meta name="ContentEnd"><!--ZJEG_RSS.content.end--><!--<$[信息内容]>end--></div>
{atts}<div class="main-word"><a href="javascript:window.print()">【打印本页】</a><a href="javascript:window.close()">【关闭窗口】</a></div>
<div class="ewm"><img src="/images/ewm.png" alt=""><span>扫一扫在手机打开当前页</span></div>
</div>
<div class="xglj"><div class="xglj-bt">相关链接</div><ul>{links}</ul></div>
</div>
""" + footer(site) + "</body>\n</html>\n")


def not_found_page(site: Site) -> str:
    return _head(site, "404") + """<body>
<div class="error"><h3>404</h3><p>对不起，您访问的页面不存在或已删除。</p><p><a href="/index.html">返回首页</a></p></div>
</body>
</html>
"""


def home_page(site: Site, today) -> str:
    links = "".join(f'<li><a href="/col/col{c.slug}/index.html">{c.name}</a></li>' for c in site.columns)
    return (_head(site, site.name_zh) + header(site, today)
            + f'<div class="main w1200"><div class="zwgk"><h2>政务公开</h2><ul>{links}</ul></div></div>\n'
            + footer(site) + "</body>\n</html>\n")


def chrome_lines(site: Site) -> list[str]:
    return ["无障碍 | 长者版 | 网站地图", "信息来源：", "发布日期：", "附件："]


PROXY_PATHS = (PROXY, "/module/jpage/dataproxy.jsp")


class JpageTemplate(Template):
    """demo-baihe: column pages with an embedded datastore, later groups from dataproxy.jsp."""

    name = "jpage"

    def column_url(self, col: Column) -> str:
        return f"/col/col{col.slug}/index.html"

    def extra_routes(self, r: dict, day: int) -> None:
        for col in self.site.columns:
            r[f"/col/col{col.slug}/index.html"] = r[f"/col/col{col.slug}/"] = ("column", col)
        for p in PROXY_PATHS:
            r[p] = ("proxy",)

    def own_page(self, route: tuple, method: str, query: str, headers, body: bytes, day: int):
        s = self.site
        if route[0] == "column":
            return column_page(s, route[1], entries(s.name, day, route[1].slug), date_of_day(day))
        return self.proxy(query, headers, body, day)

    def proxy(self, query: str, headers, body: bytes, day: int):
        """Hanweb ``dataproxy.jsp``: records startrecord..endrecord of a column, as XML."""
        q = parse_qs(query)
        ctype = headers.get("Content-Type", "")
        if body and "multipart" not in ctype:
            for k, v in parse_qs(body.decode("utf-8", "replace")).items():
                q.setdefault(k, v)
        s = self.site
        col = next((c for c in s.columns if [c.slug] == q.get("columnid")), None)
        xml = {"Content-Type": "text/xml;charset=UTF-8"}
        if col is None:
            return 200, xml, b'<?xml version="1.0" encoding="UTF-8"?>\n<datastore>\n<recordset>\n</recordset>\n' \
                             b"<totalrecord>0</totalrecord>\n</datastore>\n"
        items = entries(s.name, day, col.slug)
        perpage = query_int(q, "perpage", col.page_size) or col.page_size
        start = max(query_int(q, "startrecord", 1) or 1, 1)
        end = query_int(q, "endrecord", start + perpage * int(s.params["group"]) - 1)
        text = datastore(s, col, items[start - 1:end], len(items), perpage, xml_decl=True)
        return 200, xml, text.encode("utf-8")


