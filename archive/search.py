"""Full-text search over document versions: Chinese, script-insensitive, ranked, filtered.

The index lives in the archive file beside the store's tables and is derived from them:

* ``search_fts`` — a contentless FTS5 table (title, body, attachment_text, meta) whose rowid
  is the ``versions`` rowid; text goes in pre-tokenised by :mod:`archive.cjk_text`. ``meta``
  holds the 发文字号 (normalised and as printed) and the issuer, so a search by 文号 or 发文机关
  finds the document even where the body never prints them.
* ``search_indexed`` — one row per indexed version with the signature it was indexed with,
  so an explicit check can find versions rewritten underneath the index.
* ``search_state`` — the highest indexed ``versions`` rowid, the index version and the
  columns the triggers watch.
* ``search_dirty`` and two triggers on ``versions`` — when a version's text is rewritten in
  place (``guifan reparse``) or deleted, plain-SQL triggers keep the old text here, so the
  next refresh can remove exactly the tokens it indexed (a contentless FTS5 table needs
  them) and index the new text. The triggers call no custom function, so every writer,
  in any process, runs them unchanged.

New versions only ever append, so keeping the index current is incremental: index every
version above the high-water mark, then re-index the few rows the triggers flagged.
:func:`refresh` does that before each search (cheap when nothing is new) and ``guifan index``
does it explicitly; the crawler's writer needs no change. If the tokeniser or these tables
change, ``INDEX_VERSION`` changes and the index is rebuilt on first use.

Attachment text (a later issue): once ``versions`` has an ``attachment_text`` column it is
indexed and watched by the triggers (the first refresh that sees the column re-indexes
everything once); a source elsewhere goes into :func:`_attachment_sql`.
"""
from __future__ import annotations

import hashlib
import html
from collections import Counter
import re
import shlex
import sqlite3
from dataclasses import dataclass, field
from typing import Callable, Iterator

from . import cjk_text
from .doc_filters import DocFilters
from .errors import ArchiveError

TOKENIZER_VERSION = "cjk-bigram-tail-unigram/1"
# Stored in search_state; any other value (an older guifan's index) means drop and rebuild.
INDEX_VERSION = f"{TOKENIZER_VERSION};schema/4"
SEARCH_OBJECTS = (("TRIGGER", "search_versions_update"), ("TRIGGER", "search_versions_delete"),
                  ("VIEW", "current_documents"), ("TABLE", "search_fts"), ("TABLE", "search_indexed"),
                  ("TABLE", "search_dirty"), ("TABLE", "search_state"), ("TABLE", "search_top"),
                  ("TABLE", "search_top_bar"))
FTS_COLUMNS = ("title", "body", "attachment_text", "meta")
# bm25 column weights: a hit in the title says more than one in a long body.
# The table keeps no per-row column sizes (columnsize=0): looking them up was three quarters
# of the cost of ranking a common word (see docs/search.md), so FTS5's bm25 runs with document
# length 0, i.e. Okapi BM25 without length normalisation (b = 0, effective k1 = 0.3).
# A 文号 or issuer hit names the document nearly as surely as a title hit.
BM25_WEIGHTS = (10.0, 1.0, 0.5, 5.0)
BM25 = f"bm25(search_fts, {', '.join(map(str, BM25_WEIGHTS))})"
INDEX_BATCH = 2000

SCHEMA = """
CREATE VIRTUAL TABLE IF NOT EXISTS search_fts USING fts5(
    title, body, attachment_text, meta, content='', tokenize='ascii', prefix='1', columnsize=0);
CREATE TABLE IF NOT EXISTS search_state (key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS search_indexed (version_rowid INTEGER PRIMARY KEY, signature TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS search_dirty (
    version_rowid INTEGER PRIMARY KEY, title TEXT, body TEXT, attachment_text TEXT, meta TEXT);
CREATE TABLE IF NOT EXISTS search_top (
    token TEXT NOT NULL, weight REAL NOT NULL, version_rowid INTEGER NOT NULL,
    PRIMARY KEY (token, weight DESC, version_rowid)) WITHOUT ROWID;
CREATE INDEX IF NOT EXISTS search_top_version ON search_top (version_rowid);
CREATE TABLE IF NOT EXISTS search_top_bar (token TEXT PRIMARY KEY, bar REAL NOT NULL, bar_rowid INTEGER NOT NULL);
"""

# The metadata that goes into the ``meta`` column (the same expression in triggers, with OLD.).
META_COLUMNS = ("doc_number", "doc_number_raw", "issuer")


def _meta_sql(row: str = "") -> str:
    prefix = f"{row}." if row else ""
    return " || char(10) || ".join(f"coalesce({prefix}{c}, '')" for c in META_COLUMNS)


# Columns a hit carries, besides score and snippet.
HIT_COLUMNS = ("doc_id", "version", "site", "region", "title", "issuer", "doc_number", "doc_type",
               "validity", "published_date", "url", "status", "current_version", "valid_from", "valid_to")


class QueryError(ArchiveError):
    """The search text cannot be turned into a query; the message says why, in one line."""


# --- the query language --------------------------------------------------------------------

