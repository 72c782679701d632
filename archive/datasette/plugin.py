"""The guifan Datasette plugin: Chinese query conversion as SQL functions, search and document pages.

Everything here reads: pages run on Datasette's read-only connections (``mode=ro``) and
the SQL functions are pure.
"""
from __future__ import annotations

import asyncio
import html
import json
import sqlite3
from urllib.parse import quote, urlencode

from datasette import hookimpl
from datasette.utils.asgi import AsgiStream, Response
from markupsafe import Markup

from .. import export, search
from . import csv_guard, read_only_uri
from ..doc_filters import DocFilters, split_list
from guifan.parsers.attachments import web_url

from ..errors import ArchiveError
from .metadata import DB_NAME, LABELS, VALIDITY_LABELS

PAGE_SIZE = 20
DOC_FIELDS = ("doc_number", "issuer", "written_date", "published_date", "validity", "doc_type", "topic",
              "index_no", "site", "url")


def guifan_match(text):
    """SQL: the FTS5 expression for a user's query (errors read as one clear sentence)."""
    try:
        return search.parse_query(text or "").fts()
    except search.QueryError as exc:
        raise ValueError(str(exc)) from None


def guifan_snippet(text, query):
    try:
        return search.html_snippet(text or "", search.parse_query(query or "").terms())
    except search.QueryError:
        return html.escape((text or "")[:120])


@hookimpl
def prepare_connection(conn):
    search.tune_connection(conn)
    conn.create_function("guifan_match", 1, guifan_match, deterministic=True)
    conn.create_function("guifan_snippet", 2, guifan_snippet, deterministic=True)
    conn.create_function("guifan_normalise", 1, lambda t: search.cjk_text.normalise(t or ""), deterministic=True)


@hookimpl
def render_cell(value, column, table, database):
    if column == "snippet" and table is None and isinstance(value, str):
        # Any ?sql= query can name a column `snippet`: only text and <mark> may come out of it.
        return Markup(search.inert_marked_html(value))
    if column == "doc_id" and isinstance(value, str) and database == DB_NAME:
        return Markup(f'<a href="{html.escape(_document_href(value))}">{html.escape(value)}</a>')
    return None


def _document_href(doc_id: str) -> str:
    return "/-/document/" + quote(doc_id, safe="")


@hookimpl
def asgi_wrapper(datasette):
    # Every .csv link Datasette offers (table, view, ?sql= query) is neutralised as it streams.
    return csv_guard.wrap


@hookimpl
def menu_links():
    return [{"href": "/-/search", "label": "全文检索 · Search"}]


@hookimpl
def register_routes():
    return [(r"^/-/search$", search_page), (r"^/-/document/(?P<doc_id>[^/]+)$", document_page),
            (r"^/-/export\.(?P<fmt>csv|jsonl)$", export_page)]


@hookimpl
def extra_template_vars():
    return {"guifan_labels": LABELS, "validity_labels": VALIDITY_LABELS}


def _filters(args) -> DocFilters:
    return DocFilters(sites=split_list(args.getlist("site")), region=args.get("region") or None,
                      issuer=args.get("issuer") or None, doc_types=split_list(args.getlist("doc_type")),
                      validity=split_list(args.getlist("validity")), date_from=args.get("from") or None,
                      date_to=args.get("to") or None, all_versions=bool(args.get("all_versions")),
                      as_of=args.get("as_of") or None, validity_label=bool(args.get("validity_label")))


async def search_page(datasette, request):
    args = request.args
    q = (args.get("q") or "").strip()
    page = max(1, int(args.get("page") or 1)) if (args.get("page") or "1").isdigit() else 1
    db = datasette.get_database(DB_NAME)
    context = {"q": q, "args": args, "hits": [], "error": None, "total": None, "page": page, "estimate": False,
               "choices": await db.execute_fn(_choices), "pending": 0}

    def run(conn):
        if not search.has_index(conn):
            raise ArchiveError("this archive has no search index yet: run `guifan index` (or restart "
                               "`guifan serve` without --no-index)")
        results = search.search(conn, q, _filters(args), limit=PAGE_SIZE, offset=(page - 1) * PAGE_SIZE,
                                count=True, marks=("<mark>", "</mark>"), escape=html.escape, refresh_index=False)
        return results, search.pending(conn)

    if q:
        try:
            results, context["pending"] = await db.execute_fn(run)
            context.update(hits=[_hit_view(h) for h in results.hits], total=results.total,
                           estimate=results.total_is_estimate)
        except ArchiveError as exc:
            context["error"] = str(exc)
        context["next_url"] = _page_url(args, page + 1) if context["total"] and page * PAGE_SIZE < context["total"] else None
        context["prev_url"] = _page_url(args, page - 1) if page > 1 else None
        query = urlencode([(k, v) for k in args.keys() for v in args.getlist(k) if k != "page"])
        context["export_csv"], context["export_jsonl"] = f"/-/export.csv?{query}", f"/-/export.jsonl?{query}"
    return Response.html(await datasette.render_template("guifan_search.html", context, request=request))


