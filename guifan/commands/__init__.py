"""Subcommands, in the order `guifan --help` lists them.

Each command is a module under `guifan.commands` with `add(subparsers)` registering its
parser and a handler doing the work through the Python API. The table below names them
with their one-line help, so that `guifan --help` lists every command without importing
any, and `guifan CMD …` imports only CMD's module (and that module only what CMD needs).
"""
COMMANDS = (
    ("demo", "serve the bundled demo portal and crawl it into an archive"),
    ("crawl", "crawl configured sites into the archive"),
    ("parse", "extract saved pages to JSON, one line per file"),
    ("sites", "list sites (profiles and every county-level unit), select by region, count; check one"),
    ("search", "full-text search of the archive (Chinese, either script)"),
    ("index", "build or check the search index (`guifan search` does it when needed)"),
    ("show", "show a document's current (or past) version"),
    ("validity", "a document's computed validity on a day, with its evidence"),
    ("links", "a document's links: cites, cited by, repeals, repealed by, amends, extended by"),
    ("reprints", "a document's reprints and near-copies across sites, in order; --pairs exports every pair"),
    ("clusters", "reprint families (exact, 转发 and adapted copies) across sites"),
    ("history", "a document's versions and events over time"),
    ("diff", "compare two versions of a document (default: the last two)"),
    ("export", "export document versions as CSV, JSON, JSON Lines or WARC"),
    ("serve", "browse and search the archive in Datasette (read-only)"),
    ("verify", "check the fixity of every stored raw body"),
    ("compact", "recompress raw bodies with per-site zstd dictionaries (fixity kept)"),
    ("reparse", "re-extract stored captures with the current parsers"),
    ("runs", "list crawl runs with their counts"),
    ("report", "report one run: per-site counts, completeness, errors; --html for charts"),
    ("schedule", "run crawls on cron schedules, or export them for cron/systemd"),
    ("worker", "crawl as a distributed worker (scrapy-redis); see `guifan ingest`"),
    ("ingest", "write items from distributed workers (Redis) into the archive"),
)
# Commands whose parser lives in another command's module.
MODULE_OF = {"index": "search", "clusters": "reprints"}
HELP = dict(COMMANDS)


def module_name(command: str) -> str:
    return f"guifan.commands.{MODULE_OF.get(command, command)}"
