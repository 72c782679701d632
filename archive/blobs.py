"""Raw bodies, stored once per sha256, compressed, never re-encoded.

Bodies are zstd frames, plain or made with a **dictionary** trained on earlier bodies of
the same site (`blob_dicts`): a government page is mostly its site's template, so a
dictionary shrinks a page several times more than zstd alone (docs/archive.md has the
figures). Dictionaries are archived like everything else: each has an id, a scope (the
site), when and from how many bodies it was trained, its own sha256, and is never changed
or deleted; a newer one only serves bodies written after it. Whatever the compression,
the sha256 names the bytes as served, and `verify` checks it on the decompressed bytes.
"""
from __future__ import annotations

import functools
import hashlib
import sqlite3
import zlib

import zstandard

COMPRESSION = "zstd"
# Level 3: on the demo's pages levels 3, 10 and 19 give 2.2x, 2.3x and 2.35x, at
# 0.03, 0.13 and 1.0 ms a page; ingest speed wins.
_LEVEL = 3
DICT_SIZE = 112 * 1024          # zstd's own default dictionary size
TRAIN_SAMPLES = 500             # bodies a dictionary is trained on (at most)
MIN_SAMPLES = 50                # fewer bodies than this make no useful dictionary


def sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def compress(data: bytes, dictionary: "Dictionary | None" = None) -> bytes:
    if dictionary is not None:
        return dictionary.compressor.compress(data)
    return zstandard.ZstdCompressor(level=_LEVEL).compress(data)


def decompress(method: str, data: bytes, dictionary: "Dictionary | None" = None) -> bytes:
    if method == "zstd":
        if dictionary is not None:
            return dictionary.decompressor.decompress(data)
        return zstandard.ZstdDecompressor().decompress(data)
    if method == "zlib":
        return zlib.decompress(data)
    if method == "none":
        return bytes(data)
    raise ValueError(f"unknown blob compression {method!r}")


class Dictionary:
    """A stored zstd dictionary with its compressor and decompressor, built once."""

    def __init__(self, dict_id: int, data: bytes):
        self.dict_id, self.data = dict_id, bytes(data)
        zdict = zstandard.ZstdCompressionDict(self.data)
        self.compressor = zstandard.ZstdCompressor(level=_LEVEL, dict_data=zdict)
        self.decompressor = zstandard.ZstdDecompressor(dict_data=zdict)


@functools.lru_cache(maxsize=64)
def _dictionary(digest: str, dict_id: int, data: bytes) -> Dictionary:
    # Keyed by the dictionary's own sha256: ids repeat across archives, contents never lie.
    return Dictionary(dict_id, data)


def load_dictionary(conn: sqlite3.Connection, dict_id: int | None) -> Dictionary | None:
    if dict_id is None:
        return None
    row = conn.execute("SELECT sha256, data FROM blob_dicts WHERE dict_id = ?", (dict_id,)).fetchone()
    if row is None:
        raise ValueError(f"blob dictionary {dict_id} is missing from the archive")
    return _dictionary(row[0], dict_id, bytes(row[1]))


def site_dictionary(conn: sqlite3.Connection, site: str | None) -> Dictionary | None:
    """The newest dictionary trained for `site`, if any (new bodies of the site use it)."""
    if not site or not _has_dictionaries(conn):
        return None
    row = conn.execute("SELECT max(dict_id) FROM blob_dicts WHERE scope = ?", (site,)).fetchone()
    return load_dictionary(conn, row[0]) if row and row[0] is not None else None


def _has_dictionaries(conn: sqlite3.Connection) -> bool:
    return conn.execute("SELECT 1 FROM sqlite_master WHERE name = 'blob_dicts'").fetchone() is not None


def put(conn: sqlite3.Connection, data: bytes, digest: str | None = None, site: str | None = None
        ) -> tuple[str, bool]:
    """Store `data` unless its sha256 (given, or computed) is already there; return (sha256, stored_now)."""
    digest = digest or sha256(data)
    if conn.execute("SELECT 1 FROM blobs WHERE sha256 = ?", (digest,)).fetchone():
        return digest, False
    dictionary = site_dictionary(conn, site)
    conn.execute(
        "INSERT INTO blobs(sha256, size, compression, data, dict_id) VALUES (?, ?, ?, ?, ?)",
        (digest, len(data), COMPRESSION, compress(data, dictionary), dictionary and dictionary.dict_id),
    )
    return digest, True


