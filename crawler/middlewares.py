"""Downloader middlewares."""
from __future__ import annotations

import ipaddress
from urllib.parse import urlsplit


def is_loopback(url: str) -> bool:
    host = urlsplit(url).hostname or ""
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


class LoopbackFastLane:
    """Requests to this machine (the demo portal) go through an undelayed slot.

    Real portals keep DOWNLOAD_DELAY and AutoThrottle: only loopback is relaxed.
    """

    def __init__(self, enabled: bool):
        self.enabled = enabled

    @classmethod
    def from_crawler(cls, crawler):
        return cls(crawler.settings.getbool("GUIFAN_RELAX_LOOPBACK"))

    def process_request(self, request, spider=None):
        if self.enabled and is_loopback(request.url):
            request.meta.setdefault("download_slot", "loopback")
            request.meta["autothrottle_dont_adjust_delay"] = True
        return None
