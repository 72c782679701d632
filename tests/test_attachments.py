"""Attachments as documents: text of PDF, DOCX, XLSX, XLS, OFD (DOC/WPS: a clear
"unsupported"), scanned PDFs flagged, text stored once per blob, linked to its page and
searchable through the page's document."""
from __future__ import annotations

import io
import json
import zipfile

import pytest

from guifan.archive import Archive
from guifan.archive.models import FetchResult
from guifan.archive.search import search
from guifan.demo_portal import catalog, files
from guifan.parsers import extract
from guifan.parsers.attachment_text import extract_attachment_text, sniff_kind
from tests.conftest import run_guifan

TITLE = "白鹤县人民政府关于印发《白鹤县农村公路养护管理办法》的通知"
PARAGRAPHS = ["第一条　为加强农村公路养护管理，保障农村公路完好、安全、畅通，制定本办法。",
              "第二条　本办法自2024年4月1日起施行，有效期五年。"]


# -- the pure reader ----------------------------------------------------------------------

def test_pdf_with_chinese_text():
    got = extract_attachment_text(files.make_pdf(TITLE, PARAGRAPHS), "fj1.pdf", "application/pdf")
    assert (got.status, got.kind, got.pages, got.flags) == ("ok", "pdf", 1, ())
    assert got.extractor.startswith("pypdf/")
    text = got.text.replace("\n", "")
    assert TITLE in text and all(p in text for p in PARAGRAPHS)


def test_docx_paragraphs_and_table_rows():
    got = extract_attachment_text(files.make_docx(TITLE, PARAGRAPHS), "download.jsp")   # the name says nothing
    assert (got.status, got.kind) == ("ok", "docx")
    assert got.text.split("\n") == [TITLE, *PARAGRAPHS]


def scanned_pdf() -> bytes:
    """A one-page PDF whose only content is an image: what a scanner produces."""
    pypdf = pytest.importorskip("pypdf")
    from pypdf.generic import ArrayObject, DecodedStreamObject, DictionaryObject, NameObject, NumberObject

    writer = pypdf.PdfWriter()
    page = writer.add_blank_page(width=200, height=200)
    image = DecodedStreamObject()
    image.set_data(b"\x80" * (8 * 8))
    image.update({NameObject("/Type"): NameObject("/XObject"), NameObject("/Subtype"): NameObject("/Image"),
                  NameObject("/Width"): NumberObject(8), NameObject("/Height"): NumberObject(8),
                  NameObject("/ColorSpace"): NameObject("/DeviceGray"),
                  NameObject("/BitsPerComponent"): NumberObject(8)})
    content = DecodedStreamObject()
    content.set_data(b"q 200 0 0 200 0 0 cm /Im0 Do Q")
    page[NameObject("/Resources")] = DictionaryObject(
        {NameObject("/XObject"): DictionaryObject({NameObject("/Im0"): writer._add_object(image)})})
    page[NameObject("/Contents")] = writer._add_object(content)
    page[NameObject("/MediaBox")] = ArrayObject([NumberObject(0), NumberObject(0), NumberObject(200),
                                                 NumberObject(200)])
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


def test_scanned_pdf_is_flagged():
    got = extract_attachment_text(scanned_pdf(), "scan.pdf")
    assert (got.status, got.kind, got.flags, got.text) == ("no_text", "pdf", ("scanned_pdf",), "")
    assert "OCR" in got.reason


def test_xlsx_sheets_as_lines():
    openpyxl = pytest.importorskip("openpyxl")
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.title = "补助标准"
    sheet.append(["项目", "标准（元/公里）"])
    sheet.append(["县道养护", 10000])
    out = io.BytesIO()
    book.save(out)
    got = extract_attachment_text(out.getvalue(), "附件2.xlsx")
    assert (got.status, got.kind, got.pages) == ("ok", "xlsx", 1)
    assert got.text.split("\n") == ["[补助标准]", "项目\t标准（元/公里）", "县道养护\t10000"]


