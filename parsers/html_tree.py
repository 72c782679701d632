"""HTML text -> a cleaned lxml tree -> a flat list of text segments.

The tree is parsed leniently (libxml2 via lxml) after repairs that browsers make silently:
a stray `</html>`/`</body>` in the middle of a page (left by server-side includes) would
otherwise make libxml2 drop everything after it. Scripts, styles, forms controls and
hidden elements are removed. `segments()` then walks the tree once, iteratively (deep
trees cannot overflow the stack), and returns the page as ordered text segments, one per
run of inline content inside a block element, split at `<br>`.
"""
from __future__ import annotations

import re
from dataclasses import dataclass

from lxml import etree

from .normalise import normalise_space

__all__ = ["parse_html", "parse_page", "prune", "Segment", "segments", "text_of", "BLOCK_TAGS", "MAX_CHARS"]

# Pages larger than this (characters), once inline data, scripts and styles are set aside,
# are cut before parsing to bound time and memory (≈ 2 s and 300 MB at this size), and the
# record is flagged `truncated`.
MAX_CHARS = 3_000_000

BLOCK_TAGS = frozenset(
    "address article aside blockquote body center dd details dialog dir div dl dt fieldset "
    "figcaption figure footer form frameset h1 h2 h3 h4 h5 h6 header hgroup hr html li main "
    "menu nav ol p pre section summary table tbody td tfoot th thead tr ul caption legend "
    "option text".split()
)
DROP_TAGS = frozenset(
    "script style noscript iframe frame select option button input textarea object embed "
    "svg canvas map template head title meta link param audio video source track applet "
    "datalist output progress meter math".split()
)

# None of these is text of the page: set aside before a large page is measured against MAX_CHARS.
_DATA_URI = re.compile(r"""data:[^"'\s>)]{2048,}""", re.I)
_SCRIPT_STYLE = re.compile(r"<(script|style)\b[^>]*>.*?</\1\s*>", re.I | re.S)
# Unclosed inline tags (<font> without </font>) nest every following element one level
# deeper; libxml2 stops at 2048 levels even with huge_tree. Without them, most such pages parse.
_INLINE_TAGS = re.compile(r"</?(?:font|span|b|i|u|em|strong|small|big|strike|s|ins|del|sub|sup)\b[^>]*>", re.I)
_XML_DECL = re.compile(r"^\s*<\?xml[^>]*\?>", re.I)
_STRAY_CLOSE = re.compile(r"</\s*(?:html|body)\s*>", re.I)
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")
# The same two on UTF-8 bytes: _CONTROL's characters, and \s as str patterns read it (Unicode
# white space, in UTF-8) minus the controls already gone; no re.I, so "</" is searched as a literal.
_CONTROL_BYTES = bytes((*range(0x00, 0x09), 0x0B, 0x0C, *range(0x0E, 0x20), 0x7F))
_UTF8_SPACE = rb"(?:[ \t\n\r]|\xc2[\x85\xa0]|\xe1\x9a\x80|\xe2\x80[\x80-\x8a\xa8\xa9\xaf]|\xe2\x81\x9f|\xe3\x80\x80)*"
_STRAY_CLOSE_UTF8 = re.compile(rb"</" + _UTF8_SPACE + rb"(?:[hH][tT][mM][lL]|[bB][oO][dD][yY])" + _UTF8_SPACE + rb">")
_HIDDEN_STYLE = re.compile(r"display\s*:\s*none|visibility\s*:\s*hidden", re.I)
_NO_SPACES = str.maketrans("", "", " \n\t\r\u3000\xa0")
HEADINGS = frozenset(("h1", "h2", "h3", "h4", "h5", "h6"))
_TOP_HEADINGS = frozenset(("h1", "h2", "h3"))  # where a title may sit without a class naming it
# libxml2's HTML parser lower-cases tag names: the walks below compare them as they are.


def parse_html(text: str):
    """Parse page text into an lxml.html document root, or None when there is no document."""
    return parse_page(text)[0]


def parse_page(text: str):
    """(root or None, truncated): `truncated` when part of the page could not be parsed,
    because it is longer than MAX_CHARS or nested deeper than libxml2 follows."""
    if not text:
        return None, False
    truncated = False
    if len(text) > MAX_CHARS:
        text = _SCRIPT_STYLE.sub("", _DATA_URI.sub("data:,", text))
        if len(text) > MAX_CHARS:
            text, truncated = text[:MAX_CHARS], True
    text = _XML_DECL.sub("", text, count=1)
    data = _repaired(text)
    if data is None:  # not encodable as UTF-8 (lone surrogates): the same repairs on the text
        text = _STRAY_CLOSE.sub("", _CONTROL.sub("", text))
        if not text.strip():
            return None, truncated
        root, too_deep = _parse(text)
    else:
        stripped = data.strip()
        if not stripped or (stripped[0] >= 0x80 and not stripped.decode("utf-8").strip()):
            return None, truncated  # only (Unicode) white space
        root, too_deep = _parse(data, "utf-8")
        if too_deep:
            text = data.decode("utf-8")
    if too_deep:  # rare; on the text, where \b and re.I mean what they mean for its characters
        flat, too_deep = _parse(_INLINE_TAGS.sub("", text))
        root = flat if flat is not None else root
    return root, truncated or too_deep


