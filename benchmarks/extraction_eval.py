"""Extraction benchmark: guifan's extractor against trafilatura, readability-lxml and GNE.

    python -m benchmarks.extraction_eval [CORPUS_DIR ...] [--collections NAME,...|all|none]
                                         [--extractors guifan,trafilatura,readability,gne]
                                         [--json OUT] [--per-page] [--repeat N] [--no-memory]

Each corpus directory holds `<case>.html` (raw bytes as served) and `<case>.json` (gold),
see docs/design.md "Evaluation corpora". Collections are the project's own corpora under
`benchmarks/corpus/<name>/` (gold committed, pages restored from local snapshots by
`python -m benchmarks.corpus restore`); a case whose page is absent or fails its sha256 is
listed as missing, never silently skipped. Without arguments every subdirectory of
`../shared/corpus/` (relative to the repository root) and every collection is evaluated;
with CORPUS_DIR arguments only those directories, with --collections only those collections
(both may be given). Where gold cases carry a `kind` (detail, short, table, image,
attachment_only; article_with_comments, article_with_related) the figures are also broken
down by kind.

All extractors run in this process on the very same bytes, already in memory. guifan gets
the raw bytes (it decodes itself); the baselines get a string decoded by a fair generic
decoder (BOM, declared charset, then chardet; GB2312/GBK read as GB18030). A crash on a
page is an empty body for that page and is counted in the `err` column; it never aborts
the run. This is a benchmark, not a test: it reports, it does not assert.
"""
from __future__ import annotations

import argparse
import gc
import importlib.metadata
import json
import os
import platform
import re
import shlex
import subprocess
import sys
import time
import tracemalloc
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable

from benchmarks.machine import cpu_model
from benchmarks import scoring

REPO_ROOT = Path(__file__).resolve().parents[1]
DEFAULT_CORPUS_ROOT = REPO_ROOT.parent / "shared" / "corpus"
ALL_EXTRACTORS = ("guifan", "trafilatura", "readability", "gne")
BASELINES = ("trafilatura", "readability", "gne")
# Document attributes compared against gold `meta` keys of the same name.
GUIFAN_FIELDS = (
    "title", "published_date", "index_no", "doc_number", "issuer", "written_date",
    "validity", "topic", "doc_type", "effective_date", "expiry_date",
)


# --------------------------------------------------------------------------- corpus
@dataclass
class Page:
    name: str
    raw: bytes
    gold: dict
    text: str = ""          # generic decoding, for the baselines
    text_encoding: str = ""

    @property
    def url(self) -> str:
        return self.gold.get("url") or ""

    def gold_fields(self) -> dict[str, str]:
        """Gold metadata: top-level title/published_date, then every `meta` key."""
        out: dict[str, str] = {}
        meta = self.gold.get("meta") or {}
        if self.gold.get("title"):
            out["title"] = self.gold["title"]
        pub = self.gold.get("published_date") or meta.get("published_date")
        if pub:
            out["published_date"] = pub
        for key, value in meta.items():
            if value not in (None, "", []) and key not in out:
                out[key] = value if isinstance(value, str) else json.dumps(value, ensure_ascii=False)
        return out


def load_corpus(directory: Path) -> list[Page]:
    pages = []
    for html_path in sorted(directory.glob("*.html")):
        gold_path = html_path.with_suffix(".json")
        if not gold_path.exists():
            print(f"warning: {html_path} has no gold {gold_path.name}; skipped", file=sys.stderr)
            continue
        page = Page(html_path.stem, html_path.read_bytes(), json.loads(gold_path.read_text("utf-8")))
        page.text, page.text_encoding = generic_decode(page.raw)
        pages.append(page)
    return pages


HTML_SUFFIXES = (".html", ".htm", ".shtml", ".xhtml")


@dataclass
class Corpus:
    name: str
    path: Path
    pages: list[Page]
    missing: list[str] = field(default_factory=list)   # "case: why" for gold without a usable page
    not_html: int = 0                                   # cases whose page is not HTML (e.g. .txt): out of scope
    not_extraction_gold: str = ""                       # why the collection's bodies are not extraction gold


def load_directory(directory: Path) -> Corpus:
    return Corpus(directory.name, directory, load_corpus(directory))