def xls_bytes(stream_name: str | None = None) -> bytes:
    """A real XLS (OLE2 + BIFF8) written by xlwt; with stream_name, its one stream renamed."""
    xlwt = pytest.importorskip("xlwt", reason="xlwt writes the XLS test file (pip install xlwt)")
    book = xlwt.Workbook(encoding="utf-8")
    sheet = book.add_sheet("名单")
    for r, row in enumerate([["乡镇", "公里数"], ["白鹤镇", 12.5]]):
        for c, value in enumerate(row):
            sheet.write(r, c, value)
    out = io.BytesIO()
    book.save(out)
    data = bytearray(out.getvalue())
    if stream_name:  # the directory entry: 64 bytes of UTF-16 name, then its length in bytes
        at = data.index("Workbook".encode("utf-16-le"))
        data[at:at + 64] = stream_name.encode("utf-16-le").ljust(64, b"\0")
        data[at + 64:at + 66] = ((len(stream_name) + 1) * 2).to_bytes(2, "little")
    return bytes(data)


def test_xls():
    got = extract_attachment_text(xls_bytes(), "附件3.xls", "application/vnd.ms-excel")
    assert (got.status, got.kind) == ("ok", "xls")
    assert got.text.split("\n") == ["[名单]", "乡镇\t公里数", "白鹤镇\t12.5"]


def test_doc_and_wps_binaries_are_a_clear_unsupported():
    doc = xls_bytes("WordDocument")
    assert sniff_kind(doc, "附件1.doc") == "doc" and sniff_kind(doc, "附件1.wps") == "wps"
    for name in ("附件1.doc", "附件1.wps"):
        got = extract_attachment_text(doc, name)
        assert got.status == "unsupported" and "LibreOffice" in got.reason and got.text == ""


def ofd_bytes(lines: list[str]) -> bytes:
    """A minimal OFD (GB/T 33190): OFD.xml -> Doc_0/Document.xml -> one page of text objects."""
    ns = 'xmlns:ofd="http://www.ofdspec.org/2016"'
    objects = "".join(
        f'<ofd:TextObject ID="{i + 10}" Boundary="20 {30 + 10 * i} 160 8" Font="3" Size="3.5">'
        f'<ofd:TextCode X="0" Y="3">{line}</ofd:TextCode></ofd:TextObject>' for i, line in enumerate(lines))
    parts = {
        "OFD.xml": f'<ofd:OFD {ns} Version="1.0" DocType="OFD"><ofd:DocBody><ofd:DocInfo><ofd:DocID>1</ofd:DocID>'
                   f'</ofd:DocInfo><ofd:DocRoot>Doc_0/Document.xml</ofd:DocRoot></ofd:DocBody></ofd:OFD>',
        "Doc_0/Document.xml": f'<ofd:Document {ns}><ofd:CommonData><ofd:MaxUnitID>99</ofd:MaxUnitID>'
                              f'</ofd:CommonData><ofd:Pages><ofd:Page ID="1" BaseLoc="Pages/Page_0/Content.xml"/>'
                              f'</ofd:Pages></ofd:Document>',
        "Doc_0/Pages/Page_0/Content.xml": f'<ofd:Page {ns}><ofd:Content><ofd:Layer ID="2">{objects}</ofd:Layer>'
                                          f'</ofd:Content></ofd:Page>',
    }
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as z:
        for name, xml in parts.items():
            z.writestr(name, '<?xml version="1.0" encoding="UTF-8"?>' + xml)
    return out.getvalue()


def test_ofd_text_in_reading_order():
    got = extract_attachment_text(ofd_bytes([TITLE, *PARAGRAPHS]), "附件.ofd")
    assert (got.status, got.kind, got.pages) == ("ok", "ofd", 1)
    assert got.text.split("\n") == [TITLE, *PARAGRAPHS]


@pytest.mark.parametrize("body, status, kind", [
    (b"", "error", "unknown"),
    (b"Rar!\x1a\x07\x00rest", "unsupported", "rar"),
    (b"%PDF-1.4 truncated", "error", "pdf"),
    (b"\x89PNG\r\n\x1a\n....", "unsupported", "png"),        # no tools given: OCR is off
])
def test_other_files_have_a_clear_outcome(body, status, kind):
    got = extract_attachment_text(body, "x")
    assert (got.status, got.kind) == (status, kind) and got.reason


# -- in the archive ----------------------------------------------------------------------