def _hit_view(hit) -> dict:
    f = dict(hit.fields)
    f["snippet"] = Markup(search.inert_marked_html(hit.snippet))
    f["validity_label"] = VALIDITY_LABELS.get(f["validity"], f["validity"])
    f["href"] = _document_href(f["doc_id"]) + ("" if f["version"] == f["current_version"] else f"?version={f['version']}")
    return f


async def export_page(datasette, request):
    """The search page's query and filters as an Excel-safe CSV (BOM) or JSONL download, streamed.

    Datasette's own .csv has no BOM, so Excel shows it as mojibake; this one opens cleanly.
    A dedicated read-only connection feeds the stream one chunk at a time from a worker thread.
    """
    fmt = request.url_vars["fmt"]
    args = request.args
    try:
        filters = _filters(args)
        match = search.parse_query(args["q"]).fts() if (args.get("q") or "").strip() else None
    except ArchiveError as exc:
        return Response.text(f"guifan: error: {exc}\n", status=400)
    path = datasette.get_database(DB_NAME).path

    async def stream(writer):
        loop = asyncio.get_running_loop()
        conn = sqlite3.connect(read_only_uri(path), uri=True, check_same_thread=False)
        try:
            chunks = export.iter_chunks(export.iter_rows(conn, filters, match), fmt, bom=not args.get("no_bom"))
            while (chunk := await loop.run_in_executor(None, next, chunks, None)) is not None:
                # AsgiWriter.write() takes str; the chunks are already UTF-8 bytes.
                await writer.send({"type": "http.response.body", "body": chunk, "more_body": True})
        finally:
            conn.close()

    content_type = "text/csv; charset=utf-8" if fmt == "csv" else "application/x-ndjson; charset=utf-8"
    disposition = f'attachment; filename="guifan-export.{fmt}"'
    return AsgiStream(stream, headers={"content-disposition": disposition}, content_type=content_type)


def _page_url(args, page: int) -> str:
    pairs = [(k, v) for k in args.keys() for v in args.getlist(k) if k != "page"] + [("page", str(page))]
    return "/-/search?" + urlencode(pairs)


def _choices(conn) -> dict:
    """Values for the filter drop-downs (small: sites, 文种 and validity values)."""
    def distinct(sql):
        return [r[0] for r in conn.execute(sql) if r[0]]
    return {"site": distinct("SELECT name FROM sites ORDER BY name"),
            "doc_type": distinct("SELECT DISTINCT doc_type FROM versions ORDER BY doc_type"),
            "validity": list(VALIDITY_LABELS)}


async def document_page(datasette, request):
    doc_id = request.url_vars["doc_id"]
    wanted = request.args.get("version")
    db = datasette.get_database(DB_NAME)
    data = await db.execute_fn(lambda conn: _load_document(conn, doc_id))
    if data is None:
        return Response.html(await datasette.render_template(
            "guifan_document.html", {"missing": doc_id}, request=request), status=404)
    document, versions = data
    shown = next((v for v in versions if str(v["version"]) == wanted), None) or \
        next(v for v in versions if v["version"] == document["current_version"])
    context = {"document": document, "versions": versions, "shown": shown,
               "fields": [(f, LABELS[f], shown.get(f)) for f in DOC_FIELDS],
               "url_href": web_url(shown.get("url")),
               "paragraphs": (shown["body"] or "").split("\n"),
               "attachments": _attachment_links(shown["attachments"]),
               "validity_labels": VALIDITY_LABELS, "missing": None}
    return Response.html(await datasette.render_template("guifan_document.html", context, request=request))


def _attachment_links(stored: str | None) -> list[dict]:
    """{name, url, href}: href only for an http(s) URL. An archive may come from anywhere (or
    from a guifan that kept `JAVASCRIPT:` links), so a stored URL is never trusted as a link."""
    try:
        items = json.loads(stored or "[]")
    except ValueError:
        return []
    return [{"name": str(a.get("name") or ""), "url": str(a.get("url") or ""),
             "href": web_url(str(a.get("url") or ""))}
            for a in items if isinstance(a, dict)]


def _load_document(conn, doc_id: str):
    cur = conn.execute("SELECT * FROM documents WHERE doc_id = ?", (doc_id,))
    row = cur.fetchone()
    if row is None:
        return None
    document = dict(zip([c[0] for c in cur.description], row))
    cur = conn.execute(
        "SELECT v.*, c.sha256, c.fetched_at AS captured_at FROM versions v "
        "LEFT JOIN captures c ON c.capture_id = v.capture_id WHERE v.doc_id = ? ORDER BY v.version DESC",
        (doc_id,))
    names = [c[0] for c in cur.description]
    versions = [dict(zip(names, r)) for r in cur.fetchall()]
    for v in versions:
        v["changed"] = ", ".join(json.loads(v["changed_fields"] or "[]"))
    return document, versions
