"""guifan: crawl Chinese county government portals into a versioned SQLite archive."""
__version__ = "0.1.0"
