"""The simulated world, in one place: every demo site (its names, columns, chrome, faults,
day changes, which platform template serves it and on which host), and the groups the
portal serves. Pages are rendered by ``templates`` (one module per platform); documents are
generated from these descriptions by ``catalog``."""
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
    # Platform replicas only (empty/0 on the two original sites):
    detail: str = ""   # detail path template: {id} {date} {m}=id//10**6 {k}=id//1000 {hex} (md5 of site/id)
    first_id: int = 0  # article id of the newest document of the column on day 1
    kind: str = ""     # list flavour within a platform (e.g. Anhui "openness" or "public")


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
    # Platform replicas: (column slug, index) -> "412" | "521" for documents behind a JS challenge
    challenges: dict = field(default_factory=dict)
    params: dict = field(default_factory=dict)        # platform ids (webid, sid, org id …) and server name
    template: str = ""     # the platform template serving it (templates.TEMPLATES); default: the platform
    host: str = ""         # the loopback address it is served on; default: the portal's host

    @property
    def template_name(self) -> str:
        return self.template or self.platform

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

# --- platform replicas (issue 6): one small site per CMS platform, served only on request ---------

BAIHE = Site(
    name="demo-baihe", name_zh="白鹤县人民政府", county="白鹤县", region="示范省白鹤县",
    admin_code="990103", platform="hanweb", encoding="utf-8", port=8703,
    columns=(Column("2001", "规范性文件", 9, 3, uid="6601", first_id=5_612_345, kind="jpage"),
             Column("2002", "部门文件", 5, 3, uid="6602", first_id=5_598_765, kind="jpage")),
    issuers=(("白鹤县人民政府", "白政发"), ("白鹤县人民政府办公室", "白政办发"), ("白鹤县人民政府", "白政规"),
             ("白鹤县财政局", "白财"), ("白鹤县教育局", "白教"), ("白鹤县交通运输局", "白交")),
    departments=("发展和改革局", "财政局", "教育局", "交通运输局", "市场监督管理局"),
    towns=("鹤鸣镇", "白水乡", "松溪街道"), town_rate=0.2,
    sponsor="白鹤县人民政府办公室", undertaker="白鹤县大数据中心",
    icp="示ICP备20004567号-1", police="示公网安备 99010302000078号", site_code="9901030003",
    address="地址：白鹤县鹤鸣大道1号　邮编：990300　电话：0990-8034567",
    robots_disallow="/module/search/",
    related_links=("中国政府网", "示范省人民政府门户网站", "示范省政务服务网", "白鹤县融媒体中心"),
    params={"webid": "37", "group": 2, "server": "Apache-Coyote/1.1"}, template="jpage",
)

SONGLIN = Site(
    name="demo-songlin", name_zh="松林县人民政府", county="松林县", region="示范省松林县",
    admin_code="990104", platform="ucap", encoding="utf-8", port=8704,
    columns=(Column("gfxwj", "规范性文件", 9, 4, detail="/zwgk/gfxwj/art/{date:%Y}/art_{hex}.html",
                    first_id=118_452),
             Column("zfwj", "政府文件", 5, 4, detail="/zwgk/zfwj/art/{date:%Y}/art_{hex}.html", first_id=117_903)),
    issuers=(("松林县人民政府", "松政发"), ("松林县人民政府办公室", "松政办发"), ("松林县人民政府", "松政规"),
             ("松林县林业局", "松林"), ("松林县民政局", "松民"), ("松林县卫生健康局", "松卫健")),
    departments=("林业局", "民政局", "卫生健康局", "财政局", "应急管理局"),
    towns=("松坪镇", "林溪乡", "青松街道"), town_rate=0.2,
    sponsor="松林县人民政府办公室", undertaker="松林县政务数据管理局",
    icp="示ICP备17001234号", police="示公网安备 99010402000031号", site_code="9901040004",
    address="地址：松林县政府路18号　邮编：990400　电话：0990-5045678",
    robots_disallow="/search/",
    related_links=("中国政府网", "示范省人民政府门户网站", "松林县政务服务中心"),
    params={"server": "nginx"},
)

