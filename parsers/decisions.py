"""Decisions about other documents: 废止, 宣布失效, 修改, 延长有效期, 继续有效. Pure.

    decision = read_decision(title, body)    # None unless it decides about other documents it names
    decision.targets -> [Target(title, doc_number, issuer, action, text, new_expiry, extend_by)]

A decision is recognised by its title (关于废止…的决定, 关于宣布失效…, 关于修改《…》的决定,
关于延长《…》有效期的通知, 规范性文件清理结果, 继续有效/现行有效…目录). Its targets come from

* table rows (cells joined by spaces, as the extractor prints a row): a header row names the
  columns (文件名称, 文号, 发文机关/制定机关, 清理结果/处理意见); without one, a cell shaped like
  a 文号, an action word, a government body and the longest remaining cell (the title) are told
  apart by their shape;
* numbered lists under a heading that names the action (一、决定废止的规范性文件（3件）);
* sentences naming documents with an action word (决定废止《…》（…）, 对《…》作如下修改,
  将《…》有效期延长至…, 《…》继续有效);
* the title itself when the body names no target (关于修改《X》的决定).

Each target keeps the line it was read from (``text``). Actions are vocabulary.DECISION_ACTIONS.
"""
from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, field

from .citations import DOC_NUMBER, find_citations
from .normalise import doc_type_from_title, fold_for_compare, normalise_date
from .validity_clauses import CN_NUMBER, DATE, _number
from .vocabulary import ACTION_WORDS

__all__ = ["Target", "Decision", "read_decision", "action_in", "is_decision_title"]

_DECISION_TITLE = re.compile(
    r"废止|宣布失效|宣告失效|失效|继续有效|现行有效|延长[^，。]{0,60}有效期|有效期[^，。]{0,6}延长|清理结果|清理情况|"
    r"清理的(?:决定|通知)|清理工作|修改[^，。]{0,80}的决定|修正[^，。]{0,80}的决定|保留[^，。]{0,30}目录")
_ISSUING_TITLE = re.compile(r"^关于印发|^印发")
_NUMBERED = re.compile(r"^\s*(?:\d{1,3}\s*[.、．)）]|[（(]\s*\d{1,3}\s*[)）]|[一二三四五六七八九十]{1,3}\s*、|\d{1,3}\s+)")
_HEADING_NUMBER = re.compile(r"^\s*(?:[一二三四五六七八九十]{1,3}\s*、|[（(][一二三四五六七八九十]{1,3}[)）]|第[一二三四五六七八九十]+[部分类])")
_DOC_NUMBER_RE = re.compile(DOC_NUMBER)
_GOV_BODY = re.compile(r"(?:人民政府|政府|办公室|办公厅|委员会|局|委|厅|办|署|中心|院|街道办事处|管委会|分局)$")
_NEW_EXPIRY = re.compile(rf"(?:延长至|延长到|延期至|延续至|有效期至|有效期延长至)\s*(?P<date>{DATE})")
_EXTEND_BY = re.compile(rf"(?:延长|延期|延续)\s*(?P<n>{CN_NUMBER})\s*(?P<unit>年|个月|月)")
_HEADER_ROLES = (
    ("number", re.compile(r"^(?:序号|编号|序)$")),
    ("title", re.compile(r"名称|标题|文件$|^文件名")),
    ("doc_number", re.compile(r"文号|字号|编号")),
    ("issuer", re.compile(r"机关|单位|部门|机构|发文")),
    ("action", re.compile(r"结果|意见|处理|清理|类别|状态|备注|方式|决定")),
)


@dataclass(frozen=True)
class Target:
    title: str | None
    doc_number: str | None        # as printed
    issuer: str | None
    action: str                   # vocabulary.DECISION_ACTIONS
    text: str                     # the line or row it was read from
    new_expiry: str | None = None  # extend: 有效期延长至…
    extend_by: tuple[int, str] | None = None  # extend: 延长N年 -> (N, '年') or (N, '月')

    def as_dict(self) -> dict:
        return {"title": self.title, "doc_number": self.doc_number, "issuer": self.issuer, "action": self.action,
                "text": self.text, "new_expiry": self.new_expiry,
                "extend_by": list(self.extend_by) if self.extend_by else None}


