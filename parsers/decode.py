"""Bytes -> text: BOM, HTTP header charset, <meta> charset, then detection.

Detection of undeclared non-UTF-8 bytes is a fast GB18030-versus-Big5 test (decoding
errors, then the share of common Han characters), with chardet as the last resort.

Every declared charset is verified: it must decode the bytes strictly, and a declared
legacy Chinese charset loses to UTF-8 when the bytes are valid, non-ASCII UTF-8 (a lying
`<meta charset=gb2312>` on a UTF-8 page). GB2312 and GBK are decoded as GB18030, their
superset. If no candidate decodes strictly, the best one decodes what it can and the
number of undecodable sequences is reported (never silently replaced).
"""
from __future__ import annotations

import codecs
import re
from collections.abc import Mapping
from typing import NamedTuple

from .errors import DecodeError

__all__ = ["Decoded", "decode_bytes", "decode_html", "normalise_charset_name", "header_value"]


class Decoded(NamedTuple):
    text: str
    encoding: str  # Python codec name actually used, e.g. "utf-8", "gb18030", "big5hkscs"
    undecodable: int  # sequences that could not be decoded (each became U+FFFD)
    declared: str | None  # what the header/meta/BOM claimed, normalised, if anything


# Aliases the web uses -> the codec we decode with.
_ALIASES = {
    "gb2312": "gb18030", "gbk": "gb18030", "gb18030": "gb18030", "gb_2312-80": "gb18030",
    "gb_2312": "gb18030", "x-gbk": "gb18030", "cp936": "gb18030", "ms936": "gb18030",
    "windows-936": "gb18030", "euc-cn": "gb18030", "csgb2312": "gb18030", "chinese": "gb18030",
    "iso-ir-58": "gb18030", "hz-gb-2312": "hz",
    "big5": "big5hkscs", "big5-hkscs": "big5hkscs", "cn-big5": "big5hkscs", "x-x-big5": "big5hkscs",
    "csbig5": "big5hkscs", "cp950": "cp950", "ms950": "cp950",
    "utf8": "utf-8", "utf-8": "utf-8", "unicode-1-1-utf-8": "utf-8", "x-unicode20utf8": "utf-8",
    "utf-16": "utf-16", "utf-16le": "utf-16-le", "utf-16be": "utf-16-be", "unicode": "utf-16",
    "iso-8859-1": "cp1252", "latin1": "cp1252", "latin-1": "cp1252", "us-ascii": "cp1252",
    "ascii": "cp1252", "windows-1252": "cp1252", "cp1252": "cp1252",
}
_LEGACY_CJK = {"gb18030", "big5hkscs", "cp950", "hz"}
_LEAD_BYTES = bytes(range(0xC0, 0x100))

_META_CHARSET = re.compile(
    rb"""<meta[^>]{0,300}?charset\s*=\s*["']?\s*([a-zA-Z0-9_\-:.]{2,40})""", re.I)
_XML_DECL = re.compile(rb"""^\s*<\?xml[^>]{0,200}?encoding\s*=\s*["']([a-zA-Z0-9_\-.]{2,40})["']""", re.I)
_HEADER_CHARSET = re.compile(r"""charset\s*=\s*["']?\s*([a-zA-Z0-9_\-:.]{2,40})""", re.I)


def header_value(headers: Mapping[str, str] | None, name: str) -> str | None:
    """Case-insensitive header lookup; tolerates bytes keys/values and list values."""
    if not headers:
        return None
    want = name.lower()
    try:
        items = list(headers.items())
    except Exception:
        return None
    for key, value in items:
        if isinstance(key, bytes):
            key = key.decode("latin-1", "replace")
        if str(key).lower() != want:
            continue
        if isinstance(value, (list, tuple)):
            value = value[0] if value else ""
        if isinstance(value, bytes):
            value = value.decode("latin-1", "replace")
        return str(value)
    return None


def normalise_charset_name(name: str | None) -> str | None:
    """Map a declared charset label to the codec we decode with, or None if unknown."""
    if not name:
        return None
    label = name.strip().strip("\"'").lower().replace("_", "-")
    if label in _ALIASES:
        return _ALIASES[label]
    label2 = label.replace("-", "")
    for alias, codec in _ALIASES.items():
        if alias.replace("-", "") == label2:
            return codec
    try:
        codec = codecs.lookup(label).name
    except LookupError:
        return None
    return _ALIASES.get(codec, codec)


