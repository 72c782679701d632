"""Subcommands, in the order `guifan --help` lists them."""
from . import crawl, demo, parse, sites

COMMANDS = (demo, crawl, parse, sites)
