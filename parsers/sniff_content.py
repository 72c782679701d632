"""Recognise input that is not an HTML page at all (empty, PDF, ZIP, images, office files)."""
from __future__ import annotations

from .errors import NotHTMLError

# (magic prefix, human name). Checked after leading whitespace is skipped where noted.
_MAGIC: tuple[tuple[bytes, str], ...] = (
    (b"%PDF", "PDF document"),
    (b"PK\x03\x04", "ZIP archive (or DOCX/XLSX/OFD)"),
    (b"PK\x05\x06", "empty ZIP archive"),
    (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1", "OLE2 office file (DOC/XLS/WPS)"),
    (b"Rar!\x1a\x07", "RAR archive"),
    (b"7z\xbc\xaf\x27\x1c", "7-Zip archive"),
    (b"\x1f\x8b", "gzip data (undecompressed response?)"),
    (b"BZh", "bzip2 data"),
    (b"\x89PNG\r\n\x1a\n", "PNG image"),
    (b"GIF87a", "GIF image"),
    (b"GIF89a", "GIF image"),
    (b"\xff\xd8\xff", "JPEG image"),
    (b"BM", None),  # BMP: too short a magic to trust alone, see below
    (b"II*\x00", "TIFF image"),
    (b"MM\x00*", "TIFF image"),
    (b"RIFF", "RIFF media (WEBP/AVI/WAV)"),
    (b"\x00\x00\x01\x00", "ICO image"),
    (b"%!PS", "PostScript document"),
    (b"{\\rtf", "RTF document"),
    (b"\x7fELF", "ELF executable"),
    (b"MZ", None),
    (b"ID3", "MP3 audio"),
    (b"\x00\x00\x00\x18ftyp", "MP4 video"),
    (b"\x00\x00\x00\x20ftyp", "MP4 video"),
    (b"FWS", None),
    (b"CWS", "Flash file"),
)

_BOMS = (b"\xef\xbb\xbf", b"\xff\xfe", b"\xfe\xff")
_CONTROL_BYTES = bytes(b for b in range(32) if b < 9 or (13 < b < 32 and b != 27))


def check_is_text_page(body: bytes) -> None:
    """Raise NotHTMLError if `body` is empty or clearly binary; return None otherwise."""
    if body is None or not isinstance(body, (bytes, bytearray, memoryview)):
        raise NotHTMLError(f"expected bytes, got {type(body).__name__}")
    body = bytes(body)
    if not body.strip():
        raise NotHTMLError("empty input: no bytes to parse" if not body else "empty input: only whitespace")
    if not body.strip(b"\x00 \t\r\n\x0b\x0c"):
        raise NotHTMLError(f"not an HTML page: {len(body)} bytes, all NUL (or whitespace)")
    head = body[:16]
    for magic, name in _MAGIC:
        if name and head.startswith(magic):
            raise NotHTMLError(f"not an HTML page: looks like a {name} (starts with {magic[:8]!r})")
    if body.startswith(_BOMS):
        return  # UTF-16 text legitimately has NUL bytes
    sample = body[:4096]
    nul = sample.count(b"\x00")
    if nul > max(2, len(sample) // 100):
        # UTF-16 without BOM: every other byte NUL and ASCII markup in between.
        if not _looks_like_utf16(sample):
            raise NotHTMLError(f"not an HTML page: binary data ({nul} NUL bytes in the first {len(sample)})")
    controls = len(sample) - len(sample.translate(None, _CONTROL_BYTES))
    if controls > len(sample) // 10 and not _looks_like_utf16(sample):
        raise NotHTMLError(f"not an HTML page: binary data ({controls} control bytes in the first {len(sample)})")


def _looks_like_utf16(sample: bytes) -> bool:
    """One byte of each pair mostly NUL, the other mostly not (ASCII markup in UTF-16):
    a run of NUL bytes alone is no text in any encoding."""
    even = sample[0::2]
    odd = sample[1::2]
    n = max(1, min(len(even), len(odd)))
    return any(a.count(0) > 0.4 * n and b.count(0) < 0.1 * n for a, b in ((even, odd), (odd, even)))
