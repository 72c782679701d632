"""SQLite archive of captures and document versions (no Scrapy here)."""
from .errors import ArchiveError
from .models import KINDS, OUTCOMES, FetchResult
from .store import Archive, doc_id_for, open_archive

__all__ = ["Archive", "ArchiveError", "FetchResult", "KINDS", "OUTCOMES", "doc_id_for", "open_archive"]
