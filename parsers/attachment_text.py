"""Text of an attachment's bytes: PDF, DOCX, XLSX, XLS, OFD, DOC, WPS, ET, RTF, images, ZIP, text.

Pure: bytes (+ file name, Content-Type, the caller's tools) -> AttachmentText, never an exception. The kind is
read from the bytes (magic numbers, the parts inside a ZIP or OLE2 container), not from the
name, since portals serve `download.jsp?id=…` and mislabelled types.

Outcomes (`status`):
* ``ok`` — text extracted;
* ``no_text`` — a readable file with no text layer, e.g. a scanned PDF (flag ``scanned_pdf``);
* ``unsupported`` — a kind we do not read (RAR …), or one whose tool is absent: the reason
  then starts ``needs`` and names what to install;
* ``error`` — the file is damaged, encrypted or over a limit, with a reason.

Libraries: pypdf (PDF), openpyxl (XLSX), xlrd (XLS), olefile (OLE2 containers); DOCX and
OFD are ZIPs of XML read with lxml. Word 97–2003 ``.doc``, Kingsoft ``.wps``/``.et`` and RTF
have no well-kept pure-Python reader: the caller's `Tools` convert them to DOCX/XLSX with one
long-lived LibreOffice (`parsers.office_convert`). Scanned pages (image-only PDF pages, PNG,
JPEG, TIFF) are read by Tesseract when the tools have OCR on (`parsers.ocr`); the text is
then flagged ``ocr`` and carries its mean confidence. ZIP archives are read member by member.

Limits (all module constants, checked before anything is unpacked): attachment size, ZIP
members, declared and actual unpacked bytes and their ratio to the packed size (bombs),
member names that climb out of the archive (zip-slip: reported, never followed), page counts.
"""
from __future__ import annotations

import io
import os
import re
import shutil
import struct
import tempfile
import time
import zipfile
from dataclasses import dataclass, field, replace
from posixpath import dirname, join, normpath

from lxml import etree

from .decode import decode_bytes
from .file_kind import sniff_kind
from .ocr import OcrSettings, image_frames_png, ocr_image, ocr_missing, pdf_page_png
from .office_convert import ConversionFailed, OfficeConverter
from .sandbox import ToolFailed, ToolMissing

__all__ = ["AttachmentText", "Tools", "extract_attachment_text", "sniff_kind", "READER_VERSION"]

# Stored beside each text: a text read by an older reader may be read again (guifan reparse).
READER_VERSION = "guifan-attachments/2"
MAX_BYTES = 200 * 1024 * 1024        # larger attachments are kept as bytes, not read
MAX_PAGES = 1000                     # pages read for text (a PDF claiming more: first ones only)
MAX_DECLARED_PAGES = 5000            # a PDF claiming more pages than this is refused outright
MAX_CHARS = 2_000_000
MAX_PART_BYTES = 100 * 1024 * 1024   # one unpacked part of a ZIP, DOCX, XLSX or OFD
MAX_UNPACKED_BYTES = 300 * 1024 * 1024
MAX_RATIO = 200                      # unpacked / packed above this (and over 10 MiB): a bomb
MAX_MEMBERS = 500
ZIP_DEPTH = 2                        # a ZIP inside a ZIP is read; one more level is not
SCANNED_CHARS_PER_PAGE = 10   # fewer visible characters than this per page: no text layer
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
    confidence: float | None = None   # OCR: mean word confidence 0–100 over the pages read by OCR
    page_confidence: tuple = ()       # OCR: (page number, confidence) per page read by OCR

    def to_dict(self) -> dict:
        return {f: getattr(self, f) for f in self.__dataclass_fields__}

    @classmethod
    def from_dict(cls, data: dict) -> "AttachmentText":
        data = dict(data)
        data["flags"] = tuple(data.get("flags") or ())
        data["page_confidence"] = tuple(tuple(p) for p in data.get("page_confidence") or ())
        return cls(**data)


