"""Near-copy detection on text: keys, fingerprints, shared passages and the kind of a pair.

Pure functions (no SQL); :mod:`archive.reprints` stores what they compute.

* **Key text.** The text (body, then attachment text) normalised per character with
  :func:`archive.cjk_text.normalise` (NFKC, lower case, Traditional → Simplified), keeping
  only CJK characters, letters and digits: punctuation, spaces and line breaks differ between
  copies of one document and say nothing about its wording. ``offsets`` maps each key
  character back to the text, so passages can be shown in the original.
* **Fingerprints.** Hashes of every ``SHINGLE``-character substring, winnowed (Schleimer,
  Wilkerson and Aiken, SIGMOD 2003: the minimum hash in every window of ``WINDOW``
  consecutive shingles). Any passage two texts share of at least ``GUARANTEE`` characters
  gives both the same fingerprint, whatever else surrounds it — which is what finds partial
  reuse, where a whole-document similarity (MinHash of all shingles) is low.
* **Passages.** Seeds are fingerprints two texts share; each is extended left and right to
  the longest common substring through it, and the gaps between consecutive passages are
  searched for shorter common blocks (substitutions: a name, a date, a number changed).
* **Kind.** From how much of each text the passages cover and where the rest lies.
"""
from __future__ import annotations

import difflib
import hashlib
import re
from dataclasses import dataclass, field

import numpy as np

from . import cjk_text

SHINGLE = 5                  # characters per shingle
WINDOW = 20                  # shingles per winnowing window
GUARANTEE = WINDOW + SHINGLE - 1   # a shared passage this long always shares a fingerprint
MIN_KEY = 40                 # shorter key texts are not indexed (too short to call a copy)
GAP_BLOCK = 6                # common blocks inside a gap count from this length
PARAMS = f"k{SHINGLE}w{WINDOW}g{GAP_BLOCK}"

_KEEP = re.compile(f"[{cjk_text.CJK_CLASS}0-9a-z]")
_MASK = np.uint64(0xFFFFFFFFFFFFFFFF)
_BASE = np.uint64(0x100000001B3)


@dataclass
class Key:
    text: str                     # the key text
    offsets: list[int]            # key index -> index in the source text

    def __len__(self) -> int:
        return len(self.text)


def key_of(text: str) -> Key:
    """The key text of a document's text (see the module docstring)."""
    norm, where = cjk_text.normalised_with_offsets(text or "")
    chars, offsets = [], []
    for i, ch in enumerate(norm):
        if _KEEP.match(ch):
            chars.append(ch)
            offsets.append(where[i])
    return Key("".join(chars), offsets)


def key_hash(key: Key) -> str:
    """Identical key texts are exact reprints of each other."""
    return hashlib.sha256(key.text.encode("utf-8")).hexdigest()[:24]


def _mix(x: np.ndarray) -> np.ndarray:
    """splitmix64's finaliser, vectorised: spreads the polynomial hash over all 64 bits."""
    with np.errstate(over="ignore"):
        x = (x ^ (x >> np.uint64(30))) * np.uint64(0xBF58476D1CE4E5B9)
        x = (x ^ (x >> np.uint64(27))) * np.uint64(0x94D049BB133111EB)
        return x ^ (x >> np.uint64(31))


def shingle_hashes(text: str) -> np.ndarray:
    """One 64-bit hash per SHINGLE-character substring (uint64, position order)."""
    codes = np.frombuffer(text.encode("utf-32-le"), dtype=np.uint32).astype(np.uint64)
    n = len(codes) - SHINGLE + 1
    if n <= 0:
        return np.zeros(0, dtype=np.uint64)
    h = np.zeros(n, dtype=np.uint64)
    with np.errstate(over="ignore"):
        for j in range(SHINGLE):
            h = h * _BASE + codes[j:j + n]
    return _mix(h)


def fingerprints(text: str) -> dict[int, int]:
    """Winnowed fingerprints of a key text: signed 64-bit hash -> first position (SQLite integers)."""
    h = shingle_hashes(text)
    if len(h) == 0:
        return {}
    if len(h) <= WINDOW:
        picks = np.array([int(np.argmin(h))])
    else:
        windows = np.lib.stride_tricks.sliding_window_view(h, WINDOW)
        picks = np.unique(np.argmin(windows, axis=1) + np.arange(len(windows)))
    signed = h[picks].view(np.int64)
    out: dict[int, int] = {}
    for fp, pos in zip(signed.tolist(), picks.tolist()):
        out.setdefault(fp, pos)
    return out


def all_positions(text: str, wanted: set[int]) -> dict[int, list[int]]:
    """Every position of each wanted fingerprint in a key text (a hash may repeat)."""
    h = shingle_hashes(text).view(np.int64)
    out: dict[int, list[int]] = {}
    if not wanted or len(h) == 0:
        return out
    hits = np.nonzero(np.isin(h, np.fromiter(wanted, dtype=np.int64)))[0]
    for pos in hits.tolist():
        out.setdefault(int(h[pos]), []).append(pos)
    return out


