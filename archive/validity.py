"""Validity you can cite: clauses, references between documents, and validity as of any date.

Derived from the versions table, like the search index, and rebuilt from it at will:

* ``version_facts`` — per version: effective and expiry dates, 试行/暂行 and the sentences they
  came from (parsers.validity_clauses over title, body and dates), and the date its own
  decisions take effect.
* ``doc_refs`` — per version: every citation (《title》（文号）, bare 文号, typed) and every
  decision target (废止, 宣布失效, 修改, 延长有效期, 继续有效), each resolved to an archived
  document (``linked``), or left ``ambiguous`` / ``unmatched`` with its ``candidates``: a
  reference is linked only when exactly one document fits; never a silent guess.
* ``validity_timeline`` — per version, its computed validity over all of time as inclusive
  date intervals (``0001-01-01`` … ``9999-12-31``), each with its basis (the document and
  sentence that says so) and the conflicting evidence. ``--validity`` filters, the export
  columns and Datasette's ``document_validity`` view read it as of a date.
* ``validity_dirty`` and a trigger — versions rewritten in place (``guifan reparse``) are read again.

When it is computed: :func:`refresh` runs before every command that reads validity or links
(``guifan validity``, ``links``, ``show``, ``export``, ``search --validity``, ``serve``) and
whenever ``guifan validity --recompute`` is run. It reads facts and references only of versions
new since the last run (or rewritten), then re-resolves every reference and rebuilds every
timeline, because one new decision changes documents on any site. Nothing runs while nothing
arrived (one indexed lookup).

How the computed validity is decided, as of a day D (see docs/validity.md):

1. a linked repeal or 宣布失效 (a decision's target, or a 同时废止 citation) in effect on D → repealed;
2. the document's own clauses: before its effective date → not_yet_in_force; after its expiry
   date (as extended by decisions in effect on D) → expired; otherwise in_force;
   a linked 继续有效 in effect on D makes it in_force (over an expiry: a conflict shown);
   a linked amendment in effect on D makes an in-force document amended;
3. the portal's own label, as observed when each version was captured: a 废止/失效/已修订 seen
   on or before D is taken (conflicting with clauses that say in force); a 有效 seen at any time
   fills in a document issued by D that nothing else speaks for; a 有效 contradicting an expiry
   or a repeal is shown as a conflict and loses;
4. otherwise unknown.

A decision takes effect on its own effective date, else its written date, else its published
date, else the day it was first archived.
"""
from __future__ import annotations

import datetime as dt
import difflib
import json
import sqlite3
from dataclasses import dataclass, field

from guifan.parsers.citations import find_citations, own_inner_titles
from guifan.parsers.decisions import read_decision
from guifan.parsers.normalise import fold_for_compare, normalise_doc_number
from guifan.parsers.validity_clauses import add_period, read_validity_clauses
from guifan.parsers.vocabulary import ACTION_VALIDITY, VALIDITY_VALUES

from .errors import ArchiveError

# Bump when the readers change: every version is read again on the next refresh.
READER_VERSION = "validity-readers/1"
BEGINNING, END_OF_TIME = "0001-01-01", "9999-12-31"

