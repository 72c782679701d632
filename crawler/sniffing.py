"""What a crawl learns about a site on its first pages, and what it does with it.

* Platform ``auto``: until a page carries a platform's marks (``platforms.sniff``) the site
  is read with the generic adapter (pagers and documents only); the first mark switches the
  crawl to that platform's adapter, and after ``SNIFF_PAGES`` pages without one the site is
  taken for an unknown CMS (``generic``).
* First contact: the portal's 网站标识码 (``<meta name="SiteIDCode">`` or the footer line); its
  first six digits are a region code, flagged when they disagree with the profile's
  ``admin_code`` (a wrong or moved registry entry, or a portal shared with another unit).
* Home and landing pages (a start page at a site's root, or any start page the adapter finds
  nothing on): read for their columns only (``platforms.discover``); the choice is recorded.
* Shared portals: a detail URL belongs to the first site of the run that lists it (or to the
  site that already holds it in the archive); another site listing it leaves it alone and
  counts it as shared, so a document served to two county profiles is archived once.

Everything learnt travels to the archive as ``FetchResult.observations`` (``site_runs``).
No Scrapy here: the spider feeds pages in and sends out what this asks for.
"""
from __future__ import annotations

from urllib.parse import urldefrag, urlsplit

from guifan.crawler.platforms import (AUTO, ListPage, ListRequest, Platform, get_platform, region_of_site_code,
                                      site_id_code, sniff)
from guifan.crawler.platforms.base import decode_text, gets, unique
from guifan.crawler.platforms.discover import LANDING_RULE, choose_columns, is_home

SNIFF_PAGES = 3          # pages without any platform mark (one a document) before a site counts as an unknown CMS
_OWNERS: dict[object, dict[str, str]] = {}   # per run: detail URL -> the site it is archived under


def owners(run_key) -> dict[str, str]:
    """The detail URLs claimed in this run (shared by every spider of the crawl process);
    a process that goes on to another run forgets the last one's."""
    if run_key not in _OWNERS:
        _OWNERS.clear()
    return _OWNERS.setdefault(run_key, {})


class SiteLearner:
    """One site's crawl-time knowledge: its adapter, what was sniffed, what it shares."""

    def __init__(self, profile, hints: dict, run_key=None, known_owners: dict[str, str] | None = None):
        self.profile = profile
        self.hints = hints
        self.auto = profile.platform == AUTO
        self.platform: Platform = get_platform("generic", {**hints, "follow_columns": False}) if self.auto \
            else get_platform(profile.platform, hints)
        self.decided = not self.auto
        self.unmarked = self.unmarked_details = 0
        self.contacted = False
        self.code_pages = 0     # pages read for the 网站标识码 so far (SNIFF_PAGES once found)
        self.owners = owners(run_key)
        for url, site in (known_owners or {}).items():
            self.owners.setdefault(url, site)
        self.shared: dict[str, set[str]] = {}     # owner site -> its documents this site lists

    # -- the first requests ---------------------------------------------------------------
    def start_requests(self) -> list[ListRequest]:
        if not self.auto:
            return self.platform.start_requests(self.profile)
        # Fragments name gkmlpt categories; the adapter that is sniffed reads them from the profile.
        return gets(unique(urldefrag(u)[0] for u in self.profile.absolute_start_urls()))

    def start_prefixes(self) -> list[str]:
        """The origins this site is crawled on (for documents other sites already hold there)."""
        return unique(f"{p.scheme}://{p.netloc}/" for p in map(urlsplit, self.profile.absolute_start_urls()))

    # -- every page -----------------------------------------------------------------------
    def wants_text(self) -> bool:
        return not self.decided or self.code_pages < SNIFF_PAGES

    def read(self, url: str, text: str, detail: bool = False) -> dict:
        """Observations from one fetched page (list or detail); switches the adapter when sniffed."""
        seen: dict = self._site_code(text) if self.code_pages < SNIFF_PAGES else {}
        first = not self.contacted
        self.contacted = True
        if self.decided:
            if first and not self.auto:
                seen.update(platform_configured=self.profile.platform, platform=self.platform.name,
                            platform_evidence="as configured")
            return seen
        found = sniff(text)
        if found is not None:
            self._switch(found.platform)
            seen.update(platform_configured=AUTO, platform=found.platform,
                        platform_evidence=f"{found.mark!r} on {url}")
        else:
            self.unmarked += 1
            self.unmarked_details += detail
            # List pages of some platforms (UCAP) carry no mark; their documents do.
            if self.unmarked >= SNIFF_PAGES and self.unmarked_details:
                self.decided = True
                seen.update(platform_configured=AUTO, platform="generic",
                            platform_evidence=f"no platform mark on the first {self.unmarked} pages")
        return seen

    def _switch(self, name: str) -> None:
        self.decided = True
        self.platform = get_platform(name, {**self.hints, "follow_columns": False})
        self.platform.start_requests(self.profile)   # what a profile tells the adapter (gkmlpt categories)

    def _site_code(self, text: str) -> dict:
        """The 网站标识码, looked for on the first pages until one shows it (a JS shell may not)."""
        code = site_id_code(text)
        self.code_pages = SNIFF_PAGES if code else self.code_pages + 1
        if code is None:
            return {}
        region = region_of_site_code(code)
        return {"site_id_code": code, "code_mismatch": region is not None and region != self.profile.admin_code}

    # -- home and landing pages -----------------------------------------------------------
    def is_hub(self, url: str, page: ListPage, start: bool, landing: bool) -> bool:
        """Read for its columns: a landing page, or a start page at the root (under auto) or
        one the adapter finds nothing on."""
        if landing:
            return True
        if not start:
            return False
        return (self.auto and is_home(url)) or not (page.details or page.pages)

    def columns(self, url: str, text: str, landing: bool) -> tuple[dict, list[ListRequest], list[ListRequest]]:
        """(the choice, as recorded; the columns to list; the landing pages to read next)."""
        choice = choose_columns(url, text)
        urls = [c.url for c in choice.columns]
        if choice.rule == LANDING_RULE:
            return choice.to_dict(), [], [] if landing else gets(urldefrag(u)[0] for u in urls)
        return choice.to_dict(), self.platform.column_requests(urls), []

    # -- shared portals ---------------------------------------------------------------------
    def own(self, urls: list[str]) -> tuple[list[str], dict]:
        """(the listed documents this site archives, the shared counts if they changed):
        those another site holds are left to it and counted as shared."""
        mine, before = [], sum(map(len, self.shared.values()))
        for url in urls:
            owner = self.owners.setdefault(url, self.profile.name)
            if owner == self.profile.name:
                mine.append(url)
            else:
                self.shared.setdefault(owner, set()).add(url)
        if sum(map(len, self.shared.values())) == before:
            return mine, {}
        return mine, {"shared": {site: len(urls) for site, urls in sorted(self.shared.items())}}


def page_text(body: bytes, content_type: str) -> str:
    return decode_text(body, content_type)
