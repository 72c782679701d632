"""Reprints and near-copies across the archive: the index, the pairs, the families (clusters).

The index lives in the archive file beside the store's tables and is derived from them
(``guifan reprints --rebuild`` recreates it):

* ``reprint_docs`` — one row per document whose current version was indexed: its key-text
  length and hash (:mod:`archive.reprint_text`), the dates that order copies, its winnowed
  fingerprints, and whether it is the *canonical* holder of its key hash (identical texts are
  exact reprints of each other: only the first holds postings, the others join it).
* ``reprint_postings`` — fingerprint → documents (with the position): candidate pairs are the
  documents sharing fingerprints with a new one.
* ``reprint_stopped`` — boilerplate: fingerprints that ``SITE_TEMPLATE`` documents of one site
  share (a site's template, stock phrases it uses everywhere) or more than ``COMMON_DOCS``
  documents share overall. Their postings are dropped and they never seed a pair. The text
  of a copy appears once per site, so a family spread over many sites survives the first rule.
* ``reprint_pairs`` — every pair found: kind, similarity, shared characters, the shared
  passages (key-text offsets of both), and its direction: ``doc_a`` came first.
* ``reprint_clusters`` — families: connected components of exact, forward and adapted pairs,
  each document with its position in the family's order.

Keeping it current is incremental, like the search index: :func:`refresh` indexes every
version above a high-water mark that is its document's current version (a new document, or a
new version of a known one), then re-pairs the few documents whose fingerprints became
boilerplate meanwhile. Commands call it before reading (``guifan reprints``, ``clusters``,
``search --collapse``); on a read-only archive they read what is there and say what is missing.
"""
from __future__ import annotations

import json
import sqlite3
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from typing import Callable, Iterable, Iterator

import numpy as np

from . import reprint_text as rt
from . import search
from .errors import ArchiveError

INDEX_VERSION = f"reprints/1;{rt.PARAMS}"
SITE_TEMPLATE = 3            # documents of one site sharing a fingerprint make it the site's template
COMMON_DOCS = 1000           # documents overall sharing a fingerprint make it boilerplate
MIN_SEEDS = 2                # shared fingerprints before two texts are compared
BATCH = 500
KEY_CACHE = 20_000           # key texts kept between batches of a refresh (a few MB per thousand)

SCHEMA = """
CREATE TABLE IF NOT EXISTS reprint_state (key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS reprint_docs (
    doc_no INTEGER PRIMARY KEY,
    doc_id TEXT NOT NULL UNIQUE,
    version INTEGER NOT NULL,
    site TEXT NOT NULL,
    title TEXT,
    written_date TEXT,
    published_date TEXT,
    first_seen TEXT,
    chars INTEGER NOT NULL,          -- characters of the key text (CJK, letters, digits)
    key_hash TEXT,                   -- NULL: too short to compare
    title_key TEXT,
    forwards_title TEXT,             -- the title a 转发 notice names in its own title
    canonical INTEGER NOT NULL DEFAULT 0,
    fingerprints BLOB                -- int64 pairs (fingerprint, position)
);
CREATE INDEX IF NOT EXISTS reprint_docs_hash ON reprint_docs(key_hash);
CREATE INDEX IF NOT EXISTS reprint_docs_title ON reprint_docs(title_key);
CREATE INDEX IF NOT EXISTS reprint_docs_forwards ON reprint_docs(forwards_title);
CREATE TABLE IF NOT EXISTS reprint_postings (
    fp INTEGER NOT NULL, doc_no INTEGER NOT NULL, pos INTEGER NOT NULL,
    PRIMARY KEY (fp, doc_no)) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS reprint_stopped (fp INTEGER PRIMARY KEY, why TEXT NOT NULL, docs INTEGER NOT NULL);
CREATE TABLE IF NOT EXISTS reprint_pairs (
    doc_a TEXT NOT NULL,             -- the earlier copy (or what a 转发 notice forwards)
    doc_b TEXT NOT NULL,             -- the later copy
    kind TEXT NOT NULL CHECK (kind IN ('exact', 'forward', 'adapted', 'partial')),
    similarity REAL NOT NULL,        -- 2 × shared / (chars_a + chars_b)
    shared_chars INTEGER NOT NULL,
    chars_a INTEGER NOT NULL,
    chars_b INTEGER NOT NULL,
    order_basis TEXT NOT NULL,       -- forward, written_date, published_date, first_seen, unknown
    evidence TEXT NOT NULL,          -- text (shared passages) or title (a 转发 notice names it)
    passages TEXT NOT NULL,          -- JSON [[start_a, start_b, length], ...] in key-text offsets
    PRIMARY KEY (doc_a, doc_b)) WITHOUT ROWID;
CREATE INDEX IF NOT EXISTS reprint_pairs_b ON reprint_pairs(doc_b);
CREATE TABLE IF NOT EXISTS reprint_clusters (
    doc_id TEXT PRIMARY KEY,
    cluster_id TEXT NOT NULL,        -- the doc_id of the family's first copy
    position INTEGER NOT NULL,       -- 1 = first, in the order of written, published, first seen
    copies INTEGER NOT NULL,
    sites INTEGER NOT NULL) WITHOUT ROWID;
CREATE INDEX IF NOT EXISTS reprint_clusters_id ON reprint_clusters(cluster_id, position);
"""
OBJECTS = ("reprint_state", "reprint_docs", "reprint_postings", "reprint_stopped", "reprint_pairs",
           "reprint_clusters")

