"""The archive's SQLite schema.

Raw captures (blobs, captures) are immutable; documents and versions are derived from
them and can be rebuilt by re-parsing. The `current` view exposes the record of docs/design.md
field names as columns, one row per live document.
"""
from __future__ import annotations

from .attachments import FULL_TEXT_SQL, VERSIONS_TABLE

SCHEMA_VERSION = 1

TABLES = """
CREATE TABLE IF NOT EXISTS archive_meta (
    key TEXT PRIMARY KEY,
    value TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS sites (
    name TEXT PRIMARY KEY,
    name_zh TEXT,
    region TEXT,
    admin_code TEXT,
    platform TEXT,
    base_url TEXT,
    profile TEXT NOT NULL            -- the profile as JSON, for provenance
);
CREATE TABLE IF NOT EXISTS runs (
    run_id INTEGER PRIMARY KEY,
    started_at TEXT NOT NULL,
    finished_at TEXT,
    status TEXT NOT NULL CHECK (status IN ('running', 'completed', 'failed', 'interrupted')),
    sites TEXT NOT NULL,             -- JSON list of site names
    reason TEXT,
    pid INTEGER,
    guifan_version TEXT
);
CREATE TABLE IF NOT EXISTS blobs (
    sha256 TEXT PRIMARY KEY,         -- of the raw bytes as served
    size INTEGER NOT NULL,
    compression TEXT NOT NULL,       -- zstd (zlib, none readable too)
    data BLOB NOT NULL,
    dict_id INTEGER                  -- the zstd dictionary the frame needs (blob_dicts), or NULL
) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS blob_dicts (
    dict_id INTEGER PRIMARY KEY,
    scope TEXT NOT NULL,             -- the site whose bodies it was trained on
    trained_at TEXT NOT NULL,        -- UTC
    samples INTEGER NOT NULL,        -- bodies it was trained on
    size INTEGER NOT NULL,
    sha256 TEXT NOT NULL,            -- of the dictionary's bytes
    data BLOB NOT NULL
);
CREATE TABLE IF NOT EXISTS captures (
    capture_id INTEGER PRIMARY KEY,
    run_id INTEGER NOT NULL REFERENCES runs(run_id),
    site TEXT NOT NULL,
    kind TEXT NOT NULL,
    url TEXT NOT NULL,               -- as requested
    final_url TEXT NOT NULL,         -- after redirects
    method TEXT NOT NULL,
    status INTEGER NOT NULL,
    request_headers TEXT NOT NULL,   -- JSON list of [name, value]
    response_headers TEXT NOT NULL,  -- JSON list of [name, value], order and repeats kept
    redirects TEXT NOT NULL,         -- JSON list of URLs before final_url
    sha256 TEXT NOT NULL REFERENCES blobs(sha256),
    fetched_at TEXT NOT NULL         -- UTC, ISO 8601
);
CREATE INDEX IF NOT EXISTS captures_url ON captures(final_url);
CREATE TABLE IF NOT EXISTS documents (
    doc_id TEXT PRIMARY KEY,
    site TEXT NOT NULL,
    url TEXT NOT NULL,
    status TEXT NOT NULL CHECK (status IN ('live', 'gone')),
    first_seen TEXT NOT NULL,
    last_seen TEXT NOT NULL,
    current_version INTEGER NOT NULL,
    UNIQUE (site, url)
);
-- By URL alone: the documents other sites hold on a portal (shared portals), the fetch log's doc_id.
CREATE INDEX IF NOT EXISTS documents_url ON documents(url);
CREATE TABLE IF NOT EXISTS versions (
    doc_id TEXT NOT NULL REFERENCES documents(doc_id),
    version INTEGER NOT NULL,
    valid_from TEXT NOT NULL,
    valid_to TEXT,
    last_confirmed TEXT NOT NULL,
    capture_id INTEGER REFERENCES captures(capture_id),
    run_id INTEGER NOT NULL REFERENCES runs(run_id),
    extractor_version TEXT NOT NULL,
    content_hash TEXT NOT NULL,
    changed_fields TEXT NOT NULL,    -- JSON list; ["*"] for the first version
    site TEXT NOT NULL,
    url TEXT NOT NULL,
    title TEXT,
    index_no TEXT,
    doc_number TEXT,
    doc_number_raw TEXT,
    issuer TEXT,
    written_date TEXT,
    published_date TEXT,
    validity TEXT,
    topic TEXT,
    doc_type TEXT,
    body TEXT,
    attachments TEXT,                -- JSON list of {name, url}
    encoding TEXT,
    quality_flags TEXT,              -- JSON list
    raw_meta TEXT,                   -- JSON object: label -> value as printed
    attachment_text TEXT,            -- its attachments' texts, marked, in order (archive/attachments.py)
    PRIMARY KEY (doc_id, version)
);
-- Every URL once; the fetch log refers to it by number, so a revisit costs a few bytes.
CREATE TABLE IF NOT EXISTS urls (
    url_id INTEGER PRIMARY KEY,
    site TEXT NOT NULL,
    url TEXT NOT NULL UNIQUE
);
-- Every fetch attempt and its outcome. capture_id names the capture holding the bytes
-- served, which for an identical refetch is the earlier capture (a revisit).
CREATE TABLE IF NOT EXISTS fetches (
    fetch_id INTEGER PRIMARY KEY,
    run_id INTEGER NOT NULL REFERENCES runs(run_id),
    kind TEXT NOT NULL,
    url_id INTEGER NOT NULL REFERENCES urls(url_id),
    status INTEGER,
    outcome TEXT NOT NULL CHECK (outcome IN
        ('new', 'changed', 'unchanged', 'not_modified', 'failed', 'gone', 'blocked')),
    reason TEXT,
    capture_id INTEGER REFERENCES captures(capture_id),
    referer_id INTEGER REFERENCES urls(url_id),
    sha256 TEXT,                     -- of bytes served but not kept (a confirmation); else see capture
    at TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS fetches_run ON fetches(run_id, outcome);
CREATE INDEX IF NOT EXISTS fetches_url ON fetches(url_id);
-- Which detail URLs each run saw listed, to tell a page that vanished from its column.
CREATE TABLE IF NOT EXISTS listings (
    run_id INTEGER NOT NULL REFERENCES runs(run_id),
    url_id INTEGER NOT NULL REFERENCES urls(url_id),
    PRIMARY KEY (run_id, url_id)
) WITHOUT ROWID;
-- A document's life: new, changed, gone (with why), reappeared.
CREATE TABLE IF NOT EXISTS events (
    event_id INTEGER PRIMARY KEY,
    doc_id TEXT NOT NULL REFERENCES documents(doc_id),
    run_id INTEGER REFERENCES runs(run_id),
    at TEXT NOT NULL,
    event TEXT NOT NULL CHECK (event IN ('new', 'changed', 'gone', 'reappeared')),
    version INTEGER,
    detail TEXT
);
CREATE INDEX IF NOT EXISTS events_doc ON events(doc_id, at);
-- What each run saw of each site: the platform sniffed (profiles with platform "auto"), the
-- portal's 网站标识码 and whether its region code disagrees with the profile's, the columns
-- chosen from a home or landing page, and listed documents left to the site that owns them.
-- Added after schema 1; CREATE IF NOT EXISTS gives older archives the table on opening.
CREATE TABLE IF NOT EXISTS site_runs (
    run_id INTEGER NOT NULL REFERENCES runs(run_id),
    site TEXT NOT NULL,
    platform_configured TEXT,
    platform TEXT,                   -- the adapter used: sniffed, or as configured
    platform_evidence TEXT,          -- the mark that named it, or why none did
    site_id_code TEXT,               -- 网站标识码 as printed (SiteIDCode meta or footer)
    code_mismatch INTEGER,           -- 1: its region code is not the profile's admin_code
    columns TEXT NOT NULL DEFAULT '[]',   -- JSON list of column choices (discover.ColumnChoice)
    shared TEXT NOT NULL DEFAULT '{}',    -- JSON {owner site: documents listed here, archived there}
    updated_at TEXT NOT NULL,
    PRIMARY KEY (run_id, site)
) WITHOUT ROWID;
CREATE INDEX IF NOT EXISTS fetches_run ON fetches(run_id, outcome);
CREATE INDEX IF NOT EXISTS fetches_url ON fetches(url);
"""

