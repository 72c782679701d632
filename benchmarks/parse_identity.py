"""Does a change to the extractor change any output? Byte-identical records over every page at hand.

    python -m benchmarks.parse_identity save  [--out artifacts/parse-identity.jsonl]
    python -m benchmarks.parse_identity check [--against artifacts/parse-identity.jsonl]

`save` runs guifan's extractor over every saved page available (../shared/corpus/*/ and the
restored collections under benchmarks/corpus/pages/*/, all files, HTML or not) and writes one
line per page and URL: the page's path, the URL given (its gold URL where it has one, and the
empty URL as `guifan parse` is called without --url) and the full record `extract()` returns
(or the ParseError it raises), serialised as JSON with sorted keys. `check` runs the same over
the same pages and reports every page whose line differs from the saved one, and pages present
on one side only. Run `save` before a speed change and `check` after it; exit status 1 when
anything differs. A pass says nothing about pages not at hand: it names how many it compared.
"""
from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
SHARED = REPO.parent / "shared" / "corpus"
COLLECTIONS = REPO / "benchmarks" / "corpus" / "pages"
DEFAULT = REPO / "artifacts" / "parse-identity.jsonl"


def page_files() -> list[Path]:
    found = []
    for root in (SHARED, COLLECTIONS):
        if root.is_dir():
            found += sorted(p for p in root.glob("*/*") if p.is_file() and p.suffix != ".json")
    return found


def gold_url(page: Path) -> str:
    """The URL a gold file beside the page (shared corpus) or in the collection names, if any."""
    for gold in (page.with_suffix(".json"), REPO / "benchmarks" / "corpus" / page.parent.name / f"{page.stem}.json"):
        if gold.is_file():
            try:
                return json.loads(gold.read_text("utf-8")).get("url") or ""
            except (ValueError, AttributeError):
                return ""
    return ""


def record(data: bytes, url: str) -> str:
    from guifan.parsers import ParseError, extract

    try:
        out = extract(data, url, None, None).to_dict()
    except ParseError as exc:
        out = {"ParseError": str(exc)}
    return json.dumps(out, ensure_ascii=False, sort_keys=True, default=repr)


def lines() -> dict[str, str]:
    out = {}
    for page in page_files():
        data = page.read_bytes()
        name = str(page.relative_to(REPO.parent if page.is_relative_to(SHARED) else REPO))
        for url in dict.fromkeys((gold_url(page), "")):
            out[f"{name} {url}"] = record(data, url)
    return out


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("action", choices=("save", "check"))
    ap.add_argument("--out", "--against", dest="path", type=Path, default=DEFAULT)
    args = ap.parse_args(argv)
    now = lines()
    pages = len({key.split(" ")[0] for key in now})
    if args.action == "save":
        args.path.parent.mkdir(parents=True, exist_ok=True)
        with args.path.open("w", encoding="utf-8") as f:
            for key, line in now.items():
                f.write(json.dumps({"key": key, "record": line}, ensure_ascii=False) + "\n")
        print(f"saved {len(now)} records ({pages} pages) to {args.path}")
        return 0
    saved = {}
    for row in args.path.read_text("utf-8").splitlines():
        item = json.loads(row)
        saved[item["key"]] = item["record"]
    differ = [k for k in now if k in saved and now[k] != saved[k]]
    only = sorted(set(now) ^ set(saved))
    for key in differ:
        print(f"DIFFERS: {key}")
    for key in only:
        print(f"{'NEW' if key in now else 'GONE'}: {key}")
    same = len(now) - len(differ) - len(set(now) - set(saved))
    print(f"{same} of {len(saved)} saved records identical ({pages} pages now); "
          f"{len(differ)} differ, {len(only)} on one side only")
    return 1 if differ or only else 0


if __name__ == "__main__":
    sys.exit(main())
