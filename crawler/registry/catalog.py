"""Every site guifan knows, and the one selection rule `guifan sites` and `guifan crawl` share.

The catalog is the hand-made profiles (crawler/sites/*.toml, demo sites included) plus one
imported site per registry unit that no profile covers: a profile with the unit's admin_code
wins, keeping its platform and overrides, and carries the registry entry along as `unit`.
"""
from __future__ import annotations

import difflib
import re
from urllib.parse import urlsplit

from guifan.crawler.profiles import SITES_DIR, ProfileError, SiteProfile, all_profiles, profiles_by_name

from . import Unit, citation, load_units

PROVINCE_SHORT = {"内蒙古自治区": "内蒙古", "广西壮族自治区": "广西", "西藏自治区": "西藏",
                  "宁夏回族自治区": "宁夏", "新疆维吾尔自治区": "新疆"}
SUFFIXES = ("地区", "省", "市", "盟", "县", "区", "旗")
REGION_PART = re.compile(r".+?(?:特别行政区|自治区|自治州|地区|省|盟|市|县|区|旗)")
MANY_SITES = 20


def catalog(sites_dir=None) -> list[SiteProfile]:
    profiles = list((all_profiles(sites_dir) if sites_dir else all_profiles()).values())
    units = {u.code: u for u in load_units()}
    covered = {p.admin_code for p in profiles}
    for p in profiles:
        if p.admin_code in units:
            p.unit = units[p.admin_code].to_dict()
    imported = [imported_profile(u) for code, u in units.items() if code not in covered]
    return profiles + imported


def imported_profile(u: Unit) -> SiteProfile:
    """A registry unit as a crawlable site: its own unflagged column, else its home page
    (a shared or single-article column would crawl someone else's documents)."""
    own_column = u.column and not u.column_flags
    start = u.column if own_column else u.home
    which = "column" if own_column else "home"
    return SiteProfile(name=u.site_name, name_zh=f"{u.name}人民政府", region=u.region, admin_code=u.code,
                       platform="auto", start_urls=[start] if start else [], base_url=u.home,
                       source=cite(u, which) if start else "", unit=u.to_dict())


def cite(u: Unit, which: str) -> str:
    c = citation(u, which)
    return f"{c['repository']}, {c['file']} at commit {c['commit']} (entry \"{c['key']}\")"


def is_hand_made(p: SiteProfile) -> bool:
    return bool(p.path) and not p.demo


HOME_PATHS = {"", "/", "/index.html", "/index.htm", "/index.shtml", "/index.jsp", "/index.php"}


def has_column(p: SiteProfile) -> bool:
    """A column of its own is known: an imported unit's unflagged column; a profile's start URL
    other than its home page (a profile may give only the home page, for column discovery)."""
    if not p.path:
        return bool(p.unit.get("column")) and not p.unit.get("column_flags")
    return any(not is_home(url) for url in p.absolute_start_urls())


def is_home(url: str) -> bool:
    parts = urlsplit(url)
    return parts.path in HOME_PATHS and not parts.query


def region_parts(p: SiteProfile) -> tuple[str, str, str]:
    """(province, prefecture, county) of a site: from the registry, else split from its region."""
    if p.unit:
        return p.unit["province"], p.unit["prefecture"], p.unit["name"]
    parts = REGION_PART.findall(p.region) or [p.region]
    if len(parts) == 1:
        return parts[0], "", ""
    if len(parts) == 2:
        return parts[0], "", parts[1]
    return parts[0], parts[1], "".join(parts[2:])


def name_forms(name: str) -> set[str]:
    """A name and its short form: 安徽省 / 安徽, 宿州市 / 宿州, 广西壮族自治区 / 广西."""
    forms = {name, PROVINCE_SHORT.get(name, name)}
    for suffix in SUFFIXES:
        if name.endswith(suffix) and len(name) - len(suffix) >= 2:
            forms.add(name[: -len(suffix)])
    return forms


def region_forms(p: SiteProfile) -> set[str]:
    province, prefecture, county = region_parts(p)
    forms = set()
    for part in (province, prefecture, county):
        if part:
            forms |= name_forms(part)
    forms.add(province + prefecture)
    forms.add(province + prefecture + county)
    return forms - {""}


def components(region: str) -> list[str]:
    """安徽省/宿州市, 安徽 宿州 -> its names; 安徽省宿州市 stays one (matched as a whole)."""
    return [c for c in re.split(r"[\s/,，、]+", region) if c]


def in_region(p: SiteProfile, region: str) -> bool:
    wanted = components(region)
    if len(wanted) == 1 and wanted[0].isdigit():
        return p.admin_code.startswith(wanted[0])
    if len(wanted) == 1:
        return wanted[0] in region_forms(p)
    parts = iter(part for part in region_parts(p) if part)   # each name matches a later part
    return all(any(w in name_forms(part) for part in parts) for w in wanted)


def select(sites: list[SiteProfile], region: str | None = None, platform: str | None = None,
           column: bool | None = None) -> list[SiteProfile]:
    """The sites in a region (province, prefecture or county name, or a code prefix such as 3411),
    on a platform, with or without a known column. An unknown region is an error naming the
    closest names; a known region that no site matches after the other filters is just empty."""
    if region:
        chosen = [p for p in sites if in_region(p, region)]
        if not chosen:
            raise ProfileError(unknown_region_message(region, sites))
        sites = chosen
    if platform:
        sites = [p for p in sites if p.platform == platform]
    if column is not None:
        sites = [p for p in sites if has_column(p) == column]
    return sites


def unknown_region_message(region: str, sites: list[SiteProfile]) -> str:
    wanted = "".join(components(region))
    if wanted.isdigit():
        return f"no site's administrative code starts with {wanted}"
    names = sorted({f for p in sites for f in region_forms(p)})
    close = difflib.get_close_matches(wanted, names, n=6, cutoff=0.5)
    hint = f"; closest names: {', '.join(close)}" if close else ""
    return f"unknown region {region!r}: no province, prefecture or county of that name{hint}"


def resolve(names: list[str], sites: list[SiteProfile]) -> list[SiteProfile]:
    """Sites by name (ah-dangshan, ah-341321) or 6-digit code; unknown ones get the closest names."""
    by_name = {p.name: p for p in sites}
    by_code: dict[str, SiteProfile] = {}
    for p in sites:
        by_code.setdefault(p.admin_code, p)     # hand-made profiles come first: they win
    found, unknown = [], []
    for name in names:
        p = by_name.get(name) or by_code.get(name)
        (found if p else unknown).append(p or name)
    if unknown:
        hints = {n: difflib.get_close_matches(n, list(by_name), n=3, cutoff=0.6) for n in unknown}
        said = "; ".join(f"{n} (closest: {', '.join(h)})" if h else n for n, h in hints.items())
        profiles = sorted(p.name for p in sites if p.path)
        raise ProfileError(f"unknown site {said}; known profiles: {', '.join(profiles) or '(none)'}, and "
                           f"{len(sites) - len(profiles)} registry sites (`guifan sites --all` lists them)")
    return found


def get_profiles(names: list[str], sites_dir=SITES_DIR) -> list[SiteProfile]:
    """Sites by name: a hand-made profile (NAME.toml), else a site imported from the
    registry, by name (ah-341321) or 6-digit code; unknown names get the closest ones."""
    loaded = profiles_by_name(names, sites_dir)
    others = [n for n in names if n not in loaded]
    if others:
        loaded.update(zip(others, resolve(others, catalog(sites_dir))))
    return [loaded[n] for n in names]