@dataclass
class Query:
    """A parsed query: groups are ANDed, terms inside a group ORed; negatives are excluded."""

    groups: list[list[str]]
    negatives: list[str]
    text: str

    def fts(self) -> str:
        """The FTS5 MATCH expression (always bound as a parameter, never spliced into SQL)."""
        pos = " AND ".join("(" + " OR ".join(_phrase(t) for t in g) + ")" for g in self.groups)
        if not self.negatives:
            return pos
        return f"{pos} NOT ({' OR '.join(_phrase(t) for t in self.negatives)})"

    def terms(self) -> list[str]:
        """Positive terms, for highlighting."""
        return [t for g in self.groups for t in g]


def _phrase(term: str) -> str:
    return "(" + cjk_text.phrase(term) + ")"


def parse_query(text: str) -> Query:
    """Terms separated by spaces must all occur; ``A OR B``; ``-term`` excludes; "a b" is a phrase.

    Script and width do not matter. ``AND`` (upper case) is the same as a space. Punctuation
    and symbols before a term's first or after its last letter, digit or character are
    ignored (``教育。`` is ``教育``); between its parts they separate them, and the parts must
    then be separated in the text too (by any such characters).
    """
    words = _split(text)
    groups: list[list[str]] = []
    negatives: list[str] = []
    join_next = False
    for word in words:
        if word == "AND":
            continue                                  # what a space means anyway
        if word == "OR":
            if not groups or join_next:
                raise QueryError(f"OR needs a term on each side: {text!r}")
            join_next = True
            continue
        negative = word.startswith("-") and len(word) > 1
        term = word[1:] if negative else word
        if negative and join_next:
            raise QueryError(f"an excluded term cannot be part of OR: {text!r}")
        if cjk_text.phrase(term) is None:
            continue                                  # punctuation only: nothing to look for
        if negative:
            negatives.append(term)
        elif join_next:
            groups[-1].append(term)
        else:
            groups.append([term])
        join_next = False
    if join_next:
        raise QueryError(f"OR needs a term on each side: {text!r}")
    if not groups:
        what = "only excluded terms" if negatives else "no letters, digits or Chinese characters"
        raise QueryError(f"nothing to search for in {text!r} ({what})")
    return Query(groups, negatives, text)


def _split(text: str) -> list[str]:
    lexer = shlex.shlex(text.replace("\u3000", " "), posix=True)
    lexer.whitespace_split = True
    lexer.quotes = '"'
    lexer.escape = ""
    lexer.commenters = ""
    try:
        return list(lexer)
    except ValueError:
        raise QueryError(f"unbalanced double quote in {text!r}") from None


# --- the index -------------------------------------------------------------------------------

def ensure_schema(conn: sqlite3.Connection) -> None:
    """Create the index objects; drop and recreate them all if they are another version's."""
    with _write(conn):
        if _stored_version(conn) not in (None, INDEX_VERSION):
            for kind, name in SEARCH_OBJECTS:
                conn.execute(f"DROP {kind} IF EXISTS {name}")
        # Statement by statement: executescript() would COMMIT the transaction we hold.
        for statement in _statements(SCHEMA):
            conn.execute(statement)
        _ensure_triggers(conn)
        if _stored_version(conn) != INDEX_VERSION:
            _clear(conn)
            conn.execute("INSERT OR REPLACE INTO search_state VALUES ('index_version', ?)", (INDEX_VERSION,))


def _stored_triggers(conn: sqlite3.Connection) -> str | None:
    row = conn.execute("SELECT value FROM search_state WHERE key = 'triggers'").fetchone()
    return row[0] if row else None


def _watched_signature(conn: sqlite3.Connection) -> str:
    meta = ",".join(META_COLUMNS)
    if _has_attachment_column(conn):
        return f"title,body,{meta},attachment_text"
    # Text from the attachment_texts table: the same columns, but a different OLD value to keep.
    return f"title,body,{meta}" + (";attachment_texts" if _attachment_sql(conn) != "NULL" else "")


def _stored_version(conn: sqlite3.Connection) -> str | None:
    if not has_index(conn):
        return None
    row = conn.execute("SELECT value FROM search_state WHERE key = 'index_version'").fetchone()
    return row[0] if row else ""


def _ensure_triggers(conn: sqlite3.Connection) -> None:
    """(Re)create the triggers, watching ``attachment_text`` once that column exists."""
    att = _attachment_sql(conn)
    signature = _watched_signature(conn)
    watched = signature.split(";")[0].split(",")
    row = _stored_triggers(conn)
    present = conn.execute("SELECT count(*) FROM sqlite_master WHERE type = 'trigger' AND name IN "
                           "('search_versions_update', 'search_versions_delete')").fetchone()[0]
    if row == signature and present == 2:  # a rebuilt versions table loses its triggers
        return
    old_att = _attachment_sql(conn, "OLD") if att != "NULL" else "NULL"
    keep = f"INSERT OR IGNORE INTO search_dirty VALUES (OLD.rowid, OLD.title, OLD.body, {old_att}, {_meta_sql('OLD')});"
    changed = " OR ".join(f"OLD.{c} IS NOT NEW.{c}" for c in watched)
    conn.execute("DROP TRIGGER IF EXISTS search_versions_update")
    conn.execute("DROP TRIGGER IF EXISTS search_versions_delete")
    conn.execute(f"CREATE TRIGGER search_versions_update AFTER UPDATE OF {', '.join(watched)} ON versions "
                 f"WHEN {changed} BEGIN {keep} END")
    conn.execute(f"CREATE TRIGGER search_versions_delete AFTER DELETE ON versions BEGIN {keep} END")
    conn.execute("INSERT OR REPLACE INTO search_state VALUES ('triggers', ?)", (signature,))
    if row and row != signature:
        # The watched columns changed (attachment_text appeared): text written to it before
        # these triggers existed was never seen, so index everything again, once.
        _clear(conn)


