"""Static description of the simulated portals: names, columns, chrome, faults, day changes."""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

# Day 1 of the simulated timeline; day N is DAY_ONE + (N - 1) days.
DAY_ONE = dt.date(2024, 3, 15)
MAX_DAY = 3


def date_of_day(day: int) -> dt.date:
    return DAY_ONE + dt.timedelta(days=day - 1)


@dataclass(frozen=True)
class Column:
    slug: str          # URL segment: "gfxwj" (TRS) or "1234" (Hanweb col id)
    name: str          # column name as shown in breadcrumbs
    count: int         # documents listed on day 1
    page_size: int
    uid: str = ""      # Hanweb list-module uid used in the pagination query


@dataclass(frozen=True)
class Site:
    name: str
    name_zh: str
    county: str
    region: str
    admin_code: str
    platform: str
    encoding: str
    port: int
    columns: tuple[Column, ...]
    issuers: tuple[tuple[str, str], ...]      # (issuer, 文号 prefix)
    departments: tuple[str, ...]
    towns: tuple[str, ...]
    town_rate: float
    sponsor: str
    undertaker: str
    icp: str
    police: str
    site_code: str
    address: str
    robots_disallow: str | None      # a directory; None: robots.txt names the document's own path
    related_links: tuple[str, ...]
    # (column slug, index on day 1 listing) -> fault name
    faults: dict = field(default_factory=dict)
    # day-2 changes, as (column slug, index) positions on the day-1 listing
    edited: tuple = ()
    repealed: tuple = ()
    vanishing: tuple = ()
    new_on_day2: dict = field(default_factory=dict)   # column slug -> how many
    seed_at: tuple | None = None                      # (column slug, index) of the seed reprint

    @property
    def nav(self) -> tuple[str, ...]:
        return ("首页", "政务公开", "政务服务", "互动交流", f"走进{self.county[:-1]}")

    def column(self, slug: str) -> Column:
        return next(c for c in self.columns if c.slug == slug)


YUNXI = Site(
    name="demo-yunxi", name_zh="云溪县人民政府", county="云溪县", region="示范省云溪县",
    admin_code="990101", platform="trs", encoding="utf-8", port=8701,
    columns=(Column("gfxwj", "规范性文件", 27, 10), Column("zcwj", "政策文件", 20, 8)),
    issuers=(("云溪县人民政府", "云政发"), ("云溪县人民政府办公室", "云政办发"), ("云溪县人民政府", "云政规"),
             ("云溪县人民政府办公室", "云政办"), ("云溪县财政局", "云财"), ("云溪县住房和城乡建设局", "云建"),
             ("云溪县民政局", "云民"), ("云溪县教育局", "云教"), ("云溪县自然资源和规划局", "云自然资规"),
             ("云溪县农业农村局", "云农"), ("云溪县司法局", "云司")),
    departments=("发展和改革局", "财政局", "民政局", "住房和城乡建设局", "农业农村局", "应急管理局", "司法局"),
    towns=("溪口镇", "云岭乡", "白沙街道", "桃源镇"), town_rate=0.15,
    sponsor="云溪县人民政府办公室", undertaker="云溪县大数据发展中心",
    icp="示ICP备19003456号-1", police="示公网安备 99010102000123号", site_code="9901010001",
    address="地址：示范省云溪县人民路88号　邮编：990100　联系电话：0990-6012345",
    robots_disallow="/zwgk/nbgl/",
    related_links=("中国政府网", "示范省人民政府门户网站", "示范省政务服务网", "云溪县融媒体中心", "云溪县公共资源交易网"),
    faults={("gfxwj", 3): "malformed", ("gfxwj", 5): "not_found", ("gfxwj", 8): "unavailable_once",
            ("gfxwj", 12): "redirect", ("gfxwj", 15): "wrong_charset", ("zcwj", 6): "robots_disallowed"},
    edited=(("gfxwj", 1), ("zcwj", 2)), repealed=(("gfxwj", 6),), vanishing=(("gfxwj", 10),),
    new_on_day2={"gfxwj": 2}, seed_at=("zcwj", 10),
)

QINGSHI = Site(
    name="demo-qingshi", name_zh="青石县人民政府", county="青石县", region="示范省青石县",
    admin_code="990102", platform="hanweb", encoding="gbk", port=8702,
    columns=(Column("1234", "规范性文件", 25, 10, uid="4321"), Column("1235", "部门文件", 15, 6, uid="4322")),
    issuers=(("青石县人民政府", "青政发"), ("青石县人民政府办公室", "青政办发"), ("青石县人民政府", "青政规"),
             ("青石县财政局", "青财发"), ("青石县司法局", "青司发"), ("青石县卫生健康局", "青卫健"),
             ("青石县昇平镇人民政府", "昇政发"), ("青石县应急管理局", "青应急"), ("青石县水利局", "青水发")),
    departments=("发展和改革局", "财政局", "水利局", "卫生健康局", "应急管理局", "司法局"),
    towns=("昇平镇", "珺山街道", "堃源乡", "镕溪镇", "喆岭乡"), town_rate=0.45,
    sponsor="青石县人民政府办公室", undertaker="青石县信息中心",
    icp="示ICP备18002345号", police="示公网安备 99010202000045号", site_code="9901020002",
    address="地址：青石县府前街1号　邮编：990200　电话：0990-7023456",
    robots_disallow=None,   # jcms article URLs are date-based, so the page itself is disallowed
    related_links=("中国政府网", "示范省人民政府门户网站", "示范省政务服务网", "青石县政务服务中心", "青石县融媒体中心"),
    faults={("1234", 4): "unavailable_once", ("1234", 9): "robots_disallowed"},
    edited=(("1234", 2),), repealed=(), vanishing=(), new_on_day2={"1234": 1},
)

SITE_OBJECTS = {s.name: s for s in (YUNXI, QINGSHI)}
SITES = tuple(SITE_OBJECTS)
