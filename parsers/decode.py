"""Bytes -> text: BOM, HTTP header charset, <meta> charset, then detection.

Every declared charset is verified: it must decode the bytes strictly, and a declared
legacy Chinese charset loses to UTF-8 when the bytes are valid, non-ASCII UTF-8 (a lying
`<meta charset=gb2312>` on a UTF-8 page). GB2312 and GBK are decoded as GB18030, their
superset. If no candidate decodes strictly, the best one decodes what it can and the
number of undecodable sequences is reported (never silently replaced).
"""
from __future__ import annotations

import codecs
import re
from collections.abc import Mapping
from typing import NamedTuple

from .errors import DecodeError

__all__ = ["Decoded", "decode_bytes", "decode_html", "normalise_charset_name", "header_value"]


class Decoded(NamedTuple):
    text: str
    encoding: str  # Python codec name actually used, e.g. "utf-8", "gb18030", "big5hkscs"
    undecodable: int  # sequences that could not be decoded (each became U+FFFD)
    declared: str | None  # what the header/meta/BOM claimed, normalised, if anything


# Aliases the web uses -> the codec we decode with.
_ALIASES = {
    "gb2312": "gb18030", "gbk": "gb18030", "gb18030": "gb18030", "gb_2312-80": "gb18030",
    "gb_2312": "gb18030", "x-gbk": "gb18030", "cp936": "gb18030", "ms936": "gb18030",
    "windows-936": "gb18030", "euc-cn": "gb18030", "csgb2312": "gb18030", "chinese": "gb18030",
    "iso-ir-58": "gb18030", "hz-gb-2312": "hz",
    "big5": "big5hkscs", "big5-hkscs": "big5hkscs", "cn-big5": "big5hkscs", "x-x-big5": "big5hkscs",
    "csbig5": "big5hkscs", "cp950": "cp950", "ms950": "cp950",
    "utf8": "utf-8", "utf-8": "utf-8", "unicode-1-1-utf-8": "utf-8", "x-unicode20utf8": "utf-8",
    "utf-16": "utf-16", "utf-16le": "utf-16-le", "utf-16be": "utf-16-be", "unicode": "utf-16",
    "iso-8859-1": "cp1252", "latin1": "cp1252", "latin-1": "cp1252", "us-ascii": "cp1252",
    "ascii": "cp1252", "windows-1252": "cp1252", "cp1252": "cp1252",
}
_LEGACY_CJK = {"gb18030", "big5hkscs", "cp950", "hz"}
_LEAD_BYTES = bytes(range(0xC0, 0x100))
_HIGH_BYTE = re.compile(rb"[\x80-\xff]")

_META_CHARSET = re.compile(
    rb"""<meta[^>]{0,300}?charset\s*=\s*["']?\s*([a-zA-Z0-9_\-:.]{2,40})""", re.I)
_XML_DECL = re.compile(rb"""^\s*<\?xml[^>]{0,200}?encoding\s*=\s*["']([a-zA-Z0-9_\-.]{2,40})["']""", re.I)
_HEADER_CHARSET = re.compile(r"""charset\s*=\s*["']?\s*([a-zA-Z0-9_\-:.]{2,40})""", re.I)


def header_value(headers: Mapping[str, str] | None, name: str) -> str | None:
    """Case-insensitive header lookup; tolerates bytes keys/values and list values."""
    if not headers:
        return None
    want = name.lower()
    try:
        items = list(headers.items())
    except Exception:
        return None
    for key, value in items:
        if isinstance(key, bytes):
            key = key.decode("latin-1", "replace")
        if str(key).lower() != want:
            continue
        if isinstance(value, (list, tuple)):
            value = value[0] if value else ""
        if isinstance(value, bytes):
            value = value.decode("latin-1", "replace")
        return str(value)
    return None


def normalise_charset_name(name: str | None) -> str | None:
    """Map a declared charset label to the codec we decode with, or None if unknown."""
    if not name:
        return None
    label = name.strip().strip("\"'").lower().replace("_", "-")
    if label in _ALIASES:
        return _ALIASES[label]
    label2 = label.replace("-", "")
    for alias, codec in _ALIASES.items():
        if alias.replace("-", "") == label2:
            return codec
    try:
        codec = codecs.lookup(label).name
    except LookupError:
        return None
    return _ALIASES.get(codec, codec)


def _bom(body: bytes) -> tuple[str, int] | None:
    if body.startswith(b"\xef\xbb\xbf"):
        return "utf-8", 3
    if body.startswith(b"\xff\xfe\x00\x00"):
        return "utf-32-le", 4
    if body.startswith(b"\x00\x00\xfe\xff"):
        return "utf-32-be", 4
    if body.startswith(b"\xff\xfe"):
        return "utf-16-le", 2
    if body.startswith(b"\xfe\xff"):
        return "utf-16-be", 2
    return None


