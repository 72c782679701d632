"""Reprint families across the demo sites, and hard negatives, with their ground truth (issue 15).

Catalog data, nothing else: each document is listed after the generated ones of its column
(:func:`extra_entries` is registered in ``catalog.EXTRA_ENTRIES``), the same on every day.

* **water** — a provincial notice (示政办发〔2023〕18号) reposted as is by demo-yunxi
  (``water_yunxi``) and, in Traditional script, by demo-songlin (``water_songlin``), and
  forwarded (转发, a cover notice around the text) by demo-qingshi and demo-baihe (the latter
  adds its own requirements after the forwarded text).
* **waste** — demo-yunxi's 建筑垃圾管理办法, adapted by demo-qingshi and demo-lutang: county
  names, departments, amounts, time limits and dates changed, one article dropped.
* **village** — demo-qingshi's 美丽乡村 plan reuses three paragraphs of demo-yunxi's
  人居环境整治 plan (partial reuse); the rest is its own.
* **Hard negatives** — written independently on the same topics with the same templates
  (salutation, 现将有关事项通知如下, 第一条 为了…制定本办法, the plan's sections): a water notice
  of demo-jinhai, a waste 办法 of demo-fengming, a village plan of demo-qingshi, and a 转发
  notice of demo-yunxi with the same cover wording forwarding another provincial notice.

Ground truth: ``PAIRS`` = [(earlier, later, kind)] by document name, the earlier being the
source (or what a 转发 notice forwards); ``NEGATIVES`` = names never paired with each other;
``doc_key(name)`` gives the catalog key.
"""
from __future__ import annotations

import datetime as dt
from functools import lru_cache

from . import textgen as tg
from .catalog import EXTRA_ENTRIES, VALIDITY, DemoDoc, Entry, _as_the_platform_shows_it, _detail_path
from .sites import Column, Site

SAL = tg.SALUTATION
PROVINCE_SAL = "各市、县人民政府，省政府各部门、各直属机构："

WATER_TITLE = "示范省人民政府办公厅关于进一步加强农村供水保障工作的通知"
WATER = [
    PROVINCE_SAL,
    "农村供水是保障农村居民生活的基础性公益事业。近年来，全省农村供水条件明显改善，但部分地区仍存在水源保障不稳、"
    "工程老化失修、水质检测覆盖不全等问题。为进一步提升农村供水保障水平，经省人民政府同意，现就有关事项通知如下：",
    "一、压实属地责任。市、县人民政府是农村供水保障的责任主体，要建立健全县级农村供水工程运行管理机构，"
    "落实管护人员和经费，确保每一处集中供水工程都有人管、有钱管、管得好。",
    "二、加强水源保护。各地要在二〇二三年十月底前完成千人以上集中式饮用水水源保护区划定，设立界标和警示标志，"
    "定期开展水源地环境状况排查，严禁在保护区内新建排污口。",
    "三、推进规模化供水。坚持城乡统筹、以城带乡，优先推动城镇供水管网向农村延伸，因地制宜实施小型工程标准化改造，"
    "力争到二〇二五年全省农村规模化供水工程覆盖人口比例达到百分之六十以上。",
    "四、落实水质检测。县级水质检测中心要按照每季度不少于一次的频次对集中供水工程出厂水和末梢水进行检测，"
    "检测结果通过政府网站向社会公开，发现水质超标的要立即查明原因并采取处置措施。",
    "五、健全应急机制。各地要制定农村供水应急预案，储备必要的应急供水设备和物资，遇到干旱、洪涝等突发情况时，"
    "及时启动应急响应，采取拉水送水、临时取水等措施，保障群众基本用水需求。",
    "各地贯彻落实情况请于每年十二月十五日前报送省水利厅，省水利厅汇总后报告省人民政府。",
]
WATER_SIGN = ("示范省人民政府办公厅", "2023-05-10")

WATER_COVER_QS = [
    SAL,
    f"现将《{WATER_TITLE}》转发给你们，请结合实际，认真抓好贯彻落实。",
]
WATER_COVER_BH = [
    "各乡镇人民政府，县直各有关单位：",
    f"现将《{WATER_TITLE}》转发给你们，并提出以下要求，请一并贯彻执行。",
]
WATER_EXTRA_BH = [
    "一、县水利局要会同各乡镇于六月底前完成全县农村供水工程安全隐患排查，建立问题清单和整改台账。",
    "二、各乡镇要将农村供水工程管护纳入村规民约，引导村民节约用水、爱护供水设施，形成共建共管的良好局面。",
]