def _statements(script: str) -> list[str]:
    return [part.strip() for part in re.split(r";\s*\n", script) if part.strip()]


def _clear(conn: sqlite3.Connection) -> None:
    conn.execute("INSERT INTO search_fts(search_fts) VALUES ('delete-all')")
    conn.execute("DELETE FROM search_indexed")
    conn.execute("DELETE FROM search_dirty")
    conn.execute("DELETE FROM search_top")
    conn.execute("DELETE FROM search_top_bar")
    conn.execute("DELETE FROM search_state WHERE key = 'top_built_rowid'")
    conn.execute("INSERT OR REPLACE INTO search_state VALUES ('indexed_rowid', '0')")


class _write:
    """BEGIN IMMEDIATE … COMMIT on any connection, whatever its isolation level."""

    def __init__(self, conn: sqlite3.Connection):
        self.conn = conn

    def __enter__(self):
        self.conn.execute("BEGIN IMMEDIATE")
        return self.conn

    def __exit__(self, exc_type, *_):
        self.conn.execute("ROLLBACK" if exc_type else "COMMIT")


SEARCH_CACHE_KIB = 65536


def tune_connection(conn: sqlite3.Connection) -> sqlite3.Connection:
    """A 64 MiB page cache: doclists of common words are re-read by nearly every query and
    the default 2 MiB cache evicts them (p95 of the benchmark's queries drops by a fifth)."""
    conn.execute(f"PRAGMA cache_size = -{SEARCH_CACHE_KIB}")
    return conn


def has_index(conn: sqlite3.Connection) -> bool:
    return conn.execute(
        "SELECT 1 FROM sqlite_master WHERE name = 'search_state'").fetchone() is not None


def indexed_rowid(conn: sqlite3.Connection) -> int:
    row = conn.execute("SELECT value FROM search_state WHERE key = 'indexed_rowid'").fetchone()
    return int(row[0]) if row else 0


def indexed_count(conn: sqlite3.Connection) -> int:
    """How many versions the index holds."""
    return conn.execute("SELECT count(*) FROM search_indexed").fetchone()[0]


def pending(conn: sqlite3.Connection) -> int:
    """Versions not yet in the index."""
    hw = indexed_rowid(conn) if has_index(conn) else 0
    return conn.execute("SELECT count(*) FROM versions WHERE rowid > ?", (hw,)).fetchone()[0]


def ensure_index(conn: sqlite3.Connection, *, batch: int = INDEX_BATCH,
                 progress: Callable[[int, int], None] | None = None) -> int:
    """Index every version above the high-water mark; return how many were indexed.

    Each batch is one short write transaction, so a crawler writing the same file waits
    at most one batch.
    """
    ensure_schema(conn)
    todo = pending(conn) if progress else 0
    done = 0
    attachment = _attachment_sql(conn)
    with _write(conn):
        done += _apply_dirty(conn, attachment)
    while True:
        with _write(conn):
            hw = indexed_rowid(conn)           # re-read inside the lock: another indexer may have run
            rows = conn.execute(_next_rows_sql(attachment), (hw, batch)).fetchall()
            if not rows:
                break
            _index_rows(conn, rows)
        done += len(rows)
        if progress:
            progress(done, todo)
    if top_lists_due(conn):
        build_top_lists(conn)
    return done


def _apply_dirty(conn: sqlite3.Connection, attachment: str) -> int:
    """Re-index versions rewritten or deleted since they were indexed; return how many."""
    hw = indexed_rowid(conn)
    dirty = conn.execute("SELECT version_rowid, title, body, attachment_text, meta FROM search_dirty").fetchall()
    for rowid, title, body, att, meta in dirty:
        if rowid > hw:
            continue                           # not indexed yet: the incremental pass takes its new text
        conn.execute("INSERT INTO search_fts(search_fts, rowid, title, body, attachment_text, meta) "
                     "VALUES ('delete', ?, ?, ?, ?, ?)",
                     (rowid, *(cjk_text.index_text(t) for t in (title, body, att, meta))))
        conn.execute("DELETE FROM search_indexed WHERE version_rowid = ?", (rowid,))
        conn.execute("DELETE FROM search_top WHERE version_rowid = ?", (rowid,))   # _index_rows lists the new text
        rows = conn.execute(f"SELECT rowid, title, body, {attachment}, {_meta_sql()}, content_hash FROM versions "
                            "WHERE rowid = ?", (rowid,)).fetchall()
        if rows:
            _index_rows(conn, rows, move_mark=False)
    conn.execute("DELETE FROM search_dirty")
    return len(dirty)


def _next_rows_sql(attachment: str, table: str = "versions") -> str:
    """The next versions to index, as `_index_rows` takes them (the temporary index too)."""
    return (f"SELECT rowid, title, body, {attachment}, {_meta_sql()}, content_hash FROM {table} "
            "WHERE rowid > ? ORDER BY rowid LIMIT ?")


def _index_rows(conn: sqlite3.Connection, rows: list, move_mark: bool = True) -> None:
    """Rows are (rowid, title, body, attachment text, meta, content_hash)."""
    texts = [(r[0], *(cjk_text.index_text(t) for t in r[1:5])) for r in rows]
    conn.executemany("INSERT INTO search_fts(rowid, title, body, attachment_text, meta) VALUES (?, ?, ?, ?, ?)", texts)
    _list_rows(conn, texts)
    conn.executemany("INSERT OR REPLACE INTO search_indexed VALUES (?, ?)",
                     [(r[0], _signature(r[5], r[3])) for r in rows])
    if move_mark:
        conn.execute("INSERT OR REPLACE INTO search_state VALUES ('indexed_rowid', ?)", (str(rows[-1][0]),))


