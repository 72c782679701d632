"""The Document record: the one definition of every field name.

The names are a contract shared by the CLI's JSON, CSV columns and the archive's SQL
views (see docs/design.md). Everything that needs a field name takes it from here.
"""
from __future__ import annotations

from dataclasses import dataclass, field, fields

from .vocabulary import VALIDITY_VALUES  # noqa: F401  (defined once there; imported from here too)

# Quality flags: what a record says about its own extraction (docs/design.md). The one list;
# the parser, filters, CLI and UI take the names from here.
UNDECODABLE_BYTES = "undecodable_bytes"    # some bytes could not be decoded (reported, not replaced)
TRUNCATED = "truncated"                    # part of the page was too large or too deep to parse
CHALLENGE_PAGE = "challenge_page"          # an anti-bot wall, not the document
PINYIN_ANNOTATIONS = "pinyin_annotations"  # a reprint's 建設(shè) artefacts were removed
TRADITIONAL_SCRIPT = "traditional_script"  # the text is in Traditional characters
EMPTY_BODY = "empty_body"                  # no body text was found
ATTACHMENT_ONLY = "attachment_only"        # the page is a cover line over its attachment(s) (parsers/cover.py)
OCR = "ocr"                                # text read from images by OCR
QUALITY_FLAGS: tuple[str, ...] = (UNDECODABLE_BYTES, TRUNCATED, CHALLENGE_PAGE, PINYIN_ANNOTATIONS,
                                  TRADITIONAL_SCRIPT, EMPTY_BODY, ATTACHMENT_ONLY, OCR)


@dataclass(frozen=True)
class Attachment:
    name: str
    url: str


@dataclass
class Document:
    """One extracted detail page. Archive-assigned fields stay None until stored."""

    doc_id: str | None = None
    version: int | None = None
    site: str | None = None
    url: str = ""
    title: str = ""
    index_no: str | None = None
    doc_number: str | None = None
    issuer: str | None = None
    written_date: str | None = None
    published_date: str | None = None
    validity: str = "unknown"
    topic: str | None = None
    doc_type: str | None = None
    body: str = ""
    attachments: list[Attachment] = field(default_factory=list)
    encoding: str | None = None
    quality_flags: list[str] = field(default_factory=list)
    # Read from the text (parsers.validity_clauses): derived from body and dates, so not content.
    effective_date: str | None = None
    expiry_date: str | None = None
    validity_clauses: list[str] = field(default_factory=list)
    # Beside the normalised fields: what the page literally said.
    doc_number_raw: str | None = None
    raw_meta: dict[str, str] = field(default_factory=dict)

    def to_dict(self) -> dict:
        # Shallow on purpose: asdict's deep copy dominated the archive's ingest time.
        data = {f.name: getattr(self, f.name) for f in fields(self)}
        data["attachments"] = [{"name": a.name, "url": a.url} for a in self.attachments]
        data["quality_flags"] = list(self.quality_flags)
        data["validity_clauses"] = list(self.validity_clauses)
        data["raw_meta"] = dict(self.raw_meta)
        return data

    @classmethod
    def from_dict(cls, data: dict) -> "Document":
        known = {f.name for f in fields(cls)}
        values = {k: v for k, v in data.items() if k in known}
        values["attachments"] = [
            a if isinstance(a, Attachment) else Attachment(**a) for a in values.get("attachments") or []
        ]
        return cls(**values)


# The contract of docs/design.md, in order. CLI JSON, CSV and the `current` view use these names.
RECORD_FIELDS: tuple[str, ...] = (
    "doc_id", "version", "site", "url", "title", "index_no", "doc_number", "issuer",
    "written_date", "published_date", "validity", "topic", "doc_type", "body",
    "attachments", "encoding", "quality_flags", "effective_date", "expiry_date", "validity_clauses",
)
# Read from other fields (the body, the dates) by the parsers: a better reader must never look
# like a change at the source, so they are not content and the archive derives them itself.
DERIVED_FIELDS: tuple[str, ...] = ("effective_date", "expiry_date", "validity_clauses")
# Fields whose change at the source makes a new version (archive-assigned and derived ones excluded).
CONTENT_FIELDS: tuple[str, ...] = tuple(f for f in RECORD_FIELDS
                                        if f not in ("doc_id", "version", "site", "encoding") + DERIVED_FIELDS)
