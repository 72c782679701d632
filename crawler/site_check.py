"""`guifan sites check NAME`: does the adapter find documents on a portal's column page?

A handful of polite requests (guifan's user agent, robots.txt obeyed, a pause between
requests to a real host): the profile's first list fetches, then the lists they lead to
(gkmlpt's API, the generic adapter's columns) until documents appear or the budget is
spent; then one document page, parsed, to show what the archive would get.
"""
from __future__ import annotations

import time
import urllib.error
import urllib.request
import urllib.robotparser
from dataclasses import dataclass, field
from urllib.parse import urlencode, urljoin, urlsplit

from guifan.parsers.detect_challenge import block_reason
from guifan.crawler.middlewares import is_loopback
from guifan.crawler.platforms import ListRequest
from guifan.crawler.platforms.base import decode_text
from guifan.crawler.profiles import SiteProfile
from guifan.crawler.sniffing import SiteLearner
from guifan import __version__
from guifan.parsers import ParseError, extract

USER_AGENT = f"guifan/{__version__} (archival crawler of public government documents; research use; site check)"
PAUSE = 1.0   # seconds between requests to a real host, as in a crawl


@dataclass
class CheckReport:
    site: str
    platform: str
    fetched: list[tuple[str, str]] = field(default_factory=list)   # (url, status or reason)
    details: list[str] = field(default_factory=list)
    sample: dict | None = None                                   # the first document, parsed
    problems: list[str] = field(default_factory=list)
    seen: dict = field(default_factory=dict)    # platform sniffed, 网站标识码, columns chosen (as in site_runs)

    @property
    def ok(self) -> bool:
        return bool(self.details)


def _fetch(wanted: ListRequest | str, timeout: float) -> tuple[int, dict[str, str], bytes]:
    wanted = ListRequest(wanted) if isinstance(wanted, str) else wanted
    data = urlencode(wanted.form or {}).encode() if wanted.method == "POST" else None
    request = urllib.request.Request(wanted.url, data=data, headers={"User-Agent": USER_AGENT})
    try:
        with urllib.request.urlopen(request, timeout=timeout) as answer:
            return answer.status, {k.lower(): v for k, v in answer.headers.items()}, answer.read()
    except urllib.error.HTTPError as exc:
        return exc.code, {k.lower(): v for k, v in exc.headers.items()}, exc.read()


def _robots(url: str, timeout: float) -> urllib.robotparser.RobotFileParser | None:
    robots = urllib.robotparser.RobotFileParser()
    try:
        status, _, body = _fetch(urljoin(url, "/robots.txt"), timeout)
    except (OSError, ValueError):
        return None
    if status >= 400:
        return None
    robots.parse(body.decode("utf-8", "replace").splitlines())
    return robots


class _Politeness:
    def __init__(self):
        self.last: dict[str, float] = {}

    def wait(self, url: str) -> None:
        host = urlsplit(url).netloc
        if not is_loopback(url) and host in self.last:
            time.sleep(max(0.0, PAUSE - (time.monotonic() - self.last[host])))
        self.last[host] = time.monotonic()


def check_site(profile: SiteProfile, max_requests: int = 6, timeout: float = 20.0) -> CheckReport:
    learner = SiteLearner(profile, {"platform": profile.platform, **profile.hints})
    report = CheckReport(profile.name, profile.platform)
    queue = [(w, "start") for w in learner.start_requests()]
    robots = _robots(queue[0][0].url, timeout) if queue else None
    polite = _Politeness()
    hints: dict[str, dict] = {}
    while queue and not report.details and len(report.fetched) < max_requests:
        wanted, hub = queue.pop(0)
        if robots is not None and not robots.can_fetch(USER_AGENT, wanted.url):
            report.fetched.append((wanted.url, "robots.txt forbids it"))
            continue
        polite.wait(wanted.url)
        try:
            status, headers, body = _fetch(wanted, timeout)
        except (OSError, ValueError) as exc:
            report.fetched.append((wanted.url, f"unreachable: {getattr(exc, 'reason', exc)}"))
            report.problems.append(f"{wanted.url}: unreachable ({getattr(exc, 'reason', exc)})")
            continue
        blocked = block_reason(status, headers, body)
        report.fetched.append((wanted.url, blocked or str(status)))
        if blocked or status >= 400:
            report.problems.append(f"{wanted.url}: {blocked or f'HTTP {status}'}")
            continue
        queue += _read(learner, report, wanted.url, body, headers.get("content-type", ""), hub, hints)
    report.platform = learner.platform.name if learner.decided else f"{profile.platform} (not sniffed yet)"
    if report.seen.get("code_mismatch"):
        report.problems.append(f"the portal's 网站标识码 {report.seen['site_id_code']} is not of region "
                               f"{profile.admin_code}: a wrong, moved or shared portal?")
    if report.details:
        report.sample = _sample(report.details[0], hints.get(report.details[0]), learner, polite, timeout, report)
    elif not report.problems:
        report.problems.append("the list pages were read but the adapter found no document links in them")
    return report


def _read(learner: SiteLearner, report: CheckReport, url: str, body: bytes, content_type: str, hub: str | None,
          hints: dict) -> list[tuple[ListRequest, str | None]]:
    """One list answer read as a crawl reads it; returns what to fetch next."""
    text = decode_text(body, content_type)
    seen = learner.read(url, text)
    columns = seen.pop("columns", [])
    report.seen.update(seen)
    page = learner.platform.parse_list(url, body, content_type)
    if hub and learner.is_hub(url, page, hub == "start", hub == "landing"):
        choice, wanted, landings = learner.columns(url, text, hub == "landing")
        report.seen.setdefault("columns", []).extend(columns + [choice])
        return [(w, None) for w in wanted] + [(w, "landing") for w in landings]
    report.details += page.details
    hints.update(page.hints)
    return [(w, None) for w in page.pages]


def _sample(url: str, list_hints, learner: SiteLearner, polite: _Politeness, timeout: float,
            report: CheckReport) -> dict | None:
    """The first document, fetched and parsed, so the user sees what a crawl would keep."""
    from guifan.crawler.platforms import fill_from_list

    polite.wait(url)
    try:
        status, headers, body = _fetch(url, timeout)
        if learner.wants_text():   # `auto` not decided on the lists: the document may carry the mark
            report.seen.update(learner.read(url, decode_text(body, headers.get("content-type", "")), detail=True))
            report.platform = learner.platform.name if learner.decided else report.platform
        doc = extract(body, url, headers, {**learner.hints, "platform": learner.platform.name})
    except (OSError, ValueError, ParseError) as exc:
        report.problems.append(f"{url}: the first document could not be read ({exc})")
        return None
    fill_from_list(doc, list_hints)
    report.fetched.append((url, str(status)))
    return {"url": url, "status": status, "title": doc.title, "doc_number": doc.doc_number,
            "published_date": doc.published_date, "validity": doc.validity, "body_chars": len(doc.body)}