# --- passages --------------------------------------------------------------------------------

@dataclass(frozen=True)
class Passage:
    a: int          # start in key text a
    b: int          # start in key text b
    size: int
    live: float = 1.0   # of a's fingerprints inside it, the share that are not boilerplate
    rare: float = 1.0   # ... and that at most PARTIAL_DOCS families of copies hold

    @property
    def diagonal(self) -> int:
        return self.a - self.b


def passages(a: str, b: str, seeds: list[tuple[int, int, int]], a_prints: list[int] | None = None) -> list[Passage]:
    """Maximal common substrings through each seed (pos in a, pos in b, documents holding its
    fingerprint), in a's order, then common blocks of at least GAP_BLOCK characters between
    consecutive ones. ``a_prints``: positions of all of a's fingerprints, boilerplate included,
    to tell how much of each passage is boilerplate."""
    found: list[Passage] = []
    for pa, pb, docs in sorted(seeds):
        if any(p.a <= pa < p.a + p.size and p.diagonal == pa - pb for p in found):
            continue
        if a[pa:pa + SHINGLE] != b[pb:pb + SHINGLE]:
            continue                                   # a hash collision, not a shared shingle
        start_a, start_b = pa, pb
        while start_a > 0 and start_b > 0 and a[start_a - 1] == b[start_b - 1]:
            start_a, start_b = start_a - 1, start_b - 1
        end_a, end_b = pa + SHINGLE, pb + SHINGLE
        while end_a < len(a) and end_b < len(b) and a[end_a] == b[end_b]:
            end_a, end_b = end_a + 1, end_b + 1
        found.append(Passage(start_a, start_b, end_a - start_a))
    chain = [_weigh(p, seeds, a_prints) for p in _chain(found)]
    return _fill_gaps(a, b, chain)


def _weigh(p: Passage, seeds: list[tuple[int, int, int]], a_prints: list[int] | None) -> Passage:
    inside = [docs for pa, pb, docs in seeds if p.a <= pa <= p.a + p.size - SHINGLE and pa - pb == p.diagonal]
    total = max(len(inside), sum(1 for x in a_prints if p.a <= x <= p.a + p.size - SHINGLE)) if a_prints else len(inside)
    if not total:
        return p
    return Passage(p.a, p.b, p.size, len(inside) / total, sum(1 for d in inside if d <= PARTIAL_DOCS) / total)


def _chain(found: list[Passage]) -> list[Passage]:
    """The heaviest chain of passages in the same order in both texts (no overlaps): an
    alignment, not a bag of matches (a phrase repeated in one text counts once)."""
    found = sorted(set(found), key=lambda p: (p.a, p.b))
    best: list[tuple[int, int]] = []          # (weight of the best chain ending here, previous index)
    for i, p in enumerate(found):
        weight, prev = p.size, -1
        for j in range(i):
            q = found[j]
            if q.a + q.size <= p.a and q.b + q.size <= p.b and best[j][0] + p.size > weight:
                weight, prev = best[j][0] + p.size, j
        best.append((weight, prev))
    if not best:
        return []
    i = max(range(len(best)), key=lambda k: best[k][0])
    out = []
    while i >= 0:
        out.append(found[i])
        i = best[i][1]
    return out[::-1]


def _fill_gaps(a: str, b: str, chain: list[Passage]) -> list[Passage]:
    out: list[Passage] = []
    for prev, nxt in zip([None, *chain], [*chain, None]):
        lo_a = prev.a + prev.size if prev else 0
        lo_b = prev.b + prev.size if prev else 0
        hi_a = nxt.a if nxt else len(a)
        hi_b = nxt.b if nxt else len(b)
        if prev and nxt and 0 < hi_a - lo_a <= 400 and 0 < hi_b - lo_b <= 400:
            m = difflib.SequenceMatcher(None, a[lo_a:hi_a], b[lo_b:hi_b], autojunk=False)
            out += [Passage(lo_a + x, lo_b + y, n, 1.0, 0.0) for x, y, n in m.get_matching_blocks()
                    if n >= GAP_BLOCK]
        if nxt:
            out.append(nxt)
    return out


# --- kinds ----------------------------------------------------------------------------------

KINDS = ("exact", "forward", "adapted", "partial")
# Near-copies: what makes a family (cluster). Partial reuse links documents without merging them.
CLUSTER_KINDS = ("exact", "forward", "adapted")

