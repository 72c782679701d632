"""Documents about validity, with their ground truth (issue 14): catalog data, nothing else.

Listed after the generated documents of demo-yunxi's 规范性文件 column (``gfxwj``) and
demo-qingshi's (``1234``), the same on every day. Between them they show each clause shape
(有效期N年 from a dated 施行, 自印发之日起 + 有效期至, 自…起施行至…止 in a 暂行办法, Chinese
numerals, 有效期N个月, 有效期五年 from the written date), a cleanup decision whose table names
documents on both sites (废止, 宣布失效, 继续有效, one title two documents share, one document
not archived), an extension decision, an amendment decision, a 同时废止 citation, a 转发 of the
decision to the other site, basis / reference citations and a bare 文号.

Ground truth, by document name (``NAME``s below; ``doc_key(name)`` gives the catalog key):

* ``CLAUSES[name]`` = (effective_date, expiry_date, trial)
* ``TARGETS[name]`` = [(title, doc_number, issuer, action, linked name | None | ("ambiguous", names))]
* ``CITATIONS[name]`` = [(text, type, linked name | None)]
* ``VALIDITY[name]`` = {as_of: validity} — the computed validity on those days
"""
from __future__ import annotations

import datetime as dt

from . import textgen as tg

YUNXI, QINGSHI = "demo-yunxi", "demo-qingshi"
COLUMNS = {YUNXI: "gfxwj", QINGSHI: "1234"}
FIRST_ID = {YUNXI: 5_400_001, QINGSHI: 71_001}
SAL = tg.SALUTATION


def _p(*lines: str) -> list[tg.Block]:
    return [tg.Block("p", [line]) for line in lines]


def _sign(issuer: str, day: str) -> tg.Block:
    return tg.Block("br", [issuer, tg.date_cn(dt.date.fromisoformat(day))], style=tg.RIGHT)


def _table(rows: list[list[str]]) -> tg.Block:
    return tg.Block("table", rows=rows)


# name: (site, title, doc_number_raw, issuer, written, published, validity label, topic, blocks)
DOCS: dict[str, tuple] = {}


def _doc(name, site, title, number, issuer, written, published, label, topic, blocks):
    DOCS[name] = (site, title, number, issuer, written, published, label, topic, blocks)


_doc("dogs", YUNXI, "云溪县人民政府关于印发《云溪县城区养犬管理办法》的通知", "云政规〔2019〕2号", "云溪县人民政府",
     "2019-03-01", "2019-03-05", "有效", "公安、安全生产、司法/公安", [
         *_p(SAL, "《云溪县城区养犬管理办法》已经县人民政府第21次常务会议研究同意，现印发给你们，请认真贯彻执行。"),
         _sign("云溪县人民政府", "2019-03-01"),
         tg.Block("p", ["云溪县城区养犬管理办法"], style=tg.CENTER),
         *_p("第一条　为了规范城区养犬行为，保障公民人身安全，根据《中华人民共和国动物防疫法》《示范省养犬管理条例》等有关法律法规，结合本县实际，制定本办法。",
             "第二条　本办法适用于本县城区范围内的养犬管理活动。",
             "第三条　县公安局是本县养犬管理的主管部门，负责犬只登记和监督管理工作。",
             "第十条　本办法自2019年4月1日起施行，有效期5年。")])

_doc("forest", YUNXI, "云溪县人民政府办公室关于进一步加强森林防火工作的通知", "云政办发〔2018〕15号", "云溪县人民政府办公室",
     "2018-06-10", "2018-06-12", "有效", "农业、林业、水利/林业", [
         *_p(SAL, "为切实做好森林防火工作，保护森林资源安全，经县人民政府同意，现将有关事项通知如下：",
             "一、严格落实责任。各乡镇要落实森林防火行政首长负责制，层层签订责任书。",
             "二、强化值班值守。实行24小时值班和领导带班制度，确保信息畅通。",
             "本通知自印发之日起施行，有效期至2021年12月31日。"),
         _sign("云溪县人民政府办公室", "2018-06-10")])