# The other provincial notice the negative 转发 of demo-yunxi forwards (not in the archive).
FIRE_TITLE = "示范省人民政府办公厅关于做好今冬明春森林防灭火工作的通知"
FIRE = [
    PROVINCE_SAL,
    "今冬明春是森林火灾易发高发期。为切实做好森林防灭火工作，保护人民群众生命财产安全和森林资源安全，现就有关事项通知如下：",
    "一、严格火源管控。在重点林区入口设立检查站，对进山人员和车辆实行登记，清明、春节等重要时段加派巡护力量。",
    "二、开展隐患排查。组织对林区输配电线路、宗教活动场所和墓地周边开展拉网式排查，发现隐患立即整改。",
    "三、做好扑救准备。各级森林消防队伍实行二十四小时备勤，科学布防扑火力量，确保火情发生后三十分钟内到达现场。",
]

NEG_WATER = [
    SAL,
    "为解决我县部分山区村组季节性缺水问题，确保群众喝上放心水，经县人民政府同意，现将有关事项通知如下：",
    "一、摸清底数。县水利局牵头，组织各镇对全县农村饮水工程逐一登记，重点核查枯水期供水不足的村组，形成一村一策。",
    "二、分类施策。对水源不足的村组采取新建蓄水池、打井取水等措施；对管网老化的工程，纳入今年农村供水维修养护计划统一改造。",
    "三、强化管护。推行以镇为单元的专业化管护，每个镇确定一名管水员，所需补助由县财政按每人每月八百元标准安排。",
    "四、加强监督。县水利局每半年通报一次各镇农村供水工作进展，对群众反映强烈的问题实行挂牌督办。",
]

WASTE_YX = [
    "第一条　为了加强城区建筑垃圾管理，保护和改善城市环境卫生，根据《城市建筑垃圾管理规定》《示范省城乡容貌和环境卫生管理条例》等规定，"
    "结合云溪县实际，制定本办法。",
    "第二条　本办法适用于云溪县城区规划区范围内建筑垃圾的倾倒、运输、中转、回填、消纳、利用等处置活动。",
    "第三条　县住房和城乡建设局是本县城区建筑垃圾管理的主管部门，县公安局、县交通运输局、县自然资源局按照各自职责做好相关工作。",
    "第四条　处置建筑垃圾的单位，应当在工程开工前向县住房和城乡建设局提出申请，取得建筑垃圾处置核准文件后方可处置。",
    "第五条　运输建筑垃圾的车辆应当安装卫星定位装置，密闭运输，不得沿途丢弃、遗撒、随意倾倒，并按照核准的时间和路线行驶。",
    "第六条　施工单位应当在施工现场出口设置车辆冲洗设施，运输车辆冲洗干净后方可驶出工地，施工现场围挡高度不得低于二点五米。",
    "第七条　建筑垃圾消纳场应当配备照明、排水、消防设施，消纳场每日的受纳时间为晚上八时至次日凌晨五时。",
    "第八条　违反本办法第五条规定，沿途丢弃、遗撒建筑垃圾的，由县住房和城乡建设局责令限期改正，并对单位处五千元以上五万元以下罚款。",
    "第九条　本办法自2021年4月1日起施行，有效期5年。",
]


def _adapt(lines: list[str], subs: list[tuple[str, str]], drop: int | None = None) -> list[str]:
    out = []
    for i, line in enumerate(lines):
        if i == drop:
            continue
        for old, new in subs:
            line = line.replace(old, new)
        out.append(line)
    return out


def _renumber(lines: list[str]) -> list[str]:
    return [f"第{tg.cn_number(i)}条　" + line.split("　", 1)[1] for i, line in enumerate(lines, 1)]


WASTE_QS = _adapt(WASTE_YX, [("云溪县", "青石县"), ("县住房和城乡建设局", "县综合行政执法局"), ("二点五米", "一点八米"),
                             ("晚上八时至次日凌晨五时", "晚上九时至次日凌晨六时"), ("五千元以上五万元以下", "一万元以上十万元以下"),
                             ("2021年4月1日", "2021年10月1日")])
WASTE_LT = _renumber(_adapt(WASTE_YX, [("云溪县", "芦塘县"), ("县住房和城乡建设局", "县城市管理局"),
                                       ("县自然资源局", "县生态环境分局"), ("二点五米", "二米"),
                                       ("2021年4月1日", "2022年5月1日"), ("有效期5年", "有效期3年")], drop=6))

