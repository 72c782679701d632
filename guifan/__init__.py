"""guifan: crawl Chinese county government portals into a versioned SQLite archive.

The one import name of the project: the design card's top-level folders install as
``guifan.parsers``, ``guifan.archive``, ``guifan.crawler`` and ``guifan.demo_portal``; the
command line lives in ``guifan.cli`` and ``guifan.commands``. This module stays tiny: every
layer imports it first, so it holds only the version, read from the package metadata.
"""
from importlib.metadata import PackageNotFoundError, version as _version

try:
    __version__ = _version("guifan")
except PackageNotFoundError:  # a source tree that was never installed
    __version__ = "0+unknown"
