"""The pipeline: bytes (+ URL, headers, hints) -> Document. Pure: no I/O, no global state."""
from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import replace
from urllib.parse import urljoin

from lxml import etree

from .attachments import find_attachments
from .cover import ATTACHMENT_ONLY, is_cover
from .decode import decode_bytes, header_value
from .detect_challenge import looks_like_challenge
from .errors import NotHTMLError, ParseError
from .html_tree import Walk, parse_page, prune, segments, text_of
from .locate_body import BodyChoice, _lca, chrome_segments, locate_body, segment_weights, select
from .normalise import (
    doc_type_from_title, find_dates, fold_for_compare, looks_like_doc_number, normalise_date,
    normalise_doc_number, normalise_space, normalise_validity, strip_title_suffix,
)
from .pinyin_annotations import is_traditional_script, remove_pinyin_annotations
from .read_metadata import FIELD_LABELS, LABEL_LINE, MetaBox, label_alternation, read_label_pairs, read_meta_tags
from .record import (
    CHALLENGE_PAGE, EMPTY_BODY, PINYIN_ANNOTATIONS, TRADITIONAL_SCRIPT, TRUNCATED, UNDECODABLE_BYTES, Document,
)
from .sniff_content import check_is_text_page
from .validity_clauses import read_validity_clauses
from .strip_boilerplate import is_boilerplate_line, is_related_header, strip_boilerplate_lines
from .tables import is_data_table, table_lines, table_of

__all__ = ["extract"]

_BINARY_TYPES = re.compile(r"^(?:application/(?:pdf|zip|msword|vnd\.|octet-stream|x-rar|ofd|x-zip)|image/|audio/|video/)", re.I)
_SENTENCE = re.compile(r"[，。；！？]")
_TITLE_ATTR = re.compile(r"title|biaoti|headline|tit\b|_bt\b|^bt$", re.I)
_WEAK = {"日期", "时间", "名称", "分类", "主题", "效力", "编辑", "标题"}
_STRONG_LABEL_LINE = re.compile(
    r"^[【\[［]?" + label_alternation(lbl for labels in FIELD_LABELS.values() for lbl in labels if lbl not in _WEAK)
    + r"[】\]］]?\s*[:：]?"
)
_URL_DATE = (
    re.compile(r"/t((?:19|20)\d{2})(\d{2})(\d{2})_"),
    re.compile(r"/((?:19|20)\d{2})[-/]?(\d{2})[-/]?(\d{2})/"),
    re.compile(r"/art/((?:19|20)\d{2})/(\d{1,2})/(\d{1,2})/"),
)
_TITLE_VALIDITY = re.compile(r"[（(【\[]\s*(已废止|废止|已失效|失效|已修订|已修改|部分失效|尚未生效)\s*[)）】\]]\s*$")
_DATE_ONLY_LINE = re.compile(r"^[\s（(]*[0-9〇○零一二三四五六七八九十]{4}\s*年[0-9〇○零一二三四五六七八九十\s]{1,3}月[0-9〇○零一二三四五六七八九十\s]{1,3}日[\s）)]*$")


def extract(body: bytes, url: str = "", headers: Mapping[str, str] | None = None,
            hints: Mapping | None = None) -> Document:
    """Extract a Document from a detail page's raw bytes. Raises ParseError (only)."""
    try:
        return _extract(body, url or "", headers, hints)
    except ParseError:
        raise
    except RecursionError as exc:
        raise ParseError("page too deeply nested to parse") from exc
    except Exception as exc:  # never leak anything but ParseError
        raise ParseError(f"unexpected {type(exc).__name__} while parsing: {exc}") from exc


