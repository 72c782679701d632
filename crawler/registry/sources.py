"""What the registry is built from, and the small rules shared by the importer and the loader.

The registry's facts (names, codes, URLs) come from public sources, each cited by repository,
file and commit; this module names them once so the importer writes the same citation the
loader and the tests read back.
"""
from __future__ import annotations

import re
from urllib.parse import urlsplit

# The sources an entry's `home_from` / `column_from` names ("gov:<key>", "policy:<key>").
SOURCES = {
    "gov": {"repository": "anyi-econ/china-public-debt", "file": "data/website-gov.ts",
            "commit": "9b01b30ad48388b558c75b0538fe10a77f7b3650",
            "what": "GOV_WEBSITES: home pages of provinces, prefectures and county-level units"},
    "policy": {"repository": "anyi-econ/china-public-debt", "file": "data/website-policy.ts",
               "commit": "9b01b30ad48388b558c75b0538fe10a77f7b3650",
               "what": "POLICY_URL_MAP: a policy or disclosure column per unit, with the label it was found under"},
    "codes": {"repository": "yescallop/areacodes", "file": "data/2024.txt",
              "commit": "eed219a0678d36bacaa717f62443b10e869f0291", "licence": "CC0-1.0",
              "what": "Ministry of Civil Affairs 县级以上行政区划代码, as of 2024-12-31"},
}

# ISO 3166-2:CN subdivision letters (the prefix of every site name) and a pinyin file name.
PROVINCE_SLUGS = {
    "11": ("bj", "beijing"), "12": ("tj", "tianjin"), "13": ("he", "hebei"), "14": ("sx", "shanxi"),
    "15": ("nm", "neimenggu"), "21": ("ln", "liaoning"), "22": ("jl", "jilin"), "23": ("hl", "heilongjiang"),
    "31": ("sh", "shanghai"), "32": ("js", "jiangsu"), "33": ("zj", "zhejiang"), "34": ("ah", "anhui"),
    "35": ("fj", "fujian"), "36": ("jx", "jiangxi"), "37": ("sd", "shandong"), "41": ("ha", "henan"),
    "42": ("hb", "hubei"), "43": ("hn", "hunan"), "44": ("gd", "guangdong"), "45": ("gx", "guangxi"),
    "46": ("hi", "hainan"), "50": ("cq", "chongqing"), "51": ("sc", "sichuan"), "52": ("gz", "guizhou"),
    "53": ("yn", "yunnan"), "54": ("xz", "xizang"), "61": ("sn", "shaanxi"), "62": ("gs", "gansu"),
    "63": ("qh", "qinghai"), "64": ("nx", "ningxia"), "65": ("xj", "xinjiang"),
}

FLAGS = {
    "shared_portal": "the URL is on another unit's domain (a prefecture's or province's portal shared by many)",
    "single_article": "the URL is one article, not a column",
    "off_home_domain": "the column URL is not on the unit's own home domain",
}

# Paths that name one document, not a list: TRS t20240101_123.html, Hanweb art_1_2.html,
# gkmlpt content/post_123.html, content_123, PHPCMS c=show, "onedetail" templates.
ARTICLE_PATH = re.compile(r"/t\d{8}_\d+\.s?html?$|/art_[\w]+\.html?$|/art/\d{4}/|/content/post_\d+\.html?$"
                          r"|/content_\d+(\.s?html?)?$|onedetail|[?&]c=show\b")
SECOND_LEVEL = {"gov", "com", "org", "net", "edu", "ac"}


def is_county_code(code: str) -> bool:
    """GB/T 2260: the last two digits 00 name a province or prefecture; anything else is county-level."""
    return len(code) == 6 and code.isdigit() and code[4:] != "00"


def unit_kind(name: str) -> str:
    for suffix in ("自治县", "自治旗", "林区", "特区", "县", "旗", "区", "市"):
        if name.endswith(suffix):
            return {"区": "市辖区", "市": "县级市"}.get(suffix, suffix)
    return ""


def host(url: str) -> str:
    h = (urlsplit(url).hostname or "").lower()
    return h[4:] if h.startswith("www.") else h


def site_domain(url: str) -> str:
    """The registrable domain: dangshan.gov.cn for zwgk.dangshan.gov.cn, example.com for a.example.com."""
    labels = host(url).split(".")
    keep = 3 if len(labels) >= 3 and labels[-1] == "cn" and labels[-2] in SECOND_LEVEL else 2
    return ".".join(labels[-keep:])


def is_article(url: str) -> bool:
    parts = urlsplit(url)
    return bool(ARTICLE_PATH.search(parts.path + ("?" + parts.query if parts.query else "")))


def is_web_url(url: str) -> bool:
    parts = urlsplit(url)
    return parts.scheme in ("http", "https") and bool(parts.hostname)