SCHEMA = """
CREATE TABLE IF NOT EXISTS version_facts (
    version_rowid INTEGER PRIMARY KEY,   -- versions.rowid
    doc_id TEXT NOT NULL,
    version INTEGER NOT NULL,
    effective_date TEXT,
    expiry_date TEXT,
    trial INTEGER NOT NULL,
    validity_clauses TEXT NOT NULL,      -- JSON list: the sentences the two dates came from
    clauses TEXT NOT NULL,               -- JSON list of {field, value, sentence, how}
    decision_date TEXT,                  -- when this version's own decisions take effect
    reader_version TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS version_facts_doc ON version_facts(doc_id, version);
CREATE TABLE IF NOT EXISTS doc_refs (
    ref_id INTEGER PRIMARY KEY,
    version_rowid INTEGER NOT NULL,
    doc_id TEXT NOT NULL,                -- the referring document
    version INTEGER NOT NULL,
    kind TEXT NOT NULL CHECK (kind IN ('citation', 'target')),
    type TEXT NOT NULL,                  -- citation type, or the decision's action
    position INTEGER NOT NULL,
    text TEXT NOT NULL,                  -- the span (citation) or the line/row (target) as printed
    title TEXT,
    doc_number TEXT,                     -- as printed
    doc_number_norm TEXT,
    issuer TEXT,
    new_expiry TEXT,                     -- extend: 有效期延长至…
    extend_by TEXT,                      -- extend: JSON [n, '年'|'月']
    status TEXT NOT NULL DEFAULT 'unmatched' CHECK (status IN ('linked', 'ambiguous', 'unmatched')),
    target_doc_id TEXT,                  -- the linked document
    candidates TEXT NOT NULL DEFAULT '[]',   -- JSON list of doc_ids that fit, when not linked
    match TEXT                           -- how it was matched, or why not
);
CREATE INDEX IF NOT EXISTS doc_refs_doc ON doc_refs(doc_id, version);
CREATE INDEX IF NOT EXISTS doc_refs_target ON doc_refs(target_doc_id);
CREATE TABLE IF NOT EXISTS validity_timeline (
    doc_id TEXT NOT NULL,
    version INTEGER NOT NULL,
    start_date TEXT NOT NULL,            -- inclusive
    end_date TEXT NOT NULL,              -- inclusive
    validity TEXT NOT NULL,
    basis TEXT NOT NULL,                 -- JSON {source, doc_id, version, sentence, note}
    conflicts TEXT NOT NULL,             -- JSON list of the same, for evidence that disagrees
    PRIMARY KEY (doc_id, version, start_date)
) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS validity_state (key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS validity_dirty (version_rowid INTEGER PRIMARY KEY);
CREATE TRIGGER IF NOT EXISTS validity_versions_update
AFTER UPDATE OF title, body, written_date, published_date, validity, doc_number, issuer ON versions
BEGIN INSERT OR IGNORE INTO validity_dirty VALUES (OLD.rowid); END;
CREATE TRIGGER IF NOT EXISTS validity_versions_delete AFTER DELETE ON versions
BEGIN INSERT OR IGNORE INTO validity_dirty VALUES (OLD.rowid); END;
CREATE VIEW IF NOT EXISTS doc_links AS
SELECT r.doc_id AS source_doc_id, r.version AS source_version, r.target_doc_id, r.kind, r.type, r.text,
       r.title, r.doc_number, sv.title AS source_title, tv.title AS target_title
FROM doc_refs r
JOIN documents sd ON sd.doc_id = r.doc_id AND sd.current_version = r.version
JOIN versions sv ON sv.doc_id = r.doc_id AND sv.version = r.version
JOIN documents td ON td.doc_id = r.target_doc_id
JOIN versions tv ON tv.doc_id = td.doc_id AND tv.version = td.current_version
WHERE r.status = 'linked';
CREATE VIEW IF NOT EXISTS document_validity AS
SELECT d.doc_id, v.version, v.title, v.site, v.issuer, v.doc_number, v.doc_type, v.written_date,
       v.published_date, f.effective_date, f.expiry_date, f.trial, v.validity AS label_validity,
       t.validity AS computed_validity, date('now', 'localtime') AS as_of,
       json_extract(t.basis, '$.source') AS validity_source, t.basis, t.conflicts,
       (t.conflicts != '[]') AS has_conflict, d.status AS document_status
FROM documents d
JOIN versions v ON v.doc_id = d.doc_id AND v.version = d.current_version
LEFT JOIN version_facts f ON f.version_rowid = v.rowid
LEFT JOIN validity_timeline t ON t.doc_id = v.doc_id AND t.version = v.version
     AND t.start_date <= date('now', 'localtime') AND t.end_date >= date('now', 'localtime');
"""


def ensure_schema(conn: sqlite3.Connection) -> None:
    for statement in _statements(SCHEMA):
        conn.execute(statement)


def _statements(script: str) -> list[str]:
    out, current = [], []
    for line in script.strip().split("\n"):
        current.append(line)
        joined = "\n".join(current).strip()
        if joined.endswith(";") and (not joined.startswith("CREATE TRIGGER") or joined.endswith("END;")):
            out.append(joined)
            current = []
    return out


def has_tables(conn: sqlite3.Connection) -> bool:
    return conn.execute("SELECT 1 FROM sqlite_master WHERE name = 'validity_state'").fetchone() is not None


