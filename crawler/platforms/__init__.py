"""One adapter per CMS platform; `get_platform(name, hints)` picks one, unknown names get the generic one."""
from __future__ import annotations

from .anhui import Anhui
from .base import ATTACHMENT_EXTENSIONS, ListPage, ListRequest, Platform
from .generic import Generic
from .gkmlpt import Gkmlpt
from .hanweb import Hanweb
from guifan.parsers.list_metadata import fill_from_list
from .sniff import region_of_site_code, site_id_code, sniff, sniff_platform
from .trs import TRS
from .ucap import UCAP

PLATFORMS: dict[str, type[Platform]] = {p.name: p for p in (TRS, Hanweb, UCAP, Gkmlpt, Anhui, Generic)}


AUTO = "auto"    # a profile's platform when the crawler is to sniff it (crawler/sniffing.py)


def get_platform(name: str, hints: dict | None = None) -> Platform:
    return PLATFORMS.get(name, Generic)(hints)


__all__ = ["ATTACHMENT_EXTENSIONS", "AUTO", "ListPage", "ListRequest", "PLATFORMS", "Platform", "fill_from_list",
           "get_platform", "region_of_site_code", "site_id_code", "sniff", "sniff_platform"]
