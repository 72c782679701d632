"""Turn Scrapy responses and failures into archive records and outcome reasons."""
from __future__ import annotations

from scrapy import exceptions as scrapy_exceptions
from scrapy.exceptions import IgnoreRequest
from twisted.internet import error as net
from twisted.internet.defer import CancelledError
from twisted.web._newclient import ResponseNeverReceived

from guifan.archive.models import FetchResult
from guifan.crawler.antibot import HOST_BLOCKED
from guifan.parsers.detect_challenge import block_reason

RETRYABLE_ERRORS = ("connection_refused", "timeout", "connection_lost", "network_error")


def header_pairs(headers) -> list[tuple[str, str]]:
    """Scrapy headers as (name, value) text pairs, repeats kept, bytes decoded losslessly."""
    return [
        (name.decode("latin-1"), value.decode("latin-1"))
        for name, values in headers.items()
        for value in values
    ]


OFF_SITE = "off_site"   # the IgnoreRequest text of crawler.middlewares.OffSiteGuard


def exchange(site: str, response) -> FetchResult:
    redirects = list(response.meta.get("redirect_urls", []))
    request = response.request
    return FetchResult(
        site=site,
        kind=response.meta.get("kind", "detail"),
        url=redirects[0] if redirects else response.url,
        final_url=response.url,
        status=response.status,
        method=request.method,
        request_headers=header_pairs(request.headers),
        response_headers=header_pairs(response.headers),
        body=response.body,
        redirects=redirects,
        referer=response.meta.get("referer"),
        hops=list(response.meta.get("guifan_hops", [])),
    )


def blocked_reason(response) -> str | None:
    """Why the answer is an anti-bot wall (crawler.antibot), or None; the middleware may have said."""
    if "guifan_blocked" in response.meta:
        return response.meta["guifan_blocked"]
    headers = {k.decode("latin-1").lower(): v[0].decode("latin-1") for k, v in response.headers.items() if v}
    return block_reason(response.status, headers, response.body)


def _scrapy_errors(*names: str) -> tuple[type, ...]:
    """Scrapy ≥ 2.13 wraps Twisted's errors in its own; older ones pass Twisted's through."""
    return tuple(getattr(scrapy_exceptions, n) for n in names if hasattr(scrapy_exceptions, n))


# (exception types, reason), first match wins.
_ERROR_REASONS = (
    ((net.DNSLookupError, *_scrapy_errors("CannotResolveHostError")), "dns_error"),
    ((net.ConnectionRefusedError, *_scrapy_errors("DownloadConnectionRefusedError")), "connection_refused"),
    ((net.TimeoutError, net.TCPTimedOutError, *_scrapy_errors("DownloadTimeoutError")), "timeout"),
    ((CancelledError, *_scrapy_errors("DownloadCancelledError")), "too_large"),
    (_scrapy_errors("ResponseDataLossError"), "truncated"),
    ((net.ConnectionLost, ResponseNeverReceived, *_scrapy_errors("DownloadFailedError")), "connection_lost"),
)


def error_reason(failure) -> tuple[str, str]:
    """(outcome, reason) for a request that produced no usable response."""
    exc = failure.value
    if isinstance(exc, IgnoreRequest):
        text = str(exc)
        if "robots.txt" in text:
            return "blocked", "robots_txt"
        if text.startswith(HOST_BLOCKED):
            return "blocked", HOST_BLOCKED
        if text.startswith(OFF_SITE):
            return "blocked", "off_site_redirect" if failure.request.meta.get("redirect_urls") else OFF_SITE
        if "redirect" in text:
            return "failed", "redirect_loop"
        return "failed", "ignored"
    for types, reason in _ERROR_REASONS:
        if types and isinstance(exc, types):
            return "failed", reason
    return "failed", "network_error"
