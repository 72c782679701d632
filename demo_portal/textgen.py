"""Seeded generation of realistic document titles, numbers, dates and bodies.

Everything here takes an explicit ``random.Random`` so that the portal is the same on
every run (string seeds are hashed with SHA-512 by ``random``, independent of
PYTHONHASHSEED).
"""
from __future__ import annotations

import datetime as dt
import random
import re
from dataclasses import dataclass, field

from guifan.parsers.tables import CELL_SEPARATOR  # how a body writes a table row (docs/design.md)

CN_DIGITS = "〇一二三四五六七八九"
WEEKDAYS = "一二三四五六日"
FULLWIDTH = str.maketrans("0123456789", "０１２３４５６７８９")

# (subject, topic) — subjects read naturally before 办法/规定/细则 and after 关于加强.
SUBJECTS = [
    ("农村供水工程管理", "城乡建设、环境保护/水利"),
    ("城乡居民最低生活保障", "民政、扶贫、救灾/社会救助"),
    ("建设工程质量安全管理", "城乡建设、环境保护/城乡建设"),
    ("政府投资项目管理", "国民经济管理、国有资产监管/投资"),
    ("农村宅基地审批管理", "国土资源、能源/土地"),
    ("城市绿化管理", "城乡建设、环境保护/城乡建设"),
    ("行政事业单位国有资产管理", "财政、金融、审计/财政"),
    ("学生资助工作", "科技、教育/教育"),
    ("公共租赁住房管理", "城乡建设、环境保护/住房"),
    ("困难残疾人生活补贴发放管理", "民政、扶贫、救灾/残疾人"),
    ("森林防火管理", "农业、林业、水利/林业"),
    ("河道采砂管理", "农业、林业、水利/水利"),
    ("重大行政决策程序", "综合政务/政务公开"),
    ("行政规范性文件合法性审核", "综合政务/法制"),
    ("农村集体资产管理", "农业、林业、水利/农业、农村"),
    ("城区养犬管理", "公安、安全生产、司法/公安"),
    ("户外广告设施设置管理", "城乡建设、环境保护/城乡建设"),
    ("城区机动车停放管理", "交通/其他"),
    ("中小企业发展专项资金管理", "工业、交通/中小企业"),
    ("高层次人才引进", "劳动、人事、监察/人事工作"),
    ("高标准农田建设管理", "农业、林业、水利/农业、农村"),
    ("生活垃圾分类管理", "城乡建设、环境保护/环境监测、保护与治理"),
    ("安全生产工作责任", "公安、安全生产、司法/安全生产监管"),
    ("地质灾害防治", "国土资源、能源/地质"),
    ("医疗救助工作", "卫生、体育/医药管理"),
    ("粮食安全责任制考核", "农业、林业、水利/农业、农村"),
    ("政府购买服务管理", "财政、金融、审计/财政"),
    ("城镇老旧小区改造", "城乡建设、环境保护/住房"),
    ("集体林权流转管理", "农业、林业、水利/林业"),
    ("公共资源交易管理", "综合政务/其他"),
]

LAWS = ["《中华人民共和国行政许可法》", "《中华人民共和国预算法》", "《中华人民共和国安全生产法》",
        "《中华人民共和国土地管理法》", "《中华人民共和国水法》", "《中华人民共和国森林法》",
        "《优化营商环境条例》", "《政府投资条例》", "《社会救助暂行办法》", "《示范省行政规范性文件管理办法》"]

