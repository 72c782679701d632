"""guifan reparse: re-extract every stored version with the current parsers."""
from __future__ import annotations

from guifan.commands.common import add_db_option, open_archive, progress_printer


def add(sub) -> None:
    p = sub.add_parser("reparse", help="re-extract stored captures with the current parsers")
    add_db_option(p)
    p.set_defaults(handler=run)


def run(args) -> int:
    from guifan.archive.reparse import reparse  # imports the parsers: only when needed

    with open_archive(args, "write") as archive:
        progress = progress_printer("reparsed")
        report = reparse(archive, progress=progress)
    if progress:
        progress.done()
    print(f"{report.versions} versions re-extracted; {report.updated} changed by the new parsers "
          f"(no source version created)")
    for name, count in report.fields.most_common():
        print(f"  {name}: {count}")
    for doc_id, number, error in report.failed:
        print(f"  failed {doc_id} v{number}: {error}")
    return 1 if report.failed else 0
