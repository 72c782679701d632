"""Attachment reading: OCR error rate and speed on scans, LibreOffice converter throughput.

    python -m benchmarks.attachment_bench [--files 30] [--fresh 5] [--dpi 300] [--no-converter] [--clean-raster]
    (make bench-attachments; first python -m benchmarks.corpus restore scans rasterised)

* OCR on the demo portal's scans (demo_portal/attachment_site.py: a scanned PDF and a PNG of a
  公文, rendered from catalog text): character error rate (CER) against the text rendered,
  pages/s, mean confidence. The bar is CER <= 3 %.
* OCR on real scanned 公文 pages: the `scans` collection of benchmarks/corpus (one
  `scans/<case>.json` a document: the image or scanned PDF's origin, the origin of its known
  text, `gold_text`, `pages`; the files restored from local snapshots by
  `python -m benchmarks.corpus restore scans`, never committed). CER and pages/s per case and
  overall; cases whose files are not restored are named as missing.
* Secondary, and NOT scans: real born-digital 公文 PDFs rasterised here (the `rasterised`
  collection: pdftoppm at --dpi, then by default the demo's deterministic scan simulation —
  specks, a tilt under 0.4 degrees, a slight blur; --clean-raster skips it). Their gold is the
  PDF's own text layer checked against the page; their CER is printed apart and says nothing
  about paper scans.
* DOC/WPS/ET to OOXML: files/s through one long-lived LibreOffice (`parsers.office_convert`)
  against the baseline of a fresh `soffice --headless --convert-to` per file.

CER = Levenshtein distance / gold length, both NFKC-normalised with all whitespace removed
(line breaks and the spaces Tesseract puts between characters do not count).
"""
from __future__ import annotations

import argparse
import re
import shlex
import subprocess
import sys
import tempfile
import time
import unicodedata
from pathlib import Path

SCANS = "scans"   # the collection of benchmarks/corpus holding real scans
RASTERISED = "rasterised"   # real born-digital 公文 PDFs, rasterised by this benchmark (not scans)


def normalised(text: str) -> str:
    return re.sub(r"\s", "", unicodedata.normalize("NFKC", text or ""))


def levenshtein(a: str, b: str) -> int:
    previous = list(range(len(b) + 1))
    for i, ca in enumerate(a, 1):
        current = [i]
        for j, cb in enumerate(b, 1):
            current.append(min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + (ca != cb)))
        previous = current
    return previous[-1]


def char_error_rate(gold: str, got: str) -> float:
    gold, got = normalised(gold), normalised(got)
    return levenshtein(gold, got) / max(1, len(gold))


def ocr_cases(cases, tools) -> dict:
    """[(name, [(file name, bytes), …], gold text, pages)] -> totals: CER over all characters, pages/s.

    A case of several files (one image a page) is read file by file and its texts joined."""
    from guifan.parsers.attachment_text import extract_attachment_text

    errors = chars = pages = 0
    seconds = 0.0
    for name, blobs, gold, n_pages in cases:
        started = time.perf_counter()
        got = [extract_attachment_text(body, file_name, tools=tools) for file_name, body in blobs]
        elapsed = time.perf_counter() - started
        g = normalised(gold)
        e = levenshtein(g, normalised("\n".join(r.text for r in got)))
        errors, chars, pages, seconds = errors + e, chars + len(g), pages + n_pages, seconds + elapsed
        status = "/".join(sorted({r.status for r in got}))
        confs = [r.confidence for r in got if r.confidence is not None]
        conf = f"{sum(confs) / len(confs):5.1f}" if confs else "  -  "
        print(f"    {name:<34} {status:<8} {n_pages:>2} p  CER {e / max(1, len(g)):6.2%} ({e}/{len(g)})  "
              f"confidence {conf}  {elapsed:5.1f} s  {n_pages / elapsed if elapsed else 0:.2f} pages/s")
    return {"cer": errors / max(1, chars), "errors": errors, "pages": pages, "chars": chars,
            "pages_per_s": pages / seconds if seconds else 0.0}


def demo_scans():
    from guifan.demo_portal import attachment_site as demo

    for doc in demo.documents():
        if doc.kind in ("pdf", "png"):
            gold = demo.scan_text(doc)
            yield f"demo {doc.kind} ({doc.entry.doc.title[:12]}…)", [(doc.path, demo.attachment_bytes(doc.path))], \
                "".join(gold), len(gold)


def real_scans(collection: str = SCANS):
    """The collection's cases whose files are restored, and "case: why" for the others."""
    from benchmarks import corpus as project_corpus

    cases, missing = [], []
    for case in project_corpus.cases(collection):
        absent = [f.path for f in case.files if not f.present()]
        if absent:
            missing.append(f"{case.name}: {', '.join(absent)} not restored")
            continue
        blobs = [(Path(f.path).name, f.local.read_bytes()) for f in case.files]
        cases.append((case.name, blobs, case.gold["gold_text"], case.gold.get("pages", len(blobs))))
    return cases, missing


