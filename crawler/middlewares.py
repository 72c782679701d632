"""Downloader middlewares."""
from __future__ import annotations

import hashlib
import ipaddress
from urllib.parse import urljoin, urlsplit

from scrapy.exceptions import IgnoreRequest
from scrapy.utils.request import RequestFingerprinter

from guifan.crawler.responses import OFF_SITE, header_pairs


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


def host_matches(host: str, patterns) -> bool:
    """host is one of patterns, or under a "*.domain" pattern; www.X and X count as one host."""
    host = host.lower().rstrip(".")
    bare = host[4:] if host.startswith("www.") else host
    for pattern in patterns:
        pattern = pattern.lower().rstrip(".")
        if pattern.startswith("*."):
            if host == pattern[2:] or host.endswith(pattern[1:]):
                return True
        elif bare == (pattern[4:] if pattern.startswith("www.") else pattern):
            return True
    return False


class CrawlScope:
    """Where a site's crawl may go: its pages' hosts, and for attachments also the hosts the
    profile allows. Anything else (a portal's link or redirect to an intranet host, a
    metadata service, another site) is not fetched."""

    def __init__(self, page_hosts, attachment_hosts=()):
        self.page_hosts = tuple(page_hosts)
        self.attachment_hosts = tuple(attachment_hosts)

    @classmethod
    def of(cls, profile) -> "CrawlScope":
        return cls(profile.page_hosts(), profile.attachment_hosts)

    def allows(self, url: str, kind: str) -> bool:
        try:
            parts = urlsplit(url)
            host = parts.hostname
        except ValueError:
            return False
        if parts.scheme.lower() not in ("http", "https") or not host:
            return False
        hosts = self.page_hosts + (self.attachment_hosts if kind == "attachment" else ())
        return host_matches(host, hosts)


def _scope(crawler, request):
    """The scope of the request's site (a spider may crawl many sites), or None: no limits."""
    spider = crawler.spider if crawler else None
    scope_for = getattr(spider, "scope_for", None)
    return scope_for(request) if scope_for else getattr(spider, "scope", None)


class OffSiteGuard:
    """Refuses every request outside the spider's CrawlScope before anything is sent (robots.txt
    included, hence its place before RobotsTxtForAll): links, redirect targets, meta refreshes."""

    def __init__(self, crawler):
        self.crawler = crawler

    @classmethod
    def from_crawler(cls, crawler):
        return cls(crawler)

    def process_request(self, request, spider=None):
        scope = _scope(self.crawler, request)
        if scope is None:
            return None
        if not scope.allows(request.url, request.meta.get("kind", "detail")):
            raise IgnoreRequest(f"{OFF_SITE}: {request.url} is outside the site's hosts")
        return None


class OffSiteRedirects:
    """A redirect whose Location leaves the CrawlScope is not followed: the 3xx answer goes to the
    spider as it is (recorded, with its Location, as blocked: off_site_redirect). Every redirect
    hop followed is remembered in meta["guifan_hops"] (status, headers, body) for the archive.
    Sits just before (above) RedirectMiddleware, so it sees each 3xx response first."""

    def __init__(self, crawler):
        self.crawler = crawler

    @classmethod
    def from_crawler(cls, crawler):
        return cls(crawler)

    def process_response(self, request, response, spider=None):
        location = response.headers.get("Location")
        if not (300 <= response.status < 400 and location) or request.meta.get("dont_redirect"):
            return response
        target = urljoin(request.url, location.decode("latin-1").strip())
        scope = _scope(self.crawler, request)
        if scope is not None and not scope.allows(target, request.meta.get("kind", "detail")):
            request.meta["dont_redirect"] = True
            request.meta["guifan_off_site"] = target
            return response
        hop = {"url": request.url, "status": response.status, "headers": header_pairs(response.headers),
               "body": response.body, "location": target}
        request.meta["guifan_hops"] = [*request.meta.get("guifan_hops", []), hop]   # a new list per hop
        return response


class SiteFingerprinter(RequestFingerprinter):
    """Scrapy's request fingerprint, told apart by the request's site: in a crawler of many
    sites a page two sites list (a prefecture portal two counties share) is requested by
    each, as it was with a crawler per site, so each site sees it (and counts it as shared)."""

    def fingerprint(self, request) -> bytes:
        fingerprint = super().fingerprint(request)
        site = request.meta.get("site")
        return hashlib.sha1(fingerprint + site.encode()).digest() if site else fingerprint