@dataclass
class Tools:
    """What the readers may use besides Python: one office converter, OCR settings (None: off).

    Its owner (an extraction worker, `guifan parse`, a re-parse) keeps it for many files and
    closes it; `scratch` is a private directory for the tools' files.
    """

    converter: OfficeConverter | None = None
    ocr: OcrSettings | None = None
    scratch: str = field(default_factory=lambda: tempfile.mkdtemp(prefix="guifan-attach-"))
    _ocr_missing: list = field(default_factory=list)

    @classmethod
    def open(cls, *, office: bool = True, ocr: "bool | OcrSettings" = False) -> "Tools":
        settings = ocr if isinstance(ocr, OcrSettings) else (OcrSettings() if ocr else None)
        return cls(OfficeConverter() if office else None, settings)

    def signature(self) -> str:
        """Which reader with which tools: bytes read under another signature may be read again."""
        office = "office" if self.converter is not None and not self.converter.missing() else "no-office"
        ocr = f"ocr={self.ocr.languages}@{self.ocr.dpi}dpi/{self.ocr.max_pages}p" if self.ocr and \
            not self.ocr_missing() else "no-ocr"
        return f"{READER_VERSION};{office};{ocr}"

    def ocr_missing(self) -> str | None:
        if not self._ocr_missing:
            self._ocr_missing.append(ocr_missing(self.ocr) if self.ocr else "OCR (off: turn it on with --ocr)")
        return self._ocr_missing[0]

    def close(self) -> None:
        if self.converter is not None:
            self.converter.close()
        shutil.rmtree(self.scratch, ignore_errors=True)

    def __enter__(self) -> "Tools":
        return self

    def __exit__(self, *exc) -> None:
        self.close()


class LimitExceeded(ValueError):
    """The file is over one of the limits above: status error, with this reason."""


def _version(module) -> str:
    return f"{module.__name__}/{getattr(module, '__version__', '?')}"


# -------------------------------------------------------------------- recognising the kind
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


def _declared_pages(reader) -> int:
    """The page count the PDF claims (/Root/Pages/Count): read before any page is touched."""
    try:
        return int(reader.trailer["/Root"]["/Pages"]["/Count"])
    except (KeyError, TypeError, ValueError):
        return len(reader.pages)


def _pdf(body: bytes, tools: Tools, depth: int) -> AttachmentText:
    import pypdf

    reader = pypdf.PdfReader(io.BytesIO(body))
    if reader.is_encrypted and not reader.decrypt(""):
        return AttachmentText("error", "pdf", extractor=_version(pypdf), reason="encrypted PDF (password needed)")
    declared = _declared_pages(reader)
    if declared > MAX_DECLARED_PAGES:
        raise LimitExceeded(f"the PDF claims {declared} pages, over the limit of {MAX_DECLARED_PAGES}")
    flags: list[str] = []
    pages = []
    for index in range(min(declared, MAX_PAGES)):
        try:
            pages.append(reader.pages[index])
        except IndexError:  # fewer pages than it claims
            break
    if declared > MAX_PAGES:
        flags.append("truncated")
    texts = [_tidy((page.extract_text() or "").splitlines()) for page in pages]
    scanned = [i for i, (t, page) in enumerate(zip(texts, pages))
               if len(re.sub(r"\s", "", t)) < SCANNED_CHARS_PER_PAGE and _page_has_images(page)]
    got = AttachmentText("ok", "pdf", "", _version(pypdf), len(pages) if declared > len(pages) else declared)
    if scanned:
        flags.append("scanned_pdf")
        if tools.ocr is not None and not tools.ocr_missing():
            return _pdf_ocr(body, texts, scanned, flags, got, tools)
    text = _clip(_tidy(texts), flags)
    visible = len(re.sub(r"\s", "", text))
    if visible < SCANNED_CHARS_PER_PAGE * max(1, len(pages)) and scanned:
        return replace(got, status="no_text", text=text, flags=tuple(flags),
                       reason=f"images only: a scanned PDF needs {tools.ocr_missing()}")
    if not visible:
        return replace(got, status="no_text", flags=tuple(flags), reason="no text in the PDF")
    return replace(got, text=text, flags=tuple(flags))


def _pdf_ocr(body: bytes, texts: list[str], scanned: list[int], flags: list[str], got: AttachmentText,
             tools: Tools) -> AttachmentText:
    """Fill the scanned pages' text in by OCR, up to the settings' page and time budget."""
    settings = tools.ocr
    path = os.path.join(tools.scratch, "scan.pdf")
    with open(path, "wb") as f:
        f.write(body)
    read: list[tuple[int, str, float | None]] = []
    deadline = time.monotonic() + settings.total_seconds
    try:
        for index in scanned[:settings.max_pages]:
            if time.monotonic() > deadline:
                break
            page = ocr_image(pdf_page_png(path, index + 1, settings, tools.scratch), settings, tools.scratch,
                             settings.dpi)
            texts[index] = page.text
            read.append((index + 1, page.text, page.confidence))
    finally:
        os.unlink(path)
    return _with_ocr(got, _tidy(texts), read, len(scanned), flags, "scanned pages")


