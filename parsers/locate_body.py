"""Find the element that holds a page's main text.

Generic method: every text segment gets a weight — positive for sentence-like text
(Chinese sentence punctuation `，。；！？、`, or long runs of text), negative for link
text, short label-like fragments and footer boilerplate — and the element whose subtree
has the largest total weight wins (a maximum-subtree search, O(n)). Known CMS containers
(`TRS_Editor`, `#zoom`, `#UCAP-CONTENT`, ...) and profile hints take precedence when
they hold a substantial share of that content.
"""
from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass

from lxml import etree

from .html_tree import Segment, Walk
from .strip_boilerplate import boilerplate_score, is_boilerplate_line

__all__ = ["BodyChoice", "locate_body", "segment_weight", "KNOWN_CONTAINERS"]

_SENTENCE_PUNCT = re.compile(r"[，。；！？、,;!?]")
_DIGITISH = re.compile(r"^[\d\s.,%％‰+\-−–~～:：/()（）·×*]+$")
_CJK = re.compile(r"[\u4e00-\u9fff]")

# (attribute, regex on its value). Order = preference when several are substantial.
KNOWN_CONTAINERS: tuple[tuple[str, re.Pattern[str]], ...] = (
    ("class", re.compile(r"(?:^|\s)TRS_(?:Editor|UEDITOR|PreAppend)(?:\s|$)", re.I)),
    ("id", re.compile(r"^UCAP-CONTENT$", re.I)),
    ("id", re.compile(r"^(?:zoom|Zoom|fontzoom|zoomcon|zoomCon|zoomcontent|ZoomContent)$")),
    ("class", re.compile(r"(?:^|\s)(?:article-content|article_content|articleContent|pages_content|"
                         r"TRS_Editor|zw-con|zwnr|wz_zoom|news_content|newsContent|news-content|"
                         r"detail-content|detail_content|details-content|content_text|contentText|"
                         r"art_con|artCon|view TRS_UEDITOR|xxgk_content|gz_content|bt-article)(?:\s|$)", re.I)),
    ("id", re.compile(r"^(?:article-content|article_content|articleContent|content_text|contentText|"
                      r"news_content|newsContent|detailContent|detail-content|art_content|zw|"
                      r"BodyLabel|mainText|main-text|ArticleContent|fontZoom|js_content|Content|content)$")),
)


@dataclass(slots=True)
class BodyChoice:
    index: int  # pre-order index of the chosen element
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
    if punct >= 1 or plain >= 40:
        if links > plain:  # a paragraph of links with commas between
            return weight + 0.3 * plain
        return weight + plain * (1.0 + min(punct, 10) * 0.02)
    if _DIGITISH.match(text):
        return weight  # numbers in table cells: neutral
    if seg.heading:
        return weight + 0.2 * plain
    return weight - 0.3 * plain


def _matches(el, attr: str, pattern: re.Pattern[str]) -> bool:
    value = el.get(attr)
    return bool(value) and bool(pattern.search(value))


def _select(root, selector: str) -> list:
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
    return [el for el in found if isinstance(el, etree._Element)]


def locate_body(root, walk: Walk, hints: Mapping | None = None) -> tuple[BodyChoice, list[float]]:
    """Choose the body element; return the choice and the per-element subtree scores."""
    n = len(walk.elements)
    own = [0.0] * n
    for seg in walk.segments:
        own[seg.owner] += segment_weight(seg)
    subtree = own[:]
    for i in range(n - 1, 0, -1):
        p = walk.parent[i]
        if p >= 0:
            subtree[p] += subtree[i]
    if n == 0:
        return BodyChoice(0, "none", 0.0), subtree

    index_of = {id(el): i for i, el in enumerate(walk.elements)}

    # 1. Profile hint.
    selector = (hints or {}).get("body_selector") if isinstance(hints, Mapping) else None
    if isinstance(selector, str) and selector:
        for el in _select(root, selector):
            i = index_of.get(id(el))
            if i is not None and _has_text(walk, i):
                return BodyChoice(i, "hint", subtree[i]), subtree

    # 2. Generic maximum subtree (skip <html>: prefer <body> or below on ties).
    best = max(range(n), key=lambda i: (subtree[i], -i if walk.parent[i] >= 0 else -n * 2))
    best_score = subtree[best]

    # 3. Known CMS containers holding a good share of the content win.
    candidates: list[tuple[int, int]] = []
    for i, el in enumerate(walk.elements):
        for rank, (attr, pattern) in enumerate(KNOWN_CONTAINERS):
            if _matches(el, attr, pattern):
                candidates.append((rank, i))
                break
    good = []
    for rank, i in candidates:
        if subtree[i] <= 0 or not _has_text(walk, i):
            continue
        if i <= best <= walk.end[i] and i != best:
            need = 0.95  # an ancestor of the best element: only if it adds no noise
        elif best <= i <= walk.end[best]:
            need = 0.5  # inside the best element: more specific, fine
        else:
            need = 0.8  # elsewhere on the page
        if subtree[i] >= need * best_score:
            good.append((rank, i))
    if good:
        # Prefer the best-scoring container; among near-equals the more specific kind.
        top = max(subtree[i] for _, i in good)
        near = [(rank, i) for rank, i in good if subtree[i] >= 0.8 * top]
        rank, i = min(near, key=lambda t: (t[0], -subtree[t[1]]))
        return BodyChoice(i, "container", subtree[i]), subtree

    if best_score <= 0:
        return BodyChoice(best, "none", best_score), subtree
    return BodyChoice(best, "generic", best_score), subtree


def _has_text(walk: Walk, index: int) -> bool:
    end = walk.end[index]
    total = 0
    for seg in walk.segments:
        if index <= seg.owner <= end:
            total += seg.chars - seg.link_chars
            if total >= 10:
                return True
    return False
