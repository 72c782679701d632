"""OCR of scanned pages in Chinese: Tesseract (chi_sim, chi_tra) on page images.

Pages of a scanned PDF are rasterised by poppler's `pdftoppm`, one page per call; images
(PNG, JPEG, TIFF frames) are checked by Pillow (size, frames) and handed to `tesseract`
as grey PNG. Both tools run boxed in (`parsers.sandbox`): a timeout per page, an
address-space limit, a private scratch directory, no network.

Tesseract's TSV output gives each recognised word its confidence (0–100); a page's
confidence is the mean over its words weighted by their length, and the text is rebuilt
from the TSV lines with the spaces Tesseract puts between Chinese characters removed.
"""
from __future__ import annotations

import io
import os
import re
import shutil
import tempfile
from dataclasses import dataclass

from .sandbox import Limits, ToolFailed, ToolMissing, run_tool

__all__ = ["OcrSettings", "OcrPage", "ocr_missing", "ocr_image", "pdf_page_png", "image_frames_png"]

# Pillow refuses images above this many pixels: a 20 000 × 20 000 PNG of a few kilobytes
# would otherwise ask for 400 MB on decoding. An A3 page at 400 dpi is about 31 million.
MAX_IMAGE_PIXELS = 60_000_000
_CJK = r"\u3000-\u303f\u3400-\u9fff\uf900-\ufaff\uff00-\uffef"
_SPACE_IN_CJK = re.compile(rf"(?<=[{_CJK}])[ \t]+(?=[{_CJK}])|(?<=[{_CJK}])[ \t]+(?=[0-9A-Za-z])"
                           rf"|(?<=[0-9A-Za-z])[ \t]+(?=[{_CJK}])")


@dataclass(frozen=True)
class OcrSettings:
    """How scanned pages are read (GUIFAN_OCR* settings, `guifan parse --ocr`)."""

    languages: str = "chi_sim"      # Tesseract traineddata, e.g. chi_sim+chi_tra
    dpi: int = 200                  # rasterising PDF pages (200: 3x faster and fewer errors than 300, docs/attachments.md)
    max_pages: int = 30             # per attachment; later pages are not read (flag ocr_truncated)
    seconds_per_page: float = 60.0
    total_seconds: float = 600.0    # per attachment, all pages together
    memory_mib: int = 1024

    def limits(self) -> Limits:
        return Limits(seconds=self.seconds_per_page, memory_mib=self.memory_mib, file_mib=256)


@dataclass(frozen=True)
class OcrPage:
    text: str
    confidence: float | None     # mean word confidence 0–100; None when nothing was recognised


def ocr_missing(settings: OcrSettings) -> str | None:
    """None when Tesseract and every language it needs are installed, else what to install."""
    if shutil.which("tesseract") is None:
        return "Tesseract (Debian: tesseract-ocr tesseract-ocr-chi-sim tesseract-ocr-chi-tra)"
    try:
        with tempfile.TemporaryDirectory(prefix="guifan-ocr-") as work:
            listed = run_tool(["tesseract", "--list-langs"], Limits(seconds=20), work).decode("utf-8", "replace")
    except (ToolFailed, ToolMissing) as exc:
        return f"a working Tesseract ({exc})"
    have = set(listed.split())
    lacking = [lang for lang in settings.languages.split("+") if lang not in have]
    if lacking:
        packages = " ".join("tesseract-ocr-" + lang.replace("_", "-") for lang in lacking)
        return f"Tesseract language data {', '.join(lacking)} (Debian: {packages})"
    return None


def _from_tsv(tsv: str) -> OcrPage:
    lines: dict[tuple, list[str]] = {}
    weighted = chars = 0.0
    for row in tsv.splitlines()[1:]:
        cols = row.split("\t")
        if len(cols) < 12 or cols[0] != "5":
            continue
        word, conf = cols[11].strip(), float(cols[10])
        if not word or conf < 0:
            continue
        lines.setdefault((int(cols[2]), int(cols[3]), int(cols[4])), []).append(word)
        weighted += conf * len(word)
        chars += len(word)
    text = "\n".join(_SPACE_IN_CJK.sub("", " ".join(words)) for _, words in sorted(lines.items()))
    return OcrPage(text, round(weighted / chars, 1) if chars else None)


def ocr_image(png: bytes, settings: OcrSettings, workdir: str, dpi: int | None = None) -> OcrPage:
    """Recognise one page image (PNG bytes) scanned at `dpi` (told to Tesseract: guessing it
    from a PNG without one costs a third more errors on the demo scans)."""
    path = os.path.join(workdir, "page.png")
    with open(path, "wb") as f:
        f.write(png)
    try:
        tsv = run_tool(["tesseract", path, "stdout", "-l", settings.languages, "--psm", "3",
                        "--dpi", str(dpi or settings.dpi), "tsv"], settings.limits(), workdir)
    finally:
        os.unlink(path)
    return _from_tsv(tsv.decode("utf-8", "replace"))


def pdf_page_png(pdf_path: str, page: int, settings: OcrSettings, workdir: str) -> bytes:
    """Page `page` (1-based) of the PDF at pdf_path as a grey PNG at settings.dpi."""
    prefix = os.path.join(workdir, "r")
    run_tool(["pdftoppm", "-r", str(settings.dpi), "-gray", "-png", "-f", str(page), "-l", str(page),
              "-singlefile", pdf_path, prefix], settings.limits(), workdir)
    try:
        with open(prefix + ".png", "rb") as f:
            return f.read()
    finally:
        os.unlink(prefix + ".png")


def image_frames_png(body: bytes, max_frames: int) -> tuple[list[bytes], int, int | None]:
    """The frames of an image file (one, or a multi-page TIFF's pages) as grey PNGs, at most
    max_frames of them, how many frames it has, and its resolution if it says (dpi).
    Raises ValueError on a bomb or a bad file."""
    from PIL import Image

    with Image.open(io.BytesIO(body)) as image:  # reads the header only: the size is known before decoding
        if image.width * image.height > MAX_IMAGE_PIXELS:
            raise ValueError(f"image of {image.width}×{image.height} pixels is over the "
                             f"{MAX_IMAGE_PIXELS // 1_000_000} million pixel limit")
        frames = getattr(image, "n_frames", 1)
        dpi = image.info.get("dpi")
        dpi = int(round(float(dpi[0]))) if dpi and 70 <= float(dpi[0]) <= 1200 else None
        out = []
        for index in range(min(frames, max_frames)):
            image.seek(index)
            buffer = io.BytesIO()
            image.convert("L").save(buffer, "PNG")
            out.append(buffer.getvalue())
    return out, frames, dpi
