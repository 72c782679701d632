"""Column discovery: from a portal's home page or its 信息公开 landing page, the columns worth
crawling for 行政规范性文件, and why those.

A registry entry often knows a county only by its home page. The rule, in order:
1. links named 规范性文件 (行政规范性文件, 县政府规范性文件 …): every one of them;
2. else links named 政策文件 or 政府文件;
3. else the 信息公开 / 政务公开 landing pages it links, where the same rule is applied again.
Only same-site links with the short text of a navigation label count, and never guides,
annual reports, interpretations (解读) or request forms. The choice (the columns, the rule
that picked them, the page they were found on) is recorded in the run report.
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field
from urllib.parse import urljoin, urlsplit

import lxml.html

from .generic import MAX_COLUMN_TEXT, NOT_COLUMNS

RULES = (
    ("规范性文件", re.compile(r"规范性文件")),
    ("政策文件/政府文件", re.compile(r"政策文件|政府文件")),
)
LANDING = re.compile(r"信息公开|政务公开|公开目录")
LANDING_RULE = "信息公开 landing"


@dataclass
class Column:
    url: str          # as linked, fragment kept (gkmlpt names its categories by fragment)
    name: str         # the link text


@dataclass
class ColumnChoice:
    page: str                                   # the page the choice was made on
    rule: str | None = None                     # RULES name, LANDING_RULE, or None: nothing found
    columns: list[Column] = field(default_factory=list)

    @property
    def reason(self) -> str:
        if self.rule is None:
            return "no 规范性文件, 政策文件/政府文件 or 信息公开 link on the page"
        if self.rule == LANDING_RULE:
            return "no policy column on the page; its 信息公开 landing pages are read for one"
        if self.rule == RULES[0][0]:
            return "规范性文件 linked by name"
        return "no 规范性文件 column; fell back to those named 政策文件/政府文件"

    def to_dict(self) -> dict:
        return {"page": self.page, "rule": self.rule, "reason": self.reason,
                "columns": [{"url": c.url, "name": c.name} for c in self.columns]}


def labelled_links(html: str, base_url: str) -> list[Column]:
    """Same-site links whose text (or title) reads like a navigation label, fragments kept."""
    try:
        tree = lxml.html.fromstring(html)
    except (lxml.etree.ParserError, ValueError):
        return []
    host, found = urlsplit(base_url).netloc, {}
    for a in tree.iter("a"):
        href = (a.get("href") or "").strip()
        if not href or href.startswith(("javascript:", "mailto:", "tel:")) or href == "#":
            continue
        text = " ".join((a.text_content() or "").split()) or " ".join((a.get("title") or "").split())
        try:
            url = urljoin(base_url, href)
        except ValueError:
            continue
        if urlsplit(url).netloc == host and 0 < len(text) <= MAX_COLUMN_TEXT and not NOT_COLUMNS.search(text):
            found.setdefault(url, Column(url, text))
    return list(found.values())


def choose_columns(url: str, html: str) -> ColumnChoice:
    """The columns of a home or landing page that the rule picks (see the module's doc)."""
    links = [c for c in labelled_links(html, url) if c.url.split("#")[0] != url or "#" in c.url]
    for rule, pattern in RULES:
        picked = [c for c in links if pattern.search(c.name)]
        if picked:
            return ColumnChoice(url, rule, picked)
    landings = [c for c in links if LANDING.search(c.name) and c.url.split("#")[0] != url]
    return ColumnChoice(url, LANDING_RULE if landings else None, landings)


def is_home(url: str) -> bool:
    """A site's root or index page: read for its columns, not as a list."""
    path = urlsplit(url).path
    return path in ("", "/") or bool(re.fullmatch(r"/(index|default|main|home)\.\w+", path, re.I))
