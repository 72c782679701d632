"""guifan compact: store raw bodies with per-site zstd dictionaries (smaller archive, same bytes)."""
from __future__ import annotations

from guifan.commands.common import add_db_option, add_format_option, emit, open_archive, progress_printer


def add(sub) -> None:
    p = sub.add_parser("compact", help="recompress raw bodies with per-site zstd dictionaries (fixity kept)",
                       description="Trains a zstd dictionary per site on its stored bodies (archived, "
                                   "never changed) and rewrites the bodies with it after checking each "
                                   "one's sha256; new bodies of the site use it from then on.")
    p.add_argument("--site", action="append", metavar="SITE", help="only these sites (repeatable; default all)")
    p.add_argument("--samples", type=int, default=500, help="bodies to train each dictionary on (default 500)")
    p.add_argument("--retrain", action="store_true", help="train a new dictionary even where one exists")
    add_db_option(p)
    add_format_option(p, ("table", "json", "jsonl", "csv"))
    p.set_defaults(handler=run)


def run(args) -> int:
    with open_archive(args, "write") as archive:
        sites = args.site or archive.blob_sites()
        progress = progress_printer("compacting", len(sites))
        results = []
        for i, site in enumerate(sites, 1):
            results.append(archive.compact_blobs(site, args.samples, args.retrain))
            if progress:
                progress(i)
        if progress:
            progress.done()
    emit(results, args.format, print_table)
    return 0


def print_table(results: list[dict]) -> None:
    before = sum(r["bytes_before"] for r in results)
    after = sum(r["bytes_after"] for r in results)
    for r in results:
        if r["dict_id"] is None:
            print(f"{r['site']:24} skipped: {r['reason']}")
        else:
            ratio = r["bytes_before"] / r["bytes_after"] if r["bytes_after"] else 1.0
            print(f"{r['site']:24} dictionary {r['dict_id']}{' (new)' if r['trained'] else ''}: "
                  f"{r['blobs']} bodies, {r['bytes_before']:,} → {r['bytes_after']:,} bytes ({ratio:.1f}× smaller)")
    if after:
        print(f"total: {before:,} → {after:,} bytes of rewritten bodies; run `guifan verify` any time")