def _extract(body: bytes, url: str, headers: Mapping[str, str] | None, hints: Mapping | None) -> Document:
    check_is_text_page(body)
    ctype = header_value(headers, "content-type") or ""
    if _BINARY_TYPES.match(ctype.strip()) and b"<" not in bytes(body[:2048]):
        raise NotHTMLError(f"not an HTML page: Content-Type is {ctype.split(';')[0].strip()}")
    decoded = decode_bytes(bytes(body), headers)
    flags: list[str] = []
    if decoded.undecodable:
        flags.append(UNDECODABLE_BYTES)
    doc = Document(url=url, encoding=decoded.encoding)

    root, truncated = parse_page(decoded.text)
    if truncated:  # never silently: part of the page is not in the record
        flags.append(TRUNCATED)
    if root is None:
        doc.quality_flags = flags + [EMPTY_BODY]
        return doc

    meta_tags = read_meta_tags(root)
    page_title = ""
    title_el = root.find(".//title")
    if title_el is not None:
        page_title = normalise_space(text_of(title_el) or "")
    base_url = url
    base_el = root.find(".//base[@href]")
    if base_el is not None:
        try:
            base_url = urljoin(url, base_el.get("href", "").strip()) if url else base_el.get("href", "").strip()
        except ValueError:
            base_url = url

    prune(root)
    walk = segments(root)
    texts = [s.text for s in walk.segments]
    visible = sum(s.chars for s in walk.segments)
    if looks_like_challenge(decoded.text, visible):
        flags.append(CHALLENGE_PAGE)

    chrome = chrome_segments(root, walk)  # comments and recommendation feeds, by class or id
    choice = locate_body(root, walk, hints, chrome)
    box = read_label_pairs(texts)

    # ---- title
    title = _choose_title(root, walk, choice.index, page_title, meta_tags, box, hints)

    # ---- body lines
    choice = _trust_structure(walk, choice, title, box)
    choice = _start_after_title(walk, choice, title)
    lines = _body_lines(walk, choice, box, chrome) if choice.how != "none" else []
    lines = _drop_title_lines(lines, title)
    lines = strip_boilerplate_lines(lines)
    body_text = "\n".join(lines)

    # ---- pinyin artefacts and script
    body_text, n_pinyin = remove_pinyin_annotations(body_text)
    title, n_pinyin_title = remove_pinyin_annotations(title)
    if n_pinyin + n_pinyin_title:
        flags.append(PINYIN_ANNOTATIONS)
    if is_traditional_script(body_text or title):
        flags.append(TRADITIONAL_SCRIPT)
    if not body_text.strip():
        flags.append(EMPTY_BODY)

    # ---- metadata fields
    raw_meta: dict[str, str] = dict(box.pairs)
    for key, value in meta_tags.items():
        raw_meta.setdefault(key, value)
    doc.raw_meta = raw_meta
    doc.title = title
    doc.body = body_text

    hit = box.first("index_no")
    doc.index_no = hit[1] if hit else None

    doc.issuer = _issuer(box)

    doc_number_raw = None
    for _, value in box.values("doc_number"):
        if re.search(r"\d|〔", value) and len(value) <= 60:
            doc_number_raw = value
            break
    if doc_number_raw is None:
        for line in lines[:6]:
            if looks_like_doc_number(line):
                doc_number_raw = line
                break
    doc.doc_number_raw = doc_number_raw
    doc.doc_number = normalise_doc_number(doc_number_raw) if doc_number_raw else None

    doc.written_date = _first_date(box, "written_date") or _signature_date(lines)
    doc.published_date = (_first_date(box, "published_date")
                          or _meta_date(meta_tags)
                          or _date_near_body(walk, choice.first, choice.last)
                          or _url_date(url))
    hit = box.first("validity")
    doc.validity = normalise_validity(hit[1]) if hit else "unknown"
    if doc.validity == "unknown":
        marker = _TITLE_VALIDITY.search(title)
        if marker:  # 关于…的通知（已废止）
            doc.validity = normalise_validity(marker.group(1))
    hit = box.first("topic")
    doc.topic = hit[1] if hit and len(hit[1]) <= 80 else None
    doc.doc_type = doc_type_from_title(title)
    clauses = read_validity_clauses(body_text, title=title, written_date=doc.written_date,
                                    published_date=doc.published_date)
    doc.effective_date, doc.expiry_date = clauses.effective_date, clauses.expiry_date
    doc.validity_clauses = clauses.sentences

    # ---- attachments: in the body and right after it
    body_el = walk.elements[choice.index] if walk.elements else None
    scopes = []
    if body_el is not None and choice.how != "none":
        if body_el.tag in ("body", "html"):
            # The body spans the page: look only at the blocks that hold its text.
            owners = dict.fromkeys(walk.segments[k].owner for k in range(choice.first, choice.last + 1))
            scopes.extend(walk.elements[i] for i in owners)
            if owners:
                scopes.extend(_following(walk.elements[list(owners)[-1]], 6))
        else:
            scopes.append(body_el)
            scopes.extend(_following(body_el, 6))
            # A cover page's one line (内容详见附件) sits deep in the editor's wrappers; its
            # attachment list follows the article text's container, up to three levels out.
            ancestor = body_el.getparent()
            for _ in range(3):
                if ancestor is None or ancestor.tag in ("body", "html"):
                    break
                scopes.extend(_following(ancestor, 3))
                ancestor = ancestor.getparent()
    doc.attachments = find_attachments(scopes, base_url)
    if is_cover(doc.body, doc.attachments) and ATTACHMENT_ONLY not in flags:
        flags.append(ATTACHMENT_ONLY)
    doc.quality_flags = flags
    return doc


