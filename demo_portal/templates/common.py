"""What every platform template shares: the body blocks of a document, as CMS editors type them."""
from __future__ import annotations

from html import escape

from ..textgen import Block


def block_html(b: Block) -> str:
    style = f' style="{b.style}"' if b.style else ""
    if b.kind == "table":
        trs = "".join("<tr>" + "".join(f"<td>{escape(c)}</td>" for c in r) + "</tr>" for r in b.rows)
        return f'<table border="1" cellspacing="0" cellpadding="0" width="100%" align="center"><tbody>{trs}</tbody></table>'
    return f"<p{style}>" + "<br>".join(escape(x) for x in b.lines) + "</p>"


def site_metas(site) -> str:
    """The <meta> lines by which real CMS pages name their site (SiteIDCode: the 网站标识码)."""
    return (f'<meta name="SiteName" content="{site.name_zh}">\n'
            f'<meta name="SiteDomain" content="www.{site.name.removeprefix("demo-")}.gov.cn">\n'
            f'<meta name="SiteIDCode" content="{site.site_code}">\n')