_doc("renovation", YUNXI, "云溪县城镇老旧小区改造暂行办法", "云政规〔2020〕1号", "云溪县人民政府",
     "2020-04-20", "2020-04-28", None, "城乡建设、环境保护/住房", [
         *_p("第一条　为推进城镇老旧小区改造，根据《国务院办公厅关于全面推进城镇老旧小区改造工作的指导意见》（国办发〔2020〕23号），结合本县实际，制定本办法。",
             "第二条　本办法所称城镇老旧小区，是指建成年代较早、失养失修失管的住宅小区。",
             "第八条　本办法自2020年6月1日起施行，至2023年5月31日止。")])

_doc("talent", YUNXI, "云溪县高层次人才引进办法（试行）", "云政发〔2020〕30号", "云溪县人民政府",
     "2020-12-05", "2020-12-10", "有效", "劳动、人事、监察/人事工作", [
         *_p("第一条　为加快高层次人才集聚，结合本县实际，制定本办法。",
             "第二条　本办法所称高层次人才，是指符合本县产业发展需要的各类紧缺人才。",
             "第九条　本办法自二〇二一年一月一日起施行，有效期三年。")])

_doc("talent_extension", YUNXI, "云溪县人民政府关于延长《云溪县高层次人才引进办法（试行）》有效期的通知",
     "云政发〔2023〕41号", "云溪县人民政府", "2023-12-20", "2023-12-22", "有效", "劳动、人事、监察/人事工作", [
         *_p(SAL, "经评估，决定将《云溪县高层次人才引进办法（试行）》（云政发〔2020〕30号）有效期延长至2025年12月31日。",
             "本通知自印发之日起施行。"),
         _sign("云溪县人民政府", "2023-12-20")])

_doc("homestead", YUNXI, "云溪县农村宅基地审批管理办法", "云政规〔2016〕3号", "云溪县人民政府",
     "2016-05-01", "2016-05-06", "有效", "国土资源、能源/土地", [
         *_p("第一条　为规范农村宅基地审批管理，结合本县实际，制定本办法。",
             "第二条　农村村民一户只能拥有一处宅基地。",
             "第十二条　本办法自2016年6月1日起施行。")])

_doc("parking", YUNXI, "云溪县人民政府办公室关于加强城区机动车停放管理的通知", "云政办发〔2017〕8号", "云溪县人民政府办公室",
     "2017-03-10", "2017-03-14", None, "交通/其他", [
         *_p(SAL, "为规范城区机动车停放秩序，现就有关事项通知如下：",
             "一、城区道路停车泊位由县公安局交警大队会同县城市管理局统一设置。",
             "本通知自印发之日起施行。"),
         _sign("云溪县人民政府办公室", "2017-03-10")])

_doc("dogs_amendment", YUNXI, "云溪县人民政府关于修改《云溪县城区养犬管理办法》的决定", "云政规〔2021〕6号", "云溪县人民政府",
     "2021-08-01", "2021-08-03", "有效", "公安、安全生产、司法/公安", [
         *_p("根据《示范省养犬管理条例》，县人民政府决定对《云溪县城区养犬管理办法》（云政规〔2019〕2号）作如下修改：",
             "一、将第三条修改为：“县公安局是本县养犬管理的主管部门，县城市管理局、县农业农村局按照各自职责做好相关工作。”",
             "本决定自2021年9月1日起施行。"),
         _sign("云溪县人民政府", "2021-08-01")])

CLEANUP_TITLE = "云溪县人民政府 青石县人民政府关于公布青云河流域规范性文件清理结果的决定"
_doc("cleanup", YUNXI, CLEANUP_TITLE, "云政发〔2023〕12号", "云溪县人民政府",
     "2023-06-30", "2023-07-03", "有效", "综合政务/法制", [
         *_p("各乡镇人民政府、街道办事处，两县政府各部门：",
             "为维护法制统一，根据《示范省行政规范性文件管理办法》，云溪县人民政府、青石县人民政府对青云河流域管理涉及的规范性文件进行了清理。现将清理结果公布如下："),
         _table([["序号", "文件名称", "文号", "发文机关", "清理结果"],
                 ["1", "云溪县农村宅基地审批管理办法", "云政规〔2016〕3号", "云溪县人民政府", "废止"],
                 ["2", "云溪县人民政府办公室关于加强城区机动车停放管理的通知", "云政办发〔2017〕8号", "云溪县人民政府办公室", "宣布失效"],
                 ["3", "青石县水资源费征收管理办法", "青政发〔2015〕11号", "青石县人民政府", "废止"],
                 ["4", "青石县困难残疾人生活补贴发放管理办法", "青政规〔2017〕2号", "青石县人民政府", "继续有效"],
                 ["5", "关于做好汛期安全工作的通知", "无", "无", "废止"],
                 ["6", "云溪县城区绿化管理办法", "云政规〔2015〕9号", "云溪县人民政府", "废止"]]),
         *_p("本决定自印发之日起施行。"),
         tg.Block("br", ["云溪县人民政府　青石县人民政府", tg.date_cn(dt.date(2023, 6, 30))], style=tg.RIGHT)])