JINHAI = Site(
    name="demo-jinhai", name_zh="金海县人民政府", county="金海县", region="示范省金海县",
    admin_code="990105", platform="gkmlpt", encoding="utf-8", port=8705,
    columns=(Column("2401", "规范性文件", 9, 4, detail="/gkmlpt/content/{m}/{k}/post_{id}.html", first_id=4_123_456),
             Column("2405", "其他文件", 4, 4, detail="/gkmlpt/content/{m}/{k}/post_{id}.html", first_id=4_098_765)),
    issuers=(("金海县人民政府", "金府"), ("金海县人民政府办公室", "金府办"), ("金海县人民政府", "金府规"),
             ("金海县海洋与渔业局", "金海渔"), ("金海县住房和城乡建设局", "金建"), ("金海县教育局", "金教")),
    departments=("海洋与渔业局", "住房和城乡建设局", "教育局", "财政局", "自然资源局"),
    towns=("金沙镇", "海口镇", "银滩街道"), town_rate=0.2,
    sponsor="金海县人民政府办公室", undertaker="金海县政务服务数据管理局",
    icp="示ICP备05012345号", police="示公网安备 99010502000056号", site_code="9901050005",
    address="地址：金海县滨海大道99号　邮编：990500　电话：0990-3056789",
    robots_disallow="/search/",
    related_links=("中国政府网", "示范省人民政府门户网站", "示范省政务服务网"),
    params={"sid": "990105", "per_page": 4, "server": "nginx",
            "validity": {("2401", 4): "失效", ("2405", 1): "废止"}},   # both API flags appear
)

FENGMING = Site(
    name="demo-fengming", name_zh="凤鸣县人民政府", county="凤鸣县", region="示范省凤鸣县",
    admin_code="990106", platform="anhui", encoding="utf-8", port=8706,
    columns=(Column("15671", "规范性文件", 9, 4, detail="/OpennessContent/show/{id}.html", first_id=3_456_789,
                    kind="openness"),
             Column("15690", "基层政务公开", 5, 4, detail="/Jczwgk/show/{id}.html", first_id=3_401_234, kind="public")),
    issuers=(("凤鸣县人民政府", "凤政"), ("凤鸣县人民政府办公室", "凤政办"), ("凤鸣县人民政府", "凤政规"),
             ("凤鸣县农业农村局", "凤农"), ("凤鸣县人力资源和社会保障局", "凤人社"), ("凤鸣县生态环境分局", "凤环")),
    departments=("农业农村局", "人力资源和社会保障局", "财政局", "水利局", "应急管理局"),
    towns=("凤台镇", "鸣山乡", "双河镇"), town_rate=0.25,
    sponsor="凤鸣县人民政府办公室", undertaker="凤鸣县数据资源管理局",
    icp="示ICP备13005678号", police="示公网安备 99010602000012号", site_code="9901060006",
    address="地址：凤鸣县凤凰路66号　邮编：990600　电话：0990-2067890",
    robots_disallow="/site/search/",
    related_links=("中国政府网", "示范省人民政府门户网站", "示范省政务服务网", "凤鸣县融媒体中心"),
    params={"site_id": "871", "org_id": "6601791", "server": "nginx"},
)

