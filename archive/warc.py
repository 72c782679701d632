"""Export the fetch log as WARC 1.1 (warcio): a warcinfo record, then for every exchange
that has a capture a request record and a response record — or an identical-payload
revisit record when those bytes were already written (a refetch, or a copy at another URL).

A fetch that went through redirects gets a response record for each hop first (its 3xx
status, headers with the Location, and body as served, from ``redirect_hops``), so a replay
tool follows a list page's link to the page it lands on. Archives written before hops were
kept know only the chain of URLs: those hops are written as ``302 Found`` with the Location
the chain implies and a ``Guifan-Hop: reconstructed …`` header saying so. A 304 answer (the
server confirming the page unchanged) becomes a ``revisit`` record with the
server-not-modified profile, referring to the URL's latest response record.
"""
from __future__ import annotations

import json
from dataclasses import dataclass, field
from http import HTTPStatus
from io import BytesIO
from pathlib import Path
from urllib.parse import urljoin, urlsplit

from warcio.statusandheaders import StatusAndHeaders
from warcio.warcwriter import WARCWriter

from guifan import __version__

from . import blobs
from .store import Archive

# The archive keeps entity bodies as the HTTP client delivered them (decompressed), so the
# transfer-level headers that described the wire form no longer apply to the payload.
_WIRE_HEADERS = {"content-encoding", "transfer-encoding", "content-length"}
NOT_MODIFIED_PROFILE = "http://netpreserve.org/warc/1.1/revisit/server-not-modified"


def export_warc(archive: Archive, out: str | Path, sites: list[str] | None = None, progress=None) -> int:
    """Write every captured exchange (of `sites`, or all) to the file `out`, in fetch order.

    A name ending in .gz gets per-record gzip, as WARC tools expect. Returns the number of
    exchanges written.
    """
    with open(out, "wb") as fh:
        return write_warc(archive, fh, Path(out).name, sites, progress)


@dataclass
class _State:
    hops: bool                                          # the archive has a redirect_hops table
    first_seen: dict = field(default_factory=dict)      # sha256 -> (payload digest, uri, date)
    last_response: dict = field(default_factory=dict)   # uri -> date of its latest response record


def write_warc(archive: Archive, fh, filename: str, sites: list[str] | None = None, progress=None) -> int:
    where = f"AND u.site IN ({','.join('?' * len(sites))})" if sites else ""
    rows = archive.conn.execute(
        "SELECT f.fetch_id, f.at AS exchanged_at, u.url AS fetch_url, c.* FROM fetches f "
        "JOIN urls u ON u.url_id = f.url_id LEFT JOIN captures c ON c.capture_id = f.capture_id "
        f"WHERE (f.capture_id IS NOT NULL OR f.status = 304) {where} ORDER BY f.fetch_id", tuple(sites or ()))
    writer = WARCWriter(fh, gzip=filename.endswith(".gz"), warc_version="1.1")
    writer.write_record(_warcinfo(writer, archive, filename))
    state = _State(hops=archive.conn.execute(
        "SELECT 1 FROM sqlite_master WHERE name = 'redirect_hops'").fetchone() is not None)
    written = 0
    for row in rows:
        records = _capture_records if row["capture_id"] is not None else _not_modified_records
        for record in records(writer, archive, row, state):
            writer.write_record(record)
        written += 1
        if progress:
            progress(written)
    return written


def _warcinfo(writer, archive: Archive, filename: str):
    info = {
        "software": f"guifan/{__version__} (warcio)",
        "format": "WARC File Format 1.1",
        "description": f"captures exported from the guifan archive {archive.path.name}",
        "robots": "obey",
    }
    return writer.create_warcinfo_record(filename, info)


def _capture_records(writer, archive: Archive, row, state: _State):
    yield from _hop_records(writer, archive, row, state)
    url, date = row["final_url"], row["exchanged_at"]
    response_headers = _http_response_headers(row)
    if row["sha256"] in state.first_seen:
        digest, ref_uri, ref_date = state.first_seen[row["sha256"]]
        response = writer.create_revisit_record(url, digest, ref_uri, ref_date, http_headers=response_headers,
                                                warc_headers_dict={"WARC-Date": date})
    else:
        body = blobs.get(archive.conn, row["sha256"])
        response_headers.replace_header("Content-Length", str(len(body)))
        response = writer.create_warc_record(url, "response", payload=BytesIO(body), length=len(body),
                                             http_headers=response_headers,
                                             warc_headers_dict={"WARC-Date": date})
        state.first_seen[row["sha256"]] = (response.rec_headers.get_header("WARC-Payload-Digest"), url, date)
    state.last_response[url] = date
    yield response
    yield writer.create_warc_record(
        url, "request", http_headers=_http_request_headers(row, url),
        warc_headers_dict={"WARC-Date": date,
                           "WARC-Concurrent-To": response.rec_headers.get_header("WARC-Record-ID")})


