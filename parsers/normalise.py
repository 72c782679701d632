"""Normalisers: dates, 发文字号, 有效性, 文种, whitespace, titles. Pure string functions."""
from __future__ import annotations

import re
import unicodedata
from functools import lru_cache

__all__ = [
    "normalise_space", "normalise_date", "find_dates", "normalise_doc_number",
    "normalise_validity", "doc_type_from_title", "clean_title", "strip_title_suffix",
    "fold_for_compare",
]

# Spaces seen in Chinese pages: NBSP, en/em spaces, thin spaces... become ASCII spaces.
# The ideographic space U+3000 is part of Chinese typesetting (`第一条　为了…`, `总　则`):
# kept inside a line, stripped at its ends.
_SPACES_RE = re.compile(r"[ \t\n\r\f\v\u00a0\u1680\u2000-\u200a\u202f\u205f]+")
_ZERO_WIDTH_RE = re.compile(r"[\u200b\u200c\u200d\u2060\ufeff\u00ad]")
_SPACE_RUN = re.compile(r"[ \u3000]{2,}")


def _collapse(m: re.Match[str]) -> str:
    run = m.group(0)
    return "\u3000" * min(run.count("\u3000"), 4) if "\u3000" in run else " "


def normalise_space(text: str) -> str:
    """One line: space runs collapsed (ideographic spaces kept inside), zero-width chars gone, trimmed."""
    if not text:
        return ""
    if len(text) <= _CACHED_LEN:
        return _normalise_short(text)
    return _normalise_space(text)


# Short texts (labels, nav and footer lines, table cells) recur on every page of a portal.
_CACHED_LEN = 200


@lru_cache(maxsize=8192)
def _normalise_short(text: str) -> str:
    return _normalise_space(text)


def _normalise_space(text: str) -> str:
    text = _ZERO_WIDTH_RE.sub("", text)
    text = _SPACES_RE.sub(" ", text)
    if "\u3000" in text:
        text = _SPACE_RUN.sub(_collapse, text)
    return text.strip(" \u3000")


def normalise_paragraphs(text: str) -> str:
    """Normalise each line, drop empty lines, join with \\n."""
    lines = (normalise_space(line) for line in text.split("\n"))
    return "\n".join(line for line in lines if line)


def fold_for_compare(text: str) -> str:
    """NFKC, no whitespace, no common punctuation: for comparing titles and lines."""
    text = unicodedata.normalize("NFKC", text or "")
    return re.sub(r"[\s\"'“”‘’《》〈〉「」『』()（）\[\]【】〔〕.,，。:：;；!！?？、·•\-—_|｜/]+", "", text)


# ---------------------------------------------------------------------------- dates
_CN_DIGITS = {"〇": 0, "○": 0, "零": 0, "Ｏ": 0, "O": 0, "o": 0, "0": 0, "一": 1, "二": 2, "三": 3,
              "四": 4, "五": 5, "六": 6, "七": 7, "八": 8, "九": 9, "十": 10, "两": 2}
_CN_NUM = "〇○零Ｏ一二三四五六七八九十两"


def _cn_year(s: str) -> int | None:
    digits = []
    for ch in s:
        if ch.isdigit():
            digits.append(int(ch))
        elif ch in _CN_DIGITS and ch != "十":
            digits.append(_CN_DIGITS[ch])
        else:
            return None
    if len(digits) != 4:
        return None
    return int("".join(map(str, digits)))


def _cn_small(s: str) -> int | None:
    """一..三十一, 1..31."""
    if not s:
        return None
    if s.isdigit():
        return int(s)
    if "十" in s:
        tens, _, ones = s.partition("十")
        t = _CN_DIGITS.get(tens, None) if tens else 1
        o = _CN_DIGITS.get(ones, None) if ones else 0
        if t is None or o is None:
            return None
        return t * 10 + o
    if len(s) == 1 and s in _CN_DIGITS:
        return _CN_DIGITS[s]
    if len(s) == 2 and all(c in _CN_DIGITS for c in s):  # e.g. 〇五
        return _CN_DIGITS[s[0]] * 10 + _CN_DIGITS[s[1]]
    return None