ARTICLE_BANK = [
    "县{dept}负责全县{subject}的统筹协调和监督管理工作，其他有关部门按照各自职责做好相关工作。",
    "乡镇人民政府、街道办事处负责本辖区内{subject}的具体实施，村（居）民委员会予以协助。",
    "{subject}应当遵循依法依规、公开透明、权责一致、便民高效的原则。",
    "县财政部门应当将{subject}所需经费纳入年度预算，并加强资金使用的绩效管理。",
    "申请人应当提交申请书、身份证明以及有关部门要求的其他材料，并对材料的真实性负责。",
    "主管部门应当自受理申请之日起十五个工作日内作出决定；不予批准的，应当书面说明理由。",
    "有关部门应当建立健全{subject}信息台账，实行动态管理，每年至少开展一次专项检查。",
    "任何单位和个人不得截留、挤占、挪用专项资金，不得擅自改变资金用途。",
    "对违反本办法规定的行为，由有关主管部门责令限期改正；情节严重的，依法依规追究相关人员责任。",
    "鼓励和引导社会资本参与{subject}，依法保障投资者的合法权益。",
    "县{dept}应当会同有关部门制定年度工作计划，明确目标任务、责任单位和完成时限。",
    "实行{subject}工作责任制，将工作完成情况纳入年度综合考核内容。",
    "有关部门应当通过政府门户网站等渠道及时公开办事指南、办理结果等信息，接受社会监督。",
    "公民、法人或者其他组织对具体行政行为不服的，可以依法申请行政复议或者提起行政诉讼。",
    "工作人员在{subject}工作中滥用职权、玩忽职守、徇私舞弊的，依法给予处分；构成犯罪的，依法追究刑事责任。",
    "本县建立{subject}联席会议制度，联席会议办公室设在县{dept}，负责日常工作。",
]

TASK_BANK = [
    ("健全工作机制", "建立部门协同、上下联动的工作机制，明确职责分工，形成工作合力，确保各项任务落到实处。"),
    ("强化资金保障", "统筹安排各级财政资金，优化支出结构，积极争取上级补助资金，保障{subject}工作顺利开展。"),
    ("推进数字化改革", "依托一体化政务服务平台，推动{subject}事项“一网通办”，实现数据共享、业务协同。"),
    ("加强队伍建设", "配齐配强工作力量，定期开展业务培训，不断提升基层工作人员的业务能力和服务水平。"),
    ("严格监督考核", "将{subject}纳入年度目标责任制考核，对工作推进不力的单位予以通报并督促整改。"),
    ("加大宣传力度", "充分利用广播电视、政务新媒体等渠道，广泛宣传政策措施，营造全社会共同参与的良好氛围。"),
    ("完善标准体系", "结合本县实际，制定完善相关技术标准和管理规范，推动{subject}规范化、标准化。"),
    ("防范化解风险", "建立风险排查和预警机制，定期分析研判，及时发现和化解苗头性、倾向性问题。"),
]

INTRO_BANK = [
    "为深入贯彻落实党中央、国务院和省委、省政府决策部署，进一步做好{subject}工作，结合我县实际，现提出如下意见。",
    "为加快推进{subject}工作，切实保障人民群众合法权益，根据有关法律法规和政策规定，结合本县实际，提出以下意见。",
]


def cn_number(n: int) -> str:
    """1..99 as 一, 十二, 二十, 二十三 — the numbering used in 第N条 and 一、."""
    units = "零一二三四五六七八九"
    if n < 10:
        return units[n]
    tens, ones = divmod(n, 10)
    head = "" if tens == 1 else units[tens]
    return head + "十" + (units[ones] if ones else "")


def cn_digit_year(year: int) -> str:
    return "".join(CN_DIGITS[int(c)] for c in str(year))


def date_cn_numerals(d: dt.date) -> str:
    """二〇一五年八月二十八日, the form used on signature lines and some 成文日期."""
    return f"{cn_digit_year(d.year)}年{cn_number(d.month)}月{cn_number(d.day)}日"


def date_cn(d: dt.date) -> str:
    return f"{d.year}年{d.month}月{d.day}日"


def print_date(d: dt.date, style: str) -> str:
    """Render a date in one of the print styles real portals use."""
    return {
        "iso": d.isoformat(),
        "cn": date_cn(d),
        "cnnum": date_cn_numerals(d),
        "dot": f"{d.year}.{d.month:02d}.{d.day:02d}",
    }[style]


def today_line(d: dt.date) -> str:
    return f"今天是{date_cn(d)} 星期{WEEKDAYS[d.weekday()]}"


