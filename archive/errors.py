"""The one error type the archive raises, with a message fit for a one-line CLI error."""


class ArchiveError(Exception):
    """The archive file cannot be opened, created, read or written."""
