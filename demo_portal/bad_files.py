"""demo-kanxi (坎溪县): a small TRS-style site whose attachments include bad files (issue 13).

Ten documents in one column (规范性文件), each a cover page over one attachment. Bad files sit
between good ones, so a crawl that stops or stalls at a bad file leaves good text unread:

==============  =====  ==========================================================================
key             file   what it is (all made here, deterministically, when first requested)
==============  =====  ==========================================================================
good-docx       docx   a born-digital 登记表 (the control case)
corrupt-doc     doc    the demo's Word 97 file with its OLE header intact and the rest garbage
good-doc        doc    the same Word 97 file undamaged (LibreOffice must go on after the bad one)
encrypted-pdf   pdf    a text PDF encrypted with a user password (RC4-128)
good-pdf        pdf    a text PDF (STSong-Light)
scan-300        pdf    a 300-page image-only scan (JPEG pages, ~8 MB)
docx-bomb       docx   a DOCX whose document.xml is 90 MiB of paragraphs packed into ~100 KiB
pdf-10000       pdf    one real page in a page tree whose /Count claims 10,000 pages
zip-bomb        zip    16 ZIPs inside a ZIP, each of 90 MiB of zeros packed into ~90 KiB (1.4 GiB)
good-zip        zip    a DOCX and a GB18030 TXT in a ZIP
==============  =====  ==========================================================================

`OUTCOMES` is what reading each must give (status, flags, words of the reason): the crawl
test and docs/attachments.md hold the crawl to it.
"""
from __future__ import annotations

import dataclasses
import datetime as dt
import hashlib
import io
import random
import zipfile
from functools import lru_cache

from . import attachment_site
from . import files
from . import textgen as tg
from .catalog import Entry, _make_entry
from .world import SITE_OBJECTS

SITE_NAME = "demo-kanxi"
# (key, file extension), in the order the list shows them (newest first)
DOCUMENTS = (("good-docx", "docx"), ("corrupt-doc", "doc"), ("good-doc", "doc"), ("encrypted-pdf", "pdf"),
             ("good-pdf", "pdf"), ("scan-300", "pdf"), ("docx-bomb", "docx"), ("pdf-10000", "pdf"),
             ("zip-bomb", "zip"), ("good-zip", "zip"))
CONTENT_TYPES = {"doc": "application/msword", "pdf": "application/pdf", "zip": "application/zip",
                 "docx": files.CONTENT_TYPES_BY_EXT["docx"]}
# key -> (status, flags it must carry, words its reason must contain)
OUTCOMES = {
    "corrupt-doc": ("error", (), "LibreOffice"),
    "encrypted-pdf": ("error", (), "password needed"),
    "scan-300": ("ok", ("scanned_pdf", "ocr", "ocr_truncated"), "of 300 scanned pages"),
    "docx-bomb": ("error", (), "decompression bomb"),
    "pdf-10000": ("error", (), "claims 10000 pages"),
    "zip-bomb": ("error", ("unreadable_members",), "decompression bomb"),
}
GOOD = tuple(k for k, _ in DOCUMENTS if k.startswith("good-"))
SCAN_PAGES = 300
BOMB_MIB = 90            # under the 100 MiB part limit: refused for its ratio, not its size
NESTED_BOMBS = 16


def site():
    return SITE_OBJECTS[SITE_NAME]


@dataclasses.dataclass(frozen=True)
class BadFileDoc:
    entry: Entry
    kind: str            # the key in DOCUMENTS
    ext: str
    name: str            # the attachment's link text
    path: str
    lines: tuple[str, ...]    # a good file's text (what reading it must give back); () for bad ones


@lru_cache(maxsize=1)
def documents() -> tuple[BadFileDoc, ...]:
    s = site()
    column = s.columns[0]
    out = []
    for n, (key, ext) in enumerate(DOCUMENTS):
        published = dt.date(2024, 3, 14) - dt.timedelta(days=2 * n)
        entry = _make_entry(s, column, published, 990_000 + 7 * n, None, key)
        out.append(_cover(entry, key, ext, random.Random(key)))
    return tuple(out)