@dataclass
class Decision:
    targets: list[Target] = field(default_factory=list)

    def as_dict(self) -> dict:
        return {"targets": [t.as_dict() for t in self.targets]}


def is_decision_title(title: str) -> bool:
    t = unicodedata.normalize("NFKC", title or "")
    if not _DECISION_TITLE.search(t):
        return False
    # 关于印发《…办法（修订）》的通知 issues a document; a 清理结果 notice may be 印发 too.
    return not _ISSUING_TITLE.search(t) or bool(re.search(r"清理|废止|失效|继续有效|现行有效", t))


def action_in(text: str, *, whole: bool = False) -> str | None:
    """The decision action a phrase names (宣布失效 -> invalidate, 废止 -> repeal …), or None.

    ``whole``: the phrase is a table cell, so the bare words 有效/保留 mean continue; in running
    text they do not (有效期, 保留意见)."""
    t = re.sub(r"\s+", "", unicodedata.normalize("NFKC", text or ""))
    if not t:
        return None
    if re.search(r"继续有效|继续执行|继续保留|现行有效", t) and not re.search(r"不再|停止", t):
        return "continue"
    if re.search(r"宣布失效|宣告失效|予以失效", t):
        return "invalidate"
    if re.search(r"延长|延期|延续", t):
        return "extend"
    if re.search(r"废止|停止执行|不再执行|撤销", t):
        return "repeal"
    if re.search(r"修改|修订|修正", t):
        return "amend"
    if re.search(r"失效", t):
        return "invalidate"
    if whole and t in ACTION_WORDS["continue"]:
        return "continue"
    return None


# A body that decides about documents it names, whatever its title (…公告〔2025〕第6号).
_DECIDES = re.compile(r"(?:决定|现)(?:予以)?(?:废止|宣布失效)|(?:决定|现)对[^。；]{0,120}?作(?:出)?[如以]下修改|决定修改|"
                      r"决定将[^。；]{0,80}?有效期延长|》[^。；]{0,40}?自(?:本)?公告(?:发布|公布)?之日起(?:废止|失效)")


def read_decision(title: str, body: str) -> Decision | None:
    """The targets of a decision document; None if the document is not a decision."""
    if not is_decision_title(title) and not _DECIDES.search(_unquoted(unicodedata.normalize("NFKC", body or ""))):
        return None
    lines = [line.strip() for line in (body or "").split("\n") if line.strip()]
    targets: list[Target] = []
    header: list[str] | None = None
    heading_action = None
    own = fold_for_compare(title)
    lines = _outside_quotes(lines)
    for line in lines:
        folded = fold_for_compare(line)
        if folded and own and (folded == own or (len(folded) >= 8 and folded in own)):
            continue                         # the body's header repeats the title: not a target
        cells = _cells(line)
        if _is_header(cells):
            header = [_role(c) for c in cells]
            continue
        if _is_heading(line):
            heading_action = action_in(line) or heading_action
            continue
        row = _table_row(line, cells, header, heading_action)
        if row:
            targets.append(row)
            continue
        targets.extend(_sentence_targets(line, heading_action))
    if not targets:
        targets.extend(_title_targets(title))
    return Decision(_unique(targets)) if targets else None


def _cells(line: str) -> list[str]:
    """A row's cells: split at ` | ` (docs/design.md) or else at spaces, with a 文号 printed
    with spaces inside kept whole."""
    protected = _DOC_NUMBER_RE.sub(lambda m: re.sub(r"\s+", "", m.group(0)), line)
    if " | " in protected:
        return [c.strip() for c in protected.split(" | ") if c.strip()]
    return [c for c in re.split(r"[ \u3000\t]+", protected) if c]