LUTANG = Site(
    name="demo-lutang", name_zh="芦塘县人民政府", county="芦塘县", region="示范省芦塘县",
    admin_code="990107", platform="generic", encoding="gbk", port=8707,
    columns=(Column("gfxwj", "规范性文件", 8, 3, detail="/xxgk/gfxwj/{date:%Y%m}/{id}.shtml", first_id=812_345,
                    kind="shtml"),
             Column("21", "政策文件", 6, 3, detail="/news/show.aspx?id={id}", first_id=15_234, kind="aspx")),
    issuers=(("芦塘县人民政府", "芦政发"), ("芦塘县人民政府办公室", "芦政办发"), ("芦塘县水利局", "芦水"),
             ("芦塘县农业农村局", "芦农"), ("芦塘县城市管理局", "芦城管")),
    departments=("水利局", "农业农村局", "城市管理局", "财政局"),
    towns=("芦花镇", "塘口镇", "东湖街道"), town_rate=0.2,
    sponsor="芦塘县人民政府办公室", undertaker="芦塘县信息中心",
    icp="示ICP备09008765号", police="示公网安备 99010702000090号", site_code="9901070007",
    address="地址：芦塘县人民路1号　邮编：990700　电话：0990-4078901",
    robots_disallow="/admin/",
    related_links=("中国政府网", "示范省人民政府门户网站", "芦塘县公共资源交易中心"),
    params={"server": "Microsoft-IIS/8.5"},
)

SHILING = Site(
    name="demo-shiling", name_zh="石岭县人民政府", county="石岭县", region="示范省石岭县",
    admin_code="990108", platform="ucap", encoding="utf-8", port=8708,
    columns=(Column("gfxwj", "规范性文件", 6, 10, detail="/zwgk/gfxwj/art/{date:%Y}/art_{hex}.html",
                    first_id=230_117),),
    issuers=(("石岭县人民政府", "石政发"), ("石岭县人民政府办公室", "石政办发"), ("石岭县自然资源局", "石自然资")),
    departments=("自然资源局", "财政局", "司法局"),
    towns=("石门镇", "岭南乡"), town_rate=0.2,
    sponsor="石岭县人民政府办公室", undertaker="石岭县信息中心",
    icp="示ICP备21006789号", police="示公网安备 99010802000067号", site_code="9901080008",
    address="地址：石岭县府前路2号　邮编：990800　电话：0990-6089012",
    robots_disallow="/search/",
    related_links=("中国政府网", "示范省人民政府门户网站"),
    faults={("gfxwj", 1): "challenge", ("gfxwj", 3): "challenge"},
    challenges={("gfxwj", 1): "412", ("gfxwj", 3): "521"},
    params={"server": "nginx"},
)

# Documents that are their attachments: DOC, WPS, ET, scans (issue 13; attachment_site.py makes
# them, templates/attachments.py serves them).
XIAGE = Site(
    name="demo-xiage", name_zh="夏阁县人民政府", county="夏阁县", region="示范省夏阁县",
    admin_code="990109", platform="trs", encoding="utf-8", port=8709,
    columns=(Column("gfxwj", "规范性文件", 6, 10),),
    issuers=(("夏阁县人民政府", "夏政发"), ("夏阁县人民政府办公室", "夏政办发"), ("夏阁县人民政府", "夏政规")),
    departments=("财政局", "民政局", "司法局"),
    towns=("夏口镇", "阁山乡"), town_rate=0.0,
    sponsor="夏阁县人民政府办公室", undertaker="夏阁县信息中心",
    icp="示ICP备22001234号", police="示公网安备 99010902000089号", site_code="9901090009",
    address="地址：夏阁县人民路9号　邮编：990900　电话：0990-6090123",
    robots_disallow="/search/",
    related_links=("中国政府网", "示范省人民政府门户网站"),
    template="attachments",
)

# Bad attachments between good ones: a corrupt DOC, an encrypted PDF, a 300-page scan, ZIP bombs,
# a PDF claiming 10,000 pages (issue 13; bad_files.py makes them, templates/attachments.py serves them).
KANXI = Site(
    name="demo-kanxi", name_zh="坎溪县人民政府", county="坎溪县", region="示范省坎溪县",
    admin_code="990110", platform="trs", encoding="utf-8", port=8710,
    columns=(Column("gfxwj", "规范性文件", 10, 20),),
    issuers=(("坎溪县人民政府", "坎政发"), ("坎溪县人民政府办公室", "坎政办发"), ("坎溪县人民政府", "坎政规")),
    departments=("财政局", "教育局", "自然资源局"),
    towns=("溪口镇", "坎上乡"), town_rate=0.0,
    sponsor="坎溪县人民政府办公室", undertaker="坎溪县信息中心",
    icp="示ICP备22005678号", police="示公网安备 99011002000090号", site_code="9901100010",
    address="地址：坎溪县溪滨路10号　邮编：991000　电话：0990-7100123",
    robots_disallow="/search/",
    related_links=("中国政府网", "示范省人民政府门户网站"),
    template="bad_files",
)

