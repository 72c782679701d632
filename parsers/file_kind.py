"""What a file is by its own marks (PDF, ZIP family, OLE family, RAR, RTF, images, text).

Kept apart from attachment_text so that `guifan parse` over saved pages can tell a page from
an attachment without loading the attachment readers (OCR, LibreOffice bridge, sandbox):
about 20 ms of start-up. zipfile and olefile load only when a file starts like one.
"""
from __future__ import annotations

import io

__all__ = ["sniff_kind"]

OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"


def _zip_kind(body: bytes) -> str:
    import zipfile

    try:
        names = set(zipfile.ZipFile(io.BytesIO(body)).namelist())
    except (zipfile.BadZipFile, ValueError, OSError):
        return "zip"
    if "word/document.xml" in names:
        return "docx"
    if "xl/workbook.xml" in names:
        return "xlsx"
    if "OFD.xml" in names:
        return "ofd"
    return "zip"


def _ole_kind(body: bytes, filename: str) -> str:
    import olefile

    try:
        streams = {"/".join(s) for s in olefile.OleFileIO(io.BytesIO(body)).listdir()}
    except Exception:  # noqa: BLE001 - olefile raises several kinds on damaged headers
        # A damaged container: its name says what it was meant to be (LibreOffice may still
        # read it, else it is an error); nameless, it is reported as damaged.
        ext = filename.lower().rsplit(".", 1)[-1]
        return ext if ext in ("doc", "wps", "et", "xls") else "ole_damaged"
    if {"EncryptionInfo", "EncryptedPackage"} <= streams:
        return "encrypted_ooxml"
    if "WordDocument" in streams:
        return "wps" if filename.lower().endswith(".wps") else "doc"
    if streams & {"Workbook", "Book"}:
        return "et" if filename.lower().endswith(".et") else "xls"
    return "ole"


def sniff_kind(body: bytes, filename: str = "", content_type: str = "") -> str:
    """What the bytes are, by their own marks; the name and type only break ties."""
    head = body[:1024]
    if b"%PDF-" in head:
        return "pdf"
    if body.startswith(b"PK\x03\x04"):
        return _zip_kind(body)
    if body.startswith(OLE_MAGIC):
        return _ole_kind(body, filename)
    if body.startswith(b"Rar!"):
        return "rar"
    if body.startswith(b"{\\rtf"):
        return "rtf"
    if body.startswith(b"\x89PNG\r\n\x1a\n"):
        return "png"
    if body.startswith(b"\xff\xd8\xff"):
        return "jpeg"
    if body[:4] in (b"II*\x00", b"MM\x00*"):
        return "tiff"
    if content_type.startswith("text/plain") or filename.lower().endswith((".txt", ".csv")):
        return "txt"
    return "unknown"
