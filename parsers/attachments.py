"""Attachment links (PDF, DOC/DOCX, WPS, OFD, XLS/XLSX, ZIP/RAR, ET...) in or right after the body."""
from __future__ import annotations

import re
from urllib.parse import unquote, urljoin, urlsplit

from .html_tree import text_of
from .normalise import normalise_space
from .record import Attachment

__all__ = ["ATTACHMENT_EXTENSIONS", "WEB_SCHEMES", "find_attachments", "is_attachment_url", "web_url"]

ATTACHMENT_EXTENSIONS = ("pdf", "doc", "docx", "wps", "ofd", "xls", "xlsx", "zip", "rar", "et",
                         "7z", "ppt", "pptx", "txt", "csv", "dps", "ceb", "tif", "tiff", "rtf",
                         "png", "jpg", "jpeg")  # a linked image is a scanned page (an <img> is not a link)
_EXT = re.compile(r"\.(" + "|".join(ATTACHMENT_EXTENSIONS) + r")$", re.I)
_EXT_IN_TEXT = re.compile(r"\.(" + "|".join(ATTACHMENT_EXTENSIONS) + r")\s*$", re.I)
# The only schemes a link may have to be kept as a link (and fetched): not javascript:, data:,
# vbscript:, file:, mailto: … — whatever their case or the tabs inside them.
WEB_SCHEMES = ("http", "https")
# What a browser removes before reading a URL (WHATWG URL standard): ASCII tab and newline
# anywhere, C0 controls and spaces at either end. `JAVA\tSCRIPT:` is javascript: to a browser.
_URL_TAB_OR_NEWLINE = re.compile(r"[\t\n\r]")
_C0_OR_SPACE = "".join(chr(c) for c in range(0x21))


def web_url(href: str | None, base_url: str = "", relative_ok: bool = False) -> str | None:
    """The absolute http(s) URL a link leads to, read as a browser reads it; else None.

    With ``relative_ok`` (a page parsed without its URL) a relative link is returned as it is.
    """
    cleaned = _URL_TAB_OR_NEWLINE.sub("", href or "").strip(_C0_OR_SPACE)
    if not cleaned:
        return None
    try:
        url = urljoin(base_url, cleaned) if base_url else cleaned
        parts = urlsplit(url)
        host = parts.hostname
    except ValueError:                   # a malformed authority (bad IPv6 literal …)
        return None
    if parts.scheme.lower() in WEB_SCHEMES and host:
        return url
    if relative_ok and not base_url and not parts.scheme and not parts.netloc and not cleaned.startswith("//"):
        return url
    return None


def is_attachment_url(href: str) -> bool:
    """True if the URL's path (or a file-name-like query value) ends with an attachment extension."""
    try:
        parts = urlsplit(href.strip())
    except ValueError:
        return False
    if parts.scheme and parts.scheme.lower() not in ("http", "https", "ftp"):
        return False
    if _EXT.search(unquote(parts.path)):
        return True
    # download.jsp?filename=xxx.pdf
    return any(_EXT.search(unquote(v)) for v in re.split(r"[&=]", parts.query) if v)


# A cheap first look for an extension in a link's href, text or title (the full rule follows).
_MAYBE_FILE = re.compile(r"\.(?:" + "|".join(ATTACHMENT_EXTENSIONS) + r")\b", re.I)


def _maybe_file(text: str) -> bool:
    return "." in text and _MAYBE_FILE.search(text) is not None  # `in` first: most texts have no dot


def find_attachments(elements, base_url: str) -> list[Attachment]:
    """Attachment links inside the given elements, in document order, de-duplicated by URL."""
    found: list[Attachment] = []
    seen: set[str] = set()
    for scope in elements:
        if scope is None:
            continue
        try:
            anchors = scope.iter("a")
        except (ValueError, TypeError):
            continue
        for a in anchors:
            href = (a.get("href") or "").strip()
            if not href or href.startswith("#"):
                continue
            if not _maybe_file(unquote(href) if "%" in href else href) \
                    and not _maybe_file(text_of(a)) and not _maybe_file(a.get("title") or ""):
                continue  # no file extension anywhere: not an attachment (most links; skip the URL parsing)
            url = web_url(href, base_url, relative_ok=not base_url)
            if url is None:              # javascript:, mailto: … in any case or spelling: no attachment
                continue
            name = normalise_space(text_of(a) or "") or normalise_space(a.get("title") or "")
            if not (is_attachment_url(url) or (name and _EXT_IN_TEXT.search(name))):
                continue
            if url in seen:
                continue
            seen.add(url)
            if not name:
                name = unquote(urlsplit(url).path.rsplit("/", 1)[-1])
            found.append(Attachment(name=name[:300], url=url))
    return found