def load_collection(name: str) -> Corpus:
    """A collection under benchmarks/corpus: gold from git, pages from pages/<name>/ (sha256-checked)."""
    from benchmarks import corpus as project_corpus

    pages, missing, not_html = [], [], 0
    for case in project_corpus.cases(name):
        if case.page.suffix.lower() not in HTML_SUFFIXES:
            not_html += 1   # a text-only collection (gold for other tasks): nothing to extract from
            continue
        if not case.present():
            why = "no page file" if not case.page.is_file() else "sha256 differs from the gold's origin"
            missing.append(f"{case.name}: {why}")
            continue
        page = Page(case.name, case.page.read_bytes(), case.gold)
        page.text, page.text_encoding = generic_decode(page.raw)
        pages.append(page)
    return Corpus(name, project_corpus.HERE / name, pages, missing, not_html, _not_extraction_gold(name))


def _not_extraction_gold(name: str) -> str:
    """The reason a collection's `_collection.json` gives for bodies that are gold for another task."""
    from benchmarks import corpus as project_corpus

    meta = project_corpus.HERE / name / "_collection.json"
    if not meta.is_file():
        return ""
    info = json.loads(meta.read_text(encoding="utf-8"))
    return "" if info.get("extraction_gold", True) else info.get("why", "gold for another task")


# ----------------------------------------------------------------- generic decoding
_META_CHARSET = re.compile(rb"""<meta[^>]+charset\s*=\s*["']?\s*([A-Za-z0-9_\-:.]+)""", re.I)
_XML_DECL = re.compile(r"^\s*<\?xml[^>]*\?>", re.I)
_GB_FAMILY = {"gb2312", "gbk", "gb18030", "x-gbk", "cp936", "euc-cn", "hz-gb-2312", "gb_2312-80"}


def _canonical(label: str) -> str:
    label = label.strip().lower()
    return "gb18030" if label in _GB_FAMILY else label


def _first_strict(raw: bytes, encodings: list[str]) -> tuple[str | None, str]:
    for enc in encodings:
        try:
            return raw.decode(enc), enc
        except (UnicodeDecodeError, LookupError):
            continue
    return None, ""


def generic_decode(raw: bytes) -> tuple[str, str]:
    """Decode like a careful generic client: BOM, declared charset, chardet (all strict),
    then the candidate that loses the fewest characters with errors="replace".

    Returns (text, encoding label used; suffixed with '+replace' if lossy). A leading
    XML declaration is dropped because lxml refuses str input that carries one.
    """
    candidates: list[str] = []
    for bom, enc in ((b"\xef\xbb\xbf", "utf-8-sig"), (b"\xff\xfe", "utf-16"), (b"\xfe\xff", "utf-16")):
        if raw.startswith(bom):
            candidates.append(enc)
            break
    m = _META_CHARSET.search(raw[:8192])
    if m:
        candidates.append(_canonical(m.group(1).decode("ascii", "ignore")))
    text, used = _first_strict(raw, candidates)
    if text is None:
        import chardet

        guess = chardet.detect(raw[:200_000]).get("encoding")
        if guess:
            candidates.append(_canonical(guess))
            text, used = _first_strict(raw, candidates[-1:])
    if text is None:
        # Nothing decodes cleanly (a few stray bytes are common): take the candidate
        # that loses the fewest characters, and say so in the label.
        best = None
        for enc in dict.fromkeys(candidates + ["utf-8"]):
            try:
                attempt = raw.decode(enc, errors="replace")
            except LookupError:
                continue
            lost = attempt.count("\ufffd")
            if best is None or lost < best[0]:
                best = (lost, attempt, enc)
        _, text, enc = best
        used = f"{enc}+replace"
    return _XML_DECL.sub("", text, count=1), used


# ------------------------------------------------------------------------ extractors
@dataclass
class Output:
    body: str = ""
    fields: dict[str, str] = field(default_factory=dict)
    error: str | None = None    # unexpected exception (a crash)
    refused: bool = False       # guifan's ParseError: a deliberate "no document here"


@dataclass
class Extractor:
    name: str
    run: Callable[[Page], Output] | None
    fields: tuple[str, ...]     # metadata fields it exposes at all
    version: str = ""
    unavailable: str | None = None


