"""Size limits shared by the crawler's settings and `guifan parse` (imports nothing, so the
parse command can read them without loading the crawl's settings)."""

DOWNLOAD_MAXSIZE = 64 * 1024 * 1024    # a body larger than this is not kept: `too_large`
DOWNLOAD_WARNSIZE = 16 * 1024 * 1024
