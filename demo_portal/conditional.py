"""HTTP validators for detail pages: a strong ETag over the page with its rotating chrome
blanked, ``Last-Modified`` from the catalog, and the RFC 9110 rules for answering 304.

The visit counter (``浏览次数：N``) and the today line (``今天是…``) change on every request
or every day without the document changing, so the ETag is computed over the page text
with both replaced by fixed marks. The last-modified time is part of the hash too: a page
that vanished and was published again gets new validators, as a rewritten file would.
"""
from __future__ import annotations

import datetime as dt
import email.utils
import hashlib

# Placeholders rendered in place of the rotating chrome; ASCII so every site encoding keeps them.
HITS_MARK = "@@GUIFAN-HITS@@"
TODAY_MARK = "@@GUIFAN-TODAY@@"


def http_date(when: dt.datetime) -> str:
    """An IMF-fixdate (``Fri, 15 Mar 2024 02:05:00 GMT``)."""
    return email.utils.format_datetime(when.astimezone(dt.timezone.utc), usegmt=True)


def strong_etag(blanked: bytes, last_modified: str) -> str:
    digest = hashlib.sha256(blanked + b"\n" + last_modified.encode("ascii")).hexdigest()
    return f'"{digest[:32]}"'


def _etags(header: str) -> list[str]:
    return [t.strip().removeprefix("W/") for t in header.split(",") if t.strip()]


def not_modified(headers, etag: str, last_modified: dt.datetime) -> bool:
    """True if the request's validators say the client already holds this representation.

    ``If-None-Match`` wins when present (weak comparison, ``*`` matches); otherwise an
    ``If-Modified-Since`` at or after the last modification. Unparseable dates never match.
    """
    inm = headers.get("If-None-Match")
    if inm is not None:
        tags = _etags(inm)
        return "*" in tags or etag in tags
    ims = headers.get("If-Modified-Since")
    if not ims:
        return False
    try:
        since = email.utils.parsedate_to_datetime(ims)
    except (TypeError, ValueError, IndexError):
        return False
    if since is None:
        return False
    if since.tzinfo is None:
        since = since.replace(tzinfo=dt.timezone.utc)
    return since >= last_modified.replace(microsecond=0)