# 来源 names a news agency on news pages but the publishing department on many county
# portals; only a name shaped like a government body counts as the issuer.
_SOURCE_LABELS = ("来源", "信息来源", "文章来源")
_GOVERNMENT_BODY = re.compile(r"(人民政府|政府|办公室|办公厅|委员会|局|委|厅|办|署|中心|院|所|站|街道|镇|乡)$")


def _issuer(box: MetaBox) -> str | None:
    hit = box.first("issuer")
    if hit:
        return hit[1] if len(hit[1]) <= 80 else None
    for label in _SOURCE_LABELS:
        value = (box.pairs.get(label) or "").strip()
        if 2 <= len(value) <= 40 and _GOVERNMENT_BODY.search(value):
            return value
    return None


def _following(el, limit: int) -> list:
    out = []
    sib = el.getnext()
    while sib is not None and len(out) < limit:
        if isinstance(sib.tag, str):
            out.append(sib)
        sib = sib.getnext()
    return out


# --------------------------------------------------------------------------- title
def _choose_title(root, walk: Walk, body_index: int, page_title: str, meta_tags: Mapping[str, str],
                  box: MetaBox, hints: Mapping | None) -> str:
    selector = hints.get("title_selector") if isinstance(hints, Mapping) else None
    if isinstance(selector, str) and selector:
        for el in select(root, selector):
            text = normalise_space(text_of(el) or "")
            if text:
                return text
    for key in ("ArticleTitle", "og:title", "DC.title"):
        value = normalise_space(re.sub(r"<[^>]*>", " ", meta_tags.get(key, "")))
        if 4 <= len(value) <= 300:
            if key == "ArticleTitle":
                return value
            stripped = strip_title_suffix(value)
            return _heading_prefix(walk, value, stripped) or stripped
    hit = box.first("title")
    if hit and 4 <= len(hit[1]) <= 300 and hit[0] != "名称":
        return hit[1]

    folded_page = fold_for_compare(page_title)
    stripped = strip_title_suffix(page_title)
    completed = _complete_truncated(walk, stripped)
    if completed:
        return completed
    folded_stripped = fold_for_compare(stripped)
    best = ""
    containing = ""
    nearest = ""
    for i, cls, ident in walk.named:  # h1..h3 and elements with a class or an id: what may name a title
        el = walk.elements[i]
        tag = el.tag  # lower case already (libxml2's HTML parser)
        is_heading = tag in ("h1", "h2", "h3")
        if not is_heading:
            if not _TITLE_ATTR.search(f"{cls or ''} {ident or ''}") \
                    or tag in ("a", "body", "html", "ul", "ol", "table", "tr", "title"):
                continue
        try:
            text = normalise_space(text_of(el) or "")
        except ValueError:
            continue
        if not (4 <= len(text) <= 200):
            continue
        folded = fold_for_compare(text)
        if len(folded) < 4:
            continue
        if folded_page and folded in folded_page:
            if len(text) > len(best):
                best = text
        elif folded_stripped and len(folded_stripped) >= 4 and folded_stripped in folded:
            if not containing or len(text) < len(containing):
                containing = text
        elif is_heading and i <= body_index + 5 and len(folded) >= 8 and not _SENTENCE.search(text):
            nearest = text
    if best and (not containing or len(fold_for_compare(best)) >= len(folded_stripped)):
        return best
    if containing and len(containing) <= 2 * len(stripped) + 10:
        return containing
    if best:
        return best
    if stripped:
        return stripped
    return nearest


# A <title> cut short by the site (microblogs, forums): `得州…华盛顿大学中招... 来自美国侨报网`.
_TRUNCATED_TITLE = re.compile(r"^(.{6,}?)\s*(?:\.{3,}|…+)")
_BRACKET_HEADLINE = re.compile(r"^[【\[]([^【】\[\]]{4,120})[】\]]")


