"""Read a page's metadata box by its labels (not by position), and its <meta> tags.

Labels come spaced and with full-width colons (`索&ensp;引&ensp;号：`, `文　　号:`,
`有 效 性：`), in tables (label cell, value cell), in `<li><span>label</span>value</li>`
and inline (`发布时间：2022-01-01  来源：县政府办`). The input is the page as ordered
text segments (one per cell/paragraph), so all those layouts look alike here.
"""
from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

from .normalise import normalise_space

__all__ = ["FIELD_LABELS", "MetaBox", "read_label_pairs", "read_meta_tags", "LABEL_LINE", "label_field",
           "label_alternation"]

# field -> labels, in order of preference.
FIELD_LABELS: dict[str, tuple[str, ...]] = {
    "index_no": ("索引号", "信息索引号", "文件索引号", "索取号"),
    "issuer": ("发文机关", "发文机构", "发文单位", "发布机构", "发布机关", "发布单位", "制发机关",
               "成文机关", "公开主体", "信息公开主体", "公开单位", "发布部门"),
    "doc_number": ("发文字号", "文号", "发文文号", "文件编号", "文件字号", "发文号", "文件文号"),
    "written_date": ("成文日期", "成文时间", "发文日期", "印发日期", "制发日期", "签发日期", "发文时间"),
    "published_date": ("发布日期", "公开日期", "发布时间", "公布日期", "公开时间", "发布日", "信息发布日期",
                       "上传时间", "日期", "时间"),
    "validity": ("有效性", "时效性", "效力状态", "有效状态", "是否有效", "时效状态", "效力"),
    "topic": ("主题分类", "信息分类", "所属主题", "主题类别", "组配分类", "分类", "主题"),
    "title": ("标题", "文件名称", "信息名称", "文件标题", "名称"),
}
# Labels with no field of their own: they end the value of the label before them.
OTHER_LABELS: tuple[str, ...] = (
    "来源", "信息来源", "文章来源", "作者", "浏览次数", "点击数", "点击量", "阅读次数", "访问量", "字号",
    "关键词", "主题词", "责任编辑", "编辑", "公开方式", "公开范围", "公开形式", "公开时限", "生效日期",
    "施行日期", "实施日期", "废止日期", "失效日期", "有效期", "所属机构", "内容概述", "摘要", "备注",
    "统一编号", "登记号", "文件类型", "文种", "体裁分类", "服务对象", "规范性文件登记号", "载体类型",
    "审核", "撰稿", "供稿", "责任部门", "联系电话", "字体",
)

_SPACES = r"\s*"  # str patterns: \s is Unicode whitespace (\u3000, \u2002, \u2003, \u00a0 included)


def _label_regex(label: str) -> str:
    return _SPACES.join(re.escape(ch) for ch in label)


_ALL_LABELS: dict[str, str | None] = {}
for _field, _labels in FIELD_LABELS.items():
    for _label in _labels:
        _ALL_LABELS.setdefault(_label, _field)
for _label in OTHER_LABELS:
    _ALL_LABELS.setdefault(_label, None)
del _field, _labels, _label

def label_alternation(labels) -> str:
    """One alternation of `labels`, factored by common prefixes (a trie): it matches what the
    plain longest-first alternation matches, longer labels first, and compiles several times
    faster (the plain one was most of `guifan parse`'s start-up)."""
    trie: dict = {}
    for label in labels:
        node = trie
        for ch in label:
            node = node.setdefault(ch, {})
        node[""] = {}

    def emit(node: dict) -> str:
        branches = [re.escape(ch) + (_SPACES + emit(child) if set(child) != {""} else "")
                    for ch, child in sorted(node.items(), key=lambda kv: -_depth(kv[1])) if ch]
        ends = "" in node
        if len(branches) == 1 and not ends:
            return branches[0]
        body = "|".join(branches)
        return f"(?:{body})?" if ends else f"(?:{body})"

    def _depth(node: dict) -> int:
        return 1 + max((_depth(c) for k, c in node.items() if k), default=0)

    return emit(trie)


_LABEL_ALT = label_alternation(_ALL_LABELS)
# A label: not glued to a preceding Han character, optional brackets, then a colon.
_LABEL_COLON = re.compile(
    rf"(?<![\u4e00-\u9fff])[【\[［]?(?P<label>{_LABEL_ALT})[】\]］]?{_SPACES}[:：]"
)
# A whole segment that is only a label (table label cell), colon optional.
LABEL_LINE = re.compile(rf"^[【\[［]?(?P<label>{_LABEL_ALT})[】\]］]?{_SPACES}[:：]?{_SPACES}$")

_WEAK_LABELS = {"日期", "时间", "名称", "分类", "主题", "效力", "编辑"}
# Where a value runs into an unknown label ("办文部门：", " | 邮编:"), it ends.
_VALUE_END = re.compile(r"\s+\|\s*|\s\|?\s*[\u4e00-\u9fffA-Za-z]{2,8}\s*[:：]|^[\u4e00-\u9fff]{2,8}\s*[:：]")


def label_field(label: str) -> tuple[str, str | None]:
    """(canonical label without spaces, field name or None) for a matched label text."""
    canon = re.sub(r"[\s\u3000\u2002\u2003\u00a0]+", "", label)
    return canon, _ALL_LABELS.get(canon)