def _bom(body: bytes) -> tuple[str, int] | None:
    if body.startswith(b"\xef\xbb\xbf"):
        return "utf-8", 3
    if body.startswith(b"\xff\xfe\x00\x00"):
        return "utf-32-le", 4
    if body.startswith(b"\x00\x00\xfe\xff"):
        return "utf-32-be", 4
    if body.startswith(b"\xff\xfe"):
        return "utf-16-le", 2
    if body.startswith(b"\xfe\xff"):
        return "utf-16-be", 2
    return None


def _declared_in_markup(body: bytes) -> str | None:
    head = body[:8192]
    m = _XML_DECL.search(head)
    if m:
        return m.group(1).decode("ascii", "ignore")
    m = _META_CHARSET.search(head)
    if m:
        return m.group(1).decode("ascii", "ignore")
    return None


def _strict(body: bytes, codec: str) -> str | None:
    try:
        return body.decode(codec)
    except (UnicodeDecodeError, LookupError):
        return None


def _lenient(body: bytes, codec: str) -> tuple[str, int]:
    """Decode what can be decoded; count replaced sequences (not counting genuine U+FFFD)."""
    text = body.decode(codec, errors="replace")
    try:
        genuine = "\ufffd".encode(codec)
    except (UnicodeEncodeError, LookupError):
        genuine = b""
    already = body.count(genuine) if genuine else 0
    return text, max(0, text.count("\ufffd") - already)


def _plausible_utf8(body: bytes) -> str | None:
    """The text, if body is valid UTF-8 with real multi-byte content (so not a legacy charset)."""
    text = _strict(body, "utf-8")
    if text is None:
        return None
    head = body[:200000]
    return text if len(head) - len(head.translate(None, _LEAD_BYTES)) >= 2 else None


# Characters frequent in both Simplified and Traditional Chinese text. Right decodings hit
# them often; GBK bytes read as Big5 (or the reverse) give mostly rare characters.
_COMMON_HAN = frozenset(
    "的一是不了在人有我他这個个们中来上大为和国國地到以说說时時要就出会會可也你对對生能而子那得于着下自之年过過"
    "发發后後作里裡用道行所然家种種事成方多经經么去法学學如都同现現当當没動动面起看定天分还還进進好小部其些主样樣"
    "理心本前开開但因只从從想实實日者意无無力与與长長把机機十民第公此已工使情明性知全三又关關点點正业業外将將两兩"
    "高间間由问問很最重并提直题題党黨程展五果料象员員革位入常文总總次品式活设設及管特件长求老头頭基资資边邊流路级"
    "級少图圖山统統接知较較组組见見计計别別手角期根论論运運农農指几幾九区區强強放决決西被干做必战戰先回则則任取据"
    "處处队隊南给給色光门門即保治北造百规規热熱领領七海口东東导導器压壓志世金增争爭济濟阶階油思术術极極交受联聯"
    "什认認六共权權收证證改清己美再采转轉更单單风風切打白教速花带帶安场場身车車例真务務具万萬每目至达達走积積示议議"
    "声聲报報斗完类類八离離华華名确確才科张張信马馬节節话話米整空元况況今集温溫传傳土许許步群广廣石记記需段研界拉林"
    "律叫且究观觀越织織装裝影算低持音众眾书書布复復容儿兒须須际際商非验驗连連断斷深难難近矿礦千周委素技备備半办辦"
    "青省列习習响響约約支般史感劳勞便团團往历歷市克何除消构構府称稱太准精值号號率族维維划选選标標写寫存候亲親效院"
    "查江型眼王按格养養易置派层層片始却專专状狀育厂廠京识識适適属屬圆圓包火住调調满滿县縣局照参參红紅细細引听聽该該"
    "价價严嚴龙龍政府规範范件知通告办辦法"
)
_CJK_CHAR = re.compile(r"[\u4e00-\u9fff]")


def _common_rate(text: str) -> float:
    han = _CJK_CHAR.findall(text[:200000])
    if not han:
        return 0.0
    return sum(1 for ch in han if ch in _COMMON_HAN) / len(han)


