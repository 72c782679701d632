"""The validity vocabularies, defined once: record values, their Chinese words, decision
actions, citation types and link kinds. Everything that names one takes it from here.
"""
from __future__ import annotations

# The record's `validity` (and the computed validity): DESIGN.md's six values.
VALIDITY_VALUES = ("in_force", "amended", "repealed", "expired", "not_yet_in_force", "unknown")

# How each value is shown in Chinese (Datasette, tables).
VALIDITY_LABELS = {"in_force": "有效", "amended": "已修订", "repealed": "废止", "expired": "失效",
                   "not_yet_in_force": "尚未生效", "unknown": "未知"}

# Words a user types for a value (filters accept these as well as the English values).
VALIDITY_ALIASES = {
    "有效": "in_force", "现行有效": "in_force", "生效": "in_force", "现行": "in_force",
    "已修订": "amended", "修订": "amended", "已修改": "amended", "修改": "amended", "已修正": "amended",
    "废止": "repealed", "已废止": "repealed", "宣布失效": "repealed", "已宣布失效": "repealed",
    "失效": "expired", "已失效": "expired", "过期": "expired", "已过期": "expired",
    "尚未生效": "not_yet_in_force", "未生效": "not_yet_in_force",
    "未知": "unknown",
}

# What a decision does to each document it names (关于废止…的决定, 清理结果, 继续有效目录 …).
DECISION_ACTIONS = ("repeal", "invalidate", "amend", "extend", "continue")
# The validity an action gives its target from the decision's effective date on. 宣布失效 ends a
# document as 废止 does (normalise_validity already reads 宣布失效 as repealed); `extend` changes
# the expiry date and `continue` confirms the document as in force.
ACTION_VALIDITY = {"repeal": "repealed", "invalidate": "repealed", "amend": "amended",
                   "extend": "in_force", "continue": "in_force"}
# The words that name each action in a decision's text or table cell, longest first per action.
ACTION_WORDS = {
    "invalidate": ("宣布失效", "宣告失效", "予以失效", "失效"),
    "repeal": ("予以废止", "决定废止", "废止", "停止执行", "不再执行", "撤销"),
    "amend": ("予以修改", "修改", "修订", "修正"),
    "extend": ("延长有效期", "延长", "延期"),
    "continue": ("继续有效", "继续执行", "继续保留", "保留", "有效"),
}

# How a body refers to another document: 根据/依据 (basis), 转发 (forward), 参照 (reference),
# 同时废止 (repeal), anything else (other).
CITATION_TYPES = ("basis", "forward", "reference", "repeal", "other")

# Links between archived documents, as `guifan links` prints them: (outgoing, incoming) names.
LINK_KINDS = {
    "cites": ("cites", "cited by"),
    "repeal": ("repeals", "repealed by"),
    "invalidate": ("invalidates", "invalidated by"),
    "amend": ("amends", "amended by"),
    "extend": ("extends", "extended by"),
    "continue": ("continues", "continued by"),
}

# A reference's resolution: linked to one archived document, several fit, or none does.
RESOLUTION_STATUSES = ("linked", "ambiguous", "unmatched")


def validity_value(text: str) -> str | None:
    """An English value or a Chinese word -> the value; None if it is neither."""
    word = (text or "").strip()
    value = VALIDITY_ALIASES.get(word, word)
    return value if value in VALIDITY_VALUES else None
