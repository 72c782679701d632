"""Subcommands, in the order `guifan --help` lists them."""
from . import (crawl, demo, diff, export, history, ingest, parse, report, reparse, runs, schedule, search, serve, show,
               sites, verify, worker)

COMMANDS = (demo, crawl, parse, sites, search, show, history, diff, export, serve, verify, reparse, runs, report,
            schedule, worker, ingest)
