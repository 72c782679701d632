"""One spider for every portal: the site profile and its platform adapter say where to go.

list pages -> every detail page -> attachments. Every attempt, good or bad, leaves the
spider as a FetchResult item, so the archive can record it.
"""
from __future__ import annotations

from urllib.parse import urlencode

import scrapy
from scrapy import signals
from scrapy.exceptions import DontCloseSpider

from guifan.archive.site_state import site_state
from guifan.archive.models import FetchResult
from guifan.crawler.platforms import ListPage, ListRequest, fill_from_list
from guifan.crawler import revisit
from guifan.crawler.helpers import attachment_settings, read_attachment
from guifan.crawler.offload import attachment_read, extracted
from guifan.crawler.profiles import SiteProfile
from guifan.crawler.registry.catalog import get_profiles
from guifan.crawler import render
from guifan.crawler.sniffing import SiteLearner, page_text
from guifan.crawler.antibot import RENDERABLE
from guifan.crawler.middlewares import CrawlScope
from guifan.crawler.responses import RETRYABLE_ERRORS, blocked_reason, error_reason, exchange
from guifan.parsers import ParseError, extract

LIST_PRIORITY = 1   # above detail pages and attachments (0)


def conditional_headers(validators: dict[str, str] | None) -> dict[str, str]:
    if not validators:
        return {}
    names = {"etag": "If-None-Match", "last-modified": "If-Modified-Since"}
    return {names[k]: v for k, v in validators.items()}


class SiteCrawl:
    """What the spider knows of one site during a crawl: its profile, the learner reading its
    pages, its scope, and (once `load`ed from the archive) its validators, known pages and
    revisit plan. One spider holds one per site (a national crawl: a thousand)."""

    def __init__(self, profile: SiteProfile):
        self.profile, self.name = profile, profile.name
        self.hints = {"platform": profile.platform, **profile.hints}
        self.learner = SiteLearner(profile, self.hints)
        self.scope = CrawlScope.of(profile)   # read by crawler.middlewares.OffSiteGuard
        self.validators: dict[str, dict[str, str]] = {}
        self.known_urls: list[str] = []
        self.revisit = revisit.RevisitPlan()
        self.lists_requested: set[str] = set()

    @property
    def platform(self):
        """The adapter reading this site: the profile's, or under `auto` the one sniffed so far."""
        return self.learner.platform

    def load(self, settings, policy: revisit.RevisitPolicy) -> None:
        """What the archive knows of the site: validators, known pages, what is due again."""
        resumed = settings.get("GUIFAN_RUN_ID") if settings.getbool("GUIFAN_RESUMED") else None
        state = site_state(settings.get("GUIFAN_DB"), self.name, settings.getbool("GUIFAN_CONDITIONAL"),
                           fetch_log=policy.base > 0, url_prefixes=self.learner.start_prefixes(),
                           resumed_run=int(resumed) if resumed else None)
        self.validators, self.known_urls = state.validators, state.live_urls
        self.learner = SiteLearner(self.profile, self.hints, settings.get("GUIFAN_RUN_ID"), state.others_documents)
        self.revisit = revisit.plan(policy, state)  # known pages not yet due are skipped
        self.revisit.not_due |= state.done_in_run   # a resumed run does not fetch its pages twice


class AnySite:
    """The scope of requests no site claims (robots.txt): allowed where some site's scope is."""

    def __init__(self, scopes):
        self.scopes, self.seen = list(scopes), {}

    def allows(self, url: str, kind: str) -> bool:
        if url not in self.seen:
            self.seen[url] = any(s.allows(url, kind) for s in self.scopes)
        return self.seen[url]


