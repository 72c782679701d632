"""demo-xiage (夏阁县): a small TRS-style site whose documents ARE their attachments (issue 13).

This module makes the documents and their files; `templates/attachments.py` serves them.

Six documents in one column (规范性文件), each a cover page (``内容详见附件。``, or one line
of transmittal) over one attachment that holds the document itself:

=====  ==========================================================================
kind   how the file is made (always from the catalog's text generator, fixed seeds)
=====  ==========================================================================
doc    Word 97 binary: DOCX written here, converted by LibreOffice (committed, below)
wps    Kingsoft WPS text: the same Word 97 binary format WPS Office writes (committed)
et     Kingsoft ET sheet: BIFF8, converted by LibreOffice from an XLSX (committed)
pdf    a scanned 公文: pages rendered with Noto CJK by Pillow, with scanner noise, saved
       as an image-only PDF (no text layer) — made when first requested
png    one scanned page of a repeal decision as a PNG — made when first requested
docx   a born-digital DOCX beside a normal body (the control case)
=====  ==========================================================================

Why the DOC/WPS/ET binaries are committed (``data/office/``, a few KB each) and not made at
build time: LibreOffice is then needed only to *read* them (the feature under test), not to
serve the demo, and their bytes — hence their sha256 in an archive — are the same on every
machine. ``python -m guifan.demo_portal.attachment_site --rebuild`` regenerates them (needs
LibreOffice) from the same seeds; tests check their text equals `source_text()`.
The scans are rendered on demand instead (Pillow is a dependency; the font is Debian's
fonts-noto-cjk) because a page image is ~100 KB and is deterministic for one Pillow/font.
"""
from __future__ import annotations

import dataclasses
import datetime as dt
import io
import random
import subprocess
import sys
import tempfile
import time
from functools import lru_cache
from pathlib import Path

from . import files
from . import textgen as tg
from .catalog import Entry, _make_entry
from .world import SITE_OBJECTS

SITE_NAME = "demo-xiage"
OFFICE_DIR = Path(__file__).with_name("data") / "office"
COVER = "内容详见附件。"
# (attachment kind, seed tag, does the page say only 内容详见附件)
# The scans' pages say a little more than 内容详见附件: with a one-line body the metadata box
# outweighs it in the extractor's body locator on these two pages (see docs/attachments.md).
DOCUMENTS = (("doc", "office-doc", True), ("wps", "office-wps", True), ("et", "office-et", False),
             ("pdf", "scan-pdf", False), ("png", "scan-png", False), ("docx", "office-docx", False))
CONTENT_TYPES = {"doc": "application/msword", "wps": "application/kswps", "et": "application/kset",
                 "pdf": "application/pdf", "png": "image/png",
                 "docx": files.CONTENT_TYPES_BY_EXT["docx"]}
FONT_FILES = ("/usr/share/fonts/opentype/noto/NotoSerifCJK-Regular.ttc",
              "/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc")
FONT_SC = 2                     # index of the Simplified Chinese face in the Noto CJK collections
SCAN_DPI = 200
PAGE_PX = (1654, 2339)          # A4 at 200 dpi
LINE_CHARS = 28
LINE_STEP = 76                  # 44 px characters: 三号 (16 pt), the size 公文 are printed in, at 200 dpi


def site():
    return SITE_OBJECTS[SITE_NAME]


# --- the documents -------------------------------------------------------------------------

@dataclasses.dataclass(frozen=True)
class AttachmentDoc:
    entry: Entry
    kind: str
    name: str           # the attachment's link text
    path: str
    lines: tuple[str, ...]    # the attachment's text: what reading it must give back


@lru_cache(maxsize=1)
def documents() -> tuple[AttachmentDoc, ...]:
    s = site()
    column = s.columns[0]
    out = []
    for n, (kind, tag, cover_only) in enumerate(DOCUMENTS):
        published = dt.date(2024, 3, 12) - dt.timedelta(days=3 * n)
        entry = _make_entry(s, column, published, 880_000 + 7 * n, None, tag)
        out.append(_as_attachment(entry, kind, cover_only, random.Random(tag)))
    return tuple(out)