SITE_OBJECTS = {s.name: s for s in (YUNXI, QINGSHI, BAIHE, SONGLIN, JINHAI, FENGMING, LUTANG, SHILING, XIAGE,
                                    KANXI)}
# The two original sites: what DemoPortal() serves and catalog.documents() covers by default.
SITES = ("demo-yunxi", "demo-qingshi")
# One replica per CMS platform (plus a small site behind JavaScript challenges); opt in with
# DemoPortal(sites=ALL_SITES) or DemoPortal(sites=PLATFORM_SITES).
PLATFORM_SITES = ("demo-baihe", "demo-songlin", "demo-jinhai", "demo-fengming", "demo-lutang", "demo-shiling")
ALL_SITES = SITES + PLATFORM_SITES
# Served only on request: DemoPortal(sites=ATTACHMENT_SITES); reading it needs LibreOffice and OCR.
ATTACHMENT_SITES = ("demo-xiage",)
# Served only on request too: DemoPortal(sites=BAD_FILE_SITES) (bad attachments, bad_files.py).
BAD_FILE_SITES = ("demo-kanxi",)


# --- the simulated province (issue 12): county portals on distinct loopback hosts --------------
#
# 模拟省 (code 98, unused by the official division list; 示范省/99 stays the demo sites'):
# one ``Unit`` per county-level unit as a registry would hold it (name, prefecture, code, the
# address it is known by) and one ``Site`` per portal actually served. Most units have a portal
# of their own on 127.0.1.N; two share their prefecture's portal (东原市, 127.0.1.40); one
# has nothing listening at its address. Profiles: ``crawler/sites/sim-*.toml``, generated
# from these rows by ``province_profile`` (a test keeps them equal).

PROVINCE = "模拟省"
PROVINCE_PORT = 8790                      # the port of every province host in the profiles
PREFECTURES = {"9801": "望川市", "9802": "临溪市", "9803": "北岭市", "9804": "东原市", "9805": "南湖市"}
DEAD_HOST = "127.0.1.99"


@dataclass(frozen=True)
class Unit:
    """A county-level unit as the registry knows it, and where its documents really are."""
    name: str                 # profile name
    county: str
    admin_code: str           # the code the registry gives it
    site: str | None          # the served portal its profile points at (None: nothing listens)
    start: str                # "columns": the profile names every column; "home" / "landing": only that page
    host: str
    columns: tuple[str, ...] = ()   # on a shared portal: the slugs of the columns the profile names

    @property
    def prefecture(self) -> str:
        return PREFECTURES[self.admin_code[:4]]

    @property
    def region(self) -> str:
        return f"{PROVINCE}{self.prefecture}{self.county}"


