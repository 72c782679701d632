"""Which known detail pages a crawl revisits: an interval that grows while a page stays unchanged.

A document seen for the first time is fetched at once. A known one is due again
`base × 2^streak` seconds (at most `max`) after its last successful fetch, where `streak`
counts its consecutive unchanged confirmations (`unchanged` or `not_modified`) since it was
new or last changed. A page whose last attempt failed, or whose document is gone, is always
due. `GUIFAN_REVISIT_BASE = 0` (the default) revisits every known page in every run: a
crawl started by hand, the demo and the tests see every change; schedules turn it on.
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import datetime, timezone

from guifan.archive.site_state import SiteState

CONFIRMED = ("unchanged", "not_modified")
SUCCESS = ("new", "changed", *CONFIRMED)
_UNITS = {"s": 1, "m": 60, "h": 3600, "d": 86400, "w": 7 * 86400}


def seconds(value) -> float:
    """'90', 90, '30m', '6h', '1d', '2w' -> seconds."""
    if isinstance(value, (int, float)):
        return float(value)
    m = re.fullmatch(r"\s*(\d+(?:\.\d+)?)\s*([smhdw]?)\s*", str(value))
    if not m:
        raise ValueError(f"not a duration: {value!r} (use seconds or e.g. 30m, 6h, 1d, 2w)")
    return float(m.group(1)) * _UNITS[m.group(2) or "s"]


@dataclass
class RevisitPolicy:
    base: float = 0.0      # seconds; 0 = every known page in every run
    cap: float = 30 * 86400

    @classmethod
    def from_settings(cls, settings) -> "RevisitPolicy":
        return cls(seconds(settings.get("GUIFAN_REVISIT_BASE") or 0),
                   seconds(settings.get("GUIFAN_REVISIT_MAX") or 30 * 86400))

    def interval(self, streak: int) -> float:
        if self.base <= 0:
            return 0.0
        return min(self.base * 2 ** min(streak, 60), self.cap)


@dataclass
class PageHistory:
    streak: int = 0
    last_success: datetime | None = None
    last_ok: bool = False   # whether the latest attempt succeeded


@dataclass
class RevisitPlan:
    """The answer for one site and one run: `due(url)` says whether to fetch a detail page."""

    not_due: set[str] = field(default_factory=set)

    def due(self, url: str) -> bool:
        return url not in self.not_due


def histories(detail_fetches) -> dict[str, PageHistory]:
    """Each detail URL's unchanged streak and last successful fetch, from the fetch log."""
    found: dict[str, PageHistory] = {}
    # A listed link that redirects was fetched under its own URL; its target is known too.
    for url, final_url, outcome, at in detail_fetches:
        for page in {url, final_url or url}:
            h = found.setdefault(page, PageHistory())
            h.last_ok = outcome in SUCCESS
            if h.last_ok:
                h.streak = h.streak + 1 if outcome in CONFIRMED else 0
                h.last_success = parse_time(at)
    return found


def parse_time(text: str) -> datetime:
    return datetime.fromisoformat(text.replace("Z", "+00:00"))


def not_due(policy: RevisitPolicy, pages: dict[str, PageHistory], gone: set[str], now: datetime) -> set[str]:
    skip = set()
    for url, h in pages.items():
        if not h.last_ok or h.last_success is None or url in gone:
            continue
        if (now - h.last_success).total_seconds() < policy.interval(h.streak):
            skip.add(url)
    return skip


def plan(policy: RevisitPolicy, state: SiteState, now: datetime | None = None) -> RevisitPlan:
    """The revisit plan of a site for a crawl starting `now`, from what the archive knows of it."""
    if policy.base <= 0:
        return RevisitPlan()
    pages = histories(state.detail_fetches)
    return RevisitPlan(not_due(policy, pages, state.gone_urls, now or datetime.now(timezone.utc)))
