"""What an adapter reads from one saved page: `guifan parse --list` (offline, no request).

For a home, column or list page (or a platform's JSON/XML list answer) saved to a file: the
platform (as given, or sniffed from the page under ``auto``), the document links, the next
list fetches, the columns the home-page rule would choose, the per-document hints, and
whether a crawl would read the page for its columns only (a home or landing page).
"""
from __future__ import annotations

from .base import decode_text
from .discover import choose_columns, is_home
from .sniff import region_of_site_code, site_id_code, sniff
from . import AUTO, get_platform


def inspect_list(body: bytes, url: str = "", platform: str = AUTO, content_type: str = "",
                 hints: dict | None = None) -> dict:
    text = decode_text(body, content_type)
    found = sniff(text)
    name = (found.platform if found else "generic") if platform == AUTO else platform
    # Under auto a crawl chooses columns itself; the generic adapter then follows none.
    adapter = get_platform(name, {"platform": name, **(hints or {}),
                                  **({"follow_columns": False} if platform == AUTO else {})})
    if "#" in url:   # `…/gkmlpt/index#2840` names a category, as in a profile's start URLs
        adapter.column_requests([url])
    page = adapter.parse_list(url.split("#")[0], body, content_type)
    choice = choose_columns(url, text)
    code = site_id_code(text)
    hub = (platform == AUTO and is_home(url)) or not (page.details or page.pages)
    return {
        "url": url, "platform": adapter.name, "platform_requested": platform,
        "platform_sniffed": found.platform if found else None, "sniff_mark": found.mark if found else None,
        "site_id_code": code, "region_code": region_of_site_code(code),
        "read_as": "columns" if hub else "list",
        "details": page.details,
        "pages": [{"url": p.url, "method": p.method, **({"form": p.form} if p.form else {})} for p in page.pages],
        "columns": choice.to_dict(),
        "hints": page.hints,
    }