def raw_doc_number(prefix: str, year: int, seq: int, style: str) -> str:
    """A 发文字号 as printed; styles mirror what county sites actually publish."""
    y, s = str(year), str(seq)
    return {
        "std": f"{prefix}〔{y}〕{s}号",
        "square": f"{prefix}[{y}]{s}号",
        "paren": f"{prefix}({y}){s}号",
        "lenticular": f"{prefix}【{y}】{s}号",
        "fullparen": f"{prefix}（{y}）{s}号",
        "fullwidth": f"{prefix}〔{y.translate(FULLWIDTH)}〕{s.translate(FULLWIDTH)}号",
        "spaced": f"{prefix}〔 {y} 〕{s} 号",
    }[style]


def normalise_doc_number(raw: str) -> str:
    """The normalised 文号 the catalog promises: 〔〕, ASCII digits, no spaces."""
    s = raw.translate(str.maketrans("０１２３４５６７８９", "0123456789"))
    s = re.sub(r"[\[\(（【]\s*(\d{4})\s*[\]\)）】]", r"〔\1〕", s)
    return re.sub(r"\s+", "", s)


@dataclass
class Block:
    """One element of a body: a <p>, a <p> of <br>-separated lines, or a <table>."""
    kind: str                       # "p" | "br" | "table"
    lines: list[str] = field(default_factory=list)
    rows: list[list[str]] = field(default_factory=list)
    style: str | None = None

    def paragraphs(self) -> list[str]:
        if self.kind == "table":
            return [CELL_SEPARATOR.join(r) for r in self.rows]
        return list(self.lines)


INDENT = "text-indent:2em;"
RIGHT = "text-align:right;"
CENTER = "text-align:center;"


def _p(text: str, rng: random.Random | None = None, style: str | None = None) -> Block:
    if style is None and rng is not None and rng.random() < 0.4:
        style = INDENT
    return Block("p", [text], style=style)


def _articles(rng: random.Random, subject: str, dept: str, kind: str, eff: dt.date) -> list[Block]:
    law = "".join(rng.sample(LAWS, 2))
    first = f"第一条　为了加强{subject}，规范相关行为，根据{law}等有关法律法规，结合本县实际，制定本{kind}。"
    second = f"第二条　本{kind}适用于本县行政区域内的{subject}活动。"
    body = [rng_fmt(s, subject, dept) for s in rng.sample(ARTICLE_BANK, rng.randint(4, 7))]
    arts = [first, second] + [f"第{cn_number(i + 3)}条　{s}" for i, s in enumerate(body)]
    n = len(arts) + 1
    arts.append(f"第{cn_number(n)}条　本{kind}自{date_cn(eff)}起施行，有效期{rng.choice([2, 3, 5])}年。")
    blocks = [_p("第一章　总　则", style=CENTER)] + [_p(a, rng) for a in arts[:2]]
    blocks.append(_p("第二章　管理与监督", style=CENTER))
    return blocks + [_p(a, rng) for a in arts[2:]]


def rng_fmt(template: str, subject: str, dept: str) -> str:
    return template.format(subject=subject, dept=dept)


def _tasks(rng: random.Random, subject: str) -> list[Block]:
    tasks = rng.sample(TASK_BANK, 5)
    out = [_p("一、总体要求"),
           _p(f"（一）指导思想。坚持以人民为中心的发展思想，围绕{subject}中的突出问题，补短板、强弱项，"
              f"推动{subject}工作提质增效。", rng),
           _p(f"（二）工作目标。到{rng.choice([2025, 2026, 2027])}年，{subject}制度体系基本健全，"
              f"工作机制运行顺畅，群众满意度明显提升。", rng),
           _p("二、重点任务")]
    for i, (head, text) in enumerate(tasks[:3]):
        out.append(_p(f"（{cn_number(i + 3)}）{head}。{text.format(subject=subject)}", rng))
    out.append(_p("三、保障措施"))
    for i, (head, text) in enumerate(tasks[3:]):
        out.append(_p(f"（{cn_number(i + 6)}）{head}。{text.format(subject=subject)}", rng))
    return out


def _table(rng: random.Random) -> Block:
    rows = [["序号", "项目", "标准（元/人·月）", "备注"]]
    for i, item in enumerate(["城市低保", "农村低保", "特困人员基本生活", "困难残疾人生活补贴"], 1):
        rows.append([str(i), item, str(rng.randrange(300, 1200, 10)), "按月发放"])
    return Block("table", rows=rows)


