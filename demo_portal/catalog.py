"""Ground truth: every document the demo portal lists, per site and day.

``documents(site=None, day=1)`` returns what a perfect crawler + extractor should see;
``boilerplate_lines(site)`` the chrome strings that must never leak into a body.
The same entries drive the HTTP server, so truth and pages cannot drift apart.
"""
from __future__ import annotations

import re

import copy
import datetime as dt
import hashlib
import random
from dataclasses import dataclass, field
from functools import lru_cache
from importlib import resources

from . import textgen as tg
from . import validity_docs
from .world import MAX_DAY, SITE_OBJECTS, SITES, Column, Site, date_of_day

VALIDITY = {"有效": "in_force", "现行有效": "in_force", "废止": "repealed", "失效": "expired",
            "已修订": "amended", "尚未生效": "not_yet_in_force", None: "unknown"}
FAULTS = (None, "not_found", "redirect", "malformed", "unavailable_once", "robots_disallowed", "wrong_charset",
          "challenge")


@dataclass
class DemoDoc:
    """Ground truth for one listed document.

    ``paragraphs`` is the body as a clean extractor should return it: one entry per <p>,
    one per line of a <p> split by <br> (signature blocks), one per table row with its
    cells joined by a single space; no title, metadata box, attachments or chrome.
    ``path`` is where the document really lives; ``list_path`` what the list links to
    (they differ only for the ``redirect`` fault). Fields a page does not show are None.
    """
    site: str
    key: str
    list_path: str
    path: str
    title: str
    index_no: str | None
    doc_number: str | None
    doc_number_raw: str | None
    issuer: str | None
    written_date: str | None
    published_date: str | None
    validity: str
    validity_raw: str | None
    topic: str | None
    doc_type: str | None
    paragraphs: list[str]
    attachments: list[tuple[str, str]] = field(default_factory=list)
    fault: str | None = None
    encoding: str = "utf-8"

    @property
    def body(self) -> str:
        return "\n".join(self.paragraphs)


@dataclass
class Entry:
    """A DemoDoc plus what the renderer needs to print it the way a portal would."""
    doc: DemoDoc
    column: Column
    blocks: list[tg.Block]
    list_title: str
    written_print: str | None
    published_print: str | None
    pub_time: str                    # "HH:MM" shown in PubDate metas
    layout: str                      # metadata box layout variant
    attachment_kinds: list[str]      # "pdf" | "docx" per attachment
    seed: bool = False
    editor_wrap: bool = False        # TRS: nested Custom_UnionStyle div

    def refresh_paragraphs(self) -> None:
        paras = [p for b in self.blocks for p in b.paragraphs()]
        self.doc.paragraphs = [tg.strip_pinyin(p) for p in paras] if self.seed else paras


# --- generation -------------------------------------------------------------------------

TITLE_KINDS = ["print", "print", "print", "notice", "opinion", "measures", "rules", "detail", "plan",
               "announce", "reply", "decision"]
PRINT_INNER = ["办法", "规定", "实施细则", "实施方案"]


def _title(rng: random.Random, site: Site, issuer: str, subject: str) -> tuple[str, str, str | None, str | None]:
    """(title, doc_type, inner kind, inner title) for a generated document."""
    place = site.county
    if rng.random() < site.town_rate:
        place += rng.choice(site.towns)
    kind = rng.choice(TITLE_KINDS)
    if kind == "print":
        inner = rng.choice(PRINT_INNER)
        inner_title = f"{place}{subject}{inner}"
        return f"{issuer}关于印发《{inner_title}》的通知", "通知", inner, inner_title
    simple = {
        "notice": (f"{issuer}关于进一步加强{place.removeprefix(site.county)}{subject}工作的通知", "通知"),
        "opinion": (f"{issuer}关于加快推进{subject}工作的实施意见", "意见"),
        "measures": (f"{place}{subject}办法", "办法"),
        "rules": (f"{place}{subject}若干规定", "规定"),
        "detail": (f"{place}{subject}实施细则", "细则"),
        "plan": (f"{place}{subject}工作实施方案", "方案"),
        "announce": (f"{issuer}关于加强{place.removeprefix(site.county)}{subject}的通告", "通告"),
        "reply": (f"{issuer}关于同意{rng.choice(site.towns)}{subject}有关事项的批复", "批复"),
        "decision": (f"{issuer}关于调整{subject}有关政策的决定", "决定"),
    }
    title, doc_type = simple[kind]
    return title, doc_type, None, None


