"""Datasette metadata for an archive: bilingual column labels, facets, the canned search.

Field names come from ``parsers.record.RECORD_FIELDS`` (the contract); only their labels
are written here.
"""
from __future__ import annotations

from guifan.parsers import vocabulary
from guifan.parsers.record import RECORD_FIELDS

from ..search import BM25

DB_NAME = "archive"

# field -> (Chinese, English)
LABELS = {
    "doc_id": ("文档编号", "Document ID (stable, citable)"),
    "version": ("版本", "Version number"),
    "site": ("站点", "Site profile"),
    "url": ("网址", "URL of the detail page"),
    "title": ("标题", "Title"),
    "index_no": ("索引号", "Index number"),
    "doc_number": ("发文字号", "Document number (normalised)"),
    "issuer": ("发文机关", "Issuing authority"),
    "written_date": ("成文日期", "Date written"),
    "published_date": ("发布日期", "Date published"),
    "validity": ("有效性", "Validity"),
    "topic": ("主题分类", "Topic"),
    "doc_type": ("文种", "Document type"),
    "body": ("正文", "Body text"),
    "attachments": ("附件", "Attachments (JSON)"),
    "encoding": ("编码", "Character encoding of the page"),
    "quality_flags": ("质量标记", "Quality flags (JSON)"),
    "region": ("地区", "Region"),
    "year": ("年份", "Year published"),
    "captured_at": ("抓取时间", "Capture time (UTC)"),
    "capture_url": ("抓取网址", "URL fetched"),
    "sha256": ("SHA-256", "SHA-256 of the raw bytes as served"),
    "capture_id": ("抓取编号", "Capture ID"),
    "extractor_version": ("抽取器版本", "Extractor version"),
    "valid_from": ("生效于（存档）", "Version first seen"),
    "valid_to": ("失效于（存档）", "Version superseded or gone"),
    "document_status": ("文档状态", "Document status (live/gone)"),
    "status": ("状态", "Status"),
    "first_seen": ("首次发现", "First seen"),
    "last_seen": ("最近发现", "Last seen"),
    "last_confirmed": ("最近确认", "Last confirmed unchanged"),
    "current_version": ("当前版本", "Current version"),
    "changed_fields": ("变更字段", "Fields changed from the previous version"),
    "content_hash": ("内容哈希", "Hash of the extracted content"),
    "doc_number_raw": ("发文字号（原文）", "Document number as printed"),
    "raw_meta": ("原始元数据", "Metadata box as printed (JSON)"),
    "name_zh": ("中文名称", "Chinese name"),
    "admin_code": ("行政区划代码", "Administrative division code"),
    "platform": ("平台", "CMS platform"),
    "fetched_at": ("抓取时间", "Fetched at (UTC)"),
    "final_url": ("最终网址", "Final URL after redirects"),
    "outcome": ("结果", "Outcome"),
    "run_id": ("运行编号", "Crawl run"),
    "effective_date": ("施行日期", "Effective date (read from the text)"),
    "expiry_date": ("有效期至", "Last day in force (read from the text)"),
    "validity_clauses": ("效力条款", "Sentences the dates were read from (JSON)"),
    "trial": ("试行/暂行", "Trial (试行/暂行)"),
    "label_validity": ("有效性（网站标注）", "Validity as the portal labels it"),
    "computed_validity": ("有效性（计算）", "Computed validity today (label, clauses, decisions)"),
    "validity_source": ("依据来源", "What the computed validity rests on"),
    "has_conflict": ("证据冲突", "Evidence disagrees (e.g. label 有效, clause expired)"),
    "as_of": ("计算日期", "Day the validity is computed for"),
    "basis": ("依据", "The evidence (document, sentence) as JSON"),
    "conflicts": ("冲突证据", "Conflicting evidence as JSON"),
    "doc_a": ("在先文档", "The earlier copy (or what a 转发 notice forwards)"),
    "doc_b": ("在后文档", "The later copy"),
    "kind": ("类型", "Kind: exact, forward (转发), adapted, partial"),
    "similarity": ("相似度", "2 × shared characters / characters of both"),
    "shared_chars": ("共同字数", "Characters in shared passages"),
    "first_seen_a": ("在先文档首次发现", "First seen (doc_a)"),
    "first_seen_b": ("在后文档首次发现", "First seen (doc_b)"),
    "order_basis": ("先后依据", "What orders the pair: forward, written_date, published_date, first_seen"),
    "cluster_id": ("族群", "Family: the doc_id of its first copy"),
    "copies": ("副本数", "Copies in the family"),
}
VALIDITY_LABELS = vocabulary.VALIDITY_LABELS
FACETS = ["site", "issuer", "year", "doc_type", "validity"]

