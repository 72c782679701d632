"""Find the part of a page that holds its main text.

Generic method: every text segment (a run of inline text inside one block, see
`html_tree.segments`) gets a weight — positive for sentence-like text (Chinese sentence
punctuation `，。；！？、`, or long runs of text), negative for link text and footer or
widget boilerplate, about neutral for short plain fragments (headings, signatures, dates,
numbers in table cells). The body is the contiguous run of segments with the largest
total weight (a maximum-sum window, O(n)), widened over neutral neighbours that share its
enclosing element. Known CMS containers (`TRS_Editor`, `#zoom`, `#UCAP-CONTENT`, ...)
and profile hints take precedence when they hold most of that content.
"""
from __future__ import annotations

import re
from bisect import bisect_right
from collections.abc import Mapping
from dataclasses import dataclass
from functools import lru_cache

from lxml import etree

from .html_tree import Segment, Walk
from .strip_boilerplate import boilerplate_score, is_boilerplate_line, is_related_header

__all__ = ["BodyChoice", "locate_body", "segment_weight", "segment_weights", "KNOWN_CONTAINERS", "chrome_segments"]

# Sentence punctuation; a space between two runs of Chinese characters is a pause too (blogs and
# captions written in phrases: 一波波寒流報到 已將山巒披上彩衣).
_SENTENCE_PUNCT = re.compile(r"[，。；！？、,;!?]")
_PHRASE_SPACE = re.compile(r"(?<=[\u4e00-\u9fff]{2}) (?=[\u4e00-\u9fff]{2})")
_DIGITISH = re.compile(r"^[\d\s.,%％‰+\-−–~～:：/()（）·×*]+$")

# (attribute, regex on its value), most specific first. Only names that mean "the article
# text" on Chinese CMSs; vague names such as #content are left to the generic method.
KNOWN_CONTAINERS: tuple[tuple[str, re.Pattern[str]], ...] = (
    ("class", re.compile(r"(?:^|\s)TRS_(?:Editor|UEDITOR)(?:\s|$)", re.I)),
    ("id", re.compile(r"^UCAP-CONTENT$", re.I)),
    ("id", re.compile(r"^(?:zoom|fontzoom|zoomcon|zoomcontent)$", re.I)),
    ("class", re.compile(r"(?:^|\s)(?:article-content|article_content|articleContent|pages_content|"
                         r"zw-con|wz_zoom|news_content|newsContent|news-content|detail-content|"
                         r"detail_content|details-content|content_text|contentText|art_con|xxgk_content|"
                         r"bt-article|view_content|article-body|articleBody)(?:\s|$)", re.I)),
    ("id", re.compile(r"^(?:article-content|article_content|articleContent|content_text|contentText|"
                      r"news_content|newsContent|detailContent|detail-content|art_content|BodyLabel|"
                      r"mainText|ArticleContent|js_content|ozoom)$", re.I)),
)


# Containers a CMS platform is known to use (hints["platform"]); checked first.
PLATFORM_CONTAINERS: dict[str, tuple[tuple[str, re.Pattern[str]], ...]] = {
    "trs": (("class", re.compile(r"(?:^|\s)TRS_(?:Editor|UEDITOR)(?:\s|$)", re.I)),),
    "hanweb": (("id", re.compile(r"^zoom$", re.I)),),
    "ucap": (("id", re.compile(r"^UCAP-CONTENT$", re.I)),),
    "gkmlpt": (("class", re.compile(r"(?:^|\s)article-content(?:\s|$)", re.I)),),
}


# Class or id words of the blocks a news or blog page hangs under (or beside) its text: reader
# comments and recommendation feeds (comment_box-1xBAR, #comments, related-news, recommend-list).
# Not "reply": on 政民互动 pages the department's reply is the document.
_CHROME_NAME = re.compile(r"(?:^|[\s_-])(?:[Cc]omments?|[Cc]mts?|[Rr]ecommend(?:ed|s)?|[Rr]elated?)(?=$|[\s_\-\dA-Z])")


_CHROME_HINT = re.compile("omment|mt|ecommend|elate")  # a cheap first test of each class and id


def chrome_segments(root, walk: Walk) -> set[int]:
    """Segments inside a comments or recommendation block, by its class or id. A block that
    holds most of the page's prose is never one (a wrapper named after what it also holds)."""
    hits = []
    for i, cls, ident in walk.named:  # every element with a class or an id, read once by the walk
        if ((cls and _CHROME_HINT.search(cls)) or (ident and _CHROME_HINT.search(ident))) \
                and _CHROME_NAME.search(f"{cls or ''} {ident or ''}") and walk.elements[i].tag not in ("body", "html"):
            hits.append(i)
    if not hits:
        return set()
    n = len(walk.elements)
    before = [0.0] * (n + 1)  # before[i]: prose owned by elements ahead of i in pre-order
    for seg, weight in zip(walk.segments, segment_weights(walk)):
        before[seg.owner + 1] += max(weight, 0.0)
    for i in range(n):
        before[i + 1] += before[i]
    marked: list[int] = []
    for i in hits:  # in pre-order
        if marked and i <= walk.end[marked[-1]]:
            continue  # nested inside a block already marked
        if before[walk.end[i] + 1] - before[i] <= 0.5 * before[n]:
            marked.append(i)
    found: set[int] = set()
    for k, seg in enumerate(walk.segments):
        j = bisect_right(marked, seg.owner) - 1
        if j >= 0 and seg.owner <= walk.end[marked[j]]:
            found.add(k)
    return found