CURRENT_VIEW = """
CREATE VIEW IF NOT EXISTS current AS
SELECT d.doc_id, v.version, v.site, v.url, v.title, v.index_no, v.doc_number, v.issuer,
       v.written_date, v.published_date, v.validity, v.topic, v.doc_type, v.body,
       v.attachments, v.encoding, v.quality_flags, f.effective_date, f.expiry_date, f.validity_clauses,
       s.region, substr(v.published_date, 1, 4) AS year, v.doc_number_raw, v.raw_meta, d.first_seen, d.last_seen, v.valid_from, v.capture_id,
       v.attachment_text, FULL_TEXT AS full_text
FROM documents d
JOIN versions v ON v.doc_id = d.doc_id AND v.version = d.current_version
LEFT JOIN sites s ON s.name = v.site
LEFT JOIN version_facts f ON f.version_rowid = v.rowid   -- derived: archive.validity fills it
WHERE d.status = 'live';
""".replace("FULL_TEXT", FULL_TEXT_SQL.format(v="v"))
# The one view of current versions (CLI, SQL users, Datasette facets). Archives made before
# it carried region and year, and the search index's old `current_documents`, get it anew.
CURRENT_VIEW_COLUMNS = ("region", "year", "effective_date", "full_text")
# Columns added to tables after archives already existed: added on opening for writing.
ADDED_COLUMNS = {"blobs": {"dict_id": "INTEGER"}}
# What the summary after a crawl suggests trying in sqlite3.
EXAMPLE_QUERY = "SELECT doc_id, title, doc_number, published_date, validity FROM current LIMIT 5"
RETIRED_VIEWS = ("current_documents",)

