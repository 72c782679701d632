"""Site profiles: one small TOML file per portal, the only place site knowledge lives."""
from __future__ import annotations

import difflib
import importlib.resources
import tomllib
from dataclasses import asdict, dataclass, field
from pathlib import Path
from urllib.parse import urljoin, urlsplit, urlunsplit

SITES_DIR = Path(__file__).parent / "sites"
if not SITES_DIR.is_dir():  # inside a zipped egg (Scrapyd): read the profiles from the archive
    SITES_DIR = importlib.resources.files("guifan.crawler") / "sites"
REQUIRED = ("name", "name_zh", "region", "admin_code", "platform", "start_urls")


class ProfileError(Exception):
    """A profile is missing, unknown or malformed."""


@dataclass
class SiteProfile:
    name: str
    name_zh: str
    region: str
    admin_code: str
    platform: str
    start_urls: list[str]
    base_url: str = ""
    demo: bool = False
    demo_group: str = ""             # `guifan demo` crawls the default group; others are for tests
    source: str = ""
    hints: dict = field(default_factory=dict)
    schedule: str = ""               # cron expression for `guifan schedule` (crawler/schedule.py)
    # Crawl scope (crawler/middlewares.OffSiteGuard): pages come only from the hosts of base_url
    # and start_urls and these; attachments also from attachment_hosts. "*.example.gov.cn"
    # names a domain and its subdomains.
    hosts: list[str] = field(default_factory=list)
    attachment_hosts: list[str] = field(default_factory=list)
    path: str = ""                   # the profile's file; "" for a site imported from the registry
    unit: dict = field(default_factory=dict)   # the registry's entry for admin_code (crawler/registry)

    def absolute_start_urls(self) -> list[str]:
        return [urljoin(self.base_url.rstrip("/") + "/", u) for u in self.start_urls]

    def page_hosts(self) -> list[str]:
        """The hosts this site's pages may come from (lower case, ports aside)."""
        named = [urlsplit(u).hostname for u in [self.base_url, *self.absolute_start_urls()] if u]
        return sorted({h.lower() for h in [*named, *self.hosts] if h})

    def with_base_url(self, base_url: str) -> "SiteProfile":
        """The site served from another address (a mirror, the demo portal): its absolute start
        URLs (registry sites have those) move there too, keeping path and query."""
        def rebase(url: str) -> str:
            parts = urlsplit(url)
            return urlunsplit(("", "", parts.path or "/", parts.query, "")) if parts.scheme else url

        return SiteProfile(**{**asdict(self), "base_url": base_url, "start_urls": [rebase(u) for u in self.start_urls]})

    def to_dict(self) -> dict:
        return asdict(self)


def load_profile(path: Path) -> SiteProfile:
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except (OSError, tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
        raise ProfileError(f"cannot read site profile {path}: {exc}") from None
    problems = [f"{key}: {why}" for key, why in validate(data)]
    if problems:
        raise ProfileError(f"site profile {path}: " + "; ".join(problems))
    return SiteProfile(**{k: v for k, v in data.items() if k in EDITABLE}, path=str(path))


EDITABLE = {k: f.type for k, f in SiteProfile.__dataclass_fields__.items() if k not in ("path", "unit")}
TYPES = {"str": str, "bool": bool, "dict": dict, "list[str]": list}


def validate(data: dict) -> list[tuple[str, str]]:
    """(field, what is wrong) for each problem of a profile's table; empty when it is sound."""
    problems = [(key, "missing (a profile needs it)") for key in REQUIRED if key not in data]
    for key, value in data.items():
        if key not in EDITABLE:
            # A near miss of a field is a typo that would silently drop it; other keys are left
            # to the tools that read the file themselves.
            close = difflib.get_close_matches(key, EDITABLE, n=1, cutoff=0.75)
            if close:
                problems.append((key, f"unknown field (did you mean {close[0]}?)"))
        elif not isinstance(value, TYPES.get(EDITABLE[key], object)):
            problems.append((key, f"must be {EDITABLE[key]}, got {type(value).__name__} {value!r}"))
    if problems:
        return problems
    if not (len(data["admin_code"]) == 6 and data["admin_code"].isdigit()):
        problems.append(("admin_code", f"must be 6 digits (GB/T 2260), got {data['admin_code']!r}"))
    base = data.get("base_url", "")
    if base and not _is_web_url(base):
        problems.append(("base_url", f"must be an absolute http(s) URL, got {base!r}"))
    urls = data["start_urls"]
    if not urls or not all(isinstance(u, str) and u for u in urls):
        problems.append(("start_urls", f"must be a non-empty list of URLs, got {urls!r}"))
    # Relative start URLs without base_url are fine: such a profile is served with --base-url.
    return problems


def _is_web_url(url: str) -> bool:
    parts = urlsplit(url)
    return parts.scheme in ("http", "https") and bool(parts.hostname)


def toml_files(sites_dir) -> list:
    """The directory's *.toml files, sorted; also for a directory inside a zip (no glob there)."""
    return sorted((p for p in sites_dir.iterdir() if p.name.endswith(".toml")), key=lambda p: p.name)


def all_profiles(sites_dir: Path = SITES_DIR) -> dict[str, SiteProfile]:
    profiles = (load_profile(p) for p in toml_files(sites_dir))
    return {p.name: p for p in profiles}


def profiles_by_name(names: list[str], sites_dir: Path = SITES_DIR) -> dict[str, SiteProfile]:
    """The hand-made profiles among `names` (the file is NAME.toml; a broken file elsewhere
    does not matter here); names without a file are left to the registry
    (`crawler.registry.catalog.get_profiles`)."""
    files = [n for n in names if (sites_dir / f"{n}.toml").is_file()]
    loaded = {n: load_profile(sites_dir / f"{n}.toml") for n in files}
    for name, profile in loaded.items():
        if profile.name != name:
            raise ProfileError(f"site profile {profile.path} names itself {profile.name!r}, not {name!r}")
    return loaded
