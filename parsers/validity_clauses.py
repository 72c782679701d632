"""A document's own lifetime, read from its text: 施行日期, 有效期, 试行/暂行. Pure string functions.

    clauses = read_validity_clauses(body, title=..., written_date=..., published_date=...)
    clauses.effective_date, clauses.expiry_date, clauses.trial, clauses.sentences

Shapes read (each value keeps the sentence it came from):

* effective date: 自印发之日起施行 = the written date (成文日期, the date under the signature);
  自发布之日起 / 自公布之日起 / 自下发之日起 alike (the published date only when no written
  date is known: portals print both and the signature date is the one the text fixes),
  自2020年1月1日起施行 / 自二〇二〇年一月一日起实施 / 2020年1月1日起执行 / 于…施行 / 自…起试行;
  自发布之日起30日后施行 (+30 days).
* expiry date: 有效期至2025年12月31日 (截至, 截止到, 到), 自…起施行，至…止, 有效期为2020年1月1日至
  2024年12月31日, and 有效期N年 / N个月 / 试行期N年, counted from the effective date (from the
  written date when the text gives no effective date).
* trial: 试行 or 暂行 in the title (（试行）, 暂行办法, 《…暂行规定》) or 自…起试行 / 试行期 in the text.

The counting convention for 有效期N年 / N个月: the document is in force on its effective date
and on every day before the same calendar day N years (months) later; the expiry date is the
last day in force. 2020-01-01 + 5 years -> 2024-12-31; 2022-02-01 + 6 months -> 2022-07-31.
A start on a day the target month lacks (29 Feb, 31st) rolls over to the 1st of the next month,
so 2020-02-29 + 1 year -> 2021-02-28 and 2020-01-31 + 1 month -> 2020-02-29.

Where several sentences match, a sentence about the document itself (本办法, 本通知, 本规定 …)
wins over one that is not, and a later sentence over an earlier one (the closing article of
a 办法 printed inside its 印发 notice comes after the notice's own lines). Sentences about
other documents (延长…有效期 in an extension decision, 原《…》) are not read as the document's own.
"""
from __future__ import annotations

import datetime as dt
import re
import unicodedata
from dataclasses import dataclass, field

from .normalise import normalise_date

__all__ = ["Clause", "ValidityClauses", "read_validity_clauses", "add_period", "split_sentences",
           "CN_NUMBER"]

_D = "[0-9〇○零Ｏ一二三四五六七八九十]"
DATE = rf"{_D}{{4}}\s*年\s*{_D}{{1,3}}\s*月\s*{_D}{{1,3}}\s*[日号]"
CN_NUMBER = "[0-9一二两三四五六七八九十百]+"
_TAKE_EFFECT = "(?:施行|实施|执行|生效|试行)"
_ISSUE_WORDS = "印发|下发|发文|签发|制发|发布|公布|颁布|公告|公开发布|印发实施|发布实施"

_EFFECTIVE_ISSUE = re.compile(
    rf"自(?P<what>{_ISSUE_WORDS})之日起(?:(?P<days>{CN_NUMBER})(?:日|天)后)?[^，。；,]{{0,6}}?{_TAKE_EFFECT}")
# 执行期自发布之日起至…: a period that starts when issued, without a 施行 verb.
_PERIOD_FROM_ISSUE = re.compile(rf"(?:执行期|有效期|实施期|施行期|期限)[^，。；,]{{0,6}}?自(?P<what>{_ISSUE_WORDS})之日起")
_MONTH_END = re.compile(rf"(?:至|到)\s*(?P<y>{_D}{{4}})\s*年\s*(?P<m>{_D}{{1,3}})\s*月\s*(?:底|末)")
_EFFECTIVE_DATE = re.compile(rf"(?:自|从|于)?\s*(?P<date>{DATE})\s*(?:起|开始)?[^，。；,至到]{{0,6}}?{_TAKE_EFFECT}")
_RANGE = re.compile(rf"(?P<start>{DATE})\s*(?:起)?\s*(?:至|到|—|－|-|~|～)\s*(?P<end>{DATE})\s*(?:止)?")
_UNTIL = re.compile(rf"(?:有效期|执行期|施行期|试行期|期限)[^，。；,\d]{{0,6}}?(?:至|到|截至|截止到|截止至|截止)\s*(?P<date>{DATE})")
_UNTIL_STOP = re.compile(rf"(?:至|到)\s*(?P<date>{DATE})\s*(?:止|截止|结束|废止|失效)")
_PERIOD = re.compile(rf"(?:有效期|试行期|执行期|施行期|暂行期)(?:限)?(?:为|是|暂定为?|定为)?\s*(?P<n>{CN_NUMBER})\s*(?P<unit>年|个月|月)")
_LIFETIME_CONTEXT = re.compile(r"有效期|施行|实施|执行|生效|试行|止")
_SELF = re.compile(r"本(?:办法|规定|通知|意见|细则|方案|决定|通告|公告|规则|制度|标准|实施|文件|规范|指引|"
                   r"指南|措施|条例|规划|计划|批复|函|意见稿|若干|政策|暂行|试行|管理)")