# (name, county, code, template, start, columns as (slug, name, documents, page size)); the
# template decides the platform a crawler must sniff: jpage is Hanweb's list module.
_GF, _ZC, _BM, _ZF = "规范性文件", "政策文件", "部门文件", "政府文件"
_COUNTIES = (
    ("sim-anping", "安平县", "980101", "trs", "columns", (("gfxwj", _GF, 4, 2), ("zcwj", _ZC, 3, 2))),
    ("sim-baishui", "白水县", "980102", "trs", "home", (("gfxwj", _GF, 4, 3), ("zcwj", _ZC, 3, 2))),
    ("sim-chengguan", "城关区", "980103", "trs", "landing", (("gfxwj", _GF, 3, 2),)),
    ("sim-dahe", "大河县", "980104", "trs", "home", (("zcwj", _ZC, 3, 2),)),          # falls back to 政策文件
    ("sim-fengle", "丰乐县", "980105", "hanweb", "columns", (("3101", _GF, 4, 2), ("3102", _BM, 2, 2))),
    ("sim-gaoqiao", "高桥县", "980106", "hanweb", "home", (("3201", _GF, 3, 2), ("3202", _BM, 2, 2))),
    ("sim-hechuan", "禾川县", "980107", "jpage", "columns", (("4101", _GF, 5, 2),)),
    ("sim-huangtu", "黄土县", "980108", "jpage", "home", (("4201", _GF, 4, 2), ("4202", _BM, 2, 2))),
    ("sim-jiangkou", "江口县", "980201", "ucap", "columns", (("gfxwj", _GF, 4, 2), ("zfwj", _ZF, 2, 2))),
    ("sim-jinshan", "金山县", "980202", "ucap", "home", (("zfwj", _ZF, 3, 2),)),       # falls back to 政府文件
    ("sim-kangle", "康乐县", "980203", "ucap", "home", (("gfxwj", _GF, 3, 2), ("zfwj", _ZF, 2, 2))),
    ("sim-lianhua", "莲花县", "980204", "gkmlpt", "columns", (("2401", _GF, 4, 3), ("2405", "其他文件", 2, 3))),
    ("sim-longquan", "龙泉县", "980205", "gkmlpt", "home", (("2401", _GF, 4, 3), ("2405", "其他文件", 3, 3))),
    ("sim-meishan", "梅山县", "980206", "anhui", "columns", (("15671", _GF, 4, 2), ("15690", "基层政务公开", 2, 2))),
    ("sim-nanping", "南坪县", "980207", "anhui", "home", (("15671", _GF, 3, 2), ("15690", "基层政务公开", 2, 2))),
    ("sim-qingyang", "青阳县", "980208", "generic", "columns", (("gfxwj", _GF, 3, 2), ("21", _ZC, 3, 2))),
    ("sim-rongcheng", "榕城区", "980301", "generic", "home", (("gfxwj", _GF, 4, 2), ("21", _ZC, 3, 2))),
    ("sim-shahe", "沙河县", "980302", "generic", "home", (("gfxwj", _GF, 3, 2), ("21", _ZC, 2, 2))),  # landing only
    ("sim-shuangqiao", "双桥县", "980303", "generic", "landing", (("gfxwj", _GF, 3, 2), ("21", _ZC, 2, 2))),
    ("sim-taiping", "太平县", "980304", "trs", "columns", (("gfxwj", _GF, 3, 2),)),
    ("sim-wenquan", "温泉县", "980305", "trs", "columns", (("gfxwj", _GF, 3, 2),)),     # its portal says 980399
    ("sim-xinan", "新安县", "980306", "hanweb", "columns", (("3601", _GF, 3, 2),)),
    ("sim-yanhe", "沿河县", "980307", "jpage", "columns", (("4701", _GF, 3, 2), ("4702", _BM, 2, 2))),
    ("sim-yongning", "永宁县", "980308", "ucap", "columns", (("gfxwj", _GF, 3, 2),)),
    ("sim-zhangjia", "张家县", "980401", "gkmlpt", "columns", (("2401", _GF, 3, 3),)),
    ("sim-zhongxin", "中心区", "980402", "anhui", "home", (("15671", _GF, 3, 2),)),
    ("sim-beihu", "北湖区", "980403", "generic", "columns", (("gfxwj", _GF, 3, 2),)),
    ("sim-xiangyang", "向阳县", "980404", "trs", "home", (("gfxwj", _GF, 3, 2), ("zcwj", _ZC, 2, 2))),
    ("sim-dongshan", "东山县", "980405", "hanweb", "home", (("3901", _GF, 3, 2),)),
    ("sim-ziyang", "紫阳县", "980501", "ucap", "columns", (("gfxwj", _GF, 3, 2),)),
    ("sim-luxi", "芦溪县", "980502", "anhui", "columns", (("15671", _GF, 3, 2),)),
)
# A portal whose SiteIDCode names another code than the registry's (a moved or wrong entry).
MOVED_CODES = {"sim-wenquan": "980399"}
# Home pages that link no column, only 政务公开 (the columns are named on that landing page).
LANDING_ONLY = {"sim-shahe"}
PLATFORM_OF_TEMPLATE = {"jpage": "hanweb"}