def _hops(archive: Archive, row, state: _State) -> list[tuple]:
    """(url, status, headers, body, reconstructed) of each redirect answer before the final one."""
    stored = archive.conn.execute(
        "SELECT url, status, response_headers, sha256 FROM redirect_hops WHERE fetch_id = ? ORDER BY position",
        (row["fetch_id"],)).fetchall() if state.hops else []
    if stored:
        return [(h["url"], h["status"], json.loads(h["response_headers"]),
                 blobs.get(archive.conn, h["sha256"]) if h["sha256"] else b"", False) for h in stored]
    chain = json.loads(row["redirects"] or "[]") + [row["final_url"]]
    return [(u, 302, [("Location", after)], b"", True) for u, after in zip(chain, chain[1:])]


def _landing(hops: list[tuple], url: str) -> str:
    """Where the last redirect answer sent the client (its Location), or url without redirects."""
    if not hops:
        return url
    last_url, _, headers, _, _ = hops[-1]
    location = next((v for k, v in headers if k.lower() == "location"), "")
    return urljoin(last_url, location.strip()) if location else url


def _hop_records(writer, archive: Archive, row, state: _State, hops: list[tuple] | None = None):
    """A response record per redirect answer before the final one (as kept, or reconstructed)."""
    for url, status, headers, body, reconstructed in (_hops(archive, row, state) if hops is None else hops):
        http = _status_and_headers(status, headers)
        http.replace_header("Content-Length", str(len(body)))
        if reconstructed:
            http.add_header("Guifan-Hop", "reconstructed (this archive kept the URLs, not the answer)")
        response = writer.create_warc_record(url, "response", payload=BytesIO(body), length=len(body),
                                             http_headers=http, warc_headers_dict={"WARC-Date": row["exchanged_at"]})
        yield response
        yield writer.create_warc_record(
            url, "request", http_headers=_http_request_headers(row, url),
            warc_headers_dict={"WARC-Date": row["exchanged_at"],
                               "WARC-Concurrent-To": response.rec_headers.get_header("WARC-Record-ID")})


def _not_modified_records(writer, archive: Archive, row, state: _State):
    """A 304 (after any redirects): the server confirmed that the copy it refers to is still what it serves."""
    hops = _hops(archive, row, state)
    yield from _hop_records(writer, archive, row, state, hops)
    url, date = _landing(hops, row["fetch_url"]), row["exchanged_at"]
    warc = {"WARC-Date": date, "WARC-Profile": NOT_MODIFIED_PROFILE}
    if url in state.last_response:
        warc.update({"WARC-Refers-To-Target-URI": url, "WARC-Refers-To-Date": state.last_response[url]})
    # No HTTP block: the profile says what the answer was (a 304), and a replay tool then serves
    # the copy referred to; pywb replays a revisit whose own status is 3xx as that status.
    yield writer.create_warc_record(url, "revisit", warc_headers_dict=warc)


def _http_response_headers(row) -> StatusAndHeaders:
    return _status_and_headers(row["status"], json.loads(row["response_headers"]))


def _status_and_headers(status: int, headers) -> StatusAndHeaders:
    try:
        phrase = HTTPStatus(status).phrase
    except ValueError:
        phrase = "Unknown"
    kept = [(k, v) for k, v in headers if k.lower() not in _WIRE_HEADERS]
    return StatusAndHeaders(f"{status} {phrase}", kept, protocol="HTTP/1.1")


def _http_request_headers(row, url: str) -> StatusAndHeaders:
    parts = urlsplit(url)
    target = (parts.path or "/") + (f"?{parts.query}" if parts.query else "")
    headers = [(k, v) for k, v in json.loads(row["request_headers"]) if k.lower() != "host"]
    headers.insert(0, ("Host", parts.netloc))
    return StatusAndHeaders(f"{row['method']} {target} HTTP/1.1", headers, protocol="HTTP/1.1",
                            is_http_request=True)