_BLOCK_TAGS = ("p", "div", "br", "li", "tr", "td", "th", "h1", "h2", "h3", "h4", "h5", "h6",
               "section", "article", "table", "pre", "blockquote", "dd", "dt")


def _html_to_text(fragment: str) -> str:
    """Visible text of an HTML fragment, with a line break after every block element."""
    import lxml.html

    if not fragment or not fragment.strip():
        return ""
    root = lxml.html.fragment_fromstring(fragment, create_parent="div")
    for el in root.iter(*_BLOCK_TAGS):
        el.tail = "\n" + (el.tail or "")
    return root.text_content()


def _version(dist: str) -> str:
    try:
        return importlib.metadata.version(dist)
    except importlib.metadata.PackageNotFoundError:
        return "?"


def make_guifan() -> Extractor:
    try:
        from guifan.parsers import ParseError, extract
    except Exception as exc:  # not written yet, or broken: report, don't crash
        return Extractor("guifan", None, (), unavailable=f"{type(exc).__name__}: {exc}")

    def run(page: Page) -> Output:
        try:
            doc = extract(page.raw, url=page.url, headers=None, hints=None)
        except ParseError:
            return Output(refused=True)
        fields = {}
        for name in GUIFAN_FIELDS:
            value = getattr(doc, name, None)
            if value not in (None, ""):
                fields[name] = value
        raw_meta = getattr(doc, "raw_meta", None) or {}
        return Output(body=getattr(doc, "body", "") or "", fields=fields | {"_raw_meta": raw_meta})

    return Extractor("guifan", run, GUIFAN_FIELDS, version=_git_describe())


def make_trafilatura() -> Extractor:
    try:
        import trafilatura
    except Exception as exc:
        return Extractor("trafilatura", None, (), unavailable=f"{type(exc).__name__}: {exc}")

    def run(page: Page) -> Output:
        doc = trafilatura.bare_extraction(page.text, url=page.url or None, with_metadata=True)
        if doc is None:
            return Output()
        get = doc.get if isinstance(doc, dict) else (lambda k: getattr(doc, k, None))
        fields = {"title": get("title"), "published_date": get("date")}
        return Output(body=get("text") or "", fields={k: v for k, v in fields.items() if v})

    return Extractor("trafilatura", run, ("title", "published_date"), version=_version("trafilatura"))


def make_readability() -> Extractor:
    try:
        from readability import Document as ReadabilityDocument
    except Exception as exc:
        return Extractor("readability", None, (), unavailable=f"{type(exc).__name__}: {exc}")

    def run(page: Page) -> Output:
        doc = ReadabilityDocument(page.text, url=page.url or None)
        body = _html_to_text(doc.summary(html_partial=True))
        title = doc.title()
        return Output(body=body, fields={"title": title} if title and title != "[no-title]" else {})

    return Extractor("readability", run, ("title",), version=_version("readability-lxml"))


def make_gne() -> Extractor:
    try:
        from gne import GeneralNewsExtractor
    except Exception as exc:
        return Extractor("gne", None, (), unavailable=f"{type(exc).__name__}: {exc}")

    def run(page: Page) -> Output:
        result = GeneralNewsExtractor().extract(page.text)
        fields = {"title": result.get("title"), "published_date": result.get("publish_time")}
        return Output(body=result.get("content") or "", fields={k: v for k, v in fields.items() if v})

    return Extractor("gne", run, ("title", "published_date"), version=_version("gne"))


FACTORIES = {"guifan": make_guifan, "trafilatura": make_trafilatura,
             "readability": make_readability, "gne": make_gne}


# --------------------------------------------------------------------------- running
@dataclass
class Run:
    extractor: str
    outputs: list[Output]
    seconds: list[float]
    peak_mb: float | None = None


def _call(ex: Extractor, page: Page) -> Output:
    try:
        return ex.run(page)
    except Exception as exc:  # a crash on one page is an empty body, never an abort
        return Output(error=f"{type(exc).__name__}: {exc}"[:300])