# The fetch log as people read it: URLs spelt out, the document a fetch concerns.
FETCH_LOG_VIEW = """
CREATE VIEW IF NOT EXISTS fetch_log AS
SELECT f.fetch_id, f.run_id, u.site, f.kind, u.url, f.status, f.outcome, f.reason, f.capture_id,
       coalesce(f.sha256, c.sha256) AS sha256, r.url AS referer, f.at,
       (SELECT d.doc_id FROM documents d WHERE d.url = coalesce(c.final_url, u.url)) AS doc_id
FROM fetches f
JOIN urls u ON u.url_id = f.url_id
LEFT JOIN urls r ON r.url_id = f.referer_id
LEFT JOIN captures c ON c.capture_id = f.capture_id;
"""

# Every change of 有效性 between consecutive versions, e.g. in_force -> repealed on a day.
VALIDITY_EVENTS_VIEW = """
CREATE VIEW IF NOT EXISTS validity_events AS
SELECT v.doc_id, v.version, v.valid_from AS at, p.validity AS validity_before,
       v.validity AS validity_after, v.site, v.title
FROM versions v
JOIN versions p ON p.doc_id = v.doc_id AND p.version = v.version - 1
WHERE coalesce(p.validity, '') != coalesce(v.validity, '');
"""

# Text of attachment files (parsers.attachment_text), once per blob: attachments are captures
# like pages, and this is derived from their bytes. No foreign key to blobs: the row is written
# in the same transaction as, and just before, the capture that stores the blob.
ATTACHMENT_TABLES = """
CREATE TABLE IF NOT EXISTS attachment_texts (
    sha256 TEXT PRIMARY KEY,         -- of the attachment's bytes (blobs.sha256)
    kind TEXT NOT NULL,              -- pdf, docx, xlsx, xls, ofd, txt; doc, wps, zip … when unsupported
    status TEXT NOT NULL CHECK (status IN ('ok', 'no_text', 'unsupported', 'error')),
    extractor TEXT NOT NULL,         -- library/version that read it
    pages INTEGER,                   -- pages (PDF, OFD) or sheets (XLS/XLSX)
    flags TEXT NOT NULL,             -- JSON list, e.g. ["scanned_pdf"]
    reason TEXT,                     -- why there is no text
    text TEXT NOT NULL,
    reader TEXT,                     -- parsers READER_VERSION and the tools it had (office, ocr …)
    confidence REAL,                 -- OCR: mean word confidence 0-100
    page_confidence TEXT             -- OCR: JSON list of [page, confidence]
);
""" + VERSIONS_TABLE

# The redirect answers a fetch went through before its final one (3xx status, headers with the
# Location, body bytes in blobs), in order: the WARC replays them as the server sent them.
REDIRECT_TABLES = """
CREATE TABLE IF NOT EXISTS redirect_hops (
    fetch_id INTEGER NOT NULL REFERENCES fetches(fetch_id),
    position INTEGER NOT NULL,       -- 0 = the URL first requested
    url TEXT NOT NULL,
    status INTEGER NOT NULL,
    response_headers TEXT NOT NULL,  -- JSON list of [name, value]
    sha256 TEXT REFERENCES blobs(sha256),
    PRIMARY KEY (fetch_id, position)
) WITHOUT ROWID;
"""

# Each attachment URL's latest capture, the page that links it and its text.
ATTACHMENTS_VIEW = """
CREATE VIEW IF NOT EXISTS attachments AS
SELECT u.site, u.url, c.final_url, r.url AS page_url,
       (SELECT d.doc_id FROM documents d WHERE d.site = u.site AND d.url = r.url) AS doc_id,
       c.sha256, b.size, c.status, f.at AS fetched_at, t.kind, t.status AS text_status, t.extractor,
       t.pages, t.flags, t.reason, t.confidence, t.text
FROM fetches f
JOIN urls u ON u.url_id = f.url_id
JOIN captures c ON c.capture_id = f.capture_id
JOIN blobs b ON b.sha256 = c.sha256
LEFT JOIN urls r ON r.url_id = f.referer_id
LEFT JOIN attachment_texts t ON t.sha256 = c.sha256
WHERE f.kind = 'attachment'
  AND f.fetch_id = (SELECT max(g.fetch_id) FROM fetches g WHERE g.url_id = f.url_id AND g.capture_id IS NOT NULL);
"""