# Datasette and SQL users: pairs and families with titles, sites and first-seen times.
VIEWS = """
CREATE VIEW IF NOT EXISTS reprint_pair_list AS
SELECT p.doc_a, p.doc_b, p.kind, p.similarity, p.shared_chars, a.first_seen AS first_seen_a,
       b.first_seen AS first_seen_b, p.order_basis, p.evidence, a.site AS site_a, b.site AS site_b,
       a.title AS title_a, b.title AS title_b, p.chars_a, p.chars_b
FROM reprint_pairs p JOIN reprint_docs a ON a.doc_id = p.doc_a JOIN reprint_docs b ON b.doc_id = p.doc_b;
CREATE VIEW IF NOT EXISTS reprint_families AS
SELECT c.cluster_id, c.copies, c.sites, c.position, c.doc_id, r.site, s.region, r.title,
       r.written_date, r.published_date, r.first_seen
FROM reprint_clusters c JOIN reprint_docs r ON r.doc_id = c.doc_id LEFT JOIN sites s ON s.name = r.site;
"""
VIEW_NAMES = ("reprint_pair_list", "reprint_families")
PAIR_COLUMNS = ("doc_a", "doc_b", "kind", "similarity", "shared_chars", "first_seen_a", "first_seen_b",
                "order_basis", "evidence", "site_a", "site_b", "title_a", "title_b")


# --- schema ---------------------------------------------------------------------------------

def has_index(conn: sqlite3.Connection) -> bool:
    return conn.execute("SELECT 1 FROM sqlite_master WHERE name = 'reprint_state'").fetchone() is not None


def _state(conn, key: str, default: str | None = None) -> str | None:
    row = conn.execute("SELECT value FROM reprint_state WHERE key = ?", (key,)).fetchone()
    return row[0] if row else default


def _set_state(conn, key: str, value) -> None:
    conn.execute("INSERT OR REPLACE INTO reprint_state VALUES (?, ?)", (key, str(value)))


def ensure_schema(conn: sqlite3.Connection) -> None:
    """Create the tables (new archives and old ones alike); another index version is dropped."""
    with search._write(conn):
        if has_index(conn) and _state(conn, "index_version") != INDEX_VERSION:
            for name in VIEW_NAMES:
                conn.execute(f"DROP VIEW IF EXISTS {name}")
            for name in OBJECTS:
                conn.execute(f"DROP TABLE IF EXISTS {name}")
        for statement in search._statements(SCHEMA + VIEWS):
            conn.execute(statement)
        if _state(conn, "index_version") is None:
            _set_state(conn, "index_version", INDEX_VERSION)
            _set_state(conn, "version_rowid", 0)


def rebuild(conn: sqlite3.Connection, **kw) -> "Stats":
    ensure_schema(conn)
    with search._write(conn):
        for name in OBJECTS[1:]:
            conn.execute(f"DELETE FROM {name}")
        _set_state(conn, "version_rowid", 0)
    return refresh(conn, **kw)


# --- keeping it current -----------------------------------------------------------------------

@dataclass
class Stats:
    indexed: int = 0                  # documents (re)indexed
    pairs: int = 0                    # pairs in the index afterwards
    stopped: int = 0                  # fingerprints found to be boilerplate in this refresh
    repaired: int = 0                 # documents re-paired because some of their fingerprints stopped
    warning: str | None = None


def pending(conn: sqlite3.Connection) -> int:
    """Versions not yet looked at by the index."""
    hw = int(_state(conn, "version_rowid", "0")) if has_index(conn) else 0
    return conn.execute("SELECT count(*) FROM versions WHERE rowid > ?", (hw,)).fetchone()[0]