def run_extractor(ex: Extractor, pages: list[Page], measure_memory: bool, repeat: int = 1) -> Run:
    if pages:  # warm-up (lazy imports, caches) outside the measurement
        _call(ex, pages[0])
    outputs: list[Output] = []
    seconds = [float("inf")] * len(pages)
    for rep in range(max(1, repeat)):
        # Each page's time is the minimum over the repeats: the least noisy estimate
        # on a shared machine. The outputs scored are those of the first pass.
        gc.collect()
        for i, page in enumerate(pages):
            t0 = time.perf_counter()
            out = _call(ex, page)
            seconds[i] = min(seconds[i], time.perf_counter() - t0)
            if rep == 0:
                outputs.append(out)
    run = Run(ex.name, outputs, seconds)
    if measure_memory and pages:
        # A separate pass: tracemalloc slows allocation-heavy code, so it must not
        # contaminate the timing above. Python-heap allocations only (not libxml2's).
        gc.collect()
        tracemalloc.start()
        tracemalloc.reset_peak()
        base = tracemalloc.get_traced_memory()[0]
        for page in pages:
            _call(ex, page)
        peak = tracemalloc.get_traced_memory()[1]
        tracemalloc.stop()
        run.peak_mb = (peak - base) / 2**20
    return run


# --------------------------------------------------------------------------- scoring
def score_run(ex: Extractor, run: Run, pages: list[Page]) -> dict:
    per_page = []
    for page, out, sec in zip(pages, run.outputs, run.seconds):
        rec: dict = {"page": page.name, "seconds": round(sec, 6), "body_chars": len(out.body)}
        if out.error:
            rec["error"] = out.error
        if out.refused:
            rec["refused"] = True
        gold_body = page.gold.get("body")
        if gold_body is not None:
            s = scoring.prf(out.body, gold_body)
            rec.update(precision=s.precision, recall=s.recall, f1=s.f1)
        if page.gold.get("exclude"):
            rec["leaked"] = scoring.leaked(out.body, page.gold["exclude"])
        if page.gold.get("include"):
            rec["missing"] = scoring.missing(out.body, page.gold["include"])
        fields = {}
        for name, gold_value in page.gold_fields().items():
            if name not in ex.fields:
                continue
            predicted = out.fields.get(name)
            fields[name] = {"gold": gold_value, "predicted": predicted,
                            "match": scoring.field_matches(name, predicted, gold_value)}
        rec["fields"] = fields
        per_page.append(rec)

    def avg(key):
        v = scoring.mean(r[key] for r in per_page if key in r)
        return None if v is None else round(v, 4)

    with_exclude = [r for r in per_page if "leaked" in r]
    with_include = [r for r in per_page if "missing" in r]
    field_names = sorted({n for p in pages for n in p.gold_fields()}, key=_field_order)
    field_acc = {}
    for name in field_names:
        if name not in ex.fields:
            field_acc[name] = None  # n/a: the extractor does not expose it
            continue
        judged = [r["fields"][name]["match"] for r in per_page if name in r["fields"]]
        field_acc[name] = {"correct": sum(judged), "n": len(judged)}
    total = sum(run.seconds)
    slowest = max(range(len(run.seconds)), key=run.seconds.__getitem__) if run.seconds else None
    return {
        "extractor": ex.name,
        "version": ex.version,
        "pages": len(pages),
        "gold_bodies": sum(1 for r in per_page if "f1" in r),
        "precision": avg("precision"), "recall": avg("recall"), "f1": avg("f1"),
        "exclude_pages": len(with_exclude),
        "leak_share": round(sum(bool(r["leaked"]) for r in with_exclude) / len(with_exclude), 4) if with_exclude else None,
        "include_pages": len(with_include),
        "missing_share": round(sum(bool(r["missing"]) for r in with_include) / len(with_include), 4) if with_include else None,
        "empty": sum(1 for r in per_page if r["body_chars"] == 0),
        "errors": sum(1 for r in per_page if "error" in r),
        "refused": sum(1 for r in per_page if r.get("refused")),
        "fields": field_acc,
        "seconds_total": round(total, 6),
        "pages_per_second": round(len(pages) / total, 2) if total > 0 else None,
        "slowest_page": per_page[slowest]["page"] if slowest is not None else None,
        "slowest_seconds": round(run.seconds[slowest], 6) if slowest is not None else None,
        "peak_mb": None if run.peak_mb is None else round(run.peak_mb, 2),
        "per_page": per_page,
    }


_FIELD_ORDER = ("title", "published_date", "doc_number", "index_no", "issuer", "written_date", "validity")