def _province_column(template: str, i: int, slug: str, name: str, count: int, size: int) -> Column:
    first = 6_100_000 + i * 7_919 + int(slug, 36) % 97 * 101
    if template == "trs":
        return Column(slug, name, count, size, first_id=first)
    if template in ("hanweb", "jpage"):
        return Column(slug, name, count, size, uid=str(int(slug) + 5000), first_id=first,
                      kind="jpage" if template == "jpage" else "")
    if template == "ucap":
        return Column(slug, name, count, size, detail=f"/zwgk/{slug}/art/{{date:%Y}}/art_{{hex}}.html", first_id=first)
    if template == "gkmlpt":
        return Column(slug, name, count, size, detail="/gkmlpt/content/{m}/{k}/post_{id}.html", first_id=first)
    if template == "anhui":
        kind = "openness" if slug == "15671" else "public"
        detail = "/OpennessContent/show/{id}.html" if kind == "openness" else "/Jczwgk/show/{id}.html"
        return Column(slug, name, count, size, detail=detail, first_id=first, kind=kind)
    kind = "shtml" if slug == "gfxwj" else "aspx"
    detail = "/xxgk/gfxwj/{date:%Y%m}/{id}.shtml" if kind == "shtml" else "/news/show.aspx?id={id}"
    return Column(slug, name, count, size, detail=detail, first_id=first, kind=kind)


def _province_params(template: str, i: int, code: str, name: str) -> dict:
    if template == "jpage":
        return {"webid": str(60 + i), "group": 2, "server": "Apache-Coyote/1.1"}
    if template == "gkmlpt":
        return {"sid": code, "per_page": 3, "server": "nginx"}
    if template == "anhui":
        return {"site_id": str(900 + i), "org_id": str(7_700_000 + i), "server": "nginx"}
    if template == "generic":
        return {"server": "Microsoft-IIS/8.5", "menu_columns": name not in LANDING_ONLY}
    return {}


def _province_site(i: int, name: str, county: str, code: str, template: str, columns, host: str,
                   name_zh: str | None = None, province: str = PROVINCE, prefecture: str | None = None,
                   params: dict | None = None) -> Site:
    """A generated county portal (the province's, and the nation's in ``demo_portal.nation``)."""
    a = county[0]
    name_zh = name_zh or f"{county}人民政府"
    prefecture = prefecture or PREFECTURES[code[:4]]
    site_code = MOVED_CODES.get(name, code) + f"{i:04d}"
    return Site(
        name=name, name_zh=name_zh, county=county, region=f"{province}{prefecture}{county}",
        admin_code=code, platform=PLATFORM_OF_TEMPLATE.get(template, template),
        encoding="gbk" if template in ("hanweb", "generic") else "utf-8", port=0,
        columns=tuple(_province_column(template, i, *c) for c in columns),
        issuers=((name_zh, f"{a}政发"), (f"{name_zh}办公室", f"{a}政办发"), (name_zh, f"{a}政规"),
                 (f"{county}财政局", f"{a}财"), (f"{county}教育局", f"{a}教")),
        departments=("发展和改革局", "财政局", "教育局", "民政局", "农业农村局"),
        towns=(f"{a}城镇", f"{a}东乡", f"{a}西街道"), town_rate=0.15,
        sponsor=f"{name_zh}办公室", undertaker=f"{county}数据资源局",
        icp=f"模ICP备{20000000 + i * 37}号", police=f"模公网安备 {code}02{i:06d}号", site_code=site_code,
        address=f"地址：{province}{prefecture}{county}人民路{i}号　邮编：{code}　电话：0998-{6000000 + i}",
        robots_disallow="/search/", related_links=("中国政府网", f"{province}人民政府门户网站"),
        params={**_province_params(template, i, code, name), **(params or {})}, template=template, host=host,
    )