@dataclass
class MetaBox:
    pairs: dict[str, str] = field(default_factory=dict)  # canonical label -> raw value (first seen)
    positions: dict[str, int] = field(default_factory=dict)  # canonical label -> segment index
    lines: set[int] = field(default_factory=set)  # segment indices that belong to the box

    def first(self, field_name: str) -> tuple[str, str] | None:
        """(label, value) of the most preferred label present for a field."""
        found = self.values(field_name)
        return found[0] if found else None

    def has_box(self) -> bool:
        """True if a real metadata box is present (some field label beyond the vague ones)."""
        return any(_ALL_LABELS.get(lbl) and lbl not in _WEAK_LABELS and lbl not in _INFO_BAR_LABELS
                   for lbl in self.pairs)

    def values(self, field_name: str) -> list[tuple[str, str]]:
        """(label, value) pairs for a field, most preferred label first. Vague labels (分类,
        主题, 名称...) count only inside a real metadata box."""
        box = None
        out = []
        for lbl in FIELD_LABELS[field_name]:
            value = self.pairs.get(lbl)
            if not value:
                continue
            if lbl in _WEAK_LABELS and lbl not in ("日期", "时间"):
                if box is None:
                    box = self.has_box()
                if not box:
                    continue
            out.append((lbl, value))
        return out


_MAX_VALUE = 200
# Labels that also appear in news info bars; they alone do not make a metadata box.
_INFO_BAR_LABELS = {"发布时间", "发布日期", "来源", "信息来源", "作者", "时间", "日期"}


def read_label_pairs(texts: Sequence[str]) -> MetaBox:
    """Find `label：value` pairs in ordered text segments."""
    box = MetaBox()
    n = len(texts)
    for i, text in enumerate(texts):
        if len(text) > 600 or not text:
            continue
        only = LABEL_LINE.match(text)
        if only:
            canon, _ = label_field(only.group("label"))
            # Value in the next segment, unless that is itself a label.
            if i + 1 < n and texts[i + 1] and not LABEL_LINE.match(texts[i + 1]) \
                    and not _starts_with_label(texts[i + 1]) and len(texts[i + 1]) <= _MAX_VALUE:
                _record(box, canon, texts[i + 1], i)
                box.lines.update((i, i + 1))
            else:
                box.lines.add(i)
            continue
        if ":" not in text and "：" not in text:
            continue  # _LABEL_COLON needs one: skip its lookbehind at every position
        matches = list(_LABEL_COLON.finditer(text))
        if not matches:
            continue
        for k, m in enumerate(matches):
            stop = matches[k + 1].start() if k + 1 < len(matches) else len(text)
            value = text[m.end():stop]
            cut = _VALUE_END.search(value.strip())
            if cut:
                value = value.strip()[:cut.start()]
            canon, _ = label_field(m.group("label"))
            value = normalise_space(value)
            if not value and k + 1 == len(matches) and i + 1 < n and texts[i + 1] \
                    and not _starts_with_label(texts[i + 1]) and not LABEL_LINE.match(texts[i + 1]) \
                    and len(texts[i + 1]) <= _MAX_VALUE:
                value = texts[i + 1]
                box.lines.add(i + 1)
            if value and len(value) <= _MAX_VALUE:
                _record(box, canon, value, i)
        if matches[0].start() <= 2:
            box.lines.add(i)
    return box


_ANY_LABEL_START = re.compile(r"^[【\[［]?[\u4e00-\u9fff][\u4e00-\u9fff\s\u3000\u2002]{1,9}[】\]］]?\s*[:：]")


def _starts_with_label(text: str) -> bool:
    """True if text starts with a label, known or not (`办文部门：`)."""
    return bool(_LABEL_COLON.match(text) or _ANY_LABEL_START.match(text))


def _record(box: MetaBox, label: str, value: str, index: int) -> None:
    value = normalise_space(value).strip(" :：|｜")
    if not value or label in box.pairs:
        return
    if label in _WEAK_LABELS and len(value) > 60:
        return
    box.pairs[label] = value
    box.positions[label] = index


# <meta name=...> names worth keeping, lower-cased -> canonical spelling in raw_meta.
_META_NAMES = {
    "articletitle": "ArticleTitle", "pubdate": "PubDate", "contentsource": "ContentSource",
    "columnname": "ColumnName", "columntype": "ColumnType", "sitename": "SiteName",
    "sitedomain": "SiteDomain", "siteidcode": "SiteIdCode", "keywords": "Keywords",
    "description": "Description", "author": "Author", "firstpublishedtime": "FirstPublishedTime",
    "publishdate": "publishdate", "publishtime": "publishtime", "og:title": "og:title",
    "article:published_time": "article:published_time", "dc.title": "DC.title", "dc.date": "DC.date",
    "dc.creator": "DC.creator", "dcterms.issued": "DCTERMS.issued", "maketime": "Maketime",
    "url": "Url", "catalog": "catalog", "contentid": "ContentId",
}


def read_meta_tags(root) -> dict[str, str]:
    """The page's informative <meta name|property=... content=...> pairs."""
    found: dict[str, str] = {}
    try:
        metas: Iterable = root.iter("meta")
        for meta in metas:
            name = (meta.get("name") or meta.get("property") or meta.get("itemprop") or "").strip()
            if not name:
                continue
            canon = _META_NAMES.get(name.lower())
            if not canon or canon in found:
                continue
            value = normalise_space(meta.get("content") or "")
            if value:
                found[canon] = value[:1000]
    except (ValueError, TypeError):
        pass
    return found