NEG_WASTE = [
    "第一条　为规范城市建筑垃圾处置行为，推进建筑垃圾减量化、资源化利用，依据国家和省有关规定，结合本县实际，制定本办法。",
    "第二条　本县城市建成区内新建、改建、扩建和拆除各类建筑物、构筑物所产生的弃土、弃料及其他废弃物的处置，适用本办法。",
    "第三条　县城市管理局负责建筑垃圾处置的监督管理；县发展和改革局负责资源化利用项目的立项审批。",
    "第四条　建设单位应当将建筑垃圾处置费用列入工程概算，并与具备资质的运输企业签订运输合同。",
    "第五条　鼓励采用建筑垃圾再生产品，政府投资项目在同等条件下优先使用再生骨料、再生砖等产品。",
    "第六条　本办法自2022年1月1日起施行。",
]

VILLAGE_SHARED = [
    "（一）推进农村厕所革命。坚持数量服从质量、进度服从实效，引导农户因地制宜选择三格式、双瓮式等改厕模式，"
    "同步建立厕具维修、粪污清掏和资源化利用的长效管护机制。",
    "（二）加快生活污水治理。优先治理乡镇政府驻地、中心村和水源保护区内村庄的生活污水，"
    "采用集中与分散相结合的方式建设处理设施，做到建成一处、运行一处、见效一处。",
    "（三）健全生活垃圾收运处置体系。完善户分类、村收集、镇转运、县处理的收运模式，"
    "每个行政村配备保洁员，推动农村生活垃圾源头分类减量。",
]
VILLAGE_YX = [
    SAL,
    "为深入学习推广浙江千村示范、万村整治经验，扎实推进农村人居环境整治提升，建设宜居宜业和美乡村，制定本实施方案。",
    "一、工作目标",
    "到2025年，全县农村人居环境显著改善，农村卫生厕所普及率稳步提高，生活污水治理率达到百分之四十，生活垃圾得到有效治理。",
    "二、重点任务",
    *VILLAGE_SHARED,
    "（四）提升村容村貌。整治私搭乱建和乱堆乱放，推进村庄绿化美化，保护传统村落和乡土特色风貌。",
    "三、保障措施",
    "县农业农村局牵头建立工作专班，实行月调度、季通报、年考核，考核结果纳入乡村振兴实绩考核。",
]
VILLAGE_QS = [
    SAL,
    "为加快建设美丽乡村，促进乡村旅游和生态农业融合发展，县人民政府决定在全县开展美丽乡村建设三年行动，现制定本方案。",
    "一、建设内容",
    "每年选择十个基础较好的行政村，按照一村一品、一村一景的思路，打造一批特色鲜明的美丽乡村示范点。",
    VILLAGE_SHARED[0].replace("（一）", "（一）"),
    VILLAGE_SHARED[1].replace("（二）", "（二）"),
    VILLAGE_SHARED[2].replace("（三）", "（三）"),
    "（四）发展乡村旅游。依托山水资源和民俗文化，培育农家乐、民宿等业态，带动农民就近就业增收。",
    "二、资金安排",
    "县财政每年安排美丽乡村建设专项资金两千万元，按照先建后补、以奖代补的方式拨付，资金使用情况接受审计监督。",
]
NEG_VILLAGE = [
    SAL,
    "为补齐农村基础设施短板，改善农民群众生产生活条件，根据省、市关于农村人居环境整治提升的部署要求，结合我县实际，制定本实施方案。",
    "一、工作目标",
    "到2025年底，全县行政村生活垃圾收运处置体系实现全覆盖，农村户用卫生厕所普及率达到百分之九十。",
    "二、重点任务",
    "（一）开展村庄清洁行动。以清理农村生活垃圾、村内沟塘、畜禽养殖粪污为重点，每月组织一次集中清洁日活动。",
    "（二）实施改厕提质工程。对已改厕所开展摸排，问题厕所限期整改到位，新改厕所全部达到技术规范要求。",
    "（三）治理农村黑臭水体。建立黑臭水体清单，采取控源截污、清淤疏浚、生态修复等措施，逐一销号。",
    "三、保障措施",
    "各镇党委、政府主要负责人是第一责任人，县委农办定期督查，督查情况在全县通报。",
]


def _p(lines: list[str]) -> list[tg.Block]:
    return [tg.Block("p", [line]) for line in lines]


def _sign(issuer: str, day: str) -> tg.Block:
    return tg.Block("br", [issuer, tg.date_cn(dt.date.fromisoformat(day))], style=tg.RIGHT)


