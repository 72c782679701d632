"""Pure scoring functions for the extraction benchmark.

No I/O, no third-party imports: these are the definitions the numbers in
docs/extraction.md rest on, and tests/test_extraction_scoring.py pins them down.

Body text is compared as a bag of tokens:
  * the text is NFKC-normalised (full-width Latin/digits become ASCII, U+3000 and
    NBSP become ordinary spaces, CJK compatibility ideographs become unified ones);
  * every CJK character (ideographs, kana, hangul) is one token;
  * every maximal run of Latin letters/digits is one token (case-folded);
  * punctuation, symbols and whitespace are not tokens.
Precision/recall/F1 use the multiset intersection of the two bags.

Snippets (`include`/`exclude`) are matched as substrings after NFKC normalisation and
removal of all whitespace, so line breaks or indentation never hide a leak.
"""
from __future__ import annotations

import re
import unicodedata
from collections import Counter
from dataclasses import dataclass
from typing import Iterable

_CJK = (
    "\u3040-\u30ff"  # hiragana, katakana
    "\u3400-\u4dbf"  # CJK extension A
    "\u4e00-\u9fff"  # CJK unified ideographs
    "\uac00-\ud7af"  # hangul syllables
    "\uf900-\ufaff"  # CJK compatibility ideographs (NFKC maps most away)
    "\U00020000-\U0003134f"  # CJK extensions B-G
)
_LATIN = "0-9A-Za-z\u00c0-\u00d6\u00d8-\u00f6\u00f8-\u024f"
_TOKEN_RE = re.compile(f"[{_CJK}]|[{_LATIN}]+")
_WS_RE = re.compile(r"\s+")
_DATE_RE = re.compile(r"(\d{4})\s*[-/.年]\s*(\d{1,2})\s*[-/.月]\s*(\d{1,2})")


def normalize(text: str | None) -> str:
    """NFKC plus whitespace folding (every whitespace run becomes one space, ends stripped)."""
    if not text:
        return ""
    return _WS_RE.sub(" ", unicodedata.normalize("NFKC", text)).strip()


def squash(text: str | None) -> str:
    """NFKC with all whitespace removed: the form snippets and metadata are compared in."""
    if not text:
        return ""
    return _WS_RE.sub("", unicodedata.normalize("NFKC", text))


def tokens(text: str | None) -> list[str]:
    """Tokenise: one token per CJK character, one per Latin letter/digit run."""
    return [t.casefold() for t in _TOKEN_RE.findall(normalize(text))]


@dataclass(frozen=True)
class PRF:
    precision: float
    recall: float
    f1: float


def prf(predicted: str | None, gold: str | None) -> PRF:
    """Bag-of-tokens precision, recall and F1 of `predicted` against `gold`.

    Conventions: both empty -> 1/1/1; an empty prediction against a non-empty gold has
    precision 0 (nothing right was returned), recall 0, F1 0; a non-empty prediction
    against an empty gold has precision 0, recall 1.
    """
    pred = Counter(tokens(predicted))
    ref = Counter(tokens(gold))
    n_pred = sum(pred.values())
    n_ref = sum(ref.values())
    if n_pred == 0 and n_ref == 0:
        return PRF(1.0, 1.0, 1.0)
    overlap = sum((pred & ref).values())
    precision = overlap / n_pred if n_pred else 0.0
    recall = overlap / n_ref if n_ref else 1.0
    f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
    return PRF(precision, recall, f1)


def contains(text: str | None, snippet: str) -> bool:
    """Whether `snippet` occurs in `text`, both NFKC-normalised with whitespace removed."""
    needle = squash(snippet)
    return bool(needle) and needle in squash(text)


def leaked(body: str | None, exclude: Iterable[str]) -> list[str]:
    """The `exclude` (boilerplate) snippets that appear in the extracted body."""
    hay = squash(body)
    return [s for s in exclude if squash(s) and squash(s) in hay]


def missing(body: str | None, include: Iterable[str]) -> list[str]:
    """The `include` snippets that the extracted body lacks."""
    hay = squash(body)
    return [s for s in include if squash(s) and squash(s) not in hay]


def normalize_field(name: str, value: object) -> str:
    """Light normalisation of a metadata value before comparison.

    NFKC and whitespace removal for every field; fields named `*_date` (and `date`) are
    reduced to ISO YYYY-MM-DD when a year-month-day can be read from them, so that
    "2022-02-11 09:52" and "2022年2月11日" both compare equal to "2022-02-11".
    """
    if value is None:
        return ""
    text = squash(str(value))
    if name == "date" or name.endswith("_date"):
        m = _DATE_RE.search(text)
        if m:
            y, mo, d = m.groups()
            return f"{int(y):04d}-{int(mo):02d}-{int(d):02d}"
    return text


def field_matches(name: str, predicted: object, gold: object) -> bool:
    """Whether a predicted metadata value equals the gold one after light normalisation."""
    g = normalize_field(name, gold)
    return bool(g) and normalize_field(name, predicted) == g


def mean(values: Iterable[float]) -> float | None:
    values = list(values)
    return sum(values) / len(values) if values else None