def up_to_date(conn: sqlite3.Connection) -> bool:
    return has_index(conn) and _state(conn, "index_version") == INDEX_VERSION and pending(conn) == 0


def refresh(conn: sqlite3.Connection, *, batch: int = BATCH,
            progress: Callable[[int, int], None] | None = None) -> Stats:
    """Index every new current version; one short write transaction per batch."""
    stats = Stats()
    if up_to_date(conn):
        stats.pairs = _count_pairs(conn)
        return stats
    ensure_schema(conn)
    todo = pending(conn)
    indexer = _Indexer(conn, stats)
    while True:
        with search._write(conn):
            hw = int(_state(conn, "version_rowid"))
            rows = conn.execute(
                "SELECT rowid FROM versions WHERE rowid > ? ORDER BY rowid LIMIT ?", (hw, batch)).fetchall()
            if not rows:
                break
            last = rows[-1][0]
            for doc in _current_versions(conn, hw, last):
                indexer.index(doc)
            indexer.repair_dirty()
            _set_state(conn, "version_rowid", last)
            indexer.trim()
        if progress:
            progress(min(todo, stats.indexed), todo)
    with search._write(conn):
        _rebuild_clusters(conn)
    stats.pairs = _count_pairs(conn)
    return stats


def refresh_or_warn(conn: sqlite3.Connection) -> Stats:
    """As :func:`refresh`; on a read-only or busy archive, the stored index and a warning."""
    try:
        return refresh(conn)
    except sqlite3.OperationalError as exc:
        if not has_index(conn):
            raise ArchiveError(f"the archive has no reprint index and cannot be written ({exc}); "
                               "run `guifan reprints --update` with write access") from None
        return Stats(warning=f"reprint index not updated ({exc}); {pending(conn)} newer versions not compared yet")


def _count_pairs(conn) -> int:
    return conn.execute("SELECT count(*) FROM reprint_pairs").fetchone()[0]


def _current_versions(conn, lo: int, hi: int) -> list[sqlite3.Row]:
    """Versions with rowid in (lo, hi] that are their document's current version, with text."""
    att = search._attachment_sql(conn)
    cur = conn.execute(
        f"SELECT versions.doc_id, versions.version, versions.site, versions.title, versions.written_date, "
        f"versions.published_date, d.first_seen, versions.body, {att} AS attachment_text FROM versions "
        "JOIN documents d ON d.doc_id = versions.doc_id AND d.current_version = versions.version "
        "WHERE versions.rowid > ? AND versions.rowid <= ? ORDER BY versions.rowid", (lo, hi))
    cur.row_factory = sqlite3.Row
    return cur.fetchall()


def document_text(body: str | None, attachment_text: str | None) -> str:
    """What is compared: the body, then the attachments' text (a cover page's document)."""
    return "\n".join(t for t in (body, attachment_text) if t)


def _text_of(conn, doc_id: str) -> str:
    att = search._attachment_sql(conn)
    row = conn.execute(f"SELECT versions.body, {att} FROM versions JOIN documents d ON d.doc_id = versions.doc_id "
                       "AND d.current_version = versions.version WHERE versions.doc_id = ?", (doc_id,)).fetchone()
    return document_text(row[0], row[1]) if row else ""


