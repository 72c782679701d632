"""The one error type the archive raises, with a message fit for a one-line CLI error."""


class ArchiveError(Exception):
    """The archive file cannot be opened, created, read or written."""


class ArchiveFull(ArchiveError):
    """A write failed because the file system (or SQLite's size limit) is full."""


class ArchiveLocked(ArchiveError):
    """Another process held the archive's write lock for longer than we would wait."""
