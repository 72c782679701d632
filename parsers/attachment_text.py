"""Text of an attachment's bytes: PDF, DOCX, XLSX, XLS, OFD, plain text.

Pure: bytes (+ file name, Content-Type) -> AttachmentText, never an exception. The kind is
read from the bytes (magic numbers, the parts inside a ZIP or OLE2 container), not from the
name, since portals serve `download.jsp?id=…` and mislabelled types.

Outcomes (`status`):
* ``ok`` — text extracted;
* ``no_text`` — a readable file with no text layer, e.g. a scanned PDF (flag ``scanned_pdf``);
* ``unsupported`` — a kind we do not read (DOC/WPS/ET binaries, RAR, images …), with a reason;
* ``error`` — the file is damaged or encrypted, with a reason.

Libraries: pypdf (PDF), openpyxl (XLSX), xlrd (XLS), olefile (OLE2 containers); DOCX and
OFD are ZIPs of XML read with lxml. Word 97–2003 `.doc` and WPS `.wps` binaries have no
well-kept pure-Python reader, so they are reported as ``unsupported`` (convert them with
LibreOffice: `soffice --headless --convert-to docx`).
"""
from __future__ import annotations

import io
import re
import zipfile
from dataclasses import dataclass, field
from posixpath import dirname, join, normpath

from lxml import etree

from .decode import decode_bytes

__all__ = ["AttachmentText", "extract_attachment_text", "sniff_kind"]

MAX_PAGES = 1000
MAX_CHARS = 2_000_000
SCANNED_CHARS_PER_PAGE = 10   # fewer visible characters than this per page: no text layer
OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
_XML = etree.XMLParser(resolve_entities=False, no_network=True, huge_tree=False, recover=True)


@dataclass(frozen=True)
class AttachmentText:
    status: str                       # ok | no_text | unsupported | error
    kind: str                         # pdf, docx, xlsx, xls, ofd, doc, txt, zip, … or unknown
    text: str = ""
    extractor: str = ""               # library/version that read it
    pages: int | None = None          # pages (PDF, OFD) or sheets (XLS/XLSX)
    flags: tuple[str, ...] = field(default_factory=tuple)
    reason: str | None = None         # why not ok


def _version(module) -> str:
    return f"{module.__name__}/{getattr(module, '__version__', '?')}"


# -------------------------------------------------------------------- recognising the kind
def _zip_kind(body: bytes) -> str:
    try:
        names = set(zipfile.ZipFile(io.BytesIO(body)).namelist())
    except zipfile.BadZipFile:
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
    except OSError:
        return "ole"
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
    if content_type.startswith("text/plain") or filename.lower().endswith((".txt", ".csv")):
        return "txt"
    return "unknown"


# ------------------------------------------------------------------------------ readers
def _clip(text: str, flags: list[str]) -> str:
    if len(text) > MAX_CHARS:
        flags.append("truncated")
        return text[:MAX_CHARS]
    return text


def _tidy(lines) -> str:
    return "\n".join(line.strip() for line in lines if line and line.strip())


def _page_has_images(page) -> bool:
    try:
        xobjects = page["/Resources"].get_object().get("/XObject")
        xobjects = xobjects.get_object() if xobjects is not None else {}
        return any(x.get_object().get("/Subtype") == "/Image" for x in xobjects.values())
    except (KeyError, AttributeError, TypeError):
        return False


def _pdf(body: bytes) -> AttachmentText:
    import pypdf

    reader = pypdf.PdfReader(io.BytesIO(body))
    if reader.is_encrypted and not reader.decrypt(""):
        return AttachmentText("error", "pdf", extractor=_version(pypdf), reason="encrypted PDF (password needed)")
    flags: list[str] = []
    pages = reader.pages[:MAX_PAGES]
    if len(reader.pages) > MAX_PAGES:
        flags.append("truncated")
    texts = [page.extract_text() or "" for page in pages]
    text = _clip(_tidy(line for t in texts for line in t.splitlines()), flags)
    visible = len(re.sub(r"\s", "", text))
    if visible < SCANNED_CHARS_PER_PAGE * max(1, len(pages)):
        if any(_page_has_images(p) for p in pages):
            flags.append("scanned_pdf")
            return AttachmentText("no_text", "pdf", text, _version(pypdf), len(reader.pages), tuple(flags),
                                  "images only: a scanned PDF needs OCR")
        if not visible:
            return AttachmentText("no_text", "pdf", "", _version(pypdf), len(reader.pages), tuple(flags),
                                  "no text in the PDF")
    return AttachmentText("ok", "pdf", text, _version(pypdf), len(reader.pages), tuple(flags))


def _local(el) -> str:
    return etree.QName(el).localname if isinstance(el.tag, str) else ""


def _docx_paragraph(p) -> str:
    parts = []
    for el in p.iter():
        name = _local(el)
        if name == "t":
            parts.append(el.text or "")
        elif name == "tab":
            parts.append("\t")
        elif name in ("br", "cr"):
            parts.append("\n")
    return "".join(parts)


def _docx(body: bytes) -> AttachmentText:
    root = etree.fromstring(zipfile.ZipFile(io.BytesIO(body)).read("word/document.xml"), _XML)
    lines: list[str] = []
    body_el = next((el for el in root if _local(el) == "body"), root)
    for block in body_el:
        if _local(block) == "p":
            lines += _docx_paragraph(block).split("\n")
        elif _local(block) == "tbl":  # one line per row, cells joined by a space
            for row in (el for el in block.iter() if _local(el) == "tr"):
                cells = [" ".join(_docx_paragraph(p) for p in c.iter() if _local(p) == "p")
                         for c in row if _local(c) == "tc"]
                lines.append(" ".join(c.strip() for c in cells if c.strip()))
    flags: list[str] = []
    return AttachmentText("ok", "docx", _clip(_tidy(lines), flags), "docx-xml (lxml)", None, tuple(flags))