def _as_attachment(entry: Entry, kind: str, cover_only: bool, rng: random.Random) -> AttachmentDoc:
    d = entry.doc
    text_lines = [d.title] + [p for p in d.paragraphs if p.strip()]
    if kind == "et":
        table = tg._table(rng)
        text_lines = [f"[{d.title[:20]}]"] + ["\t".join(r) for r in table.rows]
    if kind == "docx":
        text_lines = [d.title] + files.form_paragraphs(d.title)
    stamp = f"P0{d.published_date.replace('-', '')}{rng.randrange(10**11, 10**12)}"
    path = d.path.rsplit("/", 1)[0] + f"/{stamp}.{kind}"
    name = f"附件：{d.title}.{kind}"
    line = f"现将《{d.title}》印发给你们，请认真贯彻执行。" if kind in ("et", "docx") else \
        f"《{d.title}》已经县人民政府研究同意，现予公布。{COVER}"
    body = [tg._p(COVER)] if cover_only else [tg._p(line)]
    entry.blocks = body
    entry.layout = "table"          # the metadata box as a table: the list form outweighs a one-line body
    entry.refresh_paragraphs()
    d.attachments = [(name, path)]
    entry.attachment_kinds = [kind]
    return AttachmentDoc(entry, kind, name, path, tuple(text_lines))


def source_text(kind: str) -> str:
    """What the attachment of that kind says, line by line (the ground truth for its text)."""
    return "\n".join(next(a for a in documents() if a.kind == kind).lines)


def by_path() -> dict[str, AttachmentDoc]:
    return {a.path: a for a in documents()}


# --- the files -----------------------------------------------------------------------------

def office_source(doc: AttachmentDoc) -> tuple[bytes, str]:
    """The OOXML a binary is converted from: DOCX paragraphs, or an XLSX sheet."""
    if doc.kind == "et":
        import openpyxl

        book = openpyxl.Workbook()
        sheet = book.active
        sheet.title = doc.lines[0].strip("[]")
        for line in doc.lines[1:]:
            sheet.append(line.split("\t"))
        book.properties.created = book.properties.modified = dt.datetime(2024, 3, 1)
        out = io.BytesIO()
        book.save(out)
        return out.getvalue(), "xlsx"
    return files.make_docx(doc.lines[0], list(doc.lines[1:])), "docx"


def rebuild_office_files() -> list[Path]:
    """Write data/office/<kind>.<kind> from the catalog text through LibreOffice."""
    OFFICE_DIR.mkdir(parents=True, exist_ok=True)
    written = []
    with tempfile.TemporaryDirectory() as work:
        for doc in (d for d in documents() if d.kind in ("doc", "wps", "et")):
            data, ext = office_source(doc)
            src = Path(work) / f"{doc.kind}.{ext}"
            src.write_bytes(data)
            target = "xls:MS Excel 97" if doc.kind == "et" else "doc:MS Word 97"
            subprocess.run(["soffice", "--headless", f"-env:UserInstallation=file://{work}/profile",
                            "--convert-to", target, "--outdir", work, str(src)], check=True, capture_output=True)
            out = OFFICE_DIR / f"{doc.kind}.{doc.kind}"
            out.write_bytes((Path(work) / f"{doc.kind}.{target[:3]}").read_bytes())
            written.append(out)
    return written


def font_file() -> str | None:
    return next((f for f in FONT_FILES if Path(f).is_file()), None)


def _wrap(text: str, width: int) -> list[str]:
    return [text[i:i + width] for i in range(0, len(text), width)] or [""]


