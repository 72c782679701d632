"""Subcommands, in the order `guifan --help` lists them."""
from . import crawl, demo, diff, history, parse, reparse, show, sites, verify

COMMANDS = (demo, crawl, parse, sites, show, history, diff, verify, reparse)