_doc("flood_yunxi", YUNXI, "关于做好汛期安全工作的通知", "云政办发〔2022〕20号", "云溪县人民政府办公室",
     "2022-05-10", "2022-05-12", "有效", "公安、安全生产、司法/安全生产监管", [
         *_p(SAL, "为做好今年汛期安全工作，现将有关事项通知如下：",
             "一、各乡镇、各部门要按照云政办发〔2018〕15号文件确定的值班制度，落实24小时值班。",
             "二、本通知自2022年6月1日起施行，有效期6个月。"),
         _sign("云溪县人民政府办公室", "2022-05-10")])

_doc("sand", QINGSHI, "青石县河道采砂管理办法", "青政规〔2019〕3号", "青石县人民政府",
     "2019-11-20", "2019-11-25", "有效", "农业、林业、水利/水利", [
         *_p("第一条　为加强河道采砂管理，维护河势稳定，根据《中华人民共和国水法》等法律法规，结合本县实际，制定本办法。",
             "第二条　在本县行政区域内河道管理范围内从事采砂活动，适用本办法。",
             "第十五条　采砂收益的管理，参照《青石县水资源费征收管理办法》（青政发〔2015〕11号）执行。",
             "第十六条　本办法自2020年1月1日起施行。原《青石县河道采砂管理暂行办法》（青政发〔2014〕20号）同时废止。")])

_doc("water_fee", QINGSHI, "青石县水资源费征收管理办法", "青政发〔2015〕11号", "青石县人民政府",
     "2015-03-02", "2015-03-06", "有效", "农业、林业、水利/水利", [
         *_p("第一条　为加强水资源费征收管理，结合本县实际，制定本办法。",
             "第二条　县水利局负责本县水资源费的征收管理工作。",
             "第十条　本办法自2015年4月1日起施行。")])

_doc("disability", QINGSHI, "青石县困难残疾人生活补贴发放管理办法", "青政规〔2017〕2号", "青石县人民政府",
     "2017-02-10", "2017-02-15", None, "民政、扶贫、救灾/残疾人", [
         *_p("第一条　为保障困难残疾人基本生活，结合本县实际，制定本办法。",
             "第二条　县民政局负责困难残疾人生活补贴的审核发放工作。",
             "第八条　本办法由县民政局负责解释。")])

_doc("flood_qingshi", QINGSHI, "关于做好汛期安全工作的通知", "青政办发〔2022〕9号", "青石县人民政府办公室",
     "2022-05-20", "2022-05-23", None, "公安、安全生产、司法/安全生产监管", [
         *_p(SAL, "为做好汛期安全工作，确保人民群众生命财产安全，现将有关事项通知如下：",
             "一、各乡镇要全面排查山洪、地质灾害隐患点，落实监测责任人。",
             "二、各有关部门要加强应急值守，遇有重大险情及时报告。"),
         _sign("青石县人民政府办公室", "2022-05-20")])

_doc("sand_interim", QINGSHI, "青石县河道采砂管理暂行办法", "青政发〔2014〕20号", "青石县人民政府",
     "2014-08-15", "2014-08-20", None, "农业、林业、水利/水利", [
         *_p("第一条　为规范河道采砂行为，制定本办法。",
             "第二条　河道采砂实行许可制度。",
             "第十条　本办法自印发之日起施行，有效期五年。")])