def _valid(y: int, m: int, d: int) -> str | None:
    import datetime

    if not (1900 <= y <= 2100):
        return None
    try:
        datetime.date(y, m, d)
    except ValueError:
        return None
    return f"{y:04d}-{m:02d}-{d:02d}"


_DATE_PATTERNS = (
    # 2015年3月5日, 2015 年 03 月 05 日, 二〇一五年八月二十八日
    re.compile(rf"(?P<y>[0-9{_CN_NUM}]{{4}})\s*年\s*(?P<m>[0-9{_CN_NUM}]{{1,3}})\s*月\s*(?P<d>[0-9{_CN_NUM}]{{1,3}})\s*[日号]?"),
    # 2015-03-05, 2015/3/5, 2015.03.05, 2015-03-05T10:00:00, 2015_03_05
    re.compile(r"(?<![0-9])(?P<y>(?:19|20)[0-9]{2})\s*[-/.．_]\s*(?P<m>[0-9]{1,2})\s*[-/.．_]\s*(?P<d>[0-9]{1,2})(?![0-9])"),
    # 20150305 (only when standing alone)
    re.compile(r"(?<![0-9])(?P<y>(?:19|20)[0-9]{2})(?P<m>[01][0-9])(?P<d>[0-3][0-9])(?![0-9])"),
)


def find_dates(text: str, *, compact: bool = False) -> list[tuple[int, str]]:
    """All ISO dates found in text, as (position, 'YYYY-MM-DD'), in order of position."""
    if not text:
        return []
    text = unicodedata.normalize("NFKC", text)
    found: list[tuple[int, str]] = []
    taken: list[tuple[int, int]] = []
    patterns = _DATE_PATTERNS if compact else _DATE_PATTERNS[:2]
    for pattern in patterns:
        for m in pattern.finditer(text):
            if any(a < m.end() and m.start() < b for a, b in taken):
                continue
            y = _cn_year(m.group("y"))
            mo = _cn_small(m.group("m"))
            d = _cn_small(m.group("d"))
            if y is None or mo is None or d is None:
                continue
            iso = _valid(y, mo, d)
            if iso:
                found.append((m.start(), iso))
                taken.append((m.start(), m.end()))
    found.sort()
    return found


def normalise_date(value: str | None) -> str | None:
    """The first date in `value` as ISO YYYY-MM-DD, or None."""
    if not value:
        return None
    dates = find_dates(value, compact=True)
    return dates[0][1] if dates else None


# ----------------------------------------------------------------------- doc number
_BRACKETED_YEAR = re.compile(
    r"[\[［〔【（(﹝｛{〖「『⁅❲⦗]\s*((?:19|20)\d{2})\s*[\]］〕】）)﹞｝}〗」』⁆❳⦘]")
_BARE_YEAR = re.compile(r"(?<=[\u4e00-\u9fff])\s*((?:19|20)\d{2})\s*(?=[第]?\s*\d{1,5}\s*号)")


def normalise_doc_number(value: str | None) -> str | None:
    """发文字号 -> `X〔2015〕12号`: brackets 〔〕, ASCII digits, no spaces. None if empty."""
    if not value:
        return None
    s = unicodedata.normalize("NFKC", value)
    s = re.sub(r"\s+", "", s)
    s = s.replace("\u3000", "")
    if not s:
        return None
    s = _BRACKETED_YEAR.sub(lambda m: f"〔{m.group(1)}〕", s, count=1)
    if "〔" not in s:
        s = _BARE_YEAR.sub(lambda m: f"〔{m.group(1)}〕", s, count=1)
    s = s.replace("〕第", "〕")
    # 《办法》（银发〔1997〕393号文印发） / 公告〔2013〕第6号公布: the verb says how the 文号 issued the
    # document, it is not part of the 文号 (kept, the reference met no archived 文号)
    s = _ISSUING_VERB.sub("号", s)
    return s or None


_ISSUING_VERB = re.compile(r"号文?(?:印发|发布|公布|颁布|颁发|下发)$")


def looks_like_doc_number(value: str) -> bool:
    """True for strings like 吉政明电〔2022〕1号 / 国发[2015]12号."""
    s = normalise_doc_number(value) or ""
    return bool(re.search(r"〔(19|20)\d{2}〕\s*第?\d{1,5}号", s)) and len(s) <= 40


