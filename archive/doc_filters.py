"""Filters shared by search, export and the Datasette pages: one meaning, one SQL.

Every value reaches SQL as a bound parameter; only fixed fragments are concatenated.
The SQL assumes the aliases ``v`` (versions), ``d`` (documents) and ``s`` (sites).
"""
from __future__ import annotations

import datetime
import re
from dataclasses import dataclass, field

from guifan.parsers.record import VALIDITY_VALUES

from .errors import ArchiveError

# Labels a Chinese user types, mapped to the record's validity values.
VALIDITY_ALIASES = {
    "有效": "in_force", "现行有效": "in_force", "已修订": "amended", "修订": "amended", "废止": "repealed",
    "失效": "expired", "尚未生效": "not_yet_in_force", "未生效": "not_yet_in_force", "未知": "unknown",
}
_DATE = re.compile(r"^(\d{4})(?:-(\d{2}))?(?:-(\d{2}))?$")


@dataclass
class DocFilters:
    """What to keep. Lists mean "any of"; text filters (region, issuer) mean "contains"."""

    sites: list[str] = field(default_factory=list)
    region: str | None = None
    issuer: str | None = None
    doc_types: list[str] = field(default_factory=list)
    validity: list[str] = field(default_factory=list)
    date_from: str | None = None
    date_to: str | None = None
    all_versions: bool = False

    def __post_init__(self) -> None:
        self.validity = [validity_value(v) for v in self.validity]
        self.date_from = date_bound(self.date_from, end=False)
        self.date_to = date_bound(self.date_to, end=True)

    def where(self) -> tuple[str, dict]:
        """SQL conditions (joined by AND, "1" if none) and their named parameters."""
        parts, params = [], {}
        if not self.all_versions:
            parts.append("d.status = 'live' AND v.version = d.current_version")
        _in_list(parts, params, "v.site", "site", self.sites)
        _in_list(parts, params, "v.doc_type", "doc_type", self.doc_types)
        _in_list(parts, params, "v.validity", "validity", self.validity)
        if self.region:
            parts.append("instr(s.region, :region) > 0")
            params["region"] = self.region
        if self.issuer:
            parts.append("instr(v.issuer, :issuer) > 0")
            params["issuer"] = self.issuer
        if self.date_from:
            parts.append("v.published_date >= :date_from")
            params["date_from"] = self.date_from
        if self.date_to:
            parts.append("v.published_date <= :date_to")
            params["date_to"] = self.date_to
        return (" AND ".join(parts) or "1"), params

    @property
    def needs_sites(self) -> bool:
        return bool(self.region)


def _in_list(parts: list, params: dict, column: str, name: str, values: list[str]) -> None:
    if not values:
        return
    names = [f"{name}_{i}" for i in range(len(values))]
    parts.append(f"{column} IN ({', '.join(':' + n for n in names)})")
    params.update(zip(names, values))


def validity_value(text: str) -> str:
    value = VALIDITY_ALIASES.get(text.strip(), text.strip())
    if value not in VALIDITY_VALUES:
        raise ArchiveError(f"unknown validity {text!r}; use one of {', '.join(VALIDITY_VALUES)} "
                           f"(or 有效, 废止, 失效, 已修订, 尚未生效)")
    return value


def date_bound(text: str | None, *, end: bool) -> str | None:
    """YYYY, YYYY-MM or YYYY-MM-DD as an inclusive bound on ISO dates."""
    if not text:
        return None
    m = _DATE.match(text.strip())
    try:
        year, month, day = m.groups()
        datetime.date(int(year), int(month or 1), int(day or 1))
    except (AttributeError, ValueError):
        raise ArchiveError(f"dates are YYYY, YYYY-MM or YYYY-MM-DD, got {text!r}") from None
    if day:
        return f"{year}-{month}-{day}"
    if month:
        return f"{year}-{month}-{'31' if end else '01'}"
    return f"{year}-12-31" if end else f"{year}-01-01"


def split_list(values: list[str] | None) -> list[str]:
    """Repeatable options that also take comma-separated values: -t 通知,意见 -t 办法."""
    out = []
    for value in values or []:
        out.extend(v.strip() for v in re.split(r"[,，]", value) if v.strip())
    return out
