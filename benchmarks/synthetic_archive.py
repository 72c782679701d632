"""Synthetic archives built from the demo portal's document templates (tests and benchmarks).

Documents go in through the store's real write path (``Archive.record_fetch`` with a
``FetchResult`` carrying a ``parsers.record.Document``), so the rows are exactly what a crawl
would leave. Every ``traditional_every``-th document is converted to Traditional script, the
way reprint sites publish, and every ``edit_every``-th gets a second, edited version.
"""
from __future__ import annotations

import dataclasses
import itertools
import datetime as dt
import random
from pathlib import Path
from typing import Callable, Iterator

from guifan.archive import Archive, FetchResult
from guifan.demo_portal import catalog
from guifan.demo_portal.world import ALL_SITES, SITE_OBJECTS

# The demo templates' eight sites (not the simulated province): the mix the figures were measured on.
SITES = [SITE_OBJECTS[name] for name in ALL_SITES]
from guifan.parsers.record import Attachment, Document

EDIT_SUFFIX = "本文件由县人民政府办公室负责解释。"


def _to_traditional() -> Callable[[str], str]:
    import opencc

    return opencc.OpenCC("s2t").convert


def synthetic_documents(n: int, *, seed: str = "guifan", traditional_every: int = 7) -> Iterator[tuple[str, Document]]:
    """(site, Document) pairs from the demo templates; deterministic for a seed."""
    sites = SITES
    to_trad = _to_traditional() if traditional_every else None
    rng = random.Random(seed)
    for i in range(n):
        site = sites[i % len(sites)]
        col = site.columns[(i // len(sites)) % len(site.columns)]
        published = dt.date(2015, 1, 1) + dt.timedelta(days=rng.randrange(3400))
        entry = catalog._make_entry(site, col, published, 100_000 + i, None, f"{seed}/{i}")
        doc = _document(entry.doc)
        if to_trad and i % traditional_every == traditional_every - 1:
            doc.title, doc.body = to_trad(doc.title), to_trad(doc.body)
            doc.quality_flags = ["traditional_script"]
        yield site.name, doc


def _document(demo) -> Document:
    base = SITE_OBJECTS[demo.site]
    url = f"http://{demo.site}.example.invalid{demo.path}"
    fields = {f.name for f in dataclasses.fields(Document)}
    values = {k: v for k, v in dataclasses.asdict(demo).items() if k in fields}
    values.update(url=url, site=None, encoding=base.encoding, body=demo.body,
                  attachments=[Attachment(name, f"http://{demo.site}.example.invalid{path}")
                               for name, path in demo.attachments])
    return Document(**values)


def build_archive(path: str | Path, n: int, *, seed: str = "guifan", traditional_every: int = 7,
                  edit_every: int = 11, extra: list[tuple[str, Document]] = (),
                  progress: Callable[[int], None] | None = None) -> Path:
    """Write ``n`` synthetic documents (plus ``extra``) into a new archive at ``path``."""
    path = Path(path)
    with Archive(path) as archive:
        for site in SITES:
            archive.upsert_site({"name": site.name, "name_zh": site.name_zh, "region": site.region,
                                 "admin_code": site.admin_code, "platform": site.platform})
        run_id = archive.start_run(list(ALL_SITES))
        docs = itertools.chain(extra, synthetic_documents(n, seed=seed, traditional_every=traditional_every))
        for i, (site, doc) in enumerate(docs):
            _record(archive, run_id, site, doc, "2024-03-15T08:00:00.000Z")
            if edit_every and i % edit_every == edit_every - 1:
                edited = dataclasses.replace(doc, body=doc.body + "\n" + EDIT_SUFFIX)
                _record(archive, run_id, site, edited, "2024-03-16T08:00:00.000Z")
            if progress and i % 1000 == 999:
                progress(i + 1)
        archive.finish_run(run_id, "completed")
    return path


def _record(archive: Archive, run_id: int, site: str, doc: Document, at: str) -> None:
    page = f"<html><head><title>{doc.title}</title></head><body>{doc.body}</body></html>"
    archive.record_fetch(run_id, FetchResult(
        site=site, kind="detail", url=doc.url, final_url=doc.url, status=200,
        response_headers=[("Content-Type", "text/html; charset=utf-8")], body=page.encode("utf-8"),
        fetched_at=at, document=dataclasses.replace(doc)))
