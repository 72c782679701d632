"""Validity benchmark: clause reading, decision targets and their links, citation spans, on real pages.

    python -m benchmarks.validity_bench [--collection validity] [--json OUT] [--per-case] [--from-gold]

Over ``benchmarks/corpus/<collection>/*.json`` (gold written by hand from each page, see the
collection's README) and the pages restored beside them (``python -m benchmarks.corpus restore``).
Each present page goes through the pipeline a crawl uses: an HTML page through ``extract()``,
a plain-text page (the corpus keeps crawlers' saved text) decoded and read as the body, with the
title and dates of its gold ``meta`` (a text file has no metadata box). ``--from-gold`` reads the
gold body instead of the page, to tell the readers' errors from the extractor's.

Figures:

* clauses — precision and recall of effective_date, expiry_date (exact ISO date) and trial
  (a true value), and of the sentences (a predicted sentence is right when it and a gold
  sentence contain each other, NFKC and whitespace-folded);
* targets — a predicted target is right when it names a gold target (same 文号, else the same
  title) with the same action; precision and recall;
* target links — every page goes into one archive (the real store, via ``record_fetch``), the
  archive resolves each target, and each result is compared with the gold target's ``case``
  label (the corpus case that is the document it names, or null when that document is not in
  the corpus): a link to the labelled case is right; an ambiguous or unmatched result for a
  labelled target is a miss; a link for a null-labelled target, to another case, or for a
  target the gold does not have is wrong. Precision (wrong links must stay ≤ 1 %) and recall;
* citations — multiset F1 of the exact spans, type accuracy on matched spans, and the share the
  archive resolved.

Missing pages are listed and left out; the figures say over how many cases they were computed.
"""
from __future__ import annotations

import argparse
import collections
import dataclasses
import json
import re
import sys
import tempfile
import unicodedata
from pathlib import Path

from benchmarks import corpus

WRONG_LINK_LIMIT = 0.01


def fold(text: str | None) -> str:
    return re.sub(r"\s+", "", unicodedata.normalize("NFKC", text or ""))


@dataclasses.dataclass
class Read:
    """What the pipeline made of one case."""

    case: corpus.Case
    title: str
    body: str
    doc_number: str | None
    issuer: str | None
    written_date: str | None
    published_date: str | None


def read_case(case: corpus.Case, from_gold: bool) -> Read:
    from guifan.parsers import decode_bytes, extract
    from guifan.parsers.normalise import normalise_paragraphs

    meta = case.gold.get("meta") or {}
    if from_gold:
        return Read(case, case.gold.get("title") or "", case.gold.get("body") or "", meta.get("doc_number"),
                    meta.get("issuer"), meta.get("written_date"), meta.get("published_date"))
    data = case.page.read_bytes()
    key = case.origin.get("key")
    if case.page.suffix.lower() == ".sql" and key:
        data = sql_row_html(data.decode("utf-8"), key)
    if case.page.suffix.lower() in (".html", ".htm", ".shtml", ".sql"):
        doc = extract(data, case.gold.get("url") or "")
        return Read(case, doc.title, doc.body, doc.doc_number_raw, doc.issuer, doc.written_date, doc.published_date)
    text = normalise_paragraphs(decode_bytes(data, None).text)
    return Read(case, case.gold.get("title") or "", text, meta.get("doc_number"), meta.get("issuer"),
                meta.get("written_date"), meta.get("published_date"))


def _sql_values(text: str, start: int) -> list:
    """The literals of one ``values (…)`` tuple of a MySQL-style dump, from ``start`` (its '(')."""
    out, i, n = [], start + 1, len(text)
    while i < n:
        while text[i] in " \n\t,":
            i += 1
        if text[i] == ")":
            return out
        if text[i] == "'":
            j, buf = i + 1, []
            while text[j] != "'" or text[j + 1:j + 2] == "'":
                if text[j] == "\\":
                    buf.append({"n": "\n", "t": "\t", "r": "\r", "0": "\0"}.get(text[j + 1], text[j + 1]))
                    j += 2
                elif text[j] == "'":
                    buf.append("'")
                    j += 2
                else:
                    buf.append(text[j])
                    j += 1
            out.append("".join(buf))
            i = j + 1
        else:
            j = i
            while text[j] not in ",)":
                j += 1
            out.append(text[i:j].strip())
            i = j