def _with_ocr(got: AttachmentText, text: str, read: list, wanted: int, flags: list[str], what: str) -> AttachmentText:
    """The outcome once some pages were read by OCR: flag ``ocr``, the mean confidence, and
    ``ocr_truncated`` with a reason when the page or time budget stopped it."""
    flags.append("ocr")
    reason = None
    if len(read) < wanted:
        flags.append("ocr_truncated")
        reason = f"OCR read {len(read)} of {wanted} {what} (page or time limit)"
    weights = [(len(t), c) for _, t, c in read if c is not None and t]
    confidence = round(sum(n * c for n, c in weights) / sum(n for n, _ in weights), 1) if weights else None
    text = _clip(text, flags)
    status = "ok" if re.sub(r"\s", "", text) else "no_text"
    return replace(got, status=status, text=text, flags=tuple(flags), reason=reason or (
        None if status == "ok" else "OCR found no text"), confidence=confidence,
        extractor=(got.extractor + "+" if got.extractor else "") + "tesseract",
        page_confidence=tuple((n, c) for n, _, c in read))


def _image(kind: str):
    def read(body: bytes, tools: Tools, depth: int) -> AttachmentText:
        missing = tools.ocr_missing()
        if missing:
            return AttachmentText("unsupported", kind, reason=f"needs {missing}: an image has no text layer")
        frames, total, dpi = image_frames_png(body, tools.ocr.max_pages)
        read, texts, deadline = [], [], time.monotonic() + tools.ocr.total_seconds
        for number, png in enumerate(frames, 1):
            if time.monotonic() > deadline:
                break
            page = ocr_image(png, tools.ocr, tools.scratch, dpi)
            texts.append(page.text)
            read.append((number, page.text, page.confidence))
        got = AttachmentText("ok", kind, pages=total)
        return _with_ocr(got, _tidy(texts), read, total, [], "pages")
    return read


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


def _docx(body: bytes, tools: Tools = None, depth: int = 0) -> AttachmentText:
    root = etree.fromstring(_read_part(_open_zip(body), "word/document.xml"), _XML)
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


def _xlsx(body: bytes, tools: Tools = None, depth: int = 0) -> AttachmentText:
    import openpyxl

    _open_zip(body)  # the limits first: openpyxl unpacks what it is given
    book = openpyxl.load_workbook(io.BytesIO(body), read_only=True, data_only=True)
    try:
        lines = [line for ws in book.worksheets for line in _sheet_text(ws.title, ws.iter_rows(values_only=True))]
        sheets = len(book.worksheets)
    finally:
        book.close()
    flags: list[str] = []
    return AttachmentText("ok", "xlsx", _clip(_tidy(lines), flags), _version(openpyxl), sheets, tuple(flags))


def _xls(body: bytes, tools: Tools = None, depth: int = 0) -> AttachmentText:
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


def _inside(path: str) -> str:
    """A path named inside an OFD, normalised; one that climbs out of the package is refused."""
    path = normpath(path.lstrip("/"))
    if path.startswith("..") or path.startswith("/"):
        raise LimitExceeded(f"the OFD names a part outside itself: {path[:80]!r}")
    return path


def _ofd(body: bytes, tools: Tools = None, depth: int = 0) -> AttachmentText:
    archive = _open_zip(body)
    entry = etree.fromstring(_read_part(archive, "OFD.xml"), _XML)
    doc_root = _inside(next((el.text or "").strip() for el in entry.iter() if _local(el) == "DocRoot"))
    document = etree.fromstring(_read_part(archive, doc_root), _XML)
    base = dirname(doc_root)
    pages = [el.get("BaseLoc") for el in document.iter() if _local(el) == "Page" and el.get("BaseLoc")]
    lines: list[str] = []
    for loc in pages[:MAX_PAGES]:
        path = _inside(loc) if loc.startswith("/") else _inside(join(base, loc))
        lines += _ofd_page_lines(_read_part(archive, path))
    flags = ["truncated"] if len(pages) > MAX_PAGES else []
    text = _clip(_tidy(lines), flags)
    status = "ok" if text else "no_text"
    if not text:
        flags.append("scanned_ofd")
    return AttachmentText(status, "ofd", text, "ofd-xml (lxml)", len(pages), tuple(flags),
                          None if text else "no text objects: a scanned OFD needs OCR")