_OTHER_DOC = re.compile(r"延长|原《|原\S{0,20}（|原\S{0,20}\(|同时废止|予以废止")
_TRIAL_TITLE = re.compile(r"试行|暂行")
_TRIAL_TEXT = re.compile(rf"{DATE}\s*起\s*试行|之日起[^，。；]{{0,4}}试行|试行期|试行\s*{CN_NUMBER}\s*(?:年|个月)")
_SENTENCE_END = re.compile(r"(?<=[。！？!?])|\n")


# Characters other than 年月之日起试行 themselves whose NFKC form holds one of them (⽉ U+2F49,
# ㋀ U+32C0 = 1月, ㏠ U+33E0 = 1日, 年 U+F98E, ...; Unicode 14, checked against unicodedata by a test).
COMPAT_CLAUSE_CHARS = ("\u2f47\u2f49\u2f8f\u322a\u3230\u328a\u3290\u32c0-\u32cb\u33e0-\u33fe\uf98e\ufa08"
                       "\U0001f237\U0002f9d7")
# The raw sentence's test: without one of these, its NFKC form cannot pass _may_hold_clause,
# so the sentence is skipped without being normalised (NFKC rewrites every sentence that
# holds full-width punctuation, which is nearly all of them, and most hold no clause).
_MAY_HOLD_RAW = re.compile(f"[年月{COMPAT_CLAUSE_CHARS}]|之日起|试行")


def _may_hold_clause(folded: str) -> bool:
    """What every pattern above needs: a DATE or a period (年/月), 之日起, or 试行 (a cheap
    test before a dozen searches; most sentences of a body have none of them)."""
    return "年" in folded or "月" in folded or "之日起" in folded or "试行" in folded


@dataclass(frozen=True)
class Clause:
    """One value read from the text, with the sentence it came from and how it was read."""

    field: str           # effective_date | expiry_date | trial
    value: object        # ISO date, or True
    sentence: str
    how: str


@dataclass
class ValidityClauses:
    effective_date: str | None = None
    expiry_date: str | None = None
    trial: bool = False
    clauses: list[Clause] = field(default_factory=list)

    @property
    def sentences(self) -> list[str]:
        """The sentences the two dates were read from, in text order, once each."""
        out: list[str] = []
        for c in self.clauses:
            if c.field in ("effective_date", "expiry_date") and c.sentence not in out:
                out.append(c.sentence)
        return out

    def as_dict(self) -> dict:
        return {"effective_date": self.effective_date, "expiry_date": self.expiry_date, "trial": self.trial,
                "clauses": [{"field": c.field, "value": c.value, "sentence": c.sentence, "how": c.how}
                            for c in self.clauses]}


def split_sentences(text: str) -> list[str]:
    """Sentences of a body: split after 。！？ and at line ends; spaces trimmed, empties dropped."""
    return [s.strip(" \u3000\t") for s in _SENTENCE_END.split(text or "") if s and s.strip(" \u3000\t")]


def _iso(text: str) -> str | None:
    return normalise_date(re.sub(r"\s+", "", text).replace("号", "日"))


def _number(text: str) -> int | None:
    if text.isdigit():
        return int(text)
    units = {"零": 0, "一": 1, "二": 2, "两": 2, "三": 3, "四": 4, "五": 5, "六": 6, "七": 7, "八": 8, "九": 9}
    if "百" in text:
        return None
    if "十" in text:
        tens, _, ones = text.partition("十")
        if (tens and tens not in units) or (ones and ones not in units):
            return None
        return (units[tens] if tens else 1) * 10 + (units[ones] if ones else 0)
    return units.get(text) if len(text) == 1 else None