def sql_row_html(dump: str, key: str) -> bytes:
    """The ``html`` column of the row ``origin.key`` names (``ge_policy_raw id=9``) in a table dump."""
    table, _, ident = key.partition(" ")
    row_id = ident.split("=", 1)[1]
    m = re.search(rf"insert into {re.escape(table)} \((?P<cols>[^)]*)\) values \({re.escape(row_id)},", dump)
    if m is None:
        raise ValueError(f"no row {key} in the dump")
    cols = [c.strip() for c in m.group("cols").split(",")]
    values = _sql_values(dump, m.end() - len(row_id) - 2)
    return dict(zip(cols, values))["html"].encode("utf-8")


class Counts:
    def __init__(self):
        self.tp = self.fp = self.fn = 0

    def add(self, predicted, gold, right: bool) -> None:
        if predicted not in (None, False) and right:
            self.tp += 1
        elif predicted not in (None, False):
            self.fp += 1
            self.fn += gold not in (None, False)
        elif gold not in (None, False):
            self.fn += 1

    def figures(self) -> dict:
        p = self.tp / (self.tp + self.fp) if self.tp + self.fp else None
        r = self.tp / (self.tp + self.fn) if self.tp + self.fn else None
        return {"precision": p, "recall": r, "tp": self.tp, "fp": self.fp, "fn": self.fn}


def score_clauses(reads: list[Read], per_case: list[dict]) -> dict:
    from guifan.parsers.validity_clauses import read_validity_clauses

    counts = {f: Counts() for f in ("effective_date", "expiry_date", "trial", "sentences")}
    for r, row in zip(reads, per_case):
        gold = r.case.gold.get("clauses") or {}
        got = read_validity_clauses(r.body, title=r.title, written_date=r.written_date,
                                    published_date=r.published_date)
        for f in ("effective_date", "expiry_date", "trial"):
            value, want = getattr(got, f), gold.get(f)
            counts[f].add(value, want, value == want)
            if value != (want if want is not None else (False if f == "trial" else None)):
                row.setdefault("clause_errors", []).append(f"{f}: got {value}, gold {want}")
        wanted = [fold(s) for s in gold.get("sentences") or []]
        for s in got.sentences:
            hit = any(fold(s) in w or w in fold(s) for w in wanted)
            counts["sentences"].add(s, hit or None, hit)
        for w in wanted:
            if not any(fold(s) in w or w in fold(s) for s in got.sentences):
                counts["sentences"].fn += 1
    return {f: c.figures() for f, c in counts.items()}


def _same_target(a: dict, b: dict) -> bool:
    from guifan.parsers.normalise import fold_for_compare, normalise_doc_number

    na, nb = normalise_doc_number(a.get("doc_number")), normalise_doc_number(b.get("doc_number"))
    if na and nb:
        return na == nb
    ta, tb = fold_for_compare(a.get("title") or ""), fold_for_compare(b.get("title") or "")
    return bool(ta and tb and (ta == tb or (min(len(ta), len(tb)) >= 8 and (ta in tb or tb in ta))))


def _pair(predicted: list[dict], gold: list[dict]) -> list[tuple[dict | None, dict | None]]:
    left = list(gold)
    out = []
    for p in predicted:
        g = next((g for g in left if _same_target(p, g)), None)
        if g is not None:
            left.remove(g)
        out.append((p, g))
    return out + [(None, g) for g in left]