def _txt(body: bytes, tools: Tools = None, depth: int = 0) -> AttachmentText:
    decoded = decode_bytes(body, None)
    flags = ["undecodable_bytes"] if decoded.undecodable else []
    return AttachmentText("ok", "txt", _clip(decoded.text.strip(), flags), f"guifan-decode ({decoded.encoding})",
                          None, tuple(flags))


# ---------------------------------------------------------------- ZIP containers, safely
def _open_zip(body: bytes) -> zipfile.ZipFile:
    """The ZIP, once its directory passes the limits (members, declared sizes, ratio)."""
    archive = zipfile.ZipFile(io.BytesIO(body))
    infos = archive.infolist()
    if len(infos) > MAX_MEMBERS:
        raise LimitExceeded(f"{len(infos)} files inside, over the limit of {MAX_MEMBERS}")
    unpacked = sum(i.file_size for i in infos)
    packed = max(1, sum(i.compress_size for i in infos))
    if unpacked > MAX_UNPACKED_BYTES:
        raise LimitExceeded(f"unpacks to {unpacked >> 20} MiB, over the limit of {MAX_UNPACKED_BYTES >> 20} MiB")
    if unpacked > 10 * 1024 * 1024 and unpacked / packed > MAX_RATIO:
        raise LimitExceeded(f"a decompression bomb: {packed >> 10} KiB unpack to {unpacked >> 20} MiB")
    return archive


def _read_part(archive: zipfile.ZipFile, name: str) -> bytes:
    """One part, read no further than its limit whatever its header claims."""
    info = archive.getinfo(name)
    if info.file_size > MAX_PART_BYTES:
        raise LimitExceeded(f"{name} unpacks to {info.file_size >> 20} MiB, over the limit of "
                            f"{MAX_PART_BYTES >> 20} MiB")
    with archive.open(info) as stream:
        data = stream.read(MAX_PART_BYTES + 1)
    if len(data) > MAX_PART_BYTES:
        raise LimitExceeded(f"{name} unpacks to more than its header says: a decompression bomb")
    return data


def member_name(info: zipfile.ZipInfo) -> str:
    """The member's name as its maker wrote it: Chinese names without the UTF-8 flag are GBK."""
    if info.flag_bits & 0x800:
        return info.filename
    try:
        return info.filename.encode("cp437").decode("gb18030")
    except (UnicodeEncodeError, UnicodeDecodeError):
        return info.filename


def _unsafe(name: str) -> bool:
    """A name that would climb out of a folder it was unpacked into (zip-slip)."""
    parts = name.replace("\\", "/").split("/")
    return name.startswith(("/", "\\")) or ".." in parts or bool(re.match(r"^[A-Za-z]:", name))


def _zip(body: bytes, tools: Tools, depth: int) -> AttachmentText:
    """Each file of a ZIP read like an attachment of its own, marked with its name, in order."""
    if depth >= ZIP_DEPTH:
        return AttachmentText("unsupported", "zip", reason=f"a ZIP nested {depth} deep is not unpacked")
    archive = _open_zip(body)
    flags: list[str] = []
    parts: list[str] = []
    failed: list[str] = []     # "【name】 reason" of each member that is damaged, encrypted or a bomb
    for info in archive.infolist():
        name = member_name(info)
        if info.is_dir():
            continue
        if _unsafe(name):
            flags.append("unsafe_member_names")   # never followed: nothing is written under its name
            continue
        # A member over its part limit (or lying about its size) ends the whole ZIP: LimitExceeded.
        got = extract_attachment_text(_read_part(archive, info.filename), name, tools=tools, _depth=depth + 1)
        if got.text:
            parts.append(f"【{name}】\n{got.text}")
        if got.status == "error":
            failed.append(f"【{name}】{got.reason}")
        flags += [f for f in got.flags if f not in flags]
    if failed:
        flags.append("unreadable_members")
    text = _clip("\n".join(parts), flags)
    return AttachmentText("ok" if text else ("error" if failed else "no_text"), "zip", text, "zipfile",
                          len(archive.infolist()), tuple(dict.fromkeys(flags)), _zip_reason(text, failed))


def _zip_reason(text: str, failed: list[str]) -> str | None:
    """Why a ZIP gave no text, or which of its files could not be read."""
    if not failed:
        return None if text else "no file inside has text"
    more = f" (and {len(failed) - 1} more)" if len(failed) > 1 else ""
    what = f"{len(failed)} file(s) inside could not be read" if text else "no file inside could be read"
    return f"{what}: {failed[0]}{more}"[:300]