def _repaired(text: str) -> bytes | None:
    """The text as UTF-8 without control characters and stray </html>, </body>, or None.

    The repairs run on bytes (a C loop for the controls, which in UTF-8 are only ever the
    ASCII bytes themselves) and libxml2 reads UTF-8 natively: both faster than on str.
    """
    try:
        data = text.encode("utf-8")
    except UnicodeEncodeError:
        return None
    return _STRAY_CLOSE_UTF8.sub(b"", data.translate(None, _CONTROL_BYTES))


def _parse(text: str | bytes, encoding: str | None = None):
    """(root or None, whether libxml2 stopped early at one of its limits)."""
    # Plain lxml.etree elements (not lxml.html's): the same libxml2 tree, faster to walk.
    # huge_tree: 2048 levels instead of 256 (pages of unclosed <font> tags go deeper).
    parser = etree.HTMLParser(remove_comments=True, remove_pis=True, no_network=True, recover=True,
                              default_doctype=False, huge_tree=True, encoding=encoding)
    try:
        root = etree.fromstring(text, parser=parser)
    except (etree.ParserError, etree.XMLSyntaxError, ValueError):
        return None, False
    stopped = any(e.level_name == "FATAL" for e in parser.error_log)
    if root is None or not isinstance(root.tag, str):
        return None, stopped
    return root, stopped


def text_of(el) -> str:
    """All text inside an element (like lxml.html's text_content())."""
    try:
        if el.tag.__class__ is str and not len(el):  # no children (most links, cells): its text
            return el.text or ""
        return "".join(t for t in el.itertext() if isinstance(t, str))
    except (ValueError, TypeError):
        return ""


# Below this many visible characters a page has no readable text of its own, and hidden
# blocks are kept as a fallback: the article is then revealed by a script (tabs, loaders).
_MIN_VISIBLE_CHARS = 200


def _hidden(root) -> list:
    """Hidden elements in document order, those inside a DROP_TAGS element included. One Python
    loop is faster here than libxml2's XPath `//*[@style or …]` (measured: 35 ms against 50 ms
    per 100 pages), whose `//` step collects every node of the page, text nodes included."""
    hidden = []
    drop = DROP_TAGS
    for el in root.iter():
        keys = el.keys()
        if keys and ("style" in keys or "hidden" in keys or "aria-hidden" in keys) and el.tag not in drop \
                and el.tag.__class__ is str and _is_hidden(el):
            hidden.append(el)
    return hidden


def _is_hidden(el) -> bool:
    """display:none / visibility:hidden / the hidden attribute / an aria-hidden block.

    <html> and <body> are never hidden: portals (gkmlpt) hide the whole body until a script
    has run, and a reader sees it then. aria-hidden icons (<i>, <span>) hold no text anyway.
    """
    if el.tag in ("html", "body"):
        return False
    style = el.get("style")
    if style and _HIDDEN_STYLE.search(style):
        return True
    if el.get("hidden") is not None:
        return True
    return el.get("aria-hidden") == "true" and el.tag not in ("i", "span", "em", "b")


def prune(root) -> None:
    """Remove non-content elements in place (scripts, styles, controls, hidden blocks).

    Hidden elements are not text a reader sees (read-aloud copies of the article, collapsed
    menus, pop-ups), so they go, unless the page shows almost nothing else.
    """
    hidden = _hidden(root)
    # In libxml2, keeping each removed element's tail text in its place (as _remove_keep_tail).
    etree.strip_elements(root, etree.Comment, etree.ProcessingInstruction, etree.Entity, *DROP_TAGS,
                         with_tail=False)
    outer = [el for el in hidden if not any(_is_hidden(a) for a in el.iterancestors())]
    hidden_chars = sum(_chars(el) for el in outer)
    if hidden_chars >= 100 and _chars(root) - hidden_chars < _MIN_VISIBLE_CHARS:
        outer = [el for el in outer if _chars(el) < 100]  # keep what may be the article
    for el in outer:
        _remove_keep_tail(el)


def _chars(el) -> int:
    return len(text_of(el).translate(_NO_SPACES))