def _month_end(year: str, month: str) -> str | None:
    first = normalise_date(f"{year}年{month}月1日")
    if not first:
        return None
    d = dt.date.fromisoformat(first)
    nxt = dt.date(d.year + d.month // 12, d.month % 12 + 1, 1)
    return (nxt - dt.timedelta(days=1)).isoformat()


def add_period(start: str, n: int, unit: str) -> str:
    """The last day in force of a period of n years ('年') or months ('月'/'个月') from start (ISO)."""
    d = dt.date.fromisoformat(start)
    months = d.month - 1 + (n * 12 if unit == "年" else n)
    year, month = d.year + months // 12, months % 12 + 1
    try:
        anniversary = dt.date(year, month, d.day)
    except ValueError:                       # the day does not exist that month: the 1st of the next
        anniversary = dt.date(year + month // 12, month % 12 + 1, 1)
    return (anniversary - dt.timedelta(days=1)).isoformat()


@dataclass
class _Found:
    value: str
    sentence: str
    how: str
    index: int
    about_self: bool

    def rank(self) -> tuple[bool, int]:
        return self.about_self, self.index


def _effective_in(sentence: str, folded: str, written: str | None, published: str | None) -> tuple[str, str] | None:
    m = _EFFECTIVE_ISSUE.search(folded) or _PERIOD_FROM_ISSUE.search(folded)
    if m:
        what = m.group("what")
        base, named = (written, "written") if written else (published, "published")
        if base is None:
            return None
        how = f"自{what}之日起 = the {named} date"
        days = _number(m.group("days")) if m.groupdict().get("days") else None
        if days:
            base = (dt.date.fromisoformat(base) + dt.timedelta(days=days)).isoformat()
            how += f" + {days} days"
        return base, how
    r = _RANGE.search(folded)
    if r and _LIFETIME_CONTEXT.search(folded):
        iso = _iso(r.group("start"))
        if iso:
            return iso, f"from {r.group('start')} (a range)"
    m = _EFFECTIVE_DATE.search(folded)
    if m:
        iso = _iso(m.group("date"))
        if iso:
            return iso, f"{m.group('date')}起施行"
    return None


def _expiry_in(folded: str) -> tuple[str, str] | tuple[int, str, str] | None:
    """(iso, how) for a stated last day, or (n, unit, how) for a period to count."""
    m = _UNTIL.search(folded) or _UNTIL_STOP.search(folded)
    if m:
        iso = _iso(m.group("date"))
        if iso:
            return iso, f"有效期至 {m.group('date')}"
    m = _MONTH_END.search(folded)
    if m and re.search(r"有效期|执行期|施行期|试行期|实施期|期限|止", folded):
        end = _month_end(m.group("y"), m.group("m"))
        if end:
            return end, f"至{m.group('y')}年{m.group('m')}月底 = the last day of that month"
    r = _RANGE.search(folded)
    if r and re.search(r"有效期|执行期|施行期|试行期|期限|止", folded):
        iso = _iso(r.group("end"))
        if iso:
            return iso, f"until {r.group('end')} (a range)"
    m = _PERIOD.search(folded)
    if m:
        n = _number(m.group("n"))
        if n:
            unit = "年" if m.group("unit") == "年" else "月"
            return n, unit, f"有效期{m.group('n')}{m.group('unit')}"
    return None


def read_validity_clauses(body: str, *, title: str = "", written_date: str | None = None,
                          published_date: str | None = None) -> ValidityClauses:
    """Effective date, expiry date and 试行/暂行 of a document, each with its sentence."""
    effective: list[_Found] = []
    expiry: list[tuple[_Found, object]] = []
    trial_sentence = None
    for i, sentence in enumerate(split_sentences(body)):
        if not _MAY_HOLD_RAW.search(sentence):
            continue                         # no 年, 月, 之日起 or 试行 can come out of NFKC
        folded = unicodedata.normalize("NFKC", sentence)
        if len(folded) > 400:
            continue                         # a table row or a run-on paragraph, not a clause
        if not _may_hold_clause(folded):
            continue                         # most sentences: no pattern below can match
        about_self = bool(_SELF.search(folded))
        if _OTHER_DOC.search(folded) and not about_self:
            continue
        if "延长" in folded:
            continue                         # 延长…有效期 changes another document's lifetime
        eff = _effective_in(sentence, folded, written_date, published_date)
        if eff:
            effective.append(_Found(eff[0], sentence, eff[1], i, about_self))
        exp = _expiry_in(folded)
        if exp:
            expiry.append((_Found("", sentence, exp[-1], i, about_self), exp))
        if trial_sentence is None and _TRIAL_TEXT.search(folded):
            trial_sentence = sentence
    result = ValidityClauses()
    if effective:
        best = max(effective, key=_Found.rank)
        result.effective_date = best.value
        result.clauses.append(Clause("effective_date", best.value, best.sentence, best.how))
    if expiry:
        found, exp = max(expiry, key=lambda pair: pair[0].rank())
        if len(exp) == 2:
            value, how = exp
        else:
            n, unit, how = exp
            start = _effective_on(found, effective) or result.effective_date or written_date
            value = add_period(start, n, unit) if start else None
            how += f" from {start}" + ("" if result.effective_date else " (the written date: no effective date)")
        if value:
            result.expiry_date = value
            result.clauses.append(Clause("expiry_date", value, found.sentence, how))
    if _TRIAL_TITLE.search(_own_title_words(title or "")):
        result.trial = True
        result.clauses.append(Clause("trial", True, title, "试行/暂行 in the title"))
    elif trial_sentence:
        result.trial = True
        result.clauses.append(Clause("trial", True, trial_sentence, "试行 in the text"))
    return result


def _own_title_words(title: str) -> str:
    """The title without the 《…》 of other documents (关于延长《X（试行）》有效期的通知 is no trial),
    keeping the X a 关于印发《X》的通知 issues."""
    own = re.findall(r"(?:印发|颁布|发布|公布)[^《]{0,10}《([^《》]+)》", title)
    return re.sub(r"《[^《》]*》", "", title) + "".join(own)


def _effective_on(found: _Found, effective: list[_Found]) -> str | None:
    """The effective date read from the same sentence as a period, if any."""
    for e in effective:
        if e.index == found.index:
            return e.value
    return None