def _forward(cover: list[str], issuer: str, day: str, title: str, text: list[str], sign: tuple[str, str],
             extra: list[str] = ()) -> list[tg.Block]:
    """A 转发 notice: the county's cover and signature, then the forwarded notice whole."""
    blocks = _p(cover) + _p(list(extra)) + [_sign(issuer, day)]
    return blocks + [tg.Block("p", [title], style=tg.CENTER)] + _p(text) + [_sign(*sign)]


YUNXI, QINGSHI = "demo-yunxi", "demo-qingshi"
WATER_FORWARD_QS = f"青石县人民政府办公室关于转发《{WATER_TITLE}》的通知"
WATER_FORWARD_BH = f"白鹤县人民政府办公室关于转发《{WATER_TITLE}》的通知"
FIRE_FORWARD_YX = f"云溪县人民政府办公室关于转发《{FIRE_TITLE}》的通知"

# name: (site, column, title, 文号 as printed, issuer, written, published, validity label, topic, 文种, blocks, traditional)
DOCS: dict[str, tuple] = {
    "water_yunxi": (YUNXI, "zcwj", WATER_TITLE, "示政办发〔2023〕18号", "示范省人民政府办公厅", "2023-05-10", "2023-05-16",
                    "有效", "城乡建设、环境保护/水利", "通知", _p(WATER) + [_sign(*WATER_SIGN)], False),
    "water_songlin": ("demo-songlin", "zfwj", WATER_TITLE, "示政办发〔2023〕18号", "示范省人民政府办公厅", "2023-05-10",
                      "2023-05-19", "有效", "城乡建设、环境保护/水利", "通知", _p(WATER) + [_sign(*WATER_SIGN)], True),
    "water_qingshi": (QINGSHI, "1235", WATER_FORWARD_QS, "青政办发〔2023〕9号", "青石县人民政府办公室", "2023-05-22",
                      "2023-05-23", "有效", "城乡建设、环境保护/水利", "通知",
                      _forward(WATER_COVER_QS, "青石县人民政府办公室", "2023-05-22", WATER_TITLE, WATER, WATER_SIGN), False),
    "water_baihe": ("demo-baihe", "2002", WATER_FORWARD_BH, "白政办发〔2023〕21号", "白鹤县人民政府办公室", "2023-05-25",
                    "2023-05-26", "有效", "城乡建设、环境保护/水利", "通知",
                    _forward(WATER_COVER_BH, "白鹤县人民政府办公室", "2023-05-25", WATER_TITLE, WATER, WATER_SIGN,
                             WATER_EXTRA_BH), False),
    "water_jinhai_negative": ("demo-jinhai", "2401", "金海县人民政府办公室关于做好农村饮水保障工作的通知", "金府办〔2023〕14号",
                              "金海县人民政府办公室", "2023-06-01", "2023-06-02", "有效", "城乡建设、环境保护/水利", "通知",
                              _p(NEG_WATER) + [_sign("金海县人民政府办公室", "2023-06-01")], False),
    "fire_forward_negative": (YUNXI, "zcwj", FIRE_FORWARD_YX, "云政办发〔2023〕31号", "云溪县人民政府办公室", "2023-11-20",
                              "2023-11-21", "有效", "农业、林业、水利/林业", "通知",
                              _forward(WATER_COVER_QS, "云溪县人民政府办公室", "2023-11-20", FIRE_TITLE, FIRE,
                                       ("示范省人民政府办公厅", "2023-11-15")), False),
    "waste_yunxi": (YUNXI, "gfxwj", "云溪县城区建筑垃圾管理办法", "云政规〔2021〕3号", "云溪县人民政府", "2021-03-02",
                    "2021-03-08", "有效", "城乡建设、环境保护/城乡建设", "办法", _p(WASTE_YX), False),
    "waste_qingshi": (QINGSHI, "1234", "青石县城区建筑垃圾管理办法", "青政规〔2021〕7号", "青石县人民政府", "2021-09-15",
                      "2021-09-18", "有效", "城乡建设、环境保护/城乡建设", "办法", _p(WASTE_QS), False),
    "waste_lutang": ("demo-lutang", "gfxwj", "芦塘县城区建筑垃圾管理办法", "芦政规〔2022〕2号", "芦塘县人民政府", "2022-04-01",
                     "2022-04-06", "有效", "城乡建设、环境保护/城乡建设", "办法", _p(WASTE_LT), False),
    "waste_fengming_negative": ("demo-fengming", "15690", "凤鸣县城市建筑垃圾处置管理办法", "凤政规〔2021〕5号",
                                "凤鸣县人民政府", "2021-11-10", "2021-11-15", "有效", "城乡建设、环境保护/城乡建设", "办法",
                                _p(NEG_WASTE), False),
    "village_yunxi": (YUNXI, "zcwj", "云溪县农村人居环境整治提升行动实施方案", "云政办发〔2022〕6号", "云溪县人民政府办公室",
                      "2022-02-10", "2022-02-14", "有效", "农业、林业、水利/农业、农村", "方案",
                      _p(VILLAGE_YX) + [_sign("云溪县人民政府办公室", "2022-02-10")], False),
    "village_qingshi": (QINGSHI, "1235", "青石县美丽乡村建设三年行动方案", "青政办发〔2022〕17号", "青石县人民政府办公室",
                        "2022-08-20", "2022-08-25", "有效", "农业、林业、水利/农业、农村", "方案",
                        _p(VILLAGE_QS) + [_sign("青石县人民政府办公室", "2022-08-20")], False),
    "village_qingshi_negative": (QINGSHI, "1234", "青石县农村人居环境整治提升行动实施方案", "青政办发〔2022〕3号",
                                 "青石县人民政府办公室", "2022-01-18", "2022-01-20", "有效", "农业、林业、水利/农业、农村",
                                 "方案", _p(NEG_VILLAGE) + [_sign("青石县人民政府办公室", "2022-01-18")], False),
}
NAMES = list(DOCS)