def _complete_truncated(walk: Walk, stripped: str) -> str:
    """The full headline of a truncated page title: the 【headline】 that opens the text (or a
    heading) which the title's stem begins; "" when the title is not truncated or not found."""
    m = _TRUNCATED_TITLE.match(stripped)
    stem = fold_for_compare(m.group(1)) if m else ""
    if len(stem) < 6:
        return ""
    for seg in walk.segments:
        head = _BRACKET_HEADLINE.match(seg.text)
        text = head.group(1).strip() if head else seg.text if seg.heading and seg.chars <= 200 else ""
        if text and fold_for_compare(text).startswith(stem):
            return text
    return ""


def _may_equal(seg, folded: str) -> bool:
    """Cheap test before folding: folding drops punctuation and spaces, never adds characters."""
    return len(folded) <= seg.chars <= 2 * len(folded) + 8


def _title_segment(walk: Walk, title: str, limit: int | None = None) -> int:
    """Index of the segment that displays the title (a heading first), or -1."""
    target = fold_for_compare(title)
    if len(target) < 4:
        return -1
    found = -1
    for k, seg in enumerate(walk.segments[:limit]):
        if seg.link_chars * 2 < seg.chars and _may_equal(seg, target) and fold_for_compare(seg.text) == target:
            if seg.heading:
                return k
            found = k if found < 0 else found
    return found


def _trust_structure(walk: Walk, choice, title: str, box: MetaBox):
    """When the prose-weighted window lies above the document's title (a browser advisory,
    a toolbar's help text, a column's intro) — which happens when the document's own text is thin (内容详见附件, one sentence and a table, captions under
    images), the body is what follows the title and the metadata box inside the element
    that holds them, up to the first related list or comments."""
    segs = walk.segments
    t = _title_segment(walk, title)
    if t < 0:
        return choice
    i = segs[t].owner
    content: list[int] = []
    while i >= 0 and not content:
        if walk.elements[i].tag in ("body", "html"):
            return choice  # the title stands alone on the page: no document element to trust
        lo, hi = i, walk.end[i]
        after = [k for k in range(t + 1, len(segs)) if lo <= segs[k].owner <= hi]
        content = [k for k in after if k not in box.lines and segs[k].link_chars * 2 < segs[k].chars
                   and not is_boilerplate_line(segs[k].text)]
        i = walk.parent[i] if not content else i
    if not content:
        return choice
    in_box = all(k in box.lines for k in range(choice.first, choice.last + 1))
    if choice.how != "none" and choice.last > t and not in_box:
        return choice  # the window reaches below the title: prose decides
    last = content[0]
    for k in range(content[0], content[-1] + 1):
        if is_related_header(segs[k].text):
            break
        if k in content:
            last = k
    return BodyChoice(i, content[0], last, "structure", 0.0)


def _start_after_title(walk: Walk, choice, title: str):
    """Start the body after the document's title when the window began above it: what sits
    above a title (a blog's description, breadcrumbs, a column's intro) is the page's, not
    the document's — as long as most of the text follows the title."""
    target = fold_for_compare(title)
    if len(target) < 4 or choice.how == "none":
        return choice
    segs = walk.segments
    for k in range(choice.first, min(choice.last, choice.first + 60) + 1):
        if not _may_equal(segs[k], target) or fold_for_compare(segs[k].text) != target:
            continue
        if k == choice.first:
            return choice
        # The document is the element holding its title and its text; what lies outside it
        # above the title goes (what lies inside it — a 政府令 cover over the title — stays).
        home = _lca(walk, segs[k].owner, segs[choice.last].owner)
        start = next(j for j in range(choice.first, k + 1) if home <= segs[j].owner <= walk.end[home])
        if start == choice.first:
            return choice
        weights = segment_weights(walk)
        before = sum(max(weights[j], 0) for j in range(choice.first, start))
        after = sum(max(weights[j], 0) for j in range(start, choice.last + 1))
        return replace(choice, first=start) if after >= 2 * before else choice
    return choice


def _heading_prefix(walk: Walk, value: str, stripped: str) -> str:
    """A heading the meta title begins with, when the suffix-stripped meta title is not its
    start (`新竹尖石_美樹營地賞楓 (2) @ 史蒂文的家_藍天 :: 痞客邦`: the title has an `_` of its own)."""
    folded = fold_for_compare(value)
    if folded.startswith(fold_for_compare(stripped)):
        return ""  # the stripped title is the meta title's start: nothing to improve
    best = ""
    for seg in walk.segments:
        if not seg.heading:  # a linked heading too: blogs link the title to its permalink
            continue
        f = fold_for_compare(seg.text)
        if len(f) >= 4 and folded.startswith(f) and len(f) > len(best):
            best = seg.text
    return best