# ------------------------------------------------------------- through LibreOffice
def _converted(kind: str, reader):
    def read(body: bytes, tools: Tools, depth: int) -> AttachmentText:
        if kind in ("doc", "wps") and _word_encrypted(body):
            return AttachmentText("error", kind, reason="encrypted Word document (password needed)")
        missing = tools.converter.missing() if tools.converter is not None else "LibreOffice (no converter given)"
        if missing:
            if kind == "et":  # Kingsoft spreadsheets are BIFF8 underneath: xlrd may read them
                try:
                    return replace(_xls(body), kind="et")
                except Exception:  # noqa: BLE001 - then it really needs LibreOffice
                    pass
            return AttachmentText("unsupported", kind, reason=f"needs {missing}")
        converted = tools.converter.convert(body, kind)
        got = reader(converted)
        return replace(got, kind=kind, extractor=f"libreoffice+{got.extractor}",
                       flags=tuple(got.flags) + ("converted",))
    return read


def _word_encrypted(body: bytes) -> bool:
    """The FIB's fEncrypted bit (MS-DOC 2.5.2: wIdent 0xA5EC, then bit 8 of the flags word at 0x0A)."""
    import olefile

    try:
        with olefile.OleFileIO(io.BytesIO(body)) as ole:
            fib = ole.openstream("WordDocument").read(12)
        return (len(fib) >= 12 and struct.unpack_from("<H", fib, 0)[0] == 0xA5EC
                and bool(struct.unpack_from("<H", fib, 0x0A)[0] & 0x0100))
    except Exception:  # noqa: BLE001 - a damaged file: LibreOffice will say so
        return False


READERS = {"pdf": _pdf, "docx": _docx, "xlsx": _xlsx, "xls": _xls, "ofd": _ofd, "txt": _txt, "zip": _zip,
           "doc": _converted("doc", _docx), "wps": _converted("wps", _docx), "rtf": _converted("rtf", _docx),
           "et": _converted("et", _xlsx), "png": _image("png"), "jpeg": _image("jpeg"), "tiff": _image("tiff")}
UNSUPPORTED = {
    "rar": "a RAR archive: its files are not unpacked",
    "ole": "an OLE2 file that is neither a Word nor an Excel document",
    "unknown": "not a document kind guifan reads (PDF, DOC/DOCX, WPS, ET, XLS/XLSX, OFD, RTF, TXT, "
               "PNG/JPEG/TIFF, ZIP)",
}
ERRORS = {"encrypted_ooxml": "encrypted Office document (password needed)",
          "ole_damaged": "a damaged OLE2 file (DOC, XLS, WPS, ET …): its directory cannot be read"}


def extract_attachment_text(body: bytes, filename: str = "", content_type: str = "", tools: Tools | None = None,
                            *, _depth: int = 0) -> AttachmentText:
    """The text of an attachment, or a clear outcome saying why there is none.

    Without `tools`, nothing outside Python runs: DOC/WPS/ET/RTF and images are
    ``unsupported`` (needs LibreOffice / OCR) and scanned PDFs ``no_text``.
    """
    if not body:
        return AttachmentText("error", "unknown", reason="empty file")
    kind = sniff_kind(bytes(body), filename, content_type.lower())
    if len(body) > MAX_BYTES:
        return AttachmentText("error", kind, reason=f"{len(body) >> 20} MiB, over the limit of {MAX_BYTES >> 20} MiB")
    if kind in ERRORS:
        return AttachmentText("error", kind, reason=ERRORS[kind])
    reader = READERS.get(kind)
    if reader is None:
        return AttachmentText("unsupported", kind, reason=UNSUPPORTED.get(kind, UNSUPPORTED["unknown"]))
    own = tools is None
    tools = tools or Tools()
    try:
        return reader(bytes(body), tools, _depth)
    except (LimitExceeded, ConversionFailed, ToolFailed) as exc:
        return AttachmentText("error", kind, reason=str(exc)[:300])
    except ToolMissing as exc:
        return AttachmentText("unsupported", kind, reason=f"needs {exc}")
    except Exception as exc:  # noqa: BLE001 - damaged files of every kind: report, never raise
        return AttachmentText("error", kind, reason=f"cannot read the {kind.upper()}: {type(exc).__name__}: {exc}"[:300])
    finally:
        if own:
            tools.close()