class _Indexer:
    """Adds documents to the index inside the caller's transaction."""

    def __init__(self, conn: sqlite3.Connection, stats: Stats):
        self.c, self.stats = conn, stats
        self.keys: dict[str, str] = {}        # doc_id -> key text, for this refresh
        self.dirty: set[int] = set()          # canonical doc_nos whose fingerprints stopped
        self.families: dict[str, str] = {}    # doc_id -> its family as known (see _family)

    # one document

    def index(self, doc: sqlite3.Row) -> None:
        self._remove(doc["doc_id"])
        key = rt.key_of(document_text(doc["body"], doc["attachment_text"]))
        self.keys[doc["doc_id"]] = key.text
        indexed = len(key) >= rt.MIN_KEY
        fps = rt.fingerprints(key.text) if indexed else {}
        blob = np.array(list(fps.items()), dtype=np.int64).tobytes() if fps else None
        key_hash = rt.key_hash(key) if indexed else None
        twin = self.c.execute("SELECT doc_no FROM reprint_docs WHERE key_hash = ? AND canonical = 1",
                              (key_hash,)).fetchone() if key_hash else None
        doc_no = self.c.execute(
            "INSERT INTO reprint_docs(doc_id, version, site, title, written_date, published_date, first_seen, "
            "chars, key_hash, title_key, forwards_title, canonical, fingerprints) "
            "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            (doc["doc_id"], doc["version"], doc["site"], doc["title"], doc["written_date"], doc["published_date"],
             doc["first_seen"], len(key), key_hash, rt.title_key(doc["title"]) or None,
             rt.forwarded_title(doc["title"]), int(indexed and twin is None), blob)).lastrowid
        self.stats.indexed += 1
        if twin is not None:
            self._join_twin(doc_no, twin[0])
        elif indexed:
            self._add_postings(doc_no, doc["site"], fps)
            self._pair(doc_no)
        self._title_links(doc_no)

    def _remove(self, doc_id: str) -> None:
        row = self.c.execute("SELECT doc_no, canonical, key_hash, fingerprints FROM reprint_docs WHERE doc_id = ?",
                             (doc_id,)).fetchone()
        if row is None:
            return
        doc_no, canonical, key_hash, blob = row
        self.c.execute("DELETE FROM reprint_pairs WHERE doc_a = ? OR doc_b = ?", (doc_id, doc_id))
        self.c.execute("DELETE FROM reprint_clusters WHERE doc_id = ?", (doc_id,))
        if canonical:
            fps = _unpack(blob)
            self.c.executemany("DELETE FROM reprint_postings WHERE fp = ? AND doc_no = ?",
                               [(fp, doc_no) for fp in fps])
            heir = self.c.execute("SELECT doc_no FROM reprint_docs WHERE key_hash = ? AND doc_no != ? "
                                  "ORDER BY doc_no LIMIT 1", (key_hash, doc_no)).fetchone()
            if heir:                          # the same text: the same postings, its pairs already stored
                self.c.execute("UPDATE reprint_docs SET canonical = 1 WHERE doc_no = ?", (heir[0],))
                self.c.executemany("INSERT OR IGNORE INTO reprint_postings VALUES (?, ?, ?)",
                                   [(fp, heir[0], pos) for fp, pos in fps.items()])
        self.dirty.discard(doc_no)
        self.c.execute("DELETE FROM reprint_docs WHERE doc_no = ?", (doc_no,))

    # boilerplate and candidates

    def _add_postings(self, doc_no: int, site: str, fps: dict[int, int]) -> None:
        """Postings for the fingerprints that are not boilerplate; those that now become
        boilerplate are stopped (postings dropped, their documents re-paired later)."""
        stopped = _in(self.c, "SELECT fp FROM reprint_stopped WHERE fp IN ({})", list(fps))
        live = [fp for fp in fps if fp not in stopped]
        holders: dict[int, list[tuple[int, str]]] = defaultdict(list)
        for fp, other, other_site in _rows_in(
                self.c, "SELECT p.fp, p.doc_no, r.site FROM reprint_postings p JOIN reprint_docs r "
                        "ON r.doc_no = p.doc_no WHERE p.fp IN ({})", live):
            holders[fp].append((other, other_site))
        newly = []
        for fp in live:
            docs = holders.get(fp, [])
            same_site = 1 + sum(1 for _, s in docs if s == site)
            worst_site = max([same_site, *Counter(s for _, s in docs).values()])
            if worst_site >= SITE_TEMPLATE or len(docs) + 1 > COMMON_DOCS:
                why = "site_template" if worst_site >= SITE_TEMPLATE else "common"
                newly.append((fp, why, len(docs) + 1))
                self.dirty.update(d for d, _ in docs)
        if newly:
            self.c.executemany("INSERT OR IGNORE INTO reprint_stopped VALUES (?, ?, ?)", newly)
            self.c.executemany("DELETE FROM reprint_postings WHERE fp = ?", [(fp,) for fp, _, _ in newly])
            self.stats.stopped += len(newly)
        gone = {fp for fp, _, _ in newly}
        self.c.executemany("INSERT OR IGNORE INTO reprint_postings VALUES (?, ?, ?)",
                           [(fp, doc_no, fps[fp]) for fp in live if fp not in gone])

    def _seeds(self, doc_no: int) -> dict[int, list[tuple[int, int, int]]]:
        """Other canonical documents sharing live fingerprints with doc_no:
        (pos here, pos there, families holding the fingerprint). Families, not documents: a
        passage of a text reposted by thirty counties is one text's, not a template's."""
        rows = self.c.execute(
            "SELECT o.doc_no, m.pos, o.pos, m.fp, r.doc_id FROM reprint_postings m CROSS JOIN reprint_postings o "
            "ON o.fp = m.fp AND o.doc_no != m.doc_no CROSS JOIN reprint_docs r ON r.doc_no = o.doc_no "
            "WHERE m.doc_no = ?", (doc_no,)).fetchall()
        families: dict[int, set[str]] = defaultdict(set)
        for _, _, _, fp, doc_id in rows:
            families[fp].add(self._family(doc_id))
        seeds: dict[int, list[tuple[int, int, int]]] = defaultdict(list)
        for other, here, there, fp, _ in rows:
            seeds[other].append((here, there, len(families[fp]) + 1))
        return seeds

    def _family(self, doc_id: str) -> str:
        """A document's family as known so far: the smallest doc_id among it and its near-copies."""
        if doc_id not in self.families:
            marks = ",".join("?" * len(rt.CLUSTER_KINDS))
            near = self.c.execute(
                f"SELECT min(x) FROM (SELECT doc_b AS x FROM reprint_pairs WHERE doc_a = ? AND kind IN ({marks}) "
                f"UNION ALL SELECT doc_a FROM reprint_pairs WHERE doc_b = ? AND kind IN ({marks}))",
                (doc_id, *rt.CLUSTER_KINDS, doc_id, *rt.CLUSTER_KINDS)).fetchone()[0]
            self.families[doc_id] = min(doc_id, near) if near else doc_id
        return self.families[doc_id]

    # pairs

    def _pair(self, doc_no: int) -> None:
        me = _doc(self.c, doc_no)
        prints = sorted(_unpack(me["fingerprints"]).values())
        for other, seeds in self._seeds(doc_no).items():
            if len(seeds) < MIN_SEEDS:
                continue
            them = _doc(self.c, other)
            a, b = self._key(me["doc_id"]), self._key(them["doc_id"])
            verdict = rt.judge(a, b, rt.passages(a, b, seeds, prints))
            if verdict.kind:
                self._store_group_pairs(me, them, verdict, a, b)

    def trim(self) -> None:
        """Keep memory bounded (the newest KEY_CACHE key texts) whatever the archive's size."""
        if len(self.keys) > KEY_CACHE:
            for doc_id in list(self.keys)[:len(self.keys) - KEY_CACHE]:
                del self.keys[doc_id]
        self.families.clear()                 # pairs of this batch may join families

    def _key(self, doc_id: str) -> str:
        if doc_id not in self.keys:
            self.keys[doc_id] = rt.key_of(_text_of(self.c, doc_id)).text
        return self.keys[doc_id]

    def _store_group_pairs(self, me, them, verdict: rt.Verdict, a: str, b: str) -> None:
        """The pair, and the same pair for every exact twin of either side."""
        for x in _twins(self.c, me):
            for y in _twins(self.c, them):
                _store_pair(self.c, x, y, verdict, a, b)

    def _join_twin(self, doc_no: int, canonical: int) -> None:
        """An identical text: exact pairs with its twins, and every pair the canonical one has."""
        me, first = _doc(self.c, doc_no), _doc(self.c, canonical)
        n = len(self._key(me["doc_id"]))
        whole = rt.Verdict("exact", n, n, n, [rt.Passage(0, 0, n)])
        for twin in _twins(self.c, first):
            if twin["doc_no"] != doc_no:
                _store_pair(self.c, me, twin, whole, "", "")
        twin_ids = {t["doc_id"] for t in _twins(self.c, first)}
        for p in _pairs_touching(self.c, first["doc_id"]):
            if p["doc_a"] not in twin_ids or p["doc_b"] not in twin_ids:
                _copy_pair(self.c, p, first, me)

    def _title_links(self, doc_no: int) -> None:
        """A 转发 notice whose own title names a document's title is linked to it (also when
        the forwarded text is not on the page, only in an attachment that has none)."""
        me = _doc(self.c, doc_no)
        targets = []
        if me["forwards_title"]:
            targets += _rows(self.c, "SELECT * FROM reprint_docs WHERE title_key = ? AND doc_no != ?",
                             (me["forwards_title"], doc_no))
        notices = _rows(self.c, "SELECT * FROM reprint_docs WHERE forwards_title = ? AND doc_no != ?",
                        (me["title_key"], doc_no)) if me["title_key"] else []
        for source, notice in [(t, me) for t in targets] + [(me, n) for n in notices]:
            if not _paired(self.c, source["doc_id"], notice["doc_id"]):
                _insert_pair(self.c, source, notice, "forward", rt.Verdict("forward", 0, source["chars"],
                             notice["chars"]), "forward", "title")

    def repair_dirty(self) -> None:
        """Re-pair documents some of whose fingerprints became boilerplate since they were paired."""
        while self.dirty:
            doc_no = self.dirty.pop()
            me = _doc(self.c, doc_no)
            if me is None or not me["canonical"]:
                continue
            twins = [t["doc_id"] for t in _twins(self.c, me)]
            marks = ",".join("?" * len(twins))
            self.c.execute(f"DELETE FROM reprint_pairs WHERE evidence = 'text' AND (doc_a IN ({marks}) OR "
                           f"doc_b IN ({marks})) AND NOT (doc_a IN ({marks}) AND doc_b IN ({marks}))", twins * 4)
            self._pair(doc_no)
            self.stats.repaired += 1