def _cover(entry: Entry, key: str, ext: str, rng: random.Random) -> BadFileDoc:
    """The document as a cover page over its one attachment (as on demo-xiage)."""
    d = entry.doc
    lines = _good_lines(key, d.title)
    title = lines[0] if key == "good-doc" else d.title      # the committed DOC says what it says
    stamp = f"P0{d.published_date.replace('-', '')}{rng.randrange(10**11, 10**12)}"
    path = d.path.rsplit("/", 1)[0] + f"/{stamp}.{ext}"
    name = f"附件：{title}.{ext}"
    entry.blocks = [tg._p(f"《{d.title}》已经县人民政府研究同意，现予公布。{attachment_site.COVER}")]
    entry.layout = "table"
    entry.refresh_paragraphs()
    d.attachments = [(name, path)]
    entry.attachment_kinds = [ext]
    return BadFileDoc(entry, key, ext, name, path, lines)


def _good_lines(key: str, title: str) -> tuple[str, ...]:
    if key == "good-doc":
        return next(d for d in attachment_site.documents() if d.kind == "doc").lines
    if key in ("good-docx", "good-pdf"):
        return (title, *files.form_paragraphs(title))
    if key == "good-zip":
        return (title, *files.form_paragraphs(title), ZIP_NOTE)
    return ()


ZIP_NOTE = "填表说明：请于每季度末报送，电子版与纸质版一并提交。"


def by_path() -> dict[str, BadFileDoc]:
    return {a.path: a for a in documents()}


def doc_of(key: str) -> BadFileDoc:
    return next(d for d in documents() if d.kind == key)


# --- the files -----------------------------------------------------------------------------

@lru_cache(maxsize=16)
def attachment_bytes(path: str) -> bytes:
    """The file's bytes (the same every day)."""
    doc = by_path()[path]
    return MAKERS[doc.kind](doc)


def _good_docx(doc: BadFileDoc) -> bytes:
    return files.make_docx(doc.lines[0], list(doc.lines[1:]))


def _good_pdf(doc: BadFileDoc) -> bytes:
    return files.make_pdf(doc.lines[0], list(doc.lines[1:]))


def _office_doc() -> bytes:
    return (attachment_site.OFFICE_DIR / "doc.doc").read_bytes()


def _corrupt_doc(doc: BadFileDoc) -> bytes:
    return _office_doc()[:4096] + bytes(range(256)) * 16      # OLE header intact, the rest garbage


def _encrypted_pdf(doc: BadFileDoc) -> bytes:
    import pypdf
    from pypdf.generic import ArrayObject, ByteStringObject

    writer = pypdf.PdfWriter(clone_from=io.BytesIO(files.make_pdf(doc.entry.doc.title, files.form_paragraphs("表"))))
    # A fixed file identifier: the RC4 key derives from it, and pypdf would draw it at random.
    fixed = ByteStringObject(hashlib.md5(doc.path.encode()).digest())
    writer._ID = ArrayObject((fixed, fixed))
    writer.encrypt(user_password="kanxi2024", algorithm="RC4-128")
    writer._ID = ArrayObject((fixed, fixed))
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


def scan_line(page: int) -> str:
    return f"第{page}页　本规范性文件自印发之日起施行。"


def _scan_300(doc: BadFileDoc) -> bytes:
    """300 grey A4 pages at 100 dpi, three printed lines each, as JPEG images in a PDF with no
    text layer. Each page is encoded as soon as it is drawn: 300 page images at once would
    hold 290 MB in the demo server."""
    from PIL import Image, ImageDraw, ImageFont

    face = attachment_site.font_file()
    if face is None:
        raise FileNotFoundError("no Noto CJK font (Debian: fonts-noto-cjk) to render the demo scans")
    font = ImageFont.truetype(face, 22, index=attachment_site.FONT_SC)     # 三号 on A4 at 100 dpi
    size, points = (827, 1169), (595.44, 841.68)
    kids = " ".join(f"{3 + 3 * n} 0 R" for n in range(SCAN_PAGES))
    objects = [b"<< /Type /Catalog /Pages 2 0 R >>", f"<< /Type /Pages /Kids [{kids}] /Count {SCAN_PAGES} >>".encode()]
    for n in range(1, SCAN_PAGES + 1):
        page = Image.new("L", size, 255)
        draw = ImageDraw.Draw(page)
        for line in range(3):
            draw.text((95, 110 + 38 * line), scan_line(n), font=font, fill=0)
        jpeg = io.BytesIO()
        page.save(jpeg, "JPEG", quality=75)
        first = 3 + 3 * (n - 1)
        objects += [f"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 {points[0]} {points[1]}] /Resources "
                    f"<< /XObject << /Im0 {first + 2} 0 R >> >> /Contents {first + 1} 0 R >>".encode(),
                    files._stream(f"q {points[0]} 0 0 {points[1]} 0 0 cm /Im0 Do Q".encode()),
                    files._stream(jpeg.getvalue(), f" /Type /XObject /Subtype /Image /Width {size[0]} /Height {size[1]}"
                                  " /ColorSpace /DeviceGray /BitsPerComponent 8 /Filter /DCTDecode")]
    return files.pdf_from_objects(objects)