def get(conn: sqlite3.Connection, digest: str) -> bytes | None:
    row = conn.execute("SELECT compression, data, dict_id FROM blobs WHERE sha256 = ?", (digest,)).fetchone()
    return None if row is None else decompress(row[0], row[1], load_dictionary(conn, row[2]))


def verify(conn: sqlite3.Connection):
    """Yield (sha256, problem) for every blob whose bytes no longer match their name."""
    for digest, method, size, data, dict_id in conn.execute(
            "SELECT sha256, compression, size, data, dict_id FROM blobs"):
        try:
            raw = decompress(method, data, load_dictionary(conn, dict_id))
        except Exception as exc:  # any decoder failure is a fixity failure to report
            yield digest, f"cannot decompress: {exc}"
            continue
        if len(raw) != size:
            yield digest, f"size {len(raw)} != recorded {size}"
        elif sha256(raw) != digest:
            yield digest, f"sha256 is {sha256(raw)}"


def fixity_report(conn: sqlite3.Connection) -> dict:
    """What `guifan verify` reports: blobs checked, the mismatches, SQLite's integrity check."""
    total = conn.execute("SELECT count(*) FROM blobs").fetchone()[0]
    bad = list(verify(conn))
    integrity = conn.execute("PRAGMA integrity_check").fetchone()[0]
    return {"blobs": total, "verified": total - len(bad), "mismatches": bad, "integrity_check": integrity,
            "ok": not bad and integrity == "ok"}


def train(conn: sqlite3.Connection, site: str, at: str, samples: int = TRAIN_SAMPLES) -> int | None:
    """Train and store a new dictionary for `site` from its newest bodies; None if too few."""
    rows = conn.execute(
        "SELECT b.compression, b.data, b.dict_id FROM blobs b WHERE b.sha256 IN "
        "(SELECT sha256 FROM captures WHERE site = ? ORDER BY capture_id DESC LIMIT ?)", (site, samples)).fetchall()
    bodies = [decompress(m, d, load_dictionary(conn, i)) for m, d, i in rows]
    if len(bodies) < MIN_SAMPLES:
        return None
    # A dictionary much larger than what it serves costs more than it saves.
    size = max(4096, min(DICT_SIZE, sum(map(len, bodies)) // 25))
    data = zstandard.train_dictionary(size, bodies, level=_LEVEL).as_bytes()
    cur = conn.execute("INSERT INTO blob_dicts(scope, trained_at, samples, size, sha256, data) "
                       "VALUES (?, ?, ?, ?, ?, ?)", (site, at, len(bodies), len(data), sha256(data), data))
    return cur.lastrowid


def recompress(conn: sqlite3.Connection, site: str, dict_id: int) -> tuple[int, int, int]:
    """Rewrite the site's blobs with dictionary `dict_id`, each only after its bytes check out.

    Returns (blobs rewritten, bytes before, bytes after). A body shared with another site
    is rewritten too: any dictionary decodes it the same, the sha256 proves it.
    """
    dictionary = load_dictionary(conn, dict_id)
    done = before = after = 0
    rows = conn.execute(
        "SELECT sha256, compression, data, dict_id FROM blobs WHERE sha256 IN "
        "(SELECT sha256 FROM captures WHERE site = ?) AND coalesce(dict_id, -1) != ?", (site, dict_id)).fetchall()
    for digest, method, data, old_dict in rows:
        raw = decompress(method, data, load_dictionary(conn, old_dict))
        if sha256(raw) != digest:
            raise ValueError(f"blob {digest} fails its fixity check; not recompressed (run guifan verify)")
        packed = compress(raw, dictionary)
        if len(packed) >= len(data) or decompress(COMPRESSION, packed, dictionary) != raw:
            continue
        conn.execute("UPDATE blobs SET compression = ?, data = ?, dict_id = ? WHERE sha256 = ?",
                     (COMPRESSION, packed, dict_id, digest))
        done, before, after = done + 1, before + len(data), after + len(packed)
    return done, before, after