def _unpack(blob: bytes | None) -> dict[int, int]:
    if not blob:
        return {}
    arr = np.frombuffer(blob, dtype=np.int64).reshape(-1, 2)
    return dict(zip(arr[:, 0].tolist(), arr[:, 1].tolist()))


def _in(c, sql: str, values: list) -> set:
    return {r[0] for r in _rows_in(c, sql, values)}


def _rows_in(c, sql: str, values: list, chunk: int = 900) -> Iterator[tuple]:
    for i in range(0, len(values), chunk):
        part = values[i:i + chunk]
        yield from c.execute(sql.format(",".join("?" * len(part))), part)


def _rows(c, sql: str, params=()) -> list[sqlite3.Row]:
    cur = c.execute(sql, params)
    cur.row_factory = sqlite3.Row
    return cur.fetchall()


def _doc(c, doc_no: int) -> sqlite3.Row:
    cur = c.execute("SELECT * FROM reprint_docs WHERE doc_no = ?", (doc_no,))
    cur.row_factory = sqlite3.Row
    return cur.fetchone()


def _twins(c, doc) -> list[sqlite3.Row]:
    if not doc["key_hash"]:
        return [doc]
    cur = c.execute("SELECT * FROM reprint_docs WHERE key_hash = ? ORDER BY doc_no", (doc["key_hash"],))
    cur.row_factory = sqlite3.Row
    return cur.fetchall()