SEARCH_SQL = f"""
SELECT v.doc_id, v.version, v.title,
       CASE WHEN instr(guifan_snippet(v.body, :q), '<mark>') THEN guifan_snippet(v.body, :q)
            ELSE guifan_snippet(v.title, :q) END AS snippet,  -- a title-only hit, as guifan search
       v.site, v.issuer,
       v.doc_type, v.validity, v.published_date
FROM search_fts
JOIN versions v ON v.rowid = search_fts.rowid
JOIN documents d ON d.doc_id = v.doc_id
WHERE search_fts MATCH guifan_match(:q) AND d.status = 'live' AND v.version = d.current_version
ORDER BY {BM25}
LIMIT 100
""".strip()


def label(field: str) -> str:
    zh, en = LABELS[field]
    return f"{zh} · {en}"


def columns(*names: str) -> dict:
    return {n: label(n) for n in names if n in LABELS}


def metadata() -> dict:
    record = list(RECORD_FIELDS)
    version_cols = record + ["doc_number_raw", "raw_meta", "valid_from", "valid_to", "last_confirmed",
                             "capture_id", "run_id", "extractor_version", "content_hash", "changed_fields"]
    return {
        "title": "guifan 规范性文件档案 · Normative documents archive",
        "description_html": ('<a href="/-/search">全文检索 · Full-text search</a> — 简繁通用，任意一、二字词皆可检索 '
                             "(Simplified and Traditional alike; any word of one or more characters)."),
        "databases": {DB_NAME: {
            "tables": {
                "current": {
                    "label_column": "title", "facets": FACETS, "sort_desc": "published_date",
                    "description": "每份在线文档的当前版本 · The current version of every live document",
                    "columns": columns("doc_id", "version", "title", "site", "region", "issuer", "doc_type",
                                       "validity", "published_date", "year", "written_date", "doc_number",
                                       "index_no", "topic", "url", "first_seen", "last_seen"),
                },
                "versions": {
                    "label_column": "title", "facets": ["site", "issuer", "doc_type", "validity"],
                    "description": "文档的每一个版本 · Every version of every document",
                    "columns": columns(*version_cols),
                },
                "documents": {"description": "文档 · Documents (stable ids, first/last seen, status)",
                              "columns": columns("doc_id", "site", "url", "status", "first_seen", "last_seen",
                                                 "current_version")},
                "sites": {"label_column": "name_zh", "description": "站点 · Site profiles",
                          "columns": columns("region", "admin_code", "platform", "name_zh")},
                "captures": {"description": "原始抓取 · Raw captures (bytes in blobs, by sha256)",
                             "columns": columns("url", "final_url", "sha256", "fetched_at", "run_id")},
                "fetches": {"facets": ["outcome", "site"], "description": "抓取记录 · Every fetch attempt",
                            "columns": columns("url", "outcome", "run_id", "site")},
                "document_validity": {
                    "label_column": "title", "sort": "doc_id",
                    "facets": ["computed_validity", "label_validity", "validity_source", "has_conflict", "site", "trial"],
                    "description": "每份文档今天的计算有效性及其依据 · Each document's computed validity today, "
                                   "with its basis; other days: guifan validity DOC --as-of, or the search page",
                    "columns": columns("doc_id", "title", "site", "effective_date", "expiry_date", "trial",
                                       "label_validity", "computed_validity", "validity_source", "has_conflict",
                                       "as_of", "basis", "conflicts"),
                },
                "doc_links": {"facets": ["kind", "type"],
                              "description": "文档之间的链接 · Links between documents (cites, repeals, amends, extends…)"},
                "doc_refs": {"facets": ["kind", "type", "status"],
                             "description": "引用与决定对象（含未解析的及候选） · Every reference, resolved or not, "
                                            "with its candidates"},
                "validity_state": {"hidden": True},
                "validity_dirty": {"hidden": True},
                "reprint_pair_list": {
                    "facets": ["kind", "order_basis", "evidence", "site_a", "site_b"], "sort_desc": "similarity",
                    "description": "转载、转发、改编与部分引用的文档对（doc_a 在先）· Reprint pairs: exact, forward (转发), "
                                   "adapted, partial reuse; doc_a came first (guifan reprints DOC)",
                },
                "reprint_families": {
                    "facets": ["sites", "site", "region"], "sort": "cluster_id",
                    "description": "转载族群，每份副本按先后排序 · Reprint families, each copy in order (guifan clusters)",
                },
                **{name: {"hidden": True} for name in ("reprint_state", "reprint_docs", "reprint_postings",
                                                       "reprint_stopped", "reprint_pairs", "reprint_clusters")},
                "search_state": {"hidden": True},
                "search_indexed": {"hidden": True},
                "search_top": {"hidden": True},
                "search_top_bar": {"hidden": True},
                "archive_meta": {"hidden": True},
            },
            "queries": {
                "search": {
                    "title": "全文检索（SQL）· Full-text search as SQL",
                    "description": "The same query conversion as guifan search: guifan_match(:q) turns "
                                   "Chinese text into the index's bigram phrases.",
                    "sql": SEARCH_SQL,
                },
            },
        }},
    }
