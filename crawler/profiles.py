"""Site profiles: one small TOML file per portal, the only place site knowledge lives."""
from __future__ import annotations

import importlib.resources
import tomllib
from dataclasses import asdict, dataclass, field
from pathlib import Path
from urllib.parse import urljoin, urlsplit

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
    # Crawl scope (crawler/middlewares.OffSiteGuard): pages come only from the hosts of base_url
    # and start_urls and these; attachments also from attachment_hosts. "*.example.gov.cn"
    # names a domain and its subdomains.
    hosts: list[str] = field(default_factory=list)
    attachment_hosts: list[str] = field(default_factory=list)
    path: str = ""

    def absolute_start_urls(self) -> list[str]:
        return [urljoin(self.base_url.rstrip("/") + "/", u) for u in self.start_urls]

    def page_hosts(self) -> list[str]:
        """The hosts this site's pages may come from (lower case, ports aside)."""
        named = [urlsplit(u).hostname for u in [self.base_url, *self.absolute_start_urls()] if u]
        return sorted({h.lower() for h in [*named, *self.hosts] if h})

    def with_base_url(self, base_url: str) -> "SiteProfile":
        return SiteProfile(**{**asdict(self), "base_url": base_url})

    def to_dict(self) -> dict:
        return asdict(self)


def load_profile(path: Path) -> SiteProfile:
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except (OSError, tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
        raise ProfileError(f"cannot read site profile {path}: {exc}") from None
    missing = [k for k in REQUIRED if k not in data]
    if missing:
        raise ProfileError(f"site profile {path} lacks {', '.join(missing)}")
    known = set(SiteProfile.__dataclass_fields__)
    return SiteProfile(**{k: v for k, v in data.items() if k in known}, path=str(path))


def toml_files(sites_dir) -> list:
    """The directory's *.toml files, sorted; also for a directory inside a zip (no glob there)."""
    return sorted((p for p in sites_dir.iterdir() if p.name.endswith(".toml")), key=lambda p: p.name)


def all_profiles(sites_dir: Path = SITES_DIR) -> dict[str, SiteProfile]:
    profiles = (load_profile(p) for p in toml_files(sites_dir))
    return {p.name: p for p in profiles}


def get_profiles(names: list[str], sites_dir: Path = SITES_DIR) -> list[SiteProfile]:
    """Profiles by name (the file is NAME.toml); a broken file elsewhere does not matter here."""
    unknown = [n for n in names if not (sites_dir / f"{n}.toml").is_file()]
    if unknown:
        known = sorted(p.name[: -len(".toml")] for p in toml_files(sites_dir))
        raise ProfileError(f"unknown site {', '.join(unknown)}; known sites: {', '.join(known) or '(none)'}")
    profiles = [load_profile(sites_dir / f"{n}.toml") for n in names]
    for name, profile in zip(names, profiles):
        if profile.name != name:
            raise ProfileError(f"site profile {profile.path} names itself {profile.name!r}, not {name!r}")
    return profiles
