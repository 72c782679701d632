"""Export the fetch log as WARC 1.1 (warcio): a warcinfo record, then for every exchange
that has a capture a request record and a response record — or an identical-payload
revisit record when those bytes were already written (a refetch, or a copy at another URL)."""
from __future__ import annotations

import json
from http import HTTPStatus
from io import BytesIO
from pathlib import Path
from urllib.parse import urlsplit

from warcio.statusandheaders import StatusAndHeaders
from warcio.warcwriter import WARCWriter

from guifan import __version__

from . import blobs
from .store import Archive

# The archive keeps entity bodies as the HTTP client delivered them (decompressed), so the
# transfer-level headers that described the wire form no longer apply to the payload.
_WIRE_HEADERS = {"content-encoding", "transfer-encoding", "content-length"}


def export_warc(archive: Archive, out: str | Path, sites: list[str] | None = None, progress=None) -> int:
    """Write every captured exchange (of `sites`, or all) to the file `out`, in fetch order.

    A name ending in .gz gets per-record gzip, as WARC tools expect. Returns the number of
    exchanges written.
    """
    with open(out, "wb") as fh:
        return write_warc(archive, fh, Path(out).name, sites, progress)


def write_warc(archive: Archive, fh, filename: str, sites: list[str] | None = None, progress=None) -> int:
    where = f"WHERE c.site IN ({','.join('?' * len(sites))})" if sites else ""
    rows = archive.conn.execute(
        "SELECT c.*, f.at AS exchanged_at FROM fetches f JOIN captures c USING (capture_id) "
        f"{where} ORDER BY f.fetch_id", tuple(sites or ()))
    writer = WARCWriter(fh, gzip=filename.endswith(".gz"), warc_version="1.1")
    writer.write_record(_warcinfo(writer, archive, filename))
    first_seen: dict[str, tuple[str, str, str]] = {}
    written = 0
    for row in rows:
        for record in _capture_records(writer, archive, row, first_seen):
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


def _capture_records(writer, archive: Archive, row, first_seen: dict):
    url, date = row["final_url"], row["exchanged_at"]
    response_headers = _http_response_headers(row)
    if row["sha256"] in first_seen:
        digest, ref_uri, ref_date = first_seen[row["sha256"]]
        response = writer.create_revisit_record(url, digest, ref_uri, ref_date, http_headers=response_headers,
                                                warc_headers_dict={"WARC-Date": date})
    else:
        body = blobs.get(archive.conn, row["sha256"])
        response_headers.replace_header("Content-Length", str(len(body)))
        response = writer.create_warc_record(url, "response", payload=BytesIO(body), length=len(body),
                                             http_headers=response_headers,
                                             warc_headers_dict={"WARC-Date": date})
        first_seen[row["sha256"]] = (response.rec_headers.get_header("WARC-Payload-Digest"), url, date)
    request = writer.create_warc_record(
        url, "request", http_headers=_http_request_headers(row),
        warc_headers_dict={"WARC-Date": date,
                           "WARC-Concurrent-To": response.rec_headers.get_header("WARC-Record-ID")})
    return response, request


def _http_response_headers(row) -> StatusAndHeaders:
    status = row["status"]
    try:
        phrase = HTTPStatus(status).phrase
    except ValueError:
        phrase = "Unknown"
    headers = [(k, v) for k, v in json.loads(row["response_headers"]) if k.lower() not in _WIRE_HEADERS]
    return StatusAndHeaders(f"{status} {phrase}", headers, protocol="HTTP/1.1")


def _http_request_headers(row) -> StatusAndHeaders:
    parts = urlsplit(row["final_url"])
    target = (parts.path or "/") + (f"?{parts.query}" if parts.query else "")
    headers = json.loads(row["request_headers"])
    if not any(k.lower() == "host" for k, _ in headers):
        headers.insert(0, ("Host", parts.netloc))
    return StatusAndHeaders(f"{row['method']} {target} HTTP/1.1", headers, protocol="HTTP/1.1",
                            is_http_request=True)