def _index_no(rng: random.Random, site: Site, issuer_i: int, year: int) -> str:
    """索引号 formats differ by province and by the CMS' 信息公开 module."""
    seq = rng.randint(1, 1500)
    if site.platform == "trs":
        if issuer_i % 2 == 0:
            return f"11{site.admin_code}{issuer_i:02d}{7300 + issuer_i * 7:06d}{'XPKM'[issuer_i % 4]}/{year}-{seq:05d}"
        return f"00{3245 + issuer_i:04d}{100 + issuer_i:03d}/{year}-{seq:05d}"
    if site.platform == "ucap":
        return f"{site.admin_code}{issuer_i:03d}/{year}-{seq:05d}"
    if site.platform == "gkmlpt":
        return f"11{site.admin_code}00{7540 + issuer_i * 13:04d}{'XJ'[issuer_i % 2]}/{year}-{seq:05d}"
    if site.platform == "anhui":
        return f"11{site.admin_code}{3200 + issuer_i * 11:04d}{'KXY'[issuer_i % 3]}/{year}{1 + seq % 12:02d}-{seq:05d}"
    return f"{site.admin_code}{issuer_i:02d}-{('01', '03', '05')[issuer_i % 3]}-{year}-{seq:04d}"


def _dates(rng: random.Random, published: dt.date) -> tuple[dt.date, str, str]:
    """成文日期 (a few days before publication) and the print forms of both dates."""
    written = published - dt.timedelta(days=rng.randint(0, 12))
    w_style = rng.choice(["iso", "cn", "cn", "cnnum", "dot"])
    p_style = rng.choice(["iso", "iso", "iso", "cn", "dot"])
    return written, tg.print_date(written, w_style), tg.print_date(published, p_style)


def _validity(rng: random.Random, site: Site, published: dt.date) -> str | None:
    # Older normative documents have mostly expired or been repealed, as on real portals.
    weights = [60, 8, 10, 7, 15] if published.year >= 2020 else [25, 20, 30, 10, 15]
    raw = rng.choices(["有效", "废止", "失效", "已修订", None], weights=weights)[0]
    if raw == "有效" and site.platform == "hanweb" and rng.random() < 0.3:
        return "现行有效"
    return raw


def _attachments(rng: random.Random, site: Site, detail_path: str, published: dt.date,
                 main_title: str, subject: str) -> tuple[list[tuple[str, str]], list[str]]:
    roll = rng.random()
    rate = site.params.get("attachment_rate", 0.35)   # the nation's sites have fewer (server CPU)
    if roll > rate:
        return [], []
    roll *= 0.35 / rate
    kinds = ["pdf"] if roll < 0.15 else ["docx"] if roll < 0.27 else ["pdf", "docx"]
    names, out = [], []
    for n, kind in enumerate(kinds, 1):
        label = main_title if kind == "pdf" else f"{site.county}{subject}情况登记表"
        names.append(f"附件{n}：{label}.{kind}" if len(kinds) > 1 else f"附件：{label}.{kind}")
        if site.platform == "trs":
            stamp = f"P0{published:%Y%m%d}{rng.randrange(10**11, 10**12)}"
            out.append(detail_path.rsplit("/", 1)[0] + f"/{stamp}.{kind}")
        else:
            out.append(_attachment_path(site, published, rng.getrandbits(128), kind))
    return list(zip(names, out)), kinds


def _attachment_path(site: Site, published: dt.date, bits: int, kind: str) -> str:
    """Where each platform keeps uploaded files."""
    h = f"{bits:032x}"
    if site.platform == "ucap":
        return f"/attach/{published:%Y%m}/{h[:20]}.{kind}"
    if site.platform == "gkmlpt":
        n = bits % 9_000_000 + 1_000_000
        return f"/attachment/{n // 10**6}/{n // 1000}/{n}/{bits % 10**7}.{kind}"
    if site.platform == "anhui":
        return f"/group{1 + bits % 6}/M00/{h[:2].upper()}/{h[2:4].upper()}/wKg{h[4:26]}.{kind}"
    if site.platform == "generic":
        return f"/UploadFiles/{published:%Y%m}/{published:%Y%m%d}{bits % 10**8:08d}.{kind}"
    return f"/attach/0/{h}.{kind}"