def layout(doc: AttachmentDoc, pages_at_most: int) -> list[list[tuple[bool, str]]]:
    """The lines of each page as printed: (is the red header, text), wrapped at LINE_CHARS."""
    lines = [(True, f"{site().county}人民政府文件")] + [(False, x) for line in doc.lines for x in _wrap(line, LINE_CHARS)]
    pages: list[list[tuple[bool, str]]] = []
    y = PAGE_PX[1]
    for head, text in lines:
        if y > PAGE_PX[1] - 260:
            if len(pages) == pages_at_most:
                break
            pages.append([])
            y = 220
        pages[-1].append((head, text))
        y += 110 if head else LINE_STEP
    return pages


def render_pages(doc: AttachmentDoc, pages_at_most: int) -> list:
    """The 公文 as printed and scanned: grey A4 pages, a header line, slight tilt and specks."""
    from PIL import Image, ImageDraw, ImageFont

    face = font_file()
    if face is None:
        raise FileNotFoundError("no Noto CJK font (Debian: fonts-noto-cjk) to render the demo scans")
    fonts = {True: ImageFont.truetype(face, 64, index=FONT_SC), False: ImageFont.truetype(face, 44, index=FONT_SC)}
    rng = random.Random(doc.path)
    out = []
    for lines in layout(doc, pages_at_most):
        page = Image.new("L", PAGE_PX, 255)
        draw, y = ImageDraw.Draw(page), 220
        for head, text in lines:
            draw.text((190, y), text, font=fonts[head], fill=40)
            y += 110 if head else LINE_STEP
        out.append(as_scanned(page, rng))
    return out


def as_scanned(page, rng: random.Random):
    """A clean grey page as a flatbed scan gives it back: dust and toner specks, a tilt of at most
    0.4 degrees, a slight blur. Deterministic for one rng seed (the demo scans and the benchmark's
    rasterised pages, benchmarks/attachment_bench.py, use it)."""
    from PIL import Image, ImageFilter

    for _ in range(1500):                             # dust and toner specks
        page.putpixel((rng.randrange(page.size[0]), rng.randrange(page.size[1])), rng.randrange(0, 160))
    page = page.rotate(rng.uniform(-0.4, 0.4), resample=Image.BICUBIC, fillcolor=255)
    return page.filter(ImageFilter.GaussianBlur(0.5))


def scan_pages(doc: AttachmentDoc) -> int:
    return 1 if doc.kind == "png" else 4


def scan_text(doc: AttachmentDoc) -> list[str]:
    """The text on each rendered page (the ground truth for OCR)."""
    return ["\n".join(text for _, text in page) for page in layout(doc, scan_pages(doc))]


# From day 2 the DOCX form has one more line: the attachment changes, its page does not.
REVISED_LINE = "（2024年3月16日修订：增加联系电话栏。）"


def revised(doc: AttachmentDoc, day: int) -> AttachmentDoc:
    if doc.kind == "docx" and day >= 2:
        return dataclasses.replace(doc, lines=doc.lines + (REVISED_LINE,))
    return doc


@lru_cache(maxsize=16)
def attachment_bytes(path: str, day: int = 1) -> bytes:
    doc = revised(by_path()[path], day)
    if doc.kind in ("doc", "wps", "et"):
        return (OFFICE_DIR / f"{doc.kind}.{doc.kind}").read_bytes()
    if doc.kind == "docx":
        return office_source(doc)[0]
    pages = render_pages(doc, scan_pages(doc))
    out = io.BytesIO()
    if doc.kind == "png":
        pages[0].save(out, "PNG", dpi=(SCAN_DPI, SCAN_DPI))
    else:
        fixed = time.gmtime(1709251200)   # 2024-03-01; Pillow writes the time of saving otherwise
        pages[0].save(out, "PDF", resolution=SCAN_DPI, save_all=True, append_images=pages[1:],
                      creationDate=fixed, modDate=fixed)
    return out.getvalue()


if __name__ == "__main__":
    if sys.argv[1:] == ["--rebuild"]:
        for written in rebuild_office_files():
            print(written)
    else:
        print("usage: python -m guifan.demo_portal.attachment_site --rebuild", file=sys.stderr)
        sys.exit(2)