def _signature(content_hash: str, attachment_text: str | None) -> str:
    if not attachment_text:
        return content_hash
    return content_hash + ":" + hashlib.sha256(attachment_text.encode("utf-8")).hexdigest()[:16]


def _has_attachment_column(conn: sqlite3.Connection) -> bool:
    return "attachment_text" in {r[1] for r in conn.execute("PRAGMA table_info(versions)")}


# The text of a version's attachments from the store's ``attachment_texts`` (one row per blob):
# for each {name, url} in its attachments, the text of that URL's latest capture.
ATTACHMENT_TEXTS_SQL = """(SELECT group_concat(t.text, char(10)) FROM json_each({row}.attachments) j
 JOIN urls u ON u.url = json_extract(j.value, '$.url')
 JOIN attachment_texts t ON t.sha256 = (SELECT c.sha256 FROM fetches f JOIN captures c ON c.capture_id = f.capture_id
                                        WHERE f.url_id = u.url_id ORDER BY f.fetch_id DESC LIMIT 1)
 WHERE t.status = 'ok' AND t.text != '')"""


def _attachment_sql(conn: sqlite3.Connection, row: str = "versions") -> str:
    """The hook for attachment text: a ``versions.attachment_text`` column if there is one, else
    the ``attachment_texts`` table of the store (row: the versions row's name, OLD in triggers)."""
    if _has_attachment_column(conn):
        return f"{row}.attachment_text" if row != "versions" else "attachment_text"
    if conn.execute("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'attachment_texts'").fetchone():
        return ATTACHMENT_TEXTS_SQL.format(row=row)
    return "NULL"


def attachment_text_changing(conn: sqlite3.Connection, site: str, page_url: str) -> None:
    """An attachment of the page at page_url is about to get other text (the store calls this in
    its transaction, before writing the text): keep what the index holds of that page's indexed
    versions, so the next refresh swaps it for the new text."""
    if not has_index(conn) or _has_attachment_column(conn) or _attachment_sql(conn) == "NULL":
        return
    if _stored_version(conn) != INDEX_VERSION:
        return                                 # an older index: the next refresh rebuilds it whole
    conn.execute(
        f"INSERT OR IGNORE INTO search_dirty SELECT rowid, title, body, {_attachment_sql(conn)}, {_meta_sql()} "
        "FROM versions "
        "WHERE doc_id IN (SELECT doc_id FROM documents WHERE site = ? AND url = ?) AND rowid <= ?",
        (site, page_url, indexed_rowid(conn)))


def stale(conn: sqlite3.Connection) -> int:
    """Indexed versions that were deleted or rewritten since (a full scan: explicit use only)."""
    if not has_index(conn):
        return 0
    attachment = _attachment_sql(conn)
    current = {r[0]: _signature(r[1], r[2]) for r in conn.execute(
        f"SELECT rowid, content_hash, {attachment} FROM versions WHERE rowid <= ?", (indexed_rowid(conn),))}
    bad = 0
    for rowid, sig in conn.execute("SELECT version_rowid, signature FROM search_indexed"):
        if current.pop(rowid, None) != sig:
            bad += 1
    return bad + len(current)


def rebuild_index(conn: sqlite3.Connection, **kw) -> int:
    ensure_schema(conn)
    with _write(conn):
        _clear(conn)
    return ensure_index(conn, **kw)


def refresh(conn: sqlite3.Connection, in_memory: bool = True) -> tuple[int, str | None]:
    """Catch the index up before a search; on a read-only or busy archive, say what is missing.

    On a read-only archive (read-only media) without an index, with `in_memory`, the whole
    index is built for this connection only (see `temporary_index`); one whose index is
    behind is searched as it is, with a warning.
    """
    if _has_temporary_index(conn) or _up_to_date(conn):
        return 0, None                                # nothing to write: fine on a read-only file
    try:
        return ensure_index(conn), None
    except sqlite3.OperationalError as exc:
        if conn.in_transaction:
            conn.execute("ROLLBACK")
        if in_memory and "readonly" in str(exc) and not has_index(conn):
            n = temporary_index(conn)
            return n, (f"the archive is read-only and has no search index: indexed its {n} versions in memory "
                       "for this search (`guifan index` where it can be written keeps an index in the file)")
        if not has_index(conn):
            raise ArchiveError(f"the archive has no search index and cannot be written ({exc}); "
                               "run `guifan index` with write access") from None
        return 0, f"search index not updated ({exc}); {pending(conn)} newer versions are not searchable yet"


def _in_temp(statement: str) -> str:
    """The same CREATE statement, for the connection's TEMP schema."""
    if statement.startswith(("CREATE VIRTUAL TABLE IF NOT EXISTS ", "CREATE INDEX IF NOT EXISTS ")):
        return statement.replace("IF NOT EXISTS ", "IF NOT EXISTS temp.", 1)
    return re.sub(r"^CREATE (TABLE|VIEW) IF NOT EXISTS ", r"CREATE TEMP \1 IF NOT EXISTS ", statement, count=1)