def _declared_in_markup(body: bytes) -> str | None:
    head = body[:8192]
    m = _XML_DECL.search(head)
    if m:
        return m.group(1).decode("ascii", "ignore")
    m = _META_CHARSET.search(head)
    if m:
        return m.group(1).decode("ascii", "ignore")
    return None


def _strict(body: bytes, codec: str) -> str | None:
    try:
        return body.decode(codec)
    except (UnicodeDecodeError, LookupError):
        return None


def _lenient(body: bytes, codec: str) -> tuple[str, int]:
    """Decode what can be decoded; count replaced sequences (not counting genuine U+FFFD)."""
    text = body.decode(codec, errors="replace")
    try:
        genuine = "\ufffd".encode(codec)
    except (UnicodeEncodeError, LookupError):
        genuine = b""
    already = body.count(genuine) if genuine else 0
    return text, max(0, text.count("\ufffd") - already)


def _utf8_is_plausible(body: bytes) -> bool:
    """True if body is valid UTF-8 with real multi-byte content (so not a legacy charset)."""
    if _strict(body, "utf-8") is None:
        return False
    head = body[:200000]
    return len(head) - len(head.translate(None, _LEAD_BYTES)) >= 2


def _detect(body: bytes) -> str:
    """Guess the charset of undeclared non-UTF-8 bytes; GB18030 unless clearly Big5."""
    high = _HIGH_BYTE.search(body)
    if not high:
        return "cp1252"
    start = max(0, high.start() - 512)
    sample = body[start:start + 65536]
    try:
        import chardet

        guess = chardet.detect(sample)
    except Exception:  # pragma: no cover - chardet is a hard dependency, but be safe
        guess = {}
    enc = normalise_charset_name((guess or {}).get("encoding"))
    conf = (guess or {}).get("confidence") or 0.0
    if enc in ("big5hkscs", "cp950") and conf >= 0.5:
        return "big5hkscs"
    if enc in ("utf-8",) and conf >= 0.5:
        return "utf-8"
    return "gb18030"


def decode_bytes(body: bytes, headers: Mapping[str, str] | None = None) -> Decoded:
    """Decode a page's bytes; see the module docstring for the order of evidence."""
    if not isinstance(body, (bytes, bytearray, memoryview)):
        raise DecodeError(f"expected bytes, got {type(body).__name__}")
    body = bytes(body)
    bom = _bom(body)
    if bom:
        codec, skip = bom
        text = _strict(body[skip:], codec)
        if text is not None:
            return Decoded(text, codec, 0, codec)
        text, bad = _lenient(body[skip:], codec)
        return Decoded(text, codec, bad, codec)

    content_type = header_value(headers, "content-type") or ""
    m = _HEADER_CHARSET.search(content_type)
    from_header = normalise_charset_name(m.group(1)) if m else None
    from_markup = normalise_charset_name(_declared_in_markup(body))
    declared = from_header or from_markup

    candidates: list[str] = []
    for codec in (from_header, from_markup):
        if codec and codec not in candidates:
            candidates.append(codec)

    # A page that is valid multi-byte UTF-8 is UTF-8 whatever the meta says: legacy
    # CJK bytes almost never form valid UTF-8, while UTF-8 often "decodes" as GB18030.
    if _utf8_is_plausible(body):
        return Decoded(body.decode("utf-8"), "utf-8", 0, declared)

    for codec in candidates:
        if codec == "utf-8":
            continue  # already known not to be valid UTF-8
        if codec == "cp1252" and not body.isascii():
            continue  # a Chinese page mislabelled latin-1: let detection decide
        text = _strict(body, codec)
        if text is not None:
            return Decoded(text, codec, 0, declared)
        if codec == "big5hkscs":
            text = _strict(body, "cp950")
            if text is not None:
                return Decoded(text, "cp950", 0, declared)

    if body.isascii():
        return Decoded(body.decode("ascii"), candidates[0] if candidates else "utf-8", 0, declared)

    detected = _detect(body)
    fallbacks = [detected, "gb18030", "utf-8", "big5hkscs"]
    for codec in fallbacks:
        text = _strict(body, codec)
        if text is not None:
            return Decoded(text, codec, 0, declared)

    # Nothing decodes cleanly: decode with the candidate that loses least, and say so.
    best: tuple[int, str, str] | None = None
    for codec in dict.fromkeys(candidates + fallbacks):
        if codec == "cp1252":
            continue
        try:
            text, bad = _lenient(body, codec)
        except LookupError:
            continue
        # Prefer declared charsets on ties; UTF-8 replacement counts are per byte, so
        # weigh them against the share of text that decoded to CJK.
        if best is None or bad < best[0]:
            best = (bad, codec, text)
    if best is None:
        raise DecodeError("cannot decode the bytes in any known encoding")
    bad, codec, text = best
    return Decoded(text, codec, bad, declared)


def decode_html(body: bytes, headers: Mapping[str, str] | None = None) -> tuple[str, str]:
    """Return (text, encoding) for a page's bytes. See `decode_bytes` for the details."""
    decoded = decode_bytes(body, headers)
    return decoded.text, decoded.encoding
