"""References in a body to other documents: 《title》（文号）, 《title》 and bare 文号. Pure.

    find_citations(body, own_title=..., own_doc_number=...) -> [Citation]

Each citation keeps the exact span as printed (``text``, offsets into the body), the title and
the 文号 as printed, and a type from the words around it (vocabulary.CITATION_TYPES):
``repeal`` (…同时废止, 决定废止《…》), ``forward`` (转发), ``basis`` (根据, 依据, 依照, 按照,
遵照, 贯彻), ``reference`` (参照, 参考, 比照, 详见), else ``other``.

A document does not cite itself: its own 文号 and, in a 关于印发《X》的通知, the X it issues
are left out (a 关于转发《X》的通知 does cite X: a forwarded document is another document).
"""
from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass

from .normalise import fold_for_compare, normalise_doc_number

__all__ = ["Citation", "find_citations", "DOC_NUMBER", "own_inner_titles"]

_OPEN = r"[〔\[［(（【﹝]"
_CLOSE = r"[〕\]］)）】﹞]"
# 云政规〔2019〕2号, 青政发(2014)20号, 国办发〔2020〕第5号 — a prefix of Han characters, a bracketed
# year, a number. The prefix stops at words that end a phrase (根据, 按照 …) being glued to it.
DOC_NUMBER = (rf"[\u4e00-\u9fff]{{1,12}}?\s*{_OPEN}\s*(?:19|20)\d{{2}}\s*{_CLOSE}\s*第?\s*\d{{1,5}}\s*号")
_DOC_NUMBER_RE = re.compile(DOC_NUMBER)
_TITLED = re.compile(rf"《(?P<title>[^《》\n]{{2,150}})》(?:\s*[（(]\s*(?P<num>{DOC_NUMBER})\s*[)）])?")
# Words that end a phrase and may stand right before a bare 文号: not part of its prefix.
_LEAD_WORDS = re.compile(r"^.*(?:根据|依据|依照|按照|遵照|参照|参考|比照|转发|废止|执行|落实|贯彻|印发|下发|"
                         r"文件|以及|和|及|与|、|的|将|对|经|原|见|即|为|是|在|按|据|由|同)")
_ISSUE_TITLE = re.compile(r"(?:印发|颁布|发布|公布)[^《]{0,10}《(?P<inner>[^《》]+)》")

_REPEAL_AFTER = re.compile(r"^[^。；\n]{0,12}?(?:同时废止|予以废止|即行废止|废止|同时失效|宣布失效|失效|停止执行|不再执行)")
_REPEAL_BEFORE = re.compile(r"(?:废止|宣布失效)[^，。；：\n]{0,12}$")
_FORWARD = re.compile(r"转发")
_BASIS_BEFORE = re.compile(r"(?:根据|依据|依照|按照|遵照|贯彻|落实|遵循)[^。；\n]{0,40}$")
_REFERENCE_BEFORE = re.compile(r"(?:参照|参考|比照|详见|见)[^，。；\n]{0,20}$")
_OTHER_SPANS = re.compile(r"《[^《》]*》(?:\s*\([^()]*\))?[、和及与]?")
_REFERENCE_AFTER = re.compile(r"^[^。；\n]{0,10}?(?:参照执行|参照|比照执行)")


@dataclass(frozen=True)
class Citation:
    text: str                    # the span exactly as printed
    title: str | None
    doc_number: str | None       # as printed
    type: str                    # vocabulary.CITATION_TYPES
    start: int
    end: int

    def as_dict(self) -> dict:
        return {"text": self.text, "title": self.title, "doc_number": self.doc_number, "type": self.type,
                "start": self.start, "end": self.end}


def own_inner_titles(own_title: str) -> set[str]:
    """Folded titles a document is itself: its title and the X of 关于印发《X》的通知."""
    out = {fold_for_compare(own_title)} if own_title else set()
    for m in _ISSUE_TITLE.finditer(own_title or ""):
        out.add(fold_for_compare(m.group("inner")))
    return out - {""}


def _strip_prefix(number: str) -> str:
    """A bare 文号 match may have swallowed the words before it (根据云政办〔2018〕15号)."""
    bracket = re.search(_OPEN, number)
    head, tail = number[:bracket.start()], number[bracket.start():]
    m = _LEAD_WORDS.match(head)
    if m and m.end() < len(head):
        head = head[m.end():]
    return head + tail


def find_citations(body: str, *, own_title: str = "", own_doc_number: str | None = None) -> list[Citation]:
    """Every reference to another document in ``body``, in text order."""
    text = body or ""
    own = own_inner_titles(own_title)
    own_no = normalise_doc_number(own_doc_number) if own_doc_number else None
    out: list[Citation] = []
    taken: list[tuple[int, int]] = []
    for m in _TITLED.finditer(text):
        title, num = m.group("title").strip(), m.group("num")
        taken.append((m.start(), m.end()))
        if fold_for_compare(title) in own and not num:
            continue
        if re.search(r"(?:简称|以下称|下称)\s*$", text[max(0, m.start() - 6):m.start()]):
            continue                         # （以下简称《办法》）: a short name, not a reference
        if num and own_no and normalise_doc_number(num) == own_no:
            continue
        out.append(Citation(m.group(0), title, _clean_number(num) if num else None,
                            _type(text, m.start(), m.end()), m.start(), m.end()))
    for m in _DOC_NUMBER_RE.finditer(text):
        start = m.start() + (len(m.group(0)) - len(_strip_prefix(m.group(0))))
        if any(a <= start < b for a, b in taken):
            continue
        number = text[start:m.end()]
        if own_no and normalise_doc_number(number) == own_no:
            continue
        out.append(Citation(number, None, number, _type(text, start, m.end()), start, m.end()))
    out.sort(key=lambda c: c.start)
    return out


def _clean_number(number: str) -> str:
    return number.strip()


def _type(text: str, start: int, end: int) -> str:
    """The citation's type from the words of its clause before and after the span."""
    line_start = max(text.rfind("\n", 0, start), text.rfind("。", 0, start), text.rfind("；", 0, start)) + 1
    before = unicodedata.normalize("NFKC", text[line_start:start])
    after = unicodedata.normalize("NFKC", text[end:end + 40])
    # Another citation right after this one ("《A》《B》同时废止") shares the words after it.
    after = re.sub(r"^(?:[、和及与,，]?\s*《[^《》]*》(?:\s*\([^()]*\))?)+", "", after)
    before = _OTHER_SPANS.sub("", before)
    if _REPEAL_AFTER.search(after) or _REPEAL_BEFORE.search(before):
        return "repeal"
    clause = re.split(r"[,，]", before)[-1]
    if _FORWARD.search(clause) or re.match(r"^[^。；\n]{0,6}转发", after):
        return "forward"
    if _REFERENCE_BEFORE.search(clause) or _REFERENCE_AFTER.search(after):
        return "reference"
    if _BASIS_BEFORE.search(clause):
        return "basis"
    return "other"