def _field_order(name: str):
    return (_FIELD_ORDER.index(name) if name in _FIELD_ORDER else len(_FIELD_ORDER), name)


# -------------------------------------------------------------------------- reporting
def _fmt(value, pattern="{:.3f}", na="–"):
    return na if value is None else pattern.format(value)


def _table(headers: list[str], rows: list[list[str]]) -> str:
    widths = [max(len(h), *(len(r[i]) for r in rows)) if rows else len(h) for i, h in enumerate(headers)]
    line = lambda cells: "| " + " | ".join(c.ljust(w) for c, w in zip(cells, widths)) + " |"
    sep = "|" + "|".join("-" * (w + 2) for w in widths) + "|"
    return "\n".join([line(headers), sep, *(line(r) for r in rows)])


def format_corpus(corpus: str, results: list[dict], unavailable: dict[str, str]) -> str:
    out = []
    if not results:
        out.append(f"## {corpus}: no extractor available")
    else:
        r0 = results[0]
        out.append(f"## {corpus}  ({r0['pages']} pages, {r0['gold_bodies']} gold bodies, "
                   f"{r0['exclude_pages']} with exclude, {r0['include_pages']} with include)")
        out.append("")
        headers = ["extractor", "P", "R", "F1", "leak", "miss", "empty", "err",
                   "pages/s", "slowest", "peak MB"]
        rows = []
        for r in results:
            rows.append([
                r["extractor"], _fmt(r["precision"]), _fmt(r["recall"]), _fmt(r["f1"]),
                _fmt(r["leak_share"], "{:.0%}"), _fmt(r["missing_share"], "{:.0%}"),
                str(r["empty"]), str(r["errors"]),
                _fmt(r["pages_per_second"], "{:.1f}"),
                _fmt(r["slowest_seconds"], "{:.3f}s") + (f" {r['slowest_page'][:24]}" if r["slowest_page"] else ""),
                _fmt(r["peak_mb"], "{:.1f}"),
            ])
        out.append(_table(headers, rows))
        field_names = list(r0["fields"])
        if field_names:
            out.append("")
            rows = []
            for r in results:
                cells = [r["extractor"]]
                for name in field_names:
                    acc = r["fields"][name]
                    cells.append("n/a" if acc is None else
                                 f"{acc['correct']}/{acc['n']} ({acc['correct'] / acc['n']:.0%})" if acc["n"] else "–")
                rows.append(cells)
            out.append(_table(["metadata accuracy"] + field_names, rows))
        out.append("")
        out.append(ratios_line(results))
    for name, why in unavailable.items():
        out.append(f"{name}: unavailable ({why})")
    return "\n".join(out)


def by_kind(results: list[dict], pages: list[Page]) -> dict:
    """Macro P/R/F1 and leaking pages per gold `kind`, per extractor (pages with a gold body)."""
    kind_of = {p.name: p.gold.get("kind") for p in pages}
    out: dict = {}
    for r in results:
        groups: dict[str, list[dict]] = {}
        for rec in r["per_page"]:
            kind = kind_of.get(rec["page"])
            if kind and "f1" in rec:
                groups.setdefault(kind, []).append(rec)
        for kind, recs in groups.items():
            mean = lambda key: round(scoring.mean(x[key] for x in recs), 4)
            out.setdefault(kind, {})[r["extractor"]] = {
                "n": len(recs), "precision": mean("precision"), "recall": mean("recall"), "f1": mean("f1"),
                "leaking_pages": sum(bool(x.get("leaked")) for x in recs),
            }
    return out


def format_kinds(table: dict) -> str:
    if not table:
        return ""
    extractors = list(next(iter(table.values())))
    rows = []
    for kind in sorted(table, key=lambda k: (-next(iter(table[k].values()))["n"], k)):
        cells = [kind, str(next(iter(table[kind].values()))["n"])]
        for name in extractors:
            v = table[kind].get(name)
            cells.append("–" if v is None else
                         f"{v['f1']:.3f} ({v['precision']:.2f}/{v['recall']:.2f}) {v['leaking_pages']}L")
        rows.append(cells)
    return ("by kind: macro F1 (P/R) and pages leaking an exclude snippet (L)\n"
            + _table(["kind", "pages"] + extractors, rows))