def temporary_index(conn: sqlite3.Connection) -> int:
    """Index every version into the connection's TEMP schema; return how many.

    SQLite resolves an unqualified name in TEMP before the archive's own schema, so every
    query of this module then reads the temporary index, and the archive file is never written.
    """
    for statement in _statements(SCHEMA):
        conn.execute(_in_temp(statement))
    conn.execute("INSERT OR REPLACE INTO temp.search_state VALUES ('index_version', ?)", (INDEX_VERSION,))
    conn.execute("INSERT OR REPLACE INTO temp.search_state VALUES ('indexed_rowid', '0')")
    attachment, done = _attachment_sql(conn), 0
    while True:
        conn.execute("BEGIN")                           # TEMP only: no lock on the archive
        rows = conn.execute(_next_rows_sql(attachment, "main.versions"),
                            (indexed_rowid(conn), INDEX_BATCH)).fetchall()
        if rows:
            _index_rows(conn, rows)
        conn.execute("COMMIT")
        if not rows:
            return done
        done += len(rows)


def _has_temporary_index(conn: sqlite3.Connection) -> bool:
    return conn.execute("SELECT 1 FROM temp.sqlite_master WHERE name = 'search_state'").fetchone() is not None


def _up_to_date(conn: sqlite3.Connection) -> bool:
    if _stored_version(conn) != INDEX_VERSION or pending(conn):
        return False
    if _stored_triggers(conn) != _watched_signature(conn):
        return False                           # attachment_text appeared: index it now
    return conn.execute("SELECT 1 FROM search_dirty LIMIT 1").fetchone() is None


# --- impact lists: the best versions of each common word -----------------------------------
#
# Ranking a word that most versions contain costs bm25 over every match (about 0.2 µs each:
# 200 ms at 1,000,000 documents). For a query of one token — a two-character word, a Latin
# word or a number — there is one phrase, so FTS5's bm25 is
#     idf · w·(k1+1) / (w + k1·(1 − b + b·D/avgdl))
# where idf and the denominator's constant are the same for every row (columnsize=0: FTS5
# has no per-row length, D is the same for all rows) and w is the weighted hit count
#     w = 10·(hits in title) + 1·(body) + 0.5·(attachment text) + 5·(文号/issuer).
# That is strictly increasing in w, so the ranking is "w descending, then rowid", whatever
# idf is. Title hits do NOT always come first (one title hit, w = 10, ranks below eleven body
# hits, w = 11; two meta hits tie with one title hit), so "title matches first" would not
# give the same page. Instead ``search_top`` lists, for each token at least TOP_MIN_MATCHES
# versions contain, its best TOP_KEEP versions with their exact w, and ``search_top_bar``
# holds a bar per token — a place (w, rowid) in that order, the first version not kept —
# with this invariant: every indexed version that ranks before the bar (w above the bar's,
# or equal and a lower rowid) is listed. The filtered listed rows, in (w desc, rowid) order,
# are then exactly the head of the full ranking's filtered order; whenever they fill the
# page, that page is the full ranking's page. Otherwise the full ranking runs. (The bar is
# a place, not a w, because ties are the rule under b = 0: a word most versions hold once
# would leave nothing above a bar of w = 1.) The invariant survives the index's upkeep:
# new versions are listed when they rank before the bar, rewritten or deleted ones are
# unlisted and re-listed from their new text.
TOP_MIN_MATCHES = 20_000
TOP_KEEP = 1_000


def token_weights(columns, wanted) -> dict[str, float]:
    """The w of each ``wanted`` token in one version's indexed columns (title, body,
    attachment text, meta), as FTS5's bm25 sums it: hits per column times the column's weight."""
    out: dict[str, float] = {}
    for text, weight in zip(columns, BM25_WEIGHTS):
        counts = Counter(text.split())         # index_text: tokens are space-separated, as FTS5 sees them
        for tok in counts.keys() & wanted:
            out[tok] = out.get(tok, 0.0) + counts[tok] * weight
    return out


def _bars(conn: sqlite3.Connection) -> dict[str, tuple[float, int]]:
    try:
        return {tok: (w, rowid) for tok, w, rowid in conn.execute("SELECT token, bar, bar_rowid FROM search_top_bar")}
    except sqlite3.OperationalError:           # an index made before the lists existed
        return {}


def _before(w: float, rowid: int, bar: tuple[float, int]) -> bool:
    """Does (w, rowid) rank before the bar (w descending, then rowid)?"""
    return w > bar[0] or (w == bar[0] and rowid < bar[1])


def _list_rows(conn: sqlite3.Connection, texts: list, bars: dict | None = None) -> None:
    """List newly indexed versions (rowid, *indexed columns) that rank before a token's bar."""
    bars = _bars(conn) if bars is None else bars
    if not bars:
        return
    conn.executemany("INSERT OR REPLACE INTO search_top VALUES (?, ?, ?)",
                     [(tok, w, rowid) for rowid, *cols in texts
                      for tok, w in token_weights(cols, bars.keys()).items() if _before(w, rowid, bars[tok])])


def top_lists_due(conn: sqlite3.Connection) -> bool:
    """Lists are (re)chosen when the index has doubled since they last were (amortised cost)."""
    row = conn.execute("SELECT value FROM search_state WHERE key = 'top_built_rowid'").fetchone()
    hw = indexed_rowid(conn)
    return hw >= TOP_MIN_MATCHES and hw >= 2 * int(row[0] if row else 0)


