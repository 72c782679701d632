"""guifan.parsers: pure functions from a page's bytes to a Document.

    from guifan.parsers import extract, decode_html, ParseError, Document
    doc = extract(body, url="", headers=None, hints=None)
    text, encoding = decode_html(body, headers=None)

No Scrapy, no SQLite, no module-level mutable state: the same code runs at crawl time
and when re-parsing stored captures years later.
"""
from .decode import decode_bytes, decode_html
from .errors import DecodeError, NotHTMLError, ParseError
from .extract import extract
from .record import RECORD_FIELDS, Attachment, Document

__all__ = [
    "extract", "decode_html", "decode_bytes", "ParseError", "NotHTMLError", "DecodeError",
    "Document", "Attachment", "RECORD_FIELDS",
]