_doc("cleanup_forward", QINGSHI, "青石县人民政府办公室关于转发《云溪县人民政府 青石县人民政府关于公布青云河流域规范性文件清理结果的决定》的通知",
     "青政办发〔2023〕15号", "青石县人民政府办公室", "2023-07-05", "2023-07-06", "有效", "综合政务/法制", [
         *_p("各乡镇人民政府，县政府各部门：",
             f"现将《{CLEANUP_TITLE}》（云政发〔2023〕12号）转发给你们，请遵照执行。"),
         _sign("青石县人民政府办公室", "2023-07-05")])

NAMES = tuple(DOCS)
DOC_TYPES = {"dogs": "通知", "forest": "通知", "renovation": "办法", "talent": "办法", "talent_extension": "通知",
             "homestead": "办法", "parking": "通知", "dogs_amendment": "决定", "cleanup": "决定",
             "flood_yunxi": "通知", "sand": "办法", "water_fee": "办法", "disability": "办法",
             "flood_qingshi": "通知", "sand_interim": "办法", "cleanup_forward": "通知"}

# --- ground truth ---------------------------------------------------------------------------

CLAUSES = {
    "dogs": ("2019-04-01", "2024-03-31", False),
    "forest": ("2018-06-10", "2021-12-31", False),
    "renovation": ("2020-06-01", "2023-05-31", True),
    "talent": ("2021-01-01", "2023-12-31", True),
    "talent_extension": ("2023-12-20", None, False),
    "homestead": ("2016-06-01", None, False),
    "parking": ("2017-03-10", None, False),
    "dogs_amendment": ("2021-09-01", None, False),
    "cleanup": ("2023-06-30", None, False),
    "flood_yunxi": ("2022-06-01", "2022-11-30", False),
    "sand": ("2020-01-01", None, False),
    "water_fee": ("2015-04-01", None, False),
    "disability": (None, None, False),
    "flood_qingshi": (None, None, False),
    "sand_interim": ("2014-08-15", "2019-08-14", True),
    "cleanup_forward": (None, None, False),
}

TARGETS = {
    "talent_extension": [("云溪县高层次人才引进办法（试行）", "云政发〔2020〕30号", None, "extend", "talent")],
    "dogs_amendment": [("云溪县城区养犬管理办法", "云政规〔2019〕2号", None, "amend", "dogs")],
    "cleanup": [
        ("云溪县农村宅基地审批管理办法", "云政规〔2016〕3号", "云溪县人民政府", "repeal", "homestead"),
        ("云溪县人民政府办公室关于加强城区机动车停放管理的通知", "云政办发〔2017〕8号", "云溪县人民政府办公室",
         "invalidate", "parking"),
        ("青石县水资源费征收管理办法", "青政发〔2015〕11号", "青石县人民政府", "repeal", "water_fee"),
        ("青石县困难残疾人生活补贴发放管理办法", "青政规〔2017〕2号", "青石县人民政府", "continue", "disability"),
        ("关于做好汛期安全工作的通知", None, None, "repeal", ("ambiguous", ("flood_qingshi", "flood_yunxi"))),
        ("云溪县城区绿化管理办法", "云政规〔2015〕9号", "云溪县人民政府", "repeal", None),
    ],
}

CITATIONS = {
    "dogs": [("《云溪县城区养犬管理办法》", "other", None),        # the 办法 it issues: itself, not linked
             ("《中华人民共和国动物防疫法》", "basis", None), ("《示范省养犬管理条例》", "basis", None)],
    "renovation": [("《国务院办公厅关于全面推进城镇老旧小区改造工作的指导意见》（国办发〔2020〕23号）", "basis", None)],
    "talent_extension": [("《云溪县高层次人才引进办法（试行）》（云政发〔2020〕30号）", "other", "talent")],
    "dogs_amendment": [("《示范省养犬管理条例》", "basis", None),
                       ("《云溪县城区养犬管理办法》（云政规〔2019〕2号）", "other", "dogs")],
    "cleanup": [("《示范省行政规范性文件管理办法》", "basis", None),
                # table cells: no verb of their clause governs them (the row's action is the target's)
                ("云政规〔2016〕3号", "other", "homestead"), ("云政办发〔2017〕8号", "other", "parking"),
                ("青政发〔2015〕11号", "other", "water_fee"), ("青政规〔2017〕2号", "other", "disability"),
                ("云政规〔2015〕9号", "other", None)],
    "flood_yunxi": [("云政办发〔2018〕15号", "other", "forest")],          # 按照 is no 根据/依据
    "sand": [("《中华人民共和国水法》", "basis", None),
             ("《青石县水资源费征收管理办法》（青政发〔2015〕11号）", "reference", "water_fee"),
             ("《青石县河道采砂管理暂行办法》（青政发〔2014〕20号）", "repeal", "sand_interim")],
    "cleanup_forward": [(f"《{CLEANUP_TITLE}》（云政发〔2023〕12号）", "forward", "cleanup")],
}

