"""The simulated nation (issue 16): a thousand or more county portals on distinct loopback
hosts, generated from a seed, for crawls of many sites at once.

``nation_sites(n)`` describes ``n`` portals (``Site`` objects like the province's): the
platform templates mixed as on real portals, long-tailed sizes (most sites list a dozen or
two documents, a few over a hundred), some slow to answer, some down (nothing listens).
Nothing is generated until asked for, and nothing of it is committed: a benchmark or a test
generates the sites, registers them (``register``: the server and the catalog find them by
name in ``world.SITE_OBJECTS``) and writes profiles on the fly (``profile``), or to a
directory (``python -m guifan.demo_portal --nation N --write-profiles DIR``).

Site ``i`` (0-based) is ``nat-0001`` … on ``127.2.(1 + i // 250).(1 + i % 250)``; every site
shares one port. Codes are ``97PPCC`` (province 97, unused by the official division list).
"""
from __future__ import annotations

import math
import random
from dataclasses import dataclass
from functools import lru_cache

from .world import SITE_OBJECTS, Site, _province_site

NATION = "模拟国"
PLATFORM_SHARE = (("trs", 30), ("hanweb", 15), ("jpage", 10), ("ucap", 12), ("gkmlpt", 10), ("anhui", 11),
                  ("generic", 12))
# The second column of a two-column site, per template (the first is always 规范性文件).
_SECOND = {"trs": ("zcwj", "政策文件"), "hanweb": ("3102", "部门文件"), "jpage": ("4102", "部门文件"),
           "ucap": ("zfwj", "政府文件"), "gkmlpt": ("2405", "其他文件"), "anhui": ("15690", "基层政务公开"),
           "generic": ("21", "政策文件")}
_FIRST = {"trs": "gfxwj", "hanweb": "3101", "jpage": "4101", "ucap": "gfxwj", "gkmlpt": "2401", "anhui": "15671",
          "generic": "gfxwj"}
PAGE_SIZE = 15                # documents per list page, as on most real portals
SIZE_MEDIAN, SIZE_SIGMA, SIZE_MIN, SIZE_MAX = 18, 0.8, 2, 90    # documents per site: log-normal, clipped
SLOW_SHARE, DOWN_SHARE = 0.05, 0.02
SLOW_LATENCY = (0.15, 0.6)    # seconds before a slow site answers
_A = "安白长大东丰高光广海和河华黄江金乐临龙鹿梅南宁平青清庆瑞山上石双太通土文武西溪新兴阳永玉云泽长中紫"
_B = "安宝昌城川德东丰福和河湖华吉江康乐林陵宁平浦泉山寿水顺台潭田亭西溪阳源远岳州"


@dataclass(frozen=True)
class NationSite:
    """How the nation serves one site and how its profile knows it."""
    site: Site
    index: int
    latency: float            # 0: answers at once
    down: bool                # nothing listens at its address
    start: str                # "columns" (the profile names them) or "home" (platform auto, discovery)
    platform: str             # what the profile says: the platform, or "auto"

    @property
    def name(self) -> str:
        return self.site.name

    @property
    def host(self) -> str:
        return self.site.host


def host_of(i: int) -> str:
    return f"127.2.{1 + i // 250}.{1 + i % 250}"


def _size(rng: random.Random) -> int:
    return max(SIZE_MIN, min(SIZE_MAX, round(rng.lognormvariate(math.log(SIZE_MEDIAN), SIZE_SIGMA))))