PREFECTURE_PORTAL = _province_site(
    40, "sim-dongyuan-portal", "东原市", "980400", "trs",
    (("gfxwj", "市政府规范性文件", 4, 2), ("xq07", "临港县规范性文件", 3, 2), ("xq08", "五台县规范性文件", 2, 2)),
    "127.0.1.40", name_zh="东原市人民政府")

PROVINCE_OBJECTS = {s.name: s for s in (
    [_province_site(i, n, c, code, t, cols, f"127.0.1.{i}") for i, (n, c, code, t, _, cols) in enumerate(_COUNTIES, 1)]
    + [PREFECTURE_PORTAL])}
SITE_OBJECTS.update(PROVINCE_OBJECTS)
PROVINCE_SITES = tuple(PROVINCE_OBJECTS)          # every served province portal (the prefecture's too)

UNITS = {u.name: u for u in (
    [Unit(n, c, code, n, start, f"127.0.1.{i}") for i, (n, c, code, _, start, _) in enumerate(_COUNTIES, 1)]
    + [Unit("sim-lingang", "临港县", "980407", PREFECTURE_PORTAL.name, "columns", "127.0.1.40", ("gfxwj", "xq07")),
       Unit("sim-wutai", "五台县", "980408", PREFECTURE_PORTAL.name, "columns", "127.0.1.40", ("gfxwj", "xq08")),
       Unit("sim-xishan", "西山县", "980406", None, "home", DEAD_HOST)])}
PROVINCE_UNITS = tuple(UNITS)                     # the county-level units: one profile each

LANDING_PATHS = {"trs": "/zwgk/", "generic": "/xxgk/"}
POLICY_NAMES = ("规范性文件",)                    # what column discovery looks for first …
FALLBACK_NAMES = ("政策文件", "政府文件")          # … and then


def expected_columns(unit: Unit) -> tuple[str, ...]:
    """The columns (slugs) a crawl of the unit should archive: those its profile names, or,
    known only by a home or landing page, those named 规范性文件 (else 政策文件/政府文件)."""
    if unit.site is None:
        return ()
    site = SITE_OBJECTS[unit.site]
    if unit.start == "columns":
        return unit.columns or tuple(c.slug for c in site.columns)
    for names in (POLICY_NAMES, FALLBACK_NAMES):
        found = tuple(c.slug for c in site.columns if any(n in c.name for n in names))
        if found:
            return found
    return ()


def start_urls(unit: Unit) -> list[str]:
    if unit.start == "home" or unit.site is None:
        return ["/"]
    site = SITE_OBJECTS[unit.site]
    if unit.start == "landing":
        return [LANDING_PATHS[site.template_name]]
    from .templates import app_for                   # templates import this module

    app = app_for(site)
    return [app.column_url(site.column(slug)) for slug in expected_columns(unit)]


def province_profile(unit: Unit) -> str:
    """The site profile (TOML) of a province unit, as committed in crawler/sites/."""
    how = {"columns": "its columns", "home": "its home page only", "landing": "its 信息公开 landing page only"}
    where = ("nothing listens at its address" if unit.site is None else
             f"on the prefecture's portal ({unit.site})" if unit.site != unit.name else "its own portal")
    urls = ", ".join(f'"{u}"' for u in start_urls(unit))
    return (f"# generated from guifan.demo_portal.world (the simulated province): {where}, known by "
            f"{how[unit.start]}\n"
            f"# rewrite with: python -m guifan.demo_portal --write-profiles crawler/sites\n"
            f'name = "{unit.name}"\nname_zh = "{unit.county}人民政府"\nregion = "{unit.region}"\n'
            f'prefecture = "{unit.prefecture}"\nadmin_code = "{unit.admin_code}"\nplatform = "auto"\n'
            f'base_url = "http://{unit.host}:{PROVINCE_PORT}"\nstart_urls = [{urls}]\ndemo = true\n'
            f'demo_group = "province"\nsource = "guifan demo portal: the simulated province (not a real site)"\n')
