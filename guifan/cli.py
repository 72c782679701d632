"""The `guifan` command: one CLI for crawling, the demo, parsing saved pages and sites.

Each subcommand lives in its own module under `guifan.commands`, with `add(subparsers)`
registering it and a handler doing the work through the Python API.
"""
from __future__ import annotations

import argparse
import os
import sys

from guifan.archive import ArchiveError
from guifan.crawler.profiles import ProfileError
from guifan import __version__
from guifan.commands import COMMANDS
from guifan.errors import CliError


def main(argv: list[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    if not getattr(args, "handler", None):
        parser.print_help()
        return 2
    try:
        return args.handler(args) or 0
    except (CliError, ArchiveError, ProfileError) as exc:
        print(f"guifan: error: {exc}", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        print("guifan: interrupted", file=sys.stderr)
        return 130
    except BrokenPipeError:
        # The reader went away (`guifan show … | head`): not an error; silence the final flush too.
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return 0


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="guifan", description="Crawl county government portals "
                                     "into a versioned SQLite archive.")
    parser.add_argument("--version", action="version", version=f"guifan {__version__}")
    sub = parser.add_subparsers(title="commands", metavar="COMMAND")
    for command in COMMANDS:
        command.add(sub)
    return parser


if __name__ == "__main__":
    sys.exit(main())
