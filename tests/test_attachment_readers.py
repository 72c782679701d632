"""Reading the attachments county portals publish instead of a body: DOC, WPS and ET through
one LibreOffice, scans through Tesseract, and bad files (corrupt, encrypted, bombs, page-count
lies, a 300-page scan) each with a clear outcome. Real LibreOffice and Tesseract: tests that
need one skip, saying which, where it is not installed."""
from __future__ import annotations

import io
import re
import time
import unicodedata
import zipfile

import pytest

from guifan.demo_portal import attachment_site as demo
from guifan.demo_portal import bad_files
from guifan.parsers.attachment_text import MAX_DECLARED_PAGES, Tools, extract_attachment_text
from guifan.parsers.ocr import OcrSettings, ocr_missing
from guifan.parsers.office_convert import OfficeConverter

needs_office = pytest.mark.skipif(OfficeConverter().missing() is not None,
                                  reason=f"needs {OfficeConverter().missing()}")
needs_ocr = pytest.mark.skipif(ocr_missing(OcrSettings()) is not None or demo.font_file() is None,
                               reason="needs Tesseract with chi_sim and fonts-noto-cjk")


def doc_of(kind):
    return next(d for d in demo.documents() if d.kind == kind)


@pytest.fixture(scope="module")
def tools():
    with Tools.open(ocr=OcrSettings()) as t:
        yield t


def normalised(text: str) -> str:
    return re.sub(r"\s", "", unicodedata.normalize("NFKC", text))


def cer(gold: str, got: str) -> float:
    from benchmarks.attachment_bench import char_error_rate

    return char_error_rate(gold, got)


@needs_office
def test_doc_wps_et_text_equals_the_source_text_with_one_libreoffice(tools):
    for kind in ("doc", "wps", "et"):
        doc = doc_of(kind)
        got = extract_attachment_text(demo.attachment_bytes(doc.path), doc.path.rsplit("/", 1)[1], tools=tools)
        assert (got.status, got.kind) == ("ok", kind), got.reason
        assert got.text == demo.source_text(kind)
        assert "converted" in got.flags and got.extractor.startswith("libreoffice+")
    assert tools.converter.starts == 1 and tools.converter.converted == 3   # started once, reused


def test_without_libreoffice_the_outcome_says_what_is_needed(monkeypatch):
    monkeypatch.setenv("GUIFAN_SOFFICE", "/nonexistent/soffice")
    with Tools.open() as t:
        got = extract_attachment_text(demo.attachment_bytes(doc_of("doc").path), "附件.doc", tools=t)
    assert got.status == "unsupported" and got.reason.startswith("needs LibreOffice")


@needs_ocr
@pytest.mark.parametrize("kind", ["pdf", "png"])
def test_scans_are_read_by_ocr_with_their_confidence(tools, kind):
    doc = doc_of(kind)
    got = extract_attachment_text(demo.attachment_bytes(doc.path), f"scan.{kind}", tools=tools)
    assert got.status == "ok" and "ocr" in got.flags
    assert ("scanned_pdf" in got.flags) == (kind == "pdf")
    assert 50 < got.confidence <= 100 and [n for n, _ in got.page_confidence] == [1]
    assert cer("".join(demo.scan_text(doc)), got.text) <= 0.03


def test_scans_without_ocr_are_flagged_not_read():
    with Tools.open(office=False, ocr=False) as t:
        got = extract_attachment_text(demo.attachment_bytes(doc_of("pdf").path), "scan.pdf", tools=t)
        png = extract_attachment_text(demo.attachment_bytes(doc_of("png").path), "scan.png", tools=t)
    assert (got.status, got.flags) == ("no_text", ("scanned_pdf",)) and "OCR" in got.reason
    assert png.status == "unsupported" and png.reason.startswith("needs OCR")


# -- bad input ---------------------------------------------------------------------------------

@needs_office
def test_a_corrupt_doc_is_an_error_and_the_converter_goes_on(tools):
    good = demo.attachment_bytes(doc_of("doc").path)
    corrupt = good[:4096] + bytes(range(256)) * 16            # OLE header intact, the rest garbage
    got = extract_attachment_text(corrupt, "坏.doc", tools=tools)
    assert got.status == "error" and got.kind == "doc" and got.reason
    again = extract_attachment_text(good, "好.doc", tools=tools)
    assert again.status == "ok" and again.text == demo.source_text("doc")


def test_an_encrypted_pdf_needs_its_password():
    import pypdf

    writer = pypdf.PdfWriter()
    writer.add_blank_page(200, 200)
    writer.encrypt(user_password="secret", algorithm="RC4-128")
    out = io.BytesIO()
    writer.write(out)
    got = extract_attachment_text(out.getvalue(), "加密.pdf")
    assert (got.status, got.kind) == ("error", "pdf") and "password" in got.reason