def _role(cell: str) -> str | None:
    for role, pattern in _HEADER_ROLES:
        if pattern.search(cell):
            return role
    return None


def _is_header(cells: list[str]) -> bool:
    roles = [_role(c) for c in cells]
    return len(cells) >= 3 and "title" in roles and ("doc_number" in roles or "action" in roles) \
        and not any(_DOC_NUMBER_RE.search(c) for c in cells) and all(len(c) <= 12 for c in cells)


def _is_heading(line: str) -> bool:
    """一、决定废止的规范性文件（3件）: names an action, no document of its own."""
    t = unicodedata.normalize("NFKC", line)
    if len(t) > 60 or _DOC_NUMBER_RE.search(t) or "《" in t:
        return False
    if not action_in(t):
        return False
    return bool(_HEADING_NUMBER.match(t) or re.search(r"(?:规范性文件|文件|目录|清单)(?:目录|清单|名单)?\s*(?:[(（]\s*\d+\s*件\s*[)）])?[:：]?$", t))


_EMPTY_CELLS = {"无", "—", "——", "-", "/", "暂无", "空"}


def _table_row(line: str, cells: list[str], header: list[str | None] | None,
               heading_action: str | None) -> Target | None:
    """A target from a table row or a numbered list line; None if the line is neither."""
    numbers = [c for c in cells if _DOC_NUMBER_RE.fullmatch(c)]
    if len(cells) < 2 or (not numbers and header is None):
        return _list_item(line, heading_action) if _NUMBERED.match(line) and "《" not in line else None
    if "《" in line and header is None and len(cells) <= 2:
        return None                          # a sentence with a citation, read below
    by_role: dict[str, str | None] = {}
    rest = list(cells)
    if header and len(cells) == len(header):
        by_role = {role: (None if cell in _EMPTY_CELLS else cell) for role, cell in zip(header, cells) if role}
        rest = []
    rest = [c for c in rest if c not in _EMPTY_CELLS]
    if "doc_number" not in by_role and numbers:
        by_role["doc_number"] = numbers[0]
        rest.remove(numbers[0])
    for c in list(rest):
        if re.fullmatch(r"\d{1,4}[.、．]?", c):
            rest.remove(c)
        elif "action" not in by_role and len(c) <= 10 and action_in(c, whole=True):
            by_role["action"] = c
            rest.remove(c)
    for c in list(rest):
        if "issuer" not in by_role and _GOV_BODY.search(c) and len(c) <= 30:
            by_role["issuer"] = c
            rest.remove(c)
    if "title" not in by_role and rest:
        by_role["title"] = max(rest, key=len)
    action = action_in(by_role.get("action") or "", whole=True) or heading_action
    title = _title_text(by_role.get("title"))
    if action is None or not (title or by_role.get("doc_number")):
        return None
    return _target(title, by_role.get("doc_number"), by_role.get("issuer"), action, line)


def _list_item(line: str, heading_action: str | None) -> Target | None:
    """1. 云溪县城区绿化管理办法（云政规〔2015〕9号） under an action heading."""
    if heading_action is None:
        return None
    text = _NUMBERED.sub("", line, count=1)
    m = _DOC_NUMBER_RE.search(text)
    number = None
    if m:
        number = _strip_lead(m.group(0))
        text = text[:m.end() - len(number)]
    title = _title_text(text)
    # Only a line shaped like a document title: amendment lines (一、将第五条修改为…) are not.
    if not title or len(title) > 120 or doc_type_from_title(title) is None:
        return None
    return _target(title, number, None, heading_action, line)


def _strip_lead(number: str) -> str:
    from .citations import _strip_prefix

    return _strip_prefix(number)