SALUTATION = "各乡镇人民政府、街道办事处，县政府各部门、各直属单位："


def signature(issuer: str, written: dt.date, rng: random.Random) -> Block:
    """Closing lines; half the portals put both in one <p> split by <br>."""
    date_text = date_cn_numerals(written) if rng.random() < 0.5 else date_cn(written)
    return Block("br", [issuer, date_text], style=RIGHT)


def body_for(rng: random.Random, *, doc_type: str, inner_kind: str | None, inner_title: str | None,
             subject: str, county: str, dept: str, issuer: str, written: dt.date) -> list[Block]:
    """A body with the structure real documents of this 文种 have."""
    eff = written + dt.timedelta(days=rng.choice([30, 31, 45, 60]))
    if doc_type == "通知" and inner_title:
        how = (f"已经县人民政府第{rng.randint(3, 60)}次常务会议研究同意" if "人民政府" in issuer
               else "已经局党组会议研究通过")
        blocks = [_p(SALUTATION),
                  _p(f"《{inner_title}》{how}，现印发给你们，请结合实际，认真贯彻执行。", rng),
                  signature(issuer, written, rng),
                  _p("（此件公开发布）"),
                  _p(inner_title, style=CENTER)]
        if inner_kind in ("办法", "规定", "实施细则"):
            return blocks + _articles(rng, subject, dept, inner_kind.replace("实施", ""), eff)
        return blocks + _tasks(rng, subject)
    if doc_type == "通知":
        blocks = [_p(SALUTATION),
                  _p(f"为进一步加强{subject}工作，经县人民政府同意，现将有关事项通知如下：", rng)]
        items = rng.sample(TASK_BANK, 4)
        blocks += [_p(f"{cn_number(i + 1)}、{head}。{text.format(subject=subject)}", rng)
                   for i, (head, text) in enumerate(items)]
        if rng.random() < 0.5:
            blocks.insert(3, _table(rng))
        return blocks + [signature(issuer, written, rng)]
    if doc_type in ("意见", "方案"):
        return ([_p(SALUTATION), _p(rng.choice(INTRO_BANK).format(subject=subject), rng)]
                + _tasks(rng, subject) + [signature(issuer, written, rng)])
    if doc_type in ("办法", "规定", "细则"):
        return _articles(rng, subject, dept, doc_type, eff)
    if doc_type == "通告":
        items = rng.sample(ARTICLE_BANK, 4)
        return ([_p(f"为加强{subject}，维护公共利益，根据有关法律法规规定，现就有关事项通告如下：", rng)]
                + [_p(f"{cn_number(i + 1)}、{rng_fmt(s, subject, dept)}", rng) for i, s in enumerate(items)]
                + [_p(f"{cn_number(len(items) + 1)}、本通告自{date_cn(eff)}起施行。", rng)]
                + [_p("特此通告。"), signature(issuer, written, rng)])
    if doc_type == "批复":
        return [_p(f"{dept}：", rng),
                _p(f"你单位《关于{subject}有关事项的请示》收悉。经研究，现批复如下：", rng),
                _p(f"一、原则同意你单位提出的{subject}实施意见。", rng),
                _p("二、请严格按照有关规定组织实施，加强监督管理，确保工作规范有序。", rng),
                _p("此复。"), signature(issuer, written, rng)]
    if doc_type == "决定":
        return ([_p(f"为维护法制统一，根据{subject}工作需要，县人民政府对有关文件进行了清理，现决定如下：", rng)]
                + _tasks(rng, subject)[4:6] + [_p("本决定自公布之日起施行。"), signature(issuer, written, rng)])
    return [_p(f"现将{subject}工作情况报告如下：", rng)] + _tasks(rng, subject) + [signature(issuer, written, rng)]


PINYIN_RE = re.compile(r"\([a-zāáǎàēéěèīíǐìōóǒòūúǔùǖǘǚǜüńňǹḿ]+\)")


def strip_pinyin(text: str) -> str:
    """Remove reprint-site pinyin annotations: 建設(shè) -> 建設."""
    return PINYIN_RE.sub("", text)
