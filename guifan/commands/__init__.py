"""Subcommands, in the order `guifan --help` lists them."""
from . import crawl, demo, diff, export, history, parse, report, reparse, runs, search, serve, show, sites, verify

COMMANDS = (demo, crawl, parse, sites, search, show, history, diff, export, serve, verify, reparse, runs, report)
