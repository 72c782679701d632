"""The `guifan` command: one CLI for crawling, the demo, parsing saved pages and sites.

Each subcommand lives in its own module under `guifan.commands` (see its table); only the
module of the command being run is imported, so `guifan --help` answers at once.
"""
from __future__ import annotations

import argparse
import importlib
import os
import sys

import guifan
from guifan.commands import COMMANDS, module_name
from guifan.commands.common import resolve_db
from guifan.errors import CliError

# Errors that are the user's to fix: one line on stderr, exit 1. Named, not imported, so
# that a command that never touches the archive does not load it just to catch its errors.
USER_ERRORS = (("guifan.archive.errors", "ArchiveError"), ("guifan.crawler.profiles", "ProfileError"))


def main(argv: list[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    parser = build_parser(command_in(argv))
    args = parser.parse_args(argv)
    if not getattr(args, "handler", None):
        parser.print_help()
        return 2
    try:
        resolve_db(args)
        return args.handler(args) or 0
    except KeyboardInterrupt:
        print("guifan: interrupted", file=sys.stderr)
        return 130
    except BrokenPipeError:
        # The reader went away (`guifan show … | head`): not an error; silence the final flush too.
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return 0
    except Exception as exc:
        if not isinstance(exc, user_errors()):
            raise
        print(f"guifan: error: {exc}", file=sys.stderr)
        return 1


def user_errors() -> tuple[type, ...]:
    loaded = (getattr(sys.modules[m], name) for m, name in USER_ERRORS if m in sys.modules)
    return (CliError, *loaded)


def command_in(argv: list[str]) -> str | None:
    """The subcommand named on the command line, if any (top-level options take no values)."""
    words = [a for a in argv if not a.startswith("-")]
    return words[0] if words and words[0] in dict(COMMANDS) else None


class VersionAction(argparse.Action):
    """`--version`, reading the package metadata only when asked."""

    def __call__(self, parser, namespace, values, option_string=None):
        print(f"guifan {guifan.__version__}")
        parser.exit()


def build_parser(command: str | None = None) -> argparse.ArgumentParser:
    """The full parser of `command`; every other command only as a name with its help."""
    parser = argparse.ArgumentParser(prog="guifan", description="Crawl county government portals "
                                     "into a versioned SQLite archive.")
    parser.add_argument("--version", action=VersionAction, nargs=0, help="show the version and exit")
    sub = parser.add_subparsers(title="commands", metavar="COMMAND")
    if command:
        importlib.import_module(module_name(command)).add(sub)
    for name, help_text in COMMANDS:
        if name not in sub.choices:
            sub.add_parser(name, help=help_text, add_help=False)
    return parser


def all_parsers() -> dict[str, argparse.ArgumentParser]:
    """Every command's full parser (for documentation and tests)."""
    return {name: build_parser(name)._subparsers._group_actions[0].choices[name] for name, _ in COMMANDS}


if __name__ == "__main__":
    sys.exit(main())