def _zip_of(members: list[tuple[str, bytes]], compress: int = zipfile.ZIP_DEFLATED) -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as zf:
        for name, data in members:
            info = zipfile.ZipInfo(name, date_time=(2024, 3, 1, 0, 0, 0))   # fixed: same bytes every run
            info.compress_type = compress
            zf.writestr(info, data)
    return out.getvalue()


def _streamed_zip(name: str, chunk: bytes, mib: int, head: bytes = b"", tail: bytes = b"",
                  others: tuple = ()) -> bytes:
    """`others` and one member of `mib` MiB of `chunk` repeated, compressed as it is written."""
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as zf:
        for other, data in others:
            zf.writestr(zipfile.ZipInfo(other, date_time=(2024, 3, 1, 0, 0, 0)), data, zipfile.ZIP_DEFLATED)
        info = zipfile.ZipInfo(name, date_time=(2024, 3, 1, 0, 0, 0))
        info.compress_type = zipfile.ZIP_DEFLATED
        with zf.open(info, "w") as member:
            member.write(head)
            block = chunk * ((1 << 20) // len(chunk))
            for _ in range(mib):
                member.write(block)
            member.write(tail)
    return out.getvalue()


def _docx_bomb(doc: BadFileDoc) -> bytes:
    """A DOCX whose document.xml is 90 MiB of one repeated paragraph (~1000:1)."""
    head = (f'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n<w:document xmlns:w="{files.W_NS}">'
            f'<w:body>').encode()
    paragraph = "<w:p><w:r><w:t>规</w:t></w:r></w:p>".encode()
    parts = (("[Content_Types].xml", files.CONTENT_TYPES.encode()), ("_rels/.rels", files.RELS.encode()))
    return _streamed_zip("word/document.xml", paragraph, BOMB_MIB, head, b"</w:body></w:document>", parts)


def _zip_bomb(doc: BadFileDoc) -> bytes:
    """16 ZIPs of 90 MiB of zeros each, stored (not compressed again) in one ZIP: 1.4 GiB in ~1.5 MB."""
    inner = _streamed_zip("附件.txt", b"\0", BOMB_MIB)
    return _zip_of([(f"第{n}部分.zip", inner) for n in range(1, NESTED_BOMBS + 1)], zipfile.ZIP_STORED)


def _good_zip(doc: BadFileDoc) -> bytes:
    docx = files.make_docx(doc.lines[0], list(doc.lines[1:-1]))
    return _zip_of([("登记表.docx", docx), ("填表说明.txt", ZIP_NOTE.encode("gb18030"))])


def _pdf_10000(doc: BadFileDoc) -> bytes:
    return pdf_claiming(10_000)


def pdf_claiming(pages: int) -> bytes:
    """One real page in a page tree whose /Count says `pages`."""
    objects = [b"<< /Type /Catalog /Pages 2 0 R >>",
               f"<< /Type /Pages /Kids [3 0 R] /Count {pages} >>".encode(),
               b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 200 200] >>"]
    return files.pdf_from_objects(objects)


MAKERS = {"good-docx": _good_docx, "corrupt-doc": _corrupt_doc, "good-doc": lambda d: _office_doc(),
          "encrypted-pdf": _encrypted_pdf, "good-pdf": _good_pdf, "scan-300": _scan_300,
          "docx-bomb": _docx_bomb, "pdf-10000": _pdf_10000, "zip-bomb": _zip_bomb, "good-zip": _good_zip}