def docx_documents():
    """Demo documents with a DOCX 登记表 attachment (its text appears nowhere else)."""
    return [d for d in catalog.documents(day=1) if any(p.endswith(".docx") for _, p in d.attachments)
            and d.fault in (None, "malformed", "unavailable_once", "wrong_charset")]


def test_crawled_attachments_have_text_linked_to_their_page(crawled_portal, crawled):
    _, conn, _ = crawled
    rows = [dict(r) for r in conn.execute("SELECT * FROM attachments WHERE status = 200")]
    assert rows and all(r["text_status"] == "ok" and r["text"] for r in rows)
    by_url = {r["url"]: r for r in rows}
    for doc in catalog.documents(day=1):
        for name, path in doc.attachments:
            row = by_url.get(crawled_portal.base_url(doc.site) + path)
            if row is None:
                continue  # the document itself was not fetched (a faulty one)
            assert row["page_url"] == crawled_portal.base_url(doc.site) + doc.path
            assert row["doc_id"] is not None
            stem = name.split("：", 1)[-1].rsplit(".", 1)[0]      # the demo titles each file by its name
            if path.endswith(".pdf"):
                text = row["text"].replace("\n", "")
                assert row["kind"] == "pdf" and stem in text and doc.paragraphs[0][:30] in text
            else:
                assert row["kind"] == "docx" and "填报单位" in row["text"]
    # Stored once per blob, with the blob's own hash.
    texts = conn.execute("SELECT count(*), count(DISTINCT sha256) FROM attachment_texts").fetchone()
    assert texts[0] == texts[1] == len({r["sha256"] for r in rows})


def test_attachment_text_is_searchable_through_its_document(crawled_portal, crawled):
    db, _, _ = crawled
    result = run_guifan("search", "填报单位", "--db", str(db), "--format", "jsonl", "-n", "200")
    assert result.returncode == 0, result.stderr
    hits = [json.loads(line) for line in result.stdout.splitlines() if line.strip()]
    found = {h["url"] for h in hits}
    expected = {crawled_portal.base_url(d.site) + d.path for d in docx_documents()}
    assert expected and expected <= found
    assert not any("填报单位" in d.body for d in catalog.documents(day=1))   # only the attachments say it


def test_text_that_arrives_after_indexing_is_found(tmp_path):
    """A search between the page and its attachment must not leave the attachment unindexed."""
    page_url, pdf_url = "http://127.0.0.1:1/zwgk/t20240301_1.html", "http://127.0.0.1:1/zwgk/P020240301.pdf"
    html = (f"<html><head><title>{TITLE}</title></head><body><div class='TRS_Editor'>"
            + "".join(f"<p>{p}</p>" for p in PARAGRAPHS)
            + f"<p><a href='{pdf_url}'>附件：补助标准.pdf</a></p></div></body></html>").encode()
    with Archive(tmp_path / "a.db") as archive:
        run = archive.start_run(["t"])
        doc = extract(html, page_url, {"content-type": "text/html; charset=utf-8"})
        assert [a.url for a in doc.attachments] == [pdf_url]
        archive.record_fetch(run, FetchResult(site="t", kind="detail", url=page_url, status=200, body=html,
                                              document=doc))
        assert search(archive.conn, "补助标准表").hits == []                        # indexes the page now
        pdf = files.make_pdf("补助标准表", ["县道每公里每年一万元。"])
        # The text comes read, as from an extraction worker: the writer only stores it.
        archive.record_fetch(run, FetchResult(site="t", kind="attachment", url=pdf_url, status=200, body=pdf,
                                              referer=page_url,
                                              response_headers=[("Content-Type", "application/pdf")],
                                              attachment_text=extract_attachment_text(pdf, "a.pdf")))
        hits = search(archive.conn, "补助标准表").hits
        assert [h.fields["url"] for h in hits] == [page_url]
        # Other bytes at the same URL replace the text in the index.
        pdf2 = files.make_pdf("养护考核表", ["考核结果与资金挂钩。"])
        archive.record_fetch(run, FetchResult(site="t", kind="attachment", url=pdf_url, status=200, body=pdf2,
                                              referer=page_url, attachment_text=extract_attachment_text(pdf2, "a.pdf")))
        assert search(archive.conn, "补助标准表").hits == []
        assert [h.fields["url"] for h in search(archive.conn, "养护考核表").hits] == [page_url]