def build_top_lists(conn: sqlite3.Connection, *, min_matches: int | None = None, keep: int | None = None) -> int:
    """(Re)build the list of every token at least ``min_matches`` versions contain; return how many.

    One short write transaction per token (a crawler writing the same file waits for one).
    """
    min_matches = TOP_MIN_MATCHES if min_matches is None else min_matches
    keep = TOP_KEEP if keep is None else keep
    ensure_schema(conn)
    conn.execute("CREATE VIRTUAL TABLE IF NOT EXISTS temp.search_vocab USING fts5vocab(main, search_fts, row)")
    tokens = [t for (t,) in conn.execute("SELECT term FROM temp.search_vocab WHERE doc >= ?", (min_matches,))
              if cjk_text.query_tokens(t) == [(t, False)]]      # what a one-word query searches for
    attachment, built = _attachment_sql(conn), 0
    for tok in tokens:
        with _write(conn):
            _apply_dirty(conn, attachment)     # the FTS text must be the versions' text for _list_token
            built += _list_token(conn, tok, keep, attachment)
    with _write(conn):
        conn.execute("INSERT OR REPLACE INTO search_state VALUES ('top_built_rowid', ?)", (str(indexed_rowid(conn)),))
    return built


def _list_token(conn: sqlite3.Connection, tok: str, keep: int, attachment: str) -> int:
    """The best ``keep`` versions for ``tok`` by bm25, each with its w, and the bar after them.

    Equal scores mean equal w (and a different w a different score), so w is worked out from
    the text of one version per distinct score; a disagreement with FTS5's order leaves the
    token without a list (its queries then take the full ranking)."""
    match = '"' + tok.replace('"', '""') + '"'
    rows = conn.execute(f"SELECT rowid, {BM25} AS score FROM search_fts WHERE search_fts MATCH ? "
                        "ORDER BY score, rowid LIMIT ?", (match, keep + 1)).fetchall()
    weights: dict[float, float] = {}
    for rowid, score in rows:
        if score not in weights:
            text = conn.execute(f"SELECT title, body, {attachment}, {_meta_sql()} FROM versions WHERE rowid = ?",
                                (rowid,)).fetchone()
            weights[score] = token_weights([cjk_text.index_text(t) for t in text], {tok}).get(tok, 0.0)
    ws = list(weights.values())
    if any(a <= b for a, b in zip(ws, ws[1:])) or not ws or ws[-1] <= 0:
        return 0
    bar = (weights[rows[keep][1]], rows[keep][0]) if len(rows) > keep else (0.0, 0)   # w > 0: every match
    conn.execute("DELETE FROM search_top WHERE token = ?", (tok,))
    conn.executemany("INSERT INTO search_top VALUES (?, ?, ?)", [(tok, weights[s], r) for r, s in rows[:keep]])
    conn.execute("INSERT OR REPLACE INTO search_top_bar VALUES (?, ?, ?)", (tok, *bar))
    return 1


def has_list(conn: sqlite3.Connection, text: str) -> bool:
    """Is ``text`` a one-word query whose word has an impact list (benchmarks, tools)?"""
    token = _one_token(parse_query(text))
    return token is not None and _bar_of(conn, token) is not None


def _one_token(query: Query) -> str | None:
    """The token of a one-word query without exclusions (the case the lists serve), else None."""
    if query.negatives or len(query.groups) != 1 or len(query.groups[0]) != 1:
        return None
    parts = cjk_text.query_tokens(query.groups[0][0])
    return parts[0][0] if len(parts) == 1 and not parts[0][1] else None


def _ranked_from_list(conn: sqlite3.Connection, token: str, where: str, sites: bool,
                      params: dict) -> list[tuple[int, float]] | None:
    """The page from the token's list when the listed rows above the bar fill it, else None."""
    bar = _bar_of(conn, token)
    if bar is None:
        return None
    join_sites = "LEFT JOIN sites s ON s.name = v.site " if sites else ""
    rows = _run(conn, (
        "SELECT t.version_rowid, t.weight FROM search_top t JOIN versions v ON v.rowid = t.version_rowid "
        f"JOIN documents d ON d.doc_id = v.doc_id {join_sites}"
        "WHERE t.token = :token AND (t.weight > :bar_w OR (t.weight = :bar_w AND t.version_rowid < :bar_rowid)) "
        f"AND {where} ORDER BY t.weight DESC, t.version_rowid LIMIT :limit OFFSET :offset"),
        {**params, "token": token, "bar_w": bar[0], "bar_rowid": bar[1]})
    if len(rows) < params["limit"] or not rows:
        return None
    return _scores(conn, params["match"], [(r[0], r[1]) for r in rows])


def _bar_of(conn: sqlite3.Connection, token: str) -> tuple[float, int] | None:
    try:
        row = conn.execute("SELECT bar, bar_rowid FROM search_top_bar WHERE token = ?", (token,)).fetchone()
    except sqlite3.OperationalError:           # an index made before the lists existed
        return None
    return (row[0], row[1]) if row else None