# --- refresh -------------------------------------------------------------------------------

def _state(conn, key: str, default: str = "") -> str:
    row = conn.execute("SELECT value FROM validity_state WHERE key = ?", (key,)).fetchone()
    return row[0] if row else default


def is_current(conn: sqlite3.Connection) -> bool:
    """Nothing arrived since the last refresh (cheap: two indexed lookups)."""
    if not has_tables(conn) or _state(conn, "reader_version") != READER_VERSION:
        return False
    top = conn.execute("SELECT coalesce(max(rowid), 0) FROM versions").fetchone()[0]
    if str(top) != _state(conn, "read_rowid", "0"):
        return False
    if _state(conn, "documents") != _documents_signature(conn):
        return False
    return conn.execute("SELECT 1 FROM validity_dirty LIMIT 1").fetchone() is None


def _documents_signature(conn) -> str:
    # A document gone or back changes nothing in validity, but a new current version does.
    row = conn.execute("SELECT count(*), total(current_version) FROM documents").fetchone()
    return f"{row[0]}:{int(row[1])}"


@dataclass
class RefreshReport:
    read: int = 0
    refs: int = 0
    linked: int = 0
    timelines: int = 0
    skipped: bool = False


def refresh(conn: sqlite3.Connection, *, force: bool = False) -> RefreshReport:
    """Bring facts, references and timelines up to date; one write transaction."""
    if not force and is_current(conn):
        return RefreshReport(skipped=True)
    # Inside the caller's open transaction a savepoint: all of it commits or none, with theirs.
    nested = conn.in_transaction
    conn.execute("SAVEPOINT validity_refresh" if nested else "BEGIN IMMEDIATE")
    try:
        report = _refresh(conn, force)
        conn.execute("RELEASE validity_refresh" if nested else "COMMIT")
    except BaseException:
        conn.execute("ROLLBACK TO validity_refresh" if nested else "ROLLBACK")
        if nested:
            conn.execute("RELEASE validity_refresh")
        raise
    return report


def ensure_current(conn: sqlite3.Connection) -> str | None:
    """Refresh before reading; on an archive that cannot be written, say what is stale (or fail
    if there is nothing computed at all)."""
    if is_current(conn):
        return None
    try:
        refresh(conn)
        return None
    except sqlite3.OperationalError as exc:
        if not has_tables(conn) or not _state(conn, "read_rowid"):
            raise ArchiveError(f"validity is not computed in this archive and it cannot be written ({exc}); "
                               "run `guifan validity --recompute` with write access") from None
        return f"computed validity not updated ({exc}); it may miss the newest versions"


def _refresh(conn, force: bool) -> RefreshReport:
    ensure_schema(conn)
    report = RefreshReport()
    if force or _state(conn, "reader_version") != READER_VERSION:
        conn.execute("DELETE FROM version_facts")
        conn.execute("DELETE FROM doc_refs")
        conn.execute("DELETE FROM validity_dirty")
        mark = 0
    else:
        mark = int(_state(conn, "read_rowid", "0"))
        dirty = [r[0] for r in conn.execute("SELECT version_rowid FROM validity_dirty")]
        for rowid in dirty:
            conn.execute("DELETE FROM version_facts WHERE version_rowid = ?", (rowid,))
            conn.execute("DELETE FROM doc_refs WHERE version_rowid = ?", (rowid,))
        report.read += _read_versions(
            conn, "versions.rowid IN (SELECT version_rowid FROM validity_dirty) AND versions.rowid <= ?", (mark,))
        conn.execute("DELETE FROM validity_dirty")
    report.read += _read_versions(conn, "versions.rowid > ?", (mark,))
    report.refs, report.linked = _resolve_all(conn)
    report.timelines = _rebuild_timelines(conn)
    top = conn.execute("SELECT coalesce(max(rowid), 0) FROM versions").fetchone()[0]
    for key, value in (("reader_version", READER_VERSION), ("read_rowid", str(top)),
                       ("documents", _documents_signature(conn)), ("computed_at", _now())):
        conn.execute("INSERT OR REPLACE INTO validity_state VALUES (?, ?)", (key, value))
    return report