def ratios(results: list[dict]) -> dict:
    by = {r["extractor"]: r for r in results}
    g = by.get("guifan")
    base = [by[b] for b in BASELINES if b in by and by[b]["f1"] is not None]
    best = max(base, key=lambda r: r["f1"]) if base else None
    out = {"best_baseline": best["extractor"] if best else None,
           "f1_minus_best_baseline": None, "speed_vs_trafilatura": None}
    if g and best and g["f1"] is not None:
        out["f1_minus_best_baseline"] = round(g["f1"] - best["f1"], 4)
    t = by.get("trafilatura")
    if g and t and g["pages_per_second"] and t["pages_per_second"]:
        out["speed_vs_trafilatura"] = round(g["pages_per_second"] / t["pages_per_second"], 2)
    return out


def ratios_line(results: list[dict]) -> str:
    r = ratios(results)
    best = f" (best baseline: {r['best_baseline']})" if r["best_baseline"] else ""
    return (f"guifan F1 − best baseline F1: {_fmt(r['f1_minus_best_baseline'], '{:+.3f}', 'n/a')}{best}; "
            f"guifan pages/s ÷ trafilatura pages/s: {_fmt(r['speed_vs_trafilatura'], '{:.2f}×', 'n/a')}")


def _git_describe() -> str:
    try:
        rev = subprocess.run(["git", "-C", str(REPO_ROOT), "rev-parse", "--short", "HEAD"],
                             capture_output=True, text=True, timeout=5).stdout.strip()
        dirty = subprocess.run(["git", "-C", str(REPO_ROOT), "status", "--porcelain", "--", "parsers"],
                               capture_output=True, text=True, timeout=5).stdout.strip()
        return f"git {rev}{'+dirty' if dirty else ''}" if rev else ""
    except Exception:
        return ""


def machine_info() -> dict:
    cpu = cpu_model()
    try:
        usable = len(os.sched_getaffinity(0))
    except AttributeError:
        usable = os.cpu_count()
    return {
        "cpu": cpu, "cores": os.cpu_count(), "usable_cores": usable,
        "python": platform.python_version(), "platform": platform.platform(),
        "libraries": {d: _version(d) for d in ("trafilatura", "readability-lxml", "gne", "lxml", "chardet")},
        "guifan": _git_describe(),
    }


def header(info: dict, command: str) -> str:
    libs = ", ".join(f"{k} {v}" for k, v in info["libraries"].items())
    return "\n".join([
        "# guifan extraction benchmark",
        f"machine: {info['cpu']}, {info['cores']} cores ({info['usable_cores']} usable), "
        f"Python {info['python']}, {info['platform']}",
        f"libraries: {libs}; guifan {info['guifan'] or '?'}",
        f"command: {command}",
    ])


