"""Which CMS a page comes from, by the marks each platform leaves in its HTML."""
from __future__ import annotations

import re

# (platform, pattern), first match wins; ordered from the most specific mark.
_MARKS = (
    ("gkmlpt", re.compile(r"/gkmlpt/|window\._CONFIG\s*=\s*\{\s*SID", re.I)),
    ("anhui", re.compile(r"/OpennessContent/|/Jczwgk/|table_suoyin|/public/column/\d+")),
    ("ucap", re.compile(r"UCAP-CONTENT|ucapcms|开普云", re.I)),
    ("hanweb", re.compile(r"大汉网络|hanweb|jpage\(|/module/web/jpage/|/art/\d{4}/\d{1,2}/\d{1,2}/art_\d+_\d+", re.I)),
    ("trs", re.compile(r"TRS_(?:Editor|UEDITOR)|createPageHTML|/t\d{8}_\d+\.s?html?|_trs_|trs_", re.I)),
)


def sniff_platform(html: str) -> str | None:
    """The platform whose marks the page carries, or None for an unknown CMS."""
    for name, pattern in _MARKS:
        if pattern.search(html):
            return name
    return None