def _describe(i: int, seed: str) -> NationSite:
    rng = random.Random(f"{seed}/{i}")
    template = rng.choices([t for t, _ in PLATFORM_SHARE], [w for _, w in PLATFORM_SHARE])[0]
    county = _A[rng.randrange(len(_A))] + _B[rng.randrange(len(_B))] + rng.choice("县县县区市")
    code = f"97{1 + i // 99:02d}{1 + i % 99:02d}"
    prefecture = f"{_B[(i // 99) % len(_B)]}{_A[(i // 99) % len(_A)]}市"
    docs = _size(rng)
    roll = rng.random()
    start, auto = ("home", True) if roll < 0.15 else ("columns", True) if roll < 0.3 else ("columns", False)
    columns = [(_FIRST[template], "规范性文件", docs, PAGE_SIZE)]
    if start == "columns" and docs >= 6 and rng.random() < 0.6:     # a home page leads to 规范性文件 only
        second = max(2, docs * 3 // 10)
        columns = [(_FIRST[template], "规范性文件", docs - second, PAGE_SIZE), (*_SECOND[template], second, PAGE_SIZE)]
    name = f"nat-{i + 1:04d}" if seed == "nation" else f"nat-{seed}-{i + 1:04d}"   # names are global
    params = {"attachment_rate": 0.04}
    if template == "gkmlpt":
        params["per_page"] = PAGE_SIZE
    site = _province_site(100 + i, name, county, code, template, columns, host_of(i),
                          province=NATION, prefecture=prefecture, params=params)
    fate = rng.random()
    latency = round(rng.uniform(*SLOW_LATENCY), 2) if fate < SLOW_SHARE else 0.0
    down = SLOW_SHARE <= fate < SLOW_SHARE + DOWN_SHARE
    return NationSite(site, i, latency, down, start, "auto" if auto else site.platform)


@lru_cache(maxsize=8)
def nation_sites(n: int, seed: str = "nation") -> tuple[NationSite, ...]:
    """The first ``n`` sites of the nation (the same sites for the same seed, whatever ``n``)."""
    if not 1 <= n <= 250 * 254:
        raise ValueError(f"the nation has 1 to {250 * 254} sites, not {n}")
    return tuple(_describe(i, seed) for i in range(n))


def register(sites) -> None:
    """Make the sites known to the catalog and the server (by name, in world.SITE_OBJECTS)."""
    for s in sites:
        SITE_OBJECTS.setdefault(s.name, s.site)


def start_urls(s: NationSite) -> list[str]:
    if s.start == "home":
        return ["/"]
    from .templates import app_for

    register([s])
    app = app_for(s.site)
    return [app.column_url(c) for c in s.site.columns]


def profile(s: NationSite, port: int) -> dict:
    """The site profile (as `crawler.profiles.SiteProfile` fields) pointing at the served site."""
    site = s.site
    return {"name": site.name, "name_zh": site.name_zh, "region": site.region, "admin_code": site.admin_code,
            "platform": s.platform, "start_urls": start_urls(s), "base_url": f"http://{site.host}:{port}",
            "demo": True, "demo_group": "nation", "source": "guifan demo portal: the simulated nation (not a real site)"}


def profile_toml(s: NationSite, port: int) -> str:
    p = profile(s, port)
    urls = ", ".join(f'"{u}"' for u in p["start_urls"])
    return (f"# generated by python -m guifan.demo_portal --nation N --write-profiles DIR (the simulated nation)\n"
            f'name = "{p["name"]}"\nname_zh = "{p["name_zh"]}"\nregion = "{p["region"]}"\n'
            f'admin_code = "{p["admin_code"]}"\nplatform = "{p["platform"]}"\nbase_url = "{p["base_url"]}"\n'
            f'start_urls = [{urls}]\ndemo = true\ndemo_group = "nation"\nsource = "{p["source"]}"\n')


def expected_paths(s: NationSite) -> list[str]:
    """The detail pages a complete crawl of the site archives (paths on its host): every
    document of its columns; none for a site that is down."""
    if s.down:
        return []
    from .catalog import entries

    register([s])
    return [e.doc.path for e in entries(s.name, 1)]


def summary(sites) -> dict:
    """Counts of the generated nation, for benchmark headers."""
    docs = [len(s.site.columns) and sum(c.count for c in s.site.columns) for s in sites]
    by_template: dict[str, int] = {}
    for s in sites:
        by_template[s.site.template_name] = by_template.get(s.site.template_name, 0) + 1
    return {"sites": len(sites), "documents": sum(d for d, s in zip(docs, sites) if not s.down),
            "largest": max(docs), "median": sorted(docs)[len(docs) // 2], "slow": sum(1 for s in sites if s.latency),
            "down": sum(1 for s in sites if s.down), "home_only": sum(1 for s in sites if s.start == "home"),
            "auto": sum(1 for s in sites if s.platform == "auto"), "templates": by_template}