def _drop_title_lines(lines: list[str], title: str) -> list[str]:
    """Remove the title (possibly wrapped over several lines) from the top of the body."""
    target = fold_for_compare(title)
    if not target or not lines:
        return lines
    for start in range(min(10, len(lines))):
        acc = ""
        for j in range(start, min(start + 8, len(lines))):
            acc += fold_for_compare(lines[j])
            if acc == target:
                return lines[:start] + lines[j + 1:]
            if not acc or not target.startswith(acc):
                break
    return lines


# ---------------------------------------------------------------------------- body
def _body_lines(walk: Walk, choice, box: MetaBox, chrome: set[int] = frozenset()) -> list[str]:
    ks = range(choice.first, choice.last + 1)
    if not ks:
        return []
    drop = _link_lines(walk, ks) | _box_lines(walk, ks, box) | chrome
    cells: dict[int, list[int]] = {}  # cell -> its kept segments in the body
    for k in ks:
        if walk.segments[k].cell >= 0 and k not in drop:
            cells.setdefault(walk.segments[k].cell, []).append(k)
    table_at: dict[int, int] = {}  # cell -> its data table, or -1
    data: dict[int, bool] = {}
    for cell in cells:
        t = table_of(walk, cell)
        if t >= 0 and t not in data:
            data[t] = is_data_table(walk, t, cells)
        table_at[cell] = t if t >= 0 and data[t] else -1
    lines: list[str] = []
    written: set[int] = set()
    for k in ks:
        seg = walk.segments[k]
        if k in drop:
            continue
        table = table_at.get(seg.cell, -1)
        if table < 0:
            lines.append(seg.text)
        elif table not in written:  # the whole table, row by row, where its first cell is
            written.add(table)
            text = {c: " ".join(walk.segments[j].text for j in js) for c, js in cells.items() if table_at[c] == table}
            rows = {walk.segments[j].row for c, js in cells.items() if table_at[c] == table for j in js}
            lines.extend(line for _, line in table_lines(walk, table, text, rows))
    return lines


def _link_lines(walk: Walk, ks: range) -> set[int]:
    """Link lists and lone link lines inside the body: related links (相关链接), the document's
    政策解读, attachment file names (they are `attachments`), a video's title. Kept when the
    body would be nothing but links (a page that is a list of documents)."""
    segs = walk.segments
    runs: set[int] = set()
    run: list[int] = []
    for k in list(ks) + [-1]:
        s = segs[k] if k >= 0 else None
        if s is not None and s.link_chars >= s.chars * 0.9 and s.chars <= 60:
            run.append(k)
            continue
        if len(run) >= 3:
            runs.update(run)
        run = []
    # Lone link lines only after the text has ended: in it (and above it) they are sub-headings.
    last_prose = max((k for k in ks if segs[k].chars - segs[k].link_chars >= 20 and _SENTENCE.search(segs[k].text)),
                     default=ks[0] - 1)
    lone = {k for k in ks if k > last_prose and segs[k].link_chars >= 0.6 * segs[k].chars and segs[k].chars <= 150}
    lone.update(k for k in ks if _link_card(segs[k]))
    kept = sum(segs[k].chars for k in ks if k not in lone and k not in runs)
    return runs | lone if kept >= 50 else runs


# A linked title followed only by its source or date: an embedded video's or related item's
# card (暴雪推出…模型刀 （来源：网易视频）, 【音频解读】《…》的解读 2021-04-21), not a sub-heading.
_CARD_TAIL = re.compile(r"(?:[（(【\[][^（(【\[，。]{1,20}[)）】\]]|(?:19|20)\d{2}[-./年]\d{1,2}[-./月]\d{1,2}日?)$")


def _link_card(seg) -> bool:
    return 0.5 * seg.chars <= seg.link_chars < seg.chars and seg.chars <= 80 and bool(_CARD_TAIL.search(seg.text))


