"""Metadata a list gives about a document (gkmlpt's API, a list's 文号 column …).

The detail page stays the authority: list values only fill fields the page left empty,
and what the list said is kept in raw_meta under `list:` labels for provenance, so that a
re-parse of the stored capture years later can apply it again (`stored_list_metadata`).
"""
from __future__ import annotations

from .normalise import normalise_date, normalise_doc_number, normalise_validity
from .record import VALIDITY_VALUES, Document

LIST_FIELDS = ("title", "index_no", "doc_number", "issuer", "written_date", "published_date", "validity", "topic")


def _normalised(name: str, value: str) -> str | None:
    if name in ("written_date", "published_date"):
        return normalise_date(value)
    if name == "validity":
        return value if value in VALIDITY_VALUES else normalise_validity(value)
    return value.strip() or None


def _missing(doc: Document, name: str) -> bool:
    value = getattr(doc, name)
    return value in (None, "") or (name == "validity" and value == "unknown")


def fill_from_list(doc: Document, meta: dict[str, str] | None) -> list[str]:
    """Fill the fields the page lacked from the list's metadata; return the names filled."""
    filled = []
    for name, value in (meta or {}).items():
        if name not in LIST_FIELDS or not value:
            continue
        doc.raw_meta.setdefault(f"list:{name}", str(value))
        new = _normalised(name, str(value))
        if not new or new == "unknown" or not _missing(doc, name):
            continue
        if name == "doc_number":
            doc.doc_number_raw, new = new, normalise_doc_number(new)
        setattr(doc, name, new)
        filled.append(name)
    return filled


def stored_list_metadata(raw_meta: dict[str, str]) -> dict[str, str]:
    """The list's metadata as `fill_from_list` recorded it in raw_meta."""
    return {k[5:]: v for k, v in raw_meta.items() if k.startswith("list:") and k[5:] in LIST_FIELDS}
