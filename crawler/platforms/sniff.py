"""Which CMS a page comes from, by the marks each platform leaves in its HTML, and which
region the portal says it belongs to (its 网站标识码).

``sniff(html)`` answers with the platform and the mark that gave it away (the evidence a run
report shows); ``sniff_platform(html)`` with the name alone. A page without any mark says
nothing (None): a crawl in platform ``auto`` keeps looking on the next pages.
"""
from __future__ import annotations

import re
from dataclasses import dataclass

# (platform, pattern), first match wins; ordered from the most specific mark.
_MARKS = (
    ("gkmlpt", re.compile(r"/gkmlpt/|window\._CONFIG\s*=\s*\{\s*SID", re.I)),
    ("anhui", re.compile(r"/OpennessContent/|/Jczwgk/|table_suoyin|/public/column/\d+")),
    ("ucap", re.compile(r"UCAP-CONTENT|ucapcms|开普云", re.I)),
    ("hanweb", re.compile(r"大汉网络|hanweb|jpage\(|/module/web/jpage/|/art/\d{4}/\d{1,2}/\d{1,2}/art_\d+_\d+", re.I)),
    ("trs", re.compile(r"TRS_(?:Editor|UEDITOR)|createPageHTML|/t\d{8}_\d+\.s?html?|_trs_|trs_", re.I)),
)
# Weaker marks, read only when no mark above is on the page: jcms column addresses
# linked on the page's own site (/col/col123/index.html) are Hanweb's; any portal may link
# another site's (a province's 政务服务网 on Hanweb), so absolute links to elsewhere do not count.
_WEAK_MARKS = (
    ("hanweb", re.compile(r"""href=["'](?![a-z]+://)[^"']*/col/col\d+/index\.html""", re.I)),
)
# <meta name="SiteIDCode" content="3411250001">, or the footer's 网站标识码：3411250001.
_SITE_ID_META = re.compile(r"""<meta[^>]+name=["']?SiteIDCode["']?[^>]*content=["']?\s*(\w+)""", re.I)
_SITE_ID_META_REV = re.compile(r"""<meta[^>]+content=["']?\s*(\w+)["']?[^>]*name=["']?SiteIDCode""", re.I)
_SITE_ID_TEXT = re.compile(r"网站标识码\s*[：:]\s*([0-9A-Za-z]{6,12})")


@dataclass(frozen=True)
class Sniffed:
    platform: str
    mark: str          # the text on the page that named the platform


def sniff(html: str) -> Sniffed | None:
    """The platform whose marks the page carries (with the mark), or None for an unknown CMS."""
    for marks in (_MARKS, _WEAK_MARKS):
        for name, pattern in marks:
            m = pattern.search(html)
            if m:
                return Sniffed(name, m.group(0)[:60])
    return None


def sniff_platform(html: str) -> str | None:
    """The platform whose marks the page carries, or None for an unknown CMS."""
    found = sniff(html)
    return found.platform if found else None


def site_id_code(html: str) -> str | None:
    """The portal's 网站标识码 (SiteIDCode meta, else the footer's line), as printed."""
    for pattern in (_SITE_ID_META, _SITE_ID_META_REV, _SITE_ID_TEXT):
        m = pattern.search(html)
        if m:
            return m.group(1)
    return None


def region_of_site_code(code: str | None) -> str | None:
    """The 6-digit region code a 网站标识码 begins with; None for a ministry's (bm…) or no code."""
    if code and len(code) >= 6 and code[:6].isdigit():
        return code[:6]
    return None
