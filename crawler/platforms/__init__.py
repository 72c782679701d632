"""One adapter per CMS platform; `get_platform(name)` picks one, unknown names get the generic one."""
from __future__ import annotations

from .base import ATTACHMENT_EXTENSIONS, ListPage, Platform
from .generic import Generic
from .hanweb import Hanweb
from .trs import TRS

PLATFORMS: dict[str, type[Platform]] = {p.name: p for p in (TRS, Hanweb, Generic)}


def get_platform(name: str) -> Platform:
    return PLATFORMS.get(name, Generic)()


__all__ = ["ATTACHMENT_EXTENSIONS", "ListPage", "PLATFORMS", "Platform", "get_platform"]