def score_targets(reads: list[Read], per_case: list[dict]) -> dict:
    from guifan.parsers.decisions import read_decision

    c = Counts()
    for r, row in zip(reads, per_case):
        gold = ((r.case.gold.get("decision") or {}).get("targets")) or []
        got = read_decision(r.title, r.body)
        predicted = [t.as_dict() for t in (got.targets if got else [])]
        for p, g in _pair(predicted, gold):
            right = p is not None and g is not None and p["action"] == g["action"]
            c.add(p, g, right)
            if not right:
                row.setdefault("target_errors", []).append({"got": p and {k: p[k] for k in ("title", "doc_number", "action")},
                                                            "gold": g})
    return c.figures()


def score_citations(reads: list[Read], per_case: list[dict]) -> dict:
    from guifan.parsers.citations import find_citations

    tp = fp = fn = typed = 0
    for r, row in zip(reads, per_case):
        gold = collections.Counter(fold(c["text"]) for c in r.case.gold.get("citations") or [])
        types = {fold(c["text"]): c["type"] for c in r.case.gold.get("citations") or []}
        got = find_citations(r.body, own_title=r.title, own_doc_number=r.doc_number)
        predicted = collections.Counter(fold(c.text) for c in got)
        match = sum((gold & predicted).values())
        tp, fp, fn = tp + match, fp + sum((predicted - gold).values()), fn + sum((gold - predicted).values())
        seen = set()
        for c in got:
            key = fold(c.text)
            if key in types and key not in seen:
                seen.add(key)
                typed += c.type == types[key]
        if predicted != gold:
            row["citation_errors"] = {"missed": sorted((gold - predicted).elements())[:10],
                                      "extra": sorted((predicted - gold).elements())[:10]}
    p = tp / (tp + fp) if tp + fp else None
    rec = tp / (tp + fn) if tp + fn else None
    f1 = 2 * p * rec / (p + rec) if p and rec else None
    distinct = sum(len({fold(c["text"]) for c in r.case.gold.get("citations") or []}) for r in reads)
    return {"precision": p, "recall": rec, "f1": f1, "tp": tp, "fp": fp, "fn": fn,
            "type_accuracy": typed / distinct if distinct else None}


def archive_links(reads: list[Read], per_case: list[dict] | None = None) -> dict:
    """Every case into one archive; the archive resolves targets and citations."""
    from guifan.archive import Archive, FetchResult, doc_id_for
    from guifan.archive import validity
    from guifan.parsers.record import Document

    with tempfile.TemporaryDirectory() as tmp:
        archive = Archive(Path(tmp) / "bench.db")
        run = archive.start_run(["corpus"])
        ids = {}
        for r in reads:
            url = r.case.gold.get("url") or f"corpus://{r.case.name}"
            doc = Document(url=url, title=r.title, body=r.body, doc_number=_norm(r.doc_number),
                           doc_number_raw=r.doc_number, issuer=r.issuer, written_date=r.written_date,
                           published_date=r.published_date)
            archive.record_fetch(run, FetchResult(site="corpus", kind="detail", url=url, final_url=url, status=200,
                                                  response_headers=[], body=r.body.encode("utf-8"),
                                                  fetched_at="2026-01-01T00:00:00Z", document=doc))
            ids[r.case.name] = doc_id_for("corpus", url)
        validity.refresh(archive.conn, force=True)
        refs = collections.defaultdict(list)
        for row in archive.conn.execute("SELECT * FROM doc_refs ORDER BY ref_id"):
            refs[row["doc_id"]].append(dict(row))
        share = validity.resolved_share(archive.conn)
        archive.close()
    return _link_figures(reads, ids, refs, share, per_case)


def _norm(number):
    from guifan.parsers.normalise import normalise_doc_number

    return normalise_doc_number(number)


