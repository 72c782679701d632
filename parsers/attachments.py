"""Attachment links (PDF, DOC/DOCX, WPS, OFD, XLS/XLSX, ZIP/RAR, ET...) in or right after the body."""
from __future__ import annotations

import re
from urllib.parse import unquote, urljoin, urlsplit

from .html_tree import text_of
from .normalise import normalise_space
from .record import Attachment

__all__ = ["ATTACHMENT_EXTENSIONS", "find_attachments", "is_attachment_url"]

ATTACHMENT_EXTENSIONS = ("pdf", "doc", "docx", "wps", "ofd", "xls", "xlsx", "zip", "rar", "et",
                         "7z", "ppt", "pptx", "txt", "csv", "dps", "ceb", "tif", "tiff", "rtf",
                         "png", "jpg", "jpeg")  # a linked image is a scanned page (an <img> is not a link)
_EXT = re.compile(r"\.(" + "|".join(ATTACHMENT_EXTENSIONS) + r")$", re.I)
_EXT_IN_TEXT = re.compile(r"\.(" + "|".join(ATTACHMENT_EXTENSIONS) + r")\s*$", re.I)


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
            if not href or href.startswith(("#", "javascript:", "mailto:")):
                continue
            name = normalise_space(text_of(a) or "") or normalise_space(a.get("title") or "")
            if not (is_attachment_url(href) or (name and _EXT_IN_TEXT.search(name))):
                continue
            try:
                url = urljoin(base_url, href) if base_url else href
            except ValueError:
                url = href
            if url in seen:
                continue
            seen.add(url)
            if not name:
                name = unquote(urlsplit(url).path.rsplit("/", 1)[-1])
            found.append(Attachment(name=name[:300], url=url))
    return found