def _paired(c, x: str, y: str) -> bool:
    return c.execute("SELECT 1 FROM reprint_pairs WHERE (doc_a = ? AND doc_b = ?) OR (doc_a = ? AND doc_b = ?)",
                     (x, y, y, x)).fetchone() is not None


def order(x, y) -> tuple[object, object, str]:
    """(earlier, later, basis): by written date, then published date, then first seen."""
    for name in ("written_date", "published_date", "first_seen"):
        if x[name] and y[name] and x[name] != y[name]:
            return (x, y, name) if x[name] < y[name] else (y, x, name)
    return (x, y, "unknown") if x["doc_id"] < y["doc_id"] else (y, x, "unknown")


def _store_pair(c, x, y, verdict: rt.Verdict, key_x: str, key_y: str) -> None:
    """Store a judged pair with its direction. For a forward, what is forwarded comes first
    when the container is a 转发 notice; otherwise (a 印发 notice and a bare copy) the dates say."""
    if verdict.kind == "forward":
        outer, inner = (x, y) if verdict.container == "a" else (y, x)
        key_outer = key_x if verdict.container == "a" else key_y
        side = verdict.container
        if rt.is_forward_notice(outer["title"], key_outer, verdict.passages, side):
            _insert_pair(c, inner, outer, "forward", _oriented(verdict, inner is x), "forward", "text")
            return
    first, second, basis = order(x, y)
    _insert_pair(c, first, second, verdict.kind, _oriented(verdict, first is x), basis, "text")


def _oriented(v: rt.Verdict, keep: bool) -> rt.Verdict:
    if keep:
        return v
    flipped = [rt.Passage(p.b, p.a, p.size) for p in v.passages]
    return rt.Verdict(v.kind, v.shared, v.chars_b, v.chars_a, flipped, v.container)


def _insert_pair(c, a, b, kind: str, v: rt.Verdict, basis: str, evidence: str) -> None:
    c.execute("DELETE FROM reprint_pairs WHERE doc_a = ? AND doc_b = ?", (b["doc_id"], a["doc_id"]))
    c.execute("INSERT OR REPLACE INTO reprint_pairs VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
              (a["doc_id"], b["doc_id"], kind, v.similarity, v.shared, v.chars_a, v.chars_b, basis, evidence,
               json.dumps([[p.a, p.b, p.size] for p in v.passages])))


