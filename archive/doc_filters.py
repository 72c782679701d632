"""Filters shared by search, export and the Datasette pages: one meaning, one SQL.

Every value reaches SQL as a bound parameter; only fixed fragments are concatenated.
The SQL assumes the aliases ``v`` (versions), ``d`` (documents) and ``s`` (sites).
"""
from __future__ import annotations

import datetime
import re
from dataclasses import dataclass, field

from guifan.parsers import vocabulary
from guifan.parsers.vocabulary import VALIDITY_VALUES

from .errors import ArchiveError

_DATE = re.compile(r"^(\d{4})(?:-(\d{2}))?(?:-(\d{2}))?$")


@dataclass
class DocFilters:
    """What to keep. Lists mean "any of"; text filters (region, issuer) mean "contains".

    ``validity`` is the computed validity (archive.validity) as of ``as_of`` (default today),
    or, with ``validity_label``, the portal's own 有效性 label as extracted.
    """

    sites: list[str] = field(default_factory=list)
    region: str | None = None
    issuer: str | None = None
    doc_types: list[str] = field(default_factory=list)
    validity: list[str] = field(default_factory=list)
    date_from: str | None = None
    date_to: str | None = None
    all_versions: bool = False
    as_of: str | None = None
    validity_label: bool = False

    def __post_init__(self) -> None:
        self.validity = [validity_value(v) for v in self.validity]
        if self.as_of is not None or self.validity:
            self.as_of = as_of_day(self.as_of)
        self.date_from = date_bound(self.date_from, end=False)
        self.date_to = date_bound(self.date_to, end=True)

    def where(self) -> tuple[str, dict]:
        """SQL conditions (joined by AND, "1" if none) and their named parameters."""
        parts, params = [], {}
        if not self.all_versions:
            parts.append("d.status = 'live' AND v.version = d.current_version")
        _in_list(parts, params, "v.site", "site", self.sites)
        _in_list(parts, params, "v.doc_type", "doc_type", self.doc_types)
        if self.validity and self.validity_label:
            _in_list(parts, params, "v.validity", "validity", self.validity)
        elif self.validity:
            names = [f"validity_{i}" for i in range(len(self.validity))]
            parts.append(filter_sql(names))
            params.update(zip(names, self.validity), as_of=self.as_of)
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
    def needs_validity(self) -> bool:
        """The filter reads computed validity (archive.validity's timelines: callers bring them up
        to date with ``validity.ensure_current``, as the CLI and ``export`` do)."""
        return bool(self.validity) and not self.validity_label

    @property
    def needs_sites(self) -> bool:
        return bool(self.region)


def filter_sql(names: list[str]) -> str:
    """Computed validity on :as_of among the named values (archive.validity's timelines)."""
    marks = ", ".join(f":{n}" for n in names)
    return ("EXISTS (SELECT 1 FROM validity_timeline vt WHERE vt.doc_id = v.doc_id AND vt.version = v.version "
            f"AND vt.start_date <= :as_of AND vt.end_date >= :as_of AND vt.validity IN ({marks}))")


def _in_list(parts: list, params: dict, column: str, name: str, values: list[str]) -> None:
    if not values:
        return
    names = [f"{name}_{i}" for i in range(len(values))]
    parts.append(f"{column} IN ({', '.join(':' + n for n in names)})")
    params.update(zip(names, values))


def validity_value(text: str) -> str:
    value = vocabulary.validity_value(text)
    if value is None:
        raise ArchiveError(f"unknown validity {text!r}; use one of {', '.join(VALIDITY_VALUES)} "
                           f"(or 有效, 已废止, 废止, 失效, 已修订, 尚未生效)")
    return value


def as_of_day(text: str | None) -> str:
    """YYYY-MM-DD (default: today, local time)."""
    if not text:
        return datetime.date.today().isoformat()
    bound = date_bound(text, end=True)
    if len(text.strip()) != 10:
        raise ArchiveError(f"--as-of wants a day YYYY-MM-DD, got {text!r}")
    return bound


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