@dataclass(slots=True)
class BodyChoice:
    index: int  # pre-order index of the element that encloses the body
    first: int  # first segment of the body (index into walk.segments)
    last: int  # last segment of the body (inclusive); last < first means no body
    how: str  # "hint", "container", "generic" or "none"
    score: float


def segment_weight(seg: Segment) -> float:
    """How much a text segment looks like article text (+) or page furniture (-)."""
    chars = seg.chars
    links = seg.link_chars
    plain = chars - links
    weight = -1.0 * links
    if plain <= 0:
        return weight
    text = seg.text
    if plain < 300 and (boilerplate_score(text) >= 3 or is_boilerplate_line(text)):
        return weight - 2.0 * plain
    punct = len(_SENTENCE_PUNCT.findall(text))
    if " " in text:  # the lookbehind is slow: only where there is a space to look at
        punct += len(_PHRASE_SPACE.findall(text))
    if punct >= 1 or plain >= 40:
        if links > plain:  # a paragraph of links with commas between
            return weight + 0.3 * plain
        return weight + plain * (1.0 + min(punct, 10) * 0.02)
    return weight  # short plain text: neutral


def segment_weights(walk: Walk) -> list[float]:
    """segment_weight of every segment of the walk, computed on the first call (the walk keeps
    them: chrome_segments, locate_body and the extractor's later steps all read them)."""
    if walk.weights is None:
        walk.weights = [segment_weight(s) for s in walk.segments]
    return walk.weights


@lru_cache(maxsize=16)
def _any_of(known: tuple[tuple[str, re.Pattern[str]], ...]) -> tuple[re.Pattern[str], re.Pattern[str]]:
    """All known class names in one pattern, all known ids in another."""
    def union(attr: str) -> re.Pattern[str]:
        parts = [p.pattern for a, p in known if a == attr]
        return re.compile("|".join(f"(?:{x})" for x in parts), re.I) if parts else re.compile(r"(?!)")
    return union("class"), union("id")


def _matches(el, attr: str, pattern: re.Pattern[str]) -> bool:
    value = el.get(attr)
    return bool(value) and bool(pattern.search(value))


def select(root, selector: str) -> list:
    """Elements matching a CSS selector or an XPath (starting with / or ( or ./); [] if invalid."""
    selector = selector.strip()
    if not selector:
        return []
    try:
        if selector.startswith(("/", "(", "./")):
            found = root.xpath(selector)
        else:
            from lxml.cssselect import CSSSelector

            found = CSSSelector(selector)(root)
    except Exception:  # a bad hint must never break extraction
        return []
    if not isinstance(found, list):
        return []
    return [el for el in found if isinstance(el, etree._Element)]


def _segments_in(walk: Walk, index: int) -> tuple[int, int]:
    """(first, last) segment indices owned inside element `index`; last < first if none."""
    lo, hi = index, walk.end[index]
    first = last = -1
    for k, seg in enumerate(walk.segments):
        if lo <= seg.owner <= hi:
            if first < 0:
                first = k
            last = k
        elif first >= 0 and seg.owner > hi:
            break
    return (first, last) if first >= 0 else (0, -1)


def _lca(walk: Walk, a: int, b: int) -> int:
    """Lowest common ancestor (pre-order index) of elements a and b."""
    ancestors = set()
    i = a
    while i >= 0:
        ancestors.add(i)
        i = walk.parent[i]
    i = b
    while i >= 0 and i not in ancestors:
        i = walk.parent[i]
    return max(i, 0)


_ENUMERATED = re.compile(r"^(?:[一二三四五六七八九十]+、|[（(][一二三四五六七八九十\d]{1,3}[)）]|"
                         r"第[一二三四五六七八九十百\d]{1,4}[章节条部分篇]|\d{1,2}[.、．](?!\d))")
# Blocks that hold a paragraph, not a document: a window inside one grows in its container.
_LEAF_BLOCKS = frozenset("p h1 h2 h3 h4 h5 h6 li dd dt blockquote pre center address caption".split())