def _now() -> str:
    return dt.datetime.now(dt.timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")


# --- reading facts and references of versions ------------------------------------------------

def _attachment_sql(conn) -> str:
    from .search import _attachment_sql as sql

    return sql(conn)


def _read_versions(conn, where: str, params: tuple) -> int:
    """Read facts and references of the versions matching ``where`` (about ``versions.rowid``)."""
    rows = conn.execute(
        "SELECT versions.rowid AS rowid, doc_id, version, title, body, doc_number, written_date, published_date, "
        f"valid_from, {_attachment_sql(conn)} AS attachment_text FROM versions WHERE {where}", params).fetchall()
    for row in rows:
        _read_one(conn, row)
    return len(rows)


def _read_one(conn, row) -> None:
    title, body = row["title"] or "", row["body"] or ""
    clauses = read_validity_clauses(body, title=title, written_date=row["written_date"],
                                    published_date=row["published_date"])
    own_date = clauses.effective_date or row["written_date"] or row["published_date"] or (row["valid_from"] or "")[:10]
    conn.execute(
        "INSERT OR REPLACE INTO version_facts VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
        (row["rowid"], row["doc_id"], row["version"], clauses.effective_date, clauses.expiry_date,
         int(clauses.trial), json.dumps(clauses.sentences, ensure_ascii=False),
         json.dumps(clauses.as_dict()["clauses"], ensure_ascii=False), own_date or None, READER_VERSION))
    text = body + ("\n" + row["attachment_text"] if row["attachment_text"] else "")
    refs = _refs_of(title, text, row["doc_number"])
    conn.executemany(
        "INSERT INTO doc_refs(version_rowid, doc_id, version, kind, type, position, text, title, doc_number, "
        "doc_number_norm, issuer, new_expiry, extend_by) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
        [(row["rowid"], row["doc_id"], row["version"], *ref) for ref in refs])


def _refs_of(title: str, text: str, doc_number: str | None) -> list[tuple]:
    out = []
    decision = read_decision(title, text)
    for i, t in enumerate(decision.targets if decision else []):
        out.append(("target", t.action, i, t.text, t.title, t.doc_number, normalise_doc_number(t.doc_number),
                    t.issuer, t.new_expiry, json.dumps(list(t.extend_by)) if t.extend_by else None))
    for c in find_citations(text, own_title=title, own_doc_number=doc_number):
        out.append(("citation", c.type, c.start, c.text, c.title, c.doc_number, normalise_doc_number(c.doc_number),
                    None, None, None))
    return out


# --- resolving references ----------------------------------------------------------------------

@dataclass
class _Doc:
    doc_id: str
    site: str
    title: str
    issuer: str
    doc_number: str | None
    titles: set[str] = field(default_factory=set)


class _Index:
    """The current version of every archived document, by 文号 and by folded title."""

    def __init__(self, conn):
        self.docs: dict[str, _Doc] = {}
        self.by_number: dict[str, list[_Doc]] = {}
        self.by_title: dict[str, list[_Doc]] = {}
        for r in conn.execute("SELECT v.doc_id, v.site, v.title, v.issuer, v.doc_number FROM documents d "
                              "JOIN versions v ON v.doc_id = d.doc_id AND v.version = d.current_version"):
            doc = _Doc(r[0], r[1], r[2] or "", r[3] or "", normalise_doc_number(r[4]), own_inner_titles(r[2] or ""))
            self.docs[doc.doc_id] = doc
            if doc.doc_number:
                self.by_number.setdefault(doc.doc_number, []).append(doc)
            for t in doc.titles:
                self.by_title.setdefault(t, []).append(doc)


def _title_fits(title: str, doc: _Doc) -> bool:
    wanted = fold_for_compare(title)
    if not wanted:
        return True
    for t in doc.titles:
        if wanted == t or (len(wanted) >= 8 and (wanted in t or t in wanted)):
            return True
        if difflib.SequenceMatcher(None, wanted, t, autojunk=False).ratio() >= 0.85:
            return True
    return False


def _issuer_fits(issuer: str, doc: _Doc) -> bool:
    a, b = fold_for_compare(issuer), fold_for_compare(doc.issuer)
    return bool(a and b and (a in b or b in a))


def resolve(ref: dict, referrer: _Doc | None, index: _Index) -> tuple[str, str | None, list[str], str]:
    """(status, target doc_id, candidates, how) for one reference."""
    own = referrer.doc_id if referrer else None
    number, title, issuer = ref["doc_number_norm"], ref["title"], ref["issuer"]
    if number:
        found = [d for d in index.by_number.get(number, []) if d.doc_id != own]
        how = "文号"
        if found and title:
            fitting = [d for d in found if _title_fits(title, d)]
            if not fitting:
                return "ambiguous", None, _ids(found), "文号 matches but the title differs"
            found, how = fitting, "文号 and title"
    elif title:
        found = [d for d in index.by_title.get(fold_for_compare(title), []) if d.doc_id != own]
        how = "title"
    else:
        return "unmatched", None, [], "no title or 文号"
    if len(found) > 1 and issuer:
        narrowed = [d for d in found if _issuer_fits(issuer, d)]
        if narrowed:
            found, how = narrowed, how + " and issuer"
    if len(found) > 1 and referrer:
        found, how = _copies_on_own_site(found, referrer, how)
    if len(found) == 1:
        return "linked", found[0].doc_id, [], how
    if not found:
        return "unmatched", None, [], f"no archived document with this {how}"
    return "ambiguous", None, _ids(found), f"{len(found)} archived documents fit the {how}"


def _copies_on_own_site(found: list[_Doc], referrer: _Doc, how: str) -> tuple[list[_Doc], str]:
    """Copies of one document on several sites (same title and same 文号, e.g. a reprint): the
    referrer's own site's copy. Documents that only share a title are different documents."""
    copies = {(fold_for_compare(d.title), d.doc_number) for d in found}
    same_site = [d for d in found if d.site == referrer.site]
    if len(copies) == 1 and next(iter(copies))[1] and len(same_site) == 1:
        return same_site, how + " (the copy on the referring site)"
    return found, how


def _ids(docs: list[_Doc]) -> list[str]:
    return sorted(d.doc_id for d in docs)


def _resolve_all(conn) -> tuple[int, int]:
    index = _Index(conn)
    rows = conn.execute("SELECT r.ref_id, r.doc_id, r.title, r.doc_number_norm, r.issuer FROM doc_refs r "
                        "JOIN documents d ON d.doc_id = r.doc_id AND d.current_version = r.version").fetchall()
    updates, linked = [], 0
    for r in rows:
        status, target, candidates, how = resolve(dict(r), index.docs.get(r["doc_id"]), index)
        linked += status == "linked"
        updates.append((status, target, json.dumps(candidates), how, r["ref_id"]))
    conn.execute("UPDATE doc_refs SET status = 'unmatched', target_doc_id = NULL, candidates = '[]', "
                 "match = 'not the current version' WHERE (doc_id, version) NOT IN "
                 "(SELECT doc_id, current_version FROM documents)")
    conn.executemany("UPDATE doc_refs SET status = ?, target_doc_id = ?, candidates = ?, match = ? WHERE ref_id = ?",
                     updates)
    return len(rows), linked


# --- computed validity ---------------------------------------------------------------------------

def _day(iso: str | None) -> dt.date | None:
    try:
        return dt.date.fromisoformat(iso[:10]) if iso else None
    except ValueError:
        return None


def _iso(day: dt.date) -> str:
    return day.isoformat()


@dataclass
class Evidence:
    """One statement about a document's validity, with where it comes from."""

    source: str                  # clause | decision | citation | label
    doc_id: str
    version: int | None
    sentence: str
    day: dt.date | None = None   # when it takes effect (decisions), or when it was seen (labels)
    action: str | None = None    # decision action, or the label's validity
    new_expiry: dt.date | None = None
    extend_by: tuple[int, str] | None = None
    note: str = ""

    def as_dict(self, validity: str | None = None) -> dict:
        out = {"source": self.source, "doc_id": self.doc_id, "version": self.version, "sentence": self.sentence}
        if self.day:
            out["date"] = _iso(self.day)
        if self.note:
            out["note"] = self.note
        if validity:
            out["validity"] = validity
        return out


@dataclass
class DocEvidence:
    doc_id: str
    version: int
    issued: dt.date | None
    effective: Evidence | None
    expiry: Evidence | None
    decisions: list[Evidence]
    labels: list[Evidence]

    @property
    def effective_day(self) -> dt.date | None:
        return self.effective.day if self.effective else None

    def expiry_on(self, day: dt.date) -> tuple[dt.date | None, Evidence | None]:
        """The last day in force as extended by the extensions in effect on ``day``."""
        last, basis = (self.expiry.day, self.expiry) if self.expiry else (None, None)
        for e in sorted((e for e in self.decisions if e.action == "extend" and e.day and e.day <= day),
                        key=lambda e: e.day):
            if e.new_expiry:
                last, basis = e.new_expiry, e
            elif e.extend_by and last:
                last, basis = _day(add_period(_iso(last + dt.timedelta(days=1)), *e.extend_by)), e
        return last, basis


def validity_on(ev: DocEvidence, day: dt.date) -> tuple[str, Evidence | None, list[dict]]:
    """(validity, basis, conflicts) of a document on ``day``."""
    conflicts: list[dict] = []
    in_effect = [e for e in ev.decisions if e.day and e.day <= day]
    repeal = next((e for e in sorted(in_effect, key=lambda e: e.day) if e.action in ("repeal", "invalidate")), None)
    if repeal:
        state, basis = "repealed", repeal
    else:
        state, basis = _lifetime_on(ev, day, in_effect, conflicts)
    return _with_labels(ev, day, state, basis, conflicts)


def _lifetime_on(ev: DocEvidence, day, in_effect, conflicts) -> tuple[str, Evidence | None]:
    state, basis = "unknown", None
    if ev.effective and day < ev.effective.day:
        return "not_yet_in_force", ev.effective
    last, expiry_basis = ev.expiry_on(day)
    if last and day > last:
        state, basis = "expired", expiry_basis
    elif ev.effective:
        # In force; when an extension is what keeps it so, the extension is the basis.
        extended = expiry_basis is not None and expiry_basis.source != "clause"
        state, basis = "in_force", expiry_basis if extended else ev.effective
    elif last and (ev.issued is None or day >= ev.issued):
        state, basis = "in_force", expiry_basis
    for e in sorted((e for e in in_effect if e.action == "continue"), key=lambda e: e.day):
        if state == "expired":
            conflicts.append(basis.as_dict("expired"))
        state, basis = "in_force", e
    amend = next((e for e in sorted(in_effect, key=lambda e: e.day) if e.action == "amend"), None)
    if amend and state in ("in_force", "unknown"):
        state, basis = "amended", amend
    return state, basis


_ENDED = ("repealed", "expired", "amended")


def _with_labels(ev: DocEvidence, day, state, basis, conflicts) -> tuple[str, Evidence | None, list[dict]]:
    seen = [e for e in ev.labels if e.day and e.day <= day]
    label = seen[-1] if seen else None
    if label and label.action in _ENDED:
        if state in ("in_force", "unknown") or (state == "amended" and label.action != "amended"):
            if basis is not None and state != "unknown":
                conflicts.append(basis.as_dict(state))
            return label.action, label, conflicts
        return state, basis, conflicts
    any_in_force = next((e for e in (seen[::-1] + ev.labels) if e.action == "in_force"), None)
    if label and label.action == "not_yet_in_force" and state == "unknown":
        return "not_yet_in_force", label, conflicts
    if any_in_force is None or (label and label.action != "in_force"):
        return state, basis, conflicts
    if state in ("expired", "repealed"):
        conflicts.append(any_in_force.as_dict("in_force"))
        return state, basis, conflicts
    if state == "unknown" and (any_in_force.day <= day or (ev.issued and ev.issued <= day)):
        return "in_force", any_in_force, conflicts
    return state, basis, conflicts


def breakpoints(ev: DocEvidence) -> list[dt.date]:
    """Every day on which the validity may change: evidence days and the day after each expiry
    (the expiry in effect can only change on an extension's day, which is among them)."""
    days = {dt.date(1, 1, 1)} | {d for d in (ev.effective_day, ev.issued) if d}
    days |= {e.day for e in ev.decisions + ev.labels if e.day}
    for day in list(days):
        last, _ = ev.expiry_on(day)
        if last and last < dt.date(9999, 12, 31):
            days.add(last + dt.timedelta(days=1))
    return sorted(days)


def timeline(ev: DocEvidence) -> list[tuple[str, str, str, dict, list[dict]]]:
    """(start, end, validity, basis, conflicts) intervals covering all of time, merged."""
    out: list[list] = []
    days = breakpoints(ev)
    for i, day in enumerate(days):
        end = days[i + 1] - dt.timedelta(days=1) if i + 1 < len(days) else dt.date(9999, 12, 31)
        validity, basis, conflicts = validity_on(ev, day)
        basis_d = basis.as_dict() if basis else {"source": "none", "note": "nothing says"}
        if out and out[-1][2] == validity and out[-1][3] == basis_d and out[-1][4] == conflicts:
            out[-1][1] = _iso(end)
        else:
            out.append([_iso(day), _iso(end), validity, basis_d, conflicts])
    return [tuple(x) for x in out]


def evidence_for(conn, doc_id: str, version: int) -> DocEvidence:
    """Everything the archive holds about one version's validity."""
    v = conn.execute("SELECT v.rowid AS rowid, v.* FROM versions v WHERE doc_id = ? AND version = ?",
                     (doc_id, version)).fetchone()
    if v is None:
        raise ArchiveError(f"document {doc_id} has no version {version}")
    facts = conn.execute("SELECT * FROM version_facts WHERE version_rowid = ?", (v["rowid"],)).fetchone()
    clauses = json.loads(facts["clauses"]) if facts else []
    sentence = {c["field"]: c for c in clauses}
    effective = expiry = None
    if facts and facts["effective_date"]:
        c = sentence["effective_date"]
        effective = Evidence("clause", doc_id, version, c["sentence"], _day(facts["effective_date"]), note=c["how"])
    if facts and facts["expiry_date"]:
        c = sentence["expiry_date"]
        expiry = Evidence("clause", doc_id, version, c["sentence"], _day(facts["expiry_date"]), note=c["how"])
    issued = _day(v["written_date"]) or _day(v["published_date"])
    return DocEvidence(doc_id, version, issued, effective, expiry, _decisions_about(conn, doc_id),
                       _labels_of(conn, doc_id))


def _decisions_about(conn, doc_id: str) -> list[Evidence]:
    rows = conn.execute(
        "SELECT r.*, f.decision_date, v.title AS source_title FROM doc_refs r "
        "JOIN documents d ON d.doc_id = r.doc_id AND d.current_version = r.version "
        "JOIN versions v ON v.doc_id = r.doc_id AND v.version = r.version "
        "LEFT JOIN version_facts f ON f.version_rowid = r.version_rowid "
        "WHERE r.target_doc_id = ? AND r.status = 'linked' AND (r.kind = 'target' OR r.type = 'repeal') "
        "ORDER BY r.ref_id", (doc_id,)).fetchall()
    out = []
    for r in rows:
        action = r["type"] if r["kind"] == "target" else "repeal"
        extend_by = tuple(json.loads(r["extend_by"])) if r["extend_by"] else None
        out.append(Evidence("decision" if r["kind"] == "target" else "citation", r["doc_id"], r["version"], r["text"],
                            _day(r["decision_date"]), action, _day(r["new_expiry"]), extend_by,
                            note=f"{action} in {r['source_title']}"))
    return out


def _labels_of(conn, doc_id: str) -> list[Evidence]:
    out = []
    for r in conn.execute("SELECT version, validity, valid_from, raw_meta FROM versions WHERE doc_id = ? "
                          "ORDER BY version", (doc_id,)):
        if r["validity"] and r["validity"] != "unknown":
            out.append(Evidence("label", doc_id, r["version"], _label_text(r["raw_meta"], r["validity"]),
                                _day(r["valid_from"]), r["validity"], note="the portal's label when captured"))
    return out


def _label_text(raw_meta: str | None, validity: str) -> str:
    meta = json.loads(raw_meta or "{}")
    for label in ("有效性", "时效性", "效力状态", "有效状态", "是否有效", "时效状态", "效力"):
        if meta.get(label):
            return f"{label}：{meta[label]}"
    return f"validity: {validity}"


def _rebuild_timelines(conn) -> int:
    conn.execute("DELETE FROM validity_timeline")
    n = 0
    for doc_id, version in conn.execute("SELECT doc_id, version FROM versions ORDER BY doc_id, version").fetchall():
        rows = timeline(evidence_for(conn, doc_id, version))
        conn.executemany("INSERT INTO validity_timeline VALUES (?, ?, ?, ?, ?, ?, ?)",
                         [(doc_id, version, s, e, val, json.dumps(b, ensure_ascii=False),
                           json.dumps(c, ensure_ascii=False)) for s, e, val, b, c in rows])
        n += 1
    return n


# --- reading ---------------------------------------------------------------------------------------

def computed(conn, doc_id: str, version: int, as_of: str) -> dict:
    """The computed validity of one version on a day, with its basis, conflicts and clauses."""
    row = conn.execute("SELECT * FROM validity_timeline WHERE doc_id = ? AND version = ? AND start_date <= ? "
                       "AND end_date >= ?", (doc_id, version, as_of, as_of)).fetchone()
    facts = conn.execute("SELECT f.* FROM version_facts f JOIN versions v ON v.rowid = f.version_rowid "
                         "WHERE v.doc_id = ? AND v.version = ?", (doc_id, version)).fetchone()
    title = conn.execute("SELECT title FROM versions WHERE doc_id = ? AND version = ?", (doc_id, version)).fetchone()
    out = {"doc_id": doc_id, "version": version, "title": title[0] if title else None, "as_of": as_of,
           "validity": row["validity"] if row else "unknown",
           "basis": json.loads(row["basis"]) if row else {"source": "none"},
           "conflicts": json.loads(row["conflicts"]) if row else [],
           "since": row["start_date"] if row else None, "until": row["end_date"] if row else None}
    if facts:
        out.update(effective_date=facts["effective_date"], expiry_date=facts["expiry_date"],
                   trial=bool(facts["trial"]), validity_clauses=json.loads(facts["validity_clauses"]),
                   clauses=json.loads(facts["clauses"]))
    return out


def timeline_rows(conn, doc_id: str, version: int) -> list[dict]:
    return [{"start": r["start_date"], "end": r["end_date"], "validity": r["validity"],
             "basis": json.loads(r["basis"]), "conflicts": json.loads(r["conflicts"])}
            for r in conn.execute("SELECT * FROM validity_timeline WHERE doc_id = ? AND version = ? "
                                  "ORDER BY start_date", (doc_id, version))]


def links(conn, doc_id: str) -> dict:
    """Outgoing references of the document's current version, and the linked ones pointing at it."""
    out = [dict(r) for r in conn.execute(
        "SELECT r.*, tv.title AS target_title, tv.site AS target_site FROM doc_refs r "
        "JOIN documents d ON d.doc_id = r.doc_id AND d.current_version = r.version "
        "LEFT JOIN documents td ON td.doc_id = r.target_doc_id "
        "LEFT JOIN versions tv ON tv.doc_id = td.doc_id AND tv.version = td.current_version "
        "WHERE r.doc_id = ? ORDER BY r.kind DESC, r.position", (doc_id,))]
    incoming = [dict(r) for r in conn.execute(
        "SELECT r.*, sv.title AS source_title, sv.site AS source_site FROM doc_refs r "
        "JOIN documents d ON d.doc_id = r.doc_id AND d.current_version = r.version "
        "JOIN versions sv ON sv.doc_id = r.doc_id AND sv.version = r.version "
        "WHERE r.target_doc_id = ? AND r.status = 'linked' ORDER BY r.doc_id, r.position", (doc_id,))]
    for r in out + incoming:
        r["candidates"] = json.loads(r["candidates"] or "[]")
    return {"doc_id": doc_id, "outgoing": out, "incoming": incoming}


def resolved_share(conn) -> dict:
    """How many references of current versions are linked, per kind."""
    out = {}
    for kind, status, n in conn.execute(
            "SELECT r.kind, r.status, count(*) FROM doc_refs r JOIN documents d ON d.doc_id = r.doc_id "
            "AND d.current_version = r.version GROUP BY r.kind, r.status"):
        out.setdefault(kind, {})[status] = n
    return out


assert set(ACTION_VALIDITY.values()) <= set(VALIDITY_VALUES)