# The computed validity on a few days. Labels are seen when the archive crawls (after all of them).
VALIDITY = {
    "dogs": {"2019-03-20": "not_yet_in_force", "2020-01-01": "in_force", "2022-01-01": "amended",
             "2024-01-01": "amended", "2024-06-01": "expired"},
    "forest": {"2018-01-01": "not_yet_in_force", "2019-06-01": "in_force", "2024-01-01": "expired"},
    "renovation": {"2020-05-01": "not_yet_in_force", "2021-01-01": "in_force", "2024-01-01": "expired"},
    "talent": {"2022-06-01": "in_force", "2024-01-01": "in_force", "2026-01-01": "expired"},
    "homestead": {"2016-05-15": "not_yet_in_force", "2020-01-01": "in_force", "2024-01-01": "repealed"},
    "parking": {"2020-01-01": "in_force", "2024-01-01": "repealed"},
    "water_fee": {"2020-01-01": "in_force", "2024-01-01": "repealed"},
    "disability": {"2022-01-01": "unknown", "2024-01-01": "in_force"},
    "flood_yunxi": {"2022-07-01": "in_force", "2024-01-01": "expired"},
    "flood_qingshi": {"2024-01-01": "unknown"},
    "sand": {"2019-12-01": "not_yet_in_force", "2024-01-01": "in_force"},
    "sand_interim": {"2018-01-01": "in_force", "2019-10-01": "expired", "2020-06-01": "repealed"},
    "cleanup": {"2023-01-01": "not_yet_in_force", "2024-01-01": "in_force"},
    "dogs_amendment": {"2024-01-01": "in_force"},
    "talent_extension": {"2024-01-01": "in_force"},
    "cleanup_forward": {"2024-01-01": "in_force"},
}
# Documents whose computed validity on a day conflicts with other evidence: a 有效 label (seen when
# the archive crawls, after all these days) against an expiry or a repeal.
CONFLICTS = {("forest", "2024-01-01"), ("homestead", "2024-01-01"), ("water_fee", "2024-01-01"),
             ("flood_yunxi", "2024-01-01"), ("dogs", "2024-06-01"), ("talent", "2026-01-01")}


def _art_id(name: str) -> int:
    site = DOCS[name][0]
    same_site = [n for n in NAMES if DOCS[n][0] == site]
    return FIRST_ID[site] + same_site.index(name)


def doc_key(name: str) -> str:
    site = DOCS[name][0]
    return f"{site}/{COLUMNS[site]}/{_art_id(name)}"


def documents_in(site: str, column: str) -> list[dict]:
    """The validity documents listed in a column, as the catalog's fields (the catalog builds
    its entries from these: this module imports nothing of the catalog)."""
    if COLUMNS.get(site) != column:
        return []
    out = []
    for name in NAMES:
        where, title, number, issuer, written, published, label, topic, blocks = DOCS[name]
        if where == site:
            out.append({"name": name, "key": doc_key(name), "art_id": _art_id(name), "title": title,
                        "doc_number_raw": number, "doc_number": tg.normalise_doc_number(number), "issuer": issuer,
                        "written_date": written, "published_date": published, "validity_raw": label,
                        "topic": topic, "doc_type": DOC_TYPES[name], "blocks": list(blocks),
                        "index_no": f"VAL-{written[:4]}-{_art_id(name) % 1000:04d}",
                        "written_print": tg.date_cn(dt.date.fromisoformat(written))})
    return out