def _detail_path(site: Site, col: Column, published: dt.date, art_id: int, under: str | None = None) -> str:
    if col.detail:
        digest = hashlib.md5(f"{site.name}/{art_id}".encode()).hexdigest()
        return col.detail.format(id=art_id, date=published, m=art_id // 10**6, k=art_id // 1000, hex=digest)
    if site.platform == "trs":
        return f"/zwgk/{under or col.slug}/{published:%Y%m}/t{published:%Y%m%d}_{art_id}.html"
    return f"/art/{published.year}/{published.month}/{published.day}/art_{col.slug}_{art_id}.html"


def _make_entry(site: Site, col: Column, published: dt.date, art_id: int, fault: str | None,
                tag: str) -> Entry:
    rng = random.Random(f"{site.name}/{col.slug}/{tag}")
    issuer_i = rng.randrange(len(site.issuers))
    issuer, prefix = site.issuers[issuer_i]
    subject, topic = rng.choice(tg.SUBJECTS)
    title, doc_type, inner, inner_title = _title(rng, site, issuer, subject)
    written, w_print, p_print = _dates(rng, published)
    raw_no = tg.raw_doc_number(prefix, written.year, rng.randint(1, 160),
                               rng.choice(["std"] * 6 + ["square", "paren", "lenticular", "fullparen",
                                                         "fullwidth", "spaced"]))
    has_no = rng.random() > 0.1
    validity_raw = _validity(rng, site, published)
    under = None
    if fault == "robots_disallowed" and site.robots_disallow:
        under = site.robots_disallow.strip("/").split("/")[-1]
    path = _detail_path(site, col, published, art_id, under)
    list_path = path
    if fault == "redirect":
        list_path = _detail_path(site, col, published, art_id - 333)
    blocks = tg.body_for(rng, doc_type=doc_type, inner_kind=inner, inner_title=inner_title, subject=subject,
                         county=site.county, dept=rng.choice(site.departments), issuer=issuer, written=written)
    atts, kinds = _attachments(rng, site, path, published, inner_title or title, subject)
    doc = DemoDoc(
        site=site.name, key=f"{site.name}/{col.slug}/{art_id}", list_path=list_path, path=path, title=title,
        index_no=_index_no(rng, site, issuer_i, written.year), doc_number=tg.normalise_doc_number(raw_no) if has_no else None,
        doc_number_raw=raw_no if has_no else None, issuer=issuer, written_date=written.isoformat(),
        published_date=published.isoformat(), validity=VALIDITY[validity_raw], validity_raw=validity_raw,
        topic=topic, doc_type=doc_type, paragraphs=[], attachments=atts, fault=fault,
        encoding=site.encoding)
    entry = Entry(doc, col, blocks, title, w_print, p_print, f"{8 + rng.randrange(10):02d}:{rng.randrange(60):02d}",
                  rng.choice(["table", "list"]), kinds, editor_wrap=rng.random() < 0.4)
    entry.refresh_paragraphs()
    _as_the_platform_shows_it(site, entry)
    return entry


_SIGNATURE_DATE = re.compile(r"^(\d{4}年\d{1,2}月\d{1,2}日|[〇零一二三四五六七八九]{4}年[〇一二三四五六七八九十]{1,2}月[〇一二三四五六七八九十]{1,3}日)$")


def _as_the_platform_shows_it(site: Site, e: Entry) -> None:
    """Blank what a platform's pages do not show, so the ground truth is what a page says."""
    d = e.doc
    if site.platform == "ucap":                       # the policy table has no 有效性 row
        d.validity_raw, d.validity = None, "unknown"
    elif site.platform == "gkmlpt":                   # validity only as the API's 废止/失效 flags
        d.validity_raw = d.validity_raw if d.validity_raw in ("废止", "失效") else "有效"
        d.validity = VALIDITY[d.validity_raw]
        e.written_print, e.published_print = d.written_date, d.published_date
    elif site.platform == "generic":                  # 来源/文号/发布时间, and the date under a signature
        d.index_no = d.topic = d.validity_raw = None
        if not (d.paragraphs and _SIGNATURE_DATE.match(d.paragraphs[-1])):
            d.written_date = None
        d.validity = "unknown"
        e.written_print, e.published_print = None, d.published_date


@lru_cache(maxsize=1)
def seed_lines() -> tuple[str, ...]:
    """The seed reprint page text: title, share widget, body lines, footer (packaged copy)."""
    return tuple(resources.files("guifan.demo_portal").joinpath("data/seed_reprint.txt").read_text("utf-8").split("\n"))


def _seed_entry(site: Site, col: Column, published: dt.date, art_id: int) -> Entry:
    """The real reprint page (Traditional script, pinyin after converted characters)."""
    lines = list(seed_lines())
    raw_title, body = lines[0], lines[2:-1]        # line 1 is the share widget, the last the footer
    path = _detail_path(site, col, published, art_id)
    blocks = [tg.Block("p", [line]) for line in body]
    doc = DemoDoc(site=site.name, key=f"{site.name}/{col.slug}/{art_id}", list_path=path, path=path,
                  title=tg.strip_pinyin(raw_title), index_no=None, doc_number=None, doc_number_raw=None,
                  issuer=None, written_date=None, published_date=published.isoformat(), validity="unknown",
                  validity_raw=None, topic=None, doc_type=None, paragraphs=[], encoding=site.encoding)
    entry = Entry(doc, col, blocks, raw_title, None, published.isoformat(), "16:05", "none", [], seed=True)
    entry.refresh_paragraphs()
    return entry


def _column_day1(site: Site, col: Column) -> list[Entry]:
    """Day-1 listing of a column, newest first, as the CMS orders it."""
    rng = random.Random(f"{site.name}/{col.slug}/dates")
    published = date_of_day(1) - dt.timedelta(days=rng.randint(0, 3))
    if col.first_id:
        art_id = col.first_id
    else:
        art_id = 5_230_000 + int(col.slug == "zcwj") * 1000 if site.platform == "trs" else 56_789 + int(col.slug) % 10 * 7
    out = []
    for pos in range(col.count):
        if site.seed_at == (col.slug, pos):
            out.append(_seed_entry(site, col, published, art_id))
        else:
            fault = site.faults.get((col.slug, pos))
            out.append(_make_entry(site, col, published, art_id, fault, f"d1/{pos}"))
        forced = site.params.get("validity", {}).get((col.slug, pos))
        if forced:                                                  # a replica needs this validity shown
            out[-1].doc.validity_raw, out[-1].doc.validity = forced, VALIDITY[forced]
        if (col.slug, pos) in site.repealed:
            out[-1].doc.validity_raw, out[-1].doc.validity = "有效", "in_force"   # so day 2 can repeal it
        published -= dt.timedelta(days=rng.randint(30, 200))   # spread back to ~2015
        art_id -= rng.randint(150, 4000) if site.platform == "trs" else rng.randint(40, 900)
    return out + [_validity_entry(site, col, d) for d in validity_docs.documents_in(site.name, col.slug)]


def _validity_entry(site: Site, col: Column, d: dict) -> Entry:
    """One of issue 14's documents (demo_portal/validity_docs.py holds them and their truth)."""
    path = _detail_path(site, col, dt.date.fromisoformat(d["published_date"]), d["art_id"])
    doc = DemoDoc(site=site.name, key=d["key"], list_path=path, path=path, title=d["title"],
                  index_no=f"{site.admin_code}-{d['index_no']}", doc_number=d["doc_number"],
                  doc_number_raw=d["doc_number_raw"], issuer=d["issuer"], written_date=d["written_date"],
                  published_date=d["published_date"], validity=VALIDITY[d["validity_raw"]],
                  validity_raw=d["validity_raw"], topic=d["topic"], doc_type=d["doc_type"], paragraphs=[],
                  encoding=site.encoding)
    entry = Entry(doc, col, d["blocks"], d["title"], d["written_print"], d["published_date"], "09:00", "table", [])
    entry.refresh_paragraphs()
    return entry


EDIT_SUFFIX = "各有关单位要按照本文件要求，于每年12月底前将贯彻落实情况书面报送县人民政府办公室。"


def _apply_day2(site: Site, col: Column, entries: list[Entry]) -> list[Entry]:
    """Day 2: some bodies edited, one repealed, one vanishes, new ones on top."""
    entries = copy.deepcopy(entries)
    for c, pos in site.edited:
        if c == col.slug:
            e = entries[pos]
            i = next(i for i, b in enumerate(e.blocks) if b.kind == "p" and len(b.lines[0]) > 30)
            e.blocks[i].lines[0] = e.blocks[i].lines[0].rstrip("。") + "。" + EDIT_SUFFIX
            e.refresh_paragraphs()
    for c, pos in site.repealed:
        if c == col.slug:
            entries[pos].doc.validity_raw, entries[pos].doc.validity = "废止", "repealed"
    gone = {pos for c, pos in site.vanishing if c == col.slug}
    entries = [e for i, e in enumerate(entries) if i not in gone]
    new = []
    top_id = int(entries[0].doc.key.rsplit("/", 1)[1])
    for n in range(site.new_on_day2.get(col.slug, 0)):
        new.append(_make_entry(site, col, date_of_day(2), top_id + 97 * (site.new_on_day2[col.slug] - n),
                               None, f"d2/{n}"))
    if new and site.platform == "trs":
        new[0].doc.validity_raw, new[0].doc.validity = "尚未生效", "not_yet_in_force"
    return new + entries


# Data modules listing documents after a column's generated ones: (site, column) -> [Entry].
# They import this module and register here (demo_portal/__init__.py imports them), so the
# catalog never imports them back.
EXTRA_ENTRIES: list = []


@lru_cache(maxsize=None)
def _column_entries(site_name: str, slug: str, day: int) -> tuple[Entry, ...]:
    site = SITE_OBJECTS[site_name]
    col = site.column(slug)
    # Registered documents come last, the same on every day.
    return _generated_entries(site, col, day) + tuple(e for extra in EXTRA_ENTRIES for e in extra(site, col))


def _generated_entries(site: Site, col: Column, day: int) -> tuple[Entry, ...]:
    day1 = _column_day1(site, col)
    if day == 1:
        return tuple(day1)
    day2 = _apply_day2(site, col, day1)
    if day == 2:
        return tuple(day2)
    # Day 3: the vanished document is back, unchanged from day 1, in its old place.
    back = [day1[pos] for c, pos in site.vanishing if c == col.slug]
    merged = sorted(day2 + back, key=lambda e: (e.doc.published_date, e.doc.key), reverse=True)
    return tuple(merged)


def _check_day(day: int) -> int:
    if not 1 <= int(day) <= MAX_DAY:
        raise ValueError(f"day must be 1..{MAX_DAY}, got {day!r}")
    return int(day)


def entries(site: str, day: int, column: str | None = None) -> list[Entry]:
    """Internal: the rendered-side view (shared objects; do not mutate)."""
    s = SITE_OBJECTS[site]
    cols = [column] if column else [c.slug for c in s.columns]
    return [e for slug in cols for e in _column_entries(site, slug, _check_day(day))]


@lru_cache(maxsize=None)
def _by_key(site: str, day: int) -> dict[str, Entry]:
    return {e.doc.key: e for e in entries(site, day)}


def content_since(site: str, key: str, day: int) -> int:
    """The first day of the unbroken run of days, ending on ``day``, on which the document
    was listed with exactly this content (page text, metadata and attachments).

    A document edited or repealed on day 2 gives 2; one that vanished on day 2 and came
    back on day 3 gives 3 (its page was published again); an untouched one gives 1.
    """
    day = _check_day(day)
    current = _by_key(site, day).get(key)
    if current is None:
        raise KeyError(f"{key!r} is not listed on day {day}")
    first = day
    while first > 1 and _by_key(site, first - 1).get(key) == current:
        first -= 1
    return first


CST = dt.timezone(dt.timedelta(hours=8))


def last_modified(site: str, key: str, day: int) -> dt.datetime:
    """When the document's page last changed in content, as of ``day`` (aware, UTC+8).

    Its publication time (``PubDate``) if the page is unchanged since it first appeared;
    otherwise 09:30 China time on the day of the last change. Chrome (visit counter,
    today line) never counts.
    """
    since = content_since(site, key, day)
    e = _by_key(site, day)[key]
    published = dt.date.fromisoformat(e.doc.published_date)
    if since == 1 or published == date_of_day(since):
        hour, minute = map(int, e.pub_time.split(":"))
        return dt.datetime.combine(published, dt.time(hour, minute), tzinfo=CST)
    return dt.datetime.combine(date_of_day(since), dt.time(9, 30), tzinfo=CST)


def documents(site: str | None = None, day: int = 1) -> list[DemoDoc]:
    """Every document listed on ``day`` (faulty ones included, flagged by ``fault``)."""
    names = [site] if site else list(SITES)
    for n in names:
        if n not in SITE_OBJECTS:
            raise KeyError(f"unknown demo site {n!r}; known: {', '.join(SITE_OBJECTS)}")
    return [copy.deepcopy(e.doc) for n in names for e in entries(n, day)]


def boilerplate_lines(site: str) -> list[str]:
    """Chrome strings of ``site`` that a clean extractor must never put into a body."""
    s = SITE_OBJECTS[site]
    lines = [" ".join(s.nav), s.nav[-1], "字号：大 中 小", "【打印本页】", "【关闭窗口】", "【打印本页】【关闭窗口】",
             "扫一扫在手机打开当前页", "相关链接", "浏览次数：", "今天是", f"主办：{s.sponsor}",
             f"承办：{s.undertaker}", s.icp, s.police, f"网站标识码：{s.site_code}", "本站已支持IPv6访问",
             s.address, "版权所有"]
    lines += [f"当前位置：首页 > 政务公开 > {c.name}" for c in s.columns]
    lines += list(s.related_links)
    from .templates import app_for     # the platform's own chrome (imported late: templates import us)
    lines += app_for(s).chrome_lines()
    if s.seed_at:
        lines += [seed_lines()[1], seed_lines()[-1]]
    return lines
