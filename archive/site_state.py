"""What a crawl of one site needs to know from earlier runs, read in one go."""
from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from .store import open_archive


@dataclass(frozen=True)
class SiteState:
    validators: dict[str, dict[str, str]] = field(default_factory=dict)  # url -> etag/last-modified
    live_urls: list[str] = field(default_factory=list)                   # live documents' pages
    gone_urls: frozenset[str] = frozenset()                              # tombstoned documents' pages
    detail_fetches: list[tuple] = field(default_factory=list)            # (url, final_url, outcome, at), oldest first
    # On the portals the site is crawled on: documents other sites hold (a shared portal), url -> site.
    others_documents: dict[str, str] = field(default_factory=dict)


def site_state(db: str | Path | None, site: str, conditional: bool = True, fetch_log: bool = True,
               url_prefixes: list[str] = ()) -> SiteState:
    """The site's state in the archive at `db` (empty for a new archive); the fetch log only
    when asked (revisit scheduling needs it, and it grows with every run); the documents of
    other sites under `url_prefixes` (the origins it is crawled on)."""
    if not db or not Path(db).exists():
        return SiteState()
    with open_archive(db) as archive:
        rows = archive.conn.execute(
            "SELECT u.url, c.final_url, f.outcome, f.at FROM fetches f JOIN urls u USING (url_id) "
            "LEFT JOIN captures c ON c.capture_id = f.capture_id "
            "WHERE u.site = ? AND f.kind = 'detail' ORDER BY f.fetch_id", (site,)).fetchall() if fetch_log else []
        gone = archive.conn.execute("SELECT url FROM documents WHERE site = ? AND status = 'gone'", (site,))
        return SiteState(validators=archive.validators(site) if conditional else {},
                         live_urls=archive.live_urls(site), gone_urls=frozenset(r[0] for r in gone),
                         detail_fetches=[tuple(r) for r in rows],
                         others_documents=archive.document_owners(list(url_prefixes), site))
