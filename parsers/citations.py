"""References in a body to other documents: 《title》（文号）, 《title》 and bare 文号. Pure.

    find_citations(body, own_title=..., own_doc_number=...) -> [Citation]

Each citation keeps the exact span as printed (``text``, offsets into the body), the title and
the 文号 as printed, and a type from the words around it (vocabulary.CITATION_TYPES):
``repeal`` (…同时废止, 决定废止《…》), ``forward`` (转发), ``basis`` (根据, 依据, 依照, 按照,
遵照, 贯彻), ``reference`` (参照, 参考, 比照, 详见), else ``other``.

Every span counts (benchmarks/corpus/validity/README.md): short forms such as 《办法》 and the
《X》 a 关于印发《X》的通知 issues are spans too (the archive does not link a span to the document
itself); only the document's own 文号 (its header line) is left out.
"""
from __future__ import annotations

import re
from dataclasses import dataclass

from .normalise import fold_for_compare, normalise_doc_number

__all__ = ["Citation", "find_citations", "DOC_NUMBER", "own_inner_titles"]

_OPEN = r"[〔\[［(（【﹝]"
_CLOSE = r"[〕\]］)）】﹞]"
# 云政规〔2019〕2号, 青政发(2014)20号, 国办发〔2020〕第5号 — a prefix of Han characters, a bracketed
# year, a number. The prefix stops at words that end a phrase (根据, 按照 …) being glued to it.
DOC_NUMBER = (rf"[\u4e00-\u9fff]{{1,20}}?\s*{_OPEN}\s*(?:19|20)\d{{2}}\s*{_CLOSE}\s*第?\s*\d{{1,5}}\s*号")
_DOC_NUMBER_RE = re.compile(DOC_NUMBER)
# What may follow a 《title》 in brackets: a 文号 (also 令2011年第2号), with the words printed around
# it (中国人民银行公告〔2013〕第9号公布, 银发〔2006〕291号文印发); all of it is the span and the number.
_PAREN_NUMBER = (rf"[^（）()《》\n]{{0,40}}?(?:{_OPEN}\s*(?:19|20)\d{{2}}\s*{_CLOSE}|(?:19|20)\d{{2}}\s*年)\s*第?\s*\d{{1,5}}\s*号"
                 rf"[^（）()《》\n]{{0,8}}?")
_TITLED = re.compile(rf"《(?P<title>[^《》\n]{{1,150}})》(?:\s*[（(]\s*(?P<num>{_PAREN_NUMBER})\s*[)）])?")
# Words that end a phrase and may stand right before a bare 文号: not part of its prefix.
_LEAD_WORDS = re.compile(r"^.*(?:根据|依据|依照|按照|遵照|参照|参考|比照|转发|废止|执行|落实|贯彻|印发|下发|"
                         r"文件|以及|和|及|与|、|的|将|对|经|原|见|即|为|是|在|按|据|由|同)")
_ISSUE_TITLE = re.compile(r"(?:印发|颁布|发布|公布)[^《]{0,10}《(?P<inner>[^《》]+)》")

# After the span, within its clause, with only other citations between: 《A》（…）同时废止, 自…起废止.
_REPEAL_AFTER = re.compile(r"^\s*(?:同时|予以|即行|一并|随之|自[^，。；,;]{0,20}?起)?\s*(?:宣布失效|废止|失效)")
# The verbs that govern a span, nearest before it in its clause wins (corpus convention).
_VERBS = re.compile(r"根据|依据|转发|参照|宣布失效|废止|失效|按照|依照|遵照|落实|贯彻|印发|修改|修订|执行|结合|对照|"
                    r"发布|制定|实施|参考|比照")
_VERB_TYPES = {"根据": "basis", "依据": "basis", "转发": "forward", "参照": "reference", "宣布失效": "repeal",
               "废止": "repeal", "失效": "repeal"}
_OTHER_SPANS = re.compile(r"《[^《》]*》(?:\s*[(（][^()（）]*[)）])?[、和及与]?")
_CLAUSE_END = re.compile(r"[，。；,;\n]")


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
    own_no = normalise_doc_number(own_doc_number) if own_doc_number else None
    header_end = _header_end(text, own_title, own_no)
    out: list[Citation] = []
    taken: list[tuple[int, int]] = []
    for m in _TITLED.finditer(text, header_end):
        title, num = m.group("title").strip(), m.group("num")
        taken.append((m.start(), m.end()))
        if num and own_no and normalise_doc_number(num) == own_no:
            continue
        out.append(Citation(m.group(0), title, _clean_number(num) if num else None,
                            _type(text, m.start(), m.end()), m.start(), m.end()))
    for m in _DOC_NUMBER_RE.finditer(text, header_end):
        start = m.start() + (len(m.group(0)) - len(_strip_prefix(m.group(0))))
        if any(a <= start < b for a, b in taken):
            continue
        number = text[start:m.end()]
        if own_no and normalise_doc_number(number) == own_no:
            continue
        out.append(Citation(number, None, number, _type(text, start, m.end()), start, m.end()))
    out.sort(key=lambda c: c.start)
    return out


def _header_end(text: str, own_title: str, own_no: str | None) -> int:
    """Where the body's header ends: leading lines that repeat the document's title or 文号."""
    title = fold_for_compare(own_title)
    pos = 0
    for line in text.split("\n")[:4]:
        folded = fold_for_compare(line)
        if folded and (folded == title or (own_no and fold_for_compare(own_no) == folded)
                       or (title and len(folded) >= 8 and folded in title)):
            pos += len(line) + 1
        else:
            break
    return min(pos, len(text))


def _clean_number(number: str) -> str:
    return number.strip()


def _type(text: str, start: int, end: int) -> str:
    """The type from the nearest governing verb of the span's clause (text between ，。；)."""
    left = max((m.end() for m in _CLAUSE_END.finditer(text, max(0, start - 200), start)), default=max(0, start - 200))
    before = _OTHER_SPANS.sub("", text[left:start])
    stop = _CLAUSE_END.search(text, end)
    after = text[end:stop.start() if stop else len(text)]
    after = re.sub(r"^(?:\s*[、和及与]?\s*《[^《》]*》(?:\s*[(（][^()（）]*[)）])?)+", "", after)
    if _REPEAL_AFTER.search(after):
        return "repeal"
    verbs = list(_VERBS.finditer(before))
    if verbs:
        return _VERB_TYPES.get(verbs[-1].group(0), "other")
    if re.match(r"^[^，。；]{0,8}转发", after):
        return "forward"
    if re.match(r"^[^，。；]{0,4}参照", after):
        return "reference"
    return "other"
