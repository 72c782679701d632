"""Real reprint pairs and hard negatives labelled by hand (benchmarks/corpus/reprints/).

``labels.json`` lists pages (each with its origin: repository, path, commit, licence, sha256
of the bytes, the portal host it was saved from) and pairs labelled ``reprint`` (with a kind)
or ``negative``. The pages themselves are not committed: ``python -m benchmarks.corpus restore``
copies them out of the local fetch mirror into benchmarks/corpus/pages/. :func:`evaluate`
extracts each page with guifan's parsers, records it in a temporary archive (site = the
portal host), builds the reprint index and scores the labelled pairs.
"""
from __future__ import annotations

import hashlib
import json
import tempfile
from pathlib import Path

HERE = Path(__file__).resolve().parent / "corpus" / "reprints"
PAGES = Path(__file__).resolve().parent / "corpus" / "pages"


def evaluate() -> dict:
    labels_file = HERE / "labels.json"
    if not labels_file.exists():
        return {"summary": f"no labelled real pages ({labels_file} missing)"}
    labels = json.loads(labels_file.read_text(encoding="utf-8"))
    present, missing = {}, []
    for page in labels["pages"]:
        path = PAGES / page["local"]
        if path.exists() and hashlib.sha256(path.read_bytes()).hexdigest() == page["sha256"]:
            present[page["id"]] = (page, path.read_bytes())
        else:
            missing.append(page["id"])
    pairs = [p for p in labels["pairs"] if p["a"] in present and p["b"] in present]
    if not pairs:
        return {"summary": f"{len(missing)} of {len(labels['pages'])} pages missing; nothing to score "
                           "(python -m benchmarks.corpus restore)", "missing": missing}
    found = _index(present)
    return _score(pairs, found, missing, len(labels["pages"]))


def _index(present: dict) -> dict[frozenset, str]:
    from guifan.archive import Archive, FetchResult, doc_id_for, reprints
    from guifan.parsers import extract

    with tempfile.TemporaryDirectory() as tmp, Archive(Path(tmp) / "real.db") as archive:
        run = archive.start_run(["real"])
        ids = {}
        for pid, (page, raw) in present.items():
            doc = extract(raw, page["url"], headers={})
            site = page["host"]
            archive.record_fetch(run, FetchResult(site=site, kind="detail", url=page["url"], final_url=page["url"],
                                                  status=200, response_headers=[], body=raw,
                                                  fetched_at="2024-01-01T00:00:00.000Z", document=doc))
            ids[doc_id_for(site, page["url"])] = pid
        reprints.refresh(archive.conn)
        return {frozenset((ids[a], ids[b])): k for a, b, k in
                archive.conn.execute("SELECT doc_a, doc_b, kind FROM reprint_pairs")}


def _score(pairs: list[dict], found: dict, missing: list, total: int) -> dict:
    tp = sum(1 for p in pairs if p["label"] == "reprint" and frozenset((p["a"], p["b"])) in found)
    fp = sum(1 for p in pairs if p["label"] == "negative" and frozenset((p["a"], p["b"])) in found)
    positives = sum(1 for p in pairs if p["label"] == "reprint")
    negatives = len(pairs) - positives
    precision = tp / (tp + fp) if tp + fp else None
    recall = tp / positives if positives else None
    wrong = [p for p in pairs if (p["label"] == "reprint") != (frozenset((p["a"], p["b"])) in found)]
    summary = (f"{positives} reprint pairs, {negatives} hard negatives ({len(missing)} of {total} pages missing): "
               f"precision {precision if precision is None else round(precision, 3)}, "
               f"recall {recall if recall is None else round(recall, 3)}")
    return {"summary": summary, "precision": precision, "recall": recall, "true_positives": tp,
            "false_positives": fp, "positives": positives, "negatives": negatives, "wrong": wrong[:20],
            "missing": missing}
