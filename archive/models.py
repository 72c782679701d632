"""Records the archive stores: one HTTP exchange (or failed attempt) and its outcome."""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timezone

from guifan.parsers.record import Document

# Fetch outcomes (docs/design.md). `new`/`changed`/`unchanged` are decided by the archive.
OUTCOMES = ("new", "changed", "unchanged", "not_modified", "failed", "gone", "blocked")
# What was fetched: a column/list page, a document's detail page, an attachment file.
KINDS = ("list", "detail", "attachment")


def utc_now() -> str:
    return datetime.now(timezone.utc).isoformat(timespec="milliseconds").replace("+00:00", "Z")


@dataclass
class FetchResult:
    """One fetch attempt as the crawler saw it: the raw exchange, untouched.

    `outcome`/`reason` are set by the crawler only for attempts that failed or were
    blocked before any content could be judged; otherwise the archive decides.
    """

    site: str
    kind: str
    url: str
    final_url: str | None = None
    status: int | None = None
    method: str = "GET"
    request_headers: list[tuple[str, str]] = field(default_factory=list)
    response_headers: list[tuple[str, str]] = field(default_factory=list)
    body: bytes | None = None
    redirects: list[str] = field(default_factory=list)
    fetched_at: str = field(default_factory=utc_now)
    referer: str | None = None
    outcome: str | None = None
    reason: str | None = None
    document: Document | None = None
    # On a list page: the detail URLs it lists (for the completeness report and tombstones).
    links: list[str] = field(default_factory=list)
    # On an attachment: its text, read by an extraction worker (parsers.attachment_text),
    # and which reader with which tools read it; None when those bytes were read before.
    attachment_text: object | None = None
    attachment_reader: str | None = None
    # What the crawler learnt of the site on this fetch (Archive.observe): the platform it
    # sniffed, the portal's 网站标识码, the columns it chose, documents left to another site.
    observations: dict | None = None
    # The redirect answers before this one, in order: {url, status, headers, body, location}.
    hops: list[dict] = field(default_factory=list)

    def __repr__(self) -> str:
        # Short: Scrapy logs an item's repr with any error about it, and the raw bytes of a
        # page (or its whole body text) on stderr help nobody.
        size = "no body" if self.body is None else f"{len(self.body)} bytes"
        return (f"FetchResult(site={self.site!r}, kind={self.kind!r}, url={self.url!r}, status={self.status}, "
                f"{size})")