class PortalSpider(scrapy.Spider):
    """One site (`profile`, or `-a site=NAME`), or many at once (`profiles`): each request
    carries its site's name in meta["site"], and its state is that site's SiteCrawl."""

    name = "portal"

    def __init__(self, site: str | None = None, base_url: str | None = None,
                 profile: SiteProfile | None = None, profiles: list[SiteProfile] | None = None, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if profiles is None:
            if profile is None:
                if not site:
                    raise ValueError("say which site to crawl: scrapy crawl portal -a site=NAME")
                profile = get_profiles([site])[0]
            profiles = [profile.with_base_url(base_url) if base_url else profile]
        self.sites = {p.name: SiteCrawl(p) for p in profiles}
        self.only = next(iter(self.sites.values())) if len(self.sites) == 1 else None
        self.site = self.only.name if self.only else None       # one site: its name (progress, workers)
        self.profile = self.only.profile if self.only else None
        self.any_site = AnySite(s.scope for s in self.sites.values())

    # One site's state, as the single-site spider has always shown it (workers, tests).
    hints = property(lambda self: self.only.hints)
    learner = property(lambda self: self.only.learner)
    scope = property(lambda self: self.only.scope)
    platform = property(lambda self: self.only.platform)

    def site_of(self, meta) -> SiteCrawl:
        """The site a request belongs to (a request without the mark: the only site)."""
        return self.sites[meta["site"]] if "site" in meta else self.only

    def scope_for(self, request):
        """The scope a request must stay in: its site's, or for robots.txt (no site) any site's."""
        site = self.sites.get(request.meta.get("site")) or self.only
        return site.scope if site else self.any_site

    def hints_for(self, request) -> dict:
        return self.site_of(request.meta).hints

    @classmethod
    def update_settings(cls, settings):
        super().update_settings(settings)
        # GUIFAN_RENDER (`--render`) routes challenged pages through the browser.
        if settings.getbool("GUIFAN_RENDER") and "PLAYWRIGHT_LAUNCH_OPTIONS" not in settings:
            settings.setdict(render.render_settings(), priority="spider")

    @classmethod
    def from_crawler(cls, crawler, *args, **kwargs):
        spider = super().from_crawler(crawler, *args, **kwargs)
        crawler.signals.connect(spider.revisit_unlisted, signal=signals.spider_idle)
        return spider

    async def start(self):
        """Every site's state first, then every site's first requests. Read before the first
        request, the archive is as it was before this run (not with other sites' documents of
        this run in it), and no read (tens of ms each on a large archive) holds the reactor,
        and with it every site, while the crawl is under way."""
        policy = revisit.RevisitPolicy.from_settings(self.settings)
        for site in self.sites.values():
            site.load(self.settings, policy)
        for site in self.sites.values():
            for list_request in site.learner.start_requests():
                request = self.list_request(site, list_request, start=True)
                if isinstance(request, scrapy.Request) and len(self.sites) > 1:
                    # Scheduled at once: Scrapy takes one start request per turn of a busy
                    # reactor (~12 ms at 1,000 sites), so the last site would start 12 s late.
                    self.crawler.engine.crawl(request)
                else:
                    yield request

    def revisit_unlisted(self):
        """Once the lists are done, check known documents no list showed: gone, or just unlisted?"""
        found = False
        for site in self.sites.values():
            if not site.known_urls:
                continue
            urls, site.known_urls = [u for u in site.known_urls if site.revisit.due(u)], []
            for url in urls:  # the scheduler's duplicate filter drops those already fetched this run
                request = self.request(site, url, "detail")
                if isinstance(request, scrapy.Request):
                    self.crawler.engine.crawl(request)
            found = True
        if found:
            raise DontCloseSpider

    def request(self, site: SiteCrawl, url: str, kind: str, referer: str | None = None,
                list_hints: dict | None = None, **kwargs) -> scrapy.Request | FetchResult:
        """The request, or — for a URL no request can be made of — the failed attempt to record."""
        # List pages are always fetched whole: they are how new documents are found.
        headers = conditional_headers(site.validators.get(url)) if kind != "list" else {}
        headers.update(kwargs.pop("headers", {}))
        meta = {"site": site.name, "kind": kind, "referer": referer}
        if kind == "list":   # a site's lists first: they are how its work is found (and sized)
            kwargs.setdefault("priority", LIST_PRIORITY)
        if list_hints:
            meta["list_hints"] = list_hints
        try:
            return scrapy.Request(url, callback=self.callback(kind), errback=self.on_error, headers=headers,
                                  meta=meta, **kwargs)
        except (ValueError, TypeError) as exc:   # a scheme Scrapy cannot fetch, a malformed URL
            self.logger.warning("not fetching %s (linked from %s): %s", url, referer, exc)
            return FetchResult(site=site.name, kind=kind, url=str(url), outcome="failed", reason="bad_url",
                               referer=referer, method=kwargs.get("method", "GET"))

    def callback(self, kind: str):
        return {"list": self.parse_list, "detail": self.parse_detail, "attachment": self.parse_attachment}[kind]

    def list_request(self, site: SiteCrawl, wanted: ListRequest, referer: str | None = None, start: bool = False,
                     landing: bool = False) -> scrapy.Request:
        """A list fetch as the platform asked for it: GET, or POST with a form (dataproxy.jsp …)."""
        if wanted.method == "POST":
            request = self.request(site, wanted.url, "list", referer, method="POST",
                                   body=urlencode(wanted.form or {}),
                                   headers={"Content-Type": "application/x-www-form-urlencoded"})
        else:
            request = self.request(site, wanted.url, "list", referer)
        if start or landing:
            request.meta["hub"] = "landing" if landing else "start"
        return request

    # -- responses ------------------------------------------------------------------

    def parse_list(self, response):
        result = yield from self.checked(response)
        if result is None:
            return
        site = self.site_of(response.meta)
        content_type = response.headers.get("Content-Type", b"").decode("latin-1")
        hub = response.meta.get("hub")
        # Decoded here only while there is something to learn (the adapter decodes on its own).
        learner = site.learner
        text = page_text(response.body, content_type) if hub or learner.wants_text() else ""
        seen = learner.read(response.url, text) if learner.wants_text() else {}
        page = site.platform.parse_list(response.url, response.body, content_type)
        landings = []
        if hub and learner.is_hub(response.url, page, hub == "start", hub == "landing"):
            choice, columns, landings = learner.columns(response.url, text, hub == "landing")
            seen.setdefault("columns", []).append(choice)
            page = ListPage(pages=columns)          # a home page is read for its columns only
        page.details, shared = learner.own(page.details)
        seen.update(shared)
        result.links = page.details
        result.observations = seen or None
        yield result
        for wanted in landings:
            yield self.list_request(site, wanted, referer=response.url, landing=True)
        for wanted in page.pages:
            # A pager names every page on every page: N² requests for the duplicate filter otherwise.
            if wanted.method == "POST" or wanted.url not in site.lists_requested:
                site.lists_requested.add(wanted.url)
                yield self.list_request(site, wanted, referer=response.url)
        for url in page.details:
            if site.revisit.due(url):
                yield self.request(site, url, "detail", referer=response.url, list_hints=page.hints.get(url))

    def parse_detail(self, response):
        result = yield from self.checked(response)
        if result is None:
            return
        site = self.site_of(response.meta)
        if site.learner.wants_text():   # platform `auto` not decided yet: detail pages carry marks too
            content_type = response.headers.get("Content-Type", b"").decode("latin-1")
            result.observations = site.learner.read(response.url, page_text(response.body, content_type),
                                                    detail=True) or None
        list_hints = response.meta.get("list_hints")
        hints = {**site.hints, "list": list_hints} if list_hints else site.hints
        try:
            result.document = (extracted(response)  # done by crawler.offload's worker processes
                               or extract(response.body, response.url, dict(result.response_headers), hints))
            fill_from_list(result.document, list_hints)
        except ParseError as exc:
            result.outcome, result.reason = "failed", exc.reason if hasattr(exc, "reason") else "parse_error"
            self.logger.warning("cannot parse %s: %s", response.url, exc)
        else:
            if "challenge_page" in result.document.quality_flags:
                result.outcome, result.reason, result.document = "blocked", "challenge_page", None
        yield result
        for attachment in (result.document.attachments if result.document else []):
            yield self.request(site, attachment.url, "attachment", referer=response.url)

    def parse_attachment(self, response):
        result = yield from self.checked(response)
        if result is not None:
            # Read by crawler.offload's attachment worker; inline only when there are no workers.
            read = attachment_read(response) or read_attachment(
                response.body, response.url, dict(result.response_headers), attachment_settings(self.settings),
                self.settings.get("GUIFAN_DB"))
            result.attachment_reader, result.attachment_text = read
            yield result

    def checked(self, response):
        """Yield what a failed attempt needs (record, retry); return the result if it succeeded."""
        result = exchange(self.site_of(response.meta).name, response)
        status = response.status
        if "guifan_off_site" in response.meta:   # crawler.middlewares.OffSiteRedirects did not follow it
            result.outcome, result.reason = "blocked", "off_site_redirect"
            self.logger.warning("not following %s: redirect to %s leaves the site", response.url,
                                response.meta["guifan_off_site"])
            yield result
            return None
        if "cached" in response.flags:  # Scrapy's HTTP cache answered: not a fresh capture
            result.body, result.outcome, result.reason = None, "not_modified", "http_cache"
            yield result
            return None
        if 200 <= status < 300 and not blocked_reason(response):
            return result
        if status == 304:  # the archive records it as not_modified and confirms the document
            yield result
            return None
        blocked = blocked_reason(response)
        result.outcome = "blocked" if blocked else "failed"
        result.reason = blocked or f"http_{status}"
        retry = None
        if status in self.settings.getlist("GUIFAN_RETRY_STATUSES"):
            retry = self.retry(response.request, result.reason)
            result.reason += "_retried" if retry is not None else ""
        elif blocked in RENDERABLE and self.settings.getbool("GUIFAN_RENDER") \
                and not response.meta.get("guifan_rendered"):
            retry = render.render_request(response.request, self.after_render, self.on_error)
            result.reason += "_rendered"
        yield result
        if retry is not None:
            yield retry
        return None

    async def after_render(self, response):
        """The browser ran the challenge: fetch the page again over HTTP with the cookies it earned."""
        cookies = await render.earned_cookies(response)
        yield render.refetch(response.request, cookies, self.callback(response.meta.get("kind", "detail")),
                             self.on_error)

    def retry(self, request, reason: str) -> scrapy.Request | None:
        """The same request again, unless it has had its retries; only our own meta is carried."""
        attempt = request.meta.get("guifan_attempt", 0) + 1
        if attempt > self.settings.getint("GUIFAN_MAX_RETRIES"):
            self.logger.warning("gave up on %s after %d attempts: %s", request.url, attempt, reason)
            return None
        meta = {k: request.meta[k] for k in ("site", "kind", "referer", "list_hints", "hub") if k in request.meta}
        return request.replace(dont_filter=True, priority=request.priority - 1,
                               meta={**meta, "guifan_attempt": attempt})

    def on_error(self, failure):
        request = failure.request
        outcome, reason = error_reason(failure)
        retry = None
        if outcome == "failed" and reason in RETRYABLE_ERRORS:
            retry = self.retry(request, reason)
        url, redirects = request.url, []
        if reason == "off_site_redirect":   # (a meta refresh): the attempt is the URL first asked for
            redirects = list(request.meta.get("redirect_urls", []))
            url = redirects[0]
        yield FetchResult(site=self.site_of(request.meta).name, kind=request.meta.get("kind", "detail"), url=url,
                          final_url=request.url if redirects else None, redirects=redirects,
                          outcome=outcome, reason=reason + ("_retried" if retry else ""),
                          referer=request.meta.get("referer"), method=request.method)
        if retry is not None:
            yield retry
