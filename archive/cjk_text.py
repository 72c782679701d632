"""Chinese text for search: one normalisation and one tokenisation for documents and queries.

Normalisation is per character (a string homomorphism): NFKC, lower case, then Traditional
and Hong Kong/Taiwan variant characters mapped to Simplified one character at a time. Being
per character matters: if a query is a substring of a text, its normal form is a substring of
the text's normal form, whatever the script of either. Phrase-level conversion (OpenCC's
default) does not have that property (乾隆 stays 乾隆 while 乾 alone becomes 干), so a search
key built with it would silently miss matches.

Tokenisation turns each run of CJK characters ``c1 c2 … cn`` into the bigrams
``c1c2 c2c3 … c(n-1)cn`` followed by the unigram ``cn`` that closes the run; other text
becomes lower-case words. With FTS5 positions that gives exact substring search:

* a query of n ≥ 2 CJK characters is the phrase of its n-1 bigrams; consecutive bigram
  positions only exist inside one run (the closing unigram separates runs);
* a query of one character ``X`` is the prefix query ``X*``: every occurrence of X is either
  followed by another CJK character (bigram ``X?``) or closes its run (unigram ``X``).

Tokens are joined by spaces and handed to FTS5's ``ascii`` tokenizer, which splits on ASCII
separators only, so no CJK character (including ones newer than SQLite's Unicode tables) can
be split off or dropped.
"""
from __future__ import annotations

import re
import unicodedata
from functools import lru_cache

# Han ideographs (URO, Ext A, compatibility, Ext B–H and compatibility supplement) and 〇,
# which Chinese dates use as a digit (二〇一五年).
CJK_CLASS = "\u3007\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\U00020000-\U0003134f"
CJK_RUN = re.compile(f"[{CJK_CLASS}]+")
# Runs of CJK, or words of letters/digits (not underscore, which FTS5 treats as a separator).
SEGMENT = re.compile(f"(?P<cjk>[{CJK_CLASS}]+)|(?P<word>[^\\W_{CJK_CLASS}]+)")

_HAN_RANGES = ((0x3400, 0x4DC0), (0x4E00, 0xA000), (0xF900, 0xFB00), (0x20000, 0x2FA20), (0x30000, 0x31350))
# Tried in order for each character: standard Traditional, then HK and Taiwan variants.
_OPENCC_CONFIGS = ("t2s", "hk2s", "tw2s")


@lru_cache(maxsize=1)
def translation_table() -> dict[int, str]:
    """The per-character map (built once, about 50 ms): code point -> normal form."""
    table = _compatibility_map()
    for code, simplified in _simplified_map().items():
        table[code] = simplified
    # Compatibility ideographs NFKC-map to unified ones that may be Traditional in turn.
    for code, value in list(table.items()):
        if len(value) == 1 and ord(value) in table and ord(value) != code:
            table[code] = table[ord(value)]
    return table


def _compatibility_map() -> dict[int, str]:
    """Full-width forms, compatibility ideographs, upper case: NFKC + lower, per BMP char."""
    out = {}
    for code in range(0x10000):
        if 0xD800 <= code < 0xE000:
            continue
        ch = chr(code)
        norm = unicodedata.normalize("NFKC", ch).lower()
        if norm != ch and norm:
            out[code] = norm
    for code in range(0x2F800, 0x2FA20):            # CJK compatibility supplement
        norm = unicodedata.normalize("NFKC", chr(code))
        if norm != chr(code):
            out[code] = norm
    return out


def _simplified_map() -> dict[int, str]:
    import opencc

    chars = [chr(c) for lo, hi in _HAN_RANGES for c in range(lo, hi)]
    out: dict[int, str] = {}
    for config in _OPENCC_CONFIGS:
        pending = [ch for ch in chars if ord(ch) not in out]
        # One call per config; "\n" keeps every character its own segment, so no phrases apply.
        converted = opencc.OpenCC(config).convert("\n".join(pending)).split("\n")
        for ch, simple in zip(pending, converted):
            if simple != ch and len(simple) == 1:
                out[ord(ch)] = simple
    return out


def normalise(text: str) -> str:
    """The search key of a text: NFKC, lower case, Simplified, character by character."""
    return text.translate(translation_table()) if text else ""


def tokens(text: str) -> list[str]:
    """Index tokens of an already normalised text (see the module docstring)."""
    out: list[str] = []
    for m in SEGMENT.finditer(text):
        run = m.group("cjk")
        if run is None:
            out.append(m.group("word"))
            continue
        out.extend(run[i:i + 2] for i in range(len(run) - 1))
        out.append(run[-1])
    return out


def index_text(text: str | None) -> str:
    """What goes into an FTS5 column: the tokens of the normalised text, space-separated."""
    return " ".join(tokens(normalise(text or "")))


def query_tokens(term: str) -> list[tuple[str, bool]]:
    """Tokens (text, is_prefix) of one query term, as an FTS5 phrase must list them.

    A CJK run followed by another segment of the term must close its run in the document too,
    so its closing unigram is required; a run that ends the term may continue in the document,
    so it is matched by its bigrams alone, or, for a single character, as a prefix. What
    follows the last segment (punctuation, an emoji: ``教育。``) is not searchable and is
    ignored, so it demands nothing of the text.
    """
    segments = list(SEGMENT.finditer(normalise(term)))
    out: list[tuple[str, bool]] = []
    for i, m in enumerate(segments):
        run = m.group("cjk")
        if run is None:
            out.append((m.group("word"), False))
            continue
        closed = i + 1 < len(segments)
        out.extend((run[i:i + 2], False) for i in range(len(run) - 1))
        if closed:
            out.append((run[-1], False))
        elif len(run) == 1:
            out.append((run, True))
    return out


def phrase(term: str) -> str | None:
    """The FTS5 phrase for one term, or None when it has nothing searchable (punctuation)."""
    parts = query_tokens(term)
    if not parts:
        return None
    # Tokens hold only CJK and word characters, but quote-doubling keeps this safe regardless.
    return " + ".join('"' + tok.replace('"', '""') + '"' + ("*" if prefix else "") for tok, prefix in parts)


def contains(text: str | None, query: str) -> bool:
    """Brute-force reference: is the normalised query a substring of the normalised text?"""
    return normalise(query) in normalise(text or "")


def normalised_with_offsets(text: str) -> tuple[str, list[int]]:
    """The normal form and, for each of its characters, the index of its source character."""
    table = translation_table()
    out, where = [], []
    for i, ch in enumerate(text):
        norm = table.get(ord(ch), ch)
        out.append(norm)
        where.extend([i] * len(norm))
    return "".join(out), where


def display_width(text: str) -> int:
    """Columns a terminal uses for text (CJK and full-width characters take two)."""
    return sum(2 if unicodedata.east_asian_width(c) in "WF" else 1 for c in text)