def _scores(conn: sqlite3.Connection, match: str, rows: list[tuple[int, float]]) -> list[tuple[int, float]]:
    """bm25 scores for (rowid, w) rows, as FTS5 gives them, from one FTS5 evaluation.

    score(w) = −c·w/(w + K) with c and K the same for the whole query. bm25 of the first row
    with the weights as they are (a1) and doubled (a2, i.e. w → 2w) gives both:
    1/a1 = (1 + K/w)/c and 1/a2 = (1 + K/2w)/c. One evaluation costs one pass over the word's
    matches (FTS5 counts them for idf), not bm25 per match.
    """
    rowid0, w0 = rows[0]
    doubled = f"bm25(search_fts, {', '.join(str(2 * w) for w in BM25_WEIGHTS)})"
    s1, s2 = conn.execute(f"SELECT {BM25}, {doubled} FROM search_fts WHERE search_fts MATCH ? AND rowid = ?",
                          (match, rowid0)).fetchone()
    c = 1 / (2 / s2 - 1 / s1)
    k = 2 * c * w0 * (1 / s1 - 1 / s2)
    return [(rowid, s1 if w == w0 else c * w / (w + k)) for rowid, w in rows]


# --- searching -------------------------------------------------------------------------------

@dataclass
class Hit:
    rowid: int
    score: float
    fields: dict
    snippet: str = ""

    def as_dict(self) -> dict:
        return {**self.fields, "score": round(self.score, 4), "snippet": self.snippet}


@dataclass
class Results:
    query: Query
    hits: list[Hit] = field(default_factory=list)
    total: int | None = None
    warning: str | None = None
    total_is_estimate: bool = False


def search(conn: sqlite3.Connection, text: str, filters: DocFilters | None = None, *, limit: int = 20,
           offset: int = 0, count: bool = False, marks: tuple[str, str] = ("【", "】"),
           escape: Callable[[str], str] | None = None, refresh_index: bool = True) -> Results:
    """Ranked hits (best first) for ``text`` under ``filters``; snippets mark matches with ``marks``.

    With ``count``, ``total`` is the exact number of matches passing the filters, or, when more
    than ``EXACT_COUNT_LIMIT`` versions match the words, that number of versions with
    ``total_is_estimate`` set (an exact filtered count of a very common word costs a join per match).
    """
    query = parse_query(text)
    warning = refresh(conn)[1] if refresh_index else None
    filters = filters or DocFilters()
    params = {"match": query.fts(), "limit": limit, "offset": offset}
    where, filter_params = filters.where()
    params.update(filter_params)
    top = _ranked(conn, query, where, filters.needs_sites, params)
    page = {f"r{i}": rowid for i, (rowid, _) in enumerate(top)} | {f"s{i}": sc for i, (_, sc) in enumerate(top)}
    rows = _run(conn, _page_sql(len(top)), {**params, **page})
    hits = [_hit(r, query, marks, escape) for r in rows]
    results = Results(query, hits, None, warning)
    if count:
        _count(conn, where, filters.needs_sites, params, results)
    return results


EXACT_COUNT_LIMIT = 50_000
FIRST_CANDIDATES = 200


def _ranked(conn: sqlite3.Connection, query: Query, where: str, sites: bool,
            params: dict) -> list[tuple[int, float]]:
    """(rowid, score) of one page of filtered hits, best first.

    A one-word query whose word has an impact list is answered from the list when the list
    fills the page (the same page, see the impact-list notes above). Otherwise: rank by bm25 inside FTS5 first and join only the best ``k`` candidates to the filter
    tables, widening ``k`` until the page is full or every match was a candidate. The result
    is the filtered prefix of the global order, exactly as one big join would give, but the
    common case (most matches pass, e.g. current versions) joins a few hundred rows, not
    every match of a frequent word.

    Equal scores are common (bm25 without length normalisation); they keep archive order
    (lower rowid first). Rows reach the sorter in that order, so a bounded top-k sort rejects
    most of them at once; breaking ties the other way made it insert nearly every row.
    """
    token = _one_token(query)
    if token is not None and params["limit"] > 0:
        page = _ranked_from_list(conn, token, where, sites, params)
        if page is not None:
            return page
    want = params["limit"] + params["offset"]
    k = max(FIRST_CANDIDATES, want * 4)
    join_sites = "LEFT JOIN sites s ON s.name = v.site " if sites else ""
    while True:
        rows = _run(conn, (
            f"WITH cand AS (SELECT rowid, {BM25} AS score FROM search_fts WHERE search_fts MATCH :match "
            "ORDER BY score, rowid LIMIT :k) "
            "SELECT cand.rowid, cand.score, (SELECT count(*) FROM cand) AS n FROM cand "
            f"JOIN versions v ON v.rowid = cand.rowid JOIN documents d ON d.doc_id = v.doc_id {join_sites}"
            f"WHERE {where} ORDER BY cand.score, cand.rowid LIMIT :limit OFFSET :offset"), {**params, "k": k})
        # An empty page (e.g. a late offset under a narrow filter) says nothing about the
        # matches beyond the k candidates: count them, cheaply, without ranking.
        exhausted = rows[0][2] < k if rows else _run(conn, (
            "SELECT count(*) FROM (SELECT 1 FROM search_fts WHERE search_fts MATCH :match LIMIT :k)"),
            {**params, "k": k})[0][0] < k
        if len(rows) == params["limit"] or exhausted:
            return [(r[0], r[1]) for r in rows]
        k *= 8


def _count(conn, where: str, sites: bool, params: dict, results: "Results") -> None:
    n = _run(conn, "SELECT count(*) FROM search_fts WHERE search_fts MATCH :match", params)[0][0]
    if n > EXACT_COUNT_LIMIT:
        results.total, results.total_is_estimate = n, True
        return
    join_sites = "LEFT JOIN sites s ON s.name = v.site " if sites else ""
    results.total = _run(conn, (
        "SELECT count(*) FROM search_fts JOIN versions v ON v.rowid = search_fts.rowid "
        f"JOIN documents d ON d.doc_id = v.doc_id {join_sites}WHERE search_fts MATCH :match AND {where}"),
        params)[0][0]


