"""Attachment reading: OCR error rate and speed on scans, LibreOffice converter throughput.

    python -m benchmarks.attachment_bench [--files 30] [--fresh 5] [--dpi 300]    (make bench-attachments)

* OCR on the demo portal's scans (demo_portal/attachment_site.py: a scanned PDF and a PNG of a
  公文, rendered from catalog text): character error rate (CER) against the text rendered,
  pages/s, mean confidence. The bar is CER <= 3 %.
* OCR on real scanned 公文 pages listed in benchmarks/corpus/scans/manifest.json (pages restored
  from local snapshots, never committed; gold written by us from the born-digital text). Pages
  that are not restored are named as missing.
* DOC/WPS/ET to OOXML: files/s through one long-lived LibreOffice (`parsers.office_convert`)
  against the baseline of a fresh `soffice --headless --convert-to` per file.

CER = Levenshtein distance / gold length, both NFKC-normalised with all whitespace removed
(line breaks and the spaces Tesseract puts between characters do not count).
"""
from __future__ import annotations

import argparse
import json
import re
import subprocess
import sys
import tempfile
import time
import unicodedata
from pathlib import Path

SCANS = Path(__file__).parent / "corpus" / "scans"


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
    """[(name, bytes, gold text, pages)] -> totals: CER over all characters, pages/s."""
    from guifan.parsers.attachment_text import extract_attachment_text

    errors = chars = pages = 0
    seconds = 0.0
    rows = []
    for name, body, gold, n_pages in cases:
        started = time.perf_counter()
        got = extract_attachment_text(body, name, tools=tools)
        elapsed = time.perf_counter() - started
        g = normalised(gold)
        e = levenshtein(g, normalised(got.text))
        errors, chars, pages, seconds = errors + e, chars + len(g), pages + n_pages, seconds + elapsed
        rows.append((name, got.status, e / max(1, len(g)), got.confidence, elapsed))
    for name, status, rate, conf, elapsed in rows:
        print(f"    {name:<40} {status:<8} CER {rate:6.2%}  confidence {conf}  {elapsed:5.1f} s")
    return {"cer": errors / max(1, chars), "pages": pages, "pages_per_s": pages / seconds if seconds else 0.0,
            "chars": chars}


def demo_scans():
    from guifan.demo_portal import attachment_site as demo

    for doc in demo.documents():
        if doc.kind in ("pdf", "png"):
            gold = demo.scan_text(doc)
            yield f"demo {doc.kind} ({doc.entry.doc.title[:12]}…)", demo.attachment_bytes(doc.path), \
                "".join(gold), len(gold)


def real_scans():
    manifest = SCANS / "manifest.json"
    if not manifest.is_file():
        print(f"  real scans: no manifest at {manifest}")
        return [], []
    cases, missing = [], []
    for case in json.loads(manifest.read_text("utf-8")):
        page = SCANS / "pages" / case["file"]
        gold = SCANS / "gold" / (Path(case["file"]).stem + ".txt")
        if not page.is_file():
            missing.append(case["file"])
            continue
        cases.append((case["file"], page.read_bytes(), gold.read_text("utf-8"), case.get("pages", 1)))
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
    args = ap.parse_args(argv)

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
                print("  real scanned pages:")
                real = ocr_cases(cases, tools)
                print(f"  real scans: CER {real['cer']:.2%} over {real['chars']} characters, "
                      f"{real['pages']} pages, {real['pages_per_s']:.2f} pages/s")
            if missing:
                print(f"  real scans missing ({len(missing)}; restore with python -m benchmarks.corpus restore): "
                      + ", ".join(missing))
    print("Office binaries to OOXML:")
    converter_speed(args.files, args.fresh)
    return 0


if __name__ == "__main__":
    sys.exit(main())