def _cell(value) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value).strip()


def _sheet_text(name: str, rows) -> list[str]:
    lines = [f"[{name}]"]
    for row in rows:
        cells = [_cell(v) for v in row]
        if any(cells):
            lines.append("\t".join(cells).rstrip("\t"))
    return lines


def _xlsx(body: bytes) -> AttachmentText:
    import openpyxl

    book = openpyxl.load_workbook(io.BytesIO(body), read_only=True, data_only=True)
    try:
        lines = [line for ws in book.worksheets for line in _sheet_text(ws.title, ws.iter_rows(values_only=True))]
        sheets = len(book.worksheets)
    finally:
        book.close()
    flags: list[str] = []
    return AttachmentText("ok", "xlsx", _clip(_tidy(lines), flags), _version(openpyxl), sheets, tuple(flags))


def _xls(body: bytes) -> AttachmentText:
    import xlrd

    book = xlrd.open_workbook(file_contents=body)
    lines = [line for sh in book.sheets()
             for line in _sheet_text(sh.name, (sh.row_values(r) for r in range(sh.nrows)))]
    flags: list[str] = []
    return AttachmentText("ok", "xls", _clip(_tidy(lines), flags), f"xlrd/{xlrd.__VERSION__}", book.nsheets,
                          tuple(flags))


def _ofd_page_lines(content: bytes) -> list[str]:
    """Text objects of one OFD page, in reading order: top to bottom, then left to right."""
    root = etree.fromstring(content, _XML)
    items = []
    for obj in (el for el in root.iter() if _local(el) == "TextObject"):
        box = [float(x) for x in (obj.get("Boundary") or "0 0 0 0").split()[:2]] + [0.0, 0.0]
        text = "".join(code.text or "" for code in obj.iter() if _local(code) == "TextCode")
        if text.strip():
            items.append((round(box[1], 0), box[0], text))
    lines: list[str] = []
    last_y = None
    for y, _, text in sorted(items):
        if last_y is not None and abs(y - last_y) < 2 and lines:
            lines[-1] += text
        else:
            lines.append(text)
        last_y = y
    return lines


def _ofd(body: bytes) -> AttachmentText:
    archive = zipfile.ZipFile(io.BytesIO(body))
    entry = etree.fromstring(archive.read("OFD.xml"), _XML)
    doc_root = next((el.text or "").strip().lstrip("/") for el in entry.iter() if _local(el) == "DocRoot")
    document = etree.fromstring(archive.read(doc_root), _XML)
    base = dirname(doc_root)
    pages = [el.get("BaseLoc") for el in document.iter() if _local(el) == "Page" and el.get("BaseLoc")]
    lines: list[str] = []
    for loc in pages[:MAX_PAGES]:
        path = loc.lstrip("/") if loc.startswith("/") else normpath(join(base, loc))
        lines += _ofd_page_lines(archive.read(path))
    flags = ["truncated"] if len(pages) > MAX_PAGES else []
    text = _clip(_tidy(lines), flags)
    status = "ok" if text else "no_text"
    if not text:
        flags.append("scanned_ofd")
    return AttachmentText(status, "ofd", text, "ofd-xml (lxml)", len(pages), tuple(flags),
                          None if text else "no text objects: a scanned OFD needs OCR")


def _txt(body: bytes) -> AttachmentText:
    decoded = decode_bytes(body, None)
    flags = ["undecodable_bytes"] if decoded.undecodable else []
    return AttachmentText("ok", "txt", _clip(decoded.text.strip(), flags), f"guifan-decode ({decoded.encoding})",
                          None, tuple(flags))


READERS = {"pdf": _pdf, "docx": _docx, "xlsx": _xlsx, "xls": _xls, "ofd": _ofd, "txt": _txt}
UNSUPPORTED = {
    "doc": "Word 97-2003 binary (.doc): no well-kept pure-Python reader; convert to DOCX with LibreOffice",
    "wps": "WPS binary (.wps): no well-kept pure-Python reader; convert to DOCX with LibreOffice",
    "et": "WPS spreadsheet binary (.et): convert to XLSX with LibreOffice",
    "rtf": "RTF is not read",
    "zip": "a ZIP archive: its files are not unpacked",
    "rar": "a RAR archive: its files are not unpacked",
    "ole": "an OLE2 file that is neither a Word nor an Excel document",
    "unknown": "not a document kind guifan reads (PDF, DOCX, XLSX, XLS, OFD, TXT)",
}


def extract_attachment_text(body: bytes, filename: str = "", content_type: str = "") -> AttachmentText:
    """The text of an attachment, or a clear outcome saying why there is none."""
    if not body:
        return AttachmentText("error", "unknown", reason="empty file")
    kind = sniff_kind(bytes(body), filename, content_type.lower())
    reader = READERS.get(kind)
    if reader is None:
        return AttachmentText("unsupported", kind, reason=UNSUPPORTED.get(kind, UNSUPPORTED["unknown"]))
    try:
        return reader(bytes(body))
    except Exception as exc:  # noqa: BLE001 - damaged files of every kind: report, never raise
        return AttachmentText("error", kind, reason=f"cannot read the {kind.upper()}: {type(exc).__name__}: {exc}"[:300])