def test_a_pdf_claiming_10000_pages_is_refused_at_once():
    started = time.monotonic()
    got = extract_attachment_text(bad_files.pdf_claiming(10_000), "万页.pdf")
    assert (got.status, got.kind) == ("error", "pdf")
    assert "10000 pages" in got.reason and str(MAX_DECLARED_PAGES) in got.reason
    assert time.monotonic() - started < 5


@needs_ocr
def test_a_300_page_scan_is_read_up_to_the_page_limit(tmp_path):
    from PIL import Image, ImageDraw, ImageFont

    font = ImageFont.truetype(demo.font_file(), 22, index=demo.FONT_SC)    # 三号 on A4 at 100 dpi
    pages = []
    for n in range(300):
        page = Image.new("L", (827, 1169), 255)
        draw = ImageDraw.Draw(page)
        for line in range(3):
            draw.text((95, 110 + 38 * line), f"第{n + 1}页　本规范性文件自印发之日起施行。", font=font, fill=0)
        pages.append(page)
    out = io.BytesIO()
    pages[0].save(out, "PDF", resolution=100, save_all=True, append_images=pages[1:])
    with Tools.open(office=False, ocr=OcrSettings(max_pages=3, dpi=200)) as t:
        got = extract_attachment_text(out.getvalue(), "扫描件.pdf", tools=t)
    assert got.status == "ok" and got.pages == 300
    assert {"scanned_pdf", "ocr", "ocr_truncated"} <= set(got.flags) and "3 of 300" in got.reason
    assert [n for n, _ in got.page_confidence] == [1, 2, 3] and "规范性文件" in got.text


def test_a_zip_bomb_is_refused_before_unpacking():
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as zf:
        with zf.open("附件.txt", "w") as member:
            zero = bytes(1 << 20)
            for _ in range(400):                      # 400 MiB of zeros in about 400 KiB
                member.write(zero)
    got = extract_attachment_text(out.getvalue(), "附件.zip")
    assert (got.status, got.kind) == ("error", "zip") and "MiB" in got.reason


def test_a_zip_of_zip_bombs_is_an_error_naming_the_members():
    body = bad_files.attachment_bytes(bad_files.doc_of("zip-bomb").path)     # 16 × 90 MiB in ~1.5 MB
    started = time.monotonic()
    got = extract_attachment_text(body, "附件.zip")
    assert (got.status, got.kind, got.flags) == ("error", "zip", ("unreadable_members",))
    assert got.reason.startswith("no file inside could be read: 【第1部分.zip】a decompression bomb")
    assert got.reason.endswith(f"(and {bad_files.NESTED_BOMBS - 1} more)") and time.monotonic() - started < 5


def test_a_zip_with_one_bad_member_keeps_the_good_ones_and_says_which():
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as zf:
        zf.writestr("通知.docx", demo.office_source(doc_of("docx"))[0])
        zf.writestr("万页.pdf", bad_files.pdf_claiming(10_000))
    got = extract_attachment_text(out.getvalue(), "附件.zip")
    assert got.status == "ok" and demo.source_text("docx") in got.text and "unreadable_members" in got.flags
    assert got.reason == "1 file(s) inside could not be read: 【万页.pdf】the PDF claims 10000 pages, over the limit of 5000"


def test_zip_members_are_read_and_climbing_names_are_not_followed():
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as zf:
        zf.writestr("../../etc/cron.d/evil.txt", "不应读取".encode())
        zf.writestr("通知.docx", demo.office_source(doc_of("docx"))[0])
    got = extract_attachment_text(out.getvalue(), "附件.zip")
    assert got.status == "ok" and "unsafe_member_names" in got.flags
    assert got.text.startswith("【通知.docx】\n") and demo.source_text("docx") in got.text
    assert "不应读取" not in got.text


def test_an_image_claiming_ten_billion_pixels_is_refused():
    import struct
    import zlib

    ihdr = struct.pack(">IIBBBBB", 100_000, 100_000, 8, 0, 0, 0, 0)
    chunk = lambda kind, data: (struct.pack(">I", len(data)) + kind + data
                                + struct.pack(">I", zlib.crc32(kind + data)))
    png = b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", ihdr) + chunk(b"IDAT", zlib.compress(b"\0" * 100)) + chunk(b"IEND", b"")
    with Tools.open(office=False, ocr=OcrSettings()) as t:
        if t.ocr_missing():
            pytest.skip(f"needs {t.ocr_missing()}")
        got = extract_attachment_text(png, "scan.png", tools=t)
    assert (got.status, got.kind) == ("error", "png") and "pixel" in got.reason