MIN_SHARED = 60              # shared characters for any pair
MIN_LONGEST = 30             # the longest passage of a near-copy, at least
EXACT_COVER = 0.98
CONTAINED = 0.9              # a forwarded text lies (almost) entirely inside its forward
MIN_COVER_TEXT = 20          # ... which is longer by its cover notice
ADAPTED_COVER = 0.7          # both texts mostly shared, with substitutions
MIN_ADAPTED_CHARS = 150      # shorter texts (a 批复 on a form) are not called adapted copies
# Partial reuse: a whole paragraph at least. Stock sentences of a template (a salutation, a
# 根据…制定本办法 opening, a standard task) are shorter, and independently written documents on
# one topic share several of them, never in one long run.
# And its passages must be rare: seeded by fingerprints at most PARTIAL_DOCS families hold (the
# copies of one text count once). A passage many documents share, none of them copies of each
# other, is a template's.
PARTIAL_LONGEST = 80
PARTIAL_SHARED = 100
PARTIAL_DOCS = 4
RARE_SHARE = 0.5             # of a passage's fingerprints, rare ones at least
LIVE_SHARE = 0.5             # of a near-copy's shared text, not boilerplate at least
FORWARD_WORDS = ("转发", "转送", "转印发")


@dataclass
class Verdict:
    kind: str | None              # one of KINDS, or None: not a pair
    shared: int
    chars_a: int
    chars_b: int
    passages: list[Passage] = field(default_factory=list)
    container: str | None = None  # 'a' or 'b' for a forward: the side that wraps the other

    @property
    def cover_a(self) -> float:
        return round(self.shared / self.chars_a, 4) if self.chars_a else 0.0

    @property
    def cover_b(self) -> float:
        return round(self.shared / self.chars_b, 4) if self.chars_b else 0.0

    @property
    def similarity(self) -> float:
        """Shared characters over the characters of both texts (Dice), 0..1."""
        total = self.chars_a + self.chars_b
        return round(2 * self.shared / total, 4) if total else 0.0


def judge(a: str, b: str, found: list[Passage]) -> Verdict:
    """Is (a, b) a pair, and of which kind? ``found`` are their passages (see :func:`passages`)."""
    shared = sum(p.size for p in found)
    v = Verdict(None, shared, len(a), len(b), found)
    if not found or not a or not b:
        return v
    ca, cb = shared / len(a), shared / len(b)
    longest = max(p.size for p in found)
    if shared < MIN_SHARED or longest < MIN_LONGEST:
        return v
    if ca >= EXACT_COVER and cb >= EXACT_COVER:
        v.kind = "exact"
    elif max(ca, cb) >= CONTAINED and abs(len(a) - len(b)) >= MIN_COVER_TEXT and \
            _wrapped(a if ca < cb else b, found, "a" if ca < cb else "b"):
        v.kind, v.container = "forward", ("a" if ca < cb else "b")
    elif min(ca, cb) >= ADAPTED_COVER and min(len(a), len(b)) >= MIN_ADAPTED_CHARS:
        v.kind = "adapted"
    else:
        rare = [p.size for p in found if p.rare >= RARE_SHARE]
        if rare and max(rare) >= PARTIAL_LONGEST and sum(rare) >= PARTIAL_SHARED:
            v.kind = "partial"
    if v.kind in ("forward", "adapted") and sum(p.size * p.live for p in found) < LIVE_SHARE * shared:
        v.kind = None                     # mostly boilerplate: documents of one template, not copies
    return v


def _wrapped(outer: str, found: list[Passage], side: str) -> bool:
    """Does the outer text's unshared text lie around the shared span (a cover), not inside it?"""
    starts = [p.a if side == "a" else p.b for p in found]
    ends = [s + p.size for s, p in zip(starts, found)]
    span_lo, span_hi = min(starts), max(ends)
    inside = (span_hi - span_lo) - sum(p.size for p in found)
    outside = len(outer) - (span_hi - span_lo)
    return outside >= MIN_COVER_TEXT and inside <= 0.05 * (span_hi - span_lo)


def is_forward_notice(title: str | None, key_outer: str, found: list[Passage], side: str) -> bool:
    """A 转发 notice: the word in its title, or in its cover (the text before the forwarded one)."""
    if any(w in (title or "") for w in FORWARD_WORDS):
        return True
    start = min(p.a if side == "a" else p.b for p in found) if found else 0
    return any(w in key_outer[:start] for w in FORWARD_WORDS)


# --- a 转发 notice's forwarded title ----------------------------------------------------------

_FORWARDED_TITLE = re.compile(r"转发[^《]{0,30}《(?P<quoted>[^》]{6,80})》|转发(?P<bare>.{6,80}?的(?:通知|意见|办法|决定|方案|规定))的通知")


def forwarded_title(title: str | None) -> str | None:
    """The title a 转发 notice's own title names (关于转发《X》的通知, 转发X的通知的通知), normalised."""
    m = _FORWARDED_TITLE.search(title or "")
    if not m:
        return None
    return title_key(m.group("quoted") or m.group("bare"))


def title_key(title: str | None) -> str:
    """A title as a lookup key: the key-text form (script, width and punctuation do not matter)."""
    return key_of(title or "").text
