"""Attachment files the portal generates itself: a real PDF with Chinese text and a real DOCX.

Both are byte-for-byte deterministic for the same input so captures hash identically.
"""
from __future__ import annotations

import io
import zipfile
from xml.sax.saxutils import escape

PDF_LINE_CHARS = 36
PDF_MAX_LINES = 40


def _wrap(paragraphs: list[str]) -> list[str]:
    lines: list[str] = []
    for p in paragraphs:
        lines += [p[i:i + PDF_LINE_CHARS] for i in range(0, max(len(p), 1), PDF_LINE_CHARS)]
    return lines[:PDF_MAX_LINES]


def _stream(data: bytes, extra: str = "") -> bytes:
    return f"<< /Length {len(data)}{extra} >>\nstream\n".encode() + data + b"\nendstream"


def make_pdf(title: str, paragraphs: list[str]) -> bytes:
    """One A4 page of Chinese text in the non-embedded STSong-Light font via UniGB-UCS2-H.

    Why no ToUnicode CMap: extractors disagree on whether it is keyed by code (pypdf) or by
    CID (pdfminer); with UniGB-UCS2-H alone both map the UCS-2 codes back to text, and
    viewers render it with their Adobe-GB1 fallback font.
    """
    lines = _wrap([title, ""] + paragraphs)
    ops = ["BT", "/F1 12 Tf", "18 TL", "72 780 Td"]
    for line in lines:
        ops.append(f"<{line.encode('utf-16-be').hex().upper()}> Tj T*")
    ops.append("ET")
    content = "\n".join(ops).encode("ascii")
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Resources << /Font << /F1 5 0 R >> >> /Contents 4 0 R >>",
        _stream(content),
        b"<< /Type /Font /Subtype /Type0 /BaseFont /STSong-Light /Encoding /UniGB-UCS2-H "
        b"/DescendantFonts [6 0 R] >>",
        b"<< /Type /Font /Subtype /CIDFontType0 /BaseFont /STSong-Light "
        b"/CIDSystemInfo << /Registry (Adobe) /Ordering (GB1) /Supplement 2 >> /FontDescriptor 7 0 R /DW 1000 >>",
        b"<< /Type /FontDescriptor /FontName /STSong-Light /Flags 6 /FontBBox [-25 -254 1000 880] "
        b"/ItalicAngle 0 /Ascent 880 /Descent -120 /CapHeight 880 /StemV 93 >>",
        b"<< /Producer (guifan demo portal) /Title <FEFF" + title.encode("utf-16-be").hex().upper().encode() + b"> >>",
    ]
    return pdf_from_objects(objects, info=True)


def pdf_from_objects(objects: list[bytes], info: bool = False) -> bytes:
    """A PDF file of numbered objects (1 is the catalog; with `info`, the last is /Info) and
    its cross-reference table."""
    out = io.BytesIO()
    out.write(b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n")
    offsets = []
    for n, obj in enumerate(objects, 1):
        offsets.append(out.tell())
        out.write(f"{n} 0 obj\n".encode() + obj + b"\nendobj\n")
    xref = out.tell()
    out.write(f"xref\n0 {len(objects) + 1}\n0000000000 65535 f \n".encode())
    for off in offsets:
        out.write(f"{off:010d} 00000 n \n".encode())
    trailer = f"/Size {len(objects) + 1} /Root 1 0 R" + (f" /Info {len(objects)} 0 R" if info else "")
    out.write(f"trailer\n<< {trailer} >>\nstartxref\n{xref}\n%%EOF\n".encode())
    return out.getvalue()


CONTENT_TYPES = """<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types"><Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/><Default Extension="xml" ContentType="application/xml"/><Override PartName="/word/document.xml" ContentType="application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml"/></Types>"""

RELS = """<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" Target="word/document.xml"/></Relationships>"""

W_NS = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"


def _w_para(text: str, bold: bool = False) -> str:
    rpr = '<w:rPr><w:rFonts w:eastAsia="宋体"/><w:b/></w:rPr>' if bold else '<w:rPr><w:rFonts w:eastAsia="宋体"/></w:rPr>'
    return f'<w:p><w:r>{rpr}<w:t xml:space="preserve">{escape(text)}</w:t></w:r></w:p>'


def make_docx(title: str, paragraphs: list[str]) -> bytes:
    body = _w_para(title, bold=True) + "".join(_w_para(p) for p in paragraphs)
    document = (f'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n<w:document xmlns:w="{W_NS}"><w:body>'
                f'{body}<w:sectPr><w:pgSz w:w="11906" w:h="16838"/></w:sectPr></w:body></w:document>')
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as zf:
        for name, data in (("[Content_Types].xml", CONTENT_TYPES), ("_rels/.rels", RELS),
                           ("word/document.xml", document)):
            info = zipfile.ZipInfo(name, date_time=(2024, 3, 15, 0, 0, 0))   # fixed: same bytes every run
            info.compress_type = zipfile.ZIP_DEFLATED
            zf.writestr(info, data.encode("utf-8"))
    return out.getvalue()


CONTENT_TYPES_BY_EXT = {
    "pdf": "application/pdf",
    "docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
}


def form_paragraphs(name: str) -> list[str]:
    """Content of a generated 登记表 (the DOCX attachments)."""
    return ["填报单位（盖章）：　　　　　　填报日期：　　年　　月　　日",
            "一、基本情况：单位名称、统一社会信用代码、联系人及联系电话。",
            "二、工作开展情况：请简要说明工作开展情况、存在问题及下一步打算。",
            "三、意见建议：",
            f"注：本表（{name}）一式两份，报送县人民政府办公室。"]
