"""guifan: crawl Chinese county government portals into a versioned SQLite archive.

The one import name of the project: the design card's top-level folders install as
``guifan.parsers``, ``guifan.archive``, ``guifan.crawler`` and ``guifan.demo_portal``; the
command line lives in ``guifan.cli`` and ``guifan.commands``. This module stays tiny: every
layer imports it first, so it holds only the version, read from the package metadata when
first asked for (reading the metadata costs ~20 ms that `guifan parse` need not pay).
"""


def __getattr__(name: str):
    if name != "__version__":
        raise AttributeError(f"module 'guifan' has no attribute {name!r}")
    from importlib.metadata import PackageNotFoundError, version

    try:
        value = version("guifan")
    except PackageNotFoundError:  # a source tree that was never installed
        value = "0+unknown"
    globals()["__version__"] = value
    return value