# ------------------------------------------------------------------------- validity
_VALIDITY_RULES: tuple[tuple[re.Pattern[str], str], ...] = (
    (re.compile(r"尚未生效|未生效|待生效|暂未生效"), "not_yet_in_force"),
    (re.compile(r"部分失效|部分废止|已修改|已修订|修订|修改|修正"), "amended"),
    (re.compile(r"废止|已废止|撤销|宣布失效"), "repealed"),
    (re.compile(r"失效|已失效|过期|到期|无效|停止执行|不再执行"), "expired"),
    (re.compile(r"现行有效|有效|生效|执行中|施行|现行"), "in_force"),
)


def normalise_validity(value: str | None) -> str:
    """有效性/时效性 text -> in_force|amended|repealed|expired|not_yet_in_force|unknown."""
    if not value:
        return "unknown"
    s = re.sub(r"\s+", "", unicodedata.normalize("NFKC", value))
    if not s:
        return "unknown"
    for pattern, result in _VALIDITY_RULES:
        if pattern.search(s):
            return result
    return "unknown"


# ------------------------------------------------------------------------- doc type
# Longer names first so 实施细则 beats 细则, 实施意见 -> 意见, 通知 etc.
_DOC_TYPES = (
    "实施细则", "实施办法", "实施意见", "实施方案", "工作方案", "行动方案", "管理办法", "暂行办法",
    "暂行规定", "指导意见", "会议纪要",
    "通知", "通报", "意见", "办法", "规定", "决定", "通告", "公告", "批复", "方案", "细则",
    "规划", "报告", "规则", "决议", "命令", "函", "纪要", "条例", "指引", "指南", "公报", "议案",
    "令", "规范", "标准", "制度", "守则", "章程", "计划", "要点", "清单", "目录", "措施", "答复",
)
_DOC_TYPE_CANON = {
    "实施细则": "细则", "实施办法": "办法", "实施意见": "意见", "实施方案": "方案", "工作方案": "方案",
    "行动方案": "方案", "管理办法": "办法", "暂行办法": "办法", "暂行规定": "规定", "指导意见": "意见",
    "会议纪要": "纪要",
}
_DOC_TYPE_RE = re.compile("|".join(map(re.escape, _DOC_TYPES)))


def doc_type_from_title(title: str | None) -> str | None:
    """文种: the last document-type word in the title (关于印发《…办法》的通知 -> 通知).

    Only a word at the end of the title, or right before a closing bracket/quote, counts,
    so that 函 in 函数 or 令 in 命令书 inside a phrase does not.
    """
    if not title:
        return None
    t = re.sub(r"\s+", "", unicodedata.normalize("NFKC", title))
    t = re.sub(r"[（(][^（()）]{0,20}[)）]$", "", t)  # trailing (征求意见稿), (试行)
    t = re.sub(r"[（(]?(试行|暂行|修订|草案|征求意见稿|送审稿|修正)[)）]?$", "", t)
    t = re.sub(r"(\d{4}年)?第?[0-9一二三四五六七八九十百〇]+号$", "", t)
    t = t.rstrip("。.、")
    last = None
    for m in _DOC_TYPE_RE.finditer(t):
        end = m.end()
        tail = t[end:]
        if tail == "" or tail[:1] in "》>」』\"”'":
            last = m
    if last is None:
        return None
    word = last.group(0)
    # 令 / 函 / 命令 need to end the title exactly (avoid 法令, 公函 pieces in a phrase).
    return _DOC_TYPE_CANON.get(word, word)


# --------------------------------------------------------------------------- titles
_TITLE_SEPARATORS = re.compile(r"\s*(?:[_｜|]|\s[-–—]+\s|(?<!\d)-{1,2}(?!\d))\s*")


def strip_title_suffix(title: str) -> str:
    """`文件标题_某某县人民政府` -> `文件标题` (keeps the longest-looking first part)."""
    t = normalise_space(title)
    if not t:
        return ""
    parts = [p for p in _TITLE_SEPARATORS.split(t) if p and p.strip()]
    if len(parts) <= 1:
        return t
    # The site name is usually the last part(s); the document title is the longest part.
    best = max(parts, key=len)
    return best.strip()


def clean_title(title: str | None) -> str:
    """Whitespace-normalised title without a trailing site-name suffix."""
    if not title:
        return ""
    return normalise_space(title)