def _soft(seg: Segment, weight: float) -> bool:
    """A segment the window may grow over inside its container: neutral or positive text, or
    a chrome line that strip_boilerplate removes later (公开方式, 分享到, a 来源 line) — but
    never links or the header of a related list / comments (what follows is not the text)."""
    if weight >= 0 or (seg.chars <= 40 and _ENUMERATED.match(seg.text)):
        return True  # text, or a numbered sub-heading even when it is a link (一、总体要求)
    if seg.link_chars * 2 >= seg.chars or seg.chars > 80:
        return False
    return is_boilerplate_line(seg.text) and not is_related_header(seg.text)


def _widen(walk: Walk, weights: list[float], first: int, last: int, lo: int, hi: int) -> tuple[int, int]:
    """Grow the window over its container's neighbouring lines: signatures, dates, 文号, the
    版记 line after a 公开方式 line, a （原标题：…） line above a 来源 line."""
    segs = walk.segments
    k, steps = first, 0
    while k > 0 and steps < 6 and lo <= segs[k - 1].owner <= hi and not segs[k - 1].heading \
            and _soft(segs[k - 1], weights[k - 1]):
        k -= 1
        steps += 1
        if weights[k] >= 0 or _ENUMERATED.match(segs[k].text):
            first = k  # never start on a chrome line
    k, steps = last, 0
    while k + 1 < len(segs) and steps < 300 and lo <= segs[k + 1].owner <= hi and _soft(segs[k + 1], weights[k + 1]):
        k += 1
        steps += 1
        if weights[k] >= 0:
            last = k  # never end on one
    return first, last


def locate_body(root, walk: Walk, hints: Mapping | None = None, chrome: set[int] | None = None) -> BodyChoice:
    """Choose the body: an enclosing element and a run of its segments. `chrome`: the
    segments of comment and recommendation blocks (chrome_segments), computed if not given."""
    segs = walk.segments
    if not segs or not walk.elements:
        return BodyChoice(0, 0, -1, "none", 0.0)
    weights = list(segment_weights(walk))  # a copy: chrome is weighted down for this choice only
    for k in (chrome_segments(root, walk) if chrome is None else chrome):  # furniture, however sentence-like
        weights[k] = -1.0 * segs[k].chars

    # 1. Profile hint.
    selector = hints.get("body_selector") if isinstance(hints, Mapping) else None
    if isinstance(selector, str) and selector:
        index_of = {id(el): i for i, el in enumerate(walk.elements)}
        for el in select(root, selector):
            i = index_of.get(id(el))
            if i is None:
                continue
            first, last = _segments_in(walk, i)
            if last >= first and sum(segs[k].chars for k in range(first, last + 1)) >= 10:
                return BodyChoice(i, first, last, "hint", sum(weights[first:last + 1]))

    # 2. Generic: maximum-sum window of segments.
    best_sum = 0.0
    best = (0, -1)
    run_sum = 0.0
    run_start = 0
    for k, w in enumerate(weights):
        if run_sum <= 0:
            run_sum = w
            run_start = k
        else:
            run_sum += w
        if run_sum > best_sum:
            best_sum = run_sum
            best = (run_start, k)
    first, last = best
    generic: BodyChoice
    if last < first:
        generic = BodyChoice(0, 0, -1, "none", 0.0)
    else:
        lca = _lca(walk, segs[first].owner, segs[last].owner)
        while walk.elements[lca].tag in _LEAF_BLOCKS and walk.parent[lca] >= 0:
            lca = walk.parent[lca]  # a one-paragraph window: its container holds the rest (a table)
        lo, hi = lca, walk.end[lca]
        first, last = _widen(walk, weights, first, last, lo, hi)
        generic = BodyChoice(lca, first, last, "generic", best_sum)

    # 3. Known CMS containers holding most of that content win (the profile's platform first).
    platform = hints.get("platform") if isinstance(hints, Mapping) else None
    known = KNOWN_CONTAINERS
    if isinstance(platform, str) and platform.lower() in PLATFORM_CONTAINERS:
        known = PLATFORM_CONTAINERS[platform.lower()] + KNOWN_CONTAINERS
    candidates: list[tuple[int, int, int, int, float]] = []
    any_class, any_id = _any_of(known)
    for i, cls, ident in walk.named:
        if not ((cls and any_class.search(cls)) or (ident and any_id.search(ident))):
            continue  # one search per attribute instead of one per known name
        for rank, (attr, pattern) in enumerate(known):
            if _matches(walk.elements[i], attr, pattern):
                cf, cl = _segments_in(walk, i)
                if cl >= cf:
                    score = sum(weights[cf:cl + 1])
                    if score > 0 and sum(segs[k].chars - segs[k].link_chars for k in range(cf, cl + 1)) >= 10:
                        candidates.append((rank, i, cf, cl, score))
                break
    if candidates:
        top = max(c[4] for c in candidates)
        if top >= 0.6 * generic.score:
            near = [c for c in candidates if c[4] >= 0.8 * top]
            rank, i, cf, cl, score = min(near, key=lambda c: (c[0], -c[4]))
            return BodyChoice(i, cf, cl, "container", score)
    return generic