def _box_lines(walk: Walk, ks: range, box: MetaBox) -> set[int]:
    """The metadata box: strong label lines anywhere, weak ones only before the text starts."""
    segs = walk.segments
    first_para = next((k for k in ks if segs[k].chars >= 40 and _SENTENCE.search(segs[k].text)), ks[-1])
    headers = _header_rows(walk, first_para, ks[-1])
    out: set[int] = set()
    for k in box.lines:
        if k < ks[0] or k > ks[-1]:
            continue
        if segs[k].row in headers:
            continue  # 文件名称 文号 发文机关: a table's header row in the text
        text = segs[k].text
        if (k < first_para or _STRONG_LABEL_LINE.match(text)) and len(text) <= 300:
            out.add(k)
    return out


def _header_rows(walk: Walk, first: int, last: int) -> set[int]:
    """Rows of tables inside the text whose cells include two or more bare labels (no colon):
    a header such as 序号 文件名称 文号 发文机关 清理结果, not a metadata box (label：value)."""
    counts: dict[int, int] = {}
    for k in range(first, last + 1):
        seg = walk.segments[k]
        if seg.row >= 0 and LABEL_LINE.match(seg.text) and not re.search(r"[:：]", seg.text):
            counts[seg.row] = counts.get(seg.row, 0) + 1
    return {row for row, n in counts.items() if n >= 2}


# --------------------------------------------------------------------------- dates
def _first_date(box: MetaBox, field_name: str) -> str | None:
    for _, value in box.values(field_name):
        iso = normalise_date(value)
        if iso:
            return iso
    return None


def _meta_date(meta_tags: Mapping[str, str]) -> str | None:
    for key in ("PubDate", "publishdate", "FirstPublishedTime", "article:published_time", "DCTERMS.issued",
                "DC.date", "publishtime", "Maketime"):
        iso = normalise_date(meta_tags.get(key))
        if iso:
            return iso
    return None


_PUBLISH_WORDS = re.compile(r"发布|发表|更新|时间|日期|来源|作者|编辑|浏览|点击|阅读|报道")
# A date that belongs to another article: CSDN's 最新推荐文章于 2024-02-02 发布 under a 2016 post.
_OTHER_ARTICLE_DATE = re.compile(r"(?:最新|相关|推荐)(?:推荐)?(?:文章|博文|帖子)于")


def _date_near_body(walk: Walk, first: int, last: int) -> str | None:
    """The publication date shown around the body: the info bar above it, a date line just
    before it, a short dated line at its top, or a 发表/发布 line inside it."""
    segs = walk.segments
    if first < 0 or not segs:
        return None

    def date_of(k: int, max_chars: int, need_words: bool) -> str | None:
        seg = segs[k]
        if seg.chars > max_chars or seg.link_chars >= seg.chars:
            return None
        if need_words and not _PUBLISH_WORDS.search(seg.text):
            return None
        if _OTHER_ARTICLE_DATE.search(seg.text):
            return _time_attribute(walk.elements[seg.owner])  # the post's own time, if the markup has it
        dates = find_dates(seg.text)
        return dates[0][1] if dates else None

    for k in range(first - 1, max(0, first - 30) - 1, -1):  # info bar above the body
        iso = date_of(k, 150, True)
        if iso:
            return iso
    for k in range(first - 1, max(0, first - 12) - 1, -1):  # a bare date line above
        iso = date_of(k, 60, False)
        if iso:
            return iso
    stop = min(last + 1, len(segs))
    for k in range(first, min(first + 8, stop)):  # a short dated line at the top
        iso = date_of(k, 80, False)
        if iso:
            return iso
    for k in range(first, stop):  # "本贴由…于2005年8月12日…发表"
        iso = date_of(k, 150, True)
        if iso:
            return iso
    return None


_TIME_ATTRS = etree.XPath(".//*[@datetime or @data-time or @data-publish-time]")


def _time_attribute(el) -> str | None:
    """A machine-readable time inside `el` (<time datetime>, data-time="2016-10-06 18:02:38")."""
    for node in _TIME_ATTRS(el):
        for attr in ("datetime", "data-time", "data-publish-time"):
            iso = normalise_date(node.get(attr))
            if iso:
                return iso
    return None


def _url_date(url: str) -> str | None:
    for pattern in _URL_DATE:
        m = pattern.search(url or "")
        if m:
            iso = normalise_date(f"{m.group(1)}-{m.group(2)}-{m.group(3)}")
            if iso:
                return iso
    return None


def _signature_date(lines: list[str]) -> str | None:
    """The date line that closes a document (its 成文日期), e.g. `2022年1月27日`."""
    for line in reversed(lines[-4:]):
        if _DATE_ONLY_LINE.match(line):
            return normalise_date(line)
    return None