def _detect(body: bytes) -> str:
    """Guess the charset of undeclared, non-UTF-8 bytes: GB18030 unless it reads as Big5."""
    if body.isascii():
        return "cp1252"
    sample = body[:200000]
    as_big5, big5_bad = _lenient(sample, "big5hkscs")
    as_gb, gb_bad = _lenient(sample, "gb18030")
    if min(gb_bad, big5_bad) > max(8, len(sample) // 500):
        # Neither Chinese charset fits: ask chardet (slow, so only now, on a sample).
        try:
            import chardet

            guess = chardet.detect(sample[:65536]) or {}
        except Exception:  # pragma: no cover
            guess = {}
        codec = normalise_charset_name(guess.get("encoding"))
        if codec and codec not in ("cp1252", "ascii") and (guess.get("confidence") or 0) >= 0.7:
            return codec
    if big5_bad > gb_bad:
        return "gb18030"
    if gb_bad > big5_bad:
        return "big5hkscs"
    return "big5hkscs" if _common_rate(as_big5) > _common_rate(as_gb) + 0.05 else "gb18030"


def decode_bytes(body: bytes, headers: Mapping[str, str] | None = None) -> Decoded:
    """Decode a page's bytes; see the module docstring for the order of evidence."""
    if not isinstance(body, (bytes, bytearray, memoryview)):
        raise DecodeError(f"expected bytes, got {type(body).__name__}")
    body = bytes(body)
    bom = _bom(body)
    if bom:
        codec, skip = bom
        text = _strict(body[skip:], codec)
        if text is not None:
            return Decoded(text, codec, 0, codec)
        text, bad = _lenient(body[skip:], codec)
        return Decoded(text, codec, bad, codec)

    content_type = header_value(headers, "content-type") or ""
    m = _HEADER_CHARSET.search(content_type)
    from_header = normalise_charset_name(m.group(1)) if m else None
    from_markup = normalise_charset_name(_declared_in_markup(body))
    declared = from_header or from_markup

    candidates: list[str] = []
    for codec in (from_header, from_markup):
        if codec and codec not in candidates:
            candidates.append(codec)

    # A page that is valid multi-byte UTF-8 is UTF-8 whatever the meta says: legacy
    # CJK bytes almost never form valid UTF-8, while UTF-8 often "decodes" as GB18030.
    text = _plausible_utf8(body)  # decoded once: the check's text is the result
    if text is not None:
        return Decoded(text, "utf-8", 0, declared)

    for codec in candidates:
        if codec == "utf-8":
            continue  # already known not to be valid UTF-8
        if codec == "cp1252" and not body.isascii():
            continue  # a Chinese page mislabelled latin-1: let detection decide
        text = _strict(body, codec)
        if text is not None:
            return Decoded(text, codec, 0, declared)
        if codec == "big5hkscs":
            text = _strict(body, "cp950")
            if text is not None:
                return Decoded(text, "cp950", 0, declared)

    if body.isascii():
        return Decoded(body.decode("ascii"), candidates[0] if candidates else "utf-8", 0, declared)

    detected = _detect(body)
    fallbacks = [detected, "gb18030", "utf-8", "big5hkscs"]
    for codec in fallbacks:
        text = _strict(body, codec)
        if text is not None:
            return Decoded(text, codec, 0, declared)

    # Nothing decodes cleanly: decode with the candidate that loses least, and say so.
    best: tuple[int, str, str] | None = None
    for codec in dict.fromkeys(candidates + fallbacks):
        if codec == "cp1252":
            continue
        try:
            text, bad = _lenient(body, codec)
        except LookupError:
            continue
        # Prefer declared charsets on ties; UTF-8 replacement counts are per byte, so
        # weigh them against the share of text that decoded to CJK.
        if best is None or bad < best[0]:
            best = (bad, codec, text)
    if best is None:
        raise DecodeError("cannot decode the bytes in any known encoding")
    bad, codec, text = best
    return Decoded(text, codec, bad, declared)


def decode_html(body: bytes, headers: Mapping[str, str] | None = None) -> tuple[str, str]:
    """Return (text, encoding) for a page's bytes. See `decode_bytes` for the details."""
    decoded = decode_bytes(body, headers)
    return decoded.text, decoded.encoding