PAIRS = [
    ("water_yunxi", "water_songlin", "exact"),
    ("water_yunxi", "water_qingshi", "forward"),
    ("water_yunxi", "water_baihe", "forward"),
    ("water_songlin", "water_qingshi", "forward"),
    ("water_songlin", "water_baihe", "forward"),
    ("water_qingshi", "water_baihe", "adapted"),      # two covers around one text: copies of each other
    ("waste_yunxi", "waste_qingshi", "adapted"),
    ("waste_yunxi", "waste_lutang", "adapted"),
    ("waste_qingshi", "waste_lutang", "adapted"),
    ("village_yunxi", "village_qingshi", "partial"),
]
FAMILIES = [["water_yunxi", "water_songlin", "water_qingshi", "water_baihe"],
            ["waste_yunxi", "waste_qingshi", "waste_lutang"]]
# Same topic and template, written independently: paired with nothing here.
NEGATIVES = ["water_jinhai_negative", "fire_forward_negative", "waste_fengming_negative", "village_qingshi_negative"]
FIRST_ID = 7_700_001


def doc_key(name: str) -> str:
    site, column = DOCS[name][:2]
    return f"{site}/{column}/{FIRST_ID + NAMES.index(name)}"


@lru_cache(maxsize=1)
def _to_traditional():
    import opencc

    return opencc.OpenCC("s2t").convert


def _entry(site: Site, col: Column, name: str) -> Entry:
    _, _, title, number, issuer, written, published, label, topic, doc_type, blocks, trad = DOCS[name]
    art_id = FIRST_ID + NAMES.index(name)
    if trad:
        convert = _to_traditional()
        title, issuer = convert(title), convert(issuer)
        blocks = [tg.Block(b.kind, [convert(x) for x in b.lines], style=b.style) for b in blocks]
    day = dt.date.fromisoformat(published)
    path = _detail_path(site, col, day, art_id)
    doc = DemoDoc(site=site.name, key=doc_key(name), list_path=path, path=path, title=title,
                  index_no=f"{site.admin_code}-RPT-{written[:4]}-{art_id % 1000:04d}",
                  doc_number=tg.normalise_doc_number(number), doc_number_raw=number, issuer=issuer,
                  written_date=written, published_date=published, validity=VALIDITY[label], validity_raw=label,
                  topic=topic, doc_type=doc_type, paragraphs=[], encoding=site.encoding)
    entry = Entry(doc, col, list(blocks), title, tg.date_cn(dt.date.fromisoformat(written)), published,
                  "10:00", "table", [])
    entry.refresh_paragraphs()
    _as_the_platform_shows_it(site, entry)
    return entry


def extra_entries(site: Site, col: Column) -> list[Entry]:
    """The family documents listed in this column (the catalog's hook calls this)."""
    return [_entry(site, col, name) for name in NAMES if DOCS[name][:2] == (site.name, col.slug)]


EXTRA_ENTRIES.append(extra_entries)