def _remove_keep_tail(el) -> None:
    parent = el.getparent()
    if parent is None:
        return
    tail = el.tail
    if tail:
        prev = el.getprevious()
        if prev is not None:
            prev.tail = (prev.tail or "") + tail
        else:
            parent.text = (parent.text or "") + tail
    parent.remove(el)


@dataclass(slots=True)
class Segment:
    """A run of inline text inside one block element."""

    text: str  # whitespace-normalised
    link_chars: int  # non-space characters inside <a>
    chars: int  # non-space characters in total
    owner: int  # pre-order index of the innermost block element holding the text
    row: int  # pre-order index of the <tr> whose cell holds the text, or -1
    cell: int  # pre-order index of the innermost <td>/<th> holding the text (at any depth), or -1
    heading: bool  # inside h1..h6


@dataclass(slots=True)
class Walk:
    segments: list[Segment]
    elements: list  # pre-order list of elements
    end: list[int]  # end[i] = last pre-order index inside element i's subtree
    parent: list[int]  # parent pre-order index (-1 for the root)
    # (index, class, id) of every element with a class or an id, and of every h1..h3, in
    # pre-order: what the later stages look up by name, read once here instead of per stage.
    named: list[tuple[int, str | None, str | None]]
    # Each segment's weight (locate_body.segment_weights), computed once for every stage that needs it.
    weights: list[float] | None = None


def segments(root) -> Walk:
    """Walk the tree once; return its text segments and pre-order bookkeeping."""
    # One flat loop over libxml2's start/end events with everything in locals: this walk is
    # the extractor's hottest code (every element of every page), so no helper calls per event.
    elements: list = []
    end: list[int] = []
    parent: list[int] = []
    out: list[Segment] = []
    buf: list[str] = []
    links = 0  # non-space characters inside <a> in buf
    stack: list[int] = [-1]  # pre-order indices of open elements, over a sentinel: the root's parent
    block_stack: list[int] = [0]  # owner of text outside every block: the root's index
    row_stack: list[int] = [-1]
    cell_stack: list[int] = [-1]  # innermost open cell; -1 while inside a table but outside its cells
    heading_depth = 0
    link_depth = 0
    named: list[tuple[int, str | None, str | None]] = []
    block_tags, headings, top_headings, no_spaces = BLOCK_TAGS, HEADINGS, _TOP_HEADINGS, _NO_SPACES
    add_named = named.append
    add_element, add_end, add_parent, push, pop = elements.append, end.append, parent.append, stack.append, stack.pop

    def flush(raw: str, links: int) -> None:
        if raw.isspace():  # indentation between blocks: most flushes on a real page
            return
        text = normalise_space(raw)
        if text:
            chars = len(text) - text.count(" ")
            cell = cell_stack[-1]
            out.append(Segment(text, min(links, chars), chars, block_stack[-1],
                               row_stack[-1] if cell >= 0 else -1, cell, heading_depth > 0))

    for event, el in etree.iterwalk(root, events=("start", "end")):
        tag = el.tag
        if tag.__class__ is not str:  # a comment or entity left in an unpruned tree
            if event == "end" and (text := el.tail):
                buf.append(text)
                if link_depth:
                    links += len(text.translate(no_spaces))
            continue
        if event == "start":
            idx = len(elements)
            add_element(el)
            add_end(idx)
            add_parent(stack[-1])
            push(idx)
            cls, ident = (el.get("class"), el.get("id")) if el.attrib else (None, None)
            if cls or ident or tag in top_headings:
                add_named((idx, cls, ident))
            if tag in block_tags:
                if buf:
                    flush("".join(buf), links)
                    buf.clear()
                    links = 0
                block_stack.append(idx)
                if tag == "tr":
                    row_stack.append(idx)
                elif tag == "td" or tag == "th":
                    cell_stack.append(idx)
                elif tag == "table":
                    cell_stack.append(-1)
                elif tag in headings:
                    heading_depth += 1
            elif tag == "br":
                if buf:
                    flush("".join(buf), links)
                    buf.clear()
                    links = 0
            elif tag == "a":
                link_depth += 1
            if text := el.text:
                buf.append(text)
                if link_depth:
                    links += len(text.translate(no_spaces))
        else:
            end[pop()] = len(elements) - 1
            if tag in block_tags:
                if buf:
                    flush("".join(buf), links)
                    buf.clear()
                    links = 0
                block_stack.pop()
                if tag == "tr":
                    row_stack.pop()
                elif tag == "td" or tag == "th" or tag == "table":
                    cell_stack.pop()
                elif tag in headings:
                    heading_depth -= 1
            elif tag == "a":
                link_depth -= 1  # tails of links are plain text
            if text := el.tail:
                buf.append(text)
                if link_depth:
                    links += len(text.translate(no_spaces))
    if buf:
        flush("".join(buf), links)
    return Walk(out, elements, end, parent, named)