# ------------------------------------------------------------------------------ main
def default_corpora() -> list[Path]:
    if not DEFAULT_CORPUS_ROOT.is_dir():
        return []
    return sorted(p for p in DEFAULT_CORPUS_ROOT.iterdir() if p.is_dir() and any(p.glob("*.html")))


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(prog="python -m benchmarks.extraction_eval", description=__doc__.split("\n\n")[0])
    ap.add_argument("corpora", nargs="*", type=Path, metavar="CORPUS_DIR",
                    help=f"directories of <case>.html + <case>.json (default: every subdirectory of {DEFAULT_CORPUS_ROOT})")
    ap.add_argument("--collections", metavar="NAMES",
                    help="comma-separated collections of benchmarks/corpus/ to evaluate, or 'all' or 'none' "
                         "(default: all when neither CORPUS_DIR nor --collections is given, else none)")
    ap.add_argument("--extractors", default=",".join(ALL_EXTRACTORS),
                    help="comma-separated subset of: " + ",".join(ALL_EXTRACTORS))
    ap.add_argument("--json", type=Path, metavar="OUT", help="also write all results (incl. per-page scores) as JSON")
    ap.add_argument("--per-page", action="store_true", help="print per-page F1 / leaks / errors")
    ap.add_argument("--repeat", type=int, default=3, metavar="N",
                    help="time every page N times and keep the fastest (default 3; the first pass "
                         "also pays one-time lazy initialisation inside the libraries)")
    ap.add_argument("--no-memory", action="store_true", help="skip the tracemalloc pass (halves run time)")
    args = ap.parse_args(argv)

    names = [n.strip() for n in args.extractors.split(",") if n.strip()]
    unknown = [n for n in names if n not in FACTORIES]
    if unknown:
        ap.error(f"unknown extractor(s): {', '.join(unknown)} (choose from {', '.join(ALL_EXTRACTORS)})")
    from benchmarks import corpus as project_corpus

    dirs = args.corpora if args.corpora else ([] if args.collections else default_corpora())
    wanted = args.collections or ("none" if args.corpora else "all")
    known = project_corpus.collections()
    names_c = [] if wanted == "none" else known if wanted == "all" else [n.strip() for n in wanted.split(",") if n.strip()]
    unknown_c = [n for n in names_c if n not in known]
    if unknown_c:
        ap.error(f"unknown collection(s): {', '.join(unknown_c)} (have: {', '.join(known) or 'none'})")
    bad = [str(c) for c in dirs if not c.is_dir()]
    if bad:
        print(f"error: not a directory: {', '.join(bad)}", file=sys.stderr)
        return 2
    if not dirs and not names_c:
        print(f"error: no corpus directories given and none found under {DEFAULT_CORPUS_ROOT}", file=sys.stderr)
        return 2

    command = shlex.join(getattr(sys, "orig_argv", [sys.executable, *sys.argv]))
    info = machine_info()
    print(header(info, command))
    extractors = [FACTORIES[n]() for n in names]
    unavailable = {e.name: e.unavailable for e in extractors if e.unavailable}
    available = [e for e in extractors if not e.unavailable]

    report = {"date_utc": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()), "command": command,
              "machine": info, "unavailable": unavailable, "corpora": []}
    corpora = [load_directory(d) for d in dirs] + [load_collection(n) for n in names_c]
    for corpus in corpora:
        pages = corpus.pages
        if corpus.not_html and not pages and not corpus.missing:
            print(f"\n## {corpus.name}: {corpus.not_html} cases, none with an HTML page (not an extraction corpus); skipped")
            continue
        if corpus.not_extraction_gold:
            print(f"\n## {corpus.name}: not an extraction corpus ({corpus.not_extraction_gold}); skipped")
            continue
        results = [score_run(e, run_extractor(e, pages, not args.no_memory, args.repeat), pages) for e in available]
        kinds = by_kind(results, pages)
        print()
        print(format_corpus(corpus.name, results, unavailable))
        if kinds:
            print()
            print(format_kinds(kinds))
        if corpus.not_html:
            print(f"{corpus.not_html} cases of {corpus.name} have no HTML page (not scored)")
        if corpus.missing:
            print(f"MISSING {len(corpus.missing)} of {len(corpus.missing) + len(pages)} pages (not scored; "
                  f"run `python -m benchmarks.corpus restore {corpus.name}`): " + "; ".join(corpus.missing))
        lossy = [p.name for p in pages if p.text_encoding.endswith("+replace")]
        if lossy:
            print(f"baseline decoding was lossy (errors=replace) for: {', '.join(lossy)}")
        if args.per_page:
            for r in results:
                print(f"\n{r['extractor']} per page:")
                for p in r["per_page"]:
                    bits = [f"{p['page'][:40]:40}", f"F1={_fmt(p.get('f1'))}", f"{p['seconds']:.3f}s",
                            f"{p['body_chars']} chars"]
                    if p.get("leaked"):
                        bits.append(f"leaked={len(p['leaked'])}")
                    if p.get("missing"):
                        bits.append(f"missing={len(p['missing'])}")
                    if p.get("error"):
                        bits.append(f"error={p['error'][:80]}")
                    print("  " + "  ".join(bits))
        report["corpora"].append({"corpus": corpus.name, "path": str(corpus.path.resolve()),
                                  "pages": len(pages), "missing": corpus.missing, "by_kind": kinds,
                                  "results": results, "ratios": ratios(results),
                                  "baseline_decoding": {p.name: p.text_encoding for p in pages}})
    if args.json:
        args.json.parent.mkdir(parents=True, exist_ok=True)
        args.json.write_text(json.dumps(report, ensure_ascii=False, indent=1), encoding="utf-8")
        print(f"\nwrote {args.json}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