def _copy_pair(c, p, first, me) -> None:
    """A pair of ``first`` given to its identical twin ``me`` (same text, own dates)."""
    other_id = p["doc_b"] if p["doc_a"] == first["doc_id"] else p["doc_a"]
    if other_id == me["doc_id"]:
        return
    cur = c.execute("SELECT * FROM reprint_docs WHERE doc_id = ?", (other_id,))
    cur.row_factory = sqlite3.Row
    other = cur.fetchone()
    passages = [rt.Passage(*x) for x in json.loads(p["passages"])]
    if p["doc_a"] == first["doc_id"]:
        v = rt.Verdict(p["kind"], p["shared_chars"], p["chars_a"], p["chars_b"], passages)
        x, y = me, other
    else:
        v = rt.Verdict(p["kind"], p["shared_chars"], p["chars_b"], p["chars_a"],
                       [rt.Passage(q.b, q.a, q.size) for q in passages])
        x, y = me, other
    if p["order_basis"] == "forward":
        inner_is_first = p["doc_a"] == first["doc_id"]
        a, b = (x, y) if inner_is_first else (y, x)
        _insert_pair(c, a, b, "forward", _oriented(v, a is x), "forward", p["evidence"])
        return
    a, b, basis = order(x, y)
    _insert_pair(c, a, b, p["kind"], _oriented(v, a is x), basis, p["evidence"])


# --- families ---------------------------------------------------------------------------------

def _rebuild_clusters(conn) -> None:
    """Connected components of near-copy pairs; each member's position in the family's order."""
    parent: dict[str, str] = {}

    def find(x: str) -> str:
        while parent.setdefault(x, x) != x:
            parent[x] = parent[parent[x]]
            x = parent[x]
        return x

    marks = ",".join("?" * len(rt.CLUSTER_KINDS))
    for a, b in conn.execute(f"SELECT doc_a, doc_b FROM reprint_pairs WHERE kind IN ({marks})", rt.CLUSTER_KINDS):
        parent[find(a)] = find(b)
    groups: dict[str, list[str]] = defaultdict(list)
    for doc in list(parent):
        groups[find(doc)].append(doc)
    conn.execute("DELETE FROM reprint_clusters")
    info = {}
    for members in groups.values():
        for chunk in range(0, len(members), 900):
            part = members[chunk:chunk + 900]
            cur = conn.execute(f"SELECT doc_id, site, written_date, published_date, first_seen FROM reprint_docs "
                               f"WHERE doc_id IN ({','.join('?' * len(part))})", part)
            info.update({r[0]: r for r in cur})
    rows = []
    for members in groups.values():
        ordered = sorted(members, key=lambda d: tuple(x or "9999" for x in info[d][2:]) + (d,))
        sites = len({info[d][1] for d in members})
        rows += [(d, ordered[0], i, len(members), sites) for i, d in enumerate(ordered, 1)]
    conn.executemany("INSERT INTO reprint_clusters VALUES (?, ?, ?, ?, ?)", rows)


# --- reading ----------------------------------------------------------------------------------

@dataclass
class Relation:
    """One pair seen from one document."""
    other: dict
    kind: str
    role: str            # source / copy / forwards / forwarded_by — what the other document is
    similarity: float
    shared_chars: int
    order_basis: str
    evidence: str
    passages: list[list[int]] = field(default_factory=list)   # [start_here, start_there, length]


def reprints_of(conn: sqlite3.Connection, doc_id: str) -> list[Relation]:
    """Every pair of one document, earliest other copy first."""
    out = []
    for p in _pairs_touching(conn, doc_id):
        here_first = p["doc_a"] == doc_id
        other = _doc_by_id(conn, p["doc_b"] if here_first else p["doc_a"])
        if p["order_basis"] == "forward":
            role = "forwarded_by" if here_first else "forwards"
        else:
            role = "copy" if here_first else "source"
        passages = json.loads(p["passages"])
        if not here_first:
            passages = [[b, a, n] for a, b, n in passages]
        out.append(Relation(other, p["kind"], role, p["similarity"], p["shared_chars"], p["order_basis"],
                            p["evidence"], passages))
    out.sort(key=lambda r: tuple(r.other.get(k) or "9999" for k in ("written_date", "published_date", "first_seen")))
    return out