def _sentence_targets(line: str, heading_action: str | None) -> list[Target]:
    """Documents named in running text, with the action of their clause (or of the heading)."""
    out = []
    numbered = bool(_NUMBERED.match(line))
    line = _unquoted(line)                   # 修改为“…《办法》…”: the new wording names no target
    for c in find_citations(line):
        if c.title is None or len(c.title) < 4:
            continue                         # a bare 文号 in prose, or 《办法》: a short form named before
        clause = _clause_around(line, c.start, c.end)
        if "同时废止" in clause:
            continue                         # a reprinted 办法's own 同时废止 (a citation of type repeal)
        action = action_in(clause)
        if action is None and _THEN_ENDS.match(line[c.end:]):
            action = "repeal"                # 《X》（…），自公告之日起废止
        if action is None and numbered:
            action = heading_action
        if action is None:
            continue
        out.append(_target(c.title, c.doc_number, None, action, line))
    return out


_THEN_ENDS = re.compile(r"^[^，。；]{0,40}?[，,]\s*自[^，。；]{0,20}?起(?:废止|失效)")


def _outside_quotes(lines: list[str]) -> list[str]:
    """Lines with the wording an amendment quotes blanked, also where a quote spans lines."""
    out, inside = [], False
    for line in lines:
        text = line
        if inside:
            close = re.search(r"[”」』]", text)
            if close is None:
                out.append("")
                continue
            text, inside = " " * (close.end()) + text[close.end():], False
        text = _unquoted(text)
        if re.search(r"[“「『][^”」』]*$", text):
            start = re.search(r"[“「『][^”」』]*$", text).start()
            text, inside = text[:start], True
        out.append(text)
    return out


def _unquoted(text: str) -> str:
    """The text with quoted wording (“…”, 「…」) blanked, offsets kept."""
    return re.sub(r"[“「『][^”」』]*[”」』]", lambda m: " " * len(m.group(0)), text)


def _clause_around(line: str, start: int, end: int) -> str:
    """The comma-clause holding a span, without the text of any 《…》 (titles may say 废止 too):
    根据《…》等规定，…决定废止《A》 reads 废止 for A only."""
    left = max(line.rfind(ch, 0, start) for ch in "。；;，,：:") + 1
    rights = [i for i in (line.find(ch, end) for ch in "。；;，,") if i >= 0]
    clause = line[left:min(rights) if rights else len(line)]
    return re.sub(r"《[^《》]*》", "", clause)


def _title_targets(title: str) -> list[Target]:
    out = []
    for m in re.finditer(r"《(?P<t>[^《》]+)》", title or ""):
        action = action_in(re.sub(r"《[^《》]*》", "", title))
        if action:
            out.append(_target(m.group("t"), None, None, action, title))
    return out


def _title_text(cell: str | None) -> str | None:
    if not cell:
        return None
    t = cell.strip().strip("《》").strip()
    t = re.sub(r"[（(]\s*$", "", t).strip("，,；;。")
    return t or None


def _target(title, doc_number, issuer, action, text) -> Target:
    new_expiry = extend_by = None
    if action == "extend":
        m = _NEW_EXPIRY.search(unicodedata.normalize("NFKC", text))
        new_expiry = normalise_date(m.group("date").replace("号", "日")) if m else None
        by = _EXTEND_BY.search(unicodedata.normalize("NFKC", text))
        if by and _number(by.group("n")):
            extend_by = (_number(by.group("n")), "年" if by.group("unit") == "年" else "月")
    return Target(title, doc_number, issuer, action, text, new_expiry, extend_by)


def _unique(targets: list[Target]) -> list[Target]:
    """Each document once: named again later (一、将《X》第十六条修改为…) it is the same target."""
    out: list[Target] = []
    for t in targets:
        title, number = fold_for_compare(t.title or ""), re.sub(r"\s+", "", t.doc_number or "")
        same = next((i for i, o in enumerate(out) if (title and fold_for_compare(o.title or "") == title)
                     or (number and re.sub(r"\s+", "", o.doc_number or "") == number)), None)
        if same is None:
            out.append(t)
        elif not out[same].doc_number and t.doc_number:
            out[same] = t
    return out