def _page_sql(n: int) -> str:
    """The wide columns (the body) of the page's hits only, in rank order."""
    cols = ", ".join(f"v.{c}" for c in ("doc_id", "version", "site", "title", "issuer", "doc_number", "doc_type",
                                        "validity", "published_date", "url", "valid_from", "valid_to", "body"))
    ranks = " UNION ALL ".join(f"SELECT {i} AS pos, :r{i} AS rowid, :s{i} AS score" for i in range(n)) or \
        "SELECT 0 AS pos, NULL AS rowid, NULL AS score WHERE 0"
    return (f"WITH page AS ({ranks}) "
            f"SELECT page.rowid AS rowid, page.score AS score, {cols}, s.region, d.status, d.current_version "
            "FROM page JOIN versions v ON v.rowid = page.rowid JOIN documents d ON d.doc_id = v.doc_id "
            "LEFT JOIN sites s ON s.name = v.site ORDER BY page.pos")


def _run(conn: sqlite3.Connection, sql: str, params: dict) -> list:
    cur = conn.cursor()
    cur.row_factory = sqlite3.Row
    try:
        return cur.execute(sql, params).fetchall()
    except sqlite3.OperationalError as exc:
        if "fts5" in str(exc) or "syntax error" in str(exc):
            raise QueryError(f"cannot search for {params['match']!r}: {exc}") from None
        raise


def _hit(row, query: Query, marks, escape) -> Hit:
    data = dict(zip(row.keys(), row))
    fields = {c: data[c] for c in HIT_COLUMNS}
    # The body around the first hit; else where the hit is (title, 文号, issuer); else the body's start.
    first = None
    for column in ("body", "title", "doc_number", "issuer"):
        if data[column]:
            text = snippet(data[column], query.terms(), marks=marks, escape=escape)
            if marks[0] in text:
                return Hit(data["rowid"], data["score"], fields, text)
            first = text if first is None else first
    return Hit(data["rowid"], data["score"], fields, first or "")


# --- snippets --------------------------------------------------------------------------------

def highlight_spans(text: str, terms: list[str]) -> list[tuple[int, int]]:
    """Non-overlapping (start, end) spans of ``text`` matching any query segment, any script."""
    norm = cjk_text.normalise(text)
    if len(norm) == len(text):                 # no character expanded: offsets are the identity
        where = range(len(text))
    else:
        norm, where = cjk_text.normalised_with_offsets(text)
    needles = {m.group(0) for t in terms for m in cjk_text.SEGMENT.finditer(cjk_text.normalise(t))}
    spans = []
    for needle in sorted(needles, key=len, reverse=True):
        for m in re.finditer(re.escape(needle), norm):
            spans.append((where[m.start()], where[m.end() - 1] + 1))
    merged: list[tuple[int, int]] = []
    for start, end in sorted(spans):
        if merged and start <= merged[-1][1]:
            merged[-1] = (merged[-1][0], max(end, merged[-1][1]))
        else:
            merged.append((start, end))
    return merged


def snippet(text: str, terms: list[str], *, width: int = 80, marks=("【", "】"),
            escape: Callable[[str], str] | None = None) -> str:
    """About ``width`` characters around the first match, matches wrapped in ``marks``.

    ``escape`` (e.g. ``html.escape``) is applied to the text but not to the marks.
    """
    esc = escape or (lambda s: s)
    spans = highlight_spans(text, terms)
    start = max(0, spans[0][0] - width // 4) if spans else 0
    end = min(len(text), start + width)
    out, pos = [], start
    for s, e in spans:
        if s >= end or e <= start:
            continue
        s, e = max(s, start), min(e, end)
        out += [esc(text[pos:s]), marks[0], esc(text[s:e]), marks[1]]
        pos = e
    out.append(esc(text[pos:end]))
    body = "".join(out).replace("\n", " ")
    return ("…" if start > 0 else "") + body + ("…" if end < len(text) else "")


def html_snippet(text: str, terms: list[str], width: int = 120) -> str:
    return snippet(text, terms, width=width, marks=("<mark>", "</mark>"), escape=html.escape)


_MARK_TAGS = re.compile(r"(<mark>|</mark>)")


def inert_marked_html(value: str) -> str:
    """Any text as HTML that can only show text and highlights: everything is escaped except
    balanced ``<mark>``/``</mark>`` pairs (what :func:`html_snippet` produces round-trips).

    For values whose origin a page cannot vouch for, e.g. a ``snippet`` column of any SQL query.
    """
    out, inside = [], False
    for part in _MARK_TAGS.split(value):
        if part == ("</mark>" if inside else "<mark>"):
            out.append(part)
            inside = not inside
        else:  # text (entities from html_snippet decoded first, so they are not escaped twice)
            out.append(html.escape(html.unescape(part)))
    return "".join(out) + ("</mark>" if inside else "")


def iter_matching_rowids(conn: sqlite3.Connection, text: str) -> Iterator[int]:
    """Every versions rowid the index matches (tests and tools; no filters, no ranking)."""
    match = parse_query(text).fts()
    for (rowid,) in conn.execute("SELECT rowid FROM search_fts WHERE search_fts MATCH ?", (match,)):
        yield rowid