def _pairs_touching(conn, doc_id: str) -> list[sqlite3.Row]:
    cur = conn.execute("SELECT * FROM reprint_pairs WHERE doc_a = ? UNION ALL SELECT * FROM reprint_pairs "
                       "WHERE doc_b = ?", (doc_id, doc_id))
    cur.row_factory = sqlite3.Row
    return cur.fetchall()


def _doc_by_id(conn, doc_id: str) -> dict:
    cur = conn.execute("SELECT r.doc_id, r.site, r.title, r.written_date, r.published_date, r.first_seen, "
                       "r.chars, d.url, d.status FROM reprint_docs r JOIN documents d ON d.doc_id = r.doc_id "
                       "WHERE r.doc_id = ?", (doc_id,))
    cur.row_factory = sqlite3.Row
    row = cur.fetchone()
    return dict(row) if row else {"doc_id": doc_id}


def family_of(conn: sqlite3.Connection, doc_id: str) -> list[dict]:
    """The document's family in order (empty when it has no near-copy)."""
    row = conn.execute("SELECT cluster_id FROM reprint_clusters WHERE doc_id = ?", (doc_id,)).fetchone()
    if row is None:
        return []
    cur = conn.execute("SELECT * FROM reprint_families WHERE cluster_id = ? ORDER BY position", (row[0],))
    cur.row_factory = sqlite3.Row
    return [dict(r) for r in cur]


def clusters(conn: sqlite3.Connection, *, region: str | None = None, min_sites: int = 1,
             min_copies: int = 2) -> list[dict]:
    """Families with at least ``min_sites`` sites, largest first; ``region`` keeps families
    with a copy whose region contains that text. Each with its first copy and its members."""
    cur = conn.execute("SELECT * FROM reprint_families WHERE sites >= ? AND copies >= ? "
                       "ORDER BY copies DESC, cluster_id, position", (min_sites, min_copies))
    cur.row_factory = sqlite3.Row
    families: dict[str, dict] = {}
    for r in cur:
        f = families.setdefault(r["cluster_id"], {"cluster_id": r["cluster_id"], "copies": r["copies"],
                                                 "sites": r["sites"], "title": r["title"],
                                                 "first_published": r["published_date"], "members": []})
        f["members"].append({k: r[k] for k in ("position", "doc_id", "site", "region", "title", "written_date",
                                                "published_date", "first_seen")})
    out = list(families.values())
    if region:
        out = [f for f in out if any(region in (m["region"] or "") for m in f["members"])]
    return out


def pair_rows(conn: sqlite3.Connection, kinds: Iterable[str] | None = None,
              region: str | None = None) -> Iterator[dict]:
    """Every pair as the CSV export writes it (see PAIR_COLUMNS)."""
    where, params = [], []
    if kinds:
        kinds = list(kinds)
        where.append(f"kind IN ({','.join('?' * len(kinds))})")
        params += kinds
    if region:
        where.append("(EXISTS (SELECT 1 FROM sites s WHERE s.name = site_a AND s.region LIKE '%' || ? || '%') OR "
                     "EXISTS (SELECT 1 FROM sites s WHERE s.name = site_b AND s.region LIKE '%' || ? || '%'))")
        params += [region, region]
    sql = f"SELECT {', '.join(PAIR_COLUMNS)} FROM reprint_pair_list"
    sql += (" WHERE " + " AND ".join(where)) if where else ""
    cur = conn.execute(sql + " ORDER BY doc_a, doc_b", params)
    cur.row_factory = sqlite3.Row
    for r in cur:
        yield dict(r)


def cluster_ids(conn: sqlite3.Connection, doc_ids: list[str]) -> dict[str, tuple[str, int]]:
    """doc_id -> (cluster_id, copies) for those in a family."""
    return {r[0]: (r[1], r[2]) for r in _rows_in(
        conn, "SELECT doc_id, cluster_id, copies FROM reprint_clusters WHERE doc_id IN ({})", list(doc_ids))}


def passage_texts(conn: sqlite3.Connection, doc_id: str, passages: list[list[int]], limit: int = 3,
                  width: int = 60) -> list[str]:
    """The first shared passages as they read in the document (original characters)."""
    key = rt.key_of(_text_of(conn, doc_id))
    text = _text_of(conn, doc_id)
    out = []
    for start, _, size in sorted(passages, key=lambda p: -p[2])[:limit]:
        if start + size > len(key.offsets) or size <= 0:
            continue
        lo, hi = key.offsets[start], key.offsets[start + size - 1] + 1
        piece = text[lo:hi].replace("\n", " ")
        out.append(piece if len(piece) <= width else piece[:width] + "…")
    return out