def _link_figures(reads, ids, refs, share, per_case=None) -> dict:
    """Score the archive's target links against the gold's ``case`` labels.

    A gold target labelled with a case (the corpus case that is the document it names) is an
    expected link: right when the archive linked the paired predicted target to that case's
    document, a miss when it left it ambiguous or unmatched (or read no such target). A link
    made for a target labelled ``null`` (the document is not in the corpus), to another case,
    or for a predicted target the gold does not have, is a wrong link. A labelled case whose
    page is missing cannot be linked and is left out (listed under ``unlinkable``)."""
    by_id = {v: k for k, v in ids.items()}
    rows = {row["case"]: row for row in per_case or []}
    c = collections.Counter()
    unlinkable = []
    for r in reads:
        gold = ((r.case.gold.get("decision") or {}).get("targets")) or []
        predicted = [x for x in refs[ids[r.case.name]] if x["kind"] == "target"]
        for p, g in _pair(predicted, gold):
            want = g.get("case") if g else None
            if want and want not in ids:
                unlinkable.append(f"{r.case.name} → {want}")
                continue
            linked = p is not None and p["status"] == "linked"
            got = by_id.get(p["target_doc_id"]) if linked else None
            c["expected"] += bool(want)
            c["made"] += linked
            if want and got == want:
                c["right"] += 1
                continue
            if linked:
                c["wrong"] += 1
                c["wrong_" + ("to_another_case" if want else "for_null_target" if g else "for_extra_target")] += 1
            elif want:
                c["missed_" + (p["status"] if p else "not_read")] += 1
            if (linked or want) and r.case.name in rows:
                rows[r.case.name].setdefault("link_errors", []).append(
                    {"target": (g or p)["title"], "want": want, "got": got or (p["status"] if p else "no target read")})
    made, right, expected = c["made"], c["right"], c["expected"]
    return {"links_made": made, "links_right": right, "wrong_links": c["wrong"],
            "precision": right / made if made else None, "wrong_share": c["wrong"] / made if made else 0.0,
            "recall": right / expected if expected else None, "expected_links": expected,
            "wrong_by_kind": {k[6:]: v for k, v in c.items() if k.startswith("wrong_")},
            "missed_by_status": {k[7:]: v for k, v in c.items() if k.startswith("missed_")},
            "unlinkable": unlinkable, "resolved_share": share}


def run(collection: str, from_gold: bool) -> dict:
    cases = corpus.cases(collection)
    missing = [c.name for c in cases if not from_gold and not c.present()]
    present = [c for c in cases if from_gold or c.present()]
    reads, per_case = [], []
    for c in present:
        try:
            reads.append(read_case(c, from_gold))
            per_case.append({"case": c.name})
        except Exception as exc:                       # a page that cannot be read is reported, not fatal
            missing.append(f"{c.name} ({type(exc).__name__}: {exc})")
    decisions = sum(1 for r in reads if r.case.gold.get("decision"))
    result = {"collection": collection, "cases": len(cases), "scored": len(reads), "decisions": decisions,
              "missing": missing, "input": "gold body" if from_gold else "pages",
              "clauses": score_clauses(reads, per_case), "targets": score_targets(reads, per_case),
              "citations": score_citations(reads, per_case), "links": archive_links(reads, per_case) if reads else {},
              "per_case": per_case}
    return result


def _pct(x) -> str:
    return "   n/a" if x is None else f"{100 * x:5.1f}%"