def rasterised_pages(collection: str = RASTERISED, dpi: int = 200, simulate: bool = True):
    """The collection's cases as page images made here, and "case: why" for the unrestored.

    Each case names a born-digital PDF and `raster_pages` (1-based); each page is rasterised like
    a scanned PDF page in guifan (parsers.ocr.pdf_page_png) and, with `simulate`, degraded by the
    demo's scanner model seeded by case and page, so the images are the same on every run."""
    import io
    import random

    from PIL import Image

    from benchmarks import corpus as project_corpus
    from guifan.demo_portal.attachment_site import as_scanned
    from guifan.parsers.ocr import OcrSettings, pdf_page_png

    cases, missing = [], []
    for case in project_corpus.cases(collection):
        pdf = case.files[0]
        if not pdf.present():
            missing.append(f"{case.name}: {pdf.path} not restored")
            continue
        pages = case.gold["raster_pages"]
        blobs = []
        with tempfile.TemporaryDirectory() as work:
            for n in pages:
                page = Image.open(io.BytesIO(pdf_page_png(str(pdf.local), n, OcrSettings(dpi=dpi), work))).convert("L")
                if simulate:
                    page = as_scanned(page, random.Random(f"{case.name}:{n}"))
                out = io.BytesIO()
                page.save(out, "PNG", dpi=(dpi, dpi))
                blobs.append((f"{case.name}-p{n}.png", out.getvalue()))
        cases.append((case.name, blobs, "\n".join(case.gold["gold_pages"]), len(pages)))
    return cases, missing


def converter_speed(files: int, fresh: int) -> None:
    from guifan.demo_portal import attachment_site as demo
    from guifan.parsers.office_convert import OfficeConverter

    docs = [d for d in demo.documents() if d.kind in ("doc", "wps", "et")]
    with OfficeConverter() as converter:
        missing = converter.missing()
        if missing:
            print(f"  converter: skipped, needs {missing}")
            return
        started = time.perf_counter()
        converter.convert(demo.attachment_bytes(docs[0].path), docs[0].kind)
        first = time.perf_counter() - started
        started = time.perf_counter()
        for n in range(files):
            doc = docs[n % len(docs)]
            converter.convert(demo.attachment_bytes(doc.path), doc.kind)
        warm = time.perf_counter() - started
    with tempfile.TemporaryDirectory() as work:
        started = time.perf_counter()
        for n in range(fresh):
            doc = docs[n % len(docs)]
            src = Path(work) / f"f{n}.{doc.kind}"
            src.write_bytes(demo.attachment_bytes(doc.path))
            target = "xlsx" if doc.kind == "et" else "docx"
            subprocess.run(["soffice", "--headless", f"-env:UserInstallation=file://{work}/profile-{n}",
                            "--convert-to", target, "--outdir", work, str(src)], capture_output=True, check=True)
        cold = time.perf_counter() - started
    print(f"  converter, one LibreOffice: first file {first:.2f} s (start-up), then {files / warm:.1f} files/s "
          f"({warm / files * 1000:.0f} ms a file, {files} files)")
    print(f"  baseline, fresh soffice --convert-to per file: {fresh / cold:.2f} files/s "
          f"({cold / fresh:.2f} s a file, {fresh} files)")
    print(f"  ratio: {(files / warm) / (fresh / cold):.0f}x the baseline")


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--files", type=int, default=30, help="conversions through the long-lived converter")
    ap.add_argument("--fresh", type=int, default=5, help="conversions with a fresh soffice each (baseline)")
    ap.add_argument("--dpi", type=int, default=200, help="rasterising PDF pages for OCR")
    ap.add_argument("--languages", default="chi_sim")
    ap.add_argument("--no-converter", action="store_true", help="OCR only: skip the LibreOffice measures")
    ap.add_argument("--clean-raster", action="store_true",
                    help="rasterised born-digital pages without the scan simulation")
    args = ap.parse_args(argv)
    from benchmarks.machine import machine_line

    print(f"Machine: {machine_line()}")
    print(f"Command: {shlex.join(getattr(sys, 'orig_argv', [sys.executable, *sys.argv]))}")

    from guifan.parsers.attachment_text import Tools
    from guifan.parsers.ocr import OcrSettings

    settings = OcrSettings(languages=args.languages, dpi=args.dpi)
    with Tools.open(office=False, ocr=settings) as tools:
        if tools.ocr_missing():
            print(f"OCR: skipped, needs {tools.ocr_missing()}")
        else:
            print(f"OCR (Tesseract {args.languages}, PDF pages at {args.dpi} dpi):")
            print("  demo scans:")
            demo = ocr_cases(list(demo_scans()), tools)
            print(f"  demo scans: CER {demo['cer']:.2%} over {demo['chars']} characters (bar 3 %), "
                  f"{demo['pages_per_s']:.2f} pages/s")
            cases, missing = real_scans()
            if cases:
                print(f"  real scanned 公文 (benchmarks/corpus/{SCANS}):")
                real = ocr_cases(cases, tools)
                print(f"  real scans: CER {real['cer']:.2%} ({real['errors']} edits over {real['chars']} characters), "
                      f"{real['pages']} pages in {len(cases)} documents, {real['pages_per_s']:.2f} pages/s")
            elif not missing:
                print(f"  real scans: the {SCANS} collection has no cases")
            if missing:
                print(f"  real scans missing ({len(missing)}; python -m benchmarks.corpus restore {SCANS}): "
                      + "; ".join(missing))
            raster, raster_missing = rasterised_pages(dpi=args.dpi, simulate=not args.clean_raster)
            if raster:
                how = "clean" if args.clean_raster else "with the demo's scan simulation"
                print(f"  secondary, NOT scans: real born-digital 公文 rasterised at {args.dpi} dpi, {how} "
                      f"(benchmarks/corpus/{RASTERISED}):")
                sec = ocr_cases(raster, tools)
                print(f"  rasterised born-digital: CER {sec['cer']:.2%} ({sec['errors']} edits over {sec['chars']} "
                      f"characters), {sec['pages']} pages in {len(raster)} documents, {sec['pages_per_s']:.2f} pages/s")
            if raster_missing:
                print(f"  rasterised missing ({len(raster_missing)}; python -m benchmarks.corpus restore {RASTERISED}): "
                      + "; ".join(raster_missing))
    if not args.no_converter:
        print("Office binaries to OOXML:")
        converter_speed(args.files, args.fresh)
    return 0


if __name__ == "__main__":
    sys.exit(main())