def report(res: dict, per_case: bool) -> str:
    lines = [f"validity benchmark: {res['collection']} — {res['scored']} of {res['cases']} cases scored "
             f"({res['decisions']} decisions), input: {res['input']}"]
    if res["missing"]:
        lines.append(f"  MISSING {len(res['missing'])} pages (run `python -m benchmarks.corpus restore "
                     f"{res['collection']}`): {', '.join(res['missing'][:12])}{' …' if len(res['missing']) > 12 else ''}")
    lines.append("  clauses            precision  recall   (tp/fp/fn)")
    for f, c in res["clauses"].items():
        lines.append(f"    {f:16} {_pct(c['precision'])}   {_pct(c['recall'])}   ({c['tp']}/{c['fp']}/{c['fn']})")
    t = res["targets"]
    lines.append(f"  targets            {_pct(t['precision'])}   {_pct(t['recall'])}   ({t['tp']}/{t['fp']}/{t['fn']})")
    link = res["links"]
    if link:
        verdict = "OK" if link["wrong_share"] <= WRONG_LINK_LIMIT else "OVER THE 1 % LIMIT"
        lines.append(f"  target links       {_pct(link['precision'])}   {_pct(link['recall'])}   "
                     f"({link['links_right']} right, {link['wrong_links']} wrong of {link['links_made']} made; "
                     f"{link['expected_links']} expected; wrong {_pct(link['wrong_share'])} — {verdict})")
        lines.append(f"    missed by status: {json.dumps(link['missed_by_status'], ensure_ascii=False)}; "
                     f"wrong: {json.dumps(link['wrong_by_kind'], ensure_ascii=False)}")
        if link["unlinkable"]:
            lines.append(f"    labelled targets whose case is not scored (page missing): {len(link['unlinkable'])}")
        lines.append(f"  references resolved in the archive: {json.dumps(link['resolved_share'], ensure_ascii=False)}")
    c = res["citations"]
    lines.append(f"  citation spans     {_pct(c['precision'])}   {_pct(c['recall'])}   F1 {_pct(c['f1'])}   "
                 f"({c['tp']}/{c['fp']}/{c['fn']}); type accuracy {_pct(c['type_accuracy'])}")
    if per_case:
        for row in res["per_case"]:
            if len(row) > 1:
                lines.append(json.dumps(row, ensure_ascii=False))
    return "\n".join(lines)


def refresh_cost(n: int) -> dict:
    """Seconds to compute validity for an archive of n synthetic documents (every version read,
    every reference resolved, every timeline built), against writing those documents into the
    archive (the store's ingest: the baseline), and the cost of the no-op check before a read."""
    import time

    from benchmarks.synthetic_archive import build_archive
    from guifan.archive import Archive, validity

    with tempfile.TemporaryDirectory() as tmp:
        t0 = time.perf_counter()
        build_archive(Path(tmp) / "s.db", n, seed="validity-bench")
        ingest = time.perf_counter() - t0
        with Archive(Path(tmp) / "s.db") as archive:
            versions = archive.conn.execute("SELECT count(*) FROM versions").fetchone()[0]
            t0 = time.perf_counter()
            report = validity.refresh(archive.conn, force=True)
            full = time.perf_counter() - t0
            t0 = time.perf_counter()
            for _ in range(100):
                validity.is_current(archive.conn)
            check = (time.perf_counter() - t0) / 100
    return {"documents": n, "versions": versions, "ingest_s": ingest, "refresh_s": full,
            "refresh_per_ingest": full / ingest, "refs": report.refs, "noop_check_ms": check * 1000}


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--collection", default="validity")
    ap.add_argument("--json", metavar="OUT", help="write the figures as JSON here")
    ap.add_argument("--per-case", action="store_true", help="print each case's errors")
    ap.add_argument("--from-gold", action="store_true", help="read the gold body, not the page")
    ap.add_argument("--archive-docs", type=int, default=0, metavar="N",
                    help="also time computing validity for an archive of N synthetic documents")
    args = ap.parse_args(argv)
    if args.collection not in corpus.collections():
        print(f"no collection benchmarks/corpus/{args.collection}/ (yet): nothing to measure", file=sys.stderr)
        return 1
    res = run(args.collection, args.from_gold)
    print(report(res, args.per_case))
    if args.archive_docs:
        cost = res["refresh_cost"] = refresh_cost(args.archive_docs)
        print(f"  computing validity: {cost['documents']} documents ({cost['versions']} versions, {cost['refs']} "
              f"references) in {cost['refresh_s']:.2f} s = {cost['refresh_per_ingest']:.2f} × writing them into the "
              f"archive ({cost['ingest_s']:.2f} s, the baseline); the check before each read {cost['noop_check_ms']:.2f} ms")
    if args.json:
        Path(args.json).write_text(json.dumps(res, ensure_ascii=False, indent=2), encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
